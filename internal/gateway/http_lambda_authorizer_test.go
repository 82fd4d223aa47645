package gateway_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
)

// httpRouteARN is the routeArn prefix of the test HTTP API's $default
// stage: arn:aws:execute-api:{region}:{account}:{apiId}/$default/, then
// the request's method and path (recorded events, TestHTTPLambdaAuthorizerEvent).
const httpRouteARN = "arn:aws:execute-api:us-east-1:" + tollgate.AccountID + ":" + apiID + "/$default/"

// httpEvent is a fake gateway.HTTPAuthorizerEventFunc: what the gateway
// hands the event builder, as JSON (lambdaproxy.HTTPAuthorizerEvent builds
// the real one).
func httpEvent(r *http.Request, inv *gateway.Invocation, version, routeARN string, identity []string) ([]byte, error) {
	return json.Marshal(map[string]any{"version": version, "type": "REQUEST", "routeArn": routeARN,
		"identitySource": identity, "routeKey": inv.RouteKey, "rawPath": inv.RawPath})
}

// httpEventOf is the fake event a call received.
type httpEventOf struct {
	Version        string   `json:"version"`
	RouteArn       string   `json:"routeArn"`
	IdentitySource []string `json:"identitySource"`
	RouteKey       string   `json:"routeKey"`
}

