package signer

import (
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/vault"
)

// ActionCreateKeys is the audited action of a pool's first keys.
const ActionCreateKeys = "keys.create"

// ActionRolloverKeys is the audited action of a pool's keys rolled over to
// the pool's new signing algorithm.
const ActionRolloverKeys = "keys.rollover"

// DefaultKeyBits is the size of generated RSA keys: Cognito's.
const DefaultKeyBits = 2048

// Options configures a Signer. The zero value is ready to use.
type Options struct {
	// Now returns the current time; it defaults to time.Now. It stamps new
	// and rotated keys and decides when a retired key leaves the JWKS.
	Now func() time.Time
	// KeyBits is the size of generated RSA (RS256) keys; it defaults to
	// DefaultKeyBits. New panics if it is set below 2048 (RFC 7518 §3.3
	// requires at least 2048 bits for RS256).
	KeyBits int
	// Logger receives key creation and rotation events (kids only, never
	// key material); it defaults to slog.Default().
	Logger *slog.Logger
	// Audit, if set, records a pool's first keys, which the Signer creates
	// by itself (actor audit.System; kids only).
	Audit *audit.Sink
}

// Signer signs access tokens with a pool's active key and publishes the
// pool's keys. It is safe for concurrent use; one Signer serves every pool.
type Signer struct {
	st    tollgate.Store
	vault *vault.Vault
	now   func() time.Time
	bits  int
	log   *slog.Logger
	audit *audit.Sink

	// epoch counts Invalidate calls. A cached key set records the epoch it
	// was loaded in and is reloaded once the epoch has moved on.
	epoch atomic.Uint64

	// pools maps a pool id to its cache. It is copied on write (new pools
	// are rare) so that a lookup is one atomic load and a map read.
	pools   atomic.Pointer[map[string]*poolCache]
	poolsMu sync.Mutex // serializes writers of pools
}

// poolCache is what a Signer holds for one pool.
type poolCache struct {
	// cur is the pool's key set, nil until first loaded. Readers load it
	// without locking.
	cur atomic.Pointer[keySet]

	// mu serializes (re)loads of the pool's keys, so that concurrent misses
	// load once, and guards the maps below.
	mu sync.Mutex
	// private and public hold keys already decrypted or parsed, by kid, so
	// that a reload never decrypts or parses the same key twice. Kids that
	// leave the store are dropped on the next load.
	private map[string]*privateKey
	public  map[string]crypto.PublicKey
}

// settings are what a key set needs of its pool (tollgate.PoolOAuth), read
// when the key list is: the algorithm of its keys, and whether its tokens
// are RFC 9068 JWTs (typ at+jwt).
type settings struct {
	alg   string
	typed bool
}

// poolSettings reads the pool's settings; a pool that does not exist is
// tollgate's not-found error.
func (s *Signer) poolSettings(ctx context.Context, poolID string) (settings, error) {
	pool, err := s.st.GetPool(ctx, poolID)
	if err != nil {
		return settings{}, err
	}
	return settings{alg: pool.OAuth.Algorithm(), typed: pool.OAuth.AccessTokenJWT}, nil
}

// New returns a Signer for the keys in st, sealed and opened with v.
func New(st tollgate.Store, v *vault.Vault, opts Options) *Signer {
	if opts.KeyBits == 0 {
		opts.KeyBits = DefaultKeyBits
	}
	if opts.KeyBits < 2048 {
		panic(fmt.Sprintf("signer: KeyBits %d is below 2048", opts.KeyBits))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Signer{st: st, vault: v, now: opts.Now, bits: opts.KeyBits, log: opts.Logger, audit: opts.Audit}
	s.pools.Store(&map[string]*poolCache{})
	return s
}

// Sign returns claims, marshalled with encoding/json, as a compact JWS
// signed with the pool's active key (RFC 7515 §7.1), with the header
// {"kid":...,"alg":"RS256"} (Cognito's), "ES256" (RFC 7518 §3.4) or
// "EdDSA" (RFC 8037 §3.1) as the pool's SigningAlgorithm says, and
// "typ":"at+jwt" last when the pool's AccessTokenJWT is set (RFC 9068
// §2.1). The caller controls the claims and their order, for instance with
// a struct. If the pool has no keys yet, Sign creates them.
//
// A warm call does no store access and no allocation beyond encoding the
// token and the signature operation itself.
func (s *Signer) Sign(ctx context.Context, poolID string, claims any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("signer: marshal claims: %w", err)
	}
	ks, err := s.current(ctx, poolID, forSigning)
	if err != nil {
		return "", err
	}
	return ks.active.sign(ks.header, payload)
}

