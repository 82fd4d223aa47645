package jwks

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/apigw"
	"github.com/tollgate/tollgate/internal/bearer"
)

// Defaults of the JWKS fetcher.
const (
	// DefaultRefresh is how often external key sets are fetched again.
	DefaultRefresh = 10 * time.Minute
	// DefaultMinInterval is the least time between two fetches of one
	// issuer's key set caused by tokens with an unknown kid, so that a
	// stream of forged kids cannot make Tollgate hammer an issuer.
	DefaultMinInterval = 30 * time.Second
	// DefaultTimeout bounds one fetch of a discovery document or a key
	// set: API Gateway's JWKS fetch timeout, 1,500 ms (limits.md, "JWT
	// authorizer"; contract apigw-beyond.md §4.3).
	DefaultTimeout = 1500 * time.Millisecond
	// MaxSize is the largest discovery document or key set read: API
	// Gateway's JWKS size limit, 150,000 bytes (same sources). Cognito's key
	// set is under 1 KiB.
	MaxSize = 150000
	// WellKnown is what OpenID discovery appends to an issuer (OpenID
	// Connect Discovery 1.0 §4).
	WellKnown = "/.well-known/openid-configuration"
	// minRSABits is the smallest RSA modulus accepted (RFC 8725 §3.5 asks
	// for keys of adequate strength; RFC 7518 §3.3 requires 2048 bits).
	minRSABits = 2048
)

// Options configure a JWKS fetcher. The zero value is ready to use.
type Options struct {
	// Client fetches the key sets; its Timeout, if zero, is
	// DefaultTimeout, and its CheckRedirect, if nil, follows at most 3
	// redirects, each to a URL apigw.CheckFetchedURL accepts (https, unless
	// the configured URL was http on loopback).
	Client      *http.Client
	Refresh     time.Duration // default DefaultRefresh
	MinInterval time.Duration // default DefaultMinInterval
	Now         func() time.Time
	Logger      *slog.Logger
	// Local, if set, names the issuers whose keys come from elsewhere (a
	// pool of this Tollgate, whose keys the signer holds): they are never
	// fetched. It is called when a fetch is due, not by New, so that a
	// server may build the fetcher before it knows its issuer URLs.
	Local func(issuer string) bool
	// Previous, if set, is the fetcher this one replaces (a config
	// reload): each issuer it has with the same JWKS URL (or both by
	// discovery) starts with the keys Previous holds, so that an issuer
	// down when the config changes does not make its valid tokens fail.
	// The new fetcher does not keep Previous.
	Previous *Fetcher
}

// Fetcher holds the public keys of external issuers (a real Cognito pool,
// Keycloak, Auth0…), fetched from their JWKS URLs (RFC 7517 §5): in the
// background when Start is called and every Refresh after, and on demand
// when a token names a kid the cached set lacks, at most once per
// MinInterval per issuer. At most one fetch per issuer is in flight at a
// time; requests that need it wait for it rather than start another.
//
// An issuer without a JWKS URL is found by OpenID discovery: its
// {issuer}/.well-known/openid-configuration is fetched, its issuer must be
// the configured one exactly, and its jwks_uri (https, or http on a
// loopback host when the issuer is too: apigw.CheckFetchedURL) is fetched
// in turn, on every fetch.
//
// Signing keys are kept (Parse): RSA keys of at least 2048 bits and ECDSA
// keys on P-256, P-384 or P-521. KeySet gives the RSA keys usable for
// RS256 (the Cognito authorizer's), JWTKeySet all of them (the JWT
// authorizer's). A failed fetch keeps the keys fetched before.
type Fetcher struct {
	client      *http.Client
	refresh     time.Duration
	minInterval time.Duration
	now         func() time.Time
	log         *slog.Logger
	local       func(issuer string) bool

	sets  map[string]*remoteKeys // by issuer
	ready chan struct{}
	once  sync.Once
}

