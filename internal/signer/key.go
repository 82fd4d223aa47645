package signer

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate"
)

// alg is the only JWS algorithm this package signs with (RFC 7518 §3.3), as
// Cognito does.
const alg = "RS256"

// b64 is the base64url encoding without padding that JWS uses throughout
// (RFC 7515 §2).
var b64 = base64.RawURLEncoding

// privateKey is a decrypted, parsed signing key ready to sign.
type privateKey struct {
	kid  string
	priv *rsa.PrivateKey
	// header is the encoded protected header followed by the '.' that ends
	// it: the constant prefix of every token this key signs.
	header string
}

func newPrivateKey(kid string, priv *rsa.PrivateKey) *privateKey {
	priv.Precompute() // a no-op for keys from GenerateKey or x509 (Go ≥ 1.24)
	// The header has kid before alg and no typ: Cognito's exact header. The
	// kid is a base64url thumbprint, so it needs no JSON escaping, but let
	// encoding/json decide rather than assume.
	h, err := json.Marshal(struct {
		KID string `json:"kid"`
		Alg string `json:"alg"`
	}{kid, alg})
	if err != nil {
		panic("signer: marshal header: " + err.Error()) // cannot happen for two strings
	}
	return &privateKey{kid: kid, priv: priv, header: b64.EncodeToString(h) + "."}
}

// sign returns the compact serialization (RFC 7515 §7.1) of a JWS over
// payload: BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(signature).
// It makes one allocation of its own for the token, beside the signature the
// RSA operation returns and the final string.
func (k *privateKey) sign(payload []byte) (string, error) {
	hl := len(k.header)
	pl := b64.EncodedLen(len(payload))
	buf := make([]byte, hl+pl+1+b64.EncodedLen(k.priv.Size()))
	copy(buf, k.header)
	b64.Encode(buf[hl:], payload)
	digest := sha256.Sum256(buf[:hl+pl])
	sig, err := rsa.SignPKCS1v15(nil, k.priv, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("signer: sign with key %s: %w", k.kid, err)
	}
	buf[hl+pl] = '.'
	b64.Encode(buf[hl+pl+1:], sig)
	return string(buf), nil
}

// thumbprint returns the RFC 7638 SHA-256 thumbprint of pub, base64url
// encoded: the key's kid.
func thumbprint(pub *rsa.PublicKey) (string, error) {
	t, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return b64.EncodeToString(t), nil
}

// sealAAD binds a sealed private key to its pool and kid, as
// tollgate.SealedValue states it for every sealed value, so that a master
// key rotation re-seals it bound the same way.
func sealAAD(poolID, kid string) []byte {
	return (&tollgate.SealedValue{Kind: tollgate.SealedSigningKey, Owner: poolID, ID: kid}).AAD()
}

// generate creates a fresh key, with no state or times yet: the caller
// stamps them (see stamp) when it knows where the key goes. It returns the
// stored form and the parsed private key, so that the process that created
// a key never has to decrypt it.
//
// Generating an RSA key takes tens of milliseconds, so callers generate
// before taking the store's key lock, which on SQLite holds the database's
// only write lock.
func (s *Signer) generate(poolID string) (tollgate.SigningKey, *privateKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, s.bits)
	if err != nil {
		return tollgate.SigningKey{}, nil, fmt.Errorf("signer: generate key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return tollgate.SigningKey{}, nil, fmt.Errorf("signer: marshal public key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return tollgate.SigningKey{}, nil, fmt.Errorf("signer: marshal private key: %w", err)
	}
	kid, err := thumbprint(&priv.PublicKey)
	if err != nil {
		return tollgate.SigningKey{}, nil, fmt.Errorf("signer: thumbprint: %w", err)
	}
	sealed := s.vault.Seal(der, sealAAD(poolID, kid))
	clear(der)
	k := tollgate.SigningKey{
		PoolID:    poolID,
		KID:       kid,
		Algorithm: alg,
		Public:    pub,
		Sealed:    sealed,
	}
	return k, newPrivateKey(kid, priv), nil
}

