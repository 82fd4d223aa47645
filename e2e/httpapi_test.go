package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/tollgate/tollgate"
)

// HTTP APIs' answers (apigw-beyond.md §4.5, the HTTP API error table):
// bodies with a lower-case "message", no x-amzn-ErrorType, and the
// request id in apigw-requestid (V cortexlabs/cortex #1225, a capture of a
// 503 with apigw-requestid; D APIGW23:http-api-troubleshooting-jwt.md).
const (
	httpNotFound     = `{"message":"Not Found"}`             // D APIGW23:http-api-develop-routes.md
	httpUnauthorized = `{"message":"Unauthorized"}`          // D http-api-troubleshooting-jwt; D http-api-lambda-authorizer
	httpForbidden    = `{"message":"Forbidden"}`             // §4.3 (V capture of a missing scope), §4.4 (E)
	httpInternal     = `{"message":"Internal Server Error"}` // D APIGW23:http-api-troubleshooting-lambda.md
	httpUnavailable  = `{"message":"Service Unavailable"}`   // V cortexlabs/cortex #1225
)

// httpAPIConfig declares the HTTP APIs of TestHTTPAPI, as CDK's HttpApi
// would (internal/config/httpapis.go):
//
//   - Shop: CORS, the $default stage and a named stage "dev" with a stage
//     variable; JWT authorizers on the local pool (HttpUserPoolAuthorizer)
//     and on the test's OpenID issuer (HttpJwtAuthorizer); Lambda REQUEST
//     authorizers SIMPLE (payload 2.0) and IAM (payload 1.0), both cached;
//     AWS_PROXY routes in payload 2.0 and 1.0, HTTP_PROXY routes, and a
//     $default route (defaultIntegration) to the upstream.
//   - Zoo: the routes of the routing example of
//     APIGW23:http-api-develop-routes.md ("Routing API requests"), with a
//     $default route.
//   - Bare: one route, no $default route: what matches nothing is 404.
//
// Arguments: the functions' code directory, the authorizers' calls file,
// the OpenID issuer, the upstream's URL, the pool's YAML.
const httpAPIConfig = `region: us-east-1
userPools:
%[5]sfunctions:
  - {id: Echo, runtime: nodejs22.x, handler: index.echo, code: "%[1]s", timeout: 10s}
  - {id: Plain, runtime: nodejs22.x, handler: index.plain, code: "%[1]s", timeout: 10s}
  - {id: Fail, runtime: nodejs22.x, handler: index.fail, code: "%[1]s", timeout: 10s}
  - {id: Slow, runtime: nodejs22.x, handler: index.slow, code: "%[1]s", timeout: 10s}
  - {id: SimpleFn, runtime: nodejs22.x, handler: index.simple, code: "%[1]s", timeout: 5s, environment: {CALLS_FILE: "%[2]s"}}
  - {id: IamFn, runtime: nodejs22.x, handler: index.iam, code: "%[1]s", timeout: 5s, environment: {CALLS_FILE: "%[2]s"}}
httpApis:
  - id: Shop
    corsPreflight:
      allowOrigins: [https://app.example.com]
      allowMethods: [GET, POST]
      allowHeaders: [authorization, x-key]
      exposeHeaders: [x-shop]
      maxAge: 600s
    stages:
      - {stageName: dev, stageVariables: {color: blue}}
    defaultIntegration: {type: HTTP_PROXY, url: "%[4]s"}
    authorizers:
      - {id: PoolAuth, type: JWT, userPool: Pool, userPoolClients: [Partner]}
      - {id: ExtAuth, type: JWT, jwtIssuer: "%[3]s", jwtAudience: [api]}
      - {id: SimpleAuth, type: REQUEST, function: SimpleFn, responseTypes: [SIMPLE], identitySource: [$request.header.X-Key], resultsCacheTtl: 300s}
      - {id: IamAuth, type: REQUEST, function: IamFn, identitySource: [$request.header.X-Key], resultsCacheTtl: 300s}
    routes:
      - {path: /items, methods: [GET], authorizer: PoolAuth, authorizationScopes: [api/read], integration: {type: AWS_PROXY, function: Echo}}
      - {path: /items, methods: [POST], authorizer: PoolAuth, authorizationScopes: [api/write], integration: {type: AWS_PROXY, function: Echo}}
      - {path: "/items/{id}", methods: [GET], authorizer: PoolAuth, integration: {type: AWS_PROXY, function: Echo, payloadFormatVersion: "1.0"}}
      - {path: /ext, methods: [GET], authorizer: ExtAuth, integration: {type: AWS_PROXY, function: Echo}}
      - {path: "/simple/{proxy+}", authorizer: SimpleAuth, integration: {type: AWS_PROXY, function: Echo}}
      - {path: "/iam/{proxy+}", authorizer: IamAuth, integration: {type: AWS_PROXY, function: Echo}}
      - {path: "/up/{proxy+}", methods: [ANY], authorizer: PoolAuth, integration: {type: HTTP_PROXY, url: "%[4]s/v1/{proxy}"}}
      - {path: /m, methods: [GET], integration: {type: AWS_PROXY, function: Echo}}
      - {path: /m, methods: [ANY], integration: {type: AWS_PROXY, function: Echo}}
      - {path: /plain, methods: [GET], integration: {type: AWS_PROXY, function: Plain}}
      - {path: /fail, methods: [GET], integration: {type: AWS_PROXY, function: Fail}}
      - {path: /slow, methods: [GET], integration: {type: AWS_PROXY, function: Slow, timeout: 1s}}
  - id: Zoo
    defaultIntegration: {type: AWS_PROXY, function: Echo}
    routes:
      - {path: /pets/dog/1, methods: [GET], integration: {type: AWS_PROXY, function: Echo}}
      - {path: "/pets/dog/{id}", methods: [GET], integration: {type: AWS_PROXY, function: Echo}}
      - {path: "/pets/{proxy+}", methods: [GET], integration: {type: AWS_PROXY, function: Echo}}
      - {path: "/{proxy+}", methods: [ANY], integration: {type: AWS_PROXY, function: Echo}}
  - id: Bare
    corsPreflight: {allowOrigins: [https://app.example.com], allowMethods: [GET, POST], allowHeaders: [authorization, x-key], maxAge: 600s}
    routes:
      - {path: /only, methods: [GET], integration: {type: AWS_PROXY, function: Echo}}
`

