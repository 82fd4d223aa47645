package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

var reServingAddr = regexp.MustCompile(`serving on (\S+) \(public URL (\S+)\)`)

// TestOneIssuerAcrossNodes starts two nodes on one PostgreSQL database with
// different --public-url values, as behind two names of one service: both
// issue tokens with the issuer the first one stored, so a token from either
// works at the other's gateway and introspection, and each node's discovery
// document names that issuer (OpenID Connect Discovery 1.0 §4.3: identical
// to the tokens' iss) with the node's own endpoints.
func TestOneIssuerAcrossNodes(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	dir := t.TempDir()
	env := []string{"TOLLGATE_DATABASE=" + dsn}
	keyArgs := []string{"--master-key-file", masterKeyFile(t, dir, "master.key"), "--data", dir}
	cfg := filepath.Join(dir, "tollgate.yaml")
	writeFile(t, cfg, "userPools:\n"+partnerPool("api/read", "read")+`restApis:
  - id: Api
    authorizers:
      - {id: Auth, cognitoUserPools: [Pool]}
    resources:
      - path: /items
        methods:
          - {httpMethod: GET, authorizer: Auth, authorizationScopes: [api/read], integration: {type: MOCK}}
`)
	publicURLs := []string{"http://node-one.test", "http://node-two.test"}
	addrs := make([]string, len(publicURLs))
	for i, pub := range publicURLs {
		args := append([]string{"serve", "--config", cfg, "--listen", "127.0.0.1:0", "--poll-interval", "100ms", "--public-url", pub}, keyArgs...)
		p := start(t, env, `^Tollgate is serving on`, args...)
		m := reServingAddr.FindStringSubmatch(p.Output())
		if m == nil || m[2] != pub {
			t.Fatalf("node %d printed %q", i, p.Output())
		}
		addrs[i] = "http://" + m[1]
	}
	id, secret, pool := partnerCreds(t, env, keyArgs...)
	issuer := publicURLs[0] + "/" + pool
	apiPath := "/apis/" + tollgate.RestAPIID("Api") + "/prod/items"

	for from := range addrs {
		tok := getToken(t, addrs[from]+"/oauth2/token", id, secret)
		if iss := issuerOf(t, tok); iss != issuer {
			t.Errorf("node %d issued iss %q, want the stored issuer %q", from, iss, issuer)
		}
		for at := range addrs {
			req, err := http.NewRequest(http.MethodGet, addrs[at]+apiPath, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			if resp, body := send(t, req); resp.StatusCode != http.StatusOK {
				t.Errorf("node %d's token at node %d's gateway: %s %s", from, at, resp.Status, body)
			}
			resp, body := postForm(t, addrs[at]+"/oauth2/introspect", url.Values{"token": {tok}}, id, secret)
			var in struct {
				Active bool   `json:"active"`
				Iss    string `json:"iss"`
			}
			if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &in) != nil || !in.Active {
				t.Errorf("node %d's token introspected at node %d: %s %s", from, at, resp.Status, body)
			}
		}
	}

	for i, addr := range addrs {
		resp, err := http.Get(addr + "/" + pool + "/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Issuer        string `json:"issuer"`
			TokenEndpoint string `json:"token_endpoint"`
		}
		err = json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		if err != nil || doc.Issuer != issuer || doc.TokenEndpoint != publicURLs[i]+"/oauth2/token" {
			t.Errorf("node %d's discovery document: issuer %q, token_endpoint %q (%v); want %q and its own endpoint", i, doc.Issuer, doc.TokenEndpoint, err, issuer)
		}
	}
}

// issuerOf returns a token's iss, unverified.
func issuerOf(t *testing.T, token string) string {
	t.Helper()
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("parse token: %v", err)
	}
	var c cognitoClaims
	if err := tok.UnsafeClaimsWithoutVerification(&c); err != nil {
		t.Fatal(err)
	}
	return c.Iss
}
