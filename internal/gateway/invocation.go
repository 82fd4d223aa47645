package gateway

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/claimsheader"
)

// Param is a path parameter: its name in the resource path and its raw
// value (contract §5.1: never percent-decoded).
type Param struct {
	Name, Value string
}

// Invocation is what the gateway knows about a request it hands to an
// integration: everything the Lambda proxy event's requestContext needs
// (contract §5.1) and what an HTTP integration substitutes into its URI.
// Integrations get it as Serve's argument; they must not modify it.
type Invocation struct {
	API   *tollgate.RestAPI
	Stage *tollgate.Stage
	Route *tollgate.Route

	// ResourcePath is the route's resource path, e.g. "/{proxy+}" (the
	// event's resource and requestContext.resourcePath), or "$default".
	ResourcePath string
	// RouteKey (HTTP APIs) is the key of the route that matched, as API
	// Gateway writes it ("GET /pets/{id}", "ANY /{proxy+}", "$default");
	// "" on a REST API.
	RouteKey string
	// RawPath (HTTP APIs) is the request's path as sent, not decoded, with
	// a named stage's segment kept and no stage segment for $default
	// ("/dev/pets/1", "/pets/1"): payload 2.0's rawPath and
	// requestContext.http.path, payload 1.0's path. "" on a REST API.
	RawPath string
	// ResourceID is a stable id of the resource, shaped like API Gateway's
	// (6 lowercase alphanumerics; requestContext.resourceId).
	ResourceID string
	// Path is the request path after the stage, raw as sent: not
	// percent-decoded, double and trailing slashes kept, "/" at least
	// (the event's path).
	Path string
	// PathParams are the path parameters in resource-path order; nil when
	// there are none. A greedy parameter holds the rest of the path without
	// its leading and trailing slashes.
	PathParams []Param
	// StageVariables are the stage's variables; nil when it has none. They
	// are shared and must not be modified.
	StageVariables map[string]string

	// RequestID is the request's id (x-amzn-RequestId, requestContext.
	// requestId); ExtendedRequestID is x-amz-apigw-id (extendedRequestId).
	RequestID         string
	ExtendedRequestID string
	// RequestTime is when the gateway received the request.
	RequestTime time.Time
	// DomainName is the host the request came in on, without port;
	// DomainPrefix its first label on an execute-api host or custom domain,
	// and the API id on the path forms.
	DomainName   string
	DomainPrefix string

	// Authorizer is the name of the authorizer that allowed the request
	// ("" for a method without authorizer). Claims are the verified
	// token's claims and ClientID its client_id, behind a Cognito
	// authorizer; nil and "" behind a Lambda authorizer.
	Authorizer string
	Claims     *bearer.Claims
	ClientID   string

	// PrincipalID and AuthorizerContext are what a Lambda (TOKEN or
	// REQUEST) authorizer allowed the request with: its principalId, and
	// its context with the values as the function returned them (string,
	// json.Number, bool or nil; on an HTTP API any JSON value, objects as
	// map[string]any and arrays as []any), shared with the cached answer
	// and not to be modified. An HTTP API's simple answer has no
	// principalId. AuthorizerLatency is how long its function took for
	// this request: 0 when the answer came from the cache (the proxy
	// event's requestContext.authorizer.integrationLatency).
	PrincipalID       string
	AuthorizerContext map[string]any
	AuthorizerLatency time.Duration

	// TraceID is the request's X-Amzn-Trace-Id: the caller's, or one the
	// gateway made (Root=1-…). Integrations pass it on; Lambda and MOCK
	// answers carry it back, as API Gateway's do.
	TraceID string

	contextPath string       // requestContext.path when it is not /{stage}{Path}
	rawRest     string       // the path after the stage as received ("" for /prod)
	verified    *verified    // what derives from Claims, kept with the cache entry
	grant       *lambdaGrant // what derives from AuthorizerContext, likewise
	key         *keyUse      // the API key presented (APIKey, APIKeyID); nil for none

	// values hold the header values an integration sets on the request
	// it sends (HeaderValue): the gateway allocates them with the
	// invocation, so they cost the request no allocation of their own.
	values [NumHeaderValues]string
}

