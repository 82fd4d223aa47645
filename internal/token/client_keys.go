package token

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/sync/singleflight"

	"github.com/tollgate/tollgate"
)

// The public keys of clients that authenticate with a signed assertion
// (private_key_jwt, RFC 7523 §2.2) or a self-signed certificate
// (self_signed_tls_client_auth, RFC 8705 §2.2): a JWKS (RFC 7517 §5)
// registered inline (tollgate.ClientOAuth.JWKS) or at a jwks_uri (RFC 7591
// §2) that the endpoint fetches.
//
// An inline JWKS is parsed once per client and per value: a request parses
// nothing as long as the client's JWKS is unchanged (a new version of the
// client with another JWKS replaces the cached one).
//
// A jwks_uri is fetched with a bounded client (jwksFetchTimeout, at most
// MaxJWKSBytes, https or http to a loopback address only, redirects only
// to the same scheme and host) that connects to public addresses only: a
// client's jwks_uri must not make the server reach what only it can reach
// (server-side request forgery; RFC 7591 §5 and RFC 9700 §4.15 warn of
// URLs an AS fetches for clients). Every address the client dials, after
// DNS resolution and on every redirect, is checked (jwksDialControl), so a
// name resolving to, or rebinding to, a loopback (127.0.0.0/8, ::1),
// private (RFC 1918, RFC 4193 fc00::/7), link-local (169.254.0.0/16, which
// holds cloud metadata services, fe80::/10), unspecified or multicast
// address is refused, as is an IPv4-mapped IPv6 form of one. No proxy is
// used, so that the checked address is the one connected to. A
// development server (Options.AllowPrivateJWKSURI) lifts the address rule,
// so that a client on the same machine serves its keys.
//
// Sets are bounded, inline and fetched alike (parseJWKS): at most
// maxJWKSKeys keys, RSA moduli of 2048 to 8192 bits (RFC 7518 §3.3 requires
// 2048 at least; beyond 8192 a key costs a verifier much for nothing); and
// an assertion is verified with at most maxSignatureAttempts keys
// (client_assertion.go), so that a set of many keys and an assertion
// without kid cannot make one request cost many verifications.
//
// A fetched set is cached for its Cache-Control max-age,
// kept within [jwksMinTTL, jwksMaxTTL] (jwksDefaultTTL without one). A kid
// the cached set does not hold makes it fetched again, at most once per
// jwksMinTTL (the client rotated its keys: RFC 7517 §5 sets are looked up
// by kid); a failed fetch is not retried for jwksMinTTL either, so that a
// flood of assertions cannot make the endpoint hammer a client's server.
// Concurrent fetches of one URI are made once (singleflight). An expired
// set whose refetch fails is not used: the client cannot authenticate
// until its jwks_uri answers again.

// Bounds of jwks_uri fetches and of their cache.
const (
	// MaxJWKSBytes bounds a fetched JWKS; a few keys with their x5c
	// certificates fit many times over.
	MaxJWKSBytes     = 256 << 10
	jwksFetchTimeout = 5 * time.Second
	jwksMinTTL       = time.Minute
	jwksMaxTTL       = 24 * time.Hour
	jwksDefaultTTL   = 5 * time.Minute
	jwksMaxRedirects = 3

	// maxJWKSKeys bounds the keys of a client's set.
	maxJWKSKeys = 16
	// minRSABits and maxRSABits bound the modulus of a client's RSA keys.
	minRSABits = 2048
	maxRSABits = 8192
	// maxSignatureAttempts bounds the keys an assertion is verified with.
	maxSignatureAttempts = 4
)

// clientKeySets caches the parsed key sets of clients. The zero value is
// not usable: see newClientKeySets.
type clientKeySets struct {
	now    func() time.Time
	client *http.Client

	mu     sync.Mutex
	inline map[string]*inlineKeySet // by client id
	remote map[string]*remoteKeySet // by jwks_uri
	group  singleflight.Group
}

// inlineKeySet is a client's JWKS parsed from src, or why it could not be.
type inlineKeySet struct {
	src string
	set *jose.JSONWebKeySet
	raw []byte
	err error
}

// remoteKeySet is a fetched JWKS: set is nil until a fetch succeeded.
type remoteKeySet struct {
	set     *jose.JSONWebKeySet
	raw     []byte
	expires time.Time // set is fresh until then
	fetched time.Time // last attempt, successful or not
	err     error     // of the last attempt, nil when it succeeded
}

