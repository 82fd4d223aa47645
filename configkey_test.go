package tollgate

import "testing"

// Each kind of ConfigKey splits only as its own kind, so that an owner
// never mistakes another's objects for its own.
func TestConfigKeys(t *testing.T) {
	tests := []struct {
		key                   string
		stack, stackLogical   string
		isStack               bool
		config, configLogical string
		isConfig, bare        bool
		declaredIn            string
	}{
		{key: "stack:Orders/UserPool/App", stack: "Orders", stackLogical: "UserPool/App", isStack: true, declaredIn: `stack Orders (as "UserPool/App")`},
		{key: "config:seed/UserPool/App", config: "seed", configLogical: "UserPool/App", isConfig: true, declaredIn: `config "seed" (as "UserPool/App")`},
		{key: "UserPool/App", bare: true, declaredIn: `a config file (as "UserPool/App")`},
		{key: "UserPool", bare: true, declaredIn: `a config file (as "UserPool")`},
		{key: ""},
	}
	for _, tt := range tests {
		stack, logical, ok := SplitStackKey(tt.key)
		if stack != tt.stack || logical != tt.stackLogical || ok != tt.isStack {
			t.Errorf("SplitStackKey(%q) = %q, %q, %t", tt.key, stack, logical, ok)
		}
		name, logical, ok := SplitConfigKey(tt.key)
		if name != tt.config || logical != tt.configLogical || ok != tt.isConfig {
			t.Errorf("SplitConfigKey(%q) = %q, %q, %t", tt.key, name, logical, ok)
		}
		if got := IsBareConfigKey(tt.key); got != tt.bare {
			t.Errorf("IsBareConfigKey(%q) = %t", tt.key, got)
		}
		if tt.key != "" {
			if got := DeclaredIn(tt.key); got != tt.declaredIn {
				t.Errorf("DeclaredIn(%q) = %s, want %s", tt.key, got, tt.declaredIn)
			}
		}
	}
	if got := ConfigKeyPrefix("seed") + "UserPool"; got != "config:seed/UserPool" {
		t.Errorf("ConfigKeyPrefix: %s", got)
	}
	if got := StackKeyPrefix("Orders") + "UserPool"; got != "stack:Orders/UserPool" {
		t.Errorf("StackKeyPrefix: %s", got)
	}
}
