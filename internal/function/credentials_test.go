package function

import (
	"slices"
	"strings"
	"testing"
)

// Tollgate's own AWS credentials (perhaps one of its access keys, exported
// as `tollgate access-keys create` prints) never reach a function: it gets
// placeholders, as Lambda always sets its role's, unless its environment
// names where its credentials are (a profile).
func TestFunctionCredentials(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIATOLLGATESOWNKEY0")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "tollgates-own-secret")
	t.Setenv("AWS_SESSION_TOKEN", "tollgates-own-token")
	base := defaultBaseEnv()
	for _, kv := range base {
		if strings.HasPrefix(kv, "AWS_") {
			t.Errorf("the base environment has %s", kv)
		}
	}
	got := credentialsEnv(base)
	if !slices.Equal(got, placeholderCredentials) || !strings.HasPrefix(got[0], "AWS_ACCESS_KEY_ID=ASIA") {
		t.Errorf("credentials = %q, want the placeholders", got)
	}
	if got := credentialsEnv(append(base, "AWS_PROFILE=dev", "AWS_SHARED_CREDENTIALS_FILE=/etc/fn/credentials")); got != nil {
		t.Errorf("with a profile: %q, want none added", got)
	}
}
