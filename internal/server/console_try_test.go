package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

const tryAPIID = "tryapi0001"

// newTryServer is a server with a pool (resource server "orders" with
// read and write), a client allowed both, and an API whose GET
// /items/{id} wants orders/read and POST /items orders/write (a Cognito
// authorizer of the pool, MOCK integrations); it returns the client's id
// and secret.
func newTryServer(t *testing.T) (s *Server, clientID, secret string) {
	t.Helper()
	ctx := context.Background()
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	dom := domain.New(st, v, time.Now)
	pool, err := dom.CreatePool(ctx, "shop", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dom.CreateResourceServer(ctx, pool.ID, domain.ResourceServerSpec{Identifier: "orders", Name: "Orders",
		Scopes: []tollgate.Scope{{Name: "read", Description: "read"}, {Name: "write", Description: "write"}}}); err != nil {
		t.Fatal(err)
	}
	cl, secret, err := dom.CreateClient(ctx, pool.ID, domain.ClientSpec{Name: "backend",
		OAuthFlows: []string{tollgate.FlowClientCredentials}, Scopes: []string{"orders/read", "orders/write"}},
		domain.SecretChoice{Generate: true})
	if err != nil {
		t.Fatal(err)
	}
	auth := &tollgate.Authorizer{Name: "shopPool", PoolIDs: []string{pool.ID}}
	api := &tollgate.RestAPI{ID: tryAPIID, Name: "orders", Region: "us-east-1", Stages: []tollgate.Stage{{Name: "prod"}},
		Routes: []tollgate.Route{
			{Method: "GET", ResourcePath: "/items/{id}", Authorizer: auth, AuthorizationScopes: []string{"orders/read"},
				Integration: tollgate.Integration{Type: tollgate.IntegrationMock}},
			{Method: "POST", ResourcePath: "/items", Authorizer: auth, AuthorizationScopes: []string{"orders/write"},
				Integration: tollgate.Integration{Type: tollgate.IntegrationMock}},
		}}
	// With a console (the log of recent requests is kept for one only).
	s, err = New(ctx, Options{Store: st, Vault: v, APIs: []*tollgate.RestAPI{api}, Logger: slog.New(slog.DiscardHandler),
		Console: func(console.Backend) (http.Handler, error) { return http.NotFoundHandler(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.publicURL = "http://127.0.0.1:8080"
	return s, cl.ID, secret
}

func TestTry(t *testing.T) {
	s, id, secret := newTryServer(t)
	tests := []struct {
		name            string
		req             console.TryRequest
		tokenStatus     int
		callStatus      int // 0: no call made
		reason, verdict string
	}{
		{name: "allowed",
			req:         console.TryRequest{ClientID: id, Secret: secret, APIID: tryAPIID, Stage: "prod", Method: "GET", Path: "/items/1", Route: "GET /items/{id}"},
			tokenStatus: http.StatusOK, callStatus: http.StatusOK,
			verdict: "Allowed: Cognito authorizer shopPool accepted the token; scopes ok (orders/read)."},
		{name: "missing scope",
			req:         console.TryRequest{ClientID: id, Secret: secret, Scope: "orders/read", APIID: tryAPIID, Stage: "prod", Method: "POST", Path: "/items", Route: "POST /items", Body: `{"n":1}`},
			tokenStatus: http.StatusOK, callStatus: http.StatusUnauthorized, reason: "insufficient_scope",
			verdict: "Refused (insufficient_scope): the token lacks a scope the route requires (orders/write)"},
		{name: "wrong secret",
			req:         console.TryRequest{ClientID: id, Secret: "not-the-secret", APIID: tryAPIID, Stage: "prod", Method: "GET", Path: "/items/1", Route: "GET /items/{id}"},
			tokenStatus: http.StatusUnauthorized,
			verdict:     "Not called: the token endpoint refused to issue a token (invalid_client)"},
		{name: "no route",
			req:         console.TryRequest{ClientID: id, Secret: secret, APIID: tryAPIID, Stage: "prod", Method: "GET", Path: "/nothing/here"},
			tokenStatus: http.StatusOK, callStatus: http.StatusForbidden, reason: "no_route",
			// The gateway's own words (gateway.LogFields.Detail).
			verdict: "Refused (no_route): no API, stage, resource or method matches the request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := s.Try(context.Background(), tt.req)
			if res.Token.Status != tt.tokenStatus {
				t.Fatalf("token: %d %s %s, want %d", res.Token.Status, res.Token.Body, res.Token.Err, tt.tokenStatus)
			}
			if res.Token.URL != "http://127.0.0.1:8080/oauth2/token" || res.Token.Method != http.MethodPost {
				t.Errorf("token request: %s %s", res.Token.Method, res.Token.URL)
			}
			if res.Call.Status != tt.callStatus {
				t.Fatalf("call: %d %s %s, want %d", res.Call.Status, res.Call.Body, res.Call.Err, tt.callStatus)
			}
			if !strings.HasPrefix(res.Verdict, tt.verdict) {
				t.Errorf("verdict %q, want it to start with %q", res.Verdict, tt.verdict)
			}
			if tt.callStatus == 0 {
				if res.AccessToken != "" || res.Call.URL != "" {
					t.Errorf("a call made without a token: %+v", res.Call)
				}
				return
			}
			if res.Claims["client_id"] != id {
				t.Errorf("claims: %v", res.Claims)
			}
			if want := "http://127.0.0.1:8080/apis/" + tryAPIID + "/prod" + tt.req.Path; res.Call.URL != want {
				t.Errorf("call URL %s, want %s", res.Call.URL, want)
			}
			d := res.Decision
			if d.Status != tt.callStatus || d.Reason != tt.reason || d.API != tryAPIID || d.Stage != "prod" || d.RequestID == "" {
				t.Errorf("decision %+v", d)
			}
			if tt.reason != "" && d.Detail == "" {
				t.Errorf("a refusal without detail: %+v", d)
			}
		})
	}
}

// TestTryHTTPAPIDefaultStage: an HTTP API's $default stage has no segment
// of its own in the call's URL.
func TestTryHTTPAPIDefaultStage(t *testing.T) {
	s, id, secret := newTryServer(t)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("upstream " + r.URL.Path))
	}))
	t.Cleanup(up.Close)
	api := &tollgate.RestAPI{ID: "tryhttp001", Name: "h", Region: "us-east-1", Protocol: tollgate.ProtocolHTTP,
		Stages: []tollgate.Stage{{Name: tollgate.DefaultStageName}},
		Routes: []tollgate.Route{{Method: "GET", ResourcePath: "/open", Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: up.URL + "/open"}}}}
	if _, err := s.Reload([]*tollgate.RestAPI{api}, nil); err != nil {
		t.Fatal(err)
	}
	res := s.Try(context.Background(), console.TryRequest{ClientID: id, Secret: secret, APIID: api.ID, Stage: tollgate.DefaultStageName,
		Method: "GET", Path: "/open", Route: "GET /open"})
	if want := "http://127.0.0.1:8080/apis/tryhttp001/open"; res.Call.URL != want {
		t.Errorf("call URL %s, want %s", res.Call.URL, want)
	}
	if !strings.HasPrefix(res.Verdict, "Allowed: the route has no authorizer") {
		t.Errorf("verdict %q (call %d %s)", res.Verdict, res.Call.Status, res.Call.Body)
	}
	if res.Call.Status != http.StatusOK || res.Call.Body != "upstream /open" {
		t.Errorf("call: %d %q", res.Call.Status, res.Call.Body)
	}
}

