// Package registration serves dynamic client registration (RFC 7591 §3)
// for the pools whose tollgate.PoolOAuth.Registration opens it: a client
// posts its metadata and gets a client id (and a secret when its method is
// a secret's), within what the pool's policy allows.
//
// What a registered client may be:
//
//   - Its grant type is client_credentials, the only one Tollgate serves:
//     grant_types, when present, must hold it alone (an absent or empty
//     list means it, a default the server may set, RFC 7591 §2);
//     response_types must be absent or empty and redirect_uris absent or
//     empty (invalid_redirect_uri otherwise, RFC 7591 §3.2.2).
//   - token_endpoint_auth_method must be one of the policy's AuthMethods
//     (private_key_jwt when it names none). RFC 7591 §2 reads an absent
//     method as client_secret_basic: so it does here when the policy allows
//     client_secret_basic, and the request is refused otherwise, rather than
//     register a client that authenticates otherwise than it believes.
//   - private_key_jwt and self_signed_tls_client_auth need jwks or jwks_uri,
//     never both (RFC 7591 §2); inline keys must be public (a member of a
//     private or symmetric key is refused) and, for
//     self_signed_tls_client_auth, carry their certificate (x5c, RFC 8705
//     §2.2.2), at most MaxJWKSKeys keys, RSA ones of 2048 to 8192 bits.
//     jwks_uri is an https URL without fragment whose host is neither
//     localhost nor a loopback, private or link-local address (the token
//     endpoint fetches it: RFC 7591 §5, RFC 9700 §4.16); in development
//     (Options.AllowPrivateJWKSURI) any host, and http on loopback.
//   - tls_client_auth names exactly one tls_client_auth_* value (RFC 8705
//     §2.1.2). Both mutual-TLS methods and
//     tls_client_certificate_bound_access_tokens need a pool with MTLS;
//     dpop_bound_access_tokens needs a pool with DPoP.
//   - scope, space-separated, is a subset of the policy's Scopes (the
//     pool's scopes when the policy names none); absent, the client gets
//     every scope it may have.
//   - client_name is kept with the characters outside Cognito's ClientName
//     pattern replaced by '-', cut to 128 characters; names are unique in a
//     pool, and a taken name gets a random suffix (many installations of
//     one application register under the same name). Without a name the
//     client is named "registered-" and a random suffix. The response
//     shows the name given.
//   - Members RFC 7591 §2 defines that have no meaning for a
//     client_credentials client (client_uri, logo_uri, contacts, tos_uri,
//     policy_uri, software_id, software_version) and members it does not
//     define are ignored, and not echoed back (RFC 7591 §3.2.1 echoes the
//     metadata registered). Software statements are not supported:
//     unapproved_software_statement.
//
// Every refusal of the request's content is a 400 (RFC 7591 §3.2.2 leaves
// no room for another status): a Content-Type other than application/json,
// a body larger than MaxBodyBytes or not a JSON object, are
// invalid_client_metadata like a bad member. The policy's MaxClients
// reached is invalid_client_metadata too, the only code the RFC offers for
// a registration the server will not make. Only a method other than POST
// (405) and the initial access token (401 invalid_token, 403
// insufficient_scope, RFC 6750 §3.1) answer otherwise.
//
// RFC 7592 (reading, updating and deleting a registration) is not served:
// a registered client is managed like any other, with the CLI or the
// Cognito API, so no registration_access_token nor registration_client_uri
// is issued.
//
// The package imports the root package, internal/audit, internal/oauth2
// (the one writer of OAuth error bodies) and go-jose for JWK parsing; it
// reaches the store only through Options.
package registration
