package gateway_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
)

const (
	httpAPIID    = "h77pap1abc"
	httpExecHost = httpAPIID + ".execute-api.us-east-1.localhost"
	notFoundBody = `{"message":"Not Found"}`
)

// httpAPI is an HTTP API with the routes of the AWS developer guide's
// routing example (http-api-develop-routes.html, "Routing API requests":
// GET /pets/dog/1, GET /pets/dog/{id}, GET /pets/{proxy+}, ANY /{proxy+},
// $default), a pair that tells a full match from a greedy one, a $default
// stage and a named one.
func httpAPI() *tollgate.RestAPI {
	upstream := tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://upstream.internal/"}
	route := func(method, path string) tollgate.Route {
		return tollgate.Route{ResourcePath: path, Method: method, Integration: upstream}
	}
	return &tollgate.RestAPI{
		ID:       httpAPIID,
		Name:     "http",
		Region:   "us-east-1",
		Protocol: tollgate.ProtocolHTTP,
		Stages: []tollgate.Stage{
			{Name: tollgate.DefaultStageName, Variables: map[string]string{"color": "blue"}},
			{Name: "dev"},
		},
		Routes: []tollgate.Route{
			route("GET", "/pets/dog/1"),
			route("GET", "/pets/dog/{id}"),
			route("GET", "/pets/{proxy+}"),
			route("ANY", "/{proxy+}"),
			route("ANY", tollgate.DefaultRouteKey),
			route("GET", "/shop/a/{proxy+}"),
			route("GET", "/shop/{x}/b"),
		},
	}
}

// newHTTPEnv is an env serving httpAPI, edited by edit.
func newHTTPEnv(t *testing.T, edit func(*tollgate.RestAPI, *gateway.Options)) *env {
	t.Helper()
	return newEnv(t, func(api *tollgate.RestAPI, opts *gateway.Options) {
		*api = *httpAPI()
		if edit != nil {
			edit(api, opts)
		}
	})
}