// keyUse is the API key a request presented: its value and id.
type keyUse struct{ value, id string }

// APIKey returns the value of the API key the request presented, on a
// method that requires one ($context.identity.apiKey, apigw-beyond §3), or
// "". The value is a credential: integrations hand it on as API Gateway
// does, and never log it.
func (inv *Invocation) APIKey() string {
	if inv.key == nil {
		return ""
	}
	return inv.key.value
}

// APIKeyID returns the id of the API key the request presented
// ($context.identity.apiKeyId), or "".
func (inv *Invocation) APIKeyID() string {
	if inv.key == nil {
		return ""
	}
	return inv.key.id
}

// WriteResponse writes the gateway response t as the invocation's API
// answers it: REST's body and headers (the package's WriteResponse), or an
// HTTP API's (ResponseIntegrationFailure is 500 {"message":"Internal
// Server Error"}, ResponseIntegrationTimeout 503 {"message":"Service
// Unavailable"}, no x-amzn-ErrorType: WriteHTTPResponse). Integrations
// write their failures with it.
func (inv *Invocation) WriteResponse(w http.ResponseWriter, t ResponseType) {
	responseWriterOf(inv.API)(w, t)
}

// NumHeaderValues is how many header values HeaderValue holds.
const NumHeaderValues = 8

// HeaderValue stores v in slot i (0 ≤ i < NumHeaderValues) of the
// invocation and returns it as a header value: a one-element slice with
// no room to grow (an append elsewhere copies it), living as long as the
// invocation. An integration uses it to set the headers of the request it
// sends without allocating their values; each header takes its own slot.
func (inv *Invocation) HeaderValue(i int, v string) []string {
	inv.values[i] = v
	return inv.values[i : i+1 : i+1]
}

// derived returns the shared, computed-once derivations of Claims, or nil
// when the invocation was not built by the gateway from those claims (a
// test's Invocation, or Claims replaced since).
func (inv *Invocation) derived() *verified {
	if v := inv.verified; v != nil && v.claims == inv.Claims {
		return v.load()
	}
	return nil
}