// stamp returns k created now in the given state.
func stamp(k tollgate.SigningKey, state tollgate.KeyState, now time.Time) tollgate.SigningKey {
	k.State = state
	k.CreatedAt = now
	if state == tollgate.KeyActive {
		k.ActivatedAt = now
	}
	return k
}

// freshKey is a generated key waiting to be stored.
type freshKey struct {
	stored tollgate.SigningKey
	priv   *privateKey
}

// generateN generates n keys for the pool.
func (s *Signer) generateN(poolID string, n int) ([]freshKey, error) {
	out := make([]freshKey, n)
	for i := range out {
		k, priv, err := s.generate(poolID)
		if err != nil {
			return nil, err
		}
		out[i] = freshKey{k, priv}
	}
	return out, nil
}

// ErrWrongMasterKey is wrapped by the error returned when a pool's sealed
// signing key does not open under the vault's master key. It also matches
// vault.ErrWrongKey with errors.Is.
var ErrWrongMasterKey = errors.New("the master key does not match the one the signing keys were sealed with (or the sealed key is corrupted)")

// open decrypts and parses a stored key's private half, and checks that it
// belongs to the stored public half and kid.
func (s *Signer) open(k tollgate.SigningKey) (*privateKey, error) {
	der, err := s.vault.Open(k.Sealed, sealAAD(k.PoolID, k.KID))
	if err != nil {
		return nil, fmt.Errorf("signer: cannot open signing key %s of pool %s: %w", k.KID, k.PoolID, wrongKeyError{err})
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	clear(der)
	if err != nil {
		return nil, fmt.Errorf("signer: signing key %s of pool %s: parse private key: %w", k.KID, k.PoolID, err)
	}
	priv, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("signer: signing key %s of pool %s: not an RSA key (%T)", k.KID, k.PoolID, parsed)
	}
	pub, err := parsePublic(k)
	if err != nil {
		return nil, err
	}
	if !priv.PublicKey.Equal(pub) {
		return nil, fmt.Errorf("signer: signing key %s of pool %s: private key does not match the stored public key", k.KID, k.PoolID)
	}
	return newPrivateKey(k.KID, priv), nil
}

// wrongKeyError lets errors.Is match both ErrWrongMasterKey and the vault's
// own error.
type wrongKeyError struct{ vaultErr error }

func (e wrongKeyError) Error() string   { return ErrWrongMasterKey.Error() }
func (e wrongKeyError) Unwrap() []error { return []error{ErrWrongMasterKey, e.vaultErr} }

// parsePublic parses a stored key's public half and checks that its
// thumbprint is the stored kid, so that a row edited by hand cannot publish
// one key under another's id.
func parsePublic(k tollgate.SigningKey) (*rsa.PublicKey, error) {
	if k.Algorithm != alg {
		return nil, fmt.Errorf("signer: signing key %s of pool %s: unsupported algorithm %q", k.KID, k.PoolID, k.Algorithm)
	}
	parsed, err := x509.ParsePKIXPublicKey(k.Public)
	if err != nil {
		return nil, fmt.Errorf("signer: signing key %s of pool %s: parse public key: %w", k.KID, k.PoolID, err)
	}
	pub, ok := parsed.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("signer: signing key %s of pool %s: not an RSA key (%T)", k.KID, k.PoolID, parsed)
	}
	kid, err := thumbprint(pub)
	if err != nil {
		return nil, fmt.Errorf("signer: signing key %s of pool %s: thumbprint: %w", k.KID, k.PoolID, err)
	}
	if kid != k.KID {
		return nil, fmt.Errorf("signer: signing key %s of pool %s: kid is not the key's thumbprint", k.KID, k.PoolID)
	}
	return pub, nil
}
