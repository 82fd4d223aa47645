package server

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
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
// gateway: requestOrigin.
func (s *Server) externalURL() func(*http.Request) string { return s.requestOrigin }

// requestOrigin returns the scheme and host a request was sent to, as the
// htu of its DPoP proofs (RFC 9449 §4.3 item 9) and the audience of its
// client assertions are checked against, and as the gateway names its
// resources: the host the request names (its Host, or the X-Forwarded-Host
// of a trusted proxy, mtls.Source.ExternalURL) only when it is one this
// server answers for (ownedHost), and the public URL's origin otherwise.
// A Host is the client's to choose: trusting any would let whoever
// forwards a victim's token and proof, with the Host of the server the
// victim meant them for, pass the proof's htu check here (RFC 9449 §11.1,
// proof replay at another server).
func (s *Server) requestOrigin(r *http.Request) string {
	scheme, host, _ := strings.Cut(s.ClientCertSource().ExternalURL(r), "://")
	host = strings.ToLower(host)
	if pub, ok := s.publicOrigin(); ok && (host == pub.Host || host == withDefaultPort(pub)) {
		return pub.Scheme + "://" + pub.Host
	}
	if s.ownedHost(host) {
		return scheme + "://" + host
	}
	pub, _ := s.publicOrigin()
	if pub == nil {
		return "" // before Listen, when nothing is served
	}
	return pub.Scheme + "://" + pub.Host
}

// publicOrigin returns the public URL's scheme and lowercase host.
func (s *Server) publicOrigin() (*url.URL, bool) {
	u, err := url.Parse(s.publicURL)
	if err != nil || u.Host == "" {
		return nil, false
	}
	return &url.URL{Scheme: strings.ToLower(u.Scheme), Host: strings.ToLower(u.Host)}, true
}

// withDefaultPort returns u's host with its scheme's default port when it
// names none, so that "example.com:443" matches https://example.com.
func withDefaultPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return u.Host + ":443"
	}
	return u.Host + ":80"
}

// ownedHost reports whether host (host[:port], lowercase) is one this
// server answers for: a pool's auth domain or custom domain, a host the
// gateway routes (an execute-api host of the base domain, an API's custom
// domain), the mTLS listener's address, or a loopback name or address on
// the port of one of the server's listeners.
func (s *Server) ownedHost(host string) bool {
	if host == "" {
		return false
	}
	if _, ok := s.catalog.DomainForHost(host); ok {
		return true
	}
	if base := s.MTLSBase(); base != "" && host == strings.TrimPrefix(base, "https://") {
		return true
	}
	if d := s.dep.Load(); d != nil && d.gateway.Owns(&http.Request{Host: host, URL: &url.URL{Path: "/"}}) {
		return true
	}
	name, port, err := net.SplitHostPort(host)
	if err != nil {
		return false
	}
	if ip, err := netip.ParseAddr(name); name != "localhost" && (err != nil || !ip.Unmap().IsLoopback()) {
		return false
	}
	for _, ln := range []net.Listener{s.ln, s.tlsLn, s.mtls.ln} {
		if tcp, ok := listenerAddr(ln); ok && strconv.Itoa(tcp.Port) == port {
			return true
		}
	}
	return false
}

// listenerAddr returns a listener's TCP address, ok false for none.
func listenerAddr(ln net.Listener) (*net.TCPAddr, bool) {
	if ln == nil {
		return nil, false
	}
	tcp, ok := ln.Addr().(*net.TCPAddr)
	return tcp, ok
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
		CountRegistered:     s.countRegistered,
		VerifyAccessToken:   s.verifyInitialAccessToken,
		AllowPrivateJWKSURI: s.opts.AllowPrivateJWKSURI,
		Audit:               s.opts.Audit,
		Logger:              s.opts.Logger,
		Now:                 s.opts.Now,
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

// Refusals of an initial access token; the registration endpoint answers
// each with 401 invalid_token.
var (
	errTokenRevoked = errors.New("token revoked")
	errTokenBound   = errors.New("sender-constrained token (cnf) presented as a bearer token")
)

// verifyInitialAccessToken verifies an access token of the pool as its
// resource servers would (bearer.Verify: signature by a published key of
// the pool, with the typ its keys require, iss, token_use access, exp)
// and not revoked, and returns its scopes. A token bound to a key or a
// certificate (cnf) is refused: the registration endpoint takes bearer
// tokens only (RFC 6750 §2.1), and a bound token sent as one is refused
// (RFC 9449 §7.2, RFC 8705 §3) rather than accepted without its proof.
func (s *Server) verifyInitialAccessToken(ctx context.Context, _ *http.Request, poolID, tok string) ([]string, error) {
	keys, err := s.signer.PublicKeys(ctx, poolID)
	if err != nil {
		return nil, err
	}
	claims, err := bearer.Verify(tok, bearer.Keys(keys), bearer.Expect{Issuer: s.Issuer(poolID), Now: s.opts.Now})
	if err != nil {
		return nil, err
	}
	if claims.Cnf != nil {
		return nil, errTokenBound
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