// httpStack is the running Tollgate of TestHTTPAPI and what talks to it.
type httpStack struct {
	base             string // http://127.0.0.1:PORT
	port             string
	shop, zoo, bare  string // the APIs' ids
	clientID, token  string // the pool's client, and an access token of it (scope api/read)
	issuer           string // the local pool's issuer
	calls            string // the authorizers' calls file
	seen             chan upstreamRequest
	extSign          func(claims map[string]any) string
	extIssuer        string
	dev              *proc
	devInfo          devInfo
	shopURL, zooURL  string // path forms, with a trailing slash
	bareURL, shopDev string
}

// upstreamRequest is what the HTTP_PROXY upstream received.
type upstreamRequest struct {
	method, path, query string
	header              http.Header
}

func startHTTPAPIStack(t *testing.T) *httpStack {
	t.Helper()
	needProgram(t, "node")
	s := &httpStack{seen: make(chan upstreamRequest, 16)}

	// The external issuer: an OpenID discovery document and a JWKS over
	// TLS, RS256 (HTTP APIs' JWT authorizers verify RSA keys: §4.3, D
	// APIGW23:http-api-jwt-authorizer.md).
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": s.extIssuer, "jwks_uri": s.extIssuer + "/jwks.json"})
	})
	mux.HandleFunc("GET /jwks.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "rs-1", Algorithm: "RS256", Use: "sig"}}})
	})
	idp := httptest.NewTLSServer(mux)
	t.Cleanup(idp.Close)
	s.extIssuer = idp.URL
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "rs-1"))
	if err != nil {
		t.Fatal(err)
	}
	s.extSign = func(claims map[string]any) string {
		tok, err := jwt.Signed(signer).Claims(claims).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	dir := t.TempDir()
	certFile := filepath.Join(dir, "idp.pem")
	writeFile(t, certFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: idp.Certificate().Raw})))

	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case s.seen <- upstreamRequest{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone()}:
		default: // a test that does not read what the upstream saw
		}
		w.Header().Set("X-Upstream", "1")
		_, _ = w.Write([]byte("upstream ok"))
	}))
	t.Cleanup(up.Close)

	s.calls = callsFile(t)
	cfg := filepath.Join(dir, "tollgate.yaml")
	writeFile(t, cfg, fmt.Sprintf(httpAPIConfig, testdata(t, "httpapi"), s.calls, s.extIssuer, up.URL, partnerPool("api/read", "read", "write")))
	s.dev, s.devInfo = startDevWith(t, []string{"SSL_CERT_FILE=" + certFile}, t.TempDir(), "--config", cfg)
	s.clientID, s.issuer = s.devInfo.ClientID, s.devInfo.Issuer
	s.base = strings.TrimSuffix(s.devInfo.TokenURL, "/oauth2/token")
	u, err := url.Parse(s.base)
	if err != nil {
		t.Fatal(err)
	}
	s.port = u.Port()
	// An API's id derives from its logical id (internal/config/httpapis.go).
	s.shop, s.zoo, s.bare = tollgate.RestAPIID("Shop"), tollgate.RestAPIID("Zoo"), tollgate.RestAPIID("Bare")
	s.shopURL = s.base + "/apis/" + s.shop + "/"
	s.shopDev = s.shopURL + "dev/"
	s.zooURL = s.base + "/apis/" + s.zoo + "/"
	s.bareURL = s.base + "/apis/" + s.bare + "/"
	s.token = getToken(t, s.devInfo.TokenURL, s.clientID, s.devInfo.ClientSecret)
	// dev prints each HTTP API's URLs: the $default stage's, and the named
	// stages'.
	for _, line := range []string{"HTTP API Shop: " + s.shop, "  Stage $default:\n    API URL:    " + s.shopURL + "\n", "  Stage dev:\n    API URL:    " + s.shopDev + "\n"} {
		if !strings.Contains(s.dev.Output(), line) {
			t.Errorf("dev did not print %q:\n%s", line, s.dev.Output())
		}
	}
	return s
}