// remoteKeys is one issuer's key set.
type remoteKeys struct {
	issuer, url string // url "" means discovery
	keys        atomic.Pointer[keySet]
	fetches     atomic.Int64

	mu           sync.Mutex
	inflight     *flight   // non-nil while a fetch runs
	lastOnDemand time.Time // when the last fetch for an unknown kid started
}

// keySet is one fetch's keys: all of them, and the RS256 view.
type keySet struct {
	all   bearer.JWTKeys
	rs256 bearer.Keys
}

// New returns a fetcher for the issuers' key sets: from their JWKSURL, or
// by OpenID discovery when it is "". Nothing is fetched until Start, or
// until a token of an issuer is verified.
func New(issuers []tollgate.ExternalIssuer, opts Options) *Fetcher {
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: DefaultTimeout}
	} else if opts.Client.Timeout == 0 {
		c := *opts.Client
		c.Timeout = DefaultTimeout
		opts.Client = &c
	}
	if opts.Client.CheckRedirect == nil {
		// A redirect must go where a configured URL may, and to https
		// unless the first request was http on loopback
		// (apigw.CheckFetchedURL), at most 3 hops.
		c := *opts.Client
		c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("jwks: too many redirects")
			}
			if why := apigw.CheckFetchedURL(req.URL.String(), via[0].URL.String()); why != "" {
				return errors.New("jwks: redirect to " + req.URL.Redacted() + ": " + why)
			}
			return nil
		}
		opts.Client = &c
	}
	if opts.Refresh <= 0 {
		opts.Refresh = DefaultRefresh
	}
	if opts.MinInterval <= 0 {
		opts.MinInterval = DefaultMinInterval
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	j := &Fetcher{
		client:      opts.Client,
		refresh:     opts.Refresh,
		minInterval: opts.MinInterval,
		now:         opts.Now,
		log:         opts.Logger,
		local:       opts.Local,
		sets:        map[string]*remoteKeys{},
		ready:       make(chan struct{}),
	}
	for _, iss := range issuers {
		if _, ok := j.sets[iss.Issuer]; !ok {
			j.sets[iss.Issuer] = &remoteKeys{issuer: iss.Issuer, url: iss.JWKSURL}
		}
	}
	if p := opts.Previous; p != nil {
		// A key set is immutable once stored: the two fetchers may share it.
		for iss, s := range j.sets {
			if ps := p.sets[iss]; ps != nil && ps.url == s.url {
				if ks := ps.keys.Load(); ks != nil {
					s.keys.Store(ks)
				}
			}
		}
	}
	return j
}

// Start fetches every issuer's key set in the background, then again every
// Refresh, until ctx ends. It returns at once; Ready tells when the first
// round is over. Calling it again does nothing.
func (j *Fetcher) Start(ctx context.Context) {
	j.once.Do(func() { go j.run(ctx) })
}

// Ready is closed once the first round of fetches started by Start is over,
// whether they succeeded or not.
func (j *Fetcher) Ready() <-chan struct{} { return j.ready }

func (j *Fetcher) run(ctx context.Context) {
	j.refreshAll(ctx)
	close(j.ready)
	if len(j.sets) == 0 {
		return
	}
	t := time.NewTicker(j.refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			j.refreshAll(ctx)
		}
	}
}

func (j *Fetcher) refreshAll(ctx context.Context) {
	var wg sync.WaitGroup
	for _, s := range j.sets {
		if j.local != nil && j.local(s.issuer) {
			continue
		}
		// get logs a failed fetch; the keys fetched before stay.
		wg.Go(func() { _ = j.fetch(ctx, s, scheduled) })
	}
	wg.Wait()
}

// Refresh fetches the issuer's key set now (or waits for the fetch in
// flight) and reports the error of that fetch.
func (j *Fetcher) Refresh(ctx context.Context, issuer string) error {
	s := j.sets[issuer]
	if s == nil {
		return fmt.Errorf("jwks: unknown issuer %q", issuer)
	}
	return j.fetch(ctx, s, scheduled)
}

