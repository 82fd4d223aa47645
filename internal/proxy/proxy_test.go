package proxy_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/proxy"
)

// watchdog bounds a wait that only a bug can make endless, so that a
// regression fails with a message instead of hanging the suite. No test
// asserts on how long anything takes.
const watchdog = 30 * time.Second

// fixture is a Proxy whose log is kept for assertions, and which records
// the gateway responses its integrations answer with.
type fixture struct {
	t     *testing.T
	proxy *proxy.Proxy

	mu      sync.Mutex
	answers []int    // the statuses of the gateway responses written
	seen    []string // "path request-id" of the requests answered so
	logs    bytes.Buffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t}
	logger := slog.New(slog.NewTextHandler(lockedWriter{f}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tr := proxy.NewTransport()
	t.Cleanup(tr.CloseIdleConnections)
	f.proxy = proxy.New(proxy.Options{Transport: tr, Logger: logger})
	return f
}

type lockedWriter struct{ f *fixture }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.f.mu.Lock()
	defer w.f.mu.Unlock()
	return w.f.logs.Write(p)
}

// gatewayAnswers returns the statuses of the gateway responses
// (x-amzn-ErrorType set) the integrations answered with.
func (f *fixture) gatewayAnswers() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int(nil), f.answers...)
}

func (f *fixture) log() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logs.String()
}

// restAPI is the REST API the routes of the tests belong to.
var restAPI = &tollgate.RestAPI{ID: "abc123defg"}

// handler builds the HTTP_PROXY integration to uri of a REST API's route
// "ANY /{proxy+}".
func (f *fixture) handler(uri string, timeout time.Duration) gateway.Integration {
	f.t.Helper()
	return f.integration(restAPI, route("ANY", "/{proxy+}", uri, timeout))
}

// integration builds the HTTP_PROXY integration of route on api.
func (f *fixture) integration(api *tollgate.RestAPI, route *tollgate.Route) gateway.Integration {
	f.t.Helper()
	h, err := f.proxy.Integration(api, route)
	if err != nil {
		f.t.Fatal(err)
	}
	return h
}

// route is the route method path with an HTTP_PROXY integration to uri.
func route(method, path, uri string, timeout time.Duration) *tollgate.Route {
	return &tollgate.Route{Method: method, ResourcePath: path,
		Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: uri, Timeout: timeout}}
}

// integrationFunc adapts a function to gateway.Integration.
type integrationFunc func(w http.ResponseWriter, r *http.Request, inv *gateway.Invocation)

func (f integrationFunc) Serve(w http.ResponseWriter, r *http.Request, inv *gateway.Invocation) {
	f(w, r, inv)
}

// decision is what the gateway decided of a request, in the terms of the
// headers the upstream gets.
type decision struct {
	PathParams map[string]string
	ClientID   string
	Scopes     []string
	Claims     map[string]string
	RequestID  string
	Stage      string
	// PrincipalID and AuthorizerContext: a Lambda authorizer's answer.
	PrincipalID       string
	AuthorizerContext map[string]any
}

// invocation is the gateway.Invocation of d: claims as a verified token
// carrying them, its scope claim the scopes.
func (d decision) invocation(t testing.TB) *gateway.Invocation {
	inv := &gateway.Invocation{ClientID: d.ClientID, RequestID: d.RequestID, PrincipalID: d.PrincipalID, AuthorizerContext: d.AuthorizerContext}
	for k, v := range d.PathParams {
		inv.PathParams = append(inv.PathParams, gateway.Param{Name: k, Value: v})
	}
	if d.Stage != "" {
		inv.Stage = &tollgate.Stage{Name: d.Stage}
	}
	if d.Claims != nil {
		raw, err := json.Marshal(d.Claims)
		if err != nil {
			t.Fatal(err)
		}
		inv.Claims = &bearer.Claims{ClientID: d.ClientID, Scope: strings.Join(d.Scopes, " "), Raw: raw}
	}
	return inv
}

