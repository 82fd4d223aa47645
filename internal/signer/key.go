package signer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
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

// b64 is the base64url encoding without padding that JWS uses throughout
// (RFC 7515 §2).
var b64 = base64.RawURLEncoding

// privateKey is a decrypted, parsed signing key ready to sign.
type privateKey struct {
	kid string
	alg string // tollgate.AlgRS256, AlgES256 or AlgEdDSA
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
	ed  ed25519.PrivateKey
	// sigLen is the length of the JWS signature the key makes.
	sigLen int
	// header and typedHeader are the encoded protected headers followed by
	// the '.' that ends them: the constant prefix of every token this key
	// signs, without and with typ "at+jwt".
	header, typedHeader string
}

// newPrivateKey wraps a parsed private key of the given alg, which must be
// of its type (generate and open see to it).
func newPrivateKey(kid, alg string, priv crypto.Signer) *privateKey {
	k := &privateKey{kid: kid, alg: alg}
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		p.Precompute() // a no-op for keys from GenerateKey or x509 (Go ≥ 1.24)
		k.rsa, k.sigLen = p, p.Size()
	case *ecdsa.PrivateKey:
		k.ec, k.sigLen = p, 2*ecSize
	case ed25519.PrivateKey:
		k.ed, k.sigLen = p, ed25519.SignatureSize
	default:
		panic(fmt.Sprintf("signer: key of type %T", priv))
	}
	k.header = encodeHeader(kid, alg, "")
	k.typedHeader = encodeHeader(kid, alg, tollgate.AccessTokenJWTType)
	return k
}

// encodeHeader returns the encoded protected header and its '.'. The header
// has kid before alg: Cognito's exact header for RS256 without typ; typ,
// when set, comes last (RFC 9068 §2.1). The kid is a base64url thumbprint,
// so it needs no JSON escaping, but let encoding/json decide rather than
// assume.
func encodeHeader(kid, alg, typ string) string {
	h, err := json.Marshal(struct {
		KID string `json:"kid"`
		Alg string `json:"alg"`
		Typ string `json:"typ,omitempty"`
	}{kid, alg, typ})
	if err != nil {
		panic("signer: marshal header: " + err.Error()) // cannot happen for three strings
	}
	return b64.EncodeToString(h) + "."
}

// ecSize is the length of a P-256 coordinate and of each of an ES256
// signature's R and S (RFC 7518 §3.4).
const ecSize = 32

// sign returns the compact serialization (RFC 7515 §7.1) of a JWS over
// payload: BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(signature),
// where header is the key's header or typedHeader, encoded with its '.'. It
// makes one allocation of its own for the token, beside what the signature
// operation allocates and the final string.
func (k *privateKey) sign(header string, payload []byte) (string, error) {
	hl := len(header)
	pl := b64.EncodedLen(len(payload))
	buf := make([]byte, hl+pl+1+b64.EncodedLen(k.sigLen))
	copy(buf, header)
	b64.Encode(buf[hl:], payload)
	input := buf[:hl+pl]
	var sig []byte
	var err error
	switch {
	case k.rsa != nil:
		digest := sha256.Sum256(input)
		sig, err = rsa.SignPKCS1v15(nil, k.rsa, crypto.SHA256, digest[:])
	case k.ec != nil:
		digest := sha256.Sum256(input)
		var der []byte
		if der, err = ecdsa.SignASN1(rand.Reader, k.ec, digest[:]); err == nil {
			var raw [2 * ecSize]byte
			if !rawECDSA(der, raw[:]) {
				err = errors.New("malformed ECDSA signature")
			}
			sig = raw[:]
		}
	default:
		// Ed25519 signs the message itself, not a digest (RFC 8032 §5.1.6,
		// RFC 8037 §3.1).
		sig = ed25519.Sign(k.ed, input)
	}
	if err != nil {
		return "", fmt.Errorf("signer: sign with key %s: %w", k.kid, err)
	}
	buf[hl+pl] = '.'
	b64.Encode(buf[hl+pl+1:], sig)
	return string(buf), nil
}

// rawECDSA writes the ASN.1 DER ECDSA-Sig-Value der (SEQUENCE { r INTEGER,
// s INTEGER }, RFC 3279 §2.2.3) as JWS wants it: R and S as unsigned
// big-endian integers of exactly len(out)/2 bytes each, concatenated (RFC
// 7518 §3.4). It reports false for anything but such a sequence with
// integers that fit. ecdsa.SignASN1 wrote der, so only the short length
// form can occur (a P-256 signature is at most 72 bytes).
func rawECDSA(der []byte, out []byte) bool {
	n := len(out) / 2
	if len(der) < 2 || der[0] != 0x30 || int(der[1]) != len(der)-2 || der[1] >= 0x80 {
		return false
	}
	rest := der[2:]
	for i := range 2 {
		if len(rest) < 2 || rest[0] != 0x02 || rest[1] >= 0x80 || int(rest[1]) > len(rest)-2 {
			return false
		}
		v := rest[2 : 2+int(rest[1])]
		rest = rest[2+int(rest[1]):]
		for len(v) > 0 && v[0] == 0 {
			v = v[1:]
		}
		if len(v) > n {
			return false
		}
		dst := out[i*n : (i+1)*n]
		clear(dst[:n-len(v)])
		copy(dst[n-len(v):], v)
	}
	return len(rest) == 0
}

