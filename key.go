package tollgate

import "time"

// KeyState is where a signing key is in its life.
type KeyState string

// A pool always has one active key and one next key. Rotation makes the next
// key active (it has been published in the JWKS since the previous rotation,
// so verifiers already know it), retires the active key and creates a new
// next key. A retired key stays in the JWKS until ExpiresAt, by which time
// every token it signed has expired.
const (
	KeyNext    KeyState = "next"    // published, not yet signing
	KeyActive  KeyState = "active"  // published and signing
	KeyRetired KeyState = "retired" // published until ExpiresAt, not signing
)

// SigningKey is one of a pool's token signing keys.
type SigningKey struct {
	PoolID string
	KID    string // key id: the RFC 7638 thumbprint of the public key
	// Algorithm is the key's JWS alg: AlgRS256 (RSA-2048, Cognito's),
	// AlgES256 (P-256) or AlgEdDSA (Ed25519), the pool's SigningAlgorithm
	// when the key was made. Tokens of the key verify with that alg only.
	Algorithm string
	State     KeyState
	// Public is the PKIX (DER) public key; Sealed is the PKCS #8 (DER)
	// private key encrypted under the master key. The private key is never
	// stored in the clear.
	Public    []byte
	Sealed    []byte
	CreatedAt time.Time
	// ActivatedAt is when the key began signing (zero while next).
	ActivatedAt time.Time
	// ExpiresAt is when a retired key leaves the JWKS (zero otherwise).
	ExpiresAt time.Time
}

// String never shows key material.
func (k SigningKey) String() string {
	return "SigningKey(" + k.PoolID + "/" + k.KID + ", " + string(k.State) + ")"
}

// KeyRetention is how long a signing key stays published after it stops
// signing: the longest access-token lifetime any client may have (one day),
// plus a margin for clock skew between Tollgate and the verifiers. It does
// not depend on the pool's clients of the moment, since a client whose
// validity was shortened, or that was deleted, may still hold tokens the
// key signed under the old lifetime; one extra key in the JWKS for a day
// costs nothing.
const KeyRetention = 24*time.Hour + 5*time.Minute

// RevokedToken is an access token revoked before its expiry (RFC 7009). It is
// kept until ExpiresAt, after which the token is dead anyway.
type RevokedToken struct {
	JTI       string
	PoolID    string
	ClientID  string
	ExpiresAt time.Time
	RevokedAt time.Time
}
