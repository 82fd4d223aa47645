// Package signer owns a user pool's token signing keys: it generates them,
// seals their private halves under the master key, rotates them, signs
// access tokens with the active key, and publishes the public halves as the
// pool's JSON Web Key Set.
//
// # Keys
//
// Every pool has one active key (signing) and one next key (published, not
// yet signing), as Cognito's JWKS always holds two keys. Rotation makes the
// next key active, retires the active key and creates a new next key; a
// retired key stays published until its ExpiresAt, by which time every token
// it signed has expired. Because the new active key has been in the JWKS
// since the previous rotation, verifiers that cache the JWKS already know it
// (RFC 7517 §5; the rotation scheme of OpenID Connect Core §10.1.1).
//
// A pool's keys are of its SigningAlgorithm (tollgate.PoolOAuth): RSA-2048
// signing RS256 (RFC 7518 §3.3), Cognito's and the default; P-256 signing
// ES256 (§3.4, the signature R||S); or Ed25519 signing EdDSA (RFC 8037
// §3.1). When the pool's algorithm is not its active key's, the next load
// of the pool's keys rolls over at once, under the store's key lock like
// the first keys: a new active and next key of the new algorithm, the
// active key retired and published for tollgate.KeyRetention, the next key
// (which never signed) dropped. A pool with AccessTokenJWT signs with typ
// "at+jwt" in the header (RFC 9068 §2.1), and PublicKeys pins its keys to
// that typ for verifiers. The pool's settings are read with its key list,
// so Invalidate, which the server calls on a pool change, brings them in.
// A key's id is its RFC 7638 JWK thumbprint (SHA-256, base64url). The private key is stored as
// PKCS #8 DER sealed by internal/vault with the associated data
// "{poolID}/{kid}", so a sealed key copied to another row or pool does not
// open; the public key is stored as PKIX DER.
//
// The first keys of a pool are created lazily, by the first Sign, JWKS or
// Rotate call, under the store's per-pool key lock
// (tollgate.Store.UpdateSigningKeys), so that they are created exactly once
// however many processes share the store.
//
// # Hot path
//
// Sign runs on every token request. The parsed private key and the encoded
// JWS headers (with and without typ) are cached per pool with the pool's
// settings; a warm Sign reads two atomic pointers and does no store access,
// so its cost is the signature operation plus JSON and base64 encoding. Tokens are assembled by hand rather than with go-jose's
// Signer because Cognito's header has kid before alg, and go-jose marshals
// the header from a map, which orders alg first (RFC 7515 §7.1 defines the
// compact serialization this package writes).
//
// The cache is coherent with the store through Invalidate, which the server
// calls when the store's generation changes: the next call reloads the key
// list but reuses keys already decrypted and parsed, by kid.
//
// # Imports
//
// signer imports the root package, internal/vault, internal/audit (a
// pool's first keys, which it creates by itself, are an audit event of the
// system), internal/bearer (PublicKeys returns bearer.Keys, the keys pinned
// to their alg and typ) and go-jose (for RFC 7638 thumbprints). It must not import other adapters (the token endpoint, the
// gateway, the store implementations); internal/server wires it to them.
package signer
