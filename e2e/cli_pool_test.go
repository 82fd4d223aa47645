package e2e

import (
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCLIAloneMakesAWorkingPool goes from an empty data directory to a
// token with the CLI alone: a master key, a pool, a resource server with
// its scopes, a client given one of them, then serve; the client's printed
// secret gets a token that carries the scope. A resource server a config
// declares is read-only to the CLI.
func TestCLIAloneMakesAWorkingPool(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	key, _, code := run(t, nil, "master-key", "new")
	if code != 0 {
		t.Fatalf("master-key new: exit %d", code)
	}
	env := []string{"TOLLGATE_MASTER_KEY=" + strings.TrimSpace(key)}
	cli := func(args ...string) string {
		t.Helper()
		stdout, stderr, code := run(t, env, append(args, "--data", dir)...)
		if code != 0 {
			t.Fatalf("tollgate %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
		}
		return stdout
	}

	poolID := strings.TrimSpace(cli("pools", "create", "orders", "--region", "eu-west-1"))
	var rs struct {
		UserPoolID string `json:"UserPoolId"`
		Identifier string `json:"Identifier"`
		Scopes     []struct {
			ScopeName, ScopeDescription string
		}
	}
	unmarshal(t, cli("resource-servers", "create", "--pool", "orders", "--identifier", "https://orders.example.com",
		"--name", "Orders", "--scope", "read=Read orders", "--scope", "write", "--json"), &rs)
	if rs.UserPoolID != poolID || len(rs.Scopes) != 2 || rs.Scopes[0].ScopeDescription != "Read orders" || rs.Scopes[1].ScopeDescription != "write" {
		t.Fatalf("resource-servers create printed %+v", rs)
	}
	if out := cli("resource-servers", "list", "--pool", poolID); !strings.Contains(out, "https://orders.example.com/read https://orders.example.com/write") {
		t.Errorf("resource-servers list:\n%s", out)
	}
	var client struct {
		ClientID     string `json:"ClientId"`
		ClientSecret string `json:"ClientSecret"`
	}
	unmarshal(t, cli("clients", "create", "--pool", "orders", "--name", "worker", "--scopes", "https://orders.example.com/read", "--json"), &client)

	cfg := filepath.Join(t.TempDir(), "declared.yaml")
	writeFile(t, cfg, "userPools:\n"+partnerPool("api/read", "read"))
	srv := start(t, env, `^Tollgate is serving on`, "serve", "--data", dir, "--config", cfg, "--listen", "127.0.0.1:0", "--poll-interval", "100ms")
	m := regexp.MustCompile(`\(public URL (\S+)\)`).FindStringSubmatch(srv.Output())
	if m == nil {
		t.Fatalf("serve did not print its public URL:\n%s", srv.Output())
	}
	base := m[1]

	// RFC 6749 §4.4.2: the client's credentials, the scope of its pool.
	resp, body := postForm(t, base+"/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"https://orders.example.com/read"}}, client.ClientID, client.ClientSecret)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token: %s %s", resp.Status, body)
	}
	var tr tokenResponse
	unmarshal(t, string(body), &tr)
	claims, _, _ := verify(t, base+"/"+poolID, tr.AccessToken)
	if claims.Scope != "https://orders.example.com/read" || claims.ClientID != client.ClientID {
		t.Errorf("token claims: scope %q, client_id %q", claims.Scope, claims.ClientID)
	}
	// A scope the resource server does not define, or that the client was
	// not given, is refused (RFC 6749 §5.2 invalid_scope).
	resp, body = postForm(t, base+"/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"https://orders.example.com/write"}}, client.ClientID, client.ClientSecret)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "invalid_scope") {
		t.Errorf("a scope the client was not given: %s %s", resp.Status, body)
	}
	// tollgate token finds the secret itself.
	if tok := strings.TrimSpace(cli("token", "--client-id", client.ClientID, "--url", base)); tok == "" {
		t.Error("tollgate token printed no token")
	}

	// The config's resource server is refused to the CLI, saying where it
	// is declared; the hand-made one is the CLI's to change and delete.
	for _, args := range [][]string{
		{"resource-servers", "update", "--pool", "Pool", "--identifier", "api", "--scope", "other"},
		{"resource-servers", "delete", "--pool", "Pool", "--identifier", "api"},
	} {
		_, stderr, code := run(t, env, append(args, "--data", dir)...)
		if code == 0 || !strings.Contains(stderr, `is declared in config "declared"`) {
			t.Errorf("tollgate %s: exit %d, %s", strings.Join(args, " "), code, stderr)
		}
	}
	if out := cli("resource-servers", "describe", "--pool", "Pool", "--identifier", "api"); !strings.Contains(out, "api/read") || !strings.Contains(out, "config declared") {
		t.Errorf("the declared resource server changed or is not shown as the config's:\n%s", out)
	}
	cli("resource-servers", "update", "--pool", poolID, "--identifier", "https://orders.example.com", "--scope", "write")
	cli("resource-servers", "delete", "--pool", poolID, "--identifier", "https://orders.example.com")
	if out := cli("resource-servers", "list", "--pool", poolID); strings.Contains(out, "orders.example.com") {
		t.Errorf("a deleted resource server is listed:\n%s", out)
	}
}
