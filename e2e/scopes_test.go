package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// scopesConfig declares one pool whose resource servers define the given
// scopes, and a config client allowed default/default.
func scopesConfig(resourceServers string) string {
	return `region: us-east-1
userPools:
  - id: P
    resourceServers:
` + resourceServers + `    clients:
      - id: C
        userPoolClientName: c
        generateSecret: true
        oAuth:
          flows: {clientCredentials: true}
          scopes: [default/default]
`
}

// TestRemovedScopesAreNotIssued removes a scope and a whole resource server
// from the config while a client created by hand still names them: like
// Cognito after DeleteResourceServer, no token carries them any more, and
// the CLI shows them as undefined.
func TestRemovedScopesAreNotIssued(t *testing.T) {
	dir := t.TempDir()
	cfg := dir + "/tollgate.yaml"
	writeFile(t, cfg, scopesConfig(`      - identifier: default
        userPoolResourceServerName: Default
        scopes: [{scopeName: default, scopeDescription: d}, {scopeName: admin, scopeDescription: a}]
      - identifier: extra
        userPoolResourceServerName: Extra
        scopes: [{scopeName: all, scopeDescription: x}]
`))
	p, d := startDev(t, dir, "--config", cfg)
	stdout, stderr, code := run(t, nil, "clients", "create", "--pool", "P", "--name", "partner", "--scopes", "default/default,default/admin,extra/all", "--json", "--data", dir)
	if code != 0 {
		t.Fatalf("clients create: exit %d\n%s%s", code, stdout, stderr)
	}
	var created struct {
		ClientID      string `json:"ClientId"`
		ClientSecrets []struct {
			Value string `json:"ClientSecretValue"`
		} `json:"ClientSecrets"`
	}
	if err := json.Unmarshal([]byte(stdout), &created); err != nil {
		t.Fatal(err)
	}
	secret := created.ClientSecrets[0].Value
	claims, _, _ := verify(t, d.Issuer, getToken(t, d.TokenURL, created.ClientID, secret))
	if claims.Scope != "default/default default/admin extra/all" {
		t.Fatalf("before the removal: scope %q", claims.Scope)
	}
	p.stop()

	// default/admin and the whole extra resource server leave the config.
	writeFile(t, cfg, scopesConfig(`      - identifier: default
        userPoolResourceServerName: Default
        scopes: [{scopeName: default, scopeDescription: d}]
`))
	_, d = startDev(t, dir, "--config", cfg)
	claims, _, _ = verify(t, d.Issuer, getToken(t, d.TokenURL, created.ClientID, secret))
	if claims.Scope != "default/default" {
		t.Errorf("scope omitted after the removal: token scope %q, want default/default", claims.Scope)
	}
	for _, scope := range []string{"default/admin", "extra/all", "default/default extra/all"} {
		resp, body := postForm(t, d.TokenURL, url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}, created.ClientID, secret)
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(body, &e) // a body that is not JSON fails the check below, which shows it
		if resp.StatusCode != http.StatusBadRequest || e.Error != "invalid_scope" {
			t.Errorf("scope %q after the removal: %s %s, want 400 invalid_scope", scope, resp.Status, body)
		}
	}

	// The CLI keeps the reference and says it is not issued.
	stdout, stderr, code = run(t, nil, "clients", "describe", created.ClientID, "--json", "--data", dir)
	if code != 0 {
		t.Fatalf("clients describe: exit %d\n%s%s", code, stdout, stderr)
	}
	var described struct {
		Allowed   []string `json:"AllowedOAuthScopes"`
		Undefined []string `json:"UndefinedOAuthScopes"`
	}
	unmarshal(t, stdout, &described)
	if len(described.Allowed) != 3 || !slices.Equal(described.Undefined, []string{"default/admin", "extra/all"}) {
		t.Errorf("describe --json: allowed %v, undefined %v", described.Allowed, described.Undefined)
	}
	stdout, _, _ = run(t, nil, "clients", "list", "--data", dir)
	if !strings.Contains(stdout, "extra/all(undefined)") || strings.Contains(stdout, "default/default(undefined)") {
		t.Errorf("clients list does not flag the undefined scopes:\n%s", stdout)
	}
}
