package token_test

import (
	"net/url"
	"testing"
)

// TestAuthorizeRefuses checks that the authorization endpoint, which
// discovery advertises, refuses every request with unsupported_response_type
// and never redirects, whatever redirect_uri it is given.
func TestAuthorizeRefuses(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	q := url.Values{"response_type": {"code"}, "client_id": {f.m2m.ID}, "redirect_uri": {"https://attacker.example/cb"}, "scope": {"openid"}}
	for _, req := range []request{
		{method: "GET", path: "/oauth2/authorize?" + q.Encode(), ctype: "-"},
		{method: "GET", path: "/oauth2/authorize?response_type=token", ctype: "-"},
		{method: "GET", path: "/oauth2/authorize", ctype: "-"},
		{method: "POST", path: "/oauth2/authorize", body: q.Encode()},
	} {
		resp, body := f.do(req)
		checkError(t, resp, body, 400, "unsupported_response_type", noChallenge)
		if loc := resp.Header.Get("Location"); loc != "" {
			t.Errorf("%s %s redirects to %q", req.method, req.path, loc)
		}
	}
}
