package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/function/functest"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/lambdaproxy"
)

// testARNPrefix is the methodArn of the test API's prod stage, up to the verb:
// arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/ (apigw-beyond
// §1.2; api-gateway-lambda-authorizer-output.md).
const testARNPrefix = "arn:aws:execute-api:us-east-1:" + tollgate.AccountID + ":" + apiID + "/prod/"

// call is one invocation the fake function received.
type call struct {
	function, traceID string
	event             []byte
	ctxErr            error         // the invocation's ctx error once it answered
	budget            time.Duration // the time left to its ctx's deadline when called, or 0
}

// fakeFunction is the authorizer function at the process edge: a
// tollgate.InvokeFunc that records its calls and answers with answer. If
// gate is set, each call waits for it to close first.
type fakeFunction struct {
	mu      sync.Mutex
	calls   []call
	entered chan struct{} // receives once per call, if set
	gate    chan struct{}
	answer  func(event []byte) ([]byte, bool, error)
}

func (f *fakeFunction) invoke(ctx context.Context, function, traceID string, event []byte) ([]byte, bool, error) {
	var budget time.Duration
	if dl, ok := ctx.Deadline(); ok {
		budget = time.Until(dl)
	}
	if f.entered != nil {
		f.entered <- struct{}{}
	}
	if f.gate != nil {
		<-f.gate
	}
	payload, fnErr, err := f.answer(event)
	f.mu.Lock()
	f.calls = append(f.calls, call{function, traceID, event, ctx.Err(), budget})
	f.mu.Unlock()
	return payload, fnErr, err
}

func (f *fakeFunction) taken() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

// allowAll answers with a policy allowing every method of every stage of
// the API, a context of each type, as the output page's example does.
func allowAll([]byte) ([]byte, bool, error) {
	return []byte(`{"principalId":"my-username","policyDocument":{"Version":"2012-10-17","Statement":[` +
		`{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:us-east-1:*:` + apiID + `/*"}]},` +
		`"context":{"str":"hello","num":123,"bool":true,"null":null}}`), false, nil
}

// allowOnly answers with a policy that allows exactly the methodArn of the
// event: what the caching trap is made of (apigw-beyond §1.4).
func allowOnly(event []byte) ([]byte, bool, error) {
	var ev struct {
		MethodArn string `json:"methodArn"`
	}
	if err := json.Unmarshal(event, &ev); err != nil {
		return nil, false, err
	}
	return []byte(`{"principalId":"p","policyDocument":{"Version":"2012-10-17","Statement":[` +
		`{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"` + ev.MethodArn + `"}]}}`), false, nil
}

// authzEnv is a gateway whose routes are guarded by the Lambda authorizer
// authz: GET /, GET /a, GET /b and ANY /{proxy+} (HTTP_PROXY, recorded), GET /fn
// (AWS_PROXY through lambdaproxy, whose event is recorded).
type authzEnv struct {
	*env
	fn    *fakeFunction
	proxy *fakeFunction // the AWS_PROXY integration's function
}

func newAuthzEnv(t testing.TB, authz *tollgate.Authorizer, answer func([]byte) ([]byte, bool, error)) *authzEnv {
	t.Helper()
	le := &authzEnv{
		fn: &fakeFunction{answer: answer},
		proxy: &fakeFunction{answer: func([]byte) ([]byte, bool, error) {
			return []byte(`{"statusCode":200,"body":"ok"}`), false, nil
		}},
	}
	le.env = newEnv(t, func(api *tollgate.RestAPI, o *gateway.Options) {
		upstream := tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://upstream.internal/{proxy}"}
		api.Routes = []tollgate.Route{
			{ResourcePath: "/", Method: "GET", Authorizer: authz, Integration: upstream},
			{ResourcePath: "/a", Method: "GET", Authorizer: authz, Integration: upstream},
			{ResourcePath: "/b", Method: "GET", Authorizer: authz, Integration: upstream},
			{ResourcePath: "/{proxy+}", Method: "ANY", Authorizer: authz, Integration: upstream},
			{ResourcePath: "/fn", Method: "GET", Authorizer: authz, Integration: tollgate.Integration{Type: tollgate.IntegrationAWSProxy, Function: "handler"}},
		}
		o.Invoke = le.fn.invoke
		o.AuthorizerEvent = lambdaproxy.AuthorizerEvent
		inner := o.Integrations
		o.Integrations = gateway.IntegrationsFunc(func(api *tollgate.RestAPI, r *tollgate.Route) (gateway.Integration, error) {
			if r.Integration.Type == tollgate.IntegrationAWSProxy {
				return lambdaproxy.New(api, r.Integration, le.proxy.invoke, quiet), nil
			}
			return inner.Integration(api, r)
		})
	})
	return le
}

func tokenAuthorizer(ttl time.Duration) *tollgate.Authorizer {
	return &tollgate.Authorizer{Name: "tokenAuth", Type: tollgate.AuthorizerToken, Function: "authFn",
		IdentitySource: "method.request.header.Authorization", ResultTTL: ttl}
}

// get sends GET {path} on the stage with the Authorization header token
// (none if "").
func (le *authzEnv) get(path, token string) *httptest.ResponseRecorder {
	return le.getAuth(path, token)
}

