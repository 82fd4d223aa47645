package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/tollgate/tollgate"
)

// API Gateway's answers when a Lambda authorizer refuses
// (apigw-beyond.md §1.5, the default gateway responses).
const (
	// Identity source missing or empty, TOKEN regex mismatch, or the
	// function failed with the message "Unauthorized" (D BOTO; D
	// APIGW23:apigateway-use-lambda-authorizer.md; V DEVTO).
	authUnauthorized = `{"message":"Unauthorized"}`
	// An explicit Deny: capital M, as measured on AWS (V DEVTO; E
	// LocalStack gateway_exception.py).
	authExplicitDeny = `{"Message":"User is not authorized to access this resource with an explicit deny"}`
	// No Allow matched the methodArn (implicit deny), the caching trap
	// included (§1.4; V DEVTO, KC-authz).
	authImplicitDeny = `{"Message":"User is not authorized to access this resource"}`
	// Any other failure: an error, a timeout, a missing or bad policy, a
	// non-scalar context (V DEVTO; V auth0-samples PR #6; V
	// serverless/examples #305).
	authConfigError = `{"message":null}`
)

// lambdaAuthorizerConfig declares an API whose methods are guarded by the
// authorizers of testdata/authorizer: TOKEN with a cache (and the default
// Authorization header, a validation regex), TOKEN without one (header
// X-Token), REQUEST keyed by a header, a query string parameter, a stage
// variable and the method, and REQUEST without identity sources or cache.
// The integrations are the echo function and an HTTP upstream. Arguments:
// the functions' code directory, the file they count their calls in, and
// the upstream's URL.
const lambdaAuthorizerConfig = `region: us-east-1
userPools:
%[4]sfunctions:
  - {id: AuthFn, runtime: nodejs22.x, handler: index.token, code: "%[1]s", timeout: 2s, environment: {CALLS_FILE: "%[2]s"}}
  - {id: ReqAuthFn, runtime: nodejs22.x, handler: index.request, code: "%[1]s", timeout: 2s, environment: {CALLS_FILE: "%[2]s"}}
  - {id: Echo, runtime: nodejs22.x, handler: index.echo, code: "%[1]s", timeout: 10s}
restApis:
  - id: Api
    deployOptions: {stageName: prod, variables: {v: sv}}
    authorizers:
      - id: TokenAuth
        type: TOKEN
        function: AuthFn
        identitySource: method.request.header.Authorization
        validationRegex: "^Bearer [A-Za-z0-9._-]+$"
        resultsCacheTtl: 300s
      - {id: NoCacheAuth, type: TOKEN, function: AuthFn, identitySource: method.request.header.X-Token, resultsCacheTtl: 0s}
      - id: ReqAuth
        type: REQUEST
        function: ReqAuthFn
        identitySources: [method.request.header.X-Tenant, method.request.querystring.key, stageVariables.v, context.httpMethod]
        resultsCacheTtl: 300s
      - {id: ReqNoSources, type: REQUEST, function: ReqAuthFn, resultsCacheTtl: 0s}
    resources:
      - path: /cached/{proxy+}
        methods:
          - {httpMethod: ANY, authorizer: TokenAuth, integration: {type: AWS_PROXY, function: Echo}}
      - path: /uncached/{proxy+}
        methods:
          - {httpMethod: ANY, authorizer: NoCacheAuth, integration: {type: AWS_PROXY, function: Echo}}
      - path: /req/{proxy+}
        methods:
          - {httpMethod: ANY, authorizer: ReqAuth, integration: {type: AWS_PROXY, function: Echo}}
      - path: /open
        methods:
          - {httpMethod: GET, authorizer: ReqNoSources, integration: {type: AWS_PROXY, function: Echo}}
      - path: /upstream/{proxy+}
        methods:
          - {httpMethod: GET, authorizer: TokenAuth, integration: {type: HTTP_PROXY, uri: "%[3]s/{proxy}"}}
`

// testdata returns the absolute path of a directory of testdata.
func testdata(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// callsFile returns the path of a file functions may append to, in a
// directory anyone can write: as root, Tollgate runs functions as nobody.
func callsFile(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "tollgate-calls-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil { //nolint:gosec // the function's user must create its file here
		t.Fatal(err)
	}
	return filepath.Join(dir, "calls")
}