// checkHTTPAnswer checks the headers every answer of an HTTP API has: one
// apigw-requestid shaped like AWS's ("WSg1ihmdliAEJXA=", a recorded
// answer, code-index file 27491341443), and none of REST's
// (apigw-beyond §4.3 "Error headers").
func checkHTTPAnswer(t *testing.T, w http.ResponseWriter) string {
	t.Helper()
	h := w.Header()
	ids := h.Values("apigw-requestid")
	if len(ids) != 1 || !apigwIDPattern.MatchString(ids[0]) {
		t.Errorf("apigw-requestid %q", ids)
	}
	for _, name := range []string{"x-amzn-RequestId", "x-amz-apigw-id", "x-amzn-ErrorType"} {
		if v := h.Values(name); v != nil {
			t.Errorf("%s %q on an HTTP API's answer", name, v)
		}
	}
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// TestHTTPAPIRouting: stage selection and route selection as HTTP APIs
// do (apigw-beyond §4.1): the developer guide's example requests
// (GET /pets/dog/1, /pets/dog/2, /pets/cat/1, POST /test/5), a full match
// before a greedy one, the $default route last; a named stage's segment
// stripped for routing and kept in RawPath, none for $default; the path
// forms too.
func TestHTTPAPIRouting(t *testing.T) {
	e := newHTTPEnv(t, nil)
	apis := "/apis/" + httpAPIID
	tests := []struct {
		method, host, target string
		key                  string // RouteKey
		stage, raw, path     string
		params               map[string]string
	}{
		{"GET", httpExecHost, "/pets/dog/1", "GET /pets/dog/1", "$default", "/pets/dog/1", "/pets/dog/1", nil},
		{"GET", httpExecHost, "/pets/dog/2", "GET /pets/dog/{id}", "$default", "/pets/dog/2", "/pets/dog/2", map[string]string{"id": "2"}},
		{"GET", httpExecHost, "/pets/cat/1", "GET /pets/{proxy+}", "$default", "/pets/cat/1", "/pets/cat/1", map[string]string{"proxy": "cat/1"}},
		{"POST", httpExecHost, "/test/5", "ANY /{proxy+}", "$default", "/test/5", "/test/5", map[string]string{"proxy": "test/5"}},
		// POST has no route of /pets/dog/{id}: ANY /{proxy+} takes it.
		{"POST", httpExecHost, "/pets/dog/2", "ANY /{proxy+}", "$default", "/pets/dog/2", "/pets/dog/2", map[string]string{"proxy": "pets/dog/2"}},
		// A full match beats a greedy one found first depth-first.
		{"GET", httpExecHost, "/shop/a/b", "GET /shop/{x}/b", "$default", "/shop/a/b", "/shop/a/b", map[string]string{"x": "a"}},
		{"GET", httpExecHost, "/shop/a/c", "GET /shop/a/{proxy+}", "$default", "/shop/a/c", "/shop/a/c", map[string]string{"proxy": "c"}},
		// The root matches a root greedy route, its parameter empty, as
		// recorded on AWS (rootGreedy).
		{"GET", httpExecHost, "/", "ANY /{proxy+}", "$default", "/", "/", map[string]string{"proxy": ""}},
		// A method no route knows goes to $default too.
		{"PROPFIND", httpExecHost, "/pets/dog/1", "$default", "$default", "/pets/dog/1", "/pets/dog/1", nil},
		// A named stage.
		{"GET", httpExecHost, "/dev/pets/dog/1", "GET /pets/dog/1", "dev", "/dev/pets/dog/1", "/pets/dog/1", nil},
		{"GET", httpExecHost, "/dev", "ANY /{proxy+}", "dev", "/dev", "/", map[string]string{"proxy": ""}},
		{"GET", httpExecHost, "/dev/", "ANY /{proxy+}", "dev", "/dev/", "/", map[string]string{"proxy": ""}},
		// "$default" is no stage segment: a path on the $default stage.
		{"GET", httpExecHost, "/$default/pets/dog/1", "ANY /{proxy+}", "$default", "/$default/pets/dog/1", "/$default/pets/dog/1", map[string]string{"proxy": "$default/pets/dog/1"}},
		// Tollgate's path form, for hosts without DNS.
		{"GET", "127.0.0.1:8080", apis + "/pets/cat/1", "GET /pets/{proxy+}", "$default", "/pets/cat/1", "/pets/cat/1", map[string]string{"proxy": "cat/1"}},
		{"GET", "127.0.0.1:8080", apis + "/dev/pets/cat/1", "GET /pets/{proxy+}", "dev", "/dev/pets/cat/1", "/pets/cat/1", map[string]string{"proxy": "cat/1"}},
		{"GET", "127.0.0.1:8080", apis, "ANY /{proxy+}", "$default", "/", "/", map[string]string{"proxy": ""}},
		{"PROPFIND", "127.0.0.1:8080", apis, "$default", "$default", "/", "/", nil},
		// LocalStack's, with $default as a stage name.
		{"GET", "localhost", "/restapis/" + httpAPIID + "/$default/_user_request_/pets/dog/1", "GET /pets/dog/1", "$default", "/pets/dog/1", "/pets/dog/1", nil},
		{"GET", "localhost", "/restapis/" + httpAPIID + "/dev/_user_request_/pets/dog/1", "GET /pets/dog/1", "dev", "/dev/pets/dog/1", "/pets/dog/1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.host+tt.target, func(t *testing.T) {
			r := request(tt.method, tt.host, tt.target, "")
			if !e.gw.Owns(r) {
				t.Fatal("Owns = false")
			}
			w := e.do(r)
			if w.Code != 200 {
				t.Fatalf("status %d %s", w.Code, w.Body)
			}
			id := checkHTTPAnswer(t, w)
			inv, _, _ := e.invocation()
			if inv == nil {
				t.Fatal("the integration was not called")
			}
			if inv.RouteKey != tt.key || inv.Stage.Name != tt.stage || inv.RawPath != tt.raw || inv.Path != tt.path {
				t.Errorf("route key %q stage %q raw path %q path %q, want %q %q %q %q", inv.RouteKey, inv.Stage.Name, inv.RawPath, inv.Path, tt.key, tt.stage, tt.raw, tt.path)
			}
			if got := inv.PathParameters(); !cmp.Equal(got, tt.params) {
				t.Errorf("path parameters %v, want %v", got, tt.params)
			}
			if tt.key == "$default" && inv.ResourcePath != "$default" {
				t.Errorf("resource path %q, want $default", inv.ResourcePath)
			}
			if inv.RequestID != id || inv.ExtendedRequestID != id {
				t.Errorf("request ids %q %q, want the answer's %q", inv.RequestID, inv.ExtendedRequestID, id)
			}
			if inv.ContextPath() != tt.raw {
				t.Errorf("context path %q, want %q", inv.ContextPath(), tt.raw)
			}
		})
	}
}