// JWKS returns the pool's JSON Web Key Set (RFC 7517 §5) as served at
// {issuer}/.well-known/jwks.json, in Cognito's shape:
//
//	{"keys":[{"alg":"RS256","e":"AQAB","kid":"...","kty":"RSA","n":"...","use":"sig"},...]}
//
// ES256 keys are {"alg":"ES256","crv":"P-256","kid","kty":"EC","use":"sig",
// "x","y"} (RFC 7518 §6.2), EdDSA keys {"alg":"EdDSA","crv":"Ed25519","kid",
// "kty":"OKP","use":"sig","x"} (RFC 8037 §2).
//
// It holds the active key, the next key and every retired key whose
// ExpiresAt is still ahead. If the pool has no keys yet, JWKS creates them,
// so that a JWKS fetched before the first token already holds the key that
// will sign it. The returned slice is shared: the caller must not modify it.
func (s *Signer) JWKS(ctx context.Context, poolID string) ([]byte, error) {
	ks, err := s.current(ctx, poolID, forPublishing)
	if err != nil {
		return nil, err
	}
	return ks.jwks, nil
}

// PublicKeys returns the public halves of the keys JWKS publishes, by kid,
// for bearer.Verify and bearer.VerifyJWT: each pinned to its algorithm and,
// when the pool issues RFC 9068 access tokens, to typ at+jwt. The map is
// shared: the caller must not modify it.
func (s *Signer) PublicKeys(ctx context.Context, poolID string) (bearer.Keys, error) {
	ks, err := s.current(ctx, poolID, forPublishing)
	if err != nil {
		return nil, err
	}
	return ks.public, nil
}

// Algorithms returns the algorithms of the keys JWKS publishes, the active
// key's first, each once: what the pool's discovery document advertises as
// its token signing algorithms. The slice is shared: the caller must not
// modify it.
func (s *Signer) Algorithms(ctx context.Context, poolID string) ([]string, error) {
	ks, err := s.current(ctx, poolID, forPublishing)
	if err != nil {
		return nil, err
	}
	return ks.algs, nil
}

// Keys returns the pool's keys as stored, oldest first, including retired
// keys that have expired but not yet been deleted (the next rotation deletes
// them). The sealed private keys are left out. Keys reads the store on every
// call and does not create keys.
func (s *Signer) Keys(ctx context.Context, poolID string) ([]tollgate.SigningKey, error) {
	keys, err := s.st.ListSigningKeys(ctx, poolID)
	if err != nil {
		return nil, err
	}
	return withoutSealed(keys), nil
}

// Invalidate makes every pool's keys reload from the store on their next
// use. The server calls it when the store's generation changes, so that a
// rotation made by another process (tollgate keys rotate) takes effect, and
// when a pool changes, so that its SigningAlgorithm and AccessTokenJWT are
// read again.
// Keys already decrypted and parsed are reused by kid.
func (s *Signer) Invalidate() { s.epoch.Add(1) }

// cache returns the pool's cache, creating it on first use.
func (s *Signer) cache(poolID string) *poolCache {
	if p, ok := (*s.pools.Load())[poolID]; ok {
		return p
	}
	s.poolsMu.Lock()
	defer s.poolsMu.Unlock()
	old := *s.pools.Load()
	if p, ok := old[poolID]; ok {
		return p
	}
	m := make(map[string]*poolCache, len(old)+1)
	for id, p := range old {
		m[id] = p
	}
	p := &poolCache{private: map[string]*privateKey{}, public: map[string]crypto.PublicKey{}}
	m[poolID] = p
	s.pools.Store(&m)
	return p
}

