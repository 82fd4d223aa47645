package token

import (
	"net/http"

	"github.com/tollgate/tollgate"
)

// Authenticate exposes client authentication alone to the external tests
// and benchmarks, with the form already parsed.
func Authenticate(e *Endpoint, r *http.Request, params map[string]string) (*tollgate.Client, error) {
	c, _, err := e.authenticate(r.Context(), r, form(params))
	return c, err
}

// SetStrikeSlots bounds e's strikes after the answer to n goroutines; a
// test calls it before serving.
func SetStrikeSlots(e *Endpoint, n int) { e.strikeSem = make(chan struct{}, n) }
