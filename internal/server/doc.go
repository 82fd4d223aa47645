// Package server is the one place where Tollgate's adapters are wired
// together: the store, the catalog (the hot path's in-memory view of it),
// the signer, the token endpoint and the discovery documents, the HTTP and
// TLS listeners, and graceful shutdown.
//
// Routing by host: a request whose Host is one of a pool's domains (the
// Cognito-style "{prefix}.auth.{region}.{base domain}" or a custom domain)
// is served as that pool's auth domain. Every pool is also reachable without
// DNS on any host, by path: /{poolId}/.well-known/jwks.json and
// /{poolId}/.well-known/openid-configuration, with /oauth2/token picking the
// pool by the authenticated client. The issuer of a pool's tokens is
// "{public URL}/{poolId}", so the issuer's JWKS is reachable at the address
// the server prints.
package server