// PathParameter returns the value of the named path parameter.
func (inv *Invocation) PathParameter(name string) (string, bool) {
	for _, p := range inv.PathParams {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// PathParameters returns the path parameters as a map, or nil when there
// are none (the event's pathParameters is null then, §5.1).
func (inv *Invocation) PathParameters() map[string]string {
	if len(inv.PathParams) == 0 {
		return nil
	}
	m := make(map[string]string, len(inv.PathParams))
	for _, p := range inv.PathParams {
		m[p.Name] = p.Value
	}
	return m
}

// Scopes returns the scopes of the token that was allowed, or nil.
//
// The slice is computed once per verified token and shared by every request
// presenting it (and by concurrent ones): callers must not modify it.
func (inv *Invocation) Scopes() []string {
	if inv.Claims == nil {
		return nil
	}
	if v := inv.derived(); v != nil {
		return v.scopes
	}
	return inv.Claims.Scopes()
}

// ScopeList returns the scopes of the token that was allowed,
// space-separated (internal/proxy's X-Tollgate-Scopes), or "". Like Scopes
// it is computed once per verified token.
func (inv *Invocation) ScopeList() string {
	if inv.Claims == nil {
		return ""
	}
	if v := inv.derived(); v != nil {
		return v.scopeList
	}
	return strings.Join(inv.Claims.Scopes(), " ")
}

// claimTimeLayout is how API Gateway renders exp and iat in
// requestContext.authorizer.claims: "Thu May 04 03:50:06 UTC 2023".
const claimTimeLayout = "Mon Jan 02 15:04:05 MST 2006"

// ClaimStrings returns every claim of the allowed token as a string, as
// API Gateway hands them to integrations in requestContext.authorizer.claims
// (contract §4.1): strings as they are, exp and iat as dates in UTC
// ("Thu May 04 03:50:06 UTC 2023"), other numbers in decimal
// ("auth_time": "1683085806", "version": "2"), booleans as "true" or
// "false", a one-element array as its element, and other arrays and
// objects as their JSON text (unconfirmed; M2M tokens carry none). It
// returns nil for a method without authorizer.
//
// The map is computed once per verified token and shared by every request
// presenting it (and by concurrent ones): callers must not modify it.
func (inv *Invocation) ClaimStrings() map[string]string {
	if inv.Claims == nil {
		return nil
	}
	if v := inv.derived(); v != nil {
		return v.strings
	}
	return claimStrings(inv.Claims)
}

// ClaimsHeader returns ClaimStrings as the value of the proxy's
// X-Tollgate-Claims header: a JSON object of strings, keys sorted, in
// unpadded base64url (internal/proxy's HeaderClaims). It is "" when there
// are no claims. Like ClaimStrings it is computed once per verified token.
func (inv *Invocation) ClaimsHeader() string {
	if inv.Claims == nil {
		return ""
	}
	if v := inv.derived(); v != nil {
		return v.header
	}
	return claimsheader.Encode(claimStrings(inv.Claims))
}

// claimStrings renders claims as ClaimStrings documents.
func claimStrings(c *bearer.Claims) map[string]string {
	m, err := c.Map()
	if err != nil {
		return nil // Verify decoded the same bytes, so this does not happen
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = claimString(k, v)
	}
	return out
}

func claimString(name string, v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		if name == "exp" || name == "iat" {
			if n, err := v.Int64(); err == nil {
				return time.Unix(n, 0).UTC().Format(claimTimeLayout)
			}
		}
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return ""
	case []any:
		if len(v) == 1 {
			return claimString(name, v[0])
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// AuthorizerContextStrings returns a Lambda authorizer's context with its
// values as REST APIs pass them on to integrations ($context.authorizer.
// {key}): strings as they are, numbers in decimal, booleans "true" or
// "false" (StringifyContextValue); null values are left out. It is nil
// without a context. The map is computed once per answer of the function
// and shared: callers must not modify it.
func (inv *Invocation) AuthorizerContextStrings() map[string]string {
	if g := inv.derivedGrant(); g != nil {
		return g.strings
	}
	return contextStrings(inv.AuthorizerContext)
}

// AuthorizerContextHeader returns AuthorizerContextStrings as the value of
// the proxy's X-Tollgate-Authorizer-Context header: a JSON object of
// strings, keys sorted, in unpadded base64url, as X-Tollgate-Claims
// (claimsheader.Encode); "" without a context. It is computed once per
// answer of the function.
func (inv *Invocation) AuthorizerContextHeader() string {
	if len(inv.AuthorizerContext) == 0 {
		return ""
	}
	if g := inv.derivedGrant(); g != nil {
		return g.header
	}
	return claimsheader.Encode(contextStrings(inv.AuthorizerContext))
}

// derivedGrant returns the shared derivations of AuthorizerContext, or nil
// when the invocation was not built by the gateway from that context.
func (inv *Invocation) derivedGrant() *lambdaGrant {
	if g := inv.grant; g != nil && sameMap(g.out.Context, inv.AuthorizerContext) {
		return g.load()
	}
	return nil
}

// sameMap reports whether a and b are the same map (or both nil).
func sameMap(a, b map[string]any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return len(a) == len(b) && reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// ContextPath returns requestContext.path: the path with the stage, e.g.
// "/prod/hello/world", on an execute-api host and on the path forms; the
// path as received on a custom domain; RawPath on an HTTP API.
func (inv *Invocation) ContextPath() string {
	if inv.RawPath != "" {
		return inv.RawPath
	}
	if inv.contextPath != "" {
		return inv.contextPath
	}
	if inv.Stage == nil {
		return inv.Path
	}
	return "/" + inv.Stage.Name + inv.rawRest
}

// setParams sets the path parameters of m, in buf when they fit.
func (inv *Invocation) setParams(m *Match, buf []Param) {
	n := m.NumParams()
	if n == 0 {
		return
	}
	if n <= cap(buf) {
		inv.PathParams = buf[:n:n]
	} else {
		inv.PathParams = make([]Param, n)
	}
	for i := range inv.PathParams {
		inv.PathParams[i].Name, inv.PathParams[i].Value = m.Param(i)
	}
}
