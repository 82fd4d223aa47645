package lambdaproxy

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/headercase"
)

// The Lambda proxy integration's event in payload format 1.0: a REST
// API's (contract §5.1; aws-lambda-go's events.APIGatewayProxyRequest), or
// an HTTP API's, which adds "version":"1.0" in front (apigw-beyond §4.2).
// Empty maps and an empty body are null, as API Gateway sends them.
type proxyEvent struct {
	Version string `json:"version,omitempty"`
	requestFields
	Body            *string `json:"body"`
	IsBase64Encoded bool    `json:"isBase64Encoded"`
}

// authorizerEvent is a REQUEST authorizer's event (apigw-beyond §1.2): the
// proxy event's request fields after type and methodArn, without body and
// isBase64Encoded. An HTTP API's payload 1.0 authorizer event adds version
// in front and identitySource and authorizationToken after methodArn
// (§4.4; aws-lambda-go's apigw-v2-custom-authorizer-v1-request.json).
type authorizerEvent struct {
	Version            string  `json:"version,omitempty"`
	Type               string  `json:"type"`
	MethodArn          string  `json:"methodArn"`
	IdentitySource     *string `json:"identitySource,omitempty"`
	AuthorizationToken *string `json:"authorizationToken,omitempty"`
	requestFields
}

// requestFields are what the proxy event and a REQUEST authorizer's event
// both hold, in this order.
type requestFields struct {
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	RequestContext                  proxyContext        `json:"requestContext"`
}

type proxyContext struct {
	// ResourceID is null on an HTTP API, which has no resources.
	ResourceID        *string       `json:"resourceId"`
	ResourcePath      string        `json:"resourcePath"`
	HTTPMethod        string        `json:"httpMethod"`
	ExtendedRequestID string        `json:"extendedRequestId"`
	RequestTime       string        `json:"requestTime"`
	Path              string        `json:"path"`
	AccountID         string        `json:"accountId"`
	Protocol          string        `json:"protocol"`
	Stage             string        `json:"stage"`
	DomainPrefix      string        `json:"domainPrefix"`
	RequestTimeEpoch  int64         `json:"requestTimeEpoch"`
	RequestID         string        `json:"requestId"`
	Identity          proxyIdentity `json:"identity"`
	DomainName        string        `json:"domainName"`
	DeploymentID      string        `json:"deploymentId"`
	APIID             string        `json:"apiId"`
	// Authorizer is a *proxyAuthorizer (a Cognito authorizer's claims), a
	// *jwtAuthorizer or a *lambdaAuthorizer on a REST API, a *jwtClaims or
	// an httpLambdaAuthorizer on an HTTP API (httpAuthorizerV1), and
	// absent without authorizer.
	Authorizer any `json:"authorizer,omitempty"`
}

// proxyIdentity is requestContext.identity: with a Cognito user pools
// authorizer (or none) every field is null but sourceIp and userAgent. The
// keys, in order, are those of events recorded on AWS for APIs without API
// keys (contract §5.1; e.g. the LocalStack snapshot
// test_apigateway_lambda.snapshot.json): apiKey and apiKeyId appear only
// when the method requires an API key, and then hold the key's value and
// id ($context.identity.apiKey and apiKeyId, apigw-beyond §3 "Backend
// context"), after caller as aws-lambda-go's APIGatewayRequestIdentity
// orders them (events/apigw.go). A REQUEST authorizer's event, built
// before the key is checked, has apiKey alone: the X-API-Key value as
// sent (aws-lambda-go's apigw-custom-auth-request-type-request.json).
type proxyIdentity struct {
	CognitoIdentityPoolID         *string `json:"cognitoIdentityPoolId"`
	AccountID                     *string `json:"accountId"`
	CognitoIdentityID             *string `json:"cognitoIdentityId"`
	Caller                        *string `json:"caller"`
	APIKey                        string  `json:"apiKey,omitempty"`
	APIKeyID                      string  `json:"apiKeyId,omitempty"`
	SourceIP                      string  `json:"sourceIp"`
	PrincipalOrgID                *string `json:"principalOrgId"`
	AccessKey                     *string `json:"accessKey"`
	CognitoAuthenticationType     *string `json:"cognitoAuthenticationType"`
	CognitoAuthenticationProvider *string `json:"cognitoAuthenticationProvider"`
	UserArn                       *string `json:"userArn"`
	UserAgent                     string  `json:"userAgent"`
	User                          *string `json:"user"`
}