func TestChallengeParam(t *testing.T) {
	c := `Bearer realm="x", error="insufficient_scope", error_description="expected scopes: [a b]"`
	if got := challengeParam(c, "error"); got != "insufficient_scope" {
		t.Errorf("error = %q", got)
	}
	if got := challengeParam(c, "error_description"); got != "expected scopes: [a b]" {
		t.Errorf("error_description = %q", got)
	}
	if got := challengeParam(`Bearer error=invalid_token`, "error"); got != "invalid_token" {
		t.Errorf("bare error = %q", got)
	}
	if got := challengeParam(`Bearer`, "error"); got != "" {
		t.Errorf("none = %q", got)
	}
}

// TestTryOtherPool: a token of a pool the route's authorizer does not
// accept is refused with the gateway's reason, said in pools; the
// decision is the entry of the call's request id.
func TestTryOtherPool(t *testing.T) {
	s, _, _ := newTryServer(t)
	ctx := context.Background()
	dom := domain.New(s.opts.Store, s.opts.Vault, time.Now)
	other, err := dom.CreatePool(ctx, "elsewhere", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dom.CreateResourceServer(ctx, other.ID, domain.ResourceServerSpec{Identifier: "orders", Name: "Orders",
		Scopes: []tollgate.Scope{{Name: "read", Description: "read"}}}); err != nil {
		t.Fatal(err)
	}
	cl, secret, err := dom.CreateClient(ctx, other.ID, domain.ClientSpec{Name: "stranger",
		OAuthFlows: []string{tollgate.FlowClientCredentials}, Scopes: []string{"orders/read"}},
		domain.SecretChoice{Generate: true})
	if err != nil {
		t.Fatal(err)
	}
	res := s.Try(ctx, console.TryRequest{ClientID: cl.ID, Secret: secret, APIID: tryAPIID, Stage: "prod", Method: "GET", Path: "/items/1", Route: "GET /items/{id}"})
	if res.Call.Status != http.StatusUnauthorized {
		t.Fatalf("call: %d %s", res.Call.Status, res.Call.Body)
	}
	d := res.Decision
	if d.RequestID == "" || d.RequestID != res.Call.Header.Get(gateway.HeaderRequestID) || d.Reason == "" {
		t.Errorf("decision: %+v", d)
	}
	pools, err := dom.ListPools(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var shop string
	for _, p := range pools {
		if p.Name == "shop" {
			shop = p.ID
		}
	}
	want := "the token is from pool elsewhere (" + other.ID + "); this route's authorizer accepts shop (" + shop + ")"
	if d.Detail != want || !strings.Contains(res.Verdict, want) {
		t.Errorf("detail %q, verdict %q; want %q", d.Detail, res.Verdict, want)
	}
}