// TestTokenEvent: a TOKEN authorizer's event has exactly type,
// authorizationToken (the header verbatim, "Bearer " kept) and methodArn,
// in that order, with the concrete path after the stage, without its
// leading slash, "" at the root (apigw-beyond §1.2;
// api-gateway-lambda-authorizer-input.md's example
// {"type":"TOKEN","authorizationToken":"{caller-supplied-token}",
// "methodArn":"arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/prod/GET/"}).
func TestTokenEvent(t *testing.T) {
	le := newAuthzEnv(t, tokenAuthorizer(0), allowAll)
	for _, tc := range []struct{ path, token, want string }{
		{"/prod/a", "Bearer abc.def", `{"type":"TOKEN","authorizationToken":"Bearer abc.def","methodArn":"` + testARNPrefix + `GET/a"}`},
		{"/prod/", "tok", `{"type":"TOKEN","authorizationToken":"tok","methodArn":"` + testARNPrefix + `GET/"}`},
		{"/prod/pets/6", `a"<&>`, `{"type":"TOKEN","authorizationToken":"a\"<&>","methodArn":"` + testARNPrefix + `GET/pets/6"}`},
	} {
		if w := le.get(tc.path, tc.token); w.Code != http.StatusOK {
			t.Fatalf("%s: status %d %s", tc.path, w.Code, w.Body)
		}
		calls := le.fn.taken()
		if len(calls) != 1 {
			t.Fatalf("%s: %d invocations", tc.path, len(calls))
		}
		if got := string(calls[0].event); got != tc.want {
			t.Errorf("%s: event\n got %s\nwant %s", tc.path, got, tc.want)
		}
		if calls[0].function != "authFn" || calls[0].traceID == "" {
			t.Errorf("%s: invoked %q with trace id %q", tc.path, calls[0].function, calls[0].traceID)
		}
		// Bounded at 29 s over the function's own timeout (§1.5, §5 item 2).
		if b := calls[0].budget; b <= 0 || b > gateway.LambdaAuthorizerTimeout {
			t.Errorf("%s: invoked with %s left", tc.path, b)
		}
	}
}