// calls returns the lines the functions appended to file, one a call.
func calls(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// callsOf counts the calls that recorded line.
func callsOf(t *testing.T, file, line string) int {
	t.Helper()
	n := 0
	for _, l := range calls(t, file) {
		if l == line {
			n++
		}
	}
	return n
}

// startDevWith runs `tollgate dev` with env added to its environment.
func startDevWith(t *testing.T, env []string, dataDir string, extra ...string) (*proc, devInfo) {
	t.Helper()
	args := append([]string{"dev", "--data", dataDir, "--listen", "127.0.0.1:0", "--poll-interval", "100ms"}, extra...)
	p := start(t, env, `^Stop with Ctrl-C`, args...)
	return p, parseDev(t, p.Output())
}

// wantAnswer checks a gateway answer: wantBody's checks and its
// x-amzn-ErrorType.
func wantAnswer(t *testing.T, what string, resp *http.Response, body []byte, status int, wantJSON, errorType string) {
	t.Helper()
	wantBody(t, what, resp, body, status, wantJSON)
	if got := resp.Header.Get("x-amzn-ErrorType"); got != errorType {
		t.Errorf("%s: x-amzn-ErrorType %q, want %q", what, got, errorType)
	}
}

// wantBody checks a gateway answer's status and its body as JSON (keys
// compared exactly, so "Message" is not "message" and null is not
// missing).
func wantBody(t *testing.T, what string, resp *http.Response, body []byte, status int, wantJSON string) {
	t.Helper()
	var got, want any
	if err := json.Unmarshal([]byte(wantJSON), &want); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != status || json.Unmarshal(body, &got) != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("%s: %s %s, want %d %s", what, resp.Status, body, status, wantJSON)
	}
}

// proxyEvent is the part of a Lambda proxy event the tests read.
type proxyEvent struct {
	Path           string `json:"path"`
	RequestContext struct {
		Authorizer map[string]any `json:"authorizer"`
	} `json:"requestContext"`
}

// authorizerOf returns the requestContext.authorizer of the proxy event an
// echo answer holds, after checking that the call succeeded.
func authorizerOf(t *testing.T, what string, resp *http.Response, body []byte) map[string]any {
	t.Helper()
	var ev proxyEvent
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &ev) != nil {
		t.Fatalf("%s: %s %s, want 200 and the echo function's event", what, resp.Status, body)
	}
	return ev.RequestContext.Authorizer
}

// wantAuthorizer compares an event's requestContext.authorizer with want,
// apart from integrationLatency, which must be a number (§1.3: V
// DefinitelyTyped PR #69823, aws/chalice #1386).
func wantAuthorizer(t *testing.T, what string, got, want map[string]any) {
	t.Helper()
	latency, ok := got["integrationLatency"].(float64)
	if !ok || latency < 0 {
		t.Errorf("%s: integrationLatency %#v, want a number of milliseconds", what, got["integrationLatency"])
	}
	rest := map[string]any{}
	for k, v := range got {
		if k != "integrationLatency" {
			rest[k] = v
		}
	}
	if !reflect.DeepEqual(rest, want) {
		t.Errorf("%s: requestContext.authorizer\n got %v\nwant %v (and integrationLatency)", what, rest, want)
	}
}

// lambdaAuthorizerStack runs lambdaAuthorizerConfig.
type lambdaAuthorizerStack struct {
	p      *proc
	apiURL string
	calls  string
	// seen receives the headers of each request the upstream gets.
	seen chan http.Header
}

func startLambdaAuthorizerStack(t *testing.T) *lambdaAuthorizerStack {
	t.Helper()
	needProgram(t, "node")
	s := &lambdaAuthorizerStack{calls: callsFile(t), seen: make(chan http.Header, 16)}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case s.seen <- r.Header.Clone():
		default:
		}
		_, _ = w.Write([]byte("upstream ok"))
	}))
	t.Cleanup(up.Close)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "tollgate.yaml")
	writeFile(t, cfg, fmt.Sprintf(lambdaAuthorizerConfig, testdata(t, "authorizer"), s.calls, up.URL, partnerPool("api/read", "read")))
	s.p, _ = startDev(t, t.TempDir(), "--config", cfg)
	m := reAPIURL.FindStringSubmatch(s.p.Output())
	if m == nil {
		t.Fatalf("dev printed no API URL:\n%s", s.p.Output())
	}
	s.apiURL = strings.TrimSuffix(m[1], "/") // paths below start with a slash
	return s
}