// TestHTTPAPIInvocation: what else an HTTP API's integration is told.
func TestHTTPAPIInvocation(t *testing.T) {
	e := newHTTPEnv(t, nil)
	e.do(request("GET", httpExecHost, "/pets/dog/1?x=1", ""))
	inv, _, _ := e.invocation()
	if inv == nil {
		t.Fatal("the integration was not called")
	}
	if !inv.API.IsHTTP() || inv.StageVariables["color"] != "blue" || inv.DomainName != httpExecHost || inv.DomainPrefix != httpAPIID || inv.Route.Key() != "GET /pets/dog/1" {
		t.Errorf("invocation %+v", inv)
	}
	e.do(request("GET", httpExecHost, "/dev/pets/dog/1", ""))
	if inv, _, _ = e.invocation(); inv == nil || inv.StageVariables != nil {
		t.Errorf("the dev stage has no variables: %+v", inv)
	}
}

// TestHTTPAPINotFound: an HTTP API answers what matches no stage or route
// 404 {"message":"Not Found"} (apigw-beyond §4.1; not REST's 403, with or
// without an Authorization header); an unknown API keeps REST's answer,
// its kind being unknown, and so does an API whose execute-api endpoint
// is disabled.
func TestHTTPAPINotFound(t *testing.T) {
	// No $default stage, no $default route.
	e := newHTTPEnv(t, func(api *tollgate.RestAPI, _ *gateway.Options) {
		api.Stages = api.Stages[1:]
		api.Routes = slicesDelete(api.Routes, tollgate.DefaultRouteKey)
	})
	for _, target := range []string{"/pets/dog/1", "/", "/prod/pets/dog/1"} {
		for _, token := range []string{"", "tok"} {
			w := e.do(request("GET", httpExecHost, target, token))
			if w.Code != 404 || w.Body.String() != notFoundBody || w.Header().Get("Content-Type") != "application/json" {
				t.Errorf("%s (token %q): %d %s", target, token, w.Code, w.Body)
			}
			checkHTTPAnswer(t, w)
		}
	}
	// /dev/pets matches no route but ANY /{proxy+}, which DELETE reaches.
	if w := e.do(request("DELETE", httpExecHost, "/dev/pets", "")); w.Code != 200 {
		t.Errorf("DELETE /dev/pets: %d %s", w.Code, w.Body)
	}
	if inv, _, _ := e.invocation(); inv == nil || inv.RouteKey != "ANY /{proxy+}" {
		t.Errorf("DELETE /dev/pets: %+v", inv)
	}

	for name, r := range map[string]*http.Request{
		"unknown API": request("GET", "zzzzzzzzzz.execute-api.us-east-1.localhost", "/pets", ""),
		"path form":   request("GET", "127.0.0.1", "/apis/zzzzzzzzzz/pets", ""),
	} {
		w := e.do(r)
		if w.Code != 403 || w.Body.String() != `{"message":"Missing Authentication Token"}` || w.Header().Get("x-amzn-RequestId") == "" {
			t.Errorf("%s: %d %s %v", name, w.Code, w.Body, w.Header())
		}
	}

	d := newHTTPEnv(t, func(api *tollgate.RestAPI, _ *gateway.Options) { api.DisableExecuteAPIEndpoint = true })
	for _, r := range []*http.Request{
		request("GET", httpExecHost, "/pets/dog/1", ""),
		request("GET", "127.0.0.1", "/apis/"+httpAPIID+"/pets/dog/1", ""),
		request("GET", "localhost", "/restapis/"+httpAPIID+"/$default/_user_request_/pets/dog/1", ""),
	} {
		w := d.do(r)
		if w.Code != 403 || w.Body.String() != `{"message":"Missing Authentication Token"}` {
			t.Errorf("disabled endpoint %s%s: %d %s", r.Host, r.URL.Path, w.Code, w.Body)
		}
		if inv, _, _ := d.invocation(); inv != nil {
			t.Errorf("disabled endpoint: the integration was called")
		}
	}
}