// do sends a request with headers (a header given twice as "a\nb" is
// sent as two lines) and returns the answer.
func (s *httpStack) do(t *testing.T, method, u string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		for _, one := range strings.Split(v, "\n") {
			req.Header.Add(k, one)
		}
	}
	return send(t, req)
}

// bearer is the Authorization header of a token.
func (s *httpStack) bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

// event decodes the event the echo function answered with.
func event(t *testing.T, what string, resp *http.Response, body []byte) map[string]any {
	t.Helper()
	var ev map[string]any
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &ev) != nil {
		t.Fatalf("%s: %s %s, want 200 and the echoed event", what, resp.Status, body)
	}
	return ev
}

// at returns the value at a dotted path of a decoded JSON object, nil if
// any step is missing.
func at(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// wantFields checks an event's fields by dotted path (JSON-typed values:
// strings, float64, []any, map[string]any; nil for absent).
func wantFields(t *testing.T, what string, ev map[string]any, want map[string]any) {
	t.Helper()
	for path, w := range want {
		if got := at(ev, path); !reflect.DeepEqual(got, w) {
			t.Errorf("%s: %s = %#v, want %#v", what, path, got, w)
		}
	}
}

// wantHTTPAnswer checks an HTTP API's own answer: status and body, the
// apigw-requestid header, and no x-amzn-ErrorType (§4.3 "Error headers").
func wantHTTPAnswer(t *testing.T, what string, resp *http.Response, body []byte, status int, wantJSON string) {
	t.Helper()
	wantBody(t, what, resp, body, status, wantJSON)
	if resp.Header.Get("apigw-requestid") == "" {
		t.Errorf("%s: no apigw-requestid header", what)
	}
	if et := resp.Header.Get("x-amzn-ErrorType"); et != "" {
		t.Errorf("%s: x-amzn-ErrorType %q: HTTP APIs send none", what, et)
	}
}

var (
	digits     = regexp.MustCompile(`^[0-9]+$`)
	reHTTPTime = regexp.MustCompile(`^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$`)
)

// TestHTTPAPI runs HTTP APIs declared in YAML through the real binary:
// addressing, stages, routing, JWT and Lambda authorizers, payload 2.0
// and 1.0 events and results, HTTP_PROXY, CORS and HTTP APIs' answers.
func TestHTTPAPI(t *testing.T) {
	s := startHTTPAPIStack(t)

	t.Run("JWT authorizer on the local pool, payload 2.0", func(t *testing.T) {
		hdr := s.bearer(s.token)
		hdr["Cookie"] = "a=1; b=2"
		hdr["X-Multi"] = "1\n2"
		hdr["X-Shop-Test"] = "Mixed Case"
		resp, body := s.do(t, "GET", s.shopURL+"items?q=1&q=2&e=", hdr)
		ev := event(t, "GET /items", resp, body)
		// The 2.0 event (§4.2; D APIGW23:http-api-develop-integrations-lambda.md;
		// V aws-lambda-go events/testdata/apigw-v2-request-no-authorizer.json,
		// a real capture): lower-cased headers, repeats comma-joined, the
		// Cookie header moved to cookies[], rawQueryString as sent.
		wantFields(t, "2.0 event", ev, map[string]any{
			"version":                      "2.0",
			"routeKey":                     "GET /items",
			"rawPath":                      "/items",
			"rawQueryString":               "q=1&q=2&e=",
			"cookies":                      []any{"a=1", "b=2"},
			"headers.x-multi":              "1,2",
			"headers.x-shop-test":          "Mixed Case",
			"headers.X-Shop-Test":          nil,
			"headers.cookie":               nil,
			"queryStringParameters.q":      "1,2",
			"isBase64Encoded":              false,
			"requestContext.apiId":         s.shop,
			"requestContext.routeKey":      "GET /items",
			"requestContext.stage":         "$default",
			"requestContext.http.method":   "GET",
			"requestContext.http.path":     "/items",
			"requestContext.http.protocol": "HTTP/1.1",
			"requestContext.http.sourceIp": "127.0.0.1",
			"requestContext.requestId":     resp.Header.Get("apigw-requestid"),
			"requestContext.authorizer.jwt.claims.client_id": s.clientID,
			"requestContext.authorizer.jwt.claims.scope":     "api/read",
			"requestContext.authorizer.jwt.claims.token_use": "access",
			"requestContext.authorizer.jwt.claims.iss":       s.issuer,
			"requestContext.authorizer.jwt.scopes":           []any{"api/read"},
			"stageVariables":                                 nil, // empty fields are omitted (§4.2)
			"body":                                           nil,
		})
		if ev["multiValueHeaders"] != nil {
			t.Errorf("2.0 event has multiValueHeaders")
		}
		// JWT claims are all strings in payload 2.0: numbers as their
		// decimal text (§4.2 "JWT claims": V guidance-for-claude-code-with-
		// amazon-bedrock PR #803; E floci-io/floci PR #2011).
		for _, c := range []string{"exp", "iat", "auth_time", "version"} {
			if v, ok := at(ev, "requestContext.authorizer.jwt.claims."+c).(string); !ok || !digits.MatchString(v) {
				t.Errorf("claim %s = %#v, want a string of digits", c, at(ev, "requestContext.authorizer.jwt.claims."+c))
			}
		}
		if v, _ := at(ev, "requestContext.time").(string); !reHTTPTime.MatchString(v) {
			t.Errorf("requestContext.time = %q, want dd/Mon/yyyy:HH:MM:SS +0000", v)
		}
		if _, ok := at(ev, "requestContext.timeEpoch").(float64); !ok {
			t.Errorf("requestContext.timeEpoch = %#v, want milliseconds", at(ev, "requestContext.timeEpoch"))
		}
		// The result's cookies[]: one Set-Cookie each (§4.2 "Cookies").
		if got := resp.Header.Values("Set-Cookie"); !slices.Equal(got, []string{"s=1; Path=/", "t=2"}) {
			t.Errorf("Set-Cookie = %q, want the function's two cookies", got)
		}
		if resp.Header.Get("apigw-requestid") == "" {
			t.Errorf("a 200 without apigw-requestid")
		}
	})

	t.Run("named stage", func(t *testing.T) {
		// The named stage's segment stays in rawPath and http.path; routes
		// match without it (§4.1 "Stage in events": V logandk/serverless-wsgi
		// #191, rawPath "/dev/agents/1234").
		resp, body := s.do(t, "GET", s.shopDev+"items", s.bearer(s.token))
		wantFields(t, "dev stage", event(t, "GET /dev/items", resp, body), map[string]any{
			"routeKey":                 "GET /items",
			"rawPath":                  "/dev/items",
			"requestContext.http.path": "/dev/items",
			"requestContext.stage":     "dev",
			"stageVariables":           map[string]any{"color": "blue"},
		})
	})

	t.Run("payload 1.0 on an HTTP API", func(t *testing.T) {
		// §4.2 "1.0 on HTTP APIs" (D the lambda integration page's 1.0
		// sample; V dougmoscrop/serverless-http PR #143).
		resp, body := s.do(t, "GET", s.shopDev+"items/7", map[string]string{"Authorization": "Bearer " + s.token, "X-Shop-Test": "x"})
		wantFields(t, "1.0 event", event(t, "GET /dev/items/7", resp, body), map[string]any{
			"version":                     "1.0",
			"path":                        "/dev/items/7",
			"resource":                    "/items/{id}",
			"httpMethod":                  "GET",
			"pathParameters":              map[string]any{"id": "7"},
			"headers.x-shop-test":         "x",
			"requestContext.resourcePath": "/items/{id}",
			"requestContext.stage":        "dev",
			"requestContext.authorizer.claims.client_id": s.clientID,
		})
	})

	t.Run("JWT refusals", func(t *testing.T) {
		resp, body := s.do(t, "GET", s.shopURL+"items", nil)
		wantHTTPAnswer(t, "no token", resp, body, http.StatusUnauthorized, httpUnauthorized)
		resp, body = s.do(t, "GET", s.shopURL+"items", s.bearer("not.a.jwt"))
		wantHTTPAnswer(t, "a token that is not a JWT", resp, body, http.StatusUnauthorized, httpUnauthorized)
		// 401s carry an RFC 6750 challenge (§4.3: D http-api-troubleshooting-jwt).
		if h := resp.Header.Get("www-authenticate"); !strings.HasPrefix(h, "Bearer ") || !strings.Contains(h, `error="invalid_token"`) {
			t.Errorf("invalid token: www-authenticate %q, want Bearer … error=\"invalid_token\"", h)
		}
		// A valid token without the route's scope: 403 and the expected
		// scopes (§4.3 "Missing scope": V a 2024-06-16 capture).
		resp, body = s.do(t, "POST", s.shopURL+"items", s.bearer(s.token))
		wantHTTPAnswer(t, "missing scope", resp, body, http.StatusForbidden, httpForbidden)
		const want = `Bearer scope="api/write" error="insufficient_scope" error_description="expected scopes: [api/write]"`
		if h := resp.Header.Get("www-authenticate"); h != want {
			t.Errorf("missing scope: www-authenticate %q, want %q", h, want)
		}
	})

	t.Run("JWT authorizer on an external issuer", func(t *testing.T) {
		now := time.Now()
		claims := func(changes map[string]any) map[string]any {
			c := map[string]any{"iss": s.extIssuer, "aud": "api", "sub": "svc", "n": 7, "groups": []string{"a", "b"},
				"exp": now.Add(time.Hour).Unix(), "iat": now.Add(-time.Minute).Unix(), "nbf": now.Add(-time.Minute).Unix()}
			maps.Copy(c, changes)
			maps.DeleteFunc(c, func(_ string, v any) bool { return v == nil }) // nil deletes
			return c
		}
		resp, body := s.do(t, "GET", s.shopURL+"ext", s.bearer(s.extSign(claims(nil))))
		// Claims as strings, arrays Go-style "[a b]"; scopes null without
		// a scope claim (§4.2 "JWT claims").
		wantFields(t, "external issuer", event(t, "GET /ext", resp, body), map[string]any{
			"requestContext.authorizer.jwt.claims.sub":    "svc",
			"requestContext.authorizer.jwt.claims.n":      "7",
			"requestContext.authorizer.jwt.claims.groups": "[a b]",
			"requestContext.authorizer.jwt.scopes":        nil,
		})
		// client_id stands for aud only when the token has no aud (§4.3:
		// D http-api-jwt-authorizer.md).
		resp, body = s.do(t, "GET", s.shopURL+"ext", s.bearer(s.extSign(claims(map[string]any{"aud": nil, "client_id": "api"}))))
		event(t, "client_id api, no aud", resp, body)
		for _, tc := range []struct{ what, token string }{
			{"aud other, client_id api (aud decides)", s.extSign(claims(map[string]any{"aud": "other", "client_id": "api"}))},
			{"another audience", s.extSign(claims(map[string]any{"aud": "other"}))},
			{"expired", s.extSign(claims(map[string]any{"exp": now.Add(-time.Hour).Unix(), "iat": now.Add(-2 * time.Hour).Unix(), "nbf": now.Add(-2 * time.Hour).Unix()}))},
			{"another issuer", s.extSign(claims(map[string]any{"iss": s.extIssuer + "/x"}))},
			{"a token of the local pool", s.token},
		} {
			resp, body := s.do(t, "GET", s.shopURL+"ext", s.bearer(tc.token))
			wantHTTPAnswer(t, tc.what, resp, body, http.StatusUnauthorized, httpUnauthorized)
		}
		// The documented description of an audience mismatch (§4.3: D
		// http-api-troubleshooting-jwt).
		resp, _ = s.do(t, "GET", s.shopURL+"ext", s.bearer(s.extSign(claims(map[string]any{"aud": "other"}))))
		if h := resp.Header.Get("www-authenticate"); !strings.Contains(h, `error_description="the token does not have a valid audience"`) {
			t.Errorf("another audience: www-authenticate %q", h)
		}
	})

	t.Run("Lambda authorizer, simple responses, payload 2.0", func(t *testing.T) {
		key := func(k string) map[string]string { return map[string]string{"X-Key": k} }
		// No identity source: 401 without invoking (§4.4 "Identity sources").
		resp, body := s.do(t, "GET", s.shopURL+"simple/a", nil)
		wantHTTPAnswer(t, "no X-Key", resp, body, http.StatusUnauthorized, httpUnauthorized)
		if n := len(calls(t, s.calls)); n != 0 {
			t.Errorf("the authorizer ran %d times for a request without its identity source", n)
		}
		resp, body = s.do(t, "GET", s.shopURL+"simple/a?z=1", key("allow.s1"))
		ev := event(t, "allowed", resp, body)
		// The authorizer's event (§4.4 "Event 2.0"; aws-lambda-go
		// apigw-v2-custom-authorizer-v2-request.json) and its context,
		// arrays and maps included, unstringified in authorizer.lambda
		// (§4.4 "Responses"; D http-api-lambda-authorizer.md, arrayKey and
		// mapKey).
		wantFields(t, "simple", ev, map[string]any{
			"requestContext.authorizer.lambda.arr":            []any{1.0, "two"},
			"requestContext.authorizer.lambda.obj":            map[string]any{"a": 1.0},
			"requestContext.authorizer.lambda.num":            7.0,
			"requestContext.authorizer.lambda.s":              "x",
			"requestContext.authorizer.lambda.version":        "2.0",
			"requestContext.authorizer.lambda.type":           "REQUEST",
			"requestContext.authorizer.lambda.routeKey":       "ANY /simple/{proxy+}",
			"requestContext.authorizer.lambda.rawPath":        "/simple/a",
			"requestContext.authorizer.lambda.identitySource": []any{"allow.s1"},
			"requestContext.authorizer.lambda.hasBody":        false,
			"routeKey": "ANY /simple/{proxy+}",
		})
		// routeArn: the request's method and path, not the route key's
		// template (recorded events: code-index files 53634745808,
		// 26444175391).
		reARN := regexp.MustCompile(`^arn:aws:execute-api:us-east-1:\d{12}:` + s.shop + `/\$default/[A-Z]+/simple/a$`)
		if arn, _ := at(ev, "requestContext.authorizer.lambda.routeArn").(string); !reARN.MatchString(arn) {
			t.Errorf("routeArn %q, want %s", arn, reARN)
		}
		// The cache is keyed by the identity values only: another route
		// and method reuse the answer (§4.4 "Caching").
		resp, body = s.do(t, "POST", s.shopURL+"simple/b/c", key("allow.s1"))
		event(t, "cached, another path and method", resp, body)
		if n := callsOf(t, s.calls, "simple allow.s1"); n != 1 {
			t.Errorf("two requests with one identity: the authorizer ran %d times, want 1 (TTL 300 s)", n)
		}
		// §4.4 "Failures": false → 403, "Unauthorized" → 401, else 500.
		for _, tc := range []struct {
			key, body string
			status    int
		}{
			{"deny.s1", httpForbidden, http.StatusForbidden},
			{"unauthorized.s1", httpUnauthorized, http.StatusUnauthorized},
			{"boom.s1", httpInternal, http.StatusInternalServerError},
		} {
			resp, body := s.do(t, "GET", s.shopURL+"simple/a", key(tc.key))
			wantHTTPAnswer(t, tc.key, resp, body, tc.status, tc.body)
		}
	})

	t.Run("Lambda authorizer, IAM policy, payload 1.0", func(t *testing.T) {
		key := func(k string) map[string]string { return map[string]string{"X-Key": k} }
		resp, body := s.do(t, "GET", s.shopURL+"iam/a", key("allow.i1"))
		ev := event(t, "IAM allow", resp, body)
		// The 1.0 event: REST's REQUEST event with version 1.0, and
		// identitySource and authorizationToken the values comma-joined
		// (§4.4 "Event 1.0"; aws-lambda-go apigw-v2-custom-authorizer-v1-request.json).
		wantFields(t, "IAM", ev, map[string]any{
			"requestContext.authorizer.lambda.k":                  "v",
			"requestContext.authorizer.lambda.version":            "1.0",
			"requestContext.authorizer.lambda.type":               "REQUEST",
			"requestContext.authorizer.lambda.identitySource":     "allow.i1",
			"requestContext.authorizer.lambda.authorizationToken": "allow.i1",
		})
		if arn, _ := at(ev, "requestContext.authorizer.lambda.methodArn").(string); !strings.HasPrefix(arn, "arn:aws:execute-api:us-east-1:") {
			t.Errorf("methodArn %q", arn)
		}
		resp, body = s.do(t, "GET", s.shopURL+"iam/b", key("allow.i1"))
		event(t, "IAM allow, cached", resp, body)
		if n := callsOf(t, s.calls, "iam allow.i1"); n != 1 {
			t.Errorf("two requests with one identity: the IAM authorizer ran %d times, want 1", n)
		}
		resp, body = s.do(t, "GET", s.shopURL+"iam/a", key("deny.i1"))
		wantHTTPAnswer(t, "IAM deny", resp, body, http.StatusForbidden, httpForbidden)
	})

	t.Run("results", func(t *testing.T) {
		// A 2.0 result without statusCode: 200, application/json, the
		// whole value as body (§4.2: D lambda integration page).
		resp, body := s.do(t, "GET", s.shopURL+"plain", nil)
		var got map[string]any
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
			json.Unmarshal(body, &got) != nil || !reflect.DeepEqual(got, map[string]any{"hello": "world", "n": 1.0}) {
			t.Errorf("a result without statusCode: %s %q %s, want 200 application/json {\"hello\":\"world\",\"n\":1}", resp.Status, resp.Header.Get("Content-Type"), body)
		}
		resp, body = s.do(t, "GET", s.shopURL+"fail", nil)
		wantHTTPAnswer(t, "a function error", resp, body, http.StatusInternalServerError, httpInternal)
		// The integration's timeout (1 s here) passed: 503 (§4.5).
		resp, body = s.do(t, "GET", s.shopURL+"slow", nil)
		wantHTTPAnswer(t, "integration timeout", resp, body, http.StatusServiceUnavailable, httpUnavailable)
	})

	t.Run("routing", func(t *testing.T) {
		// APIGW23:http-api-develop-routes.md, "Routing API requests": the
		// example's requests and the routes they select; "/" matches the
		// root greedy route with proxy "" (as recorded on AWS: see
		// gateway's rootGreedy), and a method no route names goes to
		// $default.
		for _, tc := range []struct{ method, url, routeKey string }{
			{"GET", s.zooURL + "pets/dog/1", "GET /pets/dog/1"},
			{"GET", s.zooURL + "pets/dog/2", "GET /pets/dog/{id}"},
			{"GET", s.zooURL + "pets/cat/1", "GET /pets/{proxy+}"},
			{"POST", s.zooURL + "test/5", "ANY /{proxy+}"},
			{"POST", s.zooURL + "pets/dog/1", "ANY /{proxy+}"},
			{"GET", s.zooURL, "ANY /{proxy+}"},
			{"PROPFIND", s.zooURL + "pets/dog/1", "$default"},
			// An exact method beats ANY (§4.1 "Selection").
			{"GET", s.shopURL + "m", "GET /m"},
			{"DELETE", s.shopURL + "m", "ANY /m"},
		} {
			resp, body := s.do(t, tc.method, tc.url, nil)
			ev := event(t, tc.method+" "+tc.url, resp, body)
			if ev["routeKey"] != tc.routeKey {
				t.Errorf("%s %s: route %v, want %s", tc.method, tc.url, ev["routeKey"], tc.routeKey)
			}
		}
		resp, body := s.do(t, "GET", s.zooURL+"pets/dog/2", nil)
		wantFields(t, "path parameters", event(t, "GET /pets/dog/2", resp, body), map[string]any{"pathParameters": map[string]any{"id": "2"}})
		resp, body = s.do(t, "GET", s.zooURL+"pets/cat/1", nil)
		wantFields(t, "greedy", event(t, "GET /pets/cat/1", resp, body), map[string]any{"pathParameters": map[string]any{"proxy": "cat/1"}})

		// No route, another method, no such stage and no $default route:
		// 404 {"message":"Not Found"} (§4.1; D http-api-develop-routes.md).
		for _, tc := range []struct{ method, url string }{
			{"GET", s.bareURL + "nothing"},
			{"POST", s.bareURL + "only"},
			{"GET", s.bareURL + "dev/only"},
			{"GET", s.bareURL},
		} {
			resp, body := s.do(t, tc.method, tc.url, nil)
			wantHTTPAnswer(t, tc.method+" "+tc.url, resp, body, http.StatusNotFound, httpNotFound)
		}
		resp, body = s.do(t, "GET", s.bareURL+"only", nil)
		event(t, "Bare GET /only", resp, body)
	})

	t.Run("HTTP_PROXY", func(t *testing.T) {
		drain(s.seen)
		// {proxy} substituted in the integration's URL, the query passed on
		// (§4.5 "HTTP_PROXY": D http-api-develop-integrations-http.md).
		resp, body := s.do(t, "GET", s.shopURL+"up/a/b?x=1", s.bearer(s.token))
		if resp.StatusCode != http.StatusOK || string(body) != "upstream ok" {
			t.Fatalf("HTTP_PROXY: %s %s", resp.Status, body)
		}
		if r := <-s.seen; r.method != "GET" || r.path != "/v1/a/b" || r.query != "x=1" {
			t.Errorf("the upstream got %s %s?%s, want GET /v1/a/b?x=1", r.method, r.path, r.query)
		}
		// The $default route forwards the full path (§4.5: D
		// http-api-develop-routes.md, /store/checkout).
		resp, body = s.do(t, "PUT", s.shopURL+"store/checkout?y=2", nil)
		if resp.StatusCode != http.StatusOK || string(body) != "upstream ok" {
			t.Fatalf("$default HTTP_PROXY: %s %s", resp.Status, body)
		}
		if r := <-s.seen; r.method != "PUT" || r.path != "/store/checkout" || r.query != "y=2" {
			t.Errorf("the upstream got %s %s?%s, want PUT /store/checkout?y=2", r.method, r.path, r.query)
		}
	})

	t.Run("CORS", func(t *testing.T) {
		before := len(calls(t, s.calls))
		preflight := map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-key"}
		// A preflight no route takes is answered from the API's
		// configuration, "even if there isn't an OPTIONS route configured"
		// (§4.5 "CORS": D APIGW23:http-api-cors.md): Bare has a GET route
		// and no $default route.
		for _, p := range []string{"only", "no/such/route"} {
			resp, body := s.do(t, "OPTIONS", s.bareURL+p, preflight)
			h := resp.Header
			// 204: the status of the preflight is not documented (§5.9); AWS
			// answers 204 No Content, as the gateway does.
			if resp.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
				!strings.Contains(strings.ToUpper(h.Get("Access-Control-Allow-Methods")), "POST") ||
				!strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "x-key") ||
				h.Get("Access-Control-Max-Age") != "600" {
				t.Errorf("preflight %s: %s %s %v", p, resp.Status, body, h)
			}
		}
		if after := len(calls(t, s.calls)); after != before {
			t.Errorf("preflights ran the Lambda authorizer %d times", after-before)
		}
		// One an ANY route takes goes to it, through its authorizer: an
		// authorized ANY /{proxy+} route refuses preflights on AWS
		// ("Fixing up CORS errors in HTTP API", dev.to/aws-builders,
		// 2023); the refusal carries the API's CORS headers.
		resp, body := s.do(t, "OPTIONS", s.shopURL+"up/x", preflight)
		if resp.StatusCode != http.StatusUnauthorized || string(body) != `{"message":"Unauthorized"}` ||
			resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
			t.Errorf("a preflight an authorized ANY route takes: %s %s %v", resp.Status, body, resp.Header)
		}
		// One that only the $default route matches goes to it: "The
		// $default route catches requests for all methods and routes that
		// you haven't explicitly defined, including OPTIONS requests"
		// (http-api-cors.md): a path no route has, and /items, whose routes
		// are GET and POST only. Here the $default route is the upstream;
		// its answer gets the configured CORS headers.
		for _, p := range []string{"no/such/route", "items"} {
			drain(s.seen)
			resp, body = s.do(t, "OPTIONS", s.shopURL+p, preflight)
			if resp.StatusCode != http.StatusOK || string(body) != "upstream ok" || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
				t.Errorf("a preflight only $default matches, %s: %s %s %v, want the upstream's answer with the API's CORS headers", p, resp.Status, body, resp.Header)
			} else if r := <-s.seen; r.method != "OPTIONS" || r.path != "/"+p {
				t.Errorf("the upstream got %s %s, want OPTIONS /%s", r.method, r.path, p)
			}
		}
		// An origin not allowed gets no CORS headers.
		resp, _ = s.do(t, "OPTIONS", s.shopURL+"items", map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
		if v := resp.Header.Get("Access-Control-Allow-Origin"); v != "" {
			t.Errorf("a preflight from another origin: Access-Control-Allow-Origin %q", v)
		}
		// Other answers get the configured headers; the backend's own CORS
		// headers are ignored (the echo function sets another origin).
		resp, body = s.do(t, "GET", s.shopURL+"items", map[string]string{"Authorization": "Bearer " + s.token, "Origin": "https://app.example.com"})
		event(t, "GET with Origin", resp, body)
		if got := resp.Header.Values("Access-Control-Allow-Origin"); !slices.Equal(got, []string{"https://app.example.com"}) ||
			!strings.Contains(strings.ToLower(resp.Header.Get("Access-Control-Expose-Headers")), "x-shop") {
			t.Errorf("GET with Origin: Access-Control-Allow-Origin %q, -Expose-Headers %q", got, resp.Header.Get("Access-Control-Expose-Headers"))
		}
	})

	t.Run("execute-api host", func(t *testing.T) {
		// {apiId}.execute-api.{region}.{base}: the Go client dials
		// loopback with that Host; curl resolves *.localhost itself.
		host := s.shop + ".execute-api.us-east-1.localhost"
		req, err := http.NewRequest("GET", s.base+"/items", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host + ":" + s.port
		req.Header.Set("Authorization", "Bearer "+s.token)
		resp, body := send(t, req)
		wantFields(t, "host form", event(t, "GET /items on the host", resp, body), map[string]any{
			"routeKey":                    "GET /items",
			"rawPath":                     "/items",
			"requestContext.domainName":   host,
			"requestContext.domainPrefix": s.shop,
		})
		needProgram(t, "curl")
		out, err := exec.Command("curl", "--silent", "--show-error", "--include", "-H", "Authorization: Bearer "+s.token,
			fmt.Sprintf("http://%s:%s/dev/items", host, s.port)).CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), "HTTP/1.1 200") || !strings.Contains(string(out), `"rawPath":"/dev/items"`) ||
			!strings.Contains(strings.ToLower(string(out)), "\napigw-requestid: ") {
			t.Errorf("curl on the execute-api host: %v\n%s", err, out)
		}
	})
}