func decodeHTTPEvent(t testing.TB, c call) httpEventOf {
	t.Helper()
	var ev httpEventOf
	if err := json.Unmarshal(c.event, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// simple answers a simple response allowing everything, with a context
// holding an array and a map (http-api-lambda-authorizer.html's example
// has "arrayKey" and "mapKey").
func simple(allow bool) func([]byte) ([]byte, bool, error) {
	return func([]byte) ([]byte, bool, error) {
		b, _ := json.Marshal(map[string]any{"isAuthorized": allow,
			"context": map[string]any{"arrayKey": []any{"value1", "value2"}, "mapKey": map[string]any{"k": 1}, "n": 2}})
		return b, false, nil
	}
}

// allowRouteOnly answers an IAM policy allowing exactly the event's
// routeArn.
func allowRouteOnly(event []byte) ([]byte, bool, error) {
	var ev httpEventOf
	if err := json.Unmarshal(event, &ev); err != nil {
		return nil, false, err
	}
	return []byte(`{"principalId":"p","policyDocument":{"Version":"2012-10-17","Statement":[` +
		`{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"` + ev.RouteArn + `"}]},"context":{"list":[1,2]}}`), false, nil
}

// httpLambdaAuthorizer is an HTTP API's REQUEST authorizer as CDK's
// HttpLambdaAuthorizer declares it: identity source the Authorization
// header, payload 2.0 with simple responses, or 1.0 (IAM).
func httpLambdaAuthorizer(version string, simple bool, ttl time.Duration, sources ...string) *tollgate.Authorizer {
	if len(sources) == 0 {
		sources = []string{"$request.header.Authorization"}
	}
	return &tollgate.Authorizer{Name: "lambdaAuth", Type: tollgate.AuthorizerRequest, Function: "authFn",
		IdentitySources: sources, ResultTTL: ttl, PayloadFormatVersion: version, SimpleResponses: simple}
}

// newHTTPAuthzEnv is an HTTP API ($default stage, stage variable tenant)
// whose routes GET /orders/{orderId}, GET /a, GET /b and $default are
// guarded by authz, answered by answer.
func newHTTPAuthzEnv(t testing.TB, authz *tollgate.Authorizer, answer func([]byte) ([]byte, bool, error)) *authzEnv {
	t.Helper()
	return newHTTPAuthzEnvStage(t, tollgate.DefaultStageName, authz, answer)
}

// newHTTPAuthzEnvStage is newHTTPAuthzEnv with the stage named stage.
func newHTTPAuthzEnvStage(t testing.TB, stage string, authz *tollgate.Authorizer, answer func([]byte) ([]byte, bool, error)) *authzEnv {
	t.Helper()
	le := &authzEnv{fn: &fakeFunction{answer: answer}}
	le.env = newEnv(t, func(api *tollgate.RestAPI, o *gateway.Options) {
		upstream := tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://upstream.internal/"}
		api.Protocol = tollgate.ProtocolHTTP
		api.Stages = []tollgate.Stage{{Name: stage, Variables: map[string]string{"tenant": "t1"}}}
		api.DomainNames = nil
		api.Routes = []tollgate.Route{
			{ResourcePath: "/orders/{orderId}", Method: "GET", Authorizer: authz, Integration: upstream},
			{ResourcePath: "/a", Method: "GET", Authorizer: authz, Integration: upstream},
			{ResourcePath: "/b", Method: "GET", Authorizer: authz, Integration: upstream},
			{ResourcePath: tollgate.DefaultRouteKey, Method: "ANY", Authorizer: authz, Integration: upstream},
		}
		o.Invoke = le.fn.invoke
		o.HTTPAuthorizerEvent = httpEvent
	})
	return le
}

// TestHTTPLambdaAuthorizerEvent: the event builder gets the payload format
// version, the routeArn of the request — its method and its path after
// the stage, not the route's template, the $default route's included — and
// the identity values in the authorizer's order. The routeArn as recorded
// events have it: routeKey "GET /api/{proxy+}" with routeArn
// "…:f51uq07z1g/$default/GET/api/v1/graph-data" (code-index file
// 53634745808), routeKey "ANY /{proxy+}", rawPath "/dev/" with routeArn
// "…:8lk68m9h25/dev/GET/" (file 26444175391; TestHTTPLambdaAuthorizerNamedStage).
func TestHTTPLambdaAuthorizerEvent(t *testing.T) {
	for _, version := range []string{"1.0", "2.0"} {
		t.Run(version, func(t *testing.T) {
			answer := simple(true)
			if version == "1.0" {
				answer = allowAll
			}
			authz := httpLambdaAuthorizer(version, version == "2.0", 0,
				"$request.querystring.token", "$request.header.X-Tenant", "$context.routeKey", "$stageVariables.tenant")
			le := newHTTPAuthzEnv(t, authz, answer)
			for _, c := range []struct{ target, arn, key string }{
				{"/orders/42?token=q", httpRouteARN + "GET/orders/42", "GET /orders/{orderId}"},
				{"/elsewhere/x?token=q", httpRouteARN + "GET/elsewhere/x", "$default"},
			} {
				r := httptest.NewRequest("GET", c.target, nil)
				r.Host = execHost
				r.Header.Set("x-tenant", "acme") // a header source is case-insensitive
				if w := le.do(r); w.Code != 200 {
					t.Fatalf("%s: %d %s", c.target, w.Code, w.Body)
				}
				calls := le.fn.taken()
				if len(calls) != 1 {
					t.Fatalf("%d calls", len(calls))
				}
				want := httpEventOf{Version: version, RouteArn: c.arn, RouteKey: c.key, IdentitySource: []string{"q", "acme", c.key, "t1"}}
				if diff := cmp.Diff(want, decodeHTTPEvent(t, calls[0])); diff != "" {
					t.Errorf("%s: event (-want +got)\n%s", c.target, diff)
				}
				// tollgate.HTTPLambdaAuthorizerTimeout: 10 s (limits.md).
				if b := calls[0].budget; b <= 9*time.Second || b > tollgate.HTTPLambdaAuthorizerTimeout {
					t.Errorf("the function was given %s", b)
				}
			}
		})
	}
}

// TestHTTPLambdaAuthorizerNamedStage: on a named stage the routeArn
// names the stage and the path after it, "" at its root: a recorded 2.0
// event has routeKey "ANY /{proxy+}", rawPath "/dev/" and routeArn
// "arn:aws:execute-api:eu-west-2:700060376888:8lk68m9h25/dev/GET/"
// (code-index file 26444175391).
func TestHTTPLambdaAuthorizerNamedStage(t *testing.T) {
	le := newHTTPAuthzEnvStage(t, "dev", httpLambdaAuthorizer("2.0", true, 0), simple(true))
	prefix := "arn:aws:execute-api:us-east-1:" + tollgate.AccountID + ":" + apiID + "/dev/"
	for target, arn := range map[string]string{
		"/dev/":                  prefix + "GET/",
		"/dev/api/v1/graph-data": prefix + "GET/api/v1/graph-data",
		"/dev/orders/7":          prefix + "GET/orders/7",
	} {
		if w := le.get(target, "tok"); w.Code != 200 {
			t.Fatalf("%s: %d %s", target, w.Code, w.Body)
		}
		calls := le.fn.taken()
		if len(calls) != 1 {
			t.Fatalf("%s: %d calls", target, len(calls))
		}
		if got := decodeHTTPEvent(t, calls[0]).RouteArn; got != arn {
			t.Errorf("%s: routeArn %s, want %s", target, got, arn)
		}
	}
}

// TestHTTPLambdaAuthorizerPolicyEveryForm: an IAM policy is evaluated
// against the routeArn of every form the request's path can be served
// as, as a REST API's methodArn is: "/elsewhere//secret" reaches what
// "/elsewhere/secret" does, and is denied with it.
func TestHTTPLambdaAuthorizerPolicyEveryForm(t *testing.T) {
	policy := `{"principalId":"p","policyDocument":{"Version":"2012-10-17","Statement":[` +
		`{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"` + httpRouteARN + `GET/*"},` +
		`{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"` + httpRouteARN + `GET/elsewhere/secret"}]}}`
	le := newHTTPAuthzEnv(t, httpLambdaAuthorizer("1.0", false, 0), func([]byte) ([]byte, bool, error) { return []byte(policy), false, nil })
	for target, want := range map[string]int{"/elsewhere/x": 200, "/elsewhere/secret": 403, "/elsewhere//secret": 403, "/elsewhere/secret/": 403} {
		if w := le.get(target, "tok"); w.Code != want {
			t.Errorf("%s: %d %s, want %d", target, w.Code, w.Body, want)
		}
	}
}

// TestHTTPLambdaAuthorizerQueryAmbiguous: a query string source another
// parser could read otherwise — a pair naming it behind ";", which
// url.ParseQuery (the event's) drops and an upstream splitting on ";"
// reads, or a query naming it that ParseQuery cannot read whole — is a
// 401 without invoking the function; so on a REST API.
func TestHTTPLambdaAuthorizerQueryAmbiguous(t *testing.T) {
	le := newHTTPAuthzEnv(t, httpLambdaAuthorizer("2.0", true, time.Minute, "$request.querystring.token"), simple(true))
	for _, target := range []string{"/a?x=1;token=FORGED&token=VALID", "/a?token=VALID&x=1;token=FORGED", "/a?token=%zz", "/a?token=VALID&x=%zz", "/a?token=VALID;x=1", "/a?y=1;z=2&token=VALID"} {
		if w := le.get(target, ""); w.Code != 401 || w.Body.String() != `{"message":"Unauthorized"}` {
			t.Errorf("%s: %d %s", target, w.Code, w.Body)
		}
	}
	if n := len(le.fn.taken()); n != 0 {
		t.Errorf("%d invocations", n)
	}
	if w := le.get("/a?x=%41&t%6Fken=VALID+1", ""); w.Code != 200 {
		t.Errorf("escapes: %d %s", w.Code, w.Body)
	}
	if ev := decodeHTTPEvent(t, le.fn.taken()[0]); !slices.Equal(ev.IdentitySource, []string{"VALID 1"}) {
		t.Errorf("identity %q", ev.IdentitySource)
	}
	if w := le.get("/a?x=1;y=2", ""); w.Code != 401 {
		t.Errorf("no token: %d", w.Code)
	}
	rest := newAuthzEnv(t, &tollgate.Authorizer{Name: "req", Type: tollgate.AuthorizerRequest, Function: "authFn", ResultTTL: time.Minute,
		IdentitySources: []string{"method.request.querystring.key"}}, allowAll)
	if w := rest.get("/prod/pets?x=1;key=FORGED&key=VALID", ""); w.Code != 401 || len(rest.fn.taken()) != 0 {
		t.Errorf("REST: %d %s", w.Code, w.Body)
	}
}

// TestHTTPLambdaAuthorizerIdentityMissing: a missing or empty identity
// source, whatever the caching, is 401 {"message":"Unauthorized"} without
// invoking the function (http-api-lambda-authorizer.html; contract §4.4);
// a query string source is case-sensitive.
func TestHTTPLambdaAuthorizerIdentityMissing(t *testing.T) {
	le := newHTTPAuthzEnv(t, httpLambdaAuthorizer("2.0", true, 0, "$request.header.Authorization", "$request.querystring.Token"), simple(true))
	for _, c := range []struct{ target, token string }{
		{"/a?Token=x", ""},
		{"/a?token=x", "tok"},
		{"/a?Token=", "tok"},
		{"/a?Token=x&Token=y", "tok"},
	} {
		w := le.get(c.target, c.token)
		if w.Code != 401 || w.Body.String() != `{"message":"Unauthorized"}` || w.Header().Get(gateway.HeaderErrorType) != "" {
			t.Errorf("%s %q: %d %s %v", c.target, c.token, w.Code, w.Body, w.Header())
		}
	}
	if n := len(le.fn.taken()); n != 0 {
		t.Errorf("%d invocations", n)
	}
	if w := le.get("/a?Token=x", "tok"); w.Code != 200 {
		t.Errorf("%d %s", w.Code, w.Body)
	}
}

// TestHTTPLambdaAuthorizerAnswers: each answer of the function, and what
// the client sees (contract §4.4 "Failures", §4.5's error table).
func TestHTTPLambdaAuthorizerAnswers(t *testing.T) {
	answer := func(payload string, fnErr bool) func([]byte) ([]byte, bool, error) {
		return func([]byte) ([]byte, bool, error) { return []byte(payload), fnErr, nil }
	}
	const (
		unauthorized = `{"message":"Unauthorized"}`
		forbidden    = `{"message":"Forbidden"}`
		internal     = `{"message":"Internal Server Error"}`
		allowPolicy  = `{"principalId":"p","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"` + httpRouteARN + `GET/*"}]}}`
		denyPolicy   = `{"principalId":"p","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"` + httpRouteARN + `GET/*"}]}}`
	)
	cases := []struct {
		name    string
		version string
		simple  bool
		answer  func([]byte) ([]byte, bool, error)
		status  int
		body    string
	}{
		{"simple allow", "2.0", true, simple(true), 200, "ok"},
		// E YULIN: isAuthorized false is 403 {"message":"Forbidden"}.
		{"simple deny", "2.0", true, simple(false), 403, forbidden},
		// E: an error message "Unauthorized" is a 401.
		{"Unauthorized error", "2.0", true, answer(`{"errorMessage":"Unauthorized","errorType":"Error"}`, true), 401, unauthorized},
		// D: any other error, a bad shape: 500.
		{"other error", "2.0", true, answer(`{"errorMessage":"boom","errorType":"Error"}`, true), 500, internal},
		{"isAuthorized not a boolean", "2.0", true, answer(`{"isAuthorized":"true"}`, false), 500, internal},
		{"no isAuthorized", "2.0", true, answer(`{"context":{}}`, false), 500, internal},
		{"a policy to a simple authorizer", "2.0", true, answer(allowPolicy, false), 500, internal},
		{"IAM allow, 2.0", "2.0", false, answer(allowPolicy, false), 200, "ok"},
		{"IAM allow, 1.0", "1.0", false, answer(allowPolicy, false), 200, "ok"},
		{"IAM deny", "1.0", false, answer(denyPolicy, false), 403, forbidden},
		{"IAM allowing another route", "1.0", false, answer(`{"principalId":"p","policyDocument":{"Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"`+httpRouteARN+`GET/b"}]}}`, false), 403, forbidden},
		// http-api-lambda-authorizer.html: 1.0's context key "claims" is reserved.
		{"1.0 context claims", "1.0", false, answer(`{"principalId":"p","policyDocument":{"Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]},"context":{"claims":"x"}}`, false), 500, internal},
		{"a simple answer to an IAM authorizer", "2.0", false, simple(true), 500, internal},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			le := newHTTPAuthzEnv(t, httpLambdaAuthorizer(c.version, c.simple, 0), c.answer)
			w := le.get("/a", "tok")
			if w.Code != c.status || w.Body.String() != c.body {
				t.Fatalf("got %d %s, want %d %s", w.Code, w.Body, c.status, c.body)
			}
			if c.status != 200 && (w.Header().Get(gateway.HeaderErrorType) != "" || w.Header().Get("Www-Authenticate") != "") {
				t.Errorf("headers %v", w.Header())
			}
		})
	}
}

