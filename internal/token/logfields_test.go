package token_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/token"
)

// tokenLogWriter is an access log's ResponseWriter: it records the token
// endpoint's LogFields.
type tokenLogWriter struct {
	http.ResponseWriter
	f token.LogFields
}

func (w *tokenLogWriter) TokenLogFields() *token.LogFields { return &w.f }

// wrapped hides the log's writer behind another middleware's.
type wrapped struct{ http.ResponseWriter }

func (u wrapped) Unwrap() http.ResponseWriter { return u.ResponseWriter }

// TestLogFields: the token, revoke and introspect endpoints tell the
// access log the client they found and why they refused a request; an id
// that names no client, or has not the shape of one, is never told, nor
// is client input quoted in the reason's detail.
func TestLogFields(t *testing.T) {
	f := newFixture(t)
	secret := f.m2m.secrets[0]
	tok := f.issue(t, f.m2m)
	for _, tc := range []struct {
		name     string
		serve    http.HandlerFunc
		body     string
		status   int
		clientID string
		reason   string
		detail   string // a part of Detail
	}{
		{"token", f.ep.ServeToken, form("grant_type", "client_credentials", "client_id", f.m2m.ID, "client_secret", secret), 200, f.m2m.ID, "", ""},
		{"wrong secret", f.ep.ServeToken, form("grant_type", "client_credentials", "client_id", f.m2m.ID, "client_secret", "wrong-secret"), 400, f.m2m.ID, "invalid_client", "authentication failed"},
		{"unknown client", f.ep.ServeToken, form("grant_type", "client_credentials", "client_id", tollgate.NewClientID(), "client_secret", secret), 400, "", "invalid_client", "authentication failed"},
		{"a secret as the id", f.ep.ServeToken, form("grant_type", "client_credentials", "client_id", secret, "client_secret", f.m2m.ID), 400, "", "invalid_client", ""},
		{"scope not allowed", f.ep.ServeToken, form("grant_type", "client_credentials", "client_id", f.m2m.ID, "client_secret", secret, "scope", "default/write"), 400, f.m2m.ID, "invalid_scope", "a requested scope is not allowed for this client: (13 bytes)"},
		{"flow not allowed", f.ep.ServeToken, form("grant_type", "client_credentials", "client_id", f.codeOnly.ID, "client_secret", f.codeOnly.secrets[0]), 400, f.codeOnly.ID, "unauthorized_client", "client_credentials"},
		{"grant type", f.ep.ServeToken, form("grant_type", "password", "client_id", f.m2m.ID, "client_secret", secret), 400, "", "unsupported_grant_type", ""},
		{"revoke", f.ep.ServeRevoke, form("token", tok, "client_id", f.m2m.ID, "client_secret", secret), 200, f.m2m.ID, "", ""},
		{"revoke another's token", f.ep.ServeRevoke, form("token", tok, "client_id", f.sibling.ID, "client_secret", f.sibling.secrets[0]), 400, f.sibling.ID, "unauthorized_client", "not issued to this client"},
		{"introspect", f.ep.ServeIntrospect, form("token", tok, "client_id", f.m2m.ID, "client_secret", secret), 200, f.m2m.ID, "", ""},
		{"introspect without token", f.ep.ServeIntrospect, form("client_id", f.m2m.ID, "client_secret", secret), 400, "", "invalid_request", "token is required"},
	} {
		for _, wrap := range []bool{false, true} {
			r := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader(tc.body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			lw := &tokenLogWriter{ResponseWriter: rec}
			var w http.ResponseWriter = lw
			if wrap {
				w = wrapped{lw}
			}
			tc.serve(w, r)
			got := lw.f
			if rec.Code != tc.status || got.ClientID != tc.clientID || got.Reason != tc.reason {
				t.Errorf("%s (wrapped %v): %d %+v; want %d, client %q, reason %q", tc.name, wrap, rec.Code, got, tc.status, tc.clientID, tc.reason)
			}
			if (got.Reason == "") != (got.Detail == "") || !strings.Contains(got.Detail, tc.detail) {
				t.Errorf("%s: detail %q, want one with %q", tc.name, got.Detail, tc.detail)
			}
			for _, s := range []string{secret, "default/write", "wrong-secret", "password"} {
				if strings.Contains(got.Detail, s) {
					t.Errorf("%s: the detail %q quotes client input", tc.name, got.Detail)
				}
			}
		}
	}
}

// TestLogFieldsLimits: a locked-out client id and a spent token quota
// have reasons of their own, though their clients see invalid_client and
// invalid_request.
func TestLogFieldsLimits(t *testing.T) {
	env := newLimitsEnv(t, tollgate.TokenLimits{Lockout: lockout3, PerHour: 1}, false)
	m2m := env.f.m2m
	send := func(secret string) (int, token.LogFields) {
		r := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader(form("grant_type", "client_credentials")))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Authorization", basic(m2m.ID, secret))
		rec := httptest.NewRecorder()
		lw := &tokenLogWriter{ResponseWriter: rec}
		env.ep.ServeToken(lw, r)
		env.ep.WaitStrikes()
		return rec.Code, lw.f
	}
	if status, f := send(m2m.secret()); status != 200 || f.ClientID != m2m.ID || f.Reason != "" {
		t.Fatalf("first token: %d %+v", status, f)
	}
	if status, f := send(m2m.secret()); status != http.StatusTooManyRequests || f.ClientID != m2m.ID || f.Reason != "token_quota_exceeded" || !strings.Contains(f.Detail, "quota") {
		t.Errorf("over quota: %d %+v", status, f)
	}
	for range 3 {
		send(wrongSecret)
	}
	if status, f := send(m2m.secret()); status != http.StatusUnauthorized || f.ClientID != m2m.ID || f.Reason != token.ReasonLockedOut || !strings.Contains(f.Detail, "locked out") {
		t.Errorf("locked out: %d %+v", status, f)
	}
}
