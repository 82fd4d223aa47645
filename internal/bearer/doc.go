// Package bearer verifies access tokens: the JWTs that the token endpoint
// issues and that the gateway's Cognito authorizer accepts (RFC 6750 bearer
// tokens, RFC 7519 JWTs).
//
// Verify applies the checks of the JWT Best Current Practices (RFC 8725)
// and those Cognito's verifiers make (awslabs/aws-jwt-verify):
//
//   - only the JWS compact serialization (RFC 7515 §7.1): no JWE, no JSON
//     serialization, no unsecured JWS, exactly one signature;
//   - alg RS256, ES256 or EdDSA, from an explicit allow-list (RFC 8725
//     §3.1), so that "none" and HS256 keyed with the public key fail;
//   - a kid naming a key of the pool (RFC 7515 §4.1.4) whose alg is the
//     token's (each key is pinned to one alg and must be of its type: an
//     RSA key never checks an ES256 signature, an EC key never an EdDSA
//     one), the typ the key's tokens carry if it names one (at+jwt for a
//     pool issuing RFC 9068 tokens: RFC 9068 §4, RFC 8725 §3.11), and the
//     signature;
//   - iss equal to an expected issuer (RFC 8725 §3.8, RFC 7519 §4.1.1);
//   - token_use "access" (Cognito's type claim; RFC 8725 §3.11's concern);
//   - exp present and ahead (RFC 7519 §4.1.4), nbf behind if present
//     (§4.1.5), iat not in the future, each within the configured leeway;
//   - client_id present;
//   - claims read by their exact names (RFC 8259 §8.3): "Scope" or
//     "ſcope" beside "scope" is another claim, never the scope; a payload
//     naming a member twice is invalid (RFC 7519 §4 allows rejecting it).
//
// VerifyJWT is the second verifier, for the gateway's JWT authorizers
// (AuthorizationType JWT): tokens of any OpenID issuer, signed with one of
// the authorizer's algorithms (RS256/384/512, ES256/384/512; never "none"
// or HMAC), with a key whose type fits the alg, iss exactly the issuer,
// aud holding one of its audiences (client_id when there is no aud, as API
// Gateway does for Cognito access tokens), exp ahead, nbf and iat not
// ahead with no skew beyond the leeway (AWS documents none), no crit
// header, claims by exact name and no repeated name, and the issuer's
// additional claims (JSON strings, exact match, required or not). It has no token_use rule: API
// Gateway's JWT authorizers have none. Its key sets (JWTKeySet) hold RSA,
// ECDSA and Ed25519 keys; Keys, a local pool's keys, is one. For a local
// pool (ExpectJWT.LocalPool), a Tollgate extension also accepts the alg
// the token's key is pinned to (ES256, EdDSA) beyond AWS's list.
//
// Scopes are checked by the caller with Claims.HasAnyScope, because which
// scopes are wanted depends on the route.
//
// An expired token fails with ErrExpired (API Gateway answers "The incoming
// token has expired"); every other failure is ErrInvalid. Errors carry a
// reason meant for logs, never for the client.
//
// bearer is pure: it imports go-jose and the standard library only (the
// root package is allowed but not needed). It must not import the store,
// net/http or other adapters; callers hand it the keys (for example
// signer.PublicKeys, converted with bearer.Keys) and the expectations, so
// that it is fuzzed and benchmarked in isolation.
package bearer