// TestHTTPLambdaAuthorizerCacheSharedByRoutes: the cache key is the
// identity values alone, so one answer serves every route of the API
// within the TTL (contract §4.4, fact 14)...
func TestHTTPLambdaAuthorizerCacheSharedByRoutes(t *testing.T) {
	le := newHTTPAuthzEnv(t, httpLambdaAuthorizer("2.0", true, 5*time.Minute), simple(true))
	for _, target := range []string{"/a", "/b", "/orders/1", "/elsewhere"} {
		if w := le.get(target, "tok"); w.Code != 200 {
			t.Fatalf("%s: %d %s", target, w.Code, w.Body)
		}
	}
	if n := len(le.fn.taken()); n != 1 {
		t.Errorf("%d invocations, want 1", n)
	}
	if w := le.get("/a", "other"); w.Code != 200 || len(le.fn.taken()) != 1 {
		t.Errorf("another identity: %d", w.Code)
	}
	// ... and a cached deny refuses every route.
	le = newHTTPAuthzEnv(t, httpLambdaAuthorizer("2.0", true, 5*time.Minute), simple(false))
	for _, target := range []string{"/a", "/b"} {
		if w := le.get(target, "tok"); w.Code != 403 {
			t.Fatalf("%s: %d %s", target, w.Code, w.Body)
		}
	}
	if n := len(le.fn.taken()); n != 1 {
		t.Errorf("%d invocations, want 1", n)
	}
}