// get calls the API with the given headers.
func (s *lambdaAuthorizerStack) do(t *testing.T, method, path string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	return call(t, method, s.apiURL+path, "", hdr)
}

// methodArn is the methodArn API Gateway gives the authorizer for a
// request (§1.2: arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{VERB}/{path
// without its leading slash}).
func methodArn(verb, path string) string {
	return "arn:aws:execute-api:us-east-1:" + tollgate.AccountID + ":" + tollgate.RestAPIID("Api") + "/prod/" + verb + "/" + strings.TrimPrefix(path, "/")
}

// TestLambdaTokenAuthorizer runs a TOKEN authorizer, a Node.js function,
// through the real binary: what it is given, what reaches the integration,
// every way it refuses (§1.5), and its cache (§1.4).
func TestLambdaTokenAuthorizer(t *testing.T) {
	s := startLambdaAuthorizerStack(t)
	bearer := func(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

	// Allowed: the event had exactly type, authorizationToken (the header
	// as sent, Bearer included) and methodArn (§1.2); the integration gets
	// principalId and the context's values as strings (§1.3: "123",
	// "true").
	resp, body := s.do(t, "GET", "/cached/a/b", bearer("allow.first"))
	wantAuthorizer(t, "allow", authorizerOf(t, "allow", resp, body), map[string]any{
		"principalId": "user-allow.first",
		"str":         "hello", "num": "123", "bool": "true",
		"type": "TOKEN", "token": "Bearer allow.first", "methodArn": methodArn("GET", "/cached/a/b"),
		"keys": "authorizationToken,methodArn,type",
	})
	// A null context value stays null (§1.3: V DefinitelyTyped PR #69823).
	resp, body = s.do(t, "GET", "/cached/n", bearer("nullctx.1"))
	wantAuthorizer(t, "null context value", authorizerOf(t, "null context value", resp, body), map[string]any{
		"principalId": "user-nullctx.1", "str": "x", "nothing": nil,
	})

	// Refused before the function runs (§1.1, §1.5): no header, an empty
	// one, a value the validation regex does not match.
	before := len(calls(t, s.calls))
	for _, tc := range []struct {
		what string
		hdr  map[string]string
	}{
		{"no Authorization header", nil},
		{"an empty Authorization header", map[string]string{"Authorization": ""}},
		{"a Basic credential (regex mismatch)", map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}},
		{"a token with a space (regex mismatch)", bearer("allow.x y")},
	} {
		resp, body := s.do(t, "GET", "/cached/a", tc.hdr)
		wantAnswer(t, tc.what, resp, body, http.StatusUnauthorized, authUnauthorized, "UnauthorizedException")
	}
	if after := len(calls(t, s.calls)); after != before {
		t.Errorf("the function ran %d times for requests refused before it (missing or mismatching token), want 0", after-before)
	}

	// What the function answers (§1.5), each token's function run once.
	for _, tc := range []struct {
		token, body, errorType string
		status                 int
	}{
		{"unauthorized.1", authUnauthorized, "UnauthorizedException", http.StatusUnauthorized},
		{"deny.1", authExplicitDeny, "AccessDeniedException", http.StatusForbidden},
		{"elsewhere.1", authImplicitDeny, "AccessDeniedException", http.StatusForbidden},
		{"boom.1", authConfigError, "AuthorizerConfigurationException", http.StatusInternalServerError},
		{"malformed.1", authConfigError, "AuthorizerConfigurationException", http.StatusInternalServerError},
		{"objctx.1", authConfigError, "AuthorizerConfigurationException", http.StatusInternalServerError},
		// The function's own timeout (2 s) ends it (§1.5, U: no REST
		// authorizer timeout is documented; DEVTO measured this answer).
		{"timeout.1", authConfigError, "AuthorizerConfigurationException", http.StatusInternalServerError},
	} {
		resp, body := s.do(t, "GET", "/cached/f", bearer(tc.token))
		wantAnswer(t, tc.token, resp, body, tc.status, tc.body, tc.errorType)
		if n := callsOf(t, s.calls, tc.token); n != 1 {
			t.Errorf("%s: the function ran %d times, want 1", tc.token, n)
		}
	}
	// A methodArn over 1,600 bytes: 414, without running the function
	// (§1.2: D APIGW23:api-gateway-lambda-authorizer-output.md, limits.md).
	long := "/cached/" + strings.Repeat("x", 1600)
	if resp, body := s.do(t, "GET", long, bearer("allow.long")); resp.StatusCode != http.StatusRequestURITooLong || callsOf(t, s.calls, "allow.long") != 0 {
		t.Errorf("a methodArn over 1,600 bytes: %s %s, the function ran %d times; want 414 and 0", resp.Status, body, callsOf(t, s.calls, "allow.long"))
	}
	// After the timeout, a new instance answers.
	resp, body = s.do(t, "GET", "/cached/after", bearer("allow.after"))
	authorizerOf(t, "after a timeout", resp, body)

	// The cache keeps the policy for the token (TTL 300 s): a second
	// request, to another path, does not run the function.
	for _, p := range []string{"/cached/one", "/cached/two", "/cached/one"} {
		resp, body := s.do(t, "GET", p, bearer("allow.cache"))
		authorizerOf(t, "cached "+p, resp, body)
	}
	if n := callsOf(t, s.calls, "allow.cache"); n != 1 {
		t.Errorf("three requests with one token: the function ran %d times, want 1 (TTL 300 s)", n)
	}

	// The caching trap (§1.4): a policy naming only the first methodArn,
	// cached, refuses the token's next request to another path with an
	// implicit deny, without running the function again; the first path
	// still passes.
	resp, body = s.do(t, "GET", "/cached/first", bearer("narrow.c"))
	authorizerOf(t, "narrow policy, first path", resp, body)
	resp, body = s.do(t, "GET", "/cached/second", bearer("narrow.c"))
	wantAnswer(t, "narrow policy, another path within the TTL", resp, body, http.StatusForbidden, authImplicitDeny, "AccessDeniedException")
	resp, body = s.do(t, "POST", "/cached/first", bearer("narrow.c"))
	wantAnswer(t, "narrow policy, another method within the TTL", resp, body, http.StatusForbidden, authImplicitDeny, "AccessDeniedException")
	resp, body = s.do(t, "GET", "/cached/first", bearer("narrow.c"))
	authorizerOf(t, "narrow policy, first path again", resp, body)
	if n := callsOf(t, s.calls, "narrow.c"); n != 1 {
		t.Errorf("narrow policy: the function ran %d times, want 1", n)
	}
	// With TTL 0 there is no trap: every request asks the function, whose
	// policy names that request's methodArn (header X-Token, no Bearer).
	for _, p := range []string{"/uncached/first", "/uncached/second"} {
		resp, body := s.do(t, "GET", p, map[string]string{"X-Token": "narrow.u"})
		authorizerOf(t, "narrow policy, TTL 0, "+p, resp, body)
	}
	if n := callsOf(t, s.calls, "narrow.u"); n != 2 {
		t.Errorf("TTL 0: the function ran %d times for two requests, want 2", n)
	}

	// 100 requests at once with a new token: the function runs once, and
	// all of them are allowed.
	const parallel = 100
	var wg sync.WaitGroup
	statuses := make([]int, parallel)
	for i := range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/cached/burst/%d", s.apiURL, i), nil)
			if err != nil {
				t.Error(err)
				return
			}
			req.Header.Set("Authorization", "Bearer allow.burst")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	for i, st := range statuses {
		if st != http.StatusOK {
			t.Errorf("concurrent request %d: status %d, want 200", i, st)
		}
	}
	if n := callsOf(t, s.calls, "allow.burst"); n != 1 {
		t.Errorf("%d concurrent requests with one new token: the function ran %d times, want 1", parallel, n)
	}
}

