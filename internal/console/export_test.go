package console

import (
	"net/http"
	"testing"
	"time"
)

// TestEnv is the console the package's tests drive, for its external
// tests.
type TestEnv = testEnv

// NewTestEnv is a console over a real store serving b, its clock at start
// (when not zero), and a client signed in with a stored access key that
// does not follow redirects.
func NewTestEnv(t *testing.T, b Backend, start time.Time) (*TestEnv, *http.Client) {
	t.Helper()
	return newSignedInEnv(t, b, start)
}