// TestRequestEvent: a REQUEST authorizer's event has the keys of
// aws-lambda-go's events/testdata/apigw-custom-auth-request-type-request.json
// (type, methodArn, resource, path, httpMethod, headers,
// multiValueHeaders, queryStringParameters,
// multiValueQueryStringParameters, pathParameters, stageVariables,
// requestContext) in the order of apigw-beyond §1.2, no body nor
// isBase64Encoded, and a requestContext that is the proxy event's without
// authorizer.
func TestRequestEvent(t *testing.T) {
	authz := &tollgate.Authorizer{Name: "reqAuth", Type: tollgate.AuthorizerRequest, Function: "authFn",
		IdentitySources: []string{"method.request.header.X-Tenant", "method.request.querystring.key"}}
	le := newAuthzEnv(t, authz, allowAll)
	r := httptest.NewRequest("GET", "/prod/pets/6?key=k1&key=k2", nil)
	r.Host = execHost
	r.Header.Set("X-Tenant", "acme")
	r.Header.Set("User-Agent", "test/1")
	if w := le.do(r); w.Code != http.StatusOK {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
	calls := le.fn.taken()
	if len(calls) != 1 {
		t.Fatalf("%d invocations", len(calls))
	}
	wantKeys := []string{"type", "methodArn", "resource", "path", "httpMethod", "headers", "multiValueHeaders",
		"queryStringParameters", "multiValueQueryStringParameters", "pathParameters", "stageVariables", "requestContext"}
	if got := topKeys(t, calls[0].event); !slices.Equal(got, wantKeys) {
		t.Errorf("keys %v, want %v", got, wantKeys)
	}
	var ev struct {
		Type, MethodArn, Resource, Path, HTTPMethod string
		Headers                                     map[string]string
		QueryStringParameters                       map[string]string
		MultiValueQueryStringParameters             map[string][]string
		PathParameters                              map[string]string
		StageVariables                              map[string]string
		RequestContext                              map[string]any
	}
	if err := json.Unmarshal(calls[0].event, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Type != "REQUEST" || ev.MethodArn != testARNPrefix+"GET/pets/6" || ev.Resource != "/{proxy+}" || ev.Path != "/pets/6" || ev.HTTPMethod != "GET" {
		t.Errorf("event %+v", ev)
	}
	if ev.Headers["X-Tenant"] != "acme" || ev.Headers["X-Amzn-Trace-Id"] == "" || ev.QueryStringParameters["key"] != "k2" ||
		!slices.Equal(ev.MultiValueQueryStringParameters["key"], []string{"k1", "k2"}) ||
		ev.PathParameters["proxy"] != "pets/6" || ev.StageVariables["backend"] != "blue" {
		t.Errorf("event %+v", ev)
	}
	// requestContext: the proxy event's (contract §5.1) without authorizer.
	for _, k := range []string{"resourceId", "resourcePath", "httpMethod", "requestId", "path", "accountId", "stage", "identity", "apiId", "domainName"} {
		if _, ok := ev.RequestContext[k]; !ok {
			t.Errorf("requestContext lacks %s: %v", k, ev.RequestContext)
		}
	}
	if _, ok := ev.RequestContext["authorizer"]; ok {
		t.Errorf("requestContext has an authorizer: %v", ev.RequestContext)
	}
	if ev.RequestContext["path"] != "/prod/pets/6" || ev.RequestContext["stage"] != "prod" {
		t.Errorf("requestContext %v", ev.RequestContext)
	}
}

// topKeys returns the keys of a JSON object, in order.
func topKeys(t *testing.T, b []byte) []string {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(string(b)))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", b)
	}
	var keys []string
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// TestLambdaAuthorizerAnswers: every row of the failure matrix
// (apigw-beyond §1.5) and the allow, each with its status, body and
// x-amzn-ErrorType.
func TestLambdaAuthorizerAnswers(t *testing.T) {
	const (
		unauthorized = `{"message":"Unauthorized"}`
		configError  = `{"message":null}`
		// Capital M on purpose: DEVTO's measurement and LocalStack's
		// gateway_exception.py (apigw-beyond §1.5, §5 item 1).
		explicitDeny = `{"Message":"User is not authorized to access this resource with an explicit deny"}`
		implicitDeny = `{"Message":"User is not authorized to access this resource"}`
	)
	policy := func(effect, resource string) []byte {
		return []byte(`{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"` +
			effect + `","Resource":"` + resource + `"}]}}`)
	}
	for _, tc := range []struct {
		name      string
		payload   []byte
		fnErr     bool
		err       error
		status    int
		body      string
		errorType string
		decision  gateway.Decision
	}{
		{"allow", policy("Allow", testARNPrefix+"GET/a"), false, nil, 200, "ok", "", gateway.Allow},
		// "Unauthorized" from callback("Unauthorized"), throw new
		// Error("Unauthorized"), raise Exception("Unauthorized")
		// (apigateway-use-lambda-authorizer.md; auth0-samples PR #6).
		{"node Unauthorized", []byte(`{"errorType":"Error","errorMessage":"Unauthorized","trace":["Error: Unauthorized"]}`), true, nil, 401, unauthorized, "UnauthorizedException", gateway.Unauthorized},
		{"python Unauthorized", []byte(`{"errorMessage": "Unauthorized", "errorType": "Exception", "requestId": "x", "stackTrace": []}`), true, nil, 401, unauthorized, "UnauthorizedException", gateway.Unauthorized},
		{"other function error", []byte(`{"errorType":"Error","errorMessage":"unauthorized"}`), true, nil, 500, configError, "AuthorizerConfigurationException", gateway.Misconfigured},
		{"timeout", []byte(`{"errorType":"Sandbox.Timedout","errorMessage":"Task timed out after 3.00 seconds"}`), true, nil, 500, configError, "AuthorizerConfigurationException", gateway.Misconfigured},
		{"invoke error", nil, false, errors.New("no instance"), 500, configError, "AuthorizerConfigurationException", gateway.Misconfigured},
		{"not JSON", []byte(`Unauthorized`), false, nil, 500, configError, "AuthorizerConfigurationException", gateway.Misconfigured},
		{"no policy", []byte(`{"principalId":"u"}`), false, nil, 500, configError, "AuthorizerConfigurationException", gateway.Misconfigured},
		// Non-scalar context: 500 (output page; serverless-offline PR #1376).
		{"object in context", []byte(`{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]},"context":{"o":{"a":1}}}`), false, nil, 500, configError, "AuthorizerConfigurationException", gateway.Misconfigured},
		{"explicit deny", policy("Deny", testARNPrefix+"GET/*"), false, nil, 403, explicitDeny, "AccessDeniedException", gateway.ExplicitDeny},
		{"implicit deny", policy("Allow", testARNPrefix+"GET/b"), false, nil, 403, implicitDeny, "AccessDeniedException", gateway.Denied},
	} {
		t.Run(tc.name, func(t *testing.T) {
			le := newAuthzEnv(t, tokenAuthorizer(0), func([]byte) ([]byte, bool, error) { return tc.payload, tc.fnErr, tc.err })
			w := le.get("/prod/a", "tok")
			if w.Code != tc.status || w.Body.String() != tc.body || w.Header().Get("X-Amzn-Errortype") != tc.errorType {
				t.Errorf("got %d %s (%q), want %d %s (%q)", w.Code, w.Body, w.Header().Get("X-Amzn-Errortype"), tc.status, tc.body, tc.errorType)
			}
			if tc.status != 200 && w.Header().Get("Content-Type") != "application/json" {
				t.Errorf("content type %q", w.Header().Get("Content-Type"))
			}
			if n := len(le.fn.taken()); n != 1 {
				t.Errorf("%d invocations", n)
			}
			_, auths := le.obs.take()
			if len(auths) != 1 || auths[0] != (observedAuth{"tokenAuth", tc.decision, false}) {
				t.Errorf("observed %+v", auths)
			}
		})
	}
}

// TestTokenIdentity: a missing or empty token, one that fails the
// validation expression (matched against the whole token, as Java's
// String.matches: SAM's example ValidationExpression "Bearer.*"), or two
// copies of its header are 401 without invoking the function (BOTO
// identityValidationExpression; KC api-gateway-401-error-lambda-authorizer).
func TestTokenIdentity(t *testing.T) {
	authz := tokenAuthorizer(0)
	authz.IdentitySource = "method.request.header.X-Token"
	authz.IdentityValidationExpression = `Bearer [a-z]+`
	le := newAuthzEnv(t, authz, allowAll)
	for _, tc := range []struct {
		name   string
		header []string
		status int
	}{
		{"missing", nil, 401},
		{"empty", []string{""}, 401},
		{"mismatch", []string{"Basic abc"}, 401},
		{"prefix only matches", []string{"Bearer abc1"}, 401},
		{"suffix only matches", []string{"xBearer abc"}, 401},
		{"twice", []string{"Bearer abc", "Bearer abc"}, 401},
		{"match", []string{"Bearer abc"}, 200},
	} {
		r := httptest.NewRequest("GET", "/prod/a", nil)
		r.Host = execHost
		r.Header["X-Token"] = tc.header
		w := le.do(r)
		if w.Code != tc.status {
			t.Errorf("%s: status %d %s", tc.name, w.Code, w.Body)
		}
		if n := len(le.fn.taken()); (n == 1) != (tc.status == 200) {
			t.Errorf("%s: %d invocations", tc.name, n)
		}
		if tc.status == 401 && w.Body.String() != `{"message":"Unauthorized"}` {
			t.Errorf("%s: body %s", tc.name, w.Body)
		}
	}
}

// TestRequestIdentity: with caching on, every identity source must be
// present and not empty, else 401 without invoking; with TTL 0 none is
// required (BOTO Authorizer.identitySource: "required when authorization
// caching is enabled"). Header names are case-insensitive.
func TestRequestIdentity(t *testing.T) {
	sources := []string{"method.request.header.x-tenant", "method.request.querystring.key", "stageVariables.backend", "context.httpMethod"}
	for _, ttl := range []time.Duration{0, time.Minute} {
		authz := &tollgate.Authorizer{Name: "reqAuth", Type: tollgate.AuthorizerRequest, Function: "authFn", IdentitySources: sources, ResultTTL: ttl}
		le := newAuthzEnv(t, authz, allowAll)
		for i, tc := range []struct {
			target, tenant string
			cachedStatus   int
		}{
			{"/prod/a?key=1", "", 401},
			{"/prod/a", "acme", 401},
			{"/prod/a?key=", "acme", 401},
			{"/prod/a?key=1", "acme", 200},
			{"/dev/a?key=1", "acme", 401}, // stage dev has no variable backend
		} {
			r := httptest.NewRequest("GET", tc.target, nil)
			r.Host = execHost
			if tc.tenant != "" {
				r.Header.Set("X-TENANT", tc.tenant)
			}
			want := tc.cachedStatus
			if ttl == 0 {
				want = 200
			}
			w := le.do(r)
			if w.Code != want {
				t.Errorf("ttl %s, case %d: status %d %s", ttl, i, w.Code, w.Body)
			}
			if n := len(le.fn.taken()); (n == 1) != (want == 200) {
				t.Errorf("ttl %s, case %d: %d invocations", ttl, i, n)
			}
		}
	}
}

// TestCachingTrap: the cached answer is the policy, evaluated again for
// each request's methodArn: a policy for GET /a alone refuses GET /b with
// 403 within the TTL without asking the function; once the TTL has passed
// the function is asked again; with TTL 0 it is asked every time
// (apigw-beyond §1.4; KC api-gateway-lambda-authorization-errors).
func TestCachingTrap(t *testing.T) {
	le := newAuthzEnv(t, tokenAuthorizer(time.Minute), allowOnly)
	if w := le.get("/prod/a", "tok"); w.Code != 200 {
		t.Fatalf("first: %d %s", w.Code, w.Body)
	}
	w := le.get("/prod/b", "tok")
	if w.Code != 403 || w.Body.String() != `{"Message":"User is not authorized to access this resource"}` {
		t.Errorf("trap: %d %s", w.Code, w.Body)
	}
	if w := le.get("/prod/a", "tok"); w.Code != 200 {
		t.Errorf("again: %d %s", w.Code, w.Body)
	}
	if n := len(le.fn.taken()); n != 1 {
		t.Errorf("%d invocations within the TTL, want 1", n)
	}
	_, auths := le.obs.take()
	want := []observedAuth{{"tokenAuth", gateway.Allow, false}, {"tokenAuth", gateway.Denied, true}, {"tokenAuth", gateway.Allow, true}}
	if !slices.Equal(auths, want) {
		t.Errorf("observed %+v, want %+v", auths, want)
	}

	le.f.clock.advance(time.Minute)
	if w := le.get("/prod/b", "tok"); w.Code != 200 {
		t.Errorf("after the TTL: %d %s", w.Code, w.Body)
	}
	if n := len(le.fn.taken()); n != 1 {
		t.Errorf("%d invocations after the TTL, want 1", n)
	}

	off := newAuthzEnv(t, tokenAuthorizer(0), allowOnly)
	for _, p := range []string{"/prod/a", "/prod/b", "/prod/a"} {
		if w := off.get(p, "tok"); w.Code != 200 {
			t.Errorf("TTL 0, %s: %d %s", p, w.Code, w.Body)
		}
	}
	if n := len(off.fn.taken()); n != 3 {
		t.Errorf("TTL 0: %d invocations, want 3", n)
	}
}

// TestCacheKeys: TOKEN answers are cached by token and stage, REQUEST
// answers by all the identity-source values together and stage.
func TestCacheKeys(t *testing.T) {
	le := newAuthzEnv(t, tokenAuthorizer(time.Minute), allowAll)
	for _, tc := range []struct {
		path, token string
		invoked     bool
	}{
		{"/prod/a", "t1", true},
		{"/prod/b", "t1", false},
		{"/prod/a", "t2", true},
		{"/dev/a", "t1", true},
		{"/dev/b", "t1", false},
		{"/prod/a", "t1", false},
	} {
		if w := le.get(tc.path, tc.token); w.Code != 200 {
			t.Fatalf("%s %s: %d %s", tc.path, tc.token, w.Code, w.Body)
		}
		if n := len(le.fn.taken()); (n == 1) != tc.invoked {
			t.Errorf("%s %s: %d invocations", tc.path, tc.token, n)
		}
	}

	authz := &tollgate.Authorizer{Name: "reqAuth", Type: tollgate.AuthorizerRequest, Function: "authFn", ResultTTL: time.Minute,
		IdentitySources: []string{"method.request.header.X-A", "method.request.header.X-B"}}
	re := newAuthzEnv(t, authz, allowAll)
	for i, tc := range []struct {
		a, b    string
		invoked bool
	}{
		{"1", "2", true},
		{"1", "2", false},
		{"1", "3", true},
		{"12", "", false}, // B missing: 401, no invocation
		{"1", "23", true},
		{"12", "3", true}, // the same bytes run together, other values
	} {
		r := httptest.NewRequest("GET", "/prod/a", nil)
		r.Host = execHost
		r.Header.Set("X-A", tc.a)
		if tc.b != "" {
			r.Header.Set("X-B", tc.b)
		}
		re.do(r)
		if n := len(re.fn.taken()); (n == 1) != tc.invoked {
			t.Errorf("case %d: %d invocations", i, n)
		}
	}
}

// TestUnauthorizedIsNotCached: an "Unauthorized" answer and a failure are
// not cached: the next request asks the function again (a choice: §1.4
// leaves it open).
func TestUnauthorizedIsNotCached(t *testing.T) {
	le := newAuthzEnv(t, tokenAuthorizer(time.Minute), func([]byte) ([]byte, bool, error) {
		return []byte(`{"errorMessage":"Unauthorized"}`), true, nil
	})
	for range 2 {
		if w := le.get("/prod/a", "tok"); w.Code != 401 {
			t.Errorf("status %d", w.Code)
		}
	}
	if n := len(le.fn.taken()); n != 2 {
		t.Errorf("%d invocations, want 2", n)
	}
}

// TestOneInvocationPerColdIdentity: 100 concurrent requests with a token
// not seen before invoke the function once; they all get its answer.
func TestOneInvocationPerColdIdentity(t *testing.T) {
	le := newAuthzEnv(t, tokenAuthorizer(time.Minute), allowAll)
	le.fn.gate = make(chan struct{})
	le.fn.entered = make(chan struct{}, 100)
	const n = 100
	codes := make(chan int, n)
	var started sync.WaitGroup
	for i := range n {
		started.Add(1)
		go func() {
			path := "/prod/a"
			if i%2 == 1 {
				path = "/prod/b"
			}
			started.Done()
			codes <- le.get(path, "cold").Code
		}()
	}
	<-le.fn.entered // the first request is in the function
	started.Wait()
	close(le.fn.gate)
	for range n {
		if c := <-codes; c != 200 {
			t.Errorf("status %d", c)
		}
	}
	if calls := le.fn.taken(); len(calls) != 1 {
		t.Errorf("%d invocations, want 1", len(calls))
	}
}

// TestCancelledCallerDoesNotCancelOthers: the first request's client goes
// away while the function runs; a second request waiting for the same
// invocation still gets the answer, and the invocation's ctx was not
// cancelled.
func TestCancelledCallerDoesNotCancelOthers(t *testing.T) {
	le := newAuthzEnv(t, tokenAuthorizer(time.Minute), allowAll)
	le.fn.gate = make(chan struct{})
	le.fn.entered = make(chan struct{}, 2)

	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan int, 1)
	go func() {
		r := httptest.NewRequestWithContext(ctx, "GET", "/prod/a", nil)
		r.Host = execHost
		r.Header.Set("Authorization", "tok")
		first <- le.do(r).Code
	}()
	<-le.fn.entered
	second := make(chan int, 1)
	go func() { second <- le.get("/prod/b", "tok").Code }()
	cancel()
	<-first // answered (to nobody) once its client left
	close(le.fn.gate)
	if c := <-second; c != 200 {
		t.Errorf("second: status %d", c)
	}
	calls := le.fn.taken()
	if len(calls) != 1 || calls[0].ctxErr != nil {
		t.Errorf("calls %+v", calls)
	}
	// And the answer was cached for the next request.
	if w := le.get("/prod/a", "tok"); w.Code != 200 || len(le.fn.taken()) != 0 {
		t.Errorf("after: %d", w.Code)
	}
}