// Fetches returns how many fetches of the issuer's key set were made.
func (j *Fetcher) Fetches(issuer string) int64 {
	if s := j.sets[issuer]; s != nil {
		return s.fetches.Load()
	}
	return 0
}

// Has reports whether j fetches the keys of issuer.
func (j *Fetcher) Has(issuer string) bool { return j.sets[issuer] != nil }

// Loaded reports whether a fetch of the issuer's key set has succeeded:
// when it has not, a token of the issuer cannot be verified, whatever it
// holds.
func (j *Fetcher) Loaded(issuer string) bool {
	s := j.sets[issuer]
	return s != nil && s.keys.Load() != nil
}

// KeySet returns the issuer's RS256 keys as a bearer.KeySet that, asked for
// a kid it lacks, fetches the set again (within the rate bound) and looks
// once more. ctx bounds the wait. It is nil for an issuer j does not know.
func (j *Fetcher) KeySet(ctx context.Context, issuer string) bearer.KeySet {
	s := j.sets[issuer]
	if s == nil {
		return nil
	}
	return &onDemandKeys{ctx: ctx, j: j, s: s}
}

// JWTKeySet is KeySet for bearer.VerifyJWT: every signing key of the
// issuer, RSA and ECDSA. It is nil for an issuer j does not know.
func (j *Fetcher) JWTKeySet(ctx context.Context, issuer string) bearer.JWTKeySet {
	s := j.sets[issuer]
	if s == nil {
		return nil
	}
	return &onDemandKeys{ctx: ctx, j: j, s: s}
}

// onDemandKeys is the KeySet of one verification.
type onDemandKeys struct {
	ctx context.Context
	j   *Fetcher
	s   *remoteKeys
}

func (k *onDemandKeys) Key(kid string) (bearer.JWTKey, bool) {
	if key, ok := k.s.lookup(kid); ok {
		return key, true
	}
	// An unknown kid: the issuer may have rotated its keys. Fetch again,
	// once, if the last such fetch is old enough, or join the one in flight.
	// Whether it failed or was skipped, the lookup below tells.
	_ = k.j.fetch(k.ctx, k.s, onDemand)
	return k.s.lookup(kid)
}

func (k *onDemandKeys) JWTKey(kid string) (bearer.JWTKey, bool) {
	if key, ok := k.s.lookupJWT(kid); ok {
		return key, true
	}
	_ = k.j.fetch(k.ctx, k.s, onDemand) // as in Key
	return k.s.lookupJWT(kid)
}

func (s *remoteKeys) lookup(kid string) (bearer.JWTKey, bool) {
	keys := s.keys.Load()
	if keys == nil {
		return bearer.JWTKey{}, false
	}
	return keys.rs256.Key(kid)
}

func (s *remoteKeys) lookupJWT(kid string) (bearer.JWTKey, bool) {
	keys := s.keys.Load()
	if keys == nil {
		return bearer.JWTKey{}, false
	}
	return keys.all.JWTKey(kid)
}

var errRateLimited = errors.New("jwks: fetched recently; not fetching again yet")

// flight is one fetch of a key set; err is set before done is closed.
type flight struct {
	done chan struct{}
	err  error
}

// fetchCause is why a key set is fetched.
type fetchCause int

const (
	scheduled fetchCause = iota // Start, Refresh, or a first use
	onDemand                    // a token with a kid the set lacks
)

