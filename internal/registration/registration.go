// Package registration serves dynamic client registration (RFC 7591) for
// the pools whose tollgate.PoolOAuth.Registration opens it: a client
// registers its metadata and gets a client id (and a secret when its
// method is a secret's), within what the pool's policy allows.
package registration

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
)

// Options configures a Handler.
type Options struct {
	// Pool returns a pool's settings (its Registration policy) from memory;
	// ok false when unknown.
	Pool func(poolID string) (*tollgate.UserPool, bool)
	// Scopes returns the full scope names of a pool's resource servers.
	Scopes func(poolID string) []string
	// CreateClient stores a new client of the pool (the domain service
	// used by the CLI and the Cognito API: it generates the id and, when
	// asked, the secret) and returns it with the secret in clear, shown
	// once.
	CreateClient func(ctx context.Context, c *tollgate.Client, generateSecret bool) (created *tollgate.Client, secret string, err error)
	// CountRegistered returns how many registered clients the pool holds.
	CountRegistered func(ctx context.Context, poolID string) (int, error)
	// VerifyAccessToken verifies an access token of the pool (signature,
	// iss, exp, revocation) and returns its scopes: the initial access
	// token's check.
	VerifyAccessToken func(ctx context.Context, r *http.Request, poolID, token string) (scopes []string, err error)
	// Audit, if set, records each registration (actor: the registering
	// request; the client id, never a secret).
	Audit *audit.Sink
	// Logger; nil means slog.Default().
	Logger *slog.Logger
	// Now; nil means time.Now.
	Now func() time.Time
}

// Handler serves POST {endpoint} for one pool at a time: the pool is
// given by the caller, who routes the pool's registration_endpoint (its
// discovery document's) here.
type Handler struct {
	opts Options
}

// New returns a Handler.
func New(opts Options) *Handler { return &Handler{opts: opts} }

// ServeRegister answers a registration request for the pool poolID.
func (h *Handler) ServeRegister(w http.ResponseWriter, r *http.Request, poolID string) {
	panic("registration: ServeRegister is not implemented yet")
}
