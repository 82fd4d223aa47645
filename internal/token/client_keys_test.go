package token_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate"
)

// TestJWKSURIRotation checks the cache of a jwks_uri: a set is fetched
// once and used for its max-age; a kid it does not hold makes it fetched
// again, at most once a minute (a client rotating its keys, RFC 7517 §5).
func TestJWKSURIRotation(t *testing.T) {
	f := newAuthFixture(t)
	rotated := newSigningKey(t, jose.ES256, "remote-2")
	steps := []struct {
		name    string
		advance time.Duration
		key     signingKey
		jwks    []jose.JSONWebKey // served from this step on, when set
		ok      bool
		fetches int // fetches so far
	}{
		{"first use fetches", 0, f.remote, nil, true, 1},
		{"cached", 0, f.remote, nil, true, 1},
		{"new kid, fetched a moment ago: not fetched again", 0, rotated, []jose.JSONWebKey{f.remote.jwk(), rotated.jwk()}, false, 1},
		{"new kid a minute later: fetched once", time.Minute, rotated, nil, true, 2},
		{"new kid cached", 0, rotated, nil, true, 2},
		{"unknown kid right after: not fetched", 0, signingKey{priv: rotated.priv, kid: "nope", alg: jose.ES256}, nil, false, 2},
		{"max-age (600 s) over: fetched again", 10 * time.Minute, rotated, nil, true, 3},
	}
	for _, s := range steps {
		f.clock.Advance(s.advance)
		if s.jwks != nil {
			f.jwks.set(jwksOf(t, s.jwks...), http.StatusOK)
		}
		resp, body := f.post(assertionForm(signAssertion(t, s.key, f.claims(f.remoteClient), nil)), nil)
		if ok := resp.StatusCode == http.StatusOK; ok != s.ok {
			t.Errorf("%s: answer %d %s, want ok %v", s.name, resp.StatusCode, body, s.ok)
		}
		if got := f.jwks.count(); got != s.fetches {
			t.Errorf("%s: %d fetches, want %d", s.name, got, s.fetches)
		}
	}
}

// TestJWKSURIConcurrentFetch checks that concurrent requests of a client
// whose keys are not cached fetch its jwks_uri once.
func TestJWKSURIConcurrentFetch(t *testing.T) {
	f := newAuthFixture(t)
	const n = 8
	bodies := make([]string, n)
	for i := range bodies {
		bodies[i] = assertionForm(signAssertion(t, f.remote, f.claims(f.remoteClient), nil))
	}
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Go(func() {
			r, err := http.NewRequest(http.MethodPost, f.srv.URL+"/oauth2/token", strings.NewReader(bodies[i]))
			if err != nil {
				t.Error(err)
				return
			}
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		})
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("request %d: %d", i, c)
		}
	}
	if got := f.jwks.count(); got != 1 {
		t.Errorf("%d fetches, want 1", got)
	}
}

// TestJWKSURIFailures checks that a client whose jwks_uri cannot be used
// is refused with the answer of any failed authentication.
func TestJWKSURIFailures(t *testing.T) {
	f := newAuthFixture(t)
	redirect := httptest.NewServer(http.RedirectHandler("https://elsewhere.test/jwks.json", http.StatusFound))
	t.Cleanup(redirect.Close)
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"keys":[` + strings.Repeat(" ", 300<<10) + `]}`))
	}))
	t.Cleanup(big.Close)
	tests := []struct {
		name, uri string
		status    int    // of the fixture's JWKS server, when uri is ""
		body      string // likewise
	}{
		{"server error", "", http.StatusInternalServerError, `{"keys":[]}`},
		{"not a JWKS", "", http.StatusOK, `<html>`},
		{"no usable key", "", http.StatusOK, `{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`},
		{"http to another host", "http://jwks.example.com/jwks.json", 0, ""},
		{"redirect elsewhere", redirect.URL, 0, ""},
		{"larger than MaxJWKSBytes", big.URL, 0, ""},
		{"nothing listening", "http://127.0.0.1:1/jwks.json", 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			uri := tc.uri
			if uri == "" {
				uri = f.jwks.srv.URL + "/" + strings.ReplaceAll(tc.name, " ", "-")
				f.jwks.set(tc.body, tc.status)
			}
			c := f.oauthClient(f.pool, "remote-"+strings.ReplaceAll(tc.name, " ", "-"),
				tollgate.ClientOAuth{AuthMethod: tollgate.AuthPrivateKeyJWT, JWKSURI: uri})
			resp, body := f.post(assertionForm(signAssertion(t, f.remote, f.claims(c), nil)), nil)
			wantOAuthError(t, resp, body, http.StatusBadRequest, "invalid_client")
			if string(body) != authFailed {
				t.Errorf("body %s, want %s", body, authFailed)
			}
		})
	}
}