func slicesDelete(routes []tollgate.Route, path string) []tollgate.Route {
	var out []tollgate.Route
	for _, r := range routes {
		if r.ResourcePath != path {
			out = append(out, r)
		}
	}
	return out
}

// TestHTTPAPIIntegrationFailure: an integration's failure written with
// Invocation.WriteResponse is in the HTTP API's form, with the request's
// id (apigw-beyond §4.5: 500 Internal Server Error, 503 on a timeout).
func TestHTTPAPIIntegrationFailure(t *testing.T) {
	for _, tt := range []struct {
		t      gateway.ResponseType
		status int
		body   string
	}{
		{gateway.ResponseIntegrationFailure, 500, `{"message":"Internal Server Error"}`},
		{gateway.ResponseIntegrationTimeout, 503, `{"message":"Service Unavailable"}`},
	} {
		var id string
		e := newHTTPEnv(t, func(_ *tollgate.RestAPI, opts *gateway.Options) {
			opts.Integrations = gateway.IntegrationsFunc(func(*tollgate.RestAPI, *tollgate.Route) (gateway.Integration, error) {
				return integrationFunc(func(w http.ResponseWriter, _ *http.Request, inv *gateway.Invocation) {
					id = inv.RequestID
					inv.WriteResponse(w, tt.t)
				}), nil
			})
		})
		w := e.do(request("GET", httpExecHost, "/pets/dog/1", ""))
		if w.Code != tt.status || w.Body.String() != tt.body {
			t.Errorf("%s: %d %s", tt.t, w.Code, w.Body)
		}
		if got := checkHTTPAnswer(t, w); got != id {
			t.Errorf("%s: apigw-requestid %q, the integration's %q", tt.t, got, id)
		}
	}
}

// TestHTTPAPITooLarge: the REST limits apply (apigw-beyond §4.5 "Limits"),
// answered in the HTTP API's form.
func TestHTTPAPITooLarge(t *testing.T) {
	e := newHTTPEnv(t, nil)
	r := request("POST", httpExecHost, "/x", "")
	r.ContentLength = gateway.MaxBodyBytes + 1
	r.Body = io.NopCloser(strings.NewReader("tiny"))
	w := e.do(r)
	if w.Code != 413 || w.Body.String() != `{"message":"Request Entity Too Large"}` {
		t.Errorf("body: %d %s", w.Code, w.Body)
	}
	checkHTTPAnswer(t, w)
	r = request("GET", httpExecHost, "/x", "")
	r.Header.Set("X-Big", strings.Repeat("a", gateway.MaxHeaderBytes))
	if w := e.do(r); w.Code != 413 {
		t.Errorf("headers: %d %s", w.Code, w.Body)
	}
	if inv, _, _ := e.invocation(); inv != nil {
		t.Error("the integration was called")
	}
}

