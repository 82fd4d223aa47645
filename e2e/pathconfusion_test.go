package e2e

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startNginx runs a real nginx on a loopback port as the upstream of an
// API: it answers "public" under /public/ and "admin" under /admin/, after
// its own decoding and normalization of the path (it decodes %2F and
// resolves dot segments, as many upstreams do).
func startNginx(t *testing.T) string {
	t.Helper()
	addr := freeAddr(t)
	runNginx(t, addr, "", `    location /public/ { return 200 "public $uri"; }
    location /admin/  { return 200 "admin $uri"; }
    location /        { return 404 "other $uri"; }`)
	return addr
}

// rawGet sends a request line exactly as given (no client normalization)
// and returns the status and body.
func rawGet(t *testing.T, addr, host, target string, hdr ...string) (int, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		t.Fatal(err)
	}
	req := "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n"
	for _, h := range hdr {
		req += h + "\r\n"
	}
	if _, err := io.WriteString(c, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestPathConfusion: an open route must not lead to an upstream path that
// an authorized route guards, whatever the spelling of the path: neither
// by dot segments nor by a spelling that routes to the open catch-all but
// that the upstream decodes back to the guarded path. The upstream is
// nginx, which decodes and normalizes paths itself.
func TestPathConfusion(t *testing.T) {
	up := startNginx(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "tollgate.yaml")
	writeFile(t, cfg, "userPools:\n"+partnerPool("api/admin", "admin")+`restApis:
  - id: Api
    authorizers: [{id: Auth, cognitoUserPools: [Pool]}]
    resources:
      - path: /public/{proxy+}
        methods:
          - {httpMethod: ANY, integration: {type: HTTP_PROXY, uri: "http://`+up+`/public/{proxy}"}}
      - path: /admin/{proxy+}
        methods:
          - {httpMethod: ANY, authorizer: Auth, authorizationScopes: [api/admin], integration: {type: HTTP_PROXY, uri: "http://`+up+`/admin/{proxy}"}}
      - path: /{proxy+}
        methods:
          - {httpMethod: ANY, integration: {type: HTTP_PROXY, uri: "http://`+up+`/{proxy}"}}
`)
	p, d := startDev(t, dir, "--config", cfg)
	apiURL := reAPIURL.FindStringSubmatch(p.Output())[1]
	u, err := url.Parse(apiURL)
	if err != nil {
		t.Fatal(err)
	}
	addr, prefix := u.Host, u.Path // prefix: /apis/{id}/prod/

	// The routes work as declared.
	if code, body := rawGet(t, addr, addr, prefix+"public/x"); code != 200 || body != "public /public/x" {
		t.Fatalf("open route: %d %q", code, body)
	}
	if code, _ := rawGet(t, addr, addr, prefix+"admin/x"); code != 401 {
		t.Fatalf("guarded route without a token: %d", code)
	}
	tok := getToken(t, d.TokenURL, d.ClientID, d.ClientSecret)
	if code, body := rawGet(t, addr, addr, prefix+"admin/x", "Authorization: Bearer "+tok); code != 200 || body != "admin /admin/x" {
		t.Fatalf("guarded route with a token: %d %q", code, body)
	}

	// Every spelling of "go up to /admin" through an open route.
	for _, attack := range []string{
		"public/../admin/x", "public/./../admin/x", "public/%2e%2e/admin/x", "public/%2E%2E/admin/x",
		"public/.%2e/admin/x", "public/..%2fadmin/x", "public/..%2Fadmin/x", "public/%2e%2e%2fadmin/x",
		"public/..%5cadmin/x", "public/..%5Cadmin/x", "public/%252e%252e%252fadmin/x", "public/..;/admin/x",
		"public/%c0%ae%c0%ae/admin/x", "..%2fadmin/x", "%2e%2e/admin/x", "x/..%2f..%2fadmin/x",
		"%61dmin/x", "%61%64%6d%69%6e/x", "public/x/..%2f..%2f..%2fadmin/x", "public%2f..%2fadmin/x",
		"public/x%00/../../admin/x",
		// Through the open catch-all, a spelling of the guarded path that
		// routes differently but nginx decodes back to /admin/x.
		"admin%2Fx", "admin%2fx", "%61dmin%2Fx", "admin%2F%2Fx", "admin%252Fx", "admin%5Cx",
		"public/%f0%80%80%ae%f0%80%80%ae/admin/x", "public/..%e0%80%afadmin/x",
	} {
		code, body := rawGet(t, addr, addr, prefix+attack)
		if strings.HasPrefix(body, "admin") {
			t.Errorf("GET %s%s without a token reached the guarded upstream: %d %q", prefix, attack, code, body)
		}
	}
	// A parameter holding an encoded slash still works where it cannot
	// reach another route: the open routes' upstream paths decode to
	// /public/….
	if code, body := rawGet(t, addr, addr, prefix+"public/a%2Fb"); code != 200 || body != "public /public/a/b" {
		t.Errorf("public/a%%2Fb: %d %q", code, body)
	}
	// An encoded unreserved character is the same path: "%61dmin" is
	// "admin", and gets the guarded route's answer.
	if code, _ := rawGet(t, addr, addr, prefix+"%61dmin/x"); code != 401 {
		t.Errorf("%%61dmin/x without a token: %d, want 401 (the /admin route)", code)
	}
}
