package signer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
)

// keySet is a pool's keys as loaded, ready for the hot path. It is never
// modified once published through poolCache.cur.
type keySet struct {
	epoch uint64                // the Signer's epoch when the list was read
	keys  []tollgate.SigningKey // the list as stored, to rebuild from
	// settings are the pool's, read with the list.
	settings settings
	// active signs tokens, with header: its header, or typedHeader for a
	// pool issuing RFC 9068 access tokens.
	active *privateKey
	header string
	// public holds the published keys by kid, each pinned to its alg and,
	// for a pool issuing RFC 9068 tokens, to typ at+jwt; jwks is their JSON;
	// algs are their algorithms, the active key's first.
	public bearer.Keys
	jwks   []byte
	algs   []string
	// refreshAt is when the earliest published retired key expires and the
	// set must be rebuilt without it; zero when no retired key is published.
	refreshAt time.Time
}

// build makes a key set from the stored keys, reusing keys already opened
// or parsed and opening or parsing the others once. p.mu must be held.
func (s *Signer) build(poolID string, p *poolCache, keys []tollgate.SigningKey, set settings, epoch uint64) (*keySet, error) {
	now := s.now()
	ks := &keySet{epoch: epoch, keys: keys, settings: set, public: make(bearer.Keys, len(keys))}

	active := activeKey(keys)
	if active == nil {
		return nil, fmt.Errorf("signer: pool %s has signing keys but none is active (tollgate keys rotate makes the next key active)", poolID)
	}
	priv, ok := p.private[active.KID]
	if !ok {
		var err error
		if priv, err = s.open(*active); err != nil {
			return nil, err
		}
		p.private[active.KID] = priv
	}
	ks.active, ks.header = priv, priv.header
	if set.typed {
		ks.header = priv.typedHeader
	}
	if err := ks.publish(p, now); err != nil {
		return nil, err
	}
	p.prune(keys)
	return ks, nil
}

// publish fills ks.public, ks.jwks and ks.refreshAt from ks.keys: every key
// but the retired ones that expired by now, parsing each public key once.
func (ks *keySet) publish(p *poolCache, now time.Time) error {
	keys := ks.keys
	published := make([]tollgate.SigningKey, 0, len(keys))
	for _, k := range keys {
		if k.State == tollgate.KeyRetired {
			if !k.ExpiresAt.After(now) {
				continue // expired: its tokens are dead, so verifiers need it no more
			}
			if ks.refreshAt.IsZero() || k.ExpiresAt.Before(ks.refreshAt) {
				ks.refreshAt = k.ExpiresAt
			}
		}
		pub, ok := p.public[k.KID]
		if !ok {
			var err error
			if pub, err = parsePublic(k); err != nil {
				return err
			}
			p.public[k.KID] = pub
		}
		key := bearer.JWTKey{Key: pub, Alg: k.Algorithm}
		if ks.settings.typed {
			key.Typ = tollgate.AccessTokenJWTType
		}
		ks.public[k.KID] = key
		published = append(published, k)
	}
	// Active first, then next, then retired: the order verifiers that try
	// keys in turn (rather than by kid) would want.
	slices.SortStableFunc(published, func(a, b tollgate.SigningKey) int { return stateRank(a.State) - stateRank(b.State) })
	for _, k := range published {
		if !slices.Contains(ks.algs, k.Algorithm) {
			ks.algs = append(ks.algs, k.Algorithm)
		}
	}
	jwks, err := marshalJWKS(published, ks.public)
	if err != nil {
		return err
	}
	ks.jwks = jwks
	return nil
}

// prune forgets the opened and parsed keys that left the store.
func (p *poolCache) prune(keys []tollgate.SigningKey) {
	for kid := range p.private {
		if !slices.ContainsFunc(keys, func(k tollgate.SigningKey) bool { return k.KID == kid }) {
			delete(p.private, kid)
		}
	}
	for kid := range p.public {
		if !slices.ContainsFunc(keys, func(k tollgate.SigningKey) bool { return k.KID == kid }) {
			delete(p.public, kid)
		}
	}
}

func stateRank(st tollgate.KeyState) int {
	switch st {
	case tollgate.KeyActive:
		return 0
	case tollgate.KeyNext:
		return 1
	}
	return 2
}

// activeKey returns the key that signs: the active key, or the most
// recently activated one should there be several.
func activeKey(keys []tollgate.SigningKey) *tollgate.SigningKey {
	var active *tollgate.SigningKey
	for i := range keys {
		if keys[i].State == tollgate.KeyActive && (active == nil || keys[i].ActivatedAt.After(active.ActivatedAt)) {
			active = &keys[i]
		}
	}
	return active
}

// jwk is one key of a JWKS. Its members are in alphabetical order, which is
// Cognito's for RSA keys (RFC 7517 §4, RFC 7518 §6.3.1); an EC key has crv,
// x and y instead of e and n (RFC 7518 §6.2.1), an OKP key crv and x (RFC
// 8037 §2).
type jwk struct {
	Alg string `json:"alg"`
	Crv string `json:"crv,omitempty"`
	E   string `json:"e,omitempty"`
	KID string `json:"kid"`
	Kty string `json:"kty"`
	N   string `json:"n,omitempty"`
	Use string `json:"use"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
}

// newJWK returns the public JWK of pub.
func newJWK(kid, alg string, pub crypto.PublicKey) (jwk, error) {
	k := jwk{Alg: alg, KID: kid, Use: "sig"}
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		// RFC 7518 §6.3.1: unsigned big-endian, minimal length, base64url.
		k.Kty = "RSA"
		k.E = b64.EncodeToString(big.NewInt(int64(pub.E)).Bytes())
		k.N = b64.EncodeToString(pub.N.Bytes())
	case *ecdsa.PublicKey:
		// RFC 7518 §6.2.1.2–3: each coordinate the full size of the
		// curve's, ecSize bytes for P-256. The uncompressed point is 0x04
		// followed by X and Y at that size (SEC 1 §2.3.3).
		e, err := pub.ECDH()
		if err != nil {
			return jwk{}, err
		}
		point := e.Bytes()
		k.Kty, k.Crv = "EC", "P-256"
		k.X = b64.EncodeToString(point[1 : 1+ecSize])
		k.Y = b64.EncodeToString(point[1+ecSize:])
	case ed25519.PublicKey:
		k.Kty, k.Crv = "OKP", "Ed25519"
		k.X = b64.EncodeToString(pub)
	default:
		return jwk{}, fmt.Errorf("signer: no JWK for a %T", pub)
	}
	return k, nil
}

// marshalJWKS renders the published keys as a JWKS.
func marshalJWKS(keys []tollgate.SigningKey, public bearer.Keys) ([]byte, error) {
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: make([]jwk, 0, len(keys))}
	for _, k := range keys {
		j, err := newJWK(k.KID, k.Algorithm, public[k.KID].Key)
		if err != nil {
			return nil, fmt.Errorf("signer: signing key %s of pool %s: %w", k.KID, k.PoolID, err)
		}
		set.Keys = append(set.Keys, j)
	}
	out, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("signer: marshal JWKS: %w", err)
	}
	return out, nil
}

// JWKSMaxAge is how long verifiers may cache a pool's JWKS: the server
// sends it as the JWKS response's Cache-Control max-age.
const JWKSMaxAge = 5 * time.Minute

// PublishLead is how long a next key must have been published before a
// rotation may make it sign: a verifier that fetched the JWKS just before
// the key appeared has refetched by then (JWKSMaxAge), with a margin for
// the servers' poll interval and clock skew.
const PublishLead = JWKSMaxAge + 2*time.Minute
