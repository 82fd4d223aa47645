package lambdaproxy

import (
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
)

// httpEvent is an HTTP API's Lambda proxy event in payload format 2.0
// (apigw-beyond §4.2; aws-lambda-go's events.APIGatewayV2HTTPRequest).
// Empty maps, lists and strings are left out, never null. The order of
// the keys is that of API Gateway's: the real capture
// apigw-v2-request-no-authorizer.json (testdata) for the keys it has;
// pathParameters and body after requestContext as in an event logged on
// AWS with both (a stage "sandbox" capture quoted in a public test,
// code-index file 26479192671), stageVariables between them as in the
// authorizer sample apigw-v2-custom-authorizer-v2-request.json. The AWS
// documentation's hand-written samples disagree with each other on these
// three, so the capture decides.
type httpEvent struct {
	Version string `json:"version"`
	httpRequestFields
	Body            string `json:"body,omitempty"`
	IsBase64Encoded bool   `json:"isBase64Encoded"`
}

// httpAuthorizerEvent is an HTTP API REQUEST authorizer's payload 2.0
// event (apigw-beyond §4.4; apigw-v2-custom-authorizer-v2-request.json).
type httpAuthorizerEvent struct {
	Version        string   `json:"version"`
	Type           string   `json:"type"`
	RouteArn       string   `json:"routeArn"`
	IdentitySource []string `json:"identitySource,omitempty"`
	httpRequestFields
}