// purpose says what a caller of current needs the key set for.
type purpose int

const (
	// forSigning needs the active key only.
	forSigning purpose = iota
	// forPublishing needs the published keys, which also go stale when a
	// retired key expires.
	forPublishing
)

// current returns the pool's key set, loading it if it is missing or stale
// for use.
func (s *Signer) current(ctx context.Context, poolID string, use purpose) (*keySet, error) {
	p := s.cache(poolID)
	if ks := p.cur.Load(); ks != nil && s.fresh(ks, use) {
		return ks, nil
	}
	return s.reload(ctx, poolID, p, use)
}

// fresh reports whether ks may be used as it is.
func (s *Signer) fresh(ks *keySet, use purpose) bool {
	if ks.epoch != s.epoch.Load() {
		return false
	}
	return use != forPublishing || ks.refreshAt.IsZero() || s.now().Before(ks.refreshAt)
}

// reload loads the pool's keys, creating them if the pool has none. Callers
// that miss together wait for one load.
func (s *Signer) reload(ctx context.Context, poolID string, p *poolCache, use purpose) (*keySet, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ks := p.cur.Load()
	if ks != nil && s.fresh(ks, use) {
		return ks, nil // loaded by the caller we waited for
	}
	epoch := s.epoch.Load()
	var keys []tollgate.SigningKey
	var set settings
	if ks != nil && ks.epoch == epoch {
		// Only a retired key has expired: the list is current, and
		// rebuilding drops the key from the JWKS without a store round trip.
		keys, set = ks.keys, ks.settings
	} else {
		var err error
		keys, set, err = s.load(ctx, poolID, p)
		if err != nil {
			if tollgate.IsNotFound(err) {
				s.forget(poolID, p) // hold nothing for made-up or deleted pools
			}
			return nil, err
		}
	}
	ks, err := s.build(poolID, p, keys, set, epoch)
	if err != nil {
		return nil, err
	}
	p.cur.Store(ks)
	return ks, nil
}

// load reads the pool's keys and then its settings, creating the first keys
// if it has none and rolling over to keys of the pool's algorithm if its
// active key is of another. p.mu must be held.
//
// The keys are read before the pool: a process that reads keys another
// process rolled over has then read the pool setting that made it roll
// over, or a later one, so two processes never roll a pool back and forth.
func (s *Signer) load(ctx context.Context, poolID string, p *poolCache) ([]tollgate.SigningKey, settings, error) {
	keys, err := s.st.ListSigningKeys(ctx, poolID)
	if err != nil {
		return nil, settings{}, err
	}
	set, err := s.poolSettings(ctx, poolID)
	if err != nil {
		return nil, settings{}, err
	}
	switch active := activeKey(keys); {
	case active == nil:
		keys, err = s.createFirst(ctx, poolID, p, set.alg)
	case active.Algorithm != set.alg:
		keys, err = s.rollover(ctx, poolID, p, set.alg)
	}
	return keys, set, err
}

// forget drops the pool's cache if it is still p.
func (s *Signer) forget(poolID string, p *poolCache) {
	s.poolsMu.Lock()
	defer s.poolsMu.Unlock()
	old := *s.pools.Load()
	if old[poolID] != p {
		return
	}
	m := make(map[string]*poolCache, len(old))
	for id, q := range old {
		if id != poolID {
			m[id] = q
		}
	}
	s.pools.Store(&m)
}

