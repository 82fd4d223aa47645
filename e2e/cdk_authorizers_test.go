package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/tollgate/tollgate/internal/function/functest"
)

// cdkAuthorizersOut is the cloud assembly examples/cdk/synth.sh wrote from
// examples/cdk/authorizers/app.js.
const cdkAuthorizersOut = "../examples/cdk/authorizers/cdk.out"

var reAuthorizersAPI = regexp.MustCompile(`(?m)^\s+AuthorizersApiEndpoint\w+ \(here\) = (\S+)`)

// TestCDKAuthorizers runs the committed authorizers assembly as it is: a
// client credentials token carries the claims of the pool's V3_0 pre
// token generation trigger, and requests go through the API's TOKEN and
// REQUEST authorizers (CDK's TokenAuthorizer and RequestAuthorizer), whose
// Node.js function and the integration's come from the assembly's asset.
func TestCDKAuthorizers(t *testing.T) {
	needProgram(t, "node")
	if stdout, stderr, code := run(t, nil, "validate", "--template", cdkAuthorizersOut); code != 0 || !strings.Contains(stdout, ": ok") {
		t.Fatalf("validate: exit %d\n%s%s", code, stdout, stderr)
	}
	p, d := startDev(t, t.TempDir(), "--template", cdkAuthorizersOut)
	var apiURL string
	functest.Eventually(t, "the API's output", func() bool {
		m := reAuthorizersAPI.FindStringSubmatch(p.Output())
		if m != nil {
			apiURL = m[1]
		}
		return m != nil
	})

	// The trigger's claims, with the tenant from aws_client_metadata
	// (apigw-beyond.md §2), in a token that verifies with the pool's JWKS.
	cc := clientcredentials.Config{ClientID: d.ClientID, ClientSecret: d.ClientSecret, TokenURL: d.TokenURL,
		EndpointParams: url.Values{"aws_client_metadata": {`{"tenant":"acme"}`}}}
	tok, err := cc.Token(ctxTimeout(t))
	if err != nil {
		t.Fatalf("token: %v\n%s", err, p.Logs())
	}
	c, all, _ := verify(t, d.Issuer, tok.AccessToken)
	for k, v := range map[string]any{
		"tenant": "acme", "plan": "gold", "quota": 1000.0, "beta": true,
		"features": []any{"reports", "export"}, "limits": map[string]any{"rps": 10.0, "burst": 20.0},
	} {
		if !reflect.DeepEqual(all[k], v) {
			t.Errorf("claim %s = %#v, want %#v (from the trigger)", k, all[k], v)
		}
	}
	if c.ClientID != d.ClientID || c.Scope != "orders/read" || c.TokenUse != "access" {
		t.Errorf("token claims %+v", c)
	}

	get := func(path string, hdr map[string]string) (*http.Response, []byte) {
		t.Helper()
		return call(t, "GET", strings.TrimSuffix(apiURL, "/")+path, "", hdr)
	}
	decided := func(what, path string, hdr map[string]string) map[string]any {
		t.Helper()
		resp, body := get(path, hdr)
		var got struct {
			Path       string
			Authorizer map[string]any
		}
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &got) != nil {
			t.Fatalf("%s: %s %s, want 200\n%s", what, resp.Status, body, p.Logs())
		}
		return got.Authorizer
	}

	// TOKEN: the function's decision and context reach the integration,
	// the context's values as strings (§1.3).
	a := decided("TOKEN allow", "/token", map[string]string{"Authorization": "Bearer allow-alice"})
	checkedAt, _ := a["checkedAt"].(string)
	if a["principalId"] != "alice" || a["caller"] != "alice" || !regexp.MustCompile(`^[0-9]+$`).MatchString(checkedAt) {
		t.Errorf("TOKEN authorizer's decision in the event: %v", a)
	}
	resp, body := get("/token", map[string]string{"Authorization": "Bearer deny-bob"})
	wantAnswer(t, "TOKEN deny", resp, body, http.StatusForbidden, authExplicitDeny, "AccessDeniedException")
	for what, hdr := range map[string]map[string]string{
		"no token":                  nil,
		"a token the regex refuses": {"Authorization": "Basic YWxpY2U6cHc="},
		`a token the function refuses (Unauthorized)`: {"Authorization": "Bearer nobody"},
	} {
		resp, body := get("/token", hdr)
		wantAnswer(t, "TOKEN "+what, resp, body, http.StatusUnauthorized, authUnauthorized, "UnauthorizedException")
	}

	// REQUEST: the tenant header and the key query string parameter are
	// its identity sources.
	a = decided("REQUEST allow", "/tenant?key=k1", map[string]string{"X-Tenant": "acme"})
	if a["principalId"] != "tenant-acme" || a["tenant"] != "acme" || a["key"] != "k1" {
		t.Errorf("REQUEST authorizer's decision in the event: %v", a)
	}
	resp, body = get("/tenant?key=k1", map[string]string{"X-Tenant": "initech"})
	wantAnswer(t, "REQUEST, a tenant not allowed", resp, body, http.StatusForbidden, authExplicitDeny, "AccessDeniedException")
	resp, body = get("/tenant", map[string]string{"X-Tenant": "acme"})
	wantAnswer(t, "REQUEST without key", resp, body, http.StatusUnauthorized, authUnauthorized, "UnauthorizedException")
}
