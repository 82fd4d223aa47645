package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/tollgate/tollgate/internal/function/functest"
)

// TestDevSeedCurl runs `tollgate dev` as a newcomer would and runs the curl
// line it prints, verbatim, then verifies the token against the served JWKS.
func TestDevSeedCurl(t *testing.T) {
	needProgram(t, "curl")
	_, d := startDev(t, t.TempDir())
	if !strings.HasPrefix(d.TokenURL, "http://127.0.0.1:") {
		t.Errorf("token URL %q is not a loopback URL that needs no DNS", d.TokenURL)
	}
	if !regexp.MustCompile(`^us-east-1_[A-Za-z0-9]{9}$`).MatchString(d.PoolID) {
		t.Errorf("pool id %q does not look like Cognito's", d.PoolID)
	}
	if !regexp.MustCompile(`^[a-z0-9]{26}$`).MatchString(d.ClientID) {
		t.Errorf("client id %q does not look like Cognito's", d.ClientID)
	}
	out, err := exec.Command("bash", "-c", d.Curl+" --silent --show-error --include").CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	head, body, _ := strings.Cut(strings.ReplaceAll(string(out), "\r\n", "\n"), "\n\n")
	if !strings.HasPrefix(head, "HTTP/1.1 200") {
		t.Fatalf("curl got:\n%s", out)
	}
	for _, h := range []string{"Cache-Control: no-cache, no-store, max-age=0, must-revalidate", "Pragma: no-cache", "Content-Type: application/json;charset=UTF-8"} {
		if !strings.Contains(head, h) {
			t.Errorf("response lacks header %q:\n%s", h, head)
		}
	}
	var keys map[string]any
	if err := json.Unmarshal([]byte(body), &keys); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	got := make([]string, 0, len(keys))
	for k := range keys {
		got = append(got, k)
	}
	sort.Strings(got)
	if strings.Join(got, ",") != "access_token,expires_in,token_type" {
		t.Errorf("response keys = %v, want exactly access_token, expires_in, token_type", got)
	}
	if keys["token_type"] != "Bearer" || keys["expires_in"] != float64(3600) {
		t.Errorf("token_type/expires_in = %v/%v", keys["token_type"], keys["expires_in"])
	}
	c, all, _ := verify(t, d.Issuer, keys["access_token"].(string))
	if c.Sub != d.ClientID || c.ClientID != d.ClientID || c.TokenUse != "access" || c.Scope != "default/default" ||
		c.Iss != d.Issuer || c.Version != 2 || c.JTI == "" || c.AuthTime != c.Iat || c.Exp-c.Iat != 3600 {
		t.Errorf("claims = %+v", c)
	}
	if len(all) != 10 {
		t.Errorf("token has %d claims, want Cognito's 10: %v", len(all), all)
	}
}

// TestClientCredentialsLibrary gets tokens with golang.org/x/oauth2 in both
// client authentication styles, with and without an explicit scope, and
// checks a disallowed scope's invalid_scope error. TestOAuth2ClientCallsAPI
// calls an API through oauth2.Client.
func TestClientCredentialsLibrary(t *testing.T) {
	_, d := startDev(t, t.TempDir())
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		cc := clientcredentials.Config{ClientID: d.ClientID, ClientSecret: d.ClientSecret, TokenURL: d.TokenURL, AuthStyle: style}
		tok, err := cc.Token(ctxTimeout(t))
		if err != nil {
			t.Fatalf("auth style %d: %v", style, err)
		}
		if tok.TokenType != "Bearer" || tok.Expiry.Before(time.Now().Add(59*time.Minute)) {
			t.Errorf("auth style %d: token type %q, expiry %v", style, tok.TokenType, tok.Expiry)
		}
		c, _, _ := verify(t, d.Issuer, tok.AccessToken)
		if c.ClientID != d.ClientID {
			t.Errorf("client_id = %q", c.ClientID)
		}
		// With an explicit scope.
		cc.Scopes = []string{"default/default"}
		if _, err := cc.Token(ctxTimeout(t)); err != nil {
			t.Errorf("auth style %d with scope: %v", style, err)
		}
		cc.Scopes = []string{"default/other"}
		_, err = cc.Token(ctxTimeout(t))
		var re *oauth2.RetrieveError
		if !asRetrieveError(err, &re) || re.ErrorCode != "invalid_scope" {
			t.Errorf("auth style %d, disallowed scope: err = %v, want invalid_scope", style, err)
		}
	}
}