// createFirst creates the pool's first two keys under the store's key lock,
// unless another process got there first. p.mu must be held.
//
// A JWKS request names its pool: the caller has made sure the pool exists
// (poolSettings) before CPU is spent on keys, or a flood of made-up pool ids
// would be a flood of RSA key generations.
func (s *Signer) createFirst(ctx context.Context, poolID string, p *poolCache, alg string) ([]tollgate.SigningKey, error) {
	fresh, err := s.generateN(poolID, alg, 2)
	if err != nil {
		return nil, err
	}
	var created bool
	keys, err := s.st.UpdateSigningKeys(ctx, poolID, func(current []tollgate.SigningKey) ([]tollgate.SigningKey, error) {
		if created = len(current) == 0; !created {
			return nil, nil // another process created them
		}
		now := s.now().UTC()
		return []tollgate.SigningKey{
			stamp(fresh[0].stored, tollgate.KeyActive, now),
			stamp(fresh[1].stored, tollgate.KeyNext, now),
		}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("signer: create the first keys of pool %s: %w", poolID, err)
	}
	if created {
		for _, f := range fresh {
			p.private[f.priv.kid] = f.priv
		}
		s.log.Info("created signing keys", "pool", poolID, "alg", alg, "active", fresh[0].priv.kid, "next", fresh[1].priv.kid)
		s.audit.Emit(audit.Event{Action: ActionCreateKeys, Outcome: audit.Success, Actor: audit.System, Target: audit.Target{PoolID: poolID},
			After: map[string]string{"active_kid": fresh[0].priv.kid, "next_kid": fresh[1].priv.kid}})
	}
	return keys, nil
}

// rollover replaces the pool's keys with keys of the algorithm alg, under
// the store's key lock, unless another process got there first: a new
// active key and a new next key of alg; the active key retired, published
// until tollgate.KeyRetention has passed, by when every token it signed has
// expired; the next key, which never signed, dropped. The new active key
// signs at once, before verifiers holding a cached JWKS know it: they
// refetch on its unknown kid (the gateway's own verification reads the
// keys from the store). p.mu must be held.
func (s *Signer) rollover(ctx context.Context, poolID string, p *poolCache, alg string) ([]tollgate.SigningKey, error) {
	fresh, err := s.generateN(poolID, alg, 2)
	if err != nil {
		return nil, err
	}
	var retired []string
	rolled := false
	keys, err := s.st.UpdateSigningKeys(ctx, poolID, func(current []tollgate.SigningKey) ([]tollgate.SigningKey, error) {
		retired, rolled = nil, false
		if a := activeKey(current); a == nil || a.Algorithm == alg {
			return nil, nil // another process rolled over (or the keys went: the next load creates them)
		}
		rolled = true
		now := s.now().UTC()
		out := make([]tollgate.SigningKey, 0, len(current)+2)
		for _, k := range current {
			switch k.State {
			case tollgate.KeyActive:
				k.State = tollgate.KeyRetired
				k.ExpiresAt = now.Add(tollgate.KeyRetention)
				retired = append(retired, k.KID)
			case tollgate.KeyNext:
				continue // it never signed
			case tollgate.KeyRetired:
				if !k.ExpiresAt.After(now) {
					continue
				}
			}
			out = append(out, k)
		}
		return append(out, stamp(fresh[0].stored, tollgate.KeyActive, now), stamp(fresh[1].stored, tollgate.KeyNext, now)), nil
	})
	if err != nil {
		return nil, fmt.Errorf("signer: roll the keys of pool %s over to %s: %w", poolID, alg, err)
	}
	if rolled {
		for _, f := range fresh {
			p.private[f.priv.kid] = f.priv
		}
		s.log.Info("rolled signing keys over to the pool's algorithm", "pool", poolID, "alg", alg, "active", fresh[0].priv.kid, "next", fresh[1].priv.kid, "retired", retired)
		s.audit.Emit(audit.Event{Action: ActionRolloverKeys, Outcome: audit.Success, Actor: audit.System, Target: audit.Target{PoolID: poolID},
			After: map[string]string{"alg": alg, "active_kid": fresh[0].priv.kid, "next_kid": fresh[1].priv.kid}})
	}
	return keys, nil
}

// withoutSealed returns copies of keys without their sealed private halves.
func withoutSealed(keys []tollgate.SigningKey) []tollgate.SigningKey {
	out := make([]tollgate.SigningKey, len(keys))
	for i, k := range keys {
		k.Sealed = nil
		out[i] = k
	}
	return out
}
