package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/jwks"
)

const (
	apiID    = "abc123defg"
	execHost = apiID + ".execute-api.us-east-1.localhost"
)

// testAPI is the seed stack's API with a few more methods.
func testAPI(f *fixture) *tollgate.RestAPI {
	authz := f.authorizerAB()
	upstream := tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://upstream.internal/{proxy}"}
	mock := tollgate.Integration{Type: tollgate.IntegrationMock}
	return &tollgate.RestAPI{
		ID:     apiID,
		Name:   "seed",
		Region: "us-east-1",
		Stages: []tollgate.Stage{
			{Name: "prod", Variables: map[string]string{"backend": "blue"}},
			{Name: "dev"},
		},
		Routes: []tollgate.Route{
			{ResourcePath: "/", Method: "GET", Integration: mock},
			{ResourcePath: "/{proxy+}", Method: "ANY", Authorizer: authz, AuthorizationScopes: []string{scope}, Integration: upstream},
			{ResourcePath: "/open/{id}", Method: "GET", Integration: upstream},
			{ResourcePath: "/idtoken", Method: "GET", Authorizer: authz, Integration: mock},
			{ResourcePath: "/teapot", Method: "GET", Integration: tollgate.Integration{Type: tollgate.IntegrationMock, MockStatus: 418}},
			{ResourcePath: "/mock", Method: "GET", Authorizer: authz, AuthorizationScopes: []string{scope}, Integration: mock},
		},
		DomainNames: []tollgate.APIDomain{{DomainName: "API.Example.com", Stage: "prod", BasePath: "v1"}},
	}
}

// env is a gateway in front of a recording integration.
type env struct {
	f   *fixture
	gw  *gateway.Gateway
	obs *observer

	mu   sync.Mutex
	last *gateway.Invocation
	body []byte
	err  error
}

func newEnv(t testing.TB, edit func(*tollgate.RestAPI, *gateway.Options)) *env {
	t.Helper()
	e := &env{f: newFixture(t), obs: &observer{}}
	api := testAPI(e.f)
	opts := gateway.Options{
		Integrations: gateway.IntegrationsFunc(e.integration),
		Issuer:       issuerOf,
		Keys:         e.f.keys,
		Revoked:      e.f.isRevoked,
		Cache:        e.f.cache,
		JWKS:         jwks.Options{Client: e.f.srv.Client()},
		Observer:     e.obs,
		Now:          e.f.clock.Now,
		Logger:       quiet,
	}
	if edit != nil {
		edit(api, &opts)
	}
	opts.APIs = []*tollgate.RestAPI{api}
	gw, err := gateway.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	e.gw = gw
	return e
}

// integration is every route's HTTP_PROXY handler: it records the
// Invocation and the body read, and answers 200.
func (e *env) integration(api *tollgate.RestAPI, r *tollgate.Route) (gateway.Integration, error) {
	if r.Integration.Type != tollgate.IntegrationHTTPProxy {
		return nil, fmt.Errorf("asked for a %s integration", r.Integration.Type)
	}
	return integrationFunc(func(w http.ResponseWriter, req *http.Request, inv *gateway.Invocation) {
		body, err := io.ReadAll(req.Body)
		e.mu.Lock()
		e.last, e.body, e.err = inv, body, err
		e.mu.Unlock()
		if err != nil {
			gateway.WriteResponse(w, gateway.ResponseRequestTooLarge)
			return
		}
		w.Write([]byte("ok"))
	}), nil
}

// integrationFunc adapts a function to gateway.Integration.
type integrationFunc func(w http.ResponseWriter, r *http.Request, inv *gateway.Invocation)

func (f integrationFunc) Serve(w http.ResponseWriter, r *http.Request, inv *gateway.Invocation) {
	f(w, r, inv)
}

// notFound is an integration that answers 404.
var notFound = integrationFunc(func(w http.ResponseWriter, r *http.Request, _ *gateway.Invocation) { http.NotFound(w, r) })

func (e *env) invocation() (*gateway.Invocation, []byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	inv := e.last
	e.last = nil
	return inv, e.body, e.err
}

func (e *env) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.gw.ServeHTTP(w, r)
	return w
}

func request(method, host, target, token string) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	r.Host = host
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return r
}

type observed struct {
	API, Stage, Resource, Method string
	Status                       int
}

type observedAuth struct {
	Authorizer string
	Decision   gateway.Decision
	Cached     bool
}

type observer struct {
	mu    sync.Mutex
	reqs  []observed
	auths []observedAuth
}

func (o *observer) ObserveRequest(api, stage, resource, method string, status int, d time.Duration) {
	o.mu.Lock()
	o.reqs = append(o.reqs, observed{api, stage, resource, method, status})
	o.mu.Unlock()
}

func (o *observer) ObserveAuthorizer(authorizer string, decision gateway.Decision, cached bool) {
	o.mu.Lock()
	o.auths = append(o.auths, observedAuth{authorizer, decision, cached})
	o.mu.Unlock()
}

