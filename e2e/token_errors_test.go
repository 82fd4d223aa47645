package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// errorsConfig has the seed's M2M client and a client with a secret that
// may not use client_credentials (no OAuth flow at all).
const errorsConfig = `region: us-east-1
userPools:
  - id: P
    resourceServers:
      - identifier: default
        userPoolResourceServerName: Default
        scopes: [{scopeName: default, scopeDescription: d}]
    clients:
      - id: M2M
        userPoolClientName: m2m
        generateSecret: true
        oAuth:
          flows: {clientCredentials: true}
          scopes: [default/default]
      - id: NoFlow
        userPoolClientName: no-flow
        generateSecret: true
`

// oauthError decodes an RFC 6749 §5.2 error body.
func oauthError(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Errorf("error body is not JSON: %q", body)
	}
	return e.Error
}

// TestTokenErrorCodes covers, over plain HTTP against the real binary, the
// error codes the other end-to-end tests do not: a duplicated parameter,
// a client with a secret but without the client_credentials flow, and the
// code (not only the status) of a JSON body and of a GET.
func TestTokenErrorCodes(t *testing.T) {
	dir := t.TempDir()
	cfg := dir + "/tollgate.yaml"
	writeFile(t, cfg, errorsConfig)
	_, d := startDev(t, dir, "--config", cfg)

	// The no-flow client's id and secret, from the CLI.
	stdout, stderr, code := run(t, nil, "clients", "list", "--json", "--data", dir)
	if code != 0 {
		t.Fatalf("clients list: exit %d\n%s", code, stderr)
	}
	var list []struct {
		ID   string `json:"ClientId"`
		Name string `json:"ClientName"`
	}
	unmarshal(t, stdout, &list)
	noFlowID := ""
	for _, c := range list {
		if c.Name == "no-flow" {
			noFlowID = c.ID
		}
	}
	if noFlowID == "" {
		t.Fatalf("no client named no-flow in %s", stdout)
	}
	stdout, stderr, code = run(t, nil, "clients", "describe", noFlowID, "--show-secret", "--json", "--data", dir)
	if code != 0 {
		t.Fatalf("clients describe: exit %d\n%s", code, stderr)
	}
	var described struct {
		Secrets []struct {
			Value string `json:"ClientSecretValue"`
		} `json:"ClientSecrets"`
	}
	unmarshal(t, stdout, &described)
	if len(described.Secrets) != 1 || described.Secrets[0].Value == "" {
		t.Fatalf("no-flow client has no revealed secret: %s", stdout)
	}
	noFlowSecret := described.Secrets[0].Value

	post := func(ctype, body string, basicUser, basicPass string) (*http.Response, []byte) {
		t.Helper()
		return post(t, d.TokenURL, ctype, body, basicUser, basicPass)
	}
	const formType = "application/x-www-form-urlencoded"
	creds := "client_id=" + url.QueryEscape(d.ClientID) + "&client_secret=" + url.QueryEscape(d.ClientSecret)
	cases := []struct {
		name        string
		ctype, body string
		user, pass  string
		status      int
		code        string
	}{
		{"duplicated grant_type", formType, "grant_type=client_credentials&grant_type=client_credentials&" + creds, "", "", 400, "invalid_request"},
		{"duplicated scope", formType, "grant_type=client_credentials&scope=default%2Fdefault&scope=default%2Fdefault&" + creds, "", "", 400, "invalid_request"},
		{"duplicated client_id", formType, "grant_type=client_credentials&client_id=" + url.QueryEscape(d.ClientID) + "&" + creds, "", "", 400, "invalid_request"},
		{"secret but no client_credentials flow, body", formType, "grant_type=client_credentials&client_id=" + noFlowID + "&client_secret=" + url.QueryEscape(noFlowSecret), "", "", 400, "unauthorized_client"},
		{"secret but no client_credentials flow, Basic", formType, "grant_type=client_credentials", noFlowID, noFlowSecret, 400, "unauthorized_client"},
		{"JSON body", "application/json", `{"grant_type":"client_credentials","client_id":"` + d.ClientID + `","client_secret":"` + d.ClientSecret + `"}`, "", "", 400, "invalid_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := post(tc.ctype, tc.body, tc.user, tc.pass)
			if got := oauthError(t, body); resp.StatusCode != tc.status || got != tc.code {
				t.Errorf("got %s %s, want %d %s", resp.Status, body, tc.status, tc.code)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if strings.Contains(string(body), d.ClientSecret) || strings.Contains(string(body), noFlowSecret) {
				t.Error("the error echoes a secret")
			}
		})
	}

	// GET is refused with 405, Allow: POST and an RFC 6749 body.
	resp, err := http.Get(d.TokenURL + "?grant_type=client_credentials&" + creds)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got := oauthError(t, body); resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" || got != "invalid_request" {
		t.Errorf("GET: %s, Allow %q, body %s; want 405, POST, invalid_request", resp.Status, resp.Header.Get("Allow"), body)
	}

	// The M2M client itself works, so the refusals above are about the
	// requests.
	getToken(t, d.TokenURL, d.ClientID, d.ClientSecret)
}