// front serves h on loopback as the gateway would call it, with d's
// invocation and the request id already on the answer. With no path
// parameters, the path after "/prod/" is the "proxy" parameter, as for the
// route "/{proxy+}" on the stage "prod". It records the gateway responses
// h answers with.
func (f *fixture) front(h gateway.Integration, d decision) *httptest.Server {
	f.t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := d
		if d.PathParams == nil {
			d.PathParams = map[string]string{"proxy": strings.TrimPrefix(r.URL.EscapedPath(), "/prod/")}
		}
		inv := d.invocation(f.t)
		if inv.RequestID != "" {
			w.Header()[gateway.HeaderRequestID] = []string{inv.RequestID}
		}
		sw := &statusWriter{ResponseWriter: w}
		h.Serve(sw, r, inv)
		if w.Header().Get(gateway.HeaderErrorType) != "" {
			f.mu.Lock()
			f.answers = append(f.answers, sw.status)
			f.seen = append(f.seen, r.URL.Path+" "+w.Header().Get(gateway.HeaderRequestID))
			f.mu.Unlock()
		}
	}))
	f.t.Cleanup(srv.Close)
	return srv
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// seen is what an upstream received.
type seen struct {
	Method     string
	RequestURI string
	Host       string
	Header     http.Header
	Body       string
}