type proxyAuthorizer struct {
	Claims map[string]string `json:"claims"`
}

// jwtAuthorizer is requestContext.authorizer behind a JWT authorizer: the
// token's claims JSON-typed, as signed (rest-api-jwt-authorizer-claims.html).
type jwtAuthorizer struct {
	Claims json.RawMessage `json:"claims"`
}

// requestTimeLayout is requestContext.requestTime's format, in UTC.
const requestTimeLayout = "02/Jan/2006:15:04:05 -0700"

// Event returns the payload format 1.0 event of the request r that the
// gateway decided inv of, whose body (already read, at most
// gateway.MaxBodyBytes) is body. On a REST API (contract §5.1):
//
//   - path is the path after the stage, raw; requestContext.path has the
//     stage (ContextPath);
//   - headers hold each header's last value and multiValueHeaders all of
//     them, named in the caller's casing (lower case over HTTP/2), with
//     Host, X-Amzn-Trace-Id and the X-Forwarded-For/-Port/-Proto headers
//     API Gateway adds, without the framing and hop-by-hop headers it
//     drops;
//   - query parameters are decoded, queryStringParameters holding each
//     key's last value;
//   - the body is base64 with isBase64Encoded when its Content-Type matches
//     one of the API's binaryMediaTypes, its text otherwise;
//   - requestContext.authorizer holds, behind a Cognito authorizer, the
//     token's claims as strings (claims: ClaimStrings); behind a JWT
//     authorizer, the claims JSON-typed as signed (JWTClaims); behind a Lambda
//     authorizer its context's values as strings (null stays null), its
//     principalId and integrationLatency (apigw-beyond §1.3); it is absent
//     without authorizer.
//
// On an HTTP API the same event differs as API Gateway's HTTP APIs make
// it (apigw-beyond §4.2, "1.0 on HTTP APIs"): "version":"1.0" first;
// header names lower-cased; path and requestContext.path are inv.RawPath
// (a named stage's segment kept), percent-decoded as pathParameters are
// (decodedPath; that requestContext.path is decoded too is not recorded:
// it is the path's twin here, as requestContext.http.path is rawPath's in
// 2.0); requestContext.resourceId is null and
// stage may be "$default"; the body is base64 unless its media type is
// text (isTextMediaType: HTTP APIs have no binaryMediaTypes); and
// requestContext.authorizer is, behind a JWT authorizer, {claims, scopes}
// with every claim a string (inv.HTTPClaims; a real capture in
// awsdocs/amazon-api-gateway-developer-guide#113 shows this shape and
// "exp":"1612061676"), behind a Lambda authorizer {lambda: context}.
func Event(r *http.Request, inv *gateway.Invocation, body []byte) ([]byte, error) {
	return v1Event(r, inv, body, kindOf(inv))
}

// apiKind is the kind of API an event is rendered for or a result mapped
// for: what differs between the two is a parameter of the one rendering.
type apiKind uint8

const (
	kindREST apiKind = iota
	kindHTTP
)

// kindOf returns the kind of inv's API.
func kindOf(inv *gateway.Invocation) apiKind {
	if inv.API != nil && inv.API.IsHTTP() {
		return kindHTTP
	}
	return kindREST
}