func (o *observer) take() ([]observed, []observedAuth) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, a := o.reqs, o.auths
	o.reqs, o.auths = nil, nil
	return r, a
}

// TestGatewayAddressing: the API and stage come from the execute-api host,
// a custom domain, or the path forms; anything unknown is 403 Missing
// Authentication Token.
func TestGatewayAddressing(t *testing.T) {
	e := newEnv(t, nil)
	tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	tests := []struct {
		host, target string
		status       int
		resource     string // "" for the root MOCK or a refusal
		path         string // the Invocation's Path
	}{
		{execHost + ":8080", "/prod/hello/world", 200, "/{proxy+}", "/hello/world"},
		{execHost, "/dev/hello", 200, "/{proxy+}", "/hello"},
		{strings.ToUpper(execHost) + ".", "/prod/hello", 200, "/{proxy+}", "/hello"},
		{execHost, "/prod", 200, "", ""},
		{execHost, "/prod/", 200, "", ""},
		{execHost, "/", 403, "", ""},
		{execHost, "/beta/hello", 403, "", ""},
		{execHost, "/Prod/hello", 403, "", ""},
		{apiID + ".execute-api.eu-west-1.localhost", "/prod/hello", 403, "", ""},
		{"zzzzzzzzzz.execute-api.us-east-1.localhost", "/prod/hello", 403, "", ""},
		{"127.0.0.1:8080", "/restapis/" + apiID + "/prod/_user_request_/hello/world", 200, "/{proxy+}", "/hello/world"},
		{"localhost", "/restapis/" + apiID + "/prod/_user_request_", 200, "", ""},
		{"localhost", "/restapis/" + apiID + "/prod/_user_request_/", 200, "", ""},
		{"localhost", "/restapis/" + apiID + "/prod/hello", 403, "", ""},
		{"localhost", "/restapis/" + apiID + "/prod/_user_request_x", 403, "", ""},
		{"localhost", "/restapis/" + apiID, 403, "", ""},
		{"127.0.0.1", "/apis/" + apiID + "/prod/hello", 200, "/{proxy+}", "/hello"},
		{"127.0.0.1", "/apis/" + apiID + "/prod", 200, "", ""},
		{"127.0.0.1", "/apis/" + apiID, 403, "", ""},
		{"127.0.0.1", "/apis/" + apiID + "/", 403, "", ""},
		{"127.0.0.1", "/apis/nope/prod/hello", 403, "", ""},
		{"api.example.com", "/v1/hello", 200, "/{proxy+}", "/hello"},
		{"API.EXAMPLE.COM:443", "/v1", 200, "", ""},
		{"api.example.com", "/v1x/hello", 403, "", ""},
		{"api.example.com", "/hello", 403, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.host+tt.target, func(t *testing.T) {
			r := request("GET", tt.host, tt.target, tok)
			if !e.gw.Owns(r) {
				t.Fatal("Owns = false")
			}
			w := e.do(r)
			if w.Code != tt.status {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body, tt.status)
			}
			if !uuidPattern.MatchString(w.Header().Get("x-amzn-RequestId")) || !apigwIDPattern.MatchString(w.Header().Get("x-amz-apigw-id")) {
				t.Errorf("request ids %q", w.Header())
			}
			if tt.status == 403 {
				// With an Authorization header, API Gateway takes it for a
				// bad SigV4 signature (contract §4.2).
				if got := w.Body.String(); got != missingEqualSign(tok, "Bearer "+tok) {
					t.Errorf("body %s", got)
				}
				if got := w.Header().Get("x-amzn-ErrorType"); got != "IncompleteSignatureException" {
					t.Errorf("x-amzn-ErrorType %q", got)
				}
			}
			inv, _, _ := e.invocation()
			if tt.resource == "" {
				if inv != nil {
					t.Errorf("the integration was called for %s", inv.ResourcePath)
				}
				return
			}
			if inv == nil || inv.ResourcePath != tt.resource || inv.Path != tt.path {
				t.Fatalf("invocation %+v, want resource %s path %s", inv, tt.resource, tt.path)
			}
		})
	}
}

func TestGatewayOwns(t *testing.T) {
	e := newEnv(t, nil)
	for _, c := range []struct {
		host, target string
		want         bool
	}{
		{"127.0.0.1:8080", "/oauth2/token", false},
		{"127.0.0.1:8080", "/us-east-1_AAAAAAAAA/.well-known/jwks.json", false},
		{"myprefix.auth.us-east-1.localhost", "/oauth2/token", false},
		{"execute-api.us-east-1.localhost", "/prod", false},
		{"a.b.execute-api.us-east-1.localhost", "/prod", false},
		{"x.execute-api.us-east-1.localhost", "/oauth2/token", true},
		{"x.execute-api.us-east-1.localhost:4566", "/", true},
		{"127.0.0.1", "/restapis/x/y/_user_request_/", true},
		{"127.0.0.1", "/apis/x", true},
		{"api.example.com", "/anything", true},
		{"[::1]:8080", "/apis/x/prod", true},
		{"[::1]:8080", "/healthz", false},
	} {
		r := request("GET", c.host, c.target, "")
		if got := e.gw.Owns(r); got != c.want {
			t.Errorf("%s%s: Owns = %v, want %v", c.host, c.target, got, c.want)
		}
	}
}

