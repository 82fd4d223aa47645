package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2/clientcredentials"
)

// preTokenConfig declares a pool whose pre token generation trigger is a
// V3_0 function of testdata/pretoken, and a pool whose trigger is V2_0
// (a function that always fails: Cognito does not invoke a V2_0 trigger
// for client credentials). Argument: the functions' code directory.
const preTokenConfig = `region: us-east-1
functions:
  - {id: TokenFn, runtime: nodejs22.x, handler: index.handler, code: "%[1]s", timeout: 3s}
  - {id: NeverFn, runtime: nodejs22.x, handler: index.alwaysFails, code: "%[1]s", timeout: 3s}
userPools:
  - id: Pool
    lambdaTriggers:
      preTokenGeneration: {function: TokenFn, lambdaVersion: V3_0}
    resourceServers:
      - identifier: api
        userPoolResourceServerName: API
        scopes: [{scopeName: read, scopeDescription: Read}, {scopeName: write, scopeDescription: Write}, {scopeName: admin, scopeDescription: Admin}]
    clients:
      - id: Partner
        generateSecret: true
        oAuth: {flows: {clientCredentials: true}, scopes: [api/read, api/write]}
  - id: V2Pool
    lambdaTriggers:
      preTokenGeneration: {function: NeverFn, lambdaVersion: V2_0}
    resourceServers:
      - identifier: api
        userPoolResourceServerName: API
        scopes: [{scopeName: read, scopeDescription: Read}]
    clients:
      - id: Other
        generateSecret: true
        oAuth: {flows: {clientCredentials: true}, scopes: [api/read]}
`

// scopeSet returns a token's scope claim as a sorted list.
func scopeSet(scope any) []string {
	s, _ := scope.(string)
	out := strings.Fields(s)
	slices.Sort(out)
	return out
}