// v1Event is Event, for an API of the kind given.
func v1Event(r *http.Request, inv *gateway.Invocation, body []byte, kind apiKind) ([]byte, error) {
	var ev proxyEvent
	ev.set(r, inv, kind)
	onHTTP := kind == kindHTTP
	if onHTTP {
		ev.Version = "1.0"
	}
	if len(body) > 0 {
		var s string
		if onHTTP && !isTextMediaType(r.Header.Get("Content-Type")) ||
			!onHTTP && inv.API != nil && matchesMediaType(inv.API.BinaryMediaTypes, r.Header.Get("Content-Type")) {
			s = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		} else {
			s = string(body)
		}
		ev.Body = &s
	}
	if onHTTP {
		if a := httpAuthorizerV1(inv); a != nil {
			ev.RequestContext.Authorizer = a
		}
		return json.Marshal(&ev)
	}
	switch jwt := inv.JWTClaims(); {
	case jwt != nil:
		ev.RequestContext.Authorizer = &jwtAuthorizer{Claims: jwt}
	case inv.Claims != nil:
		ev.RequestContext.Authorizer = &proxyAuthorizer{Claims: inv.ClaimStrings()}
	case inv.Authorizer != "": // a Lambda authorizer's
		ev.RequestContext.Authorizer = &lambdaAuthorizer{inv}
	}
	return json.Marshal(&ev)
}

// AuthorizerEvent returns the event of a REQUEST authorizer for the request
// r that inv describes (its authorizer fields empty): "type":"REQUEST",
// methodArn, then the fields of the Lambda proxy event Event builds, as
// it builds them, without body, isBase64Encoded and
// requestContext.authorizer (apigw-beyond §1.2; aws-lambda-go's
// events/testdata/apigw-custom-auth-request-type-request.json), and with
// requestContext.identity.apiKey alone when inv.APIKey is set (the
// gateway sets it to the X-API-Key value on a method that requires a
// key). It is the gateway's AuthorizerEventFunc.
func AuthorizerEvent(r *http.Request, inv *gateway.Invocation, methodARN string) ([]byte, error) {
	ev := authorizerEvent{Type: "REQUEST", MethodArn: methodARN}
	ev.set(r, inv, kindREST)
	return json.Marshal(&ev)
}

// HTTPAuthorizerEvent returns the event of an HTTP API's REQUEST
// authorizer for the request r that inv describes (apigw-beyond §4.4). It
// is the gateway's HTTPAuthorizerEventFunc:
//
//   - version "2.0": version, "type":"REQUEST", routeArn (routeARN),
//     identitySource (identity, in the authorizer's order), then the
//     fields of the payload 2.0 event HTTPEvent builds without body,
//     isBase64Encoded and requestContext.authorizer (aws-lambda-go's
//     apigw-v2-custom-authorizer-v2-request.json);
//   - version "1.0": version, "type":"REQUEST", methodArn (routeARN),
//     identitySource and authorizationToken (identity comma-joined), then
//     the request fields of Event's HTTP API form
//     (apigw-v2-custom-authorizer-v1-request.json).
//
// Any other version is an error.
func HTTPAuthorizerEvent(r *http.Request, inv *gateway.Invocation, version, routeARN string, identity []string) ([]byte, error) {
	switch version {
	case "2.0":
		ev := httpAuthorizerEvent{Version: version, Type: "REQUEST", RouteArn: routeARN, IdentitySource: identity}
		ev.set(r, inv)
		return json.Marshal(&ev)
	case "1.0":
		joined := strings.Join(identity, ",")
		ev := authorizerEvent{Version: version, Type: "REQUEST", MethodArn: routeARN, IdentitySource: &joined, AuthorizationToken: &joined}
		ev.set(r, inv, kindHTTP)
		return json.Marshal(&ev)
	}
	return nil, fmt.Errorf("lambdaproxy: authorizer payload format version %q: want 1.0 or 2.0", version)
}

