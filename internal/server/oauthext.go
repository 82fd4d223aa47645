package server

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/registration"
)

// This file wires the OAuth 2 extensions beyond Cognito: where the token
// endpoint and the gateway get client certificates and the URL a request
// was sent to (internal/mtls, through the mTLS listener or a trusted
// proxy), the replay cache (Options.Replay), dynamic client registration
// (internal/registration) and protected resource metadata (RFC 9728,
// served by the gateway).

// clientCertChain returns the token endpoint's ClientCert: the chain of
// the server's certificate source, nil when there is none.
func (s *Server) clientCertChain() func(*http.Request) ([]*x509.Certificate, error) {
	if src := s.ClientCertSource(); src != nil {
		return src.Chain
	}
	return nil
}

// clientCert returns the gateway's ClientCert: the leaf of the server's
// certificate source, nil when there is none.
func (s *Server) clientCert() func(*http.Request) (*x509.Certificate, error) {
	if src := s.ClientCertSource(); src != nil {
		return src.Certificate
	}
	return nil
}

// externalURL returns the ExternalURL of the token endpoint and the
// gateway: the certificate source's, which believes a trusted proxy's
// forwarded scheme and host; nil (the request's own) when there is none.
func (s *Server) externalURL() func(*http.Request) string {
	if src := s.ClientCertSource(); src != nil {
		return src.ExternalURL
	}
	return nil
}

// newRegistration builds the dynamic client registration endpoint (RFC
// 7591) of the pools whose policy opens it: clients are created by the
// domain service the CLI and the Cognito API use, and initial access
// tokens verified as the gateway verifies the pool's tokens.
func (s *Server) newRegistration() *registration.Handler {
	svc := domain.New(s.opts.Store, s.opts.Vault, s.opts.Now).WithAudit(s.opts.Audit)
	return registration.New(registration.Options{
		Pool:   s.catalog.Pool,
		Scopes: s.catalog.Scopes,
		CreateClient: func(ctx context.Context, c *tollgate.Client, generateSecret bool) (*tollgate.Client, string, error) {
			return svc.CreateClient(ctx, c.PoolID, domain.ClientSpec{
				Name:         c.Name,
				OAuthFlows:   c.AllowedOAuthFlows,
				Scopes:       c.AllowedOAuthScopes,
				AccessToken:  c.AccessTokenValidity,
				IDToken:      c.IDTokenValidity,
				RefreshToken: c.RefreshTokenValidity,
				OAuth:        &c.OAuth,
				Registered:   c.OAuth.Registered,
			}, domain.SecretChoice{Generate: generateSecret})
		},
		CountRegistered:   s.countRegistered,
		VerifyAccessToken: s.verifyInitialAccessToken,
		Audit:             s.opts.Audit,
		Logger:            s.opts.Logger,
		Now:               s.opts.Now,
	})
}

// countRegistered counts a pool's clients made by dynamic registration.
func (s *Server) countRegistered(ctx context.Context, poolID string) (int, error) {
	clients, err := s.opts.Store.ListClients(ctx, poolID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range clients {
		if !c.OAuth.Registered.IsZero() {
			n++
		}
	}
	return n, nil
}

// errTokenRevoked refuses a revoked initial access token.
var errTokenRevoked = errors.New("token revoked")

// verifyInitialAccessToken verifies an access token of the pool as its
// resource servers would (bearer.Verify: signature by a published key,
// iss, token_use access, exp) and not revoked, and returns its scopes.
func (s *Server) verifyInitialAccessToken(ctx context.Context, _ *http.Request, poolID, tok string) ([]string, error) {
	keys, err := s.signer.PublicKeys(ctx, poolID)
	if err != nil {
		return nil, err
	}
	claims, err := bearer.Verify(tok, bearer.Keys(keys), bearer.Expect{Issuer: s.Issuer(poolID), Now: s.opts.Now})
	if err != nil {
		return nil, err
	}
	if s.catalog.IsRevoked(claims.JTI) {
		return nil, errTokenRevoked
	}
	return claims.Scopes(), nil
}

// serveRegister routes a registration request to the pool it is for: the
// {pool} path segment on any host, or the auth domain it came in on. A
// pool whose policy does not open registration answers 404, as an unknown
// path does.
func (s *Server) serveRegister(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("pool")
	if id == "" {
		var ok bool
		if id, ok = s.poolFromHost(r); !ok {
			writeNotFound(w)
			return
		}
	}
	p, ok := s.catalog.Pool(id)
	if !ok || p.OAuth.Registration == nil {
		writeNotFound(w)
		return
	}
	s.registration.ServeRegister(w, r, p.ID)
}

// wellKnownResource is the RFC 9728 §3 well-known path.
const wellKnownResource = "/.well-known/oauth-protected-resource"

// isResourceMetadataPath reports whether a request path is one of RFC
// 9728 §3.1's metadata URLs: the well-known path, alone or followed by
// the path of a resource identifier.
func isResourceMetadataPath(p string) bool {
	rest, ok := strings.CutPrefix(p, wellKnownResource)
	return ok && (rest == "" || rest[0] == '/')
}
