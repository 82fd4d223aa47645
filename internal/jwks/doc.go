// Package jwks fetches and keeps the public keys of external token issuers
// (a real Cognito user pool, Keycloak, Auth0…), for the gateway's
// authorizers: from their JWKS URLs (RFC 7517 §5) or, for an issuer given
// without one (a JWT authorizer's), by OpenID discovery: the issuer's
// /.well-known/openid-configuration, whose issuer must be the configured
// one exactly and whose jwks_uri must be https (http only when the issuer
// itself is an http URL on a literal loopback host: localhost, 127.0.0.0/8
// or ::1; a redirect is held to the same rule). It
// fetches in the background and on demand when a token names an unknown
// kid, at a bounded rate per issuer, with API Gateway's bounds (1.5 s, at
// most 150,000 bytes a document), keeping RSA keys of at least 2048 bits
// and ECDSA keys on P-256, P-384 and P-521. Local pools' keys never come
// through here: the signer holds them (Options.Local names their issuers).
// Options.Previous carries the key sets of the fetcher in service over a
// config reload, so that an issuer down at that moment costs nothing.
//
// jwks imports the root package, internal/bearer (the key set types it
// returns), internal/apigw (the rule of the URLs Tollgate fetches from,
// CheckFetchURL, and CheckFetchedURL for a URL a fetch led to) and the
// standard library. It must not import the gateway,
// the store or any other adapter: the gateway builds a Fetcher from the
// issuers its authorizers name.
package jwks