// TestHTTPLambdaAuthorizerCachePerRoute: with $context.routeKey among the
// sources, each route has its own entry.
func TestHTTPLambdaAuthorizerCachePerRoute(t *testing.T) {
	le := newHTTPAuthzEnv(t, httpLambdaAuthorizer("2.0", true, 5*time.Minute, "$request.header.Authorization", "$context.routeKey"), simple(true))
	for _, target := range []string{"/a", "/b", "/a", "/b"} {
		if w := le.get(target, "tok"); w.Code != 200 {
			t.Fatalf("%s: %d %s", target, w.Code, w.Body)
		}
	}
	var keys []string
	for _, c := range le.fn.taken() {
		keys = append(keys, decodeHTTPEvent(t, c).RouteKey)
	}
	if !slices.Equal(keys, []string{"GET /a", "GET /b"}) {
		t.Errorf("invoked for %q", keys)
	}
}

// TestHTTPLambdaAuthorizerPolicyPerRouteARN: a cached IAM policy is
// evaluated again against each request's routeArn: a policy naming the
// first request's only refuses the others — another order on the same
// route, another route — until it expires, without a new invocation (the
// caching trap, contract §6 fact 1, on an HTTP API).
func TestHTTPLambdaAuthorizerPolicyPerRouteARN(t *testing.T) {
	le := newHTTPAuthzEnv(t, httpLambdaAuthorizer("1.0", false, 5*time.Minute), allowRouteOnly)
	if w := le.get("/orders/1", "tok"); w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	for _, target := range []string{"/orders/2", "/a"} {
		if w := le.get(target, "tok"); w.Code != 403 || w.Body.String() != `{"message":"Forbidden"}` {
			t.Fatalf("%s: %d %s", target, w.Code, w.Body)
		}
	}
	if n := len(le.fn.taken()); n != 1 {
		t.Errorf("%d invocations, want 1", n)
	}
	le.f.clock.advance(5 * time.Minute)
	if w := le.get("/a", "tok"); w.Code != 200 {
		t.Errorf("after the TTL: %d %s", w.Code, w.Body)
	}
}