// TestMethodARNTooLong: a methodArn over 1,600 bytes is 414 without
// invoking (apigw-beyond §1.2: limits.md, KC-authz).
func TestMethodARNTooLong(t *testing.T) {
	le := newAuthzEnv(t, tokenAuthorizer(0), allowAll)
	long := "/prod/" + strings.Repeat("x", gateway.MaxMethodARNBytes-len(testARNPrefix+"GET/")+1)
	if w := le.get(long, "tok"); w.Code != http.StatusRequestURITooLong {
		t.Errorf("status %d %s", w.Code, w.Body)
	}
	if w := le.get(long[:len(long)-1], "tok"); w.Code != 200 {
		t.Errorf("at the limit: status %d %s", w.Code, w.Body)
	}
	if n := len(le.fn.taken()); n != 1 {
		t.Errorf("%d invocations", n)
	}
}

// TestLambdaAuthorizerInvocation: what the authorizer allowed with reaches
// integrations: the Invocation's PrincipalID, AuthorizerContext (typed)
// and AuthorizerContextStrings (stringified, null left out), and the Lambda
// proxy event's requestContext.authorizer: context values stringified,
// null kept, then principalId and integrationLatency, a number, 0 on a
// cache hit (apigw-beyond §1.3: the real run {"str":"hello","bool":"true",
// "null":null,"num":"123","principalId":"my-username","integrationLatency":0}).
func TestLambdaAuthorizerInvocation(t *testing.T) {
	le := newAuthzEnv(t, tokenAuthorizer(time.Minute), allowAll)
	if w := le.get("/prod/a", "tok"); w.Code != 200 {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
	inv, _, _ := le.invocation()
	wantStrings := map[string]string{"str": "hello", "num": "123", "bool": "true"}
	if inv.Authorizer != "tokenAuth" || inv.PrincipalID != "my-username" || inv.Claims != nil || inv.ClientID != "" ||
		!maps.Equal(inv.AuthorizerContextStrings(), wantStrings) || inv.AuthorizerContext["num"] != json.Number("123") ||
		inv.AuthorizerContextHeader() == "" {
		t.Errorf("invocation %+v, strings %v", inv, inv.AuthorizerContextStrings())
	}

	if w := le.get("/prod/fn", "tok"); w.Code != 200 {
		t.Fatalf("fn: status %d %s", w.Code, w.Body)
	}
	calls := le.proxy.taken()
	if len(calls) != 1 {
		t.Fatalf("%d proxy invocations", len(calls))
	}
	var ev struct {
		RequestContext struct {
			Authorizer json.RawMessage `json:"authorizer"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(calls[0].event, &ev); err != nil {
		t.Fatal(err)
	}
	want := `{"bool":"true","null":null,"num":"123","str":"hello","principalId":"my-username","integrationLatency":0}`
	if got := string(ev.RequestContext.Authorizer); got != want {
		t.Errorf("requestContext.authorizer\n got %s\nwant %s", got, want)
	}
}

// TestLenientPathMustBeAllowed: a path with an encoded slash is evaluated
// for its methodArn as sent and for its decoded reading, which an
// upstream that decodes %2F serves: a policy denying /admin/* refuses
// "/admin%2Fsecret" though its methodArn as sent matches only the Allow.
func TestLenientPathMustBeAllowed(t *testing.T) {
	le := newAuthzEnv(t, tokenAuthorizer(time.Minute), func([]byte) ([]byte, bool, error) {
		return []byte(`{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[` +
			`{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"` + testARNPrefix + `GET/*"},` +
			`{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"` + testARNPrefix + `GET/admin/*"}]}}`), false, nil
	})
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/prod/public/x", 200},
		{"/prod/admin/secret", 403},
		{"/prod/admin%2Fsecret", 403},
		{"/prod/public%2Fx", 200},
	} {
		if w := le.get(tc.path, "tok"); w.Code != tc.status {
			t.Errorf("%s: status %d %s", tc.path, w.Code, w.Body)
		}
	}
}

// TestLambdaAuthorizerLogsNoToken: the refusals and failures are logged
// with their reason, never with the token.
func TestLambdaAuthorizerLogsNoToken(t *testing.T) {
	const token = "Bearer s3cr3t-t0ken"
	var logs strings.Builder
	var mu sync.Mutex
	answers := [][]byte{
		[]byte(`{"errorMessage":"Unauthorized"}`),
		[]byte(`{"errorMessage":"bad ` + token + `","errorType":"Error"}`),
		[]byte(`{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"*"}]}}`),
		[]byte(`not JSON`),
	}
	i := 0
	authz := tokenAuthorizer(0)
	authz.IdentityValidationExpression = "Bearer .*"
	fn := &fakeFunction{answer: func([]byte) ([]byte, bool, error) {
		a := answers[i%len(answers)]
		i++
		return a, i%len(answers) == 1 || i%len(answers) == 2, nil
	}}
	e := newEnv(t, func(api *tollgate.RestAPI, o *gateway.Options) {
		api.Routes = []tollgate.Route{{ResourcePath: "/a", Method: "GET", Authorizer: authz, Integration: tollgate.Integration{Type: tollgate.IntegrationMock}}}
		o.Invoke = fn.invoke
		o.Logger = slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	for _, tok := range []string{token, token, token, token, "Basic " + token} {
		r := httptest.NewRequest("GET", "/prod/a", nil)
		r.Host = execHost
		r.Header.Set("Authorization", tok)
		if w := e.do(r); w.Code == 200 {
			t.Errorf("%s: allowed", tok)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	out := logs.String()
	if strings.Count(out, "reason=") != 5 {
		t.Errorf("want 5 logged reasons:\n%s", out)
	}
	if strings.Contains(out, "s3cr3t") {
		t.Errorf("the token is logged:\n%s", out)
	}
}

// lockedWriter serializes writes to w.
type lockedWriter struct {
	mu *sync.Mutex
	w  *strings.Builder
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// FuzzTokenEvent: whatever a client sends as the token, the TOKEN event is
// one JSON object of exactly type, authorizationToken and methodArn, and
// a token of valid UTF-8 comes back from it unchanged.
func FuzzTokenEvent(f *testing.F) {
	for _, s := range []string{"Bearer abc", "", `"}{\u0000`, "\xff\xfe", "<script>&amp;", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		b, err := gateway.TokenEvent(token, testARNPrefix+"GET/")
		if err != nil {
			t.Fatal(err)
		}
		var ev map[string]string
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatalf("%q: %v", b, err)
		}
		if len(ev) != 3 || ev["type"] != "TOKEN" || ev["methodArn"] != testARNPrefix+"GET/" {
			t.Fatalf("event %q", b)
		}
		if utf8.ValidString(token) && ev["authorizationToken"] != token {
			t.Fatalf("token %q came back as %q", token, ev["authorizationToken"])
		}
	})
}

