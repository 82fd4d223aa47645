// Package dpop checks DPoP proofs (RFC 9449): at the token endpoint, which
// binds the token it issues to the proof's key, and at the gateway, which
// checks on every request that a DPoP-bound token comes with a fresh proof
// of that key for that request.
//
// Verifier.Verify makes the checks of RFC 9449 §4.3, in this order, and
// refuses a proof with an *Error naming the first that failed (never
// quoting the proof):
//
//  1. exactly one DPoP header (check 1), of at most MaxProofSize bytes;
//  2. a JWS in the compact serialization (check 2, RFC 7515 §7.1) whose
//     protected header is a JSON object, without crit (RFC 7515 §4.1.11:
//     no extension is understood here);
//  3. typ exactly "dpop+jwt" (check 4);
//  4. alg one of the Verifier's and asymmetric, checked before the key is
//     read (check 5, RFC 8725 §3.1): none and the MACs (HS256...) are
//     refused whatever the Verifier lists;
//  5. jwk a public key (check 6: no "d", no symmetric "oct" key) of the
//     type alg needs: RSA of 2048 bits at least for RS* and PS*, EC on
//     the alg's curve for ES*, OKP Ed25519 for EdDSA;
//  6. the signature, with that key (check 7);
//  7. the claims (check 3): jti a string of 1 to 256 bytes, htm equal to
//     the request's method (check 8), htu equal to the request's URL after
//     normalization, their queries and fragments left out (check 9,
//     RFC 3986 §6), iat after Now − MaxAge and at most Now + Skew (check
//     11), and when the request carries an access token, ath equal to
//     ATH(token) (check 10; at the token endpoint ath is ignored);
//  8. the jti not seen before with this key (RFC 9449 §11.1): the replay
//     cache records "dpop:" + jkt + ":" + jti until iat + MaxAge + Skew,
//     after which the proof's iat refuses it anyway. A cache that cannot
//     answer refuses the proof, with an error wrapping ErrReplayCache.
//
// Server-provided nonces (RFC 9449 §8 and §9, use_dpop_nonce) are not
// implemented: they are optional, and the iat window with the replay cache
// bounds how long a proof can be used.
//
// dpop imports go-jose, package replay and the standard library only: not
// net/http, the root package, or other adapters, so that it is fuzzed and
// benchmarked in isolation.
package dpop
