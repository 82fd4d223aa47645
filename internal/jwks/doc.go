// Package jwks fetches and keeps the public keys of external token issuers
// (a real Cognito user pool, Keycloak, Auth0…) from their JWKS URLs
// (RFC 7517 §5), for the gateway's Cognito authorizer: in the background
// and on demand when a token names an unknown kid, at a bounded rate per
// issuer, keeping only RSA keys usable for RS256 of at least 2048 bits.
// Local pools' keys never come through here: the signer holds them.
//
// jwks imports the root package, internal/bearer (the key set type it
// returns) and the standard library. It must not import the gateway, the
// store or any other adapter: the gateway builds a Fetcher from the
// issuers its authorizers name.
package jwks