// drain empties c of what earlier requests left.
func drain(c chan upstreamRequest) {
	for {
		select {
		case <-c:
		default:
			return
		}
	}
}

// TestHTTPAPIValidate: `tollgate validate` places each problem of an
// httpApis section at its file, line and column.
func TestHTTPAPIValidate(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "tollgate.yaml")
	writeFile(t, cfg, `functions:
  - {id: Fn, runtime: nodejs22.x, handler: index.handler, code: .}
httpApis:
  - id: Api
    stages:
      - stageName: dev.1
    authorizers:
      - {id: Auth, type: REQUEST, function: Fn, resultsCacheTtl: 1.5s}
    routes:
      - path: /a/{proxy+}/b
        integration: {type: AWS_PROXY, function: Fn}
      - path: /c
        authorizer: Nobody
        integration: {type: AWS_PROXY, function: Missing}
`)
	_, stderr, code := run(t, nil, "validate", cfg)
	if code != 2 {
		t.Fatalf("validate exited %d, want 2:\n%s", code, stderr)
	}
	// Each line of the config that holds a problem is named, file:line:col.
	for _, line := range []int{6, 8, 10, 13, 14} {
		re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(cfg) + fmt.Sprintf(`:%d:\d+: httpApis\[0\]`, line))
		if !re.MatchString(stderr) {
			t.Errorf("no problem at line %d:\n%s", line, stderr)
		}
	}
	if !strings.Contains(stderr, "nothing was started") {
		t.Errorf("validate's summary is missing:\n%s", stderr)
	}
}