// TestEveryServedFormMustBeAllowed: the router ignores repeated slashes
// and a trailing slash, and a greedy {proxy+} carries the path without its
// trailing slash, so "/a/", "/x//y" and "/x/y/" are served as "/a" and
// "/x/y": a policy that denies those must refuse them, with the explicit
// deny's message, whether the policy was just fetched or cached. The
// function still sees the methodArn of the path as sent (the methodArn
// holds the request's path: api-gateway-lambda-authorizer-input.md; no
// AWS source says it normalizes slashes). A Deny matched only by the
// decoded reading of "%2F" is an explicit deny too.
func TestEveryServedFormMustBeAllowed(t *testing.T) {
	for _, ttl := range []time.Duration{0, time.Minute} {
		le := newAuthzEnv(t, tokenAuthorizer(ttl), func([]byte) ([]byte, bool, error) {
			return []byte(`{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[` +
				`{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"` + testARNPrefix + `GET/*"},` +
				`{"Action":"execute-api:Invoke","Effect":"Deny","Resource":["` + testARNPrefix + `GET/a","` + testARNPrefix + `GET/x/y"]}]}}`), false, nil
		})
		const explicit = `{"Message":"User is not authorized to access this resource with an explicit deny"}`
		for _, tc := range []struct {
			path, arnPath string
			status        int
		}{
			{"/prod/a", "a", 403},
			{"/prod/a/", "a/", 403},
			{"/prod/a//", "a//", 403},
			{"/prod/x/y", "x/y", 403},
			{"/prod/x//y", "x//y", 403},
			{"/prod/x/y/", "x/y/", 403},
			{"/prod/x%2Fy", "x%2Fy", 403},
			{"/prod/x%2F%2Fy", "x%2F%2Fy", 403},
			{"/prod/b/", "b/", 200},
			{"/prod/x//z", "x//z", 200},
			{"/prod/", "", 200},
		} {
			w := le.get(tc.path, "tok")
			if w.Code != tc.status || (tc.status == 403 && w.Body.String() != explicit) {
				t.Errorf("ttl %s: %s: %d %s", ttl, tc.path, w.Code, w.Body)
			}
			calls := le.fn.taken()
			if ttl == 0 && (len(calls) != 1 || !strings.Contains(string(calls[0].event), `"methodArn":"`+testARNPrefix+`GET/`+tc.arnPath+`"`)) {
				t.Errorf("%s: calls %d, want the methodArn as sent (%s)", tc.path, len(calls), tc.arnPath)
			}
		}
	}
}