// TestGatewayInvocation: what the integration learns of the request.
func TestGatewayInvocation(t *testing.T) {
	e := newEnv(t, nil)
	tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))

	r := request("POST", execHost+":8080", "/prod/hello//a%2Fb/?q=1&q=2", tok)
	r.Body = io.NopCloser(strings.NewReader("payload"))
	w := e.do(r)
	if w.Code != 200 || w.Body.String() != "ok" {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	inv, body, err := e.invocation()
	if err != nil || string(body) != "payload" {
		t.Fatalf("body %q, %v", body, err)
	}
	type view struct {
		Resource, Path, ContextPath, Stage, Method string
		Params                                     []gateway.Param
		Vars                                       map[string]string
		RequestID, ExtendedRequestID               string
		RequestTime                                time.Time
		DomainName, DomainPrefix                   string
		Authorizer, ClientID                       string
		Scopes                                     []string
		Claims                                     map[string]string
	}
	got := view{
		inv.ResourcePath, inv.Path, inv.ContextPath(), inv.Stage.Name, inv.Route.Method,
		inv.PathParams, inv.StageVariables, inv.RequestID, inv.ExtendedRequestID, inv.RequestTime,
		inv.DomainName, inv.DomainPrefix, inv.Authorizer, inv.ClientID, inv.Scopes(), inv.ClaimStrings(),
	}
	want := view{
		Resource:          "/{proxy+}",
		Path:              "/hello//a%2Fb/",
		ContextPath:       "/prod/hello//a%2Fb/",
		Stage:             "prod",
		Method:            "ANY",
		Params:            []gateway.Param{{"proxy", "hello//a%2Fb"}}, // inner slashes kept as sent
		Vars:              map[string]string{"backend": "blue"},
		RequestID:         w.Header().Get("x-amzn-RequestId"),
		ExtendedRequestID: w.Header().Get("x-amz-apigw-id"),
		RequestTime:       t0,
		DomainName:        execHost,
		DomainPrefix:      apiID,
		Authorizer:        "cognito",
		ClientID:          clientA,
		Scopes:            []string{scope, "other/read"},
		Claims: map[string]string{
			"sub": clientA, "token_use": "access", "scope": scope + " other/read",
			"auth_time": fmt.Sprint(t0.Unix()), "iss": issuerOf(poolA),
			"exp": "Tue Nov 03 13:00:00 UTC 2026", "iat": "Tue Nov 03 12:00:00 UTC 2026",
			"version": "2", "jti": "3b4c6f2e-8f0e-4a43-9d51-0c1f9d0d2f6a", "client_id": clientA,
		},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("invocation (-want +got):\n%s", d)
	}
	if v, ok := inv.PathParameter("proxy"); !ok || v != "hello//a%2Fb" {
		t.Errorf("PathParameter = %q, %v", v, ok)
	}
	if m := inv.PathParameters(); len(m) != 1 || m["proxy"] != "hello//a%2Fb" {
		t.Errorf("PathParameters = %v", m)
	}
	if len(inv.ResourceID) != 6 {
		t.Errorf("ResourceID %q", inv.ResourceID)
	}

	// No authorizer, no stage variables, a custom domain.
	e.do(request("GET", "api.example.com", "/v1/open/42", ""))
	inv, _, _ = e.invocation()
	if inv == nil || inv.Claims != nil || inv.ClientID != "" || inv.Authorizer != "" || inv.ClaimStrings() != nil || inv.Scopes() != nil {
		t.Fatalf("invocation without authorizer: %+v", inv)
	}
	if inv.ContextPath() != "/v1/open/42" || inv.Path != "/open/42" || inv.DomainPrefix != "api" {
		t.Errorf("custom domain: context path %q, path %q, prefix %q", inv.ContextPath(), inv.Path, inv.DomainPrefix)
	}
	e.do(request("GET", execHost, "/dev/open/42", ""))
	if inv, _, _ = e.invocation(); inv.StageVariables != nil || inv.PathParameters()["id"] != "42" {
		t.Errorf("dev: stage variables %v, params %v", inv.StageVariables, inv.PathParams)
	}
}