// TestPreTokenGenerationTrigger gets client credentials tokens with
// golang.org/x/oauth2 from a pool whose V3_0 trigger is a Node.js
// function (apigw-beyond.md §2): the claims it adds are in the token,
// which verifies with the pool's JWKS; the scopes it adds and suppresses
// are its scope; aws_client_metadata reaches it; a failing trigger gets
// no token; a V2_0 trigger does not run for client credentials.
func TestPreTokenGenerationTrigger(t *testing.T) {
	needProgram(t, "node")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "tollgate.yaml")
	writeFile(t, cfg, fmt.Sprintf(preTokenConfig, testdata(t, "pretoken")))
	p, d := startDev(t, t.TempDir(), "--config", cfg)
	out := p.Output()
	creds := reClientCreds.FindAllStringSubmatch(out, -1)
	issuers := reIssuer.FindAllStringSubmatch(out, -1)
	if len(creds) != 2 || len(issuers) != 2 {
		t.Fatalf("dev printed %d clients and %d issuers, want 2 and 2:\n%s", len(creds), len(issuers), out)
	}
	partner, partnerSecret := creds[0][1], creds[0][2]
	other, otherSecret := creds[1][1], creds[1][2]
	issuer := issuers[0][1]
	poolID := issuer[strings.LastIndexByte(issuer, '/')+1:]

	// aws_client_metadata, a JSON object in the token request's form,
	// reaches the trigger as request.clientMetadata (§2: D token endpoint
	// page, only for V3_0 and client_credentials).
	cc := clientcredentials.Config{ClientID: partner, ClientSecret: partnerSecret, TokenURL: d.TokenURL,
		EndpointParams: url.Values{"aws_client_metadata": {`{"tenant":"acme","region":"eu"}`}}}
	tok, err := cc.Token(ctxTimeout(t))
	if err != nil {
		t.Fatalf("token with the trigger: %v\n%s", err, p.Logs())
	}
	c, all, _ := verify(t, issuer, tok.AccessToken)
	want := map[string]any{
		// Values of every type a V2/V3 trigger may return (§2: D
		// pre-token page, "string, number, boolean, arrays, JSON").
		"tenant":          "acme",
		"client_metadata": map[string]any{"tenant": "acme", "region": "eu"},
		"plan":            "gold",
		"quota":           42.0,
		"beta":            true,
		"features":        []any{"reports", 1.0, true},
		"limits":          map[string]any{"rps": 10.0, "nested": map[string]any{"burst": 20.0}},
		// The event (§2: E DT3): version "3" while the config says V3_0,
		// the client credentials trigger source, the pool, the client.
		"event_version": "3",
		"event_trigger": "TokenGeneration_ClientCredentials",
		"event_pool":    poolID,
		"event_region":  "us-east-1",
		"event_client":  partner,
	}
	for k, v := range want {
		if !reflect.DeepEqual(all[k], v) {
			t.Errorf("claim %s = %#v, want %#v", k, all[k], v)
		}
	}
	// request.scopes are the scopes being granted (§2: E DT3).
	var eventScopes []string
	for _, s := range all["event_scopes"].([]any) {
		eventScopes = append(eventScopes, s.(string))
	}
	slices.Sort(eventScopes)
	if !slices.Equal(eventScopes, []string{"api/read", "api/write"}) {
		t.Errorf("the trigger was given scopes %v, want api/read and api/write", all["event_scopes"])
	}
	// scopesToAdd and scopesToSuppress change the token's scope; what
	// Cognito sets stays (§2: E DT3 response).
	if got := scopeSet(all["scope"]); !slices.Equal(got, []string{"api/admin", "api/read"}) {
		t.Errorf("scope = %q, want api/read and api/admin (api/write suppressed)", all["scope"])
	}
	if c.ClientID != partner || c.TokenUse != "access" || c.Iss != issuer || c.Sub != partner || c.JTI == "" {
		t.Errorf("Cognito's claims changed: %+v", c)
	}

	// Without metadata, request.clientMetadata is empty; a scope asked
	// for is what the trigger is given.
	cc.EndpointParams, cc.Scopes = nil, []string{"api/read"}
	tok, err = cc.Token(ctxTimeout(t))
	if err != nil {
		t.Fatalf("token without metadata: %v", err)
	}
	_, all, _ = verify(t, issuer, tok.AccessToken)
	if all["tenant"] != "none" || !reflect.DeepEqual(all["client_metadata"], map[string]any{}) ||
		!reflect.DeepEqual(all["event_scopes"], []any{"api/read"}) || !slices.Equal(scopeSet(all["scope"]), []string{"api/admin", "api/read"}) {
		t.Errorf("without metadata, scope api/read: tenant %v, client_metadata %v, event_scopes %v, scope %v",
			all["tenant"], all["client_metadata"], all["event_scopes"], all["scope"])
	}

	form := func(metadata string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "aws_client_metadata": {metadata}}
	}
	// Claims Cognito protects are never the trigger's to change (§2,
	// protected claims, U: whether Cognito refuses the token or ignores
	// the attempt is unverified; either keeps them).
	resp, body := postForm(t, d.TokenURL, form(`{"mode":"protected"}`), partner, partnerSecret)
	if resp.StatusCode == http.StatusOK {
		var tr tokenResponse
		if err := json.Unmarshal(body, &tr); err != nil {
			t.Fatal(err)
		}
		c, all, _ := verify(t, issuer, tr.AccessToken)
		if c.ClientID != partner || c.Iss != issuer || c.TokenUse != "access" || c.Sub != partner || c.JTI == "" ||
			c.Exp == 4102444800 || c.Exp-c.Iat > 86400 || !slices.Equal(scopeSet(all["scope"]), []string{"api/read", "api/write"}) {
			t.Errorf("the trigger changed protected claims: %v", all)
		}
	} else {
		wantTokenRefused(t, "protected claims", resp, body)
	}

	// A trigger that fails: no token (§2, U: the exact status and error
	// code are unverified).
	resp, body = postForm(t, d.TokenURL, form(`{"mode":"fail"}`), partner, partnerSecret)
	wantTokenRefused(t, "failing trigger", resp, body)
	cc.EndpointParams = url.Values{"aws_client_metadata": {`{"mode":"fail"}`}}
	if _, err := cc.Token(ctxTimeout(t)); err == nil {
		t.Error("golang.org/x/oauth2 got a token from a pool whose trigger fails")
	}

	// A V2_0 trigger does not run for client credentials tokens (§2: D
	// pre-token page, only V3_0 applies to M2M); its function would fail.
	otherTok := getToken(t, d.TokenURL, other, otherSecret)
	_, all, _ = verify(t, issuers[1][1], otherTok)
	if _, has := all["tenant"]; has || all["client_id"] != other {
		t.Errorf("a V2_0 trigger changed a client credentials token: %v", all)
	}
}

// wantTokenRefused checks that the token endpoint gave no token: an error
// status and an OAuth error body (RFC 6749 §5.2) without access_token.
func wantTokenRefused(t *testing.T, what string, resp *http.Response, body []byte) {
	t.Helper()
	var e map[string]any
	if resp.StatusCode < 400 || json.Unmarshal(body, &e) != nil || e["error"] == nil || e["access_token"] != nil {
		t.Errorf("%s: %s %s, want an OAuth error and no token", what, resp.Status, body)
	}
}