// set fills in the fields of the request r that inv describes, but for
// requestContext.authorizer, for an API of the kind given.
func (f *requestFields) set(r *http.Request, inv *gateway.Invocation, kind apiKind) {
	onHTTP := kind == kindHTTP
	f.Resource = inv.ResourcePath
	f.Path = inv.Path
	f.HTTPMethod = r.Method
	f.StageVariables = inv.StageVariables
	if onHTTP {
		f.Path = decodedPath(rawPath(inv))
		f.PathParameters = httpPathParameters(inv)
		f.Headers, f.MultiValueHeaders = eventHeaders(r, lowerHeaderName)
	} else {
		f.PathParameters = inv.PathParameters()
		f.Headers, f.MultiValueHeaders = eventHeaders(r, sentHeaderNames(r))
	}
	if r.URL.RawQuery != "" {
		q, _ := url.ParseQuery(r.URL.RawQuery) // what parses; API Gateway drops the rest too
		if len(q) > 0 {
			f.MultiValueQueryStringParameters = q
			f.QueryStringParameters = make(map[string]string, len(q))
			for k, vs := range q {
				f.QueryStringParameters[k] = vs[len(vs)-1]
			}
		}
	}

	rc := &f.RequestContext
	if !onHTTP {
		rc.ResourceID = &inv.ResourceID
	}
	rc.ResourcePath = inv.ResourcePath
	rc.HTTPMethod = r.Method
	rc.ExtendedRequestID = inv.ExtendedRequestID
	rc.RequestTime = inv.RequestTime.UTC().Format(requestTimeLayout)
	if onHTTP {
		rc.Path = f.Path
	} else {
		rc.Path = inv.ContextPath()
	}
	rc.AccountID = tollgate.AccountID
	rc.Protocol = r.Proto
	if inv.Stage != nil {
		rc.Stage = inv.Stage.Name
	}
	rc.DomainPrefix = inv.DomainPrefix
	rc.RequestTimeEpoch = inv.RequestTime.UnixMilli()
	rc.RequestID = inv.RequestID
	rc.Identity.SourceIP = gateway.SourceIP(r)
	rc.Identity.UserAgent = r.UserAgent()
	rc.Identity.APIKey, rc.Identity.APIKeyID = inv.APIKey(), inv.APIKeyID()
	rc.DomainName = inv.DomainName
	if inv.API != nil {
		rc.APIID = inv.API.ID
		rc.DeploymentID = deploymentID(inv.API.ID)
	}
}

// lambdaAuthorizer renders a Lambda authorizer's requestContext.authorizer:
// the context's keys, sorted, with their values as strings
// (gateway.StringifyContextValue) and null as null, then principalId and
// integrationLatency (a number of milliseconds): the order of the real
// capture {"str":"hello","bool":"true","null":null,"num":"123",
// "principalId":"my-username","integrationLatency":0} (apigw-beyond §1.3)
// but for the context's own order, which the parsed answer no longer
// has. A context key named principalId or integrationLatency gives way to
// the authorizer's own.
type lambdaAuthorizer struct{ inv *gateway.Invocation }