// TestLambdaAuthorizerHTTPUpstream: what a Lambda authorizer decided
// reaches an HTTP_PROXY upstream in Tollgate's decision headers, never
// the caller's copies of them.
func TestLambdaAuthorizerHTTPUpstream(t *testing.T) {
	s := startLambdaAuthorizerStack(t)
	resp, body := s.do(t, "GET", "/upstream/x", map[string]string{
		"Authorization":                 "Bearer allow.up",
		"X-Tollgate-Principal-Id":       "admin",
		"X-Tollgate-Authorizer-Context": `{"str":"forged"}`,
	})
	if resp.StatusCode != http.StatusOK || string(body) != "upstream ok" {
		t.Fatalf("upstream call: %s %s", resp.Status, body)
	}
	h := <-s.seen
	if got := h.Values("X-Tollgate-Principal-Id"); len(got) != 1 || got[0] != "user-allow.up" {
		t.Errorf("upstream's X-Tollgate-Principal-Id = %q, want the authorizer's principalId only", got)
	}
	got := h.Values("X-Tollgate-Authorizer-Context")
	if len(got) != 1 {
		t.Fatalf("upstream's X-Tollgate-Authorizer-Context = %q, want one value", got)
	}
	// The context as JSON, plain or in unpadded base64url as
	// X-Tollgate-Claims is; its values stringified, as
	// $context.authorizer.{key} is (§1.3).
	raw := []byte(got[0])
	if b, err := base64.RawURLEncoding.DecodeString(got[0]); err == nil {
		raw = b
	}
	var ctx map[string]any
	if err := json.Unmarshal(raw, &ctx); err != nil || ctx["str"] != "hello" || ctx["num"] != "123" || ctx["bool"] != "true" {
		t.Errorf("upstream's X-Tollgate-Authorizer-Context %q: %v, want the authorizer's context, stringified (%v)", got[0], ctx, err)
	}
}

