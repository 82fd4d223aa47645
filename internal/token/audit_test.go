package token_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/token"
)

// lockedBuffer is a buffer safe for concurrent use.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Each failed client authentication, at each endpoint, is one audit
// event: the reason's class, the client id only when it names a client
// found, the remote address and the request id; no presented value.
func TestAuditFailedAuthentication(t *testing.T) {
	f := newFixture(t)
	var out lockedBuffer
	sink := audit.New(&out, nil)
	defer sink.Close()
	ep := token.New(token.Options{
		Clients: f.st, Signer: f.signer, Keys: f.signer, Revocations: f.st, Vault: f.vault,
		Issuer: func(_ *http.Request, poolID string) string { return issuer(poolID) },
		PoolFromHost: func(r *http.Request) (string, bool) {
			return f.pool2.ID, r.Host == pool2Host
		},
		Now: f.clock.Now, Audit: sink,
	})
	mux := http.NewServeMux()
	mux.HandleFunc("/oauth2/token", ep.ServeToken)
	mux.HandleFunc("/oauth2/revoke", ep.ServeRevoke)
	mux.HandleFunc("/oauth2/introspect", ep.ServeIntrospect)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	const wrong = "Wrong_Secret_Value_0123456789"
	m2m := f.m2m
	cases := []struct {
		name, path, host, auth, body string
		reason, clientID, endpoint   string
	}{
		{name: "wrong secret", auth: basic(m2m.ID, wrong), body: form("grant_type", "client_credentials"), reason: "wrong_secret", clientID: m2m.ID},
		{name: "unknown client", body: form("grant_type", "client_credentials", "client_id", "abcdefghijklmnopqrstuvwxyz", "client_secret", wrong), reason: "unknown_client"},
		{name: "secret as the id", auth: basic(m2m.secret(), m2m.ID), body: form("grant_type", "client_credentials"), reason: "unknown_client"},
		{name: "no secret", body: form("grant_type", "client_credentials", "client_id", m2m.ID), reason: "secret_missing"},
		{name: "client without a secret", body: form("grant_type", "client_credentials", "client_id", f.public.ID, "client_secret", wrong), reason: "client_without_secret", clientID: f.public.ID},
		{name: "another pool's host", host: pool2Host, auth: basic(m2m.ID, m2m.secret()), body: form("grant_type", "client_credentials"), reason: "other_pool", clientID: m2m.ID},
		{name: "malformed basic", auth: "Basic %%%", body: form("grant_type", "client_credentials"), reason: "malformed_credentials"},
		{name: "no credentials", body: form("grant_type", "client_credentials"), reason: "credentials_missing"},
		{name: "revoke", path: "/oauth2/revoke", auth: basic(m2m.ID, wrong), body: form("token", "x.y.z"), reason: "wrong_secret", clientID: m2m.ID, endpoint: "revoke"},
		{name: "introspect", path: "/oauth2/introspect", auth: basic(m2m.ID, wrong), body: form("token", "x.y.z"), reason: "wrong_secret", clientID: m2m.ID, endpoint: "introspect"},
	}
	for _, tc := range cases {
		path := tc.path
		if path == "" {
			path = "/oauth2/token"
		}
		r, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if tc.auth != "" {
			r.Header.Set("Authorization", tc.auth)
		}
		if tc.host != "" {
			r.Host = tc.host
		}
		resp, err := srv.Client().Do(r)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body) // the status is what matters
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("%s: status %d", tc.name, resp.StatusCode)
		}
	}
	sink.Flush()
	text := out.String()
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) != len(cases) {
		t.Fatalf("%d events for %d refusals:\n%s", len(lines), len(cases), text)
	}
	for i, tc := range cases {
		var ev map[string]string
		if err := json.Unmarshal([]byte(lines[i]), &ev); err != nil {
			t.Fatalf("%s: %q: %v", tc.name, lines[i], err)
		}
		endpoint := tc.endpoint
		if endpoint == "" {
			endpoint = "token"
		}
		want := map[string]string{"action": "client.authenticate", "outcome": "denied", "actor": "anonymous",
			"reason": tc.reason, "client_id": tc.clientID, "endpoint": endpoint}
		for k, v := range want {
			if ev[k] != v {
				t.Errorf("%s: %s = %q, want %q", tc.name, k, ev[k], v)
			}
		}
		if !strings.HasPrefix(ev["remote_addr"], "127.0.0.1:") || ev["request_id"] == "" {
			t.Errorf("%s: remote_addr %q, request_id %q", tc.name, ev["remote_addr"], ev["request_id"])
		}
	}
	for _, secret := range []string{wrong, m2m.secret()} {
		if strings.Contains(text, secret) {
			t.Errorf("the audit log holds a secret:\n%s", text)
		}
	}
}

// BenchmarkServeTokenRefusedAudited is BenchmarkServeTokenRefused/catalog
// with an audit sink (writing to io.Discard): what recording each refusal adds to
// the cost an attacker guessing secrets imposes.
func BenchmarkServeTokenRefusedAudited(b *testing.B) {
	f := newFixture(b)
	sink := audit.New(io.Discard, nil)
	defer sink.Close()
	ep := token.New(token.Options{
		Clients: clientSources(b, f)["catalog"], Signer: f.signer, Keys: f.signer, Revocations: f.st, Vault: f.vault,
		Issuer: func(_ *http.Request, poolID string) string { return issuer(poolID) },
		Now:    f.clock.Now, Audit: sink, Logger: slog.New(slog.DiscardHandler),
	})
	serveTokenLoop(b, ep, form("grant_type", "client_credentials"), basic(f.m2m.ID, "wrong"), http.StatusUnauthorized)
}
