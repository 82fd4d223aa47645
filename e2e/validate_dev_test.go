package e2e

import (
	"strings"
	"testing"
)

// TestValidateDev checks the beyond-cognito example as a user would before
// running it: plain validate (serve's checks) wants the keys that only dev
// generates, and says so; validate --dev checks it as dev runs it, with
// throw-away keys and certificates.
func TestValidateDev(t *testing.T) {
	const example = "../examples/beyond-cognito/tollgate.yaml"
	_, stderr, code := run(t, nil, "validate", example)
	if code != 2 || !strings.Contains(stderr, "private_key_jwt needs the client's public keys") || !strings.Contains(stderr, "validate --dev") {
		t.Errorf("validate %s: exit %d, want 2 with the missing keys and the hint:\n%s", example, code, stderr)
	}
	stdout, stderr, code := run(t, nil, "validate", "--dev", example)
	if code != 0 || !strings.Contains(stdout, example+": ok") {
		t.Errorf("validate --dev %s: exit %d\n%s%s", example, code, stdout, stderr)
	}
}