// TestGatewayRefusals: what clients see when the authorizer refuses
// (contract §4.2), through the handler.
func TestGatewayRefusals(t *testing.T) {
	e := newEnv(t, nil)
	good := claims(issuerOf(poolA))
	e.f.revoke("revoked")
	const (
		unauthorized = `{"message":"Unauthorized"}`
		expired      = `{"message":"The incoming token has expired"}`
	)
	tests := []struct {
		name, method, target string
		header               []string // Authorization values
		status               int
		body                 string
	}{
		{"no header", "GET", "/prod/x", nil, 401, unauthorized},
		{"empty header", "GET", "/prod/x", []string{""}, 401, unauthorized},
		{"garbage", "GET", "/prod/x", []string{"garbage"}, 401, unauthorized},
		{"Bearer only", "GET", "/prod/x", []string{"Bearer"}, 401, unauthorized},
		{"expired", "GET", "/prod/x", []string{mint(t, keyA, keyA.kid, with(good, "exp", t0.Unix()-1))}, 401, expired},
		{"missing scope", "GET", "/prod/x", []string{mint(t, keyA, keyA.kid, with(good, "scope", "other/read"))}, 401, unauthorized},
		{"revoked", "GET", "/prod/x", []string{mint(t, keyA, keyA.kid, with(good, "jti", "revoked"))}, 401, unauthorized},
		{"foreign pool", "GET", "/prod/x", []string{mint(t, keyC, keyC.kid, claims(issuerOf(poolC)))}, 401, unauthorized},
		{"ID-token method", "GET", "/prod/idtoken", []string{mint(t, keyA, keyA.kid, good)}, 401, unauthorized},
		{"CORS preflight goes through ANY", "OPTIONS", "/prod/x", nil, 401, unauthorized},
		// Two credentials: the first would be verified, the last reach a
		// Lambda event; either order is refused.
		{"two headers, bad first", "GET", "/prod/x", []string{"garbage", mint(t, keyA, keyA.kid, good)}, 401, unauthorized},
		{"two headers, good first", "GET", "/prod/x", []string{mint(t, keyA, keyA.kid, good), "garbage"}, 401, unauthorized},
		{"two good headers", "GET", "/prod/x", []string{mint(t, keyA, keyA.kid, good), mint(t, keyA, keyA.kid, good)}, 401, unauthorized},
		{"allowed", "GET", "/prod/x", []string{mint(t, keyA, keyA.kid, good)}, 200, "ok"},
		{"HEAD through ANY", "HEAD", "/prod/x", []string{mint(t, keyA, keyA.kid, good)}, 200, "ok"},
		{"unknown method with a token", "POST", "/prod/", []string{"Bearer <x>&"}, 403, missingEqualSign("<x>&", "Bearer <x>&")},
		{"unknown method with a bare token", "POST", "/prod/", []string{"<x>&"}, 403, incompleteSignature("<x>&")},
		{"unknown method with key=value pairs", "POST", "/prod/", []string{"AWS4-HMAC-SHA256 a=b, c=d"}, 403, incompleteSignature("AWS4-HMAC-SHA256 a=b, c=d")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := request(tt.method, execHost, tt.target, "")
			for _, v := range tt.header {
				r.Header.Add("Authorization", v)
			}
			w := e.do(r)
			if w.Code != tt.status || (tt.method != "HEAD" && w.Body.String() != tt.body) {
				t.Fatalf("%d %s, want %d %s", w.Code, w.Body, tt.status, tt.body)
			}
			if tt.status == 401 {
				if got := w.Header().Get("x-amzn-ErrorType"); got != "UnauthorizedException" {
					t.Errorf("x-amzn-ErrorType %q", got)
				}
				if got := w.Header().Get("WWW-Authenticate"); got != "" {
					t.Errorf("WWW-Authenticate %q, API Gateway sends none", got)
				}
				if inv, _, _ := e.invocation(); inv != nil {
					t.Error("the integration was called")
				}
			}
		})
	}

	e.f.keys.err = errors.New("store unreachable")
	w := e.do(request("GET", execHost, "/prod/x", mint(t, keyA, keyA.kid, with(good, "jti", "new"))))
	if w.Code != 500 || w.Body.String() != `{"message":"Internal server error"}` {
		t.Errorf("key source failure: %d %s", w.Code, w.Body)
	}
}

// TestGatewayChallenge: with Options.Challenge, 401s carry RFC 6750 §3
// challenges.
func TestGatewayChallenge(t *testing.T) {
	e := newEnv(t, func(_ *tollgate.RestAPI, o *gateway.Options) { o.Challenge = true })
	good := claims(issuerOf(poolA))
	for _, c := range []struct{ token, want string }{
		{"", `Bearer realm="` + apiID + `"`},
		{"garbage", `Bearer realm="` + apiID + `", error="invalid_token", error_description="the access token is not valid"`},
		{mint(t, keyA, keyA.kid, with(good, "exp", t0.Unix()-1)), `Bearer realm="` + apiID + `", error="invalid_token", error_description="the access token expired"`},
		{mint(t, keyA, keyA.kid, with(good, "scope", "x/y")), `Bearer realm="` + apiID + `", scope="default/default", error="insufficient_scope", error_description="the access token lacks the scope"`},
	} {
		w := e.do(request("GET", execHost, "/prod/x", c.token))
		if got := w.Header().Get("WWW-Authenticate"); w.Code != 401 || got != c.want {
			t.Errorf("token %.20q: %d %q, want 401 %q", c.token, w.Code, got, c.want)
		}
	}
}