// TestHTTPLambdaAuthorizerContextUnstringified: an HTTP API authorizer's
// context may hold arrays and maps, and reaches the integration as the
// function returned it (contract §4.4, fact 4), simple or IAM.
func TestHTTPLambdaAuthorizerContextUnstringified(t *testing.T) {
	le := newHTTPAuthzEnv(t, httpLambdaAuthorizer("2.0", true, 0), simple(true))
	if w := le.get("/a", "tok"); w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	inv, _, _ := le.invocation()
	want := map[string]any{"arrayKey": []any{"value1", "value2"}, "mapKey": map[string]any{"k": json.Number("1")}, "n": json.Number("2")}
	if diff := cmp.Diff(want, inv.AuthorizerContext); diff != "" || inv.Authorizer != "lambdaAuth" || inv.PrincipalID != "" {
		t.Errorf("context (-want +got)\n%s; invocation %+v", diff, inv)
	}

	le = newHTTPAuthzEnv(t, httpLambdaAuthorizer("1.0", false, 0), allowRouteOnly)
	if w := le.get("/a", "tok"); w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	inv, _, _ = le.invocation()
	if diff := cmp.Diff(map[string]any{"list": []any{json.Number("1"), json.Number("2")}}, inv.AuthorizerContext); diff != "" || inv.PrincipalID != "p" {
		t.Errorf("context (-want +got)\n%s", diff)
	}
}

