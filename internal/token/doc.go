// Package token is Tollgate's OAuth 2 token endpoint: POST /oauth2/token
// with the client_credentials grant (RFC 6749 §4.4), POST /oauth2/revoke
// (RFC 7009) and POST /oauth2/introspect (RFC 7662), each authenticating the
// client first (RFC 6749 §2.3.1). The user sign-in grants Cognito also
// names (authorization_code, refresh_token) are answered invalid_grant, or
// invalid_request without their parameter, after client authentication.
//
// One file per concern:
//
//   - request.go: the request as RFC 6749 wants it: POST (§3.2), a form body
//     (Appendix B) of bounded size, no parameter in the URL query (§2.3.1:
//     credentials never in URLs), no parameter given twice (§3.1), unknown
//     parameters ignored (§3.2);
//   - client_auth.go: client_secret_basic and client_secret_post (§2.3.1),
//     never both (§2.3), in time that does not depend on whether the client
//     exists;
//   - client_credentials.go: the order of checks at /oauth2/token, the
//     grant, its scope rules (§3.3) and the Cognito-shaped access token and
//     response (§5.1);
//   - resource.go, dpop.go, binding.go: beyond Cognito, only when declared:
//     the resource indicator of a pool with ResourceIndicators (RFC 8707
//     §2, one per token, aud), the aud of
//     a pool's RFC 9068 tokens (§2.2), DPoP-bound tokens (RFC 9449 §5:
//     proof checked by internal/dpop, cnf.jkt, token_type DPoP) and
//     certificate-bound ones (RFC 8705 §3, cnf.x5t#S256); a trigger can
//     change neither cnf nor aud;
//   - trigger.go: a pool's pre token generation trigger, which only with
//     event version V3_0 fires for client_credentials tokens: the V3 event
//     (nothing of the request but the client id, the granted scopes and
//     aws_client_metadata reaches the function), the function run through
//     Options.Invoke with Cognito's 5 s per attempt and 3 attempts for a
//     function that does not answer, its answer's claimsToAddOrOverride,
//     claimsToSuppress, scopesToAdd and scopesToSuppress applied to the
//     token (custom claims after Cognito's own, which it cannot change,
//     nor names that case-fold to them; the answer bounded by a token's
//     size while it is read),
//     and its failures answered invalid_request as Cognito words them;
//   - client_metadata.go: aws_client_metadata, a JSON object of strings,
//     parsed only when a trigger will get it;
//   - signin_grants.go: authorization_code and refresh_token, which no
//     code or refresh token satisfies (Tollgate issues none);
//   - revoke.go and introspect.go: RFC 7009 and RFC 7662;
//   - verify.go: how revoke and introspect check that a token is one of the
//     pool's own;
//   - limits.go: token limits, a Tollgate extension: the lockout of a
//     client id after repeated failed authentications (answered exactly as
//     a wrong secret) and token quotas per client per hour and per day
//     (429 invalid_request with Retry-After), counted by Options.Limiter
//     (Options.LocalLimiter while it fails open); only existing clients'
//     failures are counted, under their own pool's lockout, after the
//     answer is sent; with the Observer hook for metrics and the
//     lockout's audit event;
//   - log.go: what the log may say of a request: a presented client id only
//     when it names a client found, client input by its length, no request
//     bytes in causes, so that a secret sent in the wrong place never
//     reaches the log.
//
// Everything the endpoint depends on is an interface or a function defined
// here or at the root (Clients, Signer, Verifier, Revocations, the trigger
// lookup and tollgate.InvokeFunc, the function runner) and wired by
// internal/server, so the same code runs against the store, the catalog
// cache or a test double. Every
// error reaches the client through internal/oauth2, the one writer of RFC
// 6749 §5.2 errors; the client sees a code and a description, the log sees
// the cause. Secrets never appear in the log, wherever a request puts them.
// A failed client authentication is also an audit event (audit.go), with
// the same rule for the client id.
//
// token imports the root package, internal/oauth2, internal/vault,
// internal/audit, internal/limit (the Limiter interface) and internal/bearer (pure token verification). It must not import the store
// implementations, the signer, the server or the gateway: tests may, the
// package may not.
package token
