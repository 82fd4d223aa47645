package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/limit/limittest"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// dpopNodesConfig is a pool issuing DPoP-bound tokens to its one client
// and an API whose GET /bound accepts only DPoP-bound tokens.
const dpopNodesConfig = `region: us-east-1
userPools:
  - id: Pool
    dpop: {}
    resourceServers:
      - identifier: api
        userPoolResourceServerName: API
        scopes: [{scopeName: read, scopeDescription: Read}]
    clients:
      - id: Bound
        generateSecret: true
        dpopBoundAccessTokens: true
        oAuth: {flows: {clientCredentials: true}, scopes: [api/read]}
restApis:
  - id: Api
    deployOptions: {stageName: prod}
    authorizers:
      - {id: Auth, type: COGNITO_USER_POOLS, cognitoUserPools: [Pool]}
    resources:
      - path: /bound
        methods:
          - {httpMethod: GET, authorizer: Auth, authorizationScopes: [api/read], requireBinding: dpop,
             integration: {type: MOCK, body: '{"ok":true}'}}
`

// The URL both nodes are reached at, their --public-url, as a
// TLS-terminating proxy would tell them (X-Forwarded-Proto and -Host from a
// --trusted-proxy address): a proof's htu names it, whichever node receives
// the proof. A forwarded host the nodes do not own would not count.
const (
	dpopNodesHost   = "api.tollgate.test"
	dpopNodesOrigin = "https://" + dpopNodesHost
)

// TestDPoPProofReplayedToAnotherNode checks that the DPoP replay cache is
// shared by the nodes through --redis (RFC 9449 §11.1: a proof is used
// once, whichever node sees it): a proof accepted by one node is refused
// by the other, which accepts a fresh proof of the same token.
func TestDPoPProofReplayedToAnotherNode(t *testing.T) {
	redisURL := limittest.RedisURL(t)
	key, _, code := run(t, nil, "master-key", "new")
	if code != 0 {
		t.Fatal("master-key new failed")
	}
	env := []string{"TOLLGATE_MASTER_KEY=" + strings.TrimSpace(key), "TOLLGATE_DATABASE=" + storetest.PostgresDSN(t)}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "dpop.yaml")
	writeFile(t, cfg, dpopNodesConfig)
	// One issuer for both nodes (stored by the first), so that each
	// node's authorizer accepts the other's tokens.
	args := []string{"serve", "--config", cfg, "--listen", "127.0.0.1:0", "--data", dir, "--log-level", "warn",
		"--redis", redisURL, "--issuer-url", "http://issuer.tollgate.test", "--trusted-proxy", "127.0.0.1/32",
		"--public-url", dpopNodesOrigin}
	nodes := make([]*proc, 2)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Go(func() { nodes[i] = start(t, env, `^Tollgate is serving on`, args...) })
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	var urls []string
	for _, p := range nodes {
		urls = append(urls, "http://"+reServingOn.FindStringSubmatch(p.Output())[1])
	}
	clientID, secret, _ := partnerCreds(t, env, "--data", dir)

	// request sends a request to a node as the proxy would pass it on.
	request := func(node int, method, path string, body url.Values, header map[string]string) (*http.Response, []byte) {
		t.Helper()
		var rd *strings.Reader
		if body != nil {
			rd = strings.NewReader(body.Encode())
		} else {
			rd = strings.NewReader("")
		}
		req, err := http.NewRequest(method, urls[node]+path, rd)
		if err != nil {
			t.Fatal(err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.Header.Set("X-Forwarded-Proto", "https")
		req.Header.Set("X-Forwarded-Host", dpopNodesHost)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		return send(t, req)
	}

	k := newDPoPKey(t)
	resp, body := request(0, http.MethodPost, "/oauth2/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {clientID}, "client_secret": {secret}},
		map[string]string{"DPoP": k.proof(t, http.MethodPost, dpopNodesOrigin+"/oauth2/token", "")})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token: %s %s", resp.Status, body)
	}
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		t.Fatal(err)
	}
	if tr.TokenType != tollgate.TokenTypeDPoP {
		t.Fatalf("token_type = %q, want DPoP (RFC 9449 §5)", tr.TokenType)
	}

	path := "/apis/" + tollgate.RestAPIID("Api") + "/prod/bound"
	call := func(node int, proof string) (*http.Response, []byte) {
		t.Helper()
		return request(node, http.MethodGet, path, nil, map[string]string{"Authorization": "DPoP " + tr.AccessToken, "DPoP": proof})
	}
	p := k.proof(t, http.MethodGet, dpopNodesOrigin+path, tr.AccessToken)
	if resp, body := call(0, p); resp.StatusCode != http.StatusOK {
		t.Fatalf("node 1, a fresh proof: %s %s %s", resp.Status, wwwAuthenticate(resp), body)
	}
	resp, body = call(1, p)
	if resp.StatusCode != http.StatusUnauthorized || string(body) != apiGatewayUnauthorized ||
		challengeError(wwwAuthenticate(resp), "DPoP") != "invalid_dpop_proof" {
		t.Errorf("node 2, the proof node 1 accepted: %s %s WWW-Authenticate %q, want 401 invalid_dpop_proof", resp.Status, body, wwwAuthenticate(resp))
	}
	if resp, body := call(1, k.proof(t, http.MethodGet, dpopNodesOrigin+path, tr.AccessToken)); resp.StatusCode != http.StatusOK {
		t.Errorf("node 2, a fresh proof of the same token: %s %s %s", resp.Status, wwwAuthenticate(resp), body)
	}
}