// TestHTTPLambdaAuthorizerContextStrings: the strings an HTTP API's
// context passes on (X-Tollgate-Authorizer-Context) keep its objects and
// arrays as their JSON text, "<" and "&" unescaped as JSON.stringify
// writes them.
func TestHTTPLambdaAuthorizerContextStrings(t *testing.T) {
	answer := func([]byte) ([]byte, bool, error) {
		return []byte(`{"isAuthorized":true,"context":{"arrayKey":["value1","value2"],"mapKey":{"k":1,"html":"<a&b>"},"n":2,"s":"x","b":true,"nothing":null}}`), false, nil
	}
	le := newHTTPAuthzEnv(t, httpLambdaAuthorizer("2.0", true, 0), answer)
	if w := le.get("/a", "tok"); w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	inv, _, _ := le.invocation()
	want := map[string]string{"arrayKey": `["value1","value2"]`, "mapKey": `{"html":"<a&b>","k":1}`, "n": "2", "s": "x", "b": "true"}
	if diff := cmp.Diff(want, inv.AuthorizerContextStrings()); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if inv.AuthorizerContextHeader() == "" {
		t.Error("no header")
	}
}

// TestNewHTTPLambdaAuthorizerRefuses: what an HTTP API's Lambda authorizer
// cannot be.
func TestNewHTTPLambdaAuthorizerRefuses(t *testing.T) {
	invoke := (&fakeFunction{answer: simple(true)}).invoke
	opts := gateway.LambdaAuthorizerOptions{HTTP: true, Invoke: invoke, HTTPEvent: httpEvent, Cache: gateway.NewPolicyCache(0)}
	for name, edit := range map[string]func(*tollgate.Authorizer, *gateway.LambdaAuthorizerOptions){
		"TOKEN":            func(a *tollgate.Authorizer, _ *gateway.LambdaAuthorizerOptions) { a.Type = tollgate.AuthorizerToken },
		"no event builder": func(_ *tollgate.Authorizer, o *gateway.LambdaAuthorizerOptions) { o.HTTPEvent = nil },
		"version 3.0":      func(a *tollgate.Authorizer, _ *gateway.LambdaAuthorizerOptions) { a.PayloadFormatVersion = "3.0" },
		"simple with 1.0":  func(a *tollgate.Authorizer, _ *gateway.LambdaAuthorizerOptions) { a.PayloadFormatVersion = "1.0" },
		"a REST source": func(a *tollgate.Authorizer, _ *gateway.LambdaAuthorizerOptions) {
			a.IdentitySources = []string{"method.request.header.A"}
		},
		"caching without source": func(a *tollgate.Authorizer, _ *gateway.LambdaAuthorizerOptions) { a.IdentitySources = nil },
	} {
		a := httpLambdaAuthorizer("2.0", true, time.Minute)
		o := opts
		edit(a, &o)
		if _, err := gateway.NewLambdaAuthorizer(a, o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := gateway.NewLambdaAuthorizer(httpLambdaAuthorizer("2.0", true, time.Minute), opts); err != nil {
		t.Error(err)
	}
}

// BenchmarkLambdaAuthorizerCachedHTTP compares a cached decision of a
// REST API's REQUEST authorizer (a policy evaluated against the methodArn
// of each form of the path) and of an HTTP API's (a simple answer, and an
// IAM policy evaluated against the routeArn).
func BenchmarkLambdaAuthorizerCachedHTTP(b *testing.B) {
	api := &tollgate.RestAPI{ID: apiID, Region: "us-east-1"}
	route := &tollgate.Route{ResourcePath: "/a", Method: "GET"}
	restEvent := func(*http.Request, *gateway.Invocation, string) ([]byte, error) { return []byte(`{}`), nil }
	for _, kind := range []struct {
		name   string
		decl   *tollgate.Authorizer
		answer func([]byte) ([]byte, bool, error)
		stage  string
	}{
		{"REST", &tollgate.Authorizer{Name: "r", Type: tollgate.AuthorizerRequest, Function: "f", ResultTTL: time.Hour,
			IdentitySources: []string{"method.request.header.Authorization"}}, allowAll, "prod"},
		{"HTTP-simple", httpLambdaAuthorizer("2.0", true, time.Hour), simple(true), tollgate.DefaultStageName},
		{"HTTP-IAM", httpLambdaAuthorizer("1.0", false, time.Hour), allowAll, tollgate.DefaultStageName},
	} {
		b.Run(kind.name, func(b *testing.B) {
			z, err := gateway.NewLambdaAuthorizer(kind.decl, gateway.LambdaAuthorizerOptions{
				HTTP: kind.stage == tollgate.DefaultStageName, Invoke: (&fakeFunction{answer: kind.answer}).invoke,
				Event: restEvent, HTTPEvent: httpEvent, Cache: gateway.NewPolicyCache(0)})
			if err != nil {
				b.Fatal(err)
			}
			inv := &gateway.Invocation{API: api, Stage: &tollgate.Stage{Name: kind.stage}, Route: route, ResourcePath: "/a", Path: "/a", RouteKey: "GET /a", RawPath: "/a"}
			r := httptest.NewRequest("GET", "/a", nil)
			r.Header.Set("Authorization", "tok")
			if res := z.Authorize(r, inv, "/a"); res.Decision != gateway.Allow {
				b.Fatal(res.Decision, res.Reason)
			}
			b.ReportAllocs()
			for b.Loop() {
				if res := z.Authorize(r, inv, "/a"); res.Decision != gateway.Allow || !res.Cached {
					b.Fatal(res.Decision, res.Reason)
				}
			}
		})
	}
}

// TestHTTPLambdaAuthorizerTwoRoutesEncodedSlash: one REQUEST authorizer
// guards ANY /admin/{proxy+} and ANY /{proxy+}, and its function decides
// by the event's routeKey (refusing the admin route). "/admin%2Fsecret"
// matches ANY /{proxy+}, while an upstream that decodes %2F serves
// "/admin/secret": the function would be asked about the open route for
// a request of the guarded one, so the request is refused, as when two
// authorizers differ.
func TestHTTPLambdaAuthorizerTwoRoutesEncodedSlash(t *testing.T) {
	for _, version := range []string{"2.0", "1.0"} {
		authz := httpLambdaAuthorizer(version, version == "2.0", 0)
		byRoute := func(event []byte) ([]byte, bool, error) {
			var ev struct {
				RouteKey string `json:"routeKey"`
				Resource string `json:"resource"`
			}
			if err := json.Unmarshal(event, &ev); err != nil {
				return nil, false, err
			}
			admin := strings.HasPrefix(ev.RouteKey, "ANY /admin") || strings.HasPrefix(ev.Resource, "/admin")
			if version == "2.0" {
				return []byte(`{"isAuthorized":` + strconv.FormatBool(!admin) + `}`), false, nil
			}
			effect := "Allow"
			if admin {
				effect = "Deny"
			}
			return []byte(`{"principalId":"p","policyDocument":{"Version":"2012-10-17","Statement":[` +
				`{"Action":"execute-api:Invoke","Effect":"` + effect + `","Resource":"arn:aws:execute-api:*"}]}}`), false, nil
		}
		le := &authzEnv{fn: &fakeFunction{answer: byRoute}}
		le.env = newEnv(t, func(api *tollgate.RestAPI, o *gateway.Options) {
			upstream := tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://upstream.internal/"}
			api.Protocol = tollgate.ProtocolHTTP
			api.Stages = []tollgate.Stage{{Name: tollgate.DefaultStageName}}
			api.DomainNames = nil
			api.Routes = []tollgate.Route{
				{ResourcePath: "/admin/{proxy+}", Method: "ANY", Authorizer: authz, Integration: upstream},
				{ResourcePath: "/{proxy+}", Method: "ANY", Authorizer: authz, Integration: upstream},
			}
			o.Invoke = le.fn.invoke
			o.HTTPAuthorizerEvent = httpEvent
		})
		if w := le.get("/public/x", "tok"); w.Code != 200 {
			t.Fatalf("%s: the open route: %d %s", version, w.Code, w.Body)
		}
		if w := le.get("/admin/secret", "tok"); w.Code != 403 {
			t.Errorf("%s: the admin route: %d %s", version, w.Code, w.Body)
		}
		for _, target := range []string{"/admin%2Fsecret", "/admin%2fsecret", "/%61dmin%2Fsecret"} {
			if w := le.get(target, "tok"); w.Code == 200 {
				t.Errorf("%s: %s was allowed: %d %s", version, target, w.Code, w.Body)
			}
		}
	}
}