// recorder is an upstream that records each request and answers 200 "ok".
func recorder(t *testing.T) (*httptest.Server, <-chan seen) {
	t.Helper()
	ch := make(chan seen, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ch <- seen{r.Method, r.RequestURI, r.Host, r.Header.Clone(), string(b)}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv, ch
}

func get(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func newRequest(t *testing.T, method, url string, body io.Reader) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestUpstreamURL(t *testing.T) {
	up, ch := recorder(t)
	base := up.URL
	tests := []struct {
		name   string
		uri    string
		params map[string]string
		target string // the client's path and query (after the host)
		want   string // the upstream's request target
	}{
		{"greedy proxy keeps slashes", base + "/{proxy}", map[string]string{"proxy": "a/b/c"}, "/prod/a/b/c", "/a/b/c"},
		{"proxy under a prefix", base + "/v1/{proxy}", map[string]string{"proxy": "orders/42"}, "/prod/orders/42", "/v1/orders/42"},
		{"named parameter", base + "/pets/{id}", map[string]string{"id": "42"}, "/prod/pets/42", "/pets/42"},
		{"two parameters", base + "/u/{user}/o/{order}", map[string]string{"user": "ann", "order": "7"}, "/prod/x", "/u/ann/o/7"},
		{"parameter inside a segment", base + "/files/{name}.json", map[string]string{"name": "report"}, "/prod/x", "/files/report.json"},
		{"query kept", base + "/{proxy}", map[string]string{"proxy": "search"}, "/prod/search?q=a+b&q=c%2Bd&empty=", "/search?q=a+b&q=c%2Bd&empty="},
		{"URI query first", base + "/v1/{proxy}?api=2", map[string]string{"proxy": "x"}, "/prod/x?q=1", "/v1/x?api=2&q=1"},
		{"URI query alone", base + "/v1/{proxy}?api=2", map[string]string{"proxy": "x"}, "/prod/x", "/v1/x?api=2"},
		{"encoded slash stays encoded", base + "/{proxy}", map[string]string{"proxy": "a%2Fb/c"}, "/prod/a%2Fb/c", "/a%2Fb/c"},
		{"decoded value is escaped", base + "/{proxy}", map[string]string{"proxy": "a b/é?#"}, "/prod/x", "/a%20b/%C3%A9%3F%23"},
		{"bad escape is escaped", base + "/{proxy}", map[string]string{"proxy": "100%"}, "/prod/x", "/100%25"},
		{"double slash kept", base + "/{proxy}", map[string]string{"proxy": "a//b"}, "/prod/a//b", "/a//b"},
		{"dots in names are fine", base + "/api/{proxy}", map[string]string{"proxy": "v1.2/.../a..b/.x"}, "/prod/x", "/api/v1.2/.../a..b/.x"},
		{"no placeholder", base + "/fixed", map[string]string{"proxy": "ignored"}, "/prod/ignored?a=1", "/fixed?a=1"},
		{"no path", base, nil, "/prod/x", "/"},
		{"encoded literal", base + "/a%20b/{proxy}", map[string]string{"proxy": "c"}, "/prod/x", "/a%20b/c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			params := tt.params
			if params == nil {
				params = map[string]string{}
			}
			fr := f.front(f.handler(tt.uri, 0), decision{PathParams: params})
			resp, body := get(t, newRequest(t, "GET", fr.URL+tt.target, nil))
			if resp.StatusCode != 200 || body != "ok" {
				t.Fatalf("got %d %q; log:\n%s", resp.StatusCode, body, f.log())
			}
			if got := (<-ch).RequestURI; got != tt.want {
				t.Errorf("upstream request target %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDotSegmentsAreRefused(t *testing.T) {
	for _, v := range []string{"..", ".", "public/../admin", "a/./b", "%2e%2e/admin", "a/%2E/b", ".%2e", "a/.."} {
		t.Run(v, func(t *testing.T) {
			f := newFixture(t)
			up, ch := recorder(t)
			fr := f.front(f.handler(up.URL+"/api/{proxy}", 0), decision{PathParams: map[string]string{"proxy": v}})
			resp, _ := get(t, newRequest(t, "GET", fr.URL+"/prod/x", nil))
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("status %d, want 403", resp.StatusCode)
			}
			if diff := cmp.Diff([]int{http.StatusForbidden}, f.gatewayAnswers()); diff != "" {
				t.Errorf("gateway answers (-want +got):\n%s", diff)
			}
			select {
			case s := <-ch:
				t.Errorf("the upstream got %s", s.RequestURI)
			default:
			}
		})
	}
}

func TestMissingParameterIsUpstreamError(t *testing.T) {
	f := newFixture(t)
	up, _ := recorder(t)
	fr := f.front(f.handler(up.URL+"/pets/{id}", 0), decision{PathParams: map[string]string{"proxy": "x"}})
	resp, _ := get(t, newRequest(t, "GET", fr.URL+"/prod/x", nil))
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("status %d, want 502", resp.StatusCode)
	}
	if diff := cmp.Diff([]int{http.StatusBadGateway}, f.gatewayAnswers()); diff != "" {
		t.Errorf("gateway answers (-want +got):\n%s", diff)
	}
	if !strings.Contains(f.log(), "level=ERROR") || !strings.Contains(f.log(), "{id}") {
		t.Errorf("log lacks the configuration error:\n%s", f.log())
	}
}

func TestHeaders(t *testing.T) {
	f := newFixture(t)
	up, ch := recorder(t)
	claims := map[string]string{
		"sub": "6rupb256qn12tju82occ9eppqr", "client_id": "6rupb256qn12tju82occ9eppqr",
		"scope": "default/default other/x", "token_use": "access", "version": "2",
		"exp": "Thu May 04 03:50:06 UTC 2023",
	}
	req := decision{
		PathParams: map[string]string{"proxy": "hello"},
		ClientID:   "6rupb256qn12tju82occ9eppqr",
		Scopes:     []string{"default/default", "other/x"},
		Claims:     claims,
		RequestID:  "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
		Stage:      "prod",
	}
	fr := f.front(f.handler(up.URL+"/{proxy}", 0), req)

	r := newRequest(t, "POST", fr.URL+"/prod/hello", strings.NewReader("payload"))
	r.Host = "abc123.execute-api.us-east-1.localhost"
	r.Header.Set("Authorization", "Bearer eyJ.x.y")
	r.Header.Set("Content-Type", "text/plain")
	r.Header.Set("X-Custom", "kept")
	forged := map[string]string{
		"X-Tollgate-Client-Id":  "evil",
		"x-tollgate-scopes":     "admin/all",
		"X-TOLLGATE-CLAIMS":     "e30",
		"X-Tollgate-Request-Id": "forged",
		"X-Tollgate-Anything":   "forged",
		"X_Tollgate_Client_Id":  "evil-cgi",
		"X-Forwarded-For":       "6.6.6.6",
		"X-Forwarded-Host":      "evil.example",
		"X-Forwarded-Proto":     "https",
		"X-Forwarded-Port":      "443",
		"X_Forwarded_For":       "6.6.6.6",
		"Forwarded":             "for=6.6.6.6",
		"X-Real-Ip":             "6.6.6.6",
	}
	for k, v := range forged {
		r.Header[k] = []string{v} // as sent, not canonicalized
	}
	resp, body := get(t, r)
	if resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
	s := <-ch
	if s.Method != "POST" || s.Body != "payload" {
		t.Errorf("upstream got %s with body %q", s.Method, s.Body)
	}
	if s.Host != strings.TrimPrefix(up.URL, "http://") {
		t.Errorf("upstream Host %q, want the upstream's %q", s.Host, up.URL)
	}
	want := map[string]string{
		"Authorization":         "Bearer eyJ.x.y",
		"Content-Type":          "text/plain",
		"X-Custom":              "kept",
		"X-Forwarded-For":       "127.0.0.1",
		"X-Forwarded-Host":      "abc123.execute-api.us-east-1.localhost",
		"X-Forwarded-Proto":     "http",
		"X-Tollgate-Client-Id":  "6rupb256qn12tju82occ9eppqr",
		"X-Tollgate-Scopes":     "default/default other/x",
		"X-Tollgate-Request-Id": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
		"X-Tollgate-Stage":      "prod",
	}
	for k, v := range want {
		if got := s.Header.Values(k); len(got) != 1 || got[0] != v {
			t.Errorf("upstream %s = %q, want [%q]", k, got, v)
		}
	}
	raw, err := base64.RawURLEncoding.DecodeString(s.Header.Get("X-Tollgate-Claims"))
	if err != nil {
		t.Fatalf("X-Tollgate-Claims is not unpadded base64url: %v", err)
	}
	var got map[string]string
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("X-Tollgate-Claims is not a JSON object of strings: %v", err)
	}
	if diff := cmp.Diff(claims, got); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
	allowed := map[string]bool{"Accept-Encoding": true, "Content-Length": true, "User-Agent": true, "X-Tollgate-Claims": true}
	for k := range s.Header {
		if _, ok := want[k]; !ok && !allowed[k] {
			t.Errorf("upstream got unexpected header %s: %q", k, s.Header[k])
		}
	}
}

func TestNoAuthorizerSendsNoDecision(t *testing.T) {
	f := newFixture(t)
	up, ch := recorder(t)
	fr := f.front(f.handler(up.URL+"/{proxy}", 0), decision{RequestID: "r1"})
	r := newRequest(t, "GET", fr.URL+"/prod/x", nil)
	r.Header.Set("X-Tollgate-Client-Id", "evil")
	get(t, r)
	s := <-ch
	for k := range s.Header {
		if strings.HasPrefix(k, "X-Tollgate-") && k != "X-Tollgate-Request-Id" {
			t.Errorf("upstream got %s: %q", k, s.Header[k])
		}
	}
}

func TestControlCharactersAreNotSent(t *testing.T) {
	f := newFixture(t)
	up, ch := recorder(t)
	fr := f.front(f.handler(up.URL+"/{proxy}", 0), decision{ClientID: "a\r\nX-Injected: 1", Claims: map[string]string{"k": "v\r\n"}})
	resp, _ := get(t, newRequest(t, "GET", fr.URL+"/prod/x", nil))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	s := <-ch
	if _, ok := s.Header["X-Tollgate-Client-Id"]; ok {
		t.Errorf("client id with CRLF was sent: %q", s.Header["X-Tollgate-Client-Id"])
	}
	if _, ok := s.Header["X-Injected"]; ok {
		t.Error("header injected")
	}
	if s.Header.Get("X-Tollgate-Claims") == "" {
		t.Error("claims, base64url-encoded, should still be sent")
	}
}

func TestUpgradeIsNotProxied(t *testing.T) {
	f := newFixture(t)
	up, ch := recorder(t)
	fr := f.front(f.handler(up.URL+"/{proxy}", 0), decision{})
	r := newRequest(t, "GET", fr.URL+"/prod/ws", nil)
	r.Header.Set("Connection", "Upgrade")
	r.Header.Set("Upgrade", "websocket")
	resp, _ := get(t, r)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	s := <-ch
	if s.Header.Get("Upgrade") != "" || s.Header.Get("Connection") != "" {
		t.Errorf("upstream got Upgrade %q, Connection %q", s.Header.Get("Upgrade"), s.Header.Get("Connection"))
	}
}

func TestUpstreamStatusAndHeadersPassThrough(t *testing.T) {
	f := newFixture(t)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		w.Header().Set("X-Upstream", "yes")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"title":"boom"}`)
	}))
	defer up.Close()
	fr := f.front(f.handler(up.URL+"/{proxy}", 0), decision{})
	resp, body := get(t, newRequest(t, "GET", fr.URL+"/prod/x", nil))
	if resp.StatusCode != 500 || body != `{"title":"boom"}` {
		t.Errorf("got %d %q, want the upstream's 500", resp.StatusCode, body)
	}
	if resp.Header.Get("Content-Type") != "application/problem+json" || resp.Header.Get("X-Upstream") != "yes" ||
		len(resp.Header.Values("Set-Cookie")) != 2 {
		t.Errorf("headers not passed through: %v", resp.Header)
	}
	if k := f.gatewayAnswers(); len(k) != 0 {
		t.Errorf("error handler called with %v for an upstream 500", k)
	}
}

func TestUpstreamDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connections are refused

	f := newFixture(t)
	fr := f.front(f.handler("http://"+addr+"/{proxy}?secret=s3cr3t", 0), decision{RequestID: "r-down"})
	resp, _ := get(t, newRequest(t, "GET", fr.URL+"/prod/x", nil))
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("status %d, want 502", resp.StatusCode)
	}
	if diff := cmp.Diff([]int{http.StatusBadGateway}, f.gatewayAnswers()); diff != "" {
		t.Errorf("gateway answers (-want +got):\n%s", diff)
	}
	f.mu.Lock()
	if diff := cmp.Diff([]string{"/prod/x r-down"}, f.seen); diff != "" {
		t.Errorf("the gateway answer is not the inbound request's (-want +got):\n%s", diff)
	}
	f.mu.Unlock()
	log := f.log()
	if !strings.Contains(log, "r-down") || !strings.Contains(log, addr) {
		t.Errorf("log lacks the request id or the upstream:\n%s", log)
	}
	if strings.Contains(log, "s3cr3t") {
		t.Errorf("log shows the URI's query:\n%s", log)
	}
}

func TestUpstreamBadResponse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = io.WriteString(c, "this is not HTTP\r\n\r\n")
			c.Close()
		}
	}()
	f := newFixture(t)
	fr := f.front(f.handler("http://"+ln.Addr().String()+"/{proxy}", 0), decision{})
	resp, _ := get(t, newRequest(t, "GET", fr.URL+"/prod/x", nil))
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("status %d, want 502", resp.StatusCode)
	}
	if diff := cmp.Diff([]int{http.StatusBadGateway}, f.gatewayAnswers()); diff != "" {
		t.Errorf("gateway answers (-want +got):\n%s", diff)
	}
}

// upstreamStart is what a blocking upstream writes before it blocks.
type upstreamStart int

const (
	nothingFirst upstreamStart = iota
	headersFirst               // the headers and a first chunk
)

// blocking is an upstream whose handler blocks until release is closed,
// after writing what first says.
func blocking(t *testing.T, first upstreamStart) (up *httptest.Server, arrived <-chan struct{}, release chan struct{}) {
	t.Helper()
	arr := make(chan struct{}, 1)
	release = make(chan struct{})
	up = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if first == headersFirst {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(200)
			_, _ = io.WriteString(w, "first chunk\n")
			w.(http.Flusher).Flush()
		}
		arr <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
		up.Close()
	})
	return up, arr, release
}

func TestTimeoutBeforeHeaders(t *testing.T) {
	f := newFixture(t)
	up, _, release := blocking(t, nothingFirst)
	fr := f.front(f.handler(up.URL+"/{proxy}", 200*time.Millisecond), decision{RequestID: "r-slow"})
	resp, body := get(t, newRequest(t, "GET", fr.URL+"/prod/slow", nil))
	close(release)
	if resp.StatusCode != http.StatusGatewayTimeout {
		t.Errorf("status %d %q, want 504", resp.StatusCode, body)
	}
	if diff := cmp.Diff([]int{http.StatusGatewayTimeout}, f.gatewayAnswers()); diff != "" {
		t.Errorf("gateway answers (-want +got):\n%s", diff)
	}
	if !strings.Contains(f.log(), "r-slow") {
		t.Errorf("log lacks the request id:\n%s", f.log())
	}
}

func TestTimeoutAfterHeadersAbortsTheConnection(t *testing.T) {
	f := newFixture(t)
	up, _, _ := blocking(t, headersFirst)
	h := f.handler(up.URL+"/{proxy}", 200*time.Millisecond)
	done := make(chan struct{})
	fr := f.front(integrationFunc(func(w http.ResponseWriter, r *http.Request, inv *gateway.Invocation) {
		defer close(done) // also when the handler aborts (panics)
		h.Serve(w, r, inv)
	}), decision{})
	resp, err := http.Get(fr.URL + "/prod/slow")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d, want the upstream's 200", resp.StatusCode)
	}
	b, err := io.ReadAll(resp.Body)
	if err == nil {
		t.Fatalf("body read completed (%q); want the connection aborted", b)
	}
	if string(b) != "first chunk\n" {
		t.Errorf("body before the abort %q", b)
	}
	if k := f.gatewayAnswers(); len(k) != 0 {
		t.Errorf("error handler called after the headers were sent: %v", k)
	}
	// The handler logs as it aborts, which the client may see first.
	select {
	case <-done:
	case <-time.After(watchdog):
		t.Fatal("the proxy handler did not return after aborting the connection")
	}
	if log := f.log(); !strings.Contains(log, "timeout while streaming") {
		t.Errorf("log lacks %q:\n%s", "timeout while streaming", log)
	}
}

func TestClientGoneIsNotATimeout(t *testing.T) {
	f := newFixture(t)
	up, arrived, release := blocking(t, nothingFirst)
	h := f.handler(up.URL+"/{proxy}", time.Hour)
	done := make(chan struct{})
	fr := f.front(integrationFunc(func(w http.ResponseWriter, r *http.Request, inv *gateway.Invocation) {
		defer close(done)
		h.Serve(w, r, inv)
	}), decision{RequestID: "r-gone"})

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(newRequest(t, "GET", fr.URL+"/prod/x", nil).WithContext(ctx))
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-arrived
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("client error %v, want context.Canceled", err)
	}
	select {
	case <-done:
	case <-time.After(watchdog):
		t.Fatal("the proxy handler did not return after the client went away")
	}
	close(release)
	if k := f.gatewayAnswers(); len(k) != 0 {
		t.Errorf("error handler called for a client that went away: %v", k)
	}
	log := f.log()
	if !strings.Contains(log, "level=DEBUG") || !strings.Contains(log, "client went away") || strings.Contains(log, "level=WARN") {
		t.Errorf("want one debug line about the client, got:\n%s", log)
	}
}

func TestBodyTooLarge(t *testing.T) {
	f := newFixture(t)
	up, _ := recorder(t)
	h := f.handler(up.URL+"/{proxy}", 0)
	fr := f.front(integrationFunc(func(w http.ResponseWriter, r *http.Request, inv *gateway.Invocation) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<10)
		h.Serve(w, r, inv)
	}), decision{})
	// A body of unknown length, so that only reading it finds it too large.
	r := newRequest(t, "POST", fr.URL+"/prod/upload", io.MultiReader(bytes.NewReader(make([]byte, 1<<20))))
	resp, _ := get(t, r)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", resp.StatusCode)
	}
	if diff := cmp.Diff([]int{http.StatusRequestEntityTooLarge}, f.gatewayAnswers()); diff != "" {
		t.Errorf("gateway answers (-want +got):\n%s", diff)
	}
}

func TestRequestBodyIsStreamed(t *testing.T) {
	f := newFixture(t)
	first := bytes.Repeat([]byte("a"), 64<<10)
	rest := make([]byte, 8<<20)
	rand.Read(rest)
	gotFirst := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		if _, err := io.CopyN(h, r.Body, int64(len(first))); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		close(gotFirst) // the client has not sent the rest yet
		if _, err := io.Copy(h, r.Body); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		_, _ = io.WriteString(w, hex.EncodeToString(h.Sum(nil)))
	}))
	defer up.Close()
	fr := f.front(f.handler(up.URL+"/{proxy}", 0), decision{})

	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write(first)
		select {
		case <-gotFirst:
		case <-time.After(watchdog):
			pw.CloseWithError(errors.New("the upstream never saw the first chunk: the body is buffered"))
			return
		}
		_, _ = pw.Write(rest)
		pw.Close()
	}()
	resp, body := get(t, newRequest(t, "PUT", fr.URL+"/prod/upload", pr))
	sum := sha256.Sum256(append(append([]byte(nil), first...), rest...))
	if resp.StatusCode != 200 || body != hex.EncodeToString(sum[:]) {
		t.Errorf("got %d %q, want 200 and the body's SHA-256", resp.StatusCode, body)
	}
}

func TestResponseBodyIsStreamed(t *testing.T) {
	for _, tt := range []struct{ name, contentType string }{
		{"unknown length", "application/octet-stream"},
		{"server-sent events", "text/event-stream"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			first := []byte("data: first\n\n")
			rest := make([]byte, 8<<20)
			rand.Read(rest)
			clientGotFirst := make(chan struct{})
			up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.Write(first)
				w.(http.Flusher).Flush()
				select {
				case <-clientGotFirst:
				case <-time.After(watchdog):
					return // the client fails on the short body
				}
				w.Write(rest)
			}))
			defer up.Close()
			fr := f.front(f.handler(up.URL+"/{proxy}", 0), decision{})
			resp, err := http.Get(fr.URL + "/prod/stream")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			buf := make([]byte, len(first))
			if _, err := io.ReadFull(resp.Body, buf); err != nil || !bytes.Equal(buf, first) {
				t.Fatalf("first chunk %q, %v", buf, err)
			}
			close(clientGotFirst)
			got, err := io.ReadAll(resp.Body)
			if err != nil || !bytes.Equal(got, rest) {
				t.Errorf("rest of the body: %d bytes, %v; want %d bytes intact", len(got), err, len(rest))
			}
		})
	}
}

func TestHandlerRejects(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name string
		in   tollgate.Integration
	}{
		{"empty", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy}},
		{"not HTTP_PROXY", tollgate.Integration{Type: tollgate.IntegrationAWSProxy, URI: "http://h/"}},
		{"relative", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "/pets/{id}"}},
		{"ftp", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "ftp://h/{proxy}"}},
		{"unix", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "unix:///run/x.sock"}},
		{"no host", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http:///x"}},
		{"greedy plus", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://h/{proxy+}"}},
		{"placeholder in host", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://{host}/x"}},
		{"placeholder in query", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://h/x?a={id}"}},
		{"unclosed brace", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://h/{proxy"}},
		{"stray closing brace", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://h/proxy}"}},
		{"empty placeholder", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://h/{}"}},
		{"nested braces", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://h/{a{b}}"}},
		{"odd name", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://h/{a b}"}},
		{"adjacent placeholders", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://h/{a}{b}"}},
		{"stage variable", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://h/${stageVariables.path}"}},
		{"stage variable braces", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://h/{stageVariables.path}"}},
		{"credentials", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://user:pw@h/x"}},
		{"fragment", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://h/x#top"}},
		{"space", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://h/a b"}},
		{"bad escape", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://h/a%zz"}},
		{"dot segment", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://h/a/../{proxy}"}},
		{"bad port", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://h:port/x"}},
		{"negative timeout", tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://h/x", Timeout: -time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.proxy.Integration(restAPI, &tollgate.Route{Method: "ANY", ResourcePath: "/{proxy+}", Integration: tt.in}); err == nil {
				t.Errorf("Integration(%q) succeeded", tt.in.URI)
			}
		})
	}
}

func TestTransport(t *testing.T) {
	tr := proxy.NewTransport()
	if tr.MaxIdleConnsPerHost < 256 || tr.MaxIdleConns < tr.MaxIdleConnsPerHost || tr.IdleConnTimeout == 0 ||
		tr.DialContext == nil || tr.ForceAttemptHTTP2 || tr.ResponseHeaderTimeout != 0 || !tr.DisableCompression || tr.Proxy != nil {
		t.Errorf("transport not tuned as documented: %+v", tr)
	}
}

func TestBufferPool(t *testing.T) {
	p := proxy.NewBufferPool()
	b := p.Get()
	if len(b) != proxy.BufferSize {
		t.Fatalf("Get returned %d bytes", len(b))
	}
	p.Put(b)
	p.Put(make([]byte, 10)) // dropped
	allocs := testing.AllocsPerRun(100, func() { p.Put(p.Get()) })
	if allocs != 0 {
		t.Errorf("Get/Put allocate %.1f times", allocs)
	}
}

// TestLambdaAuthorizerDecision: behind a Lambda authorizer the upstream
// gets X-Tollgate-Principal-Id and X-Tollgate-Authorizer-Context (the
// context's values stringified as $context.authorizer.{key} renders them,
// null left out: apigw-beyond §1.3), never a client's copies, and none of
// the Cognito authorizer's headers.
func TestLambdaAuthorizerDecision(t *testing.T) {
	f := newFixture(t)
	up, ch := recorder(t)
	fr := f.front(f.handler(up.URL+"/{proxy}", 0), decision{RequestID: "r1", PrincipalID: "user-1",
		AuthorizerContext: map[string]any{"tenant": "a", "n": json.Number("7"), "ok": true, "none": nil}})
	r := newRequest(t, "GET", fr.URL+"/prod/x", nil)
	r.Header.Set("X-Tollgate-Principal-Id", "evil")
	r.Header.Set("X_Tollgate_Authorizer_Context", "evil")
	get(t, r)
	s := <-ch
	if got := s.Header.Values(proxy.HeaderPrincipalID); len(got) != 1 || got[0] != "user-1" {
		t.Errorf("principal id %q", got)
	}
	raw, err := base64.RawURLEncoding.DecodeString(s.Header.Get(proxy.HeaderAuthorizerContext))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"n":"7","ok":"true","tenant":"a"}`; string(raw) != want {
		t.Errorf("context %s, want %s", raw, want)
	}
	for _, k := range []string{"X_tollgate_authorizer_context", proxy.HeaderClientID, proxy.HeaderScopes, proxy.HeaderClaims} {
		if v, ok := s.Header[k]; ok {
			t.Errorf("upstream got %s: %q", k, v)
		}
	}
}

// TestPrincipalIDEncoded: a principalId that would not arrive as it is
// (bytes beyond ASCII, control characters, spaces HTTP trims, or the
// encoded form's own prefix) reaches the upstream as "b64:" and its
// unpadded base64url, never left out; any other as it is.
func TestPrincipalIDEncoded(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		principal string
		encoded   bool
	}{
		{"user-1", false},
		{"a b", false},
		{"été", true},
		{"ユーザー", true},
		{"a\nb", true},
		{"a\x7fb", true},
		{" alice", true},
		{"alice\t", true},
		{"b64:d2hv", true},
	} {
		up, ch := recorder(t)
		fr := f.front(f.handler(up.URL+"/{proxy}", 0), decision{RequestID: "r1", PrincipalID: tc.principal})
		get(t, newRequest(t, "GET", fr.URL+"/prod/x", nil))
		s := <-ch
		got := s.Header.Values(proxy.HeaderPrincipalID)
		if len(got) != 1 {
			t.Errorf("%q: upstream got %q", tc.principal, got)
			continue
		}
		want := tc.principal
		if tc.encoded {
			want = proxy.PrincipalIDEncoded + base64.RawURLEncoding.EncodeToString([]byte(tc.principal))
		}
		if got[0] != want {
			t.Errorf("%q: upstream got %q, want %q", tc.principal, got[0], want)
		}
	}
}