// newClientKeySets returns an empty cache. client fetches jwks_uri sets;
// nil: one that connects to public addresses only.
func newClientKeySets(now func() time.Time, client *http.Client) *clientKeySets {
	if client == nil {
		client = newJWKSClient(jwksDialControl)
	}
	c := *client
	if c.Timeout <= 0 {
		c.Timeout = jwksFetchTimeout
	}
	c.CheckRedirect = sameOriginRedirects
	return &clientKeySets{now: now, client: &c, inline: map[string]*inlineKeySet{}, remote: map[string]*remoteKeySet{}}
}

// errNoKeys is the cause of a failure of a client that registered no keys.
var errNoKeys error = causeError("the client has no registered keys (jwks or jwks_uri)")

// keys returns the client's key set, and its JWKS as registered or
// fetched (for the x5c of self-signed certificates). kid, when not empty,
// is the key the caller looks for: a fetched set that does not hold it is
// fetched again (at most once per jwksMinTTL). The set is shared: callers
// must not modify it.
func (c *clientKeySets) keys(ctx context.Context, client *tollgate.Client, kid string) (*jose.JSONWebKeySet, []byte, error) {
	switch {
	case client.OAuth.JWKS != "":
		return c.inlineKeys(client)
	case client.OAuth.JWKSURI != "":
		return c.remoteKeys(ctx, client.OAuth.JWKSURI, kid)
	}
	return nil, nil, errNoKeys
}

func (c *clientKeySets) inlineKeys(client *tollgate.Client) (*jose.JSONWebKeySet, []byte, error) {
	c.mu.Lock()
	ks, ok := c.inline[client.ID]
	c.mu.Unlock()
	if ok && ks.src == client.OAuth.JWKS {
		return ks.set, ks.raw, ks.err
	}
	ks = &inlineKeySet{src: client.OAuth.JWKS, raw: []byte(client.OAuth.JWKS)}
	ks.set, ks.err = parseJWKS(ks.raw)
	if ks.err != nil {
		ks.err = fmt.Errorf("the client's jwks: %w", ks.err)
	}
	c.mu.Lock()
	c.inline[client.ID] = ks
	c.mu.Unlock()
	return ks.set, ks.raw, ks.err
}

func (c *clientKeySets) remoteKeys(ctx context.Context, uri, kid string) (*jose.JSONWebKeySet, []byte, error) {
	now := c.now()
	c.mu.Lock()
	ks := c.remote[uri]
	c.mu.Unlock()
	if ks != nil {
		fresh := ks.set != nil && now.Before(ks.expires)
		known := kid == "" || (ks.set != nil && len(ks.set.Key(kid)) > 0)
		recent := now.Sub(ks.fetched) < jwksMinTTL
		switch {
		case fresh && (known || recent):
			// A key rotated out of the set is looked for again only once
			// per jwksMinTTL.
			return ks.set, ks.raw, nil
		case !fresh && recent && ks.err != nil:
			return nil, nil, ks.err
		}
	}
	v, _, _ := c.group.Do(uri, func() (any, error) {
		// Another caller may have fetched while this one waited for the
		// lock of the group.
		c.mu.Lock()
		cur := c.remote[uri]
		c.mu.Unlock()
		if cur != ks && cur != nil && cur.err == nil {
			return cur, nil
		}
		fetchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), jwksFetchTimeout)
		defer cancel()
		next := &remoteKeySet{fetched: c.now()}
		raw, ttl, err := c.fetch(fetchCtx, uri)
		if err == nil {
			next.set, err = parseJWKS(raw)
		}
		if err != nil {
			next.err = fmt.Errorf("jwks_uri: %w", err)
			if cur != nil && cur.set != nil && next.fetched.Before(cur.expires) {
				// Still fresh: keep serving it, remembering the failure
				// so that it is not retried at once.
				kept := *cur
				kept.fetched = next.fetched
				next = &kept
			}
		} else {
			next.raw, next.expires = raw, next.fetched.Add(ttl)
		}
		c.mu.Lock()
		c.remote[uri] = next
		c.mu.Unlock()
		return next, nil
	})
	ks = v.(*remoteKeySet)
	if ks.set == nil {
		return nil, nil, ks.err
	}
	return ks.set, ks.raw, nil
}

// fetch GETs a JWKS and returns its body and how long to cache it.
func (c *clientKeySets) fetch(ctx context.Context, uri string) ([]byte, time.Duration, error) {
	if err := checkJWKSURI(uri); err != nil {
		return nil, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("answered %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxJWKSBytes+1))
	if err != nil {
		return nil, 0, err
	}
	if len(body) > MaxJWKSBytes {
		return nil, 0, fmt.Errorf("the JWKS is larger than %d bytes", MaxJWKSBytes)
	}
	return body, cacheTTL(resp.Header.Values("Cache-Control")), nil
}

// checkJWKSURI allows https URLs, and http ones to a loopback address
// (a client developed on the same machine).
func checkJWKSURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("not a URL")
	}
	switch {
	case u.Scheme == "https" && u.Host != "":
		return nil
	case u.Scheme == "http" && isLoopbackHost(u.Hostname()):
		return nil
	}
	return errors.New("only https, or http to a loopback address, is fetched")
}

