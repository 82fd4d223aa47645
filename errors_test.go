package tollgate_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
)

// TestErrorHidesCause checks that an error's text, which adapters show to
// users, is its message alone, while its cause stays reachable for logs.
func TestErrorHidesCause(t *testing.T) {
	cause := errors.New("UNIQUE constraint failed: clients.pool_id, clients.name")
	err := error(&tollgate.Error{Kind: tollgate.KindConflict, Message: `client "c1" exists`, Cause: cause})
	wrapped := fmt.Errorf("create client: %w", err)

	tests := []struct {
		name string
		err  error
		want string
	}{
		{"bare", err, `client "c1" exists`},
		{"wrapped", wrapped, `create client: client "c1" exists`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			if strings.Contains(tt.err.Error(), "constraint") {
				t.Errorf("Error() shows the cause: %q", tt.err.Error())
			}
			if !errors.Is(tt.err, cause) {
				t.Error("errors.Is does not find the cause")
			}
			if got := tollgate.KindOf(tt.err); got != tollgate.KindConflict {
				t.Errorf("KindOf = %s, want %s", got, tollgate.KindConflict)
			}
		})
	}
}

// TestErrorWithoutCause checks Errorf's errors: the message, no cause.
func TestErrorWithoutCause(t *testing.T) {
	err := tollgate.Errorf(tollgate.KindNotFound, "pool %q not found", "p1")
	if got, want := err.Error(), `pool "p1" not found`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if err.Unwrap() != nil {
		t.Errorf("Unwrap() = %v, want nil", err.Unwrap())
	}
	if !tollgate.IsNotFound(err) {
		t.Error("IsNotFound = false")
	}
}