// incompleteSignature is the body of a 403 for an unknown route when the
// request has an Authorization header.
// missingEqualSign is API Gateway's answer to an Authorization header
// "Scheme part" whose part has no '=' (recorded answers quoted in
// serverless/serverless#3205 and cowinapi/developer.cowin#129:
// {"message":"'sometoken' not a valid key=value pair (missing equal-sign)
// in Authorization header: 'Bearer sometoken'."}).
func missingEqualSign(part, auth string) string {
	return `{"message":"'` + part + `' not a valid key=value pair (missing equal-sign) in Authorization header: '` + auth + `'."}`
}

func incompleteSignature(auth string) string {
	return `{"message":"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. ` +
		`Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ` +
		`Authorization=` + auth + `"}`
}

func TestGatewayMock(t *testing.T) {
	e := newEnv(t, nil)
	for _, c := range []struct {
		method, target string
		status         int
	}{
		{"GET", "/prod", 200},
		{"GET", "/prod/teapot", 418},
		{"HEAD", "/prod/", 403}, // GET does not cover HEAD
		{"POST", "/prod/", 403},
		{"GET", "/prod/mock", 401},
	} {
		w := e.do(request(c.method, execHost, c.target, ""))
		if w.Code != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.target, w.Code, c.status)
			continue
		}
		if c.status < 400 && (w.Body.Len() != 0 || w.Header().Get("Content-Type") != "application/json" || w.Header().Get("Content-Length") != "0") {
			t.Errorf("%s %s: body %q, headers %v", c.method, c.target, w.Body, w.Header())
		}
		if c.status == 403 && (w.Body.String() != `{"message":"Missing Authentication Token"}` || w.Header().Get("x-amzn-ErrorType") != "MissingAuthenticationTokenException") {
			t.Errorf("%s %s: %s %v", c.method, c.target, w.Body, w.Header())
		}
	}
}