// httpRequestFields are what the 2.0 event and the 2.0 authorizer event
// both hold, in this order.
type httpRequestFields struct {
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies,omitempty"`
	Headers               map[string]string `json:"headers,omitempty"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	RequestContext        httpContext       `json:"requestContext"`
	PathParameters        map[string]string `json:"pathParameters,omitempty"`
	StageVariables        map[string]string `json:"stageVariables,omitempty"`
}

// httpContext is the 2.0 event's requestContext. authentication (mutual
// TLS's client certificate) is never there: Tollgate does not do mutual
// TLS on its gateway.
type httpContext struct {
	AccountID string `json:"accountId"`
	APIID     string `json:"apiId"`
	// Authorizer is a *httpJWTAuthorizer or an httpLambdaAuthorizer
	// (httpAuthorizerV2), and absent without authorizer.
	Authorizer   any      `json:"authorizer,omitempty"`
	DomainName   string   `json:"domainName"`
	DomainPrefix string   `json:"domainPrefix"`
	HTTP         httpInfo `json:"http"`
	RequestID    string   `json:"requestId"`
	RouteKey     string   `json:"routeKey"`
	Stage        string   `json:"stage"`
	Time         string   `json:"time"`
	TimeEpoch    int64    `json:"timeEpoch"`
}

// httpInfo is requestContext.http.
type httpInfo struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// httpJWTAuthorizer is requestContext.authorizer behind an HTTP API's JWT
// authorizer in payload 2.0: {"jwt":{claims, scopes}}; payload 1.0 has
// the jwtClaims alone.
type httpJWTAuthorizer struct {
	JWT *jwtClaims `json:"jwt"`
}

// jwtClaims are a JWT authorizer's claims in an HTTP API's event: Claims
// hold every claim as a string (gateway.Invocation.HTTPClaims, rendered
// once per verified token); Scopes is the scope claim
// split on spaces, null without one.
type jwtClaims struct {
	Claims json.RawMessage `json:"claims"`
	Scopes []string        `json:"scopes"`
}

// httpLambdaAuthorizer is requestContext.authorizer behind an HTTP API's
// Lambda authorizer: {"lambda": context}, the context as the function
// returned it, not stringified (apigw-beyond §4.4, §6 fact 4;
// apigw-v2-request-lambda-authorizer.json), {} when it returned none.
// Payload 1.0 gets the same: how API Gateway renders a Lambda authorizer's
// context in a 1.0 event of an HTTP API is not documented nor captured, so
// the 2.0 shape, the one documented, is used for both.
type httpLambdaAuthorizer struct {
	Lambda map[string]any `json:"lambda"`
}

// HTTPEvent returns the payload format 2.0 event of the request r to an
// HTTP API that the gateway decided inv of, whose body (already read, at
// most gateway.MaxBodyBytes) is body (apigw-beyond §4.2):
//
//   - routeKey is inv.RouteKey; rawPath and requestContext.http.path are
//     inv.RawPath, a named stage's segment kept, percent-decoded as are
//     pathParameters (decodedPath); rawQueryString is the query as sent,
//     still encoded, "" without one;
//   - cookies are the Cookie headers split on "; ", and no cookie header
//     is left; the other header names are lower-cased and a repeated
//     header's values joined with ",";
//   - queryStringParameters are decoded, a repeated key's values joined
//     with ",";
//   - the body is base64 with isBase64Encoded unless its media type is
//     text (isTextMediaType);
//   - requestContext.authorizer is {"jwt":{claims, scopes}} behind a JWT
//     authorizer, {"lambda": context} behind a Lambda authorizer, and
//     absent without authorizer.
//
// Empty fields are left out, never null.
func HTTPEvent(r *http.Request, inv *gateway.Invocation, body []byte) ([]byte, error) {
	ev := httpEvent{Version: "2.0"}
	ev.set(r, inv)
	if len(body) > 0 {
		if isTextMediaType(r.Header.Get("Content-Type")) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	if a := httpAuthorizerV2(inv); a != nil {
		ev.RequestContext.Authorizer = a
	}
	return json.Marshal(&ev)
}

// set fills in the fields of the request r that inv describes, but for
// requestContext.authorizer.
func (f *httpRequestFields) set(r *http.Request, inv *gateway.Invocation) {
	f.RouteKey = inv.RouteKey
	f.RawPath = decodedPath(rawPath(inv))
	f.RawQueryString = r.URL.RawQuery
	f.Headers = make(map[string]string, len(r.Header)+4)
	eachEventHeader(r, func(canonical string, vs []string) {
		if canonical == "Cookie" {
			for _, v := range vs {
				for c := range strings.SplitSeq(v, "; ") {
					if c != "" {
						f.Cookies = append(f.Cookies, c)
					}
				}
			}
			return
		}
		v := vs[0]
		if len(vs) > 1 {
			v = strings.Join(vs, ",")
		}
		f.Headers[lowerHeaderName(canonical)] = v
	})
	if r.URL.RawQuery != "" {
		q, _ := url.ParseQuery(r.URL.RawQuery) // what parses; API Gateway drops the rest too
		if len(q) > 0 {
			f.QueryStringParameters = make(map[string]string, len(q))
			for k, vs := range q {
				f.QueryStringParameters[k] = strings.Join(vs, ",")
			}
		}
	}
	f.PathParameters = httpPathParameters(inv)
	f.StageVariables = inv.StageVariables

	rc := &f.RequestContext
	rc.AccountID = tollgate.AccountID
	if inv.API != nil {
		rc.APIID = inv.API.ID
	}
	rc.DomainName = inv.DomainName
	rc.DomainPrefix = inv.DomainPrefix
	rc.HTTP = httpInfo{
		Method:    r.Method,
		Path:      f.RawPath,
		Protocol:  r.Proto,
		SourceIP:  gateway.SourceIP(r),
		UserAgent: r.UserAgent(),
	}
	rc.RequestID = inv.RequestID
	rc.RouteKey = inv.RouteKey
	if inv.Stage != nil {
		rc.Stage = inv.Stage.Name
	}
	rc.Time = inv.RequestTime.UTC().Format(requestTimeLayout)
	rc.TimeEpoch = inv.RequestTime.UnixMilli()
}

// httpAuthorizerV2 returns a 2.0 event's requestContext.authorizer for
// inv: httpAuthorizerV1's, a JWT authorizer's claims under "jwt".
func httpAuthorizerV2(inv *gateway.Invocation) any {
	a := httpAuthorizerV1(inv)
	if c, ok := a.(*jwtClaims); ok {
		return &httpJWTAuthorizer{JWT: c}
	}
	return a
}

// httpAuthorizerV1 returns an HTTP API's 1.0 event's
// requestContext.authorizer for inv: a *jwtClaims behind a JWT
// authorizer, an httpLambdaAuthorizer behind a Lambda authorizer, nil
// without authorizer.
func httpAuthorizerV1(inv *gateway.Invocation) any {
	switch {
	case inv.Claims != nil: // on an HTTP API, a JWT authorizer's
		c := &jwtClaims{Claims: inv.HTTPClaims(), Scopes: inv.Scopes()}
		if len(c.Scopes) == 0 {
			c.Scopes = nil
		}
		return c
	case inv.Authorizer != "": // a Lambda authorizer's
		ctx := inv.AuthorizerContext
		if ctx == nil {
			ctx = map[string]any{}
		}
		return httpLambdaAuthorizer{Lambda: ctx}
	}
	return nil
}

// isTextMediaType reports whether an HTTP API passes a request body of
// Content-Type contentType to Lambda as text rather than base64: for
// text/*, application/json, application/xml and application/javascript
// only; anything else, application/x-www-form-urlencoded and a missing or
// unparsable Content-Type included, is base64. The documentation says only
// "if the content type of the request is binary, the body is
// base64-encoded" (http-api-develop-integrations-lambda); the list is the
// split measured on AWS (HTTP API, payload 2.0) and reported in
// ministackorg/ministack#766, and agrees with floci-io/floci#2172's
// capture (application/octet-stream → base64). Parameters (charset) are
// not looked at: that they matter is unconfirmed.
func isTextMediaType(contentType string) bool {
	if contentType == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	if strings.HasPrefix(mt, "text/") {
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript":
		return true
	}
	return false
}

// decodedPath is a path as HTTP APIs put it in events: percent-decoded,
// "%2F" included, "+" left as it is (url.PathUnescape). API Gateway's HTTP
// APIs decode rawPath, requestContext.http.path, pathParameters and
// payload 1.0's path, where REST APIs keep them encoded: live captures in
// hotsock/voker#8, relied on by middleapi/standard-server#93; an AWS
// engineer in aws/aws-lambda-dotnet#1901; Worklytics/psoxy#827.
// rawQueryString stays encoded. A path with an invalid escape ("%zz") is
// kept raw: what API Gateway does with one is not recorded, and a raw
// path loses nothing. A path without "%" is returned as it is, without
// allocating.
func decodedPath(p string) string {
	if strings.IndexByte(p, '%') < 0 {
		return p
	}
	d, err := url.PathUnescape(p)
	if err != nil {
		return p
	}
	return d
}

// httpPathParameters returns an HTTP API's event's pathParameters: inv's,
// each value decoded (decodedPath), or nil without any.
func httpPathParameters(inv *gateway.Invocation) map[string]string {
	m := inv.PathParameters()
	for k, v := range m {
		m[k] = decodedPath(v)
	}
	return m
}