// TestLambdaRequestAuthorizer runs a REQUEST authorizer: its identity
// sources are required and key its cache (§1.1, §1.4), and its event
// carries the request (§1.2).
func TestLambdaRequestAuthorizer(t *testing.T) {
	s := startLambdaAuthorizerStack(t)
	tenant := func(tenant string) map[string]string { return map[string]string{"X-Tenant": tenant} }

	// A missing or empty identity source: 401 without running the function.
	before := len(calls(t, s.calls))
	for _, tc := range []struct {
		what, path string
		hdr        map[string]string
	}{
		{"no X-Tenant", "/req/a?key=k1", nil},
		{"an empty X-Tenant", "/req/a?key=k1", tenant("")},
		{"no key", "/req/a", tenant("t1")},
		{"an empty key", "/req/a?key=", tenant("t1")},
	} {
		resp, body := s.do(t, "GET", tc.path, tc.hdr)
		wantAnswer(t, tc.what, resp, body, http.StatusUnauthorized, authUnauthorized, "UnauthorizedException")
	}
	if after := len(calls(t, s.calls)); after != before {
		t.Errorf("the function ran %d times for requests missing an identity source, want 0", after-before)
	}

	// The event held the headers, query string, stage variables, method
	// and path, and no body (§1.2).
	resp, body := s.do(t, "GET", "/req/a?key=k1", tenant("t1"))
	wantAuthorizer(t, "REQUEST", authorizerOf(t, "REQUEST", resp, body), map[string]any{
		"principalId": "tenant-t1",
		"tenant":      "t1", "key": "k1", "stageVar": "sv", "httpMethod": "GET", "path": "/req/a",
		"type": "REQUEST", "hasBody": "false",
	})
	// The cache is keyed by all the identity sources' values (§1.4): the
	// same values on another path do not run the function again; another
	// key, or another method (context.httpMethod is a source), do.
	for _, tc := range []struct{ method, path, tenant string }{
		{"GET", "/req/b?key=k1", "t1"},
		{"GET", "/req/a?key=k2", "t1"},
		{"POST", "/req/a?key=k1", "t1"},
		{"GET", "/req/c?key=k2", "t1"},
	} {
		resp, body := s.do(t, tc.method, tc.path, tenant(tc.tenant))
		authorizerOf(t, tc.method+" "+tc.path, resp, body)
	}
	for line, want := range map[string]int{"t1|k1|GET": 1, "t1|k2|GET": 1, "t1|k1|POST": 1} {
		if n := callsOf(t, s.calls, line); n != want {
			t.Errorf("identity %s: the function ran %d times, want %d", line, n, want)
		}
	}
	resp, body = s.do(t, "GET", "/req/a?key=k1", tenant("deny"))
	wantAnswer(t, "REQUEST deny", resp, body, http.StatusForbidden, authExplicitDeny, "AccessDeniedException")

	// Without caching, identity sources are not required (§1.1), and the
	// function runs for every request.
	for range 2 {
		resp, body := s.do(t, "GET", "/open", nil)
		authorizerOf(t, "REQUEST without identity sources", resp, body)
	}
	if n := callsOf(t, s.calls, "||GET"); n != 2 {
		t.Errorf("REQUEST without cache: the function ran %d times for two requests, want 2", n)
	}
}
