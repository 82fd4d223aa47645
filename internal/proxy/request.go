package proxy

import (
	"context"
	"net/http"
	"strings"

	"github.com/tollgate/tollgate/internal/claimsheader"
	"github.com/tollgate/tollgate/internal/headerpolicy"
)

// Headers the proxy sends upstream with the authorizer's decision. Any
// header of the client's whose name starts with HeaderPrefix is removed
// first, so an upstream can trust them.
const (
	HeaderPrefix = "X-Tollgate-"

	// HeaderClientID is the access token's client_id.
	HeaderClientID = "X-Tollgate-Client-Id"
	// HeaderScopes is the access token's scopes, space-separated as in its
	// scope claim (all of them, not only those the route asks for).
	HeaderScopes = "X-Tollgate-Scopes"
	// HeaderClaims is every claim of the access token as a JSON object of
	// strings (API Gateway's requestContext.authorizer.claims), encoded in
	// unpadded base64url (RFC 4648 §5): header-safe whatever the claims
	// hold, and decoded in one line by any language.
	HeaderClaims = "X-Tollgate-Claims"
	// HeaderRequestID is the gateway's request id, the one its access log
	// and its x-amzn-RequestId response header carry.
	HeaderRequestID = "X-Tollgate-Request-Id"
	// HeaderStage is the name of the stage the request came in on.
	HeaderStage = "X-Tollgate-Stage"
)

// Request is what the gateway knows about a request once it has matched a
// route and authorized it. The gateway stores it in the request's context
// with WithRequest before calling the integration's handler.
type Request struct {
	// PathParams are the route's path parameters ("proxy" for
	// "/{proxy+}", "id" for "/pets/{id}"), as they appear in the request
	// path: percent-encoded, not decoded (API Gateway's pathParameters).
	PathParams map[string]string
	// ClientID, Scopes and Claims come from the verified access token;
	// all are empty for a route without an authorizer. Claims values are
	// strings, as API Gateway renders them.
	ClientID string
	Scopes   []string
	Claims   map[string]string
	// ClaimsHeader, if set, is the X-Tollgate-Claims value already
	// encoded from Claims (a gateway that keeps it with its verification
	// cache spares the encoding on every request); it must be exactly what
	// the proxy would encode. When it is "", the proxy encodes Claims.
	ClaimsHeader string
	// RequestID is the gateway's id for the request.
	RequestID string
	// Stage is the stage's name, e.g. "prod".
	Stage string
	// APIID is the REST API's id, sent as X-Amzn-Apigateway-Api-Id as API
	// Gateway sends it to HTTP integrations.
	APIID string
}

// HeaderAPIID names the API to the upstream, as API Gateway does.
const HeaderAPIID = "X-Amzn-Apigateway-Api-Id"

type requestKey struct{}

// WithRequest returns a copy of ctx carrying r for the integration.
func WithRequest(ctx context.Context, r *Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// RequestFrom returns the Request stored in ctx by WithRequest, or nil.
func RequestFrom(ctx context.Context) *Request {
	r, _ := ctx.Value(requestKey{}).(*Request)
	return r
}

// dropForged removes the headers a client must not be able to set: every
// X-Tollgate-* header, the forwarding headers (X-Forwarded-*, Forwarded,
// X-Real-Ip), and the same names spelt with '_' for '-', which CGI-style
// upstreams (PHP, WSGI, Rack, nginx's underscores_in_headers) read as the
// same variable. The proxy then sets the forwarding headers itself.
func dropForged(h http.Header) {
	for k := range h {
		if forged(k) {
			delete(h, k)
		}
	}
}

// forged reports whether a header name is reserved to the proxy.
func forged(k string) bool {
	return headerpolicy.Reserved(k) || hasPrefixFold(k, "x-forwarded-") ||
		equalFold(k, "forwarded") || equalFold(k, "x-real-ip")
}

// hasPrefixFold compares ASCII case-insensitively, with '_' matching '-'.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && equalFold(s[:len(prefix)], prefix)
}

// equalFold compares s with a lower-case name, ASCII case-insensitively,
// with '_' matching '-'.
func equalFold(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		} else if c == '_' {
			c = '-'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// setDecision sets the X-Tollgate-* headers from r. It returns the name of
// a header it left out because its value could not be sent (a control
// character in a claim-derived value), or "".
func setDecision(h http.Header, r *Request) (dropped string) {
	// One backing array for the five header values: this runs on every
	// request.
	vals := make([]string, 0, 5)
	set := func(name, v string) {
		if v == "" {
			return
		}
		if !validHeaderValue(v) {
			dropped = name
			return
		}
		vals = append(vals, v)
		h[name] = vals[len(vals)-1 : len(vals) : len(vals)]
	}
	set(HeaderClientID, r.ClientID)
	switch len(r.Scopes) {
	case 0:
	case 1:
		set(HeaderScopes, r.Scopes[0])
	default:
		set(HeaderScopes, strings.Join(r.Scopes, " "))
	}
	if r.ClaimsHeader != "" {
		set(HeaderClaims, r.ClaimsHeader)
	} else if len(r.Claims) > 0 {
		set(HeaderClaims, claimsheader.Encode(r.Claims))
	}
	set(HeaderRequestID, r.RequestID)
	set(HeaderStage, r.Stage)
	return dropped
}

// validHeaderValue reports whether v is visible ASCII, spaces and tabs
// (RFC 9110 §5.5 field-value without obs-text).
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if (c < ' ' && c != '\t') || c >= 0x7f {
			return false
		}
	}
	return true
}