// TestUnavailableRevocationsSpareOtherAuthorizers: stale revocations make
// a COGNITO_USER_POOLS route answer 503 (it cannot check them), but a
// Lambda or JWT authorizer consults none: their routes answer as usual.
func TestUnavailableRevocationsSpareOtherAuthorizers(t *testing.T) {
	fn := &fakeFunction{answer: allowAll}
	e := newEnv(t, func(api *tollgate.RestAPI, o *gateway.Options) {
		upstream := tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://upstream.internal/"}
		jwt := &tollgate.Authorizer{Name: "jwt", Type: tollgate.AuthorizerJWT, IdentitySource: "method.request.header.Authorization",
			JWT: &tollgate.JWTConfiguration{Algorithms: []string{"RS256"}, Issuers: []tollgate.JWTIssuer{{Issuer: issuerOf(poolA), Audiences: []string{clientA}}}}}
		api.Routes = append(api.Routes,
			tollgate.Route{ResourcePath: "/lambda", Method: "GET", Authorizer: tokenAuthorizer(time.Minute), Integration: upstream},
			tollgate.Route{ResourcePath: "/jwt", Method: "GET", Authorizer: jwt, Integration: upstream})
		o.Invoke = fn.invoke
		o.LocalIssuer = func(iss string) (string, bool) { return poolA, iss == issuerOf(poolA) }
		o.Unavailable = func() bool { return true }
	})
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/prod/mock", 503},
		{"/prod/lambda", 200},
		{"/prod/jwt", 401}, // no token: the JWT authorizer's own answer
	} {
		r := httptest.NewRequest("GET", tc.path, nil)
		r.Host = execHost
		r.Header.Set("Authorization", "tok")
		if w := e.do(r); w.Code != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.path, w.Code, w.Body, tc.status)
		}
	}
}