func asRetrieveError(err error, re **oauth2.RetrieveError) bool {
	return errors.As(err, re)
}

// TestTokenErrors covers the error contract over real HTTP.
func TestTokenErrors(t *testing.T) {
	_, d := startDev(t, t.TempDir())
	good := url.Values{"grant_type": {"client_credentials"}, "client_id": {d.ClientID}, "client_secret": {d.ClientSecret}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range good {
			f[kk] = append([]string{}, vv...)
		}
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	withAll := func(f url.Values, kv ...string) url.Values {
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	cases := []struct {
		name        string
		form        url.Values
		user, pass  string
		status      int
		code        string
		wantWWWAuth bool
	}{
		{"wrong secret in body", with("client_secret", "nope"), "", "", 400, "invalid_client", false},
		{"unknown client in body", with("client_id", "aaaaaaaaaaaaaaaaaaaaaaaaaa"), "", "", 400, "invalid_client", false},
		{"wrong secret by Basic", url.Values{"grant_type": {"client_credentials"}}, d.ClientID, "nope", 401, "invalid_client", true},
		{"unknown client by Basic", url.Values{"grant_type": {"client_credentials"}}, "aaaaaaaaaaaaaaaaaaaaaaaaaa", "x", 401, "invalid_client", true},
		{"no grant type", with("grant_type", ""), "", "", 400, "invalid_request", false},
		// Contract §1.3: a code or refresh token the server does not hold
		// is invalid_grant, the grant's parameter missing invalid_request;
		// the client authenticates first (RFC 6749 §4.1.3, §6).
		{"authorization_code without code", with("grant_type", "authorization_code"), "", "", 400, "invalid_request", false},
		{"authorization_code", withAll(with("grant_type", "authorization_code"), "code", "a-code"), "", "", 400, "invalid_grant", false},
		{"refresh_token without refresh_token", with("grant_type", "refresh_token"), "", "", 400, "invalid_request", false},
		{"refresh_token", withAll(with("grant_type", "refresh_token"), "refresh_token", "eyJjdHkiOiJKV1QifQ.a.b.c.d"), "", "", 400, "invalid_grant", false},
		{"refresh_token by Basic", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}, d.ClientID, d.ClientSecret, 400, "invalid_grant", false},
		{"refresh_token, wrong secret", withAll(with("grant_type", "refresh_token"), "client_secret", "nope", "refresh_token", "x"), "", "", 400, "invalid_client", false},
		{"password grant", with("grant_type", "password"), "", "", 400, "unsupported_grant_type", false},
		{"disallowed scope", with("scope", "default/admin"), "", "", 400, "invalid_scope", false},
		{"two auth methods", good, d.ClientID, d.ClientSecret, 400, "invalid_request", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := postForm(t, d.TokenURL, tc.form, tc.user, tc.pass)
			var e struct {
				Error string `json:"error"`
			}
			_ = json.Unmarshal(body, &e) // a body that is not JSON fails the check below, which shows it
			if resp.StatusCode != tc.status || e.Error != tc.code {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, body, tc.status, tc.code)
			}
			if got := resp.Header.Get("WWW-Authenticate") != ""; got != tc.wantWWWAuth {
				t.Errorf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
			}
			if strings.Contains(string(body), d.ClientSecret) {
				t.Error("the error echoes the secret")
			}
		})
	}
	// GET is refused with an RFC 6749 error.
	resp, err := http.Get(d.TokenURL + "?grant_type=client_credentials")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET: %s, Allow %q", resp.Status, resp.Header.Get("Allow"))
	}
	// JSON bodies are refused.
	req, _ := http.NewRequest(http.MethodPost, d.TokenURL, strings.NewReader(`{"grant_type":"client_credentials"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("JSON body: %s", resp.Status)
	}
}

// TestRestartKeepsIdentity stops dev and starts it again on the same data
// directory: the pool, client, secret and signing key stay the same.
func TestRestartKeepsIdentity(t *testing.T) {
	dir := t.TempDir()
	p1, d1 := startDev(t, dir)
	_, _, kid1 := verify(t, d1.Issuer, getToken(t, d1.TokenURL, d1.ClientID, d1.ClientSecret))
	p1.stop()
	_, d2 := startDev(t, dir)
	if d1.PoolID != d2.PoolID || d1.ClientID != d2.ClientID || d1.ClientSecret != d2.ClientSecret {
		t.Fatalf("identity changed across restart:\n%+v\n%+v", d1, d2)
	}
	_, _, kid2 := verify(t, d2.Issuer, getToken(t, d2.TokenURL, d2.ClientID, d2.ClientSecret))
	if kid1 != kid2 {
		t.Errorf("signing key changed across restart: %s → %s", kid1, kid2)
	}
}

// TestCLIWhileServing drives the administration commands against the store
// of a running server: a new client works at once, a second secret works,
// a deleted secret stops working, rotation switches the signing key while
// the old key stays published, and revocation shows in introspection.
func TestCLIWhileServing(t *testing.T) {
	dir := t.TempDir()
	_, d := startDev(t, dir)
	cli := func(args ...string) string {
		t.Helper()
		stdout, stderr, code := run(t, nil, append(args, "--data", dir)...)
		if code != 0 {
			t.Fatalf("tollgate %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout, stderr)
		}
		return stdout
	}

	// A client created by hand is usable at once.
	var created struct {
		ClientID      string `json:"ClientId"`
		ClientSecrets []struct {
			ID    string `json:"ClientSecretId"`
			Value string `json:"ClientSecretValue"`
		} `json:"ClientSecrets"`
	}
	if err := json.Unmarshal([]byte(cli("clients", "create", "--pool", "UserPool", "--name", "partner", "--scopes", "default/default", "--json")), &created); err != nil {
		t.Fatal(err)
	}
	secret1 := created.ClientSecrets[0].Value
	getToken(t, d.TokenURL, created.ClientID, secret1)

	// Listings know both clients; the config one is marked as such.
	var list []struct {
		ClientID  string `json:"ClientId"`
		ManagedBy string `json:"ManagedBy"`
	}
	unmarshal(t, cli("clients", "list", "--json"), &list)
	managed := map[string]string{}
	for _, c := range list {
		managed[c.ClientID] = c.ManagedBy
	}
	if managed[d.ClientID] != "config" || managed[created.ClientID] != "cli" {
		t.Errorf("clients list: %v", managed)
	}
	// The config's client cannot be deleted by hand.
	if _, stderr, code := run(t, nil, "clients", "delete", d.ClientID, "--data", dir); code == 0 || !strings.Contains(stderr, "config") {
		t.Errorf("deleting a config client: exit %d, %s", code, stderr)
	}

	// Rotation of secrets: both work, then the old one is deleted.
	var added struct {
		ID    string `json:"ClientSecretId"`
		Value string `json:"ClientSecretValue"`
	}
	unmarshal(t, cli("clients", "add-secret", created.ClientID, "--json"), &added)
	getToken(t, d.TokenURL, created.ClientID, secret1)
	getToken(t, d.TokenURL, created.ClientID, added.Value)
	if _, _, code := run(t, nil, "clients", "add-secret", created.ClientID, "--data", dir); code == 0 {
		t.Error("a third secret was accepted")
	}
	cli("clients", "delete-secret", created.ClientID, created.ClientSecrets[0].ID)
	functest.Eventually(t, "the deleted secret is refused", func() bool {
		resp, _ := postForm(t, d.TokenURL, url.Values{"grant_type": {"client_credentials"}, "client_id": {created.ClientID}, "client_secret": {secret1}}, "", "")
		return resp.StatusCode == http.StatusBadRequest
	})
	getToken(t, d.TokenURL, created.ClientID, added.Value)

	// describe --show-secret reveals the remaining secret.
	if out := cli("clients", "describe", created.ClientID, "--show-secret"); !strings.Contains(out, added.Value) {
		t.Errorf("describe --show-secret does not show the secret:\n%s", out)
	}
	if out := cli("clients", "describe", created.ClientID); strings.Contains(out, added.Value) {
		t.Errorf("describe without --show-secret shows the secret")
	}

	// Key rotation: the next key starts signing, the old one stays published.
	_, _, kidBefore := verify(t, d.Issuer, getToken(t, d.TokenURL, d.ClientID, d.ClientSecret))
	var keys []struct {
		Kid   string `json:"Kid"`
		State string `json:"State"`
	}
	unmarshal(t, cli("keys", "list", d.PoolID, "--json"), &keys)
	next := ""
	for _, k := range keys {
		if k.State == "next" {
			next = k.Kid
		}
	}
	if len(keys) != 2 || next == "" {
		t.Fatalf("keys before rotation: %+v", keys)
	}
	// The next key was published a moment ago: verifiers holding a cached
	// JWKS may not know it yet, so rotating needs --force.
	if _, stderr, code := run(t, nil, "keys", "rotate", "UserPool", "--data", dir); code == 0 || !strings.Contains(stderr, "--force") {
		t.Errorf("rotating onto a just-published key: exit %d, %s", code, stderr)
	}
	cli("keys", "rotate", "UserPool", "--force")
	functest.Eventually(t, "tokens are signed with the formerly next key", func() bool {
		_, _, kid := verify(t, d.Issuer, getToken(t, d.TokenURL, d.ClientID, d.ClientSecret))
		return kid == next
	})
	if set := fetchJWKS(t, d.Issuer+"/.well-known/jwks.json"); len(set.Key(kidBefore)) != 1 || len(set.Keys) != 3 {
		t.Errorf("after rotation the JWKS has %d keys; retired key published: %v", len(set.Keys), len(set.Key(kidBefore)) == 1)
	}

	// Revocation and introspection.
	tok := getToken(t, d.TokenURL, d.ClientID, d.ClientSecret)
	introspect := func() map[string]any {
		resp, body := postForm(t, strings.Replace(d.TokenURL, "/token", "/introspect", 1), url.Values{"token": {tok}}, d.ClientID, d.ClientSecret)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("introspect: %s %s", resp.Status, body)
		}
		var m map[string]any
		unmarshal(t, string(body), &m)
		return m
	}
	if m := introspect(); m["active"] != true || m["client_id"] != d.ClientID || m["scope"] != "default/default" {
		t.Errorf("introspect before revocation: %v", m)
	}
	resp, body := postForm(t, strings.Replace(d.TokenURL, "/token", "/revoke", 1), url.Values{"token": {tok}}, d.ClientID, d.ClientSecret)
	if resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Errorf("revoke: %s %q", resp.Status, body)
	}
	if m := introspect(); m["active"] != false || len(m) != 1 {
		t.Errorf("introspect after revocation: %v", m)
	}

	// Deleting a client makes its tokens inactive at once.
	tok = getToken(t, d.TokenURL, created.ClientID, added.Value)
	if m := introspect(); m["active"] != true {
		t.Fatalf("introspect the partner's token: %v", m)
	}
	cli("clients", "delete", created.ClientID)
	functest.Eventually(t, "a deleted client's token is inactive", func() bool { return introspect()["active"] == false })
}

// TestValidate runs `tollgate validate` on a good and a bad file.
func TestValidate(t *testing.T) {
	stdout, stderr, code := run(t, nil, "validate", "../examples/seed/tollgate.yaml")
	if code != 0 {
		t.Fatalf("seed example: exit %d\n%s%s", code, stdout, stderr)
	}
	bad := t.TempDir() + "/bad.yaml"
	writeFile(t, bad, `userPools:
  - id: P
    resourceServers:
      - identifier: api
        userPoolResourceServerName: API
        scopes: [{scopeName: read, scopeDescription: Read}]
    clients:
      - id: C
        generateSecret: true
        colour: blue
        oAuth:
          flows: {clientCredentials: true}
          scopes: [api/write]
        accessTokenValidity: 2d
`)
	_, stderr, code = run(t, nil, "validate", bad)
	if code != 2 {
		t.Errorf("bad file: exit %d, want 2\n%s", code, stderr)
	}
	for _, want := range []string{bad + ":10:", bad + ":13:", bad + ":14:"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("problems lack %q:\n%s", want, stderr)
		}
	}
}

// TestAuthDomainHost reaches the pool through its Cognito-style domain host.
func TestAuthDomainHost(t *testing.T) {
	_, d := startDev(t, t.TempDir())
	u, _ := url.Parse(d.TokenURL)
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://"+u.Host+"/.well-known/openid-configuration", nil)
	req.Host = "tollgate-seed.auth.us-east-1.localhost:" + u.Port()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var disc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&disc); err != nil {
		t.Fatal(err)
	}
	if disc["issuer"] != d.Issuer || disc["token_endpoint"] != "http://"+req.Host+"/oauth2/token" {
		t.Errorf("discovery on the auth domain: %v", disc)
	}
	// An unknown host has no root discovery document.
	req.Host = "nobody.auth.us-east-1.localhost"
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusNotFound {
		t.Errorf("unknown host: %s", resp2.Status)
	}
}

// TestMetricsOnAdminListener checks that token issues are counted on the
// admin listener and that metrics are not served on the public one.
func TestMetricsOnAdminListener(t *testing.T) {
	p, d := startDev(t, t.TempDir(), "--admin-listen", "127.0.0.1:0")
	admin := regexp.MustCompile(`Admin \(metrics, health\) on (\S+)`).FindStringSubmatch(p.Output())
	if admin == nil {
		t.Fatalf("no admin address printed:\n%s", p.Output())
	}
	getToken(t, d.TokenURL, d.ClientID, d.ClientSecret)
	getToken(t, d.TokenURL, d.ClientID, d.ClientSecret)
	postForm(t, d.TokenURL, url.Values{"grant_type": {"client_credentials"}, "client_id": {d.ClientID}, "client_secret": {"wrong"}}, "", "")
	if m := reAPIURL.FindStringSubmatch(p.Output()); m != nil {
		call(t, "GET", m[1]+"x", "Bearer garbage", nil)
	}
	resp, err := http.Get("http://" + admin[1] + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`tollgate_oauth2_requests_total{code="200",endpoint="token"} 2`, `tollgate_oauth2_requests_total{code="400",endpoint="token"} 1`,
		`code="401",method="ANY",resource="/{proxy+}",stage="prod"} 1`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	pub, err := http.Get(strings.Replace(d.TokenURL, "/oauth2/token", "/metrics", 1))
	if err != nil {
		t.Fatal(err)
	}
	pub.Body.Close()
	if pub.StatusCode == http.StatusOK {
		t.Error("metrics are served on the public listener")
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		r, err := http.Get("http://" + admin[1] + path)
		if err != nil || r.StatusCode != http.StatusOK {
			t.Errorf("admin %s: %v %v", path, r, err)
		}
		if r != nil {
			r.Body.Close()
		}
	}
}