// TestHTTPAPIRouteThrottle: DefaultRouteSettings gives each route a bucket
// of its own, RouteSettings replace it by route key
// (http-api-throttling.md); 429 in the HTTP API's form.
func TestHTTPAPIRouteThrottle(t *testing.T) {
	e := newHTTPEnv(t, func(api *tollgate.RestAPI, _ *gateway.Options) {
		api.Stages[0].RouteThrottle = tollgate.Throttle{Rate: 1, Burst: 1}
		api.Stages[0].RouteThrottles = map[string]tollgate.Throttle{
			"GET /pets/dog/1": {Rate: 1, Burst: 2},
			"$default":        {}, // unlimited
		}
	})
	status := func(method, target string) int { return e.do(request(method, httpExecHost, target, "")).Code }
	got := []int{
		status("GET", "/pets/dog/2"), status("GET", "/pets/dog/3"), // one route
		status("GET", "/pets/cat/1"),                                                             // another
		status("GET", "/pets/dog/1"), status("GET", "/pets/dog/1"), status("GET", "/pets/dog/1"), // burst 2
		status("PROPFIND", "/"), status("PROPFIND", "/"), status("PROPFIND", "/"), // $default: unlimited
		status("GET", "/dev/pets/dog/2"), // another stage: unlimited
	}
	if want := []int{200, 429, 200, 200, 200, 429, 200, 200, 200, 200}; !cmp.Equal(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
	w := e.do(request("GET", httpExecHost, "/pets/dog/2", ""))
	if w.Code != 429 || w.Body.String() != `{"message":"Too Many Requests"}` {
		t.Errorf("%d %s", w.Code, w.Body)
	}
	checkHTTPAnswer(t, w)
	e.f.clock.advance(1e9)
	if s := status("GET", "/pets/dog/2"); s != 200 {
		t.Errorf("after a second: %d", s)
	}
}

// TestHTTPAPIRouteThrottleLenient: a path whose lenient reading selects a
// throttled route ("/login%2F", "/login;x", which an upstream may serve
// as /login) is charged to that route's bucket too, not only to the open
// route it matches.
func TestHTTPAPIRouteThrottleLenient(t *testing.T) {
	e := newHTTPEnv(t, func(api *tollgate.RestAPI, _ *gateway.Options) {
		api.Routes = append(api.Routes, tollgate.Route{ResourcePath: "/login", Method: "POST", Integration: api.Routes[0].Integration})
		api.Stages[0].RouteThrottles = map[string]tollgate.Throttle{"POST /login": {Rate: 1, Burst: 1}}
	})
	status := func(target string) int { return e.do(request("POST", httpExecHost, target, "")).Code }
	got := []int{status("/login"), status("/login%2F"), status("/login;x"), status("/other")}
	if want := []int{200, 429, 429, 200}; !cmp.Equal(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
}

// TestHTTPAPIKeepsRequestID: an apigw-requestid a server middleware set
// first is the request's id.
func TestHTTPAPIKeepsRequestID(t *testing.T) {
	e := newHTTPEnv(t, nil)
	w := httptest.NewRecorder()
	w.Header().Set("apigw-requestid", "JKJaXmPLvHcESHA=")
	e.gw.ServeHTTP(w, request("GET", httpExecHost, "/pets/dog/1", ""))
	inv, _, _ := e.invocation()
	if w.Code != 200 || inv == nil || inv.RequestID != "JKJaXmPLvHcESHA=" {
		t.Fatalf("%d, invocation %+v", w.Code, inv)
	}
	if got := w.Header().Values("apigw-requestid"); len(got) != 1 {
		t.Errorf("apigw-requestid %q", got)
	}
}

// TestHTTPAPIInformational: after a 1xx answer, whose header map the
// integration cleared as ReverseProxy does, the final answer still has
// its apigw-requestid and its CORS headers.
func TestHTTPAPIInformational(t *testing.T) {
	e := newHTTPEnv(t, func(api *tollgate.RestAPI, o *gateway.Options) {
		api.CORS = &tollgate.CORSConfiguration{AllowOrigins: []string{appOrigin}}
		o.Integrations = gateway.IntegrationsFunc(func(*tollgate.RestAPI, *tollgate.Route) (gateway.Integration, error) {
			return integrationFunc(func(w http.ResponseWriter, _ *http.Request, _ *gateway.Invocation) {
				w.WriteHeader(http.StatusEarlyHints)
				clear(w.Header())
				w.WriteHeader(http.StatusCreated)
			}), nil
		})
	})
	srv := httptest.NewServer(e.gw)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/pets/dog/1", nil)
	req.Host = httpExecHost
	req.Header.Set("Origin", appOrigin)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if h := resp.Header; resp.StatusCode != http.StatusCreated || !apigwIDPattern.MatchString(h.Get("apigw-requestid")) || h.Get("x-amzn-RequestId") != "" || h.Get("Access-Control-Allow-Origin") != appOrigin {
		t.Errorf("%s %v", resp.Status, h)
	}
}

// TestHTTPAPIObserver: an HTTP API's requests are labelled with the
// route's path template ("$default" for the $default route) and method
// as declared, its stage "$default" or named.
func TestHTTPAPIObserver(t *testing.T) {
	e := newHTTPEnv(t, nil)
	e.do(request("GET", httpExecHost, "/pets/dog/2", ""))
	e.do(request("PROPFIND", httpExecHost, "/", ""))
	e.do(request("GET", httpExecHost, "/dev/pets/cat/1", ""))
	reqs, _ := e.obs.take()
	want := []observed{
		{httpAPIID, "$default", "/pets/dog/{id}", "GET", 200},
		{httpAPIID, "$default", "$default", "ANY", 200},
		{httpAPIID, "dev", "/pets/{proxy+}", "GET", 200},
	}
	if d := cmp.Diff(want, reqs); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}
}