// fetch fetches s's key set, or waits for the fetch in flight. An onDemand
// fetch (for an unknown kid) is skipped if the previous one started less
// than MinInterval ago. The fetch runs on its own goroutine with its own
// timeout, so that a caller giving up (ctx) does not cancel it for the
// others waiting.
func (j *Fetcher) fetch(ctx context.Context, s *remoteKeys, why fetchCause) error {
	s.mu.Lock()
	f := s.inflight
	if f == nil {
		now := j.now()
		if why == onDemand {
			if !s.lastOnDemand.IsZero() && now.Sub(s.lastOnDemand) < j.minInterval {
				s.mu.Unlock()
				return errRateLimited
			}
			s.lastOnDemand = now
		}
		f = &flight{done: make(chan struct{})}
		s.inflight = f
		go func() {
			f.err = j.get(s)
			s.mu.Lock()
			s.inflight = nil
			s.mu.Unlock()
			close(f.done)
		}()
	}
	s.mu.Unlock()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// get fetches and parses s's key set, and installs it if it holds at least
// one usable key.
func (j *Fetcher) get(s *remoteKeys) error {
	s.fetches.Add(1)
	ctx, cancel := context.WithTimeout(context.Background(), j.client.Timeout)
	defer cancel()
	url := s.url
	if url == "" {
		var err error
		if url, err = j.discover(ctx, s.issuer); err != nil {
			j.log.Warn("jwks: discovery failed; keeping the keys fetched before", "issuer", s.issuer, "err", err)
			return err
		}
	}
	keys, err := j.download(ctx, url)
	if err != nil {
		j.log.Warn("jwks: fetch failed; keeping the keys fetched before", "issuer", s.issuer, "url", url, "err", err)
		return err
	}
	set := &keySet{all: keys, rs256: bearer.Keys{}}
	for kid, k := range keys {
		if pub, ok := k.Key.(*rsa.PublicKey); ok && (k.Alg == "" || k.Alg == "RS256") {
			set.rs256[kid] = bearer.JWTKey{Key: pub, Alg: "RS256"}
		}
	}
	s.keys.Store(set)
	j.log.Debug("jwks: fetched", "issuer", s.issuer, "keys", len(keys))
	return nil
}

// DiscoveryURL returns where an issuer's OpenID configuration is: the
// issuer without a terminating slash, then WellKnown (OpenID Connect
// Discovery 1.0 §4.1).
func DiscoveryURL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + WellKnown
}

// discover fetches the issuer's OpenID configuration and returns its
// jwks_uri. The document's issuer must be the configured one exactly
// (OpenID Connect Discovery 1.0 §4.3; API Gateway requires the same of a
// JWT authorizer's issuer: API_JwtIssuerInput.html), and jwks_uri must be a
// URL Tollgate fetches from, https unless the issuer is http on loopback
// (apigw.CheckFetchedURL): an https issuer's document cannot send it to
// plain http, loopback included.
func (j *Fetcher) discover(ctx context.Context, issuer string) (string, error) {
	url := DiscoveryURL(issuer)
	body, err := j.get1(ctx, url)
	if err != nil {
		return "", err
	}
	var doc struct {
		Issuer  *string `json:"issuer"`
		JWKSURI *string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("GET %s: not an OpenID configuration: %w", url, err)
	}
	switch {
	case doc.Issuer == nil || *doc.Issuer != issuer:
		return "", fmt.Errorf("GET %s: the document's issuer is not %q", url, issuer)
	case doc.JWKSURI == nil || *doc.JWKSURI == "":
		return "", fmt.Errorf("GET %s: no jwks_uri", url)
	}
	if why := apigw.CheckFetchedURL(*doc.JWKSURI, issuer); why != "" {
		return "", fmt.Errorf("GET %s: jwks_uri %q: %s", url, *doc.JWKSURI, why)
	}
	return *doc.JWKSURI, nil
}

func (j *Fetcher) download(ctx context.Context, url string) (bearer.JWTKeys, error) {
	body, err := j.get1(ctx, url)
	if err != nil {
		return nil, err
	}
	keys, err := Parse(body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	return keys, nil
}

// get1 GETs a JSON document of at most MaxSize bytes. Unless the caller's
// client has a redirect policy of its own, a redirect to a URL that
// apigw.CheckFetchedURL refuses is not followed (New).
func (j *Fetcher) get1(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := j.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// Drain a little so the connection can be reused; the status is the error.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	if len(body) > MaxSize {
		return nil, fmt.Errorf("GET %s: the document is larger than %d bytes", url, MaxSize)
	}
	return body, nil
}

