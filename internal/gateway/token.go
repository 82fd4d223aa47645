package gateway

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"time"
	"unsafe"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
)

// tokenVerifier is what differs between the Cognito and the JWT
// authorizer once a token is read: how it is verified (Authorizer.verify,
// JWTAuthorizer.verify). It returns the claims, or nil and the refusal.
type tokenVerifier interface {
	verify(ctx context.Context, tok string, now time.Time) (*bearer.Claims, Result)
}

// verifiedToken is the first half of a token authorizer's decision, the
// same for the Cognito and the JWT authorizer: the token of the identity
// source header, its verification from c (nil: no cache) under the
// authorizer's identity, or else vf's, kept in c. v is nil, with the
// refusal, when there is no token, it is too long, the cache knows it
// expired, or vf refuses it; cached tells whether v came from c.
func verifiedToken(ctx context.Context, header string, c *Cache, ident uint64, now time.Time, vf tokenVerifier) (v *verified, cached bool, refused Result) {
	t, refused, ok := lookupToken(header, c, ident, now)
	if !ok {
		return nil, false, refused
	}
	if t.v != nil {
		return t.v, true, Result{}
	}
	claims, res := vf.verify(ctx, t.tok, t.now)
	if claims == nil {
		return nil, false, res
	}
	return t.store(c, claims), false, Result{}
}

// tokenLookup is the first half of an authorizer's decision, the same for
// the Cognito and the JWT authorizer: the token of the identity source
// header and its cached verification.
type tokenLookup struct {
	tok string
	now time.Time
	key cacheKey
	v   *verified // the cached verification, or nil
}

// lookupToken reads the token of an identity source header (raw or after
// "Bearer ") and looks its verification up in c (nil: no cache) under the
// authorizer's identity. ok is false, with the refusal, when there is no
// token, it is too long, or the cache knows it expired.
func lookupToken(header string, c *Cache, ident uint64, now time.Time) (t tokenLookup, refused Result, ok bool) {
	t.tok, t.now = tokenFromHeader(header), now
	if t.tok == "" {
		return t, Result{Reason: "no token"}, false
	}
	if len(t.tok) > bearer.MaxTokenSize {
		return t, Result{Reason: "token longer than bearer.MaxTokenSize"}, false
	}
	if c != nil {
		// The token is only read: hashing it in place spares a copy of a
		// kilobyte on every request.
		t.key = cacheKey{authz: ident, sum: sha256.Sum256(unsafe.Slice(unsafe.StringData(t.tok), len(t.tok)))} //nolint:gosec // read-only view of an immutable string
		switch v, res := c.get(t.key, now); res {
		case cacheHit:
			t.v = v
		case cacheExpired:
			return t, Result{Decision: Expired, Cached: true, Reason: "token expired"}, false
		}
	}
	return t, Result{}, true
}

// store returns the verification of freshly verified claims, kept in c
// (nil: no cache) under the token's key.
func (t *tokenLookup) store(c *Cache, claims *bearer.Claims) *verified {
	v := newVerified(claims)
	if c != nil {
		c.put(t.key, v, t.now)
	}
	return v
}

// poolKeys returns a local pool's keys, or nil and the refusal: the pool
// was deleted, and its keys with it (its tokens are refused as tokens of no
// known key), or its keys cannot be read (the authorizer fails).
func poolKeys(ctx context.Context, ks KeySource, pool string) (bearer.Keys, Result) {
	m, err := ks.PublicKeys(ctx, pool)
	if tollgate.IsNotFound(err) {
		return nil, Result{Reason: "pool " + pool + " no longer exists"}
	}
	if err != nil {
		return nil, Result{Decision: Failed, Reason: "keys of pool " + pool + ": " + err.Error()}
	}
	if m == nil {
		m = map[string]*rsa.PublicKey{} // a pool without keys: no token passes
	}
	return m, Result{}
}
