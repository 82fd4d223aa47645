package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate"

	"github.com/tollgate/tollgate/internal/catalog"
	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/token"
)

// newTokenEndpoint wires the token endpoint: clients come from the catalog
// (a map lookup on the hot path), tokens are signed by the signer's cached
// keys, and revocations go to the store.
func (s *Server) newTokenEndpoint() *token.Endpoint {
	return token.New(token.Options{
		Clients:     s.catalog,
		Signer:      s.signer,
		Keys:        s.signer,
		Revocations: revocations{s.opts.Store, s},
		Vault:       s.opts.Vault,
		// The issuer does not depend on the host a request came in on, so
		// that a token verifies the same wherever it is presented.
		Issuer:          func(_ *http.Request, poolID string) string { return s.Issuer(poolID) },
		PoolFromHost:    s.poolFromHost,
		Trigger:         s.preTokenGeneration,
		Invoke:          s.invokeTrigger,
		Limiter:         s.limiterFor(s.tokenLimiter(), "token"),
		LimiterFailOpen: s.opts.LimiterFailOpen,
		LocalLimiter:    s.tokenFallbackLimiter(),
		PoolLimits:      s.poolLimits(),
		AnyLockout:      s.anyLockout(),
		Observer:        s.tokenMetrics,
		// The extensions beyond Cognito (oauthext.go): pools' settings
		// and resource servers from memory, the replay cache, client
		// certificates from the mTLS listener or a trusted proxy.
		Pool:            s.catalog.Pool,
		ResourceServers: s.catalog.ResourceServers,
		Replay:          s.opts.Replay,
		ClientCert:      s.clientCertChain(),
		ExternalURL:     s.externalURL(),
		ClientCAs:       s.MTLSClientCAs,
		// Dev's clients serve their keys on this machine.
		AllowPrivateJWKSURI: s.opts.AllowPrivateJWKSURI,
		MTLSBase:            s.MTLSBase,
		Now:                 s.opts.Now,
		Audit:               s.opts.Audit,
		Logger:              s.opts.Logger,
	})
}

// tokenLimiter is the limiter of the token endpoint: the shared one, else
// this process's (tokenLocalLimiter).
func (s *Server) tokenLimiter() limit.Limiter {
	if s.opts.Limiter != nil {
		return s.opts.Limiter
	}
	return s.tokenLocalLimiter()
}

// anyLockout returns the catalog's AnyLockout, nil when the catalog keeps
// no limits.
func (s *Server) anyLockout() func() bool {
	if c, ok := any(s.catalog).(limitsCatalog); ok {
		return c.AnyLockout
	}
	return nil
}

// tokenFallbackLimiter is what the token endpoint counts in while the
// shared limiter fails open: this process's, nil without a shared one
// (the endpoint counts in this process's already).
func (s *Server) tokenFallbackLimiter() limit.Limiter {
	if s.opts.Limiter == nil {
		return nil
	}
	return s.tokenLocalLimiter()
}

// tokenLocalLimiter is the token endpoint's own local limiter, else the
// process's (shared with the gateway), else none: an untyped nil.
func (s *Server) tokenLocalLimiter() limit.Limiter {
	if s.opts.TokenLocalLimiter != nil {
		return s.opts.TokenLocalLimiter
	}
	return s.opts.LocalLimiter
}

// poolLimits returns the catalog's TokenLimits by pool, nil when the
// catalog keeps none.
func (s *Server) poolLimits() func(string) (tollgate.TokenLimits, bool) {
	if c, ok := any(s.catalog).(limitsCatalog); ok {
		return c.PoolLimits
	}
	return nil
}

// The catalog must be a token.Syncer: the token endpoint syncs it on a
// failed authentication, so that a client created a moment ago by another
// process is found.
var _ token.Syncer = (*catalog.Catalog)(nil)

// revocations records revocations in the store and puts them straight into
// the catalog's set, without reading anything back, so this node's gateway
// rejects a revoked token from the next request on; other nodes get it
// through the store's change feed (at once on PostgreSQL, NOTIFY; within
// their poll interval otherwise).
type revocations struct {
	tollgate.Store
	s *Server
}

func (r revocations) RevokeToken(ctx context.Context, t tollgate.RevokedToken) error {
	if err := r.Store.RevokeToken(ctx, t); err != nil {
		return err
	}
	r.s.catalog.Revoked(t)
	return nil
}

// loggedGatewayClientID is the client id of a gateway request as the access
// log shows it: the client_id claim of the token the authorizer allowed,
// when it has the shape of a client id, or a marker with its length. The
// shape is at most 128 characters of letters, digits and "-._~+": Cognito's
// ids ([\w+]) and those of the external issuers an authorizer may trust
// (GUIDs, "….apps.googleusercontent.com"). The claim was signed by a
// trusted issuer, so it is not raw request bytes; the check keeps anything
// that is not an id out of the log whatever an issuer puts there. The
// token endpoint logs presented ids by a stricter rule (token.presentedID).
func loggedGatewayClientID(id string) string {
	ok := len(id) <= 128
	for i := 0; ok && i < len(id); i++ {
		c := id[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~+", c) >= 0
	}
	if ok {
		return id // or "": not a gateway request, or an open route
	}
	return "(malformed, " + strconv.Itoa(len(id)) + " bytes)"
}