func (a *lambdaAuthorizer) MarshalJSON() ([]byte, error) {
	inv := a.inv
	b := make([]byte, 0, 64+32*len(inv.AuthorizerContext))
	b = append(b, '{')
	for _, k := range slices.Sorted(maps.Keys(inv.AuthorizerContext)) {
		if k == "principalId" || k == "integrationLatency" {
			continue
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		if s, ok := gateway.StringifyContextValue(inv.AuthorizerContext[k]); ok {
			b = appendJSONString(b, s)
		} else {
			b = append(b, "null"...)
		}
		b = append(b, ',')
	}
	b = append(b, `"principalId":`...)
	b = appendJSONString(b, inv.PrincipalID)
	b = append(b, `,"integrationLatency":`...)
	b = strconv.AppendInt(b, inv.AuthorizerLatency.Milliseconds(), 10)
	return append(b, '}'), nil
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	j, _ := json.Marshal(s) // a string always marshals
	return append(b, j...)
}

// eventHeaders returns the event's headers and multiValueHeaders: the
// request's headers (eachEventHeader), named name(canonical): as the
// caller sent them on a REST API (sentHeaderNames), lower-cased on an
// HTTP API.
func eventHeaders(r *http.Request, name func(canonical string) string) (map[string]string, map[string][]string) {
	n := len(r.Header) + 4
	single := make(map[string]string, n)
	multi := make(map[string][]string, n)
	eachEventHeader(r, func(canonical string, vs []string) {
		k := name(canonical)
		single[k] = vs[len(vs)-1]
		multi[k] = vs
	})
	return single, multi
}

// eachEventHeader calls fn with every header of an event of the request r
// and its values (at least one), named canonically: the request's, with
// Host and what API Gateway adds in front of the integration. The gateway
// has already removed the headers no integration sees
// (headerpolicy.StripRequest).
func eachEventHeader(r *http.Request, fn func(canonical string, vs []string)) {
	for k, vs := range r.Header {
		if len(vs) == 0 || k == "X-Forwarded-For" {
			continue
		}
		fn(k, vs)
	}
	if r.Host != "" {
		fn("Host", []string{r.Host})
	}
	// What a Lambda authorizer's identity reads (gateway.EventHeaderValues).
	xff, proto, port := gateway.ForwardedHeaders(r)
	fn("X-Forwarded-For", []string{xff})
	fn("X-Forwarded-Proto", []string{proto})
	fn("X-Forwarded-Port", []string{port})
}

// lowerHeaderName is how an HTTP API names headers in its events: lower
// case, whatever the caller sent (apigw-beyond §4.2). The common names
// are looked up rather than lowered on every request.
func lowerHeaderName(canonical string) string {
	if l, ok := lowerNames[canonical]; ok {
		return l
	}
	return strings.ToLower(canonical)
}

// lowerNames are the lower-case names of the headers most requests carry,
// by canonical name.
var lowerNames = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{
		"Accept", "Accept-Encoding", "Accept-Language", "Authorization", "Cache-Control", "Content-Encoding",
		"Content-Length", "Content-Type", "Cookie", "Host", "If-Modified-Since", "If-None-Match", "Origin",
		"Pragma", "Referer", "User-Agent", "X-Amzn-Trace-Id", "X-Api-Key", "X-Forwarded-For",
		"X-Forwarded-Port", "X-Forwarded-Proto", "X-Requested-With",
	} {
		m[n] = strings.ToLower(n)
	}
	return m
}()

// rawPath is the path of an HTTP API's events: the path as sent, a named
// stage's segment kept (inv.RawPath); inv.Path when the gateway did not
// set it.
func rawPath(inv *gateway.Invocation) string {
	if inv.RawPath != "" {
		return inv.RawPath
	}
	return inv.Path
}

// deploymentID is a stable id shaped like API Gateway's deployment ids
// (6 lowercase alphanumerics).
func deploymentID(apiID string) string {
	return tollgate.RestAPIID(apiID + "/deployment")[:6]
}

// matchesMediaType reports whether the media type of contentType matches
// one of types ("type/subtype", either part possibly "*").
func matchesMediaType(types []string, contentType string) bool {
	if len(types) == 0 || contentType == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	t, s, _ := strings.Cut(mt, "/")
	for _, want := range types {
		wt, ws, _ := strings.Cut(strings.ToLower(want), "/")
		if (wt == "*" || wt == t) && (ws == "*" || ws == s) {
			return true
		}
	}
	return false
}

// sentHeaderNames returns how the caller spelt the request's header names
// (headercase: recorded from the HTTP/1.x header block, lower case over
// HTTP/2), or net/http's canonical names when they were not recorded.
func sentHeaderNames(r *http.Request) func(string) string {
	return headercase.Names(r).Name
}
