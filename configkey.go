package tollgate

import "strings"

// ConfigKeys name the declaration an object comes from. A config file's
// objects have the bare logical id ("ThirdPartyAppClient"); a
// CloudFormation stack's have "stack:{StackName}/{logical ids}". Logical
// ids cannot hold ':' or '/', so the two never meet.
const stackKeyPrefix = "stack:"

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

// DeclaredIn describes where a config-owned object is declared, for
// messages: `the config file (as "X")` or `stack S (as "X")`.
func DeclaredIn(configKey string) string {
	if stack, logical, ok := SplitStackKey(configKey); ok {
		return "stack " + stack + " (as \"" + logical + "\")"
	}
	return "the config file (as \"" + configKey + "\")"
}
