// Package oauth2 is Tollgate's OAuth 2 protocol vocabulary and the one place
// that writes OAuth 2 errors to the wire.
//
// It owns:
//
//   - the error type for RFC 6749 §5.2 (token endpoint), RFC 7009 §2.2.1
//     (revocation) and RFC 6750 §3.1 (bearer token) errors, which keeps what
//     the client may see (error, error_description, the HTTP status) apart
//     from the cause that only the log sees;
//   - WriteError, the writer of RFC 6749 §5.2 JSON error bodies, which turns
//     any other error into a generic 500 server_error so that nothing
//     internal ever reaches a client;
//   - BearerChallenge, the builder of RFC 6750 §3 WWW-Authenticate values
//     that the gateway answers with;
//   - the response headers every OAuth endpoint sends (RFC 6749 §5.1 asks for
//     Cache-Control: no-store and Pragma: no-cache; Cognito adds more) and
//     the x-amz-cognito-request-id header;
//   - the scope grammar of RFC 6749 §3.3.
//
// It does not log: callers know the context (client id, endpoint) and log the
// error themselves, and *Error implements slog.LogValuer so that the cause
// shows in the log. It does not authenticate clients or verify tokens.
//
// It imports only the standard library and github.com/google/uuid. It must
// not import the root tollgate package or any other internal package, so that
// every adapter that speaks OAuth 2 (token, gateway) can use it.
package oauth2