// TestIdentityAsTheEventShowsIt: a REQUEST authorizer's header identity
// sources are read as the event shows them: Host (which net/http keeps
// out of r.Header) and the X-Forwarded-For/-Proto/-Port API Gateway adds
// are there though the client sent none (the event's headers:
// lambdaproxy.AuthorizerEvent; apigw-beyond §1.2).
func TestIdentityAsTheEventShowsIt(t *testing.T) {
	authz := &tollgate.Authorizer{Name: "reqAuth", Type: tollgate.AuthorizerRequest, Function: "authFn", ResultTTL: time.Minute,
		IdentitySources: []string{"method.request.header.Host", "method.request.header.X-Forwarded-Proto",
			"method.request.header.X-Forwarded-For", "method.request.header.X-Forwarded-Port"}}
	le := newAuthzEnv(t, authz, allowAll)
	r := httptest.NewRequest("GET", "/prod/a", nil)
	r.Host = execHost
	if w := le.do(r); w.Code != 200 {
		t.Fatalf("forwarded and Host sources: %d %s", w.Code, w.Body)
	}
	calls := le.fn.taken()
	if len(calls) != 1 || !strings.Contains(string(calls[0].event), `"Host":"`+execHost+`"`) {
		t.Fatalf("calls %d", len(calls))
	}
}

// TestIdentityIsTheLastValue: a header or query parameter sent twice is
// keyed by its last value, the one the event's headers and
// queryStringParameters show the function (apigw-beyond §1.2), and an
// empty last value is missing: "X-Tok: alice" and "X-Tok: mallory" are
// not the key of "X-Tok: alice,mallory".
// TestIdentityRepeatedRefused: a REQUEST authorizer's header or query
// parameter sent more than once, or a header beside its twin (X_Tok), is
// refused without invoking, as a TOKEN authorizer's header is: a function
// reading another copy than the cache key's would have its answer served
// to callers sending only the key's value. A value seen once is the key.
func TestIdentityRepeatedRefused(t *testing.T) {
	authz := &tollgate.Authorizer{Name: "reqAuth", Type: tollgate.AuthorizerRequest, Function: "authFn", ResultTTL: time.Minute,
		IdentitySources: []string{"method.request.header.X-Tok", "method.request.querystring.t"}}
	le := newAuthzEnv(t, authz, allowAll)
	for i, tc := range []struct {
		tok     []string
		twin    string // a value of X_Tok, sent beside X-Tok
		query   string
		status  int
		invoked bool
		sees    string // the X-Tok the function sees in headers
	}{
		{[]string{"alice", "mallory"}, "", "?t=1", 401, false, ""},
		{[]string{"alice,mallory"}, "", "?t=1", 200, true, "alice,mallory"},
		{[]string{"mallory"}, "", "?t=1", 200, true, "mallory"},
		{[]string{"guest"}, "valid", "?t=1", 401, false, ""},
		{[]string{"guest"}, "", "?t=1", 200, true, "guest"}, // never cached from the twin's request
		{[]string{"bob"}, "", "?t=&t=", 401, false, ""},
		{[]string{"bob"}, "", "?t=1&t=2", 401, false, ""},
		{[]string{"bob"}, "", "?t=2", 200, true, "bob"},
		{[]string{"bob"}, "", "?t=2", 200, false, ""},
		{[]string{"bob", ""}, "", "?t=2", 401, false, ""},
	} {
		r := httptest.NewRequest("GET", "/prod/a"+tc.query, nil)
		r.Host = execHost
		for _, v := range tc.tok {
			r.Header.Add("X-Tok", v)
		}
		if tc.twin != "" {
			r.Header["X_tok"] = []string{tc.twin}
		}
		if w := le.do(r); w.Code != tc.status {
			t.Errorf("case %d: %d %s", i, w.Code, w.Body)
		}
		calls := le.fn.taken()
		if (len(calls) == 1) != tc.invoked {
			t.Errorf("case %d: %d invocations", i, len(calls))
		} else if tc.invoked && !strings.Contains(string(calls[0].event), `"X-Tok":"`+tc.sees+`"`) {
			t.Errorf("case %d: event %s", i, calls[0].event)
		}
	}
}

