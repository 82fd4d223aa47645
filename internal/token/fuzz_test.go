package token_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/token"
)

// FuzzTokenRequest drives the whole token endpoint, in process, with
// arbitrary methods, Authorization and Content-Type headers, URL queries
// and bodies. Whatever comes in, the endpoint must not panic, must not
// answer 500 (nothing here is a server failure), must answer with a token
// response or an RFC 6749 §5.2 error of a known code, and must not log the
// client's secret, wherever the request puts it.
func FuzzTokenRequest(f *testing.F) {
	fx := newFixture(f)
	var logs bytes.Buffer // iterations of one fuzz worker run one at a time
	ep := token.New(token.Options{
		Clients: fx.st, Signer: fx.signer, Keys: fx.signer, Revocations: fx.st, Vault: fx.vault,
		Issuer: func(_ *http.Request, poolID string) string { return issuer(poolID) },
		Now:    fx.clock.Now,
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	id, secret := fx.m2m.ID, fx.m2m.secret()
	formType := "application/x-www-form-urlencoded"
	seeds := []struct{ method, auth, ctype, query, body string }{
		{"POST", basic(secret, id), formType, "", "grant_type=client_credentials"},
		{"POST", basicRaw(id + "%3A" + secret), formType, "", "grant_type=client_credentials"},
		{"POST", basicRaw(id + "%3A" + secret + ":"), formType, "", "grant_type=client_credentials"},
		{"POST", "", formType, "", form("grant_type", "client_credentials", "client_id", secret)},
		{"POST", "", formType, "", form("grant_type", secret, "client_id", id, "client_secret", secret)},
		{"POST", basic(id, secret), formType, "", form("grant_type", "client_credentials", "scope", secret)},
		{"POST", basic(id, secret), formType, "", form("grant_type", "client_credentials", "scope", secret+`"`)},
		{"POST", basic(id, secret), formType, "client_secret=" + secret, "grant_type=client_credentials&x=%zz" + secret},
		{"POST", "", formType, "", form("grant_type", "client_credentials", "client_id", id, "client_secret", secret)},
		{"POST", basic(id, secret), formType, "", form("grant_type", "client_credentials", "scope", "default/read")},
		{"POST", basic(id, secret), formType + "; charset=utf-8", "", form("grant_type", "client_credentials", "client_id", id)},
		{"POST", basic(id, secret), formType, "", form("grant_type", "client_credentials", "client_secret", secret)},
		{"POST", basicRaw(id), formType, "", "grant_type=client_credentials"},
		{"POST", "Basic !!!", formType, "", "grant_type=client_credentials"},
		{"POST", "Bearer x", formType, "", "grant_type=client_credentials"},
		{"POST", basic(id, secret), formType, "", "grant_type=client_credentials&grant_type=client_credentials"},
		{"POST", "", formType, "client_secret=" + secret, "grant_type=client_credentials&client_id=" + id},
		{"POST", "", "application/json", "", `{"grant_type":"client_credentials"}`},
		{"POST", "", "", "", ""},
		{"POST", "", formType, "", "grant_type=%zz"},
		{"POST", "", formType, "", "grant_type=client_credentials;client_id=x"},
		{"POST", basic(id, secret), formType, "", "grant_type=client_credentials&scope=" + strings.Repeat("a ", 100)},
		{"POST", basic(id, secret), formType, "", "grant_type=client_credentials&scope=%22%5C%00"},
		{"POST", basic(id, secret), formType, "", "grant_type=authorization_code&code=x"},
		{"POST", basic(fx.codeOnly.ID, fx.codeOnly.secret()), formType, "", "grant_type=client_credentials"},
		{"POST", basic(fx.public.ID, ""), formType, "", "grant_type=client_credentials"},
		{"GET", "", "", "grant_type=client_credentials", ""},
		{"POST", basicRaw("%:%"), formType, "", "grant_type=client_credentials"},
		{"POST", "Basic " + strings.Repeat("A", 1000), formType, "", "grant_type=client_credentials"},
	}
	for _, s := range seeds {
		f.Add(s.method, s.auth, s.ctype, s.query, s.body)
	}
	codes := map[string]bool{
		"invalid_request": true, "invalid_client": true, "unauthorized_client": true,
		"unsupported_grant_type": true, "invalid_scope": true, "invalid_grant": true,
	}
	f.Fuzz(func(t *testing.T, method, auth, ctype, query, body string) {
		r, err := http.NewRequest(method, "http://tollgate.test/oauth2/token", strings.NewReader(body))
		if err != nil {
			t.Skip() // not a request net/http would hand a handler
		}
		r.URL.RawQuery = query
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		if ctype != "" {
			r.Header.Set("Content-Type", ctype)
		}
		w := httptest.NewRecorder()
		logs.Reset()
		ep.ServeToken(w, r)
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("the log shows the secret: %s", logs.String())
		}

		switch w.Code {
		case 200:
			if !tokenBody.Match(w.Body.Bytes()) {
				t.Fatalf("200 with body %s", w.Body)
			}
			return
		case 400, 401, 405:
		default:
			t.Fatalf("status %d, body %s", w.Code, w.Body)
		}
		var e map[string]string
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
			t.Fatalf("error body is not JSON: %s", w.Body)
		}
		if !codes[e["error"]] {
			t.Fatalf("unexpected error %q", e["error"])
		}
		if (w.Code == 401) != (w.Header().Get("WWW-Authenticate") != "") {
			t.Fatalf("status %d with WWW-Authenticate %q", w.Code, w.Header().Get("WWW-Authenticate"))
		}
		if w.Header().Get("Cache-Control") == "" || w.Header().Get("X-Amz-Cognito-Request-Id") == "" {
			t.Fatalf("headers missing: %v", w.Header())
		}
	})
}