func isLoopbackHost(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// newJWKSClient returns the HTTP client of jwks_uri fetches: no proxy, and
// control (jwksDialControl, or nil for none) checking every connection.
func newJWKSClient(control func(network, address string, c syscall.RawConn) error) *http.Client {
	d := &net.Dialer{Timeout: jwksFetchTimeout, Control: control}
	return &http.Client{
		Timeout: jwksFetchTimeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           d.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          16,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   jwksFetchTimeout,
			ResponseHeaderTimeout: jwksFetchTimeout,
		},
	}
}

// errPrivateAddress refuses a connection of a jwks_uri fetch to an address
// that is not public.
var errPrivateAddress = errors.New("the jwks_uri resolves to a loopback, private, link-local, unspecified or multicast address, which is not fetched")

// jwksDialControl is the net.Dialer Control of jwks_uri fetches: called
// with the resolved address of every connection, redirects' included, it
// refuses those publicAddress does not allow.
func jwksDialControl(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return errPrivateAddress
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !publicAddress(ip) {
		return errPrivateAddress
	}
	return nil
}

// publicAddress reports whether ip may be fetched from: not loopback,
// private (RFC 1918, RFC 4193), link-local, unspecified nor multicast, in
// its IPv4 or IPv4-mapped IPv6 form.
func publicAddress(ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	return ip.IsValid() && !ip.IsLoopback() && !ip.IsPrivate() && !ip.IsLinkLocalUnicast() &&
		!ip.IsLinkLocalMulticast() && !ip.IsInterfaceLocalMulticast() && !ip.IsMulticast() && !ip.IsUnspecified()
}

// sameOriginRedirects follows a few redirects to the same scheme and host
// and no others: a jwks_uri must not become a way to reach elsewhere.
func sameOriginRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= jwksMaxRedirects {
		return errors.New("too many redirects")
	}
	if first := via[0].URL; req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
		return errors.New("a redirect to another origin")
	}
	return nil
}

// cacheTTL is how long a fetched JWKS is used: its Cache-Control max-age
// (RFC 9111 §5.2.2.1) within [jwksMinTTL, jwksMaxTTL]; no-store or no-cache
// mean jwksMinTTL; jwksDefaultTTL without either.
func cacheTTL(values []string) time.Duration {
	ttl := time.Duration(-1)
	for _, v := range values {
		for d := range strings.SplitSeq(v, ",") {
			name, arg, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(name) {
			case "no-store", "no-cache":
				return jwksMinTTL
			case "max-age":
				if n, err := strconv.ParseInt(strings.Trim(arg, `"`), 10, 64); err == nil && n >= 0 {
					ttl = time.Duration(min(n, int64(jwksMaxTTL/time.Second))) * time.Second
				}
			}
		}
	}
	if ttl < 0 {
		return jwksDefaultTTL
	}
	return min(max(ttl, jwksMinTTL), jwksMaxTTL)
}

// parseJWKS parses a JWKS and keeps its public signature keys of the
// asymmetric types assertions may be signed with: RSA, EC and OKP
// (Ed25519). Keys of other types, private keys and keys whose use is not
// "sig" are left out (RFC 7517 §4.2); a set with none left is an error, as
// is a set of more than maxJWKSKeys keys or with an RSA signature key whose
// modulus is not of minRSABits to maxRSABits bits.
func parseJWKS(raw []byte) (*jose.JSONWebKeySet, error) {
	var probe struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, errors.New("not a JSON Web Key Set")
	}
	if len(probe.Keys) > maxJWKSKeys {
		return nil, fmt.Errorf("%d keys: at most %d are accepted", len(probe.Keys), maxJWKSKeys)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil, errors.New("not a JSON Web Key Set")
	}
	keys := set.Keys[:0]
	for _, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		switch pub := k.Key.(type) {
		case *rsa.PublicKey:
			if n := pub.N.BitLen(); n < minRSABits || n > maxRSABits {
				return nil, fmt.Errorf("an RSA key of %d bits: want %d to %d", n, minRSABits, maxRSABits)
			}
			keys = append(keys, k)
		case *ecdsa.PublicKey, ed25519.PublicKey:
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("no public signature key")
	}
	set.Keys = keys
	return &set, nil
}
