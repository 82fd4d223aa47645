package server

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/reqlog"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// syncBuffer is a log's output, safe to read while handlers write.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// requestsFixture is a server whose log of recent requests holds, after
// traffic: a token request, a gateway call refused for its token's scope
// and a refused token request, besides the console's own requests and
// health checks.
type requestsFixture struct {
	s        *Server
	out      *syncBuffer // the access log
	clientID string
	secret   string
	apiKey   string // the value of the API key, id reqlogkey1, of GET /metered
}

func newRequestsFixture(t *testing.T) *requestsFixture {
	t.Helper()
	ctx := context.Background()
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	now := time.Now().UTC()
	pool := &tollgate.UserPool{ID: "us-east-1_reqlog1234", Name: "p", Region: "us-east-1", CreatedAt: now, UpdatedAt: now}
	if err := st.CreatePool(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if err := st.PutResourceServer(ctx, &tollgate.ResourceServer{PoolID: pool.ID, Identifier: "orders", Name: "orders",
		Scopes: []tollgate.Scope{{Name: "read", Description: "r"}, {Name: "write", Description: "w"}}, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	f := &requestsFixture{out: &syncBuffer{}, secret: tollgate.NewClientSecret()}
	client := &tollgate.Client{ID: tollgate.NewClientID(), PoolID: pool.ID, Name: "reader",
		AllowedOAuthFlows: []string{tollgate.FlowClientCredentials}, AllowedOAuthScopes: []string{"orders/read"},
		AccessTokenValidity: tollgate.DefaultAccessTokenValidity, IDTokenValidity: tollgate.DefaultIDTokenValidity,
		RefreshTokenValidity: tollgate.Validity{Value: 60, Unit: tollgate.Minutes}, CreatedAt: now, UpdatedAt: now}
	hash, sealed := v.ProtectSecret(client.ID, f.secret)
	client.Secrets = []tollgate.ClientSecret{{ID: tollgate.NewSecretID(), Hash: hash, Sealed: sealed, CreatedAt: now}}
	if err := st.CreateClient(ctx, client); err != nil {
		t.Fatal(err)
	}
	f.clientID = client.ID
	if err := st.PutUsagePlan(ctx, &tollgate.UsagePlan{ID: "reqlogpln1", Name: "plan", CreatedAt: now, UpdatedAt: now,
		Stages: []tollgate.PlanStage{{APIID: "reqlogapi1", Stage: "prod"}}}, tollgate.AnyOwner); err != nil {
		t.Fatal(err)
	}
	f.apiKey = "reqlog-key-0123456789abcdef"
	key := &tollgate.APIKey{ID: "reqlogkey1", Name: "partner", Enabled: true, PlanIDs: []string{"reqlogpln1"}, CreatedAt: now, UpdatedAt: now}
	key.Hash, key.Sealed = v.ProtectAPIKey(key.ID, f.apiKey)
	if err := st.CreateAPIKey(ctx, key); err != nil {
		t.Fatal(err)
	}
	mock := tollgate.Integration{Type: tollgate.IntegrationMock}
	api := &tollgate.RestAPI{ID: "reqlogapi1", Name: "orders", Region: "us-east-1", Stages: []tollgate.Stage{{Name: "prod"}},
		Routes: []tollgate.Route{{ResourcePath: "/orders", Method: "POST", Integration: mock, AuthorizationScopes: []string{"orders/write"},
			Authorizer: &tollgate.Authorizer{Name: "pool", PoolIDs: []string{pool.ID}}},
			{ResourcePath: "/metered", Method: "GET", Integration: mock, APIKeyRequired: true}}}
	consoleHandler := func(console.Backend) (http.Handler, error) {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("console")) }), nil
	}
	s, err := New(ctx, Options{Store: st, Vault: v, APIs: []*tollgate.RestAPI{api}, Console: consoleHandler, ConsoleOnMain: true,
		Logger: slog.New(slog.NewJSONHandler(f.out, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.publicURL = "http://127.0.0.1:8080"
	f.s = s
	f.traffic(t)
	return f
}

func (f *requestsFixture) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	f.s.Handler().ServeHTTP(w, r)
	return w
}

func (f *requestsFixture) tokenRequest(secret string) *http.Request {
	r := httptest.NewRequest("POST", "http://127.0.0.1:8080/oauth2/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.SetBasicAuth(f.clientID, secret)
	return r
}

// traffic sends the fixture's requests.
func (f *requestsFixture) traffic(t *testing.T) {
	t.Helper()
	w := f.do(f.tokenRequest(f.secret))
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &tok); w.Code != 200 || err != nil {
		t.Fatalf("token: %d %s", w.Code, w.Body)
	}
	call := httptest.NewRequest("POST", "http://127.0.0.1:8080/apis/reqlogapi1/prod/orders?secret=query", nil)
	call.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if w := f.do(call); w.Code != http.StatusUnauthorized {
		t.Fatalf("call: %d %s", w.Code, w.Body)
	}
	if w := f.do(f.tokenRequest("wrong-secret-0123456789")); w.Code != http.StatusUnauthorized {
		t.Fatalf("wrong secret: %d %s", w.Code, w.Body)
	}
	metered := httptest.NewRequest("GET", "http://127.0.0.1:8080/apis/reqlogapi1/prod/metered", nil)
	metered.Header.Set("X-Api-Key", f.apiKey)
	if w := f.do(metered); w.Code != http.StatusOK {
		t.Fatalf("metered: %d %s", w.Code, w.Body)
	}
	for _, p := range []string{"/console/", "/console/requests?client=x", "/console", "/healthz", "/readyz"} {
		f.do(httptest.NewRequest("GET", "http://127.0.0.1:8080"+p, nil))
	}
}

// TestRecentRequests: the token requests and the gateway call are in the
// log of recent requests, newest first, with their client and reason; the
// console's own requests and health checks are not.
func TestRecentRequests(t *testing.T) {
	f := newRequestsFixture(t)
	got := f.s.Requests().Recent(reqlog.Filter{})
	if len(got) != 4 {
		t.Fatalf("%d recorded, want 4: %+v", len(got), got)
	}
	want := []reqlog.Entry{
		{Kind: "gateway", Method: "GET", Path: "/apis/reqlogapi1/prod/metered", API: "reqlogapi1", Stage: "prod", Route: "GET /metered",
			APIKeyID: "reqlogkey1", Status: 200},
		{Kind: "token", Method: "POST", Path: "/oauth2/token", ClientID: f.clientID, Status: 401, Reason: "invalid_client"},
		{Kind: "gateway", Method: "POST", Path: "/apis/reqlogapi1/prod/orders", API: "reqlogapi1", Stage: "prod", Route: "POST /orders",
			ClientID: f.clientID, Status: 401, Reason: gateway.ReasonInsufficientScope},
		{Kind: "token", Method: "POST", Path: "/oauth2/token", ClientID: f.clientID, Status: 200},
	}
	for i, e := range got {
		w := want[i]
		if e.Kind != w.Kind || e.Method != w.Method || e.Path != w.Path || e.API != w.API || e.Stage != w.Stage || e.Route != w.Route ||
			e.ClientID != w.ClientID || e.APIKeyID != w.APIKeyID || e.Status != w.Status || e.Reason != w.Reason {
			t.Errorf("entry %d: %+v\nwant %+v", i, e, w)
		}
		if e.RequestID == "" || e.Time.IsZero() || (e.Reason == "") != (e.Detail == "") {
			t.Errorf("entry %d: request id %q, time %v, detail %q", i, e.RequestID, e.Time, e.Detail)
		}
	}
	if d := got[2].Detail; !strings.Contains(d, "orders/write") {
		t.Errorf("the refused call's detail: %q", d)
	}
	if one := f.s.Requests().Recent(reqlog.Filter{RequestID: got[2].RequestID}); len(one) != 1 || one[0].Path != got[2].Path {
		t.Errorf("by request id: %+v", one)
	}
	series := f.s.Requests().Series(time.Now())
	if len(series) != 2 || series[0].ClientID != f.clientID || series[0].Requests != 3 || series[0].Refusals != 2 ||
		series[1].ClientID != "" || series[1].Requests != 1 || series[1].Refusals != 0 {
		t.Errorf("series %+v", series)
	}
}

// TestRecentRequestsAccessLog: the access log has the reason on the
// refused requests' lines only, and the API key's id (never its value)
// on the line of the call that presented it; the console's requests are
// logged, not recorded; neither a query nor a secret is logged.
func TestRecentRequestsAccessLog(t *testing.T) {
	f := newRequestsFixture(t)
	var reasons, keys []string
	lines := 0
	sc := bufio.NewScanner(strings.NewReader(f.out.String()))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil || line["msg"] != "request" {
			continue
		}
		lines++
		if r, ok := line["reason"].(string); ok {
			reasons = append(reasons, r)
		}
		if k, ok := line["api_key_id"].(string); ok {
			keys = append(keys, k)
		}
	}
	if len(keys) != 1 || keys[0] != "reqlogkey1" {
		t.Errorf("api_key_id on the lines: %v, want [reqlogkey1]", keys)
	}
	if lines != 9 || len(reasons) != 2 || reasons[0] != gateway.ReasonInsufficientScope || reasons[1] != "invalid_client" {
		t.Errorf("%d lines, reasons %v", lines, reasons)
	}
	if strings.Contains(f.out.String(), "secret=query") || strings.Contains(f.out.String(), f.secret) || strings.Contains(f.out.String(), f.apiKey) {
		t.Error("the log holds the query, the secret or the API key")
	}
}
