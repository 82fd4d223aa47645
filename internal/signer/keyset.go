package signer

import (
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/tollgate/tollgate"
)

// keySet is a pool's keys as loaded, ready for the hot path. It is never
// modified once published through poolCache.cur.
type keySet struct {
	epoch uint64                // the Signer's epoch when the list was read
	keys  []tollgate.SigningKey // the list as stored, to rebuild from
	// active signs tokens.
	active *privateKey
	// public holds the published keys by kid; jwks is their JSON.
	public map[string]*rsa.PublicKey
	jwks   []byte
	// refreshAt is when the earliest published retired key expires and the
	// set must be rebuilt without it; zero when no retired key is published.
	refreshAt time.Time
}

// build makes a key set from the stored keys, reusing keys already opened
// or parsed and opening or parsing the others once. p.mu must be held.
func (s *Signer) build(poolID string, p *poolCache, keys []tollgate.SigningKey, epoch uint64) (*keySet, error) {
	now := s.now()
	ks := &keySet{epoch: epoch, keys: keys, public: make(map[string]*rsa.PublicKey, len(keys))}

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
	ks.active = priv
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
		ks.public[k.KID] = pub
		published = append(published, k)
	}
	// Active first, then next, then retired: the order verifiers that try
	// keys in turn (rather than by kid) would want.
	slices.SortStableFunc(published, func(a, b tollgate.SigningKey) int { return stateRank(a.State) - stateRank(b.State) })
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

func hasActive(keys []tollgate.SigningKey) bool { return activeKey(keys) != nil }

// jwk is one key of a JWKS with exactly Cognito's members, in Cognito's
// order (RFC 7517 §4, RFC 7518 §6.3.1).
type jwk struct {
	Alg string `json:"alg"`
	E   string `json:"e"`
	KID string `json:"kid"`
	Kty string `json:"kty"`
	N   string `json:"n"`
	Use string `json:"use"`
}

// marshalJWKS renders the published keys as a JWKS.
func marshalJWKS(keys []tollgate.SigningKey, public map[string]*rsa.PublicKey) ([]byte, error) {
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: make([]jwk, 0, len(keys))}
	for _, k := range keys {
		pub := public[k.KID]
		set.Keys = append(set.Keys, jwk{
			Alg: k.Algorithm,
			// RFC 7518 §6.3.1: unsigned big-endian, minimal length, base64url.
			E:   b64.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
			KID: k.KID,
			Kty: "RSA",
			N:   b64.EncodeToString(pub.N.Bytes()),
			Use: "sig",
		})
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