// jwk is the part of a JSON Web Key (RFC 7517 §4, RFC 7518 §6.2.1 and
// §6.3.1) that matters for RSA and ECDSA signature verification.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// ecCurves are the curves of the ES* algorithms (RFC 7518 §3.4), by crv.
var ecCurves = map[string]struct {
	curve elliptic.Curve
	alg   string
}{
	"P-256": {elliptic.P256(), "ES256"},
	"P-384": {elliptic.P384(), "ES384"},
	"P-521": {elliptic.P521(), "ES512"},
}

// Parse returns the signing keys of a JSON Web Key Set (RFC 7517 §5) by
// kid: RSA keys of at least 2048 bits with alg RS256, RS384, RS512 or none,
// and ECDSA keys on P-256, P-384 or P-521 with their curve's alg or none.
// Each keeps the alg its JWK pins. Keys of other types or uses, without a
// kid, malformed (a point off its curve), or with a kid seen before are
// skipped; a set left with no key is an error.
func Parse(data []byte) (bearer.JWTKeys, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("not a JSON Web Key Set: %w", err)
	}
	keys := bearer.JWTKeys{}
	for _, raw := range set.Keys {
		var k jwk
		if json.Unmarshal(raw, &k) != nil {
			continue // a key of a shape we do not know, e.g. an array as "use"
		}
		if k.Kid == "" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		if _, dup := keys[k.Kid]; dup {
			continue
		}
		switch k.Kty {
		case "RSA":
			if k.Alg != "" && k.Alg != "RS256" && k.Alg != "RS384" && k.Alg != "RS512" {
				continue
			}
			if pub := rsaKey(k.N, k.E); pub != nil {
				keys[k.Kid] = bearer.JWTKey{Key: pub, Alg: k.Alg}
			}
		case "EC":
			c, ok := ecCurves[k.Crv]
			if !ok || (k.Alg != "" && k.Alg != c.alg) {
				continue
			}
			if pub := ecKey(c.curve, k.X, k.Y); pub != nil {
				keys[k.Kid] = bearer.JWTKey{Key: pub, Alg: k.Alg}
			}
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("the key set holds no RSA or ECDSA signing key")
	}
	return keys, nil
}

// ecKey decodes a JWK's point (base64url coordinates of exactly the
// curve's size, RFC 7518 §6.2.1.2), or returns nil if it is not a point of
// the curve.
func ecKey(curve elliptic.Curve, x64, y64 string) *ecdsa.PublicKey {
	size := (curve.Params().BitSize + 7) / 8
	x, err := base64.RawURLEncoding.DecodeString(x64)
	if err != nil || len(x) != size {
		return nil
	}
	y, err := base64.RawURLEncoding.DecodeString(y64)
	if err != nil || len(y) != size {
		return nil
	}
	point := make([]byte, 0, 1+2*size)
	point = append(append(append(point, 4), x...), y...)
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil
	}
	return pub
}

// rsaKey decodes a JWK's modulus and exponent (base64url, big-endian,
// RFC 7518 §6.3.1), or returns nil if they do not make a usable key.
func rsaKey(n64, e64 string) *rsa.PublicKey {
	nb, err := base64.RawURLEncoding.DecodeString(n64)
	if err != nil {
		return nil
	}
	eb, err := base64.RawURLEncoding.DecodeString(e64)
	if err != nil || len(eb) == 0 || len(eb) > 4 {
		return nil
	}
	n := new(big.Int).SetBytes(nb)
	if n.BitLen() < minRSABits {
		return nil
	}
	e := 0
	for _, b := range eb {
		e = e<<8 | int(b)
	}
	if e < 3 || e%2 == 0 {
		return nil
	}
	return &rsa.PublicKey{N: n, E: e}
}
