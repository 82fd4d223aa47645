package token_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// introspect asks about tok as client c and returns the decoded answer.
func (f *fixture) introspect(t *testing.T, c testClient, tok string) map[string]any {
	t.Helper()
	resp, body := f.do(request{
		path:   "/oauth2/introspect",
		header: map[string]string{"Authorization": basic(c.ID, c.secret())},
		body:   form("token", tok),
	})
	if resp.StatusCode != 200 {
		t.Fatalf("introspect: %d %s", resp.StatusCode, body)
	}
	checkJSONHeaders(t, resp.Header)
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("introspect: %v: %s", err, body)
	}
	if m["active"] == false && len(m) != 1 {
		t.Errorf("inactive answer says more: %s", body)
	}
	return m
}

// revoke revokes tok as client c and returns the response.
func (f *fixture) revoke(t *testing.T, c testClient, kv ...string) (*http.Response, []byte) {
	t.Helper()
	return f.do(request{
		path:   "/oauth2/revoke",
		header: map[string]string{"Authorization": basic(c.ID, c.secret())},
		body:   form(kv...),
	})
}

func checkEmpty200(t *testing.T, resp *http.Response, body []byte) {
	t.Helper()
	if resp.StatusCode != 200 || len(body) != 0 {
		t.Errorf("got %d %q, want 200 with an empty body", resp.StatusCode, body)
	}
	checkCommonHeaders(t, resp.Header)
}

func TestIntrospect(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tok := f.issue(t, f.m2m)
	p := payload(t, tok)

	got := f.introspect(t, f.m2m, tok)
	want := map[string]any{
		"active":     true,
		"scope":      "default/default default/read",
		"client_id":  f.m2m.ID,
		"token_type": "Bearer",
		"exp":        float64(t0.Unix() + 3600),
		"iat":        float64(t0.Unix()),
		"sub":        f.m2m.ID,
		"iss":        issuer(f.pool.ID),
		"jti":        p["jti"],
		"token_use":  "access",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("introspection (-want +got):\n%s", diff)
	}

	// Any client of the pool may introspect the pool's tokens.
	if got := f.introspect(t, f.sibling, tok); got["active"] != true {
		t.Errorf("sibling client: %v", got)
	}
	// A client of another pool learns nothing.
	if got := f.introspect(t, f.other, tok); got["active"] != false {
		t.Errorf("other pool's client: %v", got)
	}
	// Nor does the other pool's client on its own host.
	resp, body := f.do(request{path: "/oauth2/introspect", host: pool2Host,
		header: map[string]string{"Authorization": basic(f.other.ID, f.other.secret())}, body: form("token", tok)})
	if resp.StatusCode != 200 || string(body) != `{"active":false}` {
		t.Errorf("other pool on its host: %d %s", resp.StatusCode, body)
	}
	// The other pool's token is inactive to this pool.
	if got := f.introspect(t, f.m2m, f.issue(t, f.other)); got["active"] != false {
		t.Errorf("other pool's token: %v", got)
	}
	for _, junk := range []string{"junk", "a.b.c", tok + "x", strings.Repeat("a", 20000)} {
		if got := f.introspect(t, f.m2m, junk); got["active"] != false {
			t.Errorf("junk %.20q: %v", junk, got)
		}
	}
	// token_type_hint is accepted and ignored.
	resp, body = f.do(request{path: "/oauth2/introspect",
		header: map[string]string{"Authorization": basic(f.m2m.ID, f.m2m.secret())},
		body:   form("token", tok, "token_type_hint", "refresh_token")})
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), `{"active":true,`) {
		t.Errorf("with hint: %d %s", resp.StatusCode, body)
	}

	// Expired: inactive.
	f.clock.Advance(time.Hour)
	if got := f.introspect(t, f.m2m, tok); got["active"] != false {
		t.Errorf("expired token: %v", got)
	}
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tok := f.issue(t, f.m2m)
	jti := payload(t, tok)["jti"].(string)

	// Another client of the pool may not revoke it (RFC 7009 §2.1).
	resp, body := f.revoke(t, f.sibling, "token", tok)
	checkError(t, resp, body, 400, "unauthorized_client", noChallenge)
	if !strings.Contains(string(body), "the token was not issued to this client") {
		t.Errorf("body %s", body)
	}
	if got := f.introspect(t, f.m2m, tok); got["active"] != true {
		t.Fatalf("token inactive after a refused revocation: %v", got)
	}

	// Its own client may.
	resp, body = f.revoke(t, f.m2m, "token", tok, "token_type_hint", "access_token")
	checkEmpty200(t, resp, body)
	if revoked, err := f.st.IsTokenRevoked(f.ctx, jti); err != nil || !revoked {
		t.Fatalf("IsTokenRevoked = %v, %v", revoked, err)
	}
	if got := f.introspect(t, f.m2m, tok); got["active"] != false {
		t.Errorf("revoked token: %v", got)
	}
	if got := f.introspect(t, f.sibling, tok); got["active"] != false {
		t.Errorf("revoked token, asked by a sibling: %v", got)
	}

	// Twice is fine; so is any hint, and the body client_post method.
	resp, body = f.do(request{path: "/oauth2/revoke",
		body: form("token", tok, "token_type_hint", "refresh_token", "client_id", f.m2m.ID, "client_secret", f.m2m.secret())})
	checkEmpty200(t, resp, body)

	// Other tokens of the client stay active.
	tok2 := f.issue(t, f.m2m)
	if got := f.introspect(t, f.m2m, tok2); got["active"] != true {
		t.Errorf("second token: %v", got)
	}

	// Invalid, expired or foreign tokens: 200 and nothing happens.
	otherTok := f.issue(t, f.other)
	for _, junk := range []string{"junk", tok2 + "x", otherTok} {
		resp, body := f.revoke(t, f.m2m, "token", junk)
		checkEmpty200(t, resp, body)
	}
	if got := f.introspect(t, f.other, otherTok); got["active"] != true {
		t.Errorf("another pool's token was revoked: %v", got)
	}
	f.clock.Advance(2 * time.Hour)
	resp, body = f.revoke(t, f.m2m, "token", tok2)
	checkEmpty200(t, resp, body)
}

func TestRevokeAndIntrospectErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tok := f.issue(t, f.m2m)
	for _, path := range []string{"/oauth2/revoke", "/oauth2/introspect"} {
		tests := []struct {
			name      string
			req       request
			status    int
			code      string
			challenge string
		}{
			{"GET", request{method: "GET", ctype: "-"}, 405, "invalid_request", noChallenge},
			{"no token", request{header: map[string]string{"Authorization": basic(f.m2m.ID, f.m2m.secret())}, body: form("token_type_hint", "access_token")}, 400, "invalid_request", noChallenge},
			{"token twice", request{header: map[string]string{"Authorization": basic(f.m2m.ID, f.m2m.secret())}, body: form("token", tok, "token", tok)}, 400, "invalid_request", noChallenge},
			{"token in query", request{path: "?token=" + tok, header: map[string]string{"Authorization": basic(f.m2m.ID, f.m2m.secret())}}, 400, "invalid_request", noChallenge},
			{"JSON", request{ctype: "application/json", header: map[string]string{"Authorization": basic(f.m2m.ID, f.m2m.secret())}, body: `{"token":"` + tok + `"}`}, 400, "invalid_request", noChallenge},
			{"no client authentication", request{body: form("token", tok)}, 401, "invalid_client", basicChallenge},
			{"wrong secret, Basic", request{header: map[string]string{"Authorization": basic(f.m2m.ID, "x")}, body: form("token", tok)}, 401, "invalid_client", basicChallenge},
			{"wrong secret, body", request{body: form("token", tok, "client_id", f.m2m.ID, "client_secret", "x")}, 400, "invalid_client", noChallenge},
			{"unknown client, Basic", request{header: map[string]string{"Authorization": basic("nobody", "x")}, body: form("token", tok)}, 401, "invalid_client", basicChallenge},
			{"both methods", request{header: map[string]string{"Authorization": basic(f.m2m.ID, f.m2m.secret())}, body: form("token", tok, "client_secret", f.m2m.secret())}, 400, "invalid_request", noChallenge},
			{"another pool's client on this pool's host", request{host: pool1Host, header: map[string]string{"Authorization": basic(f.other.ID, f.other.secret())}, body: form("token", tok)}, 401, "invalid_client", basicChallenge},
		}
		for _, tt := range tests {
			t.Run(path+"/"+tt.name, func(t *testing.T) {
				tt.req.path = path + tt.req.path
				resp, body := f.do(tt.req)
				checkError(t, resp, body, tt.status, tt.code, tt.challenge)
			})
		}
	}
	// None of that revoked the token.
	if got := f.introspect(t, f.m2m, tok); got["active"] != true {
		t.Errorf("token: %v", got)
	}
}

// TestOversizedChunkedBody: a body of unknown length is cut off at the
// limit, not read to its end.
func TestOversizedChunkedBody(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, path := range []string{"/oauth2/token", "/oauth2/revoke", "/oauth2/introspect"} {
		body := io.MultiReader(strings.NewReader("grant_type=client_credentials&token=x&pad="), strings.NewReader(strings.Repeat("a", 1<<20)))
		r, err := http.NewRequest("POST", f.srv.URL+path, struct{ io.Reader }{body}) // hides the length: chunked
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := f.srv.Client().Do(r)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if r.ContentLength != 0 && r.ContentLength != -1 {
			t.Fatalf("request had a length: %d", r.ContentLength)
		}
		checkError(t, resp, b, 400, "invalid_request", noChallenge)
		if !strings.Contains(string(b), "64 KiB") {
			t.Errorf("%s: %s", path, b)
		}
	}
}
