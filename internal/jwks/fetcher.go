package jwks

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate"
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
	// DefaultTimeout bounds one fetch.
	DefaultTimeout = 10 * time.Second
	// MaxSize is the largest key set document read; Cognito's is under
	// 1 KiB.
	MaxSize = 1 << 20
	// minRSABits is the smallest RSA modulus accepted (RFC 8725 §3.5 asks
	// for keys of adequate strength; RFC 7518 §3.3 requires 2048 bits).
	minRSABits = 2048
)

// Options configure a JWKS fetcher. The zero value is ready to use.
type Options struct {
	// Client fetches the key sets; its Timeout, if zero, is
	// DefaultTimeout.
	Client      *http.Client
	Refresh     time.Duration // default DefaultRefresh
	MinInterval time.Duration // default DefaultMinInterval
	Now         func() time.Time
	Logger      *slog.Logger
}

// Fetcher holds the public keys of external issuers (a real Cognito pool,
// Keycloak, Auth0…), fetched from their JWKS URLs (RFC 7517 §5): in the
// background when Start is called and every Refresh after, and on demand
// when a token names a kid the cached set lacks, at most once per
// MinInterval per issuer. At most one fetch per issuer is in flight at a
// time; requests that need it wait for it rather than start another.
//
// Only RSA keys usable for RS256 signatures are kept: kty "RSA", use "sig"
// or absent, alg "RS256" or absent, a kid, and a modulus of at least 2048
// bits. A failed fetch keeps the keys fetched before.
type Fetcher struct {
	client      *http.Client
	refresh     time.Duration
	minInterval time.Duration
	now         func() time.Time
	log         *slog.Logger

	sets  map[string]*remoteKeys // by issuer
	ready chan struct{}
	once  sync.Once
}

// remoteKeys is one issuer's key set.
type remoteKeys struct {
	issuer, url string
	keys        atomic.Pointer[bearer.Keys]
	fetches     atomic.Int64

	mu           sync.Mutex
	inflight     *flight   // non-nil while a fetch runs
	lastOnDemand time.Time // when the last fetch for an unknown kid started
}

// New returns a fetcher for the issuers' key sets. Nothing is fetched
// until Start, or until a token of an issuer is verified.
func New(issuers []tollgate.ExternalIssuer, opts Options) *Fetcher {
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: DefaultTimeout}
	} else if opts.Client.Timeout == 0 {
		c := *opts.Client
		c.Timeout = DefaultTimeout
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
		sets:        map[string]*remoteKeys{},
		ready:       make(chan struct{}),
	}
	for _, iss := range issuers {
		if _, ok := j.sets[iss.Issuer]; !ok {
			j.sets[iss.Issuer] = &remoteKeys{issuer: iss.Issuer, url: iss.JWKSURL}
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

// KeySet returns the issuer's keys as a bearer.KeySet that, asked for a kid
// it lacks, fetches the set again (within the rate bound) and looks once
// more. ctx bounds the wait. It is nil for an issuer j does not know.
func (j *Fetcher) KeySet(ctx context.Context, issuer string) bearer.KeySet {
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

func (k *onDemandKeys) Key(kid string) (*rsa.PublicKey, bool) {
	if pub, ok := k.s.lookup(kid); ok {
		return pub, true
	}
	// An unknown kid: the issuer may have rotated its keys. Fetch again,
	// once, if the last such fetch is old enough, or join the one in flight.
	// Whether it failed or was skipped, the lookup below tells.
	_ = k.j.fetch(k.ctx, k.s, onDemand)
	return k.s.lookup(kid)
}

func (s *remoteKeys) lookup(kid string) (*rsa.PublicKey, bool) {
	keys := s.keys.Load()
	if keys == nil {
		return nil, false
	}
	return keys.Key(kid)
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
	keys, err := j.download(ctx, s.url)
	if err != nil {
		j.log.Warn("jwks: fetch failed; keeping the keys fetched before", "issuer", s.issuer, "url", s.url, "err", err)
		return err
	}
	s.keys.Store(&keys)
	j.log.Debug("jwks: fetched", "issuer", s.issuer, "keys", len(keys))
	return nil
}

func (j *Fetcher) download(ctx context.Context, url string) (bearer.Keys, error) {
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
		return nil, fmt.Errorf("GET %s: the key set is larger than %d bytes", url, MaxSize)
	}
	keys, err := Parse(body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	return keys, nil
}

// jwk is the part of a JSON Web Key (RFC 7517 §4, RFC 7518 §6.3.1) that
// matters for RS256 verification.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// Parse returns the RS256 verification keys of a JSON Web Key Set
// (RFC 7517 §5) by kid. Keys of other types or uses, without a kid, with a
// modulus under 2048 bits or a kid seen before are skipped; a set left with
// no key is an error.
func Parse(data []byte) (bearer.Keys, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("not a JSON Web Key Set: %w", err)
	}
	keys := bearer.Keys{}
	for _, raw := range set.Keys {
		var k jwk
		if json.Unmarshal(raw, &k) != nil {
			continue // a key of a shape we do not know, e.g. an array as "use"
		}
		if k.Kty != "RSA" || k.Kid == "" || (k.Use != "" && k.Use != "sig") || (k.Alg != "" && k.Alg != "RS256") {
			continue
		}
		if _, dup := keys[k.Kid]; dup {
			continue
		}
		if pub := rsaKey(k.N, k.E); pub != nil {
			keys[k.Kid] = pub
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("the key set holds no RS256 signing key")
	}
	return keys, nil
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
