package tollgate

import "strings"

// ConfigKeys name the declaration an object comes from, so that applying a
// declaration again finds its objects, and so that each declaration
// manages only its own:
//
//   - a config file's objects have "config:{name}/{logical ids}", where
//     name is the config's name (its `name:`, or the file's name);
//   - a CloudFormation stack's have "stack:{StackName}/{logical ids}";
//   - a bare logical id ("UserPool/ThirdPartyAppClient") was written by a
//     config file before config files had names. No writer makes such keys
//     any more; the first named config that declares the same pool adopts
//     them (see internal/config).
//
// Logical ids, config names and stack names cannot hold ':' or '/', so the
// three never meet. Objects made by hand have an empty ConfigKey.
const (
	stackKeyPrefix  = "stack:"
	configKeyPrefix = "config:"
)

// StackKeyPrefix is what the ConfigKeys of a stack's objects start with.
func StackKeyPrefix(stack string) string { return stackKeyPrefix + stack + "/" }

// SplitStackKey returns the stack and the logical id path of a stack's
// ConfigKey, and false for a config file's key or an object made by hand.
func SplitStackKey(configKey string) (stack, logical string, ok bool) {
	rest, ok := strings.CutPrefix(configKey, stackKeyPrefix)
	if !ok {
		return "", "", false
	}
	return strings.Cut(rest, "/")
}

// ConfigKeyPrefix is what the ConfigKeys of a named config file's objects
// start with.
func ConfigKeyPrefix(name string) string { return configKeyPrefix + name + "/" }

// SplitConfigKey returns the config name and the logical id path of a
// named config file's ConfigKey, and false for any other key (a stack's, a
// bare key from before config names, an object made by hand).
func SplitConfigKey(configKey string) (name, logical string, ok bool) {
	rest, ok := strings.CutPrefix(configKey, configKeyPrefix)
	if !ok {
		return "", "", false
	}
	return strings.Cut(rest, "/")
}

// IsBareConfigKey reports whether configKey is a bare logical id: the key
// a config file gave its objects before config files had names.
func IsBareConfigKey(configKey string) bool {
	return configKey != "" && !strings.HasPrefix(configKey, stackKeyPrefix) && !strings.HasPrefix(configKey, configKeyPrefix)
}

// DeclaredIn describes where a config-owned object is declared, for
// messages: `config "seed" (as "X")`, `stack S (as "X")`, or, for a bare
// key, `a config file (as "X")`.
func DeclaredIn(configKey string) string {
	if stack, logical, ok := SplitStackKey(configKey); ok {
		return "stack " + stack + " (as \"" + logical + "\")"
	}
	if name, logical, ok := SplitConfigKey(configKey); ok {
		return "config \"" + name + "\" (as \"" + logical + "\")"
	}
	return "a config file (as \"" + configKey + "\")"
}