// thumbprint returns the RFC 7638 SHA-256 thumbprint of pub, base64url
// encoded: the key's kid.
func thumbprint(pub crypto.PublicKey) (string, error) {
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

// generate creates a fresh key of the algorithm alg (tollgate.AlgRS256,
// AlgES256 or AlgEdDSA), with no state or times yet: the caller stamps them
// (see stamp) when it knows where the key goes. It returns the stored form
// and the parsed private key, so that the process that created a key never
// has to decrypt it.
//
// Generating an RSA key takes tens of milliseconds, so callers generate
// before taking the store's key lock, which on SQLite holds the database's
// only write lock.
func (s *Signer) generate(poolID, alg string) (tollgate.SigningKey, *privateKey, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case tollgate.AlgRS256:
		priv, err = rsa.GenerateKey(rand.Reader, s.bits)
	case tollgate.AlgES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case tollgate.AlgEdDSA:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		return tollgate.SigningKey{}, nil, fmt.Errorf("signer: unsupported signing algorithm %q", alg)
	}
	if err != nil {
		return tollgate.SigningKey{}, nil, fmt.Errorf("signer: generate key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return tollgate.SigningKey{}, nil, fmt.Errorf("signer: marshal public key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return tollgate.SigningKey{}, nil, fmt.Errorf("signer: marshal private key: %w", err)
	}
	kid, err := thumbprint(priv.Public())
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
	return k, newPrivateKey(kid, alg, priv), nil
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

// generateN generates n keys of the algorithm alg for the pool.
func (s *Signer) generateN(poolID, alg string, n int) ([]freshKey, error) {
	out := make([]freshKey, n)
	for i := range out {
		k, priv, err := s.generate(poolID, alg)
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
	priv, ok := parsed.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("signer: signing key %s of pool %s: not a signing key (%T)", k.KID, k.PoolID, parsed)
	}
	pub, err := parsePublic(k)
	if err != nil {
		return nil, err
	}
	if eq, ok := priv.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(pub) {
		return nil, fmt.Errorf("signer: signing key %s of pool %s: private key does not match the stored public key", k.KID, k.PoolID)
	}
	return newPrivateKey(k.KID, k.Algorithm, priv), nil
}

// wrongKeyError lets errors.Is match both ErrWrongMasterKey and the vault's
// own error.
type wrongKeyError struct{ vaultErr error }

func (e wrongKeyError) Error() string   { return ErrWrongMasterKey.Error() }
func (e wrongKeyError) Unwrap() []error { return []error{ErrWrongMasterKey, e.vaultErr} }

// parsePublic parses a stored key's public half, checks that it is a key
// of the stored algorithm (RSA of at least 2048 bits for RS256, P-256 for
// ES256, Ed25519 for EdDSA) and that its thumbprint is the stored kid, so
// that a row edited by hand cannot publish one key under another's id or
// algorithm.
func parsePublic(k tollgate.SigningKey) (crypto.PublicKey, error) {
	parsed, err := x509.ParsePKIXPublicKey(k.Public)
	if err != nil {
		return nil, fmt.Errorf("signer: signing key %s of pool %s: parse public key: %w", k.KID, k.PoolID, err)
	}
	var fits bool
	switch pub := parsed.(type) {
	case *rsa.PublicKey:
		fits = k.Algorithm == tollgate.AlgRS256 && pub.N.BitLen() >= 2048
	case *ecdsa.PublicKey:
		fits = k.Algorithm == tollgate.AlgES256 && pub.Curve == elliptic.P256()
	case ed25519.PublicKey:
		fits = k.Algorithm == tollgate.AlgEdDSA
	}
	if !fits {
		return nil, fmt.Errorf("signer: signing key %s of pool %s: a %T is not a key for algorithm %q", k.KID, k.PoolID, parsed, k.Algorithm)
	}
	kid, err := thumbprint(parsed)
	if err != nil {
		return nil, fmt.Errorf("signer: signing key %s of pool %s: thumbprint: %w", k.KID, k.PoolID, err)
	}
	if kid != k.KID {
		return nil, fmt.Errorf("signer: signing key %s of pool %s: kid is not the key's thumbprint", k.KID, k.PoolID)
	}
	return parsed, nil
}