// TestPolicyCacheKeyHasTheAPI: one authorizer declaration serving two
// APIs caches its answers per API: the same token on the other API asks
// the function again (its answer's principal and context are the other
// API's business).
func TestPolicyCacheKeyHasTheAPI(t *testing.T) {
	fn := &fakeFunction{answer: func([]byte) ([]byte, bool, error) {
		return []byte(`{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[` +
			`{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:us-east-1:*:*/*"}]}}`), false, nil
	}}
	authz := tokenAuthorizer(time.Minute)
	upstream := tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://upstream.internal/"}
	api := func(id string) *tollgate.RestAPI {
		return &tollgate.RestAPI{ID: id, Name: id, Region: "us-east-1", Stages: []tollgate.Stage{{Name: "prod"}},
			Routes: []tollgate.Route{{ResourcePath: "/a", Method: "GET", Authorizer: authz, Integration: upstream}}}
	}
	e := &env{f: newFixture(t), obs: &observer{}}
	gw, err := gateway.New(gateway.Options{
		APIs:         []*tollgate.RestAPI{api("aaaaaaaaaa"), api("bbbbbbbbbb")},
		Integrations: gateway.IntegrationsFunc(e.integration),
		Invoke:       fn.invoke,
		Now:          e.f.clock.Now,
		Logger:       quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"aaaaaaaaaa", "bbbbbbbbbb", "aaaaaaaaaa"} {
		r := httptest.NewRequest("GET", "/prod/a", nil)
		r.Host = id + ".execute-api.us-east-1.localhost"
		r.Header.Set("Authorization", "tok")
		w := httptest.NewRecorder()
		gw.ServeHTTP(w, r)
		if w.Code != 200 {
			t.Errorf("%s: %d %s", id, w.Code, w.Body)
		}
	}
	if n := len(fn.taken()); n != 2 {
		t.Errorf("%d invocations, want 2 (one per API)", n)
	}
}

// TestDetachedInvocationsAreCapped: invocations that outlive their
// callers are bounded per authorizer: with 64 of them running for
// clients that left, the next runs on its caller's context and ends
// with it; the 64 kept theirs.
func TestDetachedInvocationsAreCapped(t *testing.T) {
	le := newAuthzEnv(t, tokenAuthorizer(time.Minute), allowAll)
	le.fn.gate = make(chan struct{})
	le.fn.entered = make(chan struct{}, 100)
	leave := func(token string) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int, 1)
		go func() {
			r := httptest.NewRequestWithContext(ctx, "GET", "/prod/a", nil)
			r.Host = execHost
			r.Header.Set("Authorization", token)
			done <- le.do(r).Code
		}()
		<-le.fn.entered
		cancel()
		if c := <-done; c != 500 {
			t.Errorf("%s: status %d after its client left", token, c)
		}
	}
	const detached = 64
	for i := range detached {
		leave(fmt.Sprintf("tok%d", i))
	}
	leave("extra")
	close(le.fn.gate)
	var calls []call
	functest.Eventually(t, "every invocation answered", func() bool {
		calls = append(calls, le.fn.taken()...)
		return len(calls) == detached+1
	})
	for _, c := range calls {
		extra := strings.Contains(string(c.event), `"authorizationToken":"extra"`)
		if extra != errors.Is(c.ctxErr, context.Canceled) {
			t.Errorf("%s: ctx error %v", c.event, c.ctxErr)
		}
	}
}

// TestRequestEventIsBuiltByTheCaller: a REQUEST authorizer's event is
// built on the goroutine that serves the request (headercase.Names reads
// r there only), not on the one the shared invocation runs on.
func TestRequestEventIsBuiltByTheCaller(t *testing.T) {
	fn := &fakeFunction{answer: allowAll}
	var mu sync.Mutex
	var stacks []string
	e := newEnv(t, func(api *tollgate.RestAPI, o *gateway.Options) {
		authz := &tollgate.Authorizer{Name: "reqAuth", Type: tollgate.AuthorizerRequest, Function: "authFn", ResultTTL: time.Minute,
			IdentitySources: []string{"method.request.header.X-Tok"}}
		api.Routes = append(api.Routes, tollgate.Route{ResourcePath: "/req", Method: "GET", Authorizer: authz,
			Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://upstream.internal/"}})
		o.Invoke = fn.invoke
		o.AuthorizerEvent = func(r *http.Request, inv *gateway.Invocation, arn string) ([]byte, error) {
			mu.Lock()
			stacks = append(stacks, string(debug.Stack()))
			mu.Unlock()
			return lambdaproxy.AuthorizerEvent(r, inv, arn)
		}
	})
	r := httptest.NewRequest("GET", "/prod/req", nil)
	r.Host = execHost
	r.Header.Set("X-Tok", "a")
	if w := e.do(r); w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if len(stacks) != 1 || !strings.Contains(stacks[0], "(*Gateway).ServeHTTP") {
		t.Errorf("the event was not built under ServeHTTP: %q", stacks)
	}
}

// TestEventHeaderValuesAreTheEvents: for every header of a Lambda event,
// EventHeaderValues (what an authorizer's identity reads) gives exactly
// its multiValueHeaders entry, X-Forwarded-* and Host included, for a
// request that sent its own X-Forwarded-For and a header twice.
func TestEventHeaderValuesAreTheEvents(t *testing.T) {
	r := httptest.NewRequest("GET", "https://"+execHost+"/prod/a", nil)
	r.RemoteAddr = "198.51.100.7:4711"
	r.Header.Add("X-Forwarded-For", "203.0.113.1")
	r.Header.Add("X-Forwarded-Proto", "gopher")
	r.Header.Add("X-Tok", "a")
	r.Header.Add("X-Tok", "b")
	inv := &gateway.Invocation{API: &tollgate.RestAPI{ID: apiID}, Stage: &tollgate.Stage{Name: "prod"}, Path: "/a"}
	raw, err := lambdaproxy.Event(r, inv, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Port", "X-Tok"} {
		if _, ok := ev.MultiValueHeaders[k]; !ok {
			t.Errorf("the event has no %s", k)
		}
	}
	for k, vs := range ev.MultiValueHeaders {
		if got := gateway.EventHeaderValues(r, http.CanonicalHeaderKey(k)); !slices.Equal(got, vs) {
			t.Errorf("%s: EventHeaderValues %q, the event %q", k, got, vs)
		}
	}
}