// TestGatewayTooLarge: bodies over 10 MiB and request lines plus header
// values over 10,240 bytes are 413, whether the size is announced or not.
func TestGatewayTooLarge(t *testing.T) {
	e := newEnv(t, nil)
	tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	const tooLong = `{"message":"Request Too Long"}`

	r := request("POST", execHost, "/prod/x", tok)
	r.ContentLength = gateway.MaxBodyBytes + 1
	r.Body = io.NopCloser(strings.NewReader("tiny"))
	if w := e.do(r); w.Code != 413 || w.Body.String() != tooLong {
		t.Errorf("announced: %d %s", w.Code, w.Body)
	}
	if inv, _, _ := e.invocation(); inv != nil {
		t.Error("announced: the integration was called")
	}

	r = request("POST", execHost, "/prod/x", tok)
	r.Header.Set("X-Big", strings.Repeat("a", gateway.MaxHeaderBytes))
	if w := e.do(r); w.Code != 413 {
		t.Errorf("headers: %d %s", w.Code, w.Body)
	}

	r = request("POST", execHost, "/prod/x", tok)
	r.ContentLength = -1 // chunked
	r.Body = io.NopCloser(io.LimitReader(zeros{}, gateway.MaxBodyBytes+1))
	if w := e.do(r); w.Code != 413 {
		t.Errorf("streamed: %d %s", w.Code, w.Body)
	}
	_, body, err := e.invocation()
	var mbe *http.MaxBytesError
	if !errors.As(err, &mbe) || len(body) != gateway.MaxBodyBytes {
		t.Errorf("streamed: the integration read %d bytes, err %v", len(body), err)
	}

	r = request("POST", execHost, "/prod/x", tok)
	r.ContentLength = gateway.MaxBodyBytes
	r.Body = io.NopCloser(io.LimitReader(zeros{}, gateway.MaxBodyBytes))
	if w := e.do(r); w.Code != 200 {
		t.Errorf("exactly 10 MiB: %d %s", w.Code, w.Body)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestGatewayStageThrottle: a stage's bucket lets Burst requests through,
// then answers 429 until time refills it. It is taken before the
// authorizer, so a refused request spends a token too.
func TestGatewayStageThrottle(t *testing.T) {
	e := newEnv(t, func(api *tollgate.RestAPI, _ *gateway.Options) {
		api.Stages[0].Throttle = tollgate.Throttle{Rate: 1, Burst: 2}
	})
	tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	status := func(token string) int { return e.do(request("GET", execHost, "/prod/x", token)).Code }
	if got := []int{status(tok), status(""), status(tok)}; !cmp.Equal(got, []int{200, 401, 429}) {
		t.Fatalf("statuses %v, want [200 401 429]", got)
	}
	w := e.do(request("GET", execHost, "/prod/x", tok))
	if w.Code != 429 || w.Body.String() != `{"message":"Too Many Requests"}` || w.Header().Get("x-amzn-ErrorType") != "TooManyRequestsException" {
		t.Fatalf("%d %s %v", w.Code, w.Body, w.Header())
	}
	if s := e.do(request("GET", execHost, "/dev/x", tok)).Code; s != 200 {
		t.Errorf("another stage: %d", s)
	}
	e.f.clock.advance(time.Second)
	if got := []int{status(tok), status(tok)}; !cmp.Equal(got, []int{200, 429}) {
		t.Fatalf("after a second: %v, want [200 429]", got)
	}
}

// TestGatewayClientThrottle: each client id has its own bucket.
func TestGatewayClientThrottle(t *testing.T) {
	e := newEnv(t, func(api *tollgate.RestAPI, _ *gateway.Options) {
		api.Stages[0].ClientThrottle = tollgate.Throttle{Rate: 0.5} // burst 1
	})
	a := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	b := mint(t, keyB, keyB.kid, with(claims(issuerOf(poolB)), "client_id", "otherclient"))
	status := func(target, token string) int { return e.do(request("GET", execHost, target, token)).Code }
	got := []int{status("/prod/x", a), status("/prod/x", b), status("/prod/x", a), status("/prod/x", b), status("/prod/open/1", "")}
	if want := []int{200, 200, 429, 429, 200}; !cmp.Equal(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
	e.f.clock.advance(2 * time.Second)
	if s := status("/prod/x", a); s != 200 {
		t.Errorf("after two seconds: %d", s)
	}
}

func TestGatewayObserver(t *testing.T) {
	e := newEnv(t, nil)
	tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	e.do(request("GET", execHost, "/prod/a", tok))
	e.do(request("GET", execHost, "/prod/b", tok))
	e.do(request("GET", execHost, "/prod/c", ""))
	e.do(request("GET", execHost, "/prod", ""))
	e.do(request("DELETE", execHost, "/prod", ""))
	e.do(request("GET", execHost, "/nostage/x", ""))
	e.do(request("GET", "127.0.0.1", "/apis/nope/prod", ""))
	reqs, auths := e.obs.take()
	wantReqs := []observed{
		{apiID, "prod", "/{proxy+}", "ANY", 200},
		{apiID, "prod", "/{proxy+}", "ANY", 200},
		{apiID, "prod", "/{proxy+}", "ANY", 401},
		{apiID, "prod", "/", "GET", 200},
		{apiID, "prod", "", "", 403},
		{apiID, "", "", "", 403},
		{"", "", "", "", 403},
	}
	wantAuths := []observedAuth{
		{"cognito", gateway.Allow, false},
		{"cognito", gateway.Allow, true},
		{"cognito", gateway.Unauthorized, false},
	}
	if d := cmp.Diff(wantReqs, reqs); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}
	if d := cmp.Diff(wantAuths, auths); d != "" {
		t.Errorf("authorizer decisions (-want +got):\n%s", d)
	}
	if st := e.gw.CacheStats(); st.Hits != 1 || st.Entries != 1 {
		t.Errorf("cache stats %+v", st)
	}
}

// TestGatewayConcurrent runs requests in parallel, for the race detector.
func TestGatewayConcurrent(t *testing.T) {
	e := newEnv(t, func(api *tollgate.RestAPI, _ *gateway.Options) {
		api.Stages[0].ClientThrottle = tollgate.Throttle{Rate: 1e6, Burst: 1e6}
	})
	toks := make([]string, 8)
	for i := range toks {
		toks[i] = mint(t, keyA, keyA.kid, with(claims(issuerOf(poolA)), "jti", fmt.Sprint(i), "client_id", fmt.Sprint("client", i)))
	}
	toks = append(toks, mint(t, extK1, extK1.kid, claims(externalIssuer)))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				tok := toks[(g+i)%len(toks)]
				if w := e.do(request("GET", execHost, "/prod/mock", tok)); w.Code != 200 {
					t.Errorf("%d %s", w.Code, w.Body)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestNew reports every problem of every API at once.
func TestNew(t *testing.T) {
	f := newFixture(t)
	broken := testAPI(f)
	broken.ID = "broken0000"
	broken.Stages[0].Name = "bad stage"
	broken.Routes = append(broken.Routes, tollgate.Route{ResourcePath: "/x/", Method: "GET", Integration: tollgate.Integration{Type: tollgate.IntegrationMock}})
	failing := testAPI(f)
	failing.ID = "failing000"
	failing.DomainNames = nil
	dup := testAPI(f)
	dup.DomainNames = nil
	_, err := gateway.New(gateway.Options{
		APIs: []*tollgate.RestAPI{broken, failing, testAPI(f), dup},
		Integrations: gateway.IntegrationsFunc(func(api *tollgate.RestAPI, r *tollgate.Route) (gateway.Integration, error) {
			if api.ID == "failing000" {
				return nil, errors.New("no such function")
			}
			return notFound, nil
		}),
		Issuer: issuerOf,
		Keys:   f.keys,
	})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`API broken0000 (seed):`,
		`Stages[0].Name: stage name "bad stage"`,
		`Routes[6].ResourcePath: resource path "/x/": must not end with /`,
		`API failing000 (seed):`,
		`ANY /{proxy+}: integration: no such function`,
		`API ` + apiID + ` (seed) is declared twice`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}

	_, err = gateway.New(gateway.Options{APIs: []*tollgate.RestAPI{testAPI(f)}, Issuer: issuerOf, Keys: f.keys})
	if err == nil || !strings.Contains(err.Error(), "no integrations to serve HTTP_PROXY") {
		t.Errorf("without Integrations: %v", err)
	}
	_, err = gateway.New(gateway.Options{APIs: []*tollgate.RestAPI{testAPI(f)}, Integrations: gateway.IntegrationsFunc(func(*tollgate.RestAPI, *tollgate.Route) (gateway.Integration, error) {
		return notFound, nil
	})})
	if err == nil || !strings.Contains(err.Error(), "local pools need Issuer and Keys") {
		t.Errorf("without Issuer and Keys: %v", err)
	}
}

// TestNewCopies: the gateway keeps its own copy of the APIs.
func TestNewCopies(t *testing.T) {
	var api *tollgate.RestAPI
	e := newEnv(t, func(a *tollgate.RestAPI, _ *gateway.Options) { api = a })
	api.Routes[0].Integration.MockStatus = 500
	api.Stages[0].Name = "renamed"
	if w := e.do(request("GET", execHost, "/prod", "")); w.Code != 200 {
		t.Errorf("%d after the caller changed its API", w.Code)
	}
}

func TestValidate(t *testing.T) {
	f := newFixture(t)
	api := testAPI(f)
	api.ID = ""
	api.Stages = append(api.Stages, tollgate.Stage{Name: "prod", Throttle: tollgate.Throttle{Rate: -1, Burst: -1}})
	api.Routes[1].Authorizer = &tollgate.Authorizer{Name: "empty"}
	api.Routes[3].Authorizer = &tollgate.Authorizer{Name: "bad", PoolIDs: []string{"nope"}, Issuers: []tollgate.ExternalIssuer{{JWKSURL: "ftp://x"}}, IdentitySource: "a b"}
	api.Routes[4].Integration.MockStatus = 1000
	api.Routes[2].Integration.Type = "LAMBDA"
	api.Routes[2].Integration.Timeout = -time.Second
	err := gateway.Validate(api)
	var probs gateway.Problems
	if !errors.As(err, &probs) {
		t.Fatalf("err = %v", err)
	}
	var got []string
	for _, p := range probs {
		got = append(got, p.String())
	}
	want := []string{
		"ID: the API has no id",
		`Stages[2].Name: stage "prod" is declared twice`,
		"Stages[2].Throttle.Rate: rate -1 is negative",
		"Stages[2].Throttle.Burst: burst -1 is negative",
		`Routes[1].Authorizer: authorizer "empty" names no user pool and no issuer, so it accepts no token`,
		`Routes[2].Integration.Type: integration type "LAMBDA" is not HTTP_PROXY, AWS_PROXY or MOCK`,
		"Routes[2].Integration.Timeout: timeout -1s is negative",
		`Routes[3].Authorizer.PoolIDs[0]: "nope" is not a user pool id ({region}_{alphanumerics})`,
		"Routes[3].Authorizer.Issuers[0].Issuer: the issuer is empty",
		`Routes[3].Authorizer.Issuers[0].JWKSURL: "ftp://x" is not an http(s) URL`,
		`Routes[3].Authorizer.IdentitySource: "a b" does not name a request header (method.request.header.{name})`,
		"Routes[4].Integration.MockStatus: status 1000 is not an HTTP status",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("problems (-want +got):\n%s", d)
	}
	if err := gateway.Validate(testAPI(f)); err != nil {
		t.Errorf("the test API: %v", err)
	}
	if err := gateway.Validate(&tollgate.RestAPI{ID: "x"}); err == nil || !strings.Contains(err.Error(), "no stage") {
		t.Errorf("no stage: %v", err)
	}
}

// serveLoop is a benchmark's loop: gw serves r, warm (one request served
// before the timer starts), into a writer that keeps nothing.
func serveLoop(b *testing.B, gw *gateway.Gateway, r *http.Request) {
	w := &discard{h: http.Header{}}
	gw.ServeHTTP(w, r)
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		// The trace id the gateway set: a client's next request has none.
		delete(r.Header, "X-Amzn-Trace-Id")
		gw.ServeHTTP(w, r)
	}
}

// discard is a ResponseWriter that costs nothing, for benchmarks.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkGateway serves a MOCK method behind the Cognito authorizer
// with a cached token: the gateway's own cost per request.
func BenchmarkGateway(b *testing.B) {
	for _, withObserver := range []bool{false, true} {
		b.Run(fmt.Sprint("observer=", withObserver), func(b *testing.B) {
			e := newEnv(b, func(_ *tollgate.RestAPI, o *gateway.Options) {
				if !withObserver {
					o.Observer = nil
				} else {
					o.Observer = nopObserver{}
				}
			})
			r := request("GET", execHost+":8080", "/prod/mock", mint(b, keyA, keyA.kid, claims(issuerOf(poolA))))
			serveLoop(b, e.gw, r)
			if st := e.gw.CacheStats(); st.Misses != 1 {
				b.Fatalf("cache stats %+v", st)
			}
		})
	}
}

type nopObserver struct{}

func (nopObserver) ObserveRequest(string, string, string, string, int, time.Duration) {}
func (nopObserver) ObserveAuthorizer(string, gateway.Decision, bool)                  {}

// TestGatewayKeepsRequestID: an id set by a server middleware is the one
// the gateway uses.
func TestGatewayKeepsRequestID(t *testing.T) {
	e := newEnv(t, nil)
	w := httptest.NewRecorder()
	w.Header().Set("x-amzn-RequestId", "11111111-2222-4333-8444-555555555555")
	e.gw.ServeHTTP(w, request("GET", execHost, "/prod/open/1", ""))
	inv, _, _ := e.invocation()
	if w.Code != 200 || inv.RequestID != "11111111-2222-4333-8444-555555555555" || !apigwIDPattern.MatchString(inv.ExtendedRequestID) {
		t.Fatalf("%d, ids %q %q", w.Code, inv.RequestID, inv.ExtendedRequestID)
	}
	if got := w.Header().Values("x-amzn-RequestId"); len(got) != 1 {
		t.Errorf("x-amzn-RequestId %q", got)
	}
}

// TestClaimStrings renders claims as API Gateway hands them to integrations
// (contract §4.1).
func TestClaimStrings(t *testing.T) {
	f := newFixture(t)
	z := f.authorizer(t, f.authorizerAB())
	tok := mint(t, keyA, keyA.kid, with(claims(issuerOf(poolA)),
		"cognito:groups", []string{"admins"}, "list", []string{"a", "b"}, "flag", true, "obj", map[string]string{"k": "v"}, "ratio", 1.5))
	res := z.Authorize(context.Background(), tok, []string{scope})
	got := (&gateway.Invocation{Claims: res.Claims}).ClaimStrings()
	for k, want := range map[string]string{
		"cognito:groups": "admins", "list": `["a","b"]`, "flag": "true", "obj": `{"k":"v"}`, "ratio": "1.5",
		"exp": "Tue Nov 03 13:00:00 UTC 2026", "version": "2",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
}

// TestGatewayFlush: an integration behind the Observer's recorder can still
// flush.
func TestGatewayFlush(t *testing.T) {
	var flushErr error
	gw, err := gateway.New(gateway.Options{
		APIs: []*tollgate.RestAPI{{ID: apiID, Stages: []tollgate.Stage{{Name: "prod"}},
			Routes: []tollgate.Route{{ResourcePath: "/events", Method: "GET", Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy}}}}},
		Integrations: gateway.IntegrationsFunc(func(*tollgate.RestAPI, *tollgate.Route) (gateway.Integration, error) {
			return integrationFunc(func(w http.ResponseWriter, _ *http.Request, _ *gateway.Invocation) {
				w.Write([]byte("data: 1\n\n"))
				flushErr = http.NewResponseController(w).Flush()
			}), nil
		}),
		Observer: &observer{},
	})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	gw.ServeHTTP(w, request("GET", "127.0.0.1", "/apis/"+apiID+"/prod/events", ""))
	if flushErr != nil || !w.Flushed {
		t.Fatalf("flush: %v, flushed %v", flushErr, w.Flushed)
	}
}

// TestNewDomains: custom domains must map to declared stages, each base
// path once.
func TestNewDomains(t *testing.T) {
	f := newFixture(t)
	a, b := testAPI(f), testAPI(f)
	b.ID = "other00000"
	a.DomainNames = append(a.DomainNames, tollgate.APIDomain{DomainName: "x.example.com", Stage: "nope"})
	b.DomainNames = []tollgate.APIDomain{{DomainName: "api.example.com", Stage: "prod", BasePath: "/v1/"}, {DomainName: "api.example.com", Stage: "prod"}}
	_, err := gateway.New(gateway.Options{
		APIs:         []*tollgate.RestAPI{a, b},
		Integrations: gateway.IntegrationsFunc(func(*tollgate.RestAPI, *tollgate.Route) (gateway.Integration, error) { return notFound, nil }),
		Issuer:       issuerOf,
		Keys:         f.keys,
	})
	if err == nil || !strings.Contains(err.Error(), `domain "x.example.com" maps to unknown stage "nope"`) ||
		!strings.Contains(err.Error(), `base path "v1" of domain "api.example.com" is mapped twice`) {
		t.Fatalf("err = %v", err)
	}
}
