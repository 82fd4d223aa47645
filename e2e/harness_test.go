package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/tollgate/tollgate/internal/function/functest"
)

// binary is the tollgate binary built once for all tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tollgate-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "tollgate")
	build := exec.Command("go", "build", "-o", binary, "../cmd/tollgate")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build tollgate:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running tollgate process.
type proc struct {
	t       *testing.T
	cmd     *exec.Cmd
	mu      sync.Mutex
	out     strings.Builder // stdout so far
	errOut  strings.Builder // stderr (logs) so far
	done    chan struct{}
	waitErr error
}

// Output returns what the process printed on stdout so far.
func (p *proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// Logs returns what the process printed on stderr so far.
func (p *proc) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.errOut.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *strings.Builder
}

func (w lockedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(b)
}

// start runs tollgate with args and waits until stdout has a line matching
// ready. The process is stopped with SIGTERM at cleanup, and must exit 0.
func start(t *testing.T, env []string, ready string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	p := &proc{t: t, cmd: cmd, done: make(chan struct{})}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = lockedWriter{&p.mu, &p.errOut}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	readyc := make(chan struct{})
	go func() {
		re := regexp.MustCompile(ready)
		sc := bufio.NewScanner(stdout)
		signalled := false
		for sc.Scan() {
			p.mu.Lock()
			p.out.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			if !signalled && re.MatchString(sc.Text()) {
				signalled = true
				close(readyc)
			}
		}
		_, _ = io.Copy(io.Discard, stdout) // after a line too long to scan: keep the pipe drained
	}()
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	select {
	case <-readyc:
	case <-p.done:
		t.Fatalf("tollgate %s exited before it was ready: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), p.waitErr, p.Output(), p.Logs())
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill() // the test fails here whatever Kill says
		t.Fatalf("tollgate %s was not ready within a minute\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), p.Output(), p.Logs())
	}
	t.Cleanup(func() { p.stop() })
	return p
}

// stop sends SIGTERM and requires a clean exit.
func (p *proc) stop() {
	select {
	case <-p.done:
	default:
		// It may have exited since the check above: waitErr below tells how.
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill() // the test fails below whatever Kill says
			<-p.done
			p.t.Errorf("tollgate did not stop within 30 s of SIGTERM")
		}
	}
	if p.waitErr != nil {
		p.t.Errorf("tollgate exited with %v\nstderr:\n%s", p.waitErr, p.Logs())
	}
}

// run runs a tollgate command to completion and returns stdout, stderr and
// the exit code.
func run(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

// devInfo is what `tollgate dev` printed.
type devInfo struct {
	TokenURL, Issuer, PoolID, ClientID, ClientSecret, Curl string
}

var (
	reTokenURL = regexp.MustCompile(`(?m)^Token URL:\s+(\S+)`)
	reIssuer   = regexp.MustCompile(`(?m)^\s+Issuer:\s+(\S+)`)
	reClientID = regexp.MustCompile(`(?m)^\s+Client id:\s+(\S+)`)
	reSecret   = regexp.MustCompile(`(?m)^\s+Client secret:\s+(\S+)`)
	reCurl     = regexp.MustCompile(`(?ms)^(curl -X POST .*?client_secret=[^"]*")`)
)

func parseDev(t *testing.T, out string) devInfo {
	t.Helper()
	var d devInfo
	for _, f := range []struct {
		re  *regexp.Regexp
		dst *string
	}{{reTokenURL, &d.TokenURL}, {reIssuer, &d.Issuer}, {reClientID, &d.ClientID}, {reSecret, &d.ClientSecret}, {reCurl, &d.Curl}} {
		m := f.re.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("dev output lacks %s:\n%s", f.re, out)
		}
		*f.dst = m[1]
	}
	d.PoolID = d.Issuer[strings.LastIndexByte(d.Issuer, '/')+1:]
	return d
}

// startDev runs `tollgate dev` on a free port with its own data directory.
func startDev(t *testing.T, dataDir string, extra ...string) (*proc, devInfo) {
	t.Helper()
	args := append([]string{"dev", "--data", dataDir, "--listen", "127.0.0.1:0", "--poll-interval", "100ms"}, extra...)
	p := start(t, nil, `^Stop with Ctrl-C`, args...)
	return p, parseDev(t, p.Output())
}

// tokenResponse is the token endpoint's success body.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
	TokenType   string `json:"token_type"`
}

// postForm posts a form with optional Basic credentials.
func postForm(t *testing.T, u string, form url.Values, basicUser, basicPass string) (*http.Response, []byte) {
	t.Helper()
	return post(t, u, "application/x-www-form-urlencoded", form.Encode(), basicUser, basicPass)
}

// post POSTs body as ctype to u, with HTTP Basic credentials unless
// basicUser is "", and returns the response and its body.
func post(t *testing.T, u, ctype, body, basicUser, basicPass string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	if basicUser != "" {
		req.SetBasicAuth(basicUser, basicPass)
	}
	return send(t, req)
}

// send sends req and returns the response and its body, read whole.
func send(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func getToken(t *testing.T, tokenURL, clientID, secret string) string {
	t.Helper()
	resp, body := postForm(t, tokenURL, url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}}, "", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token: %s %s", resp.Status, body)
	}
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		t.Fatal(err)
	}
	return tr.AccessToken
}

func fetchJWKS(t *testing.T, u string) jose.JSONWebKeySet {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", u, resp.Status)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatalf("decode JWKS: %v", err)
	}
	return set
}

// cognitoClaims are the claims of a Cognito M2M access token.
type cognitoClaims struct {
	Sub      string `json:"sub"`
	TokenUse string `json:"token_use"`
	Scope    string `json:"scope"`
	AuthTime int64  `json:"auth_time"`
	Iss      string `json:"iss"`
	Exp      int64  `json:"exp"`
	Iat      int64  `json:"iat"`
	Version  int    `json:"version"`
	JTI      string `json:"jti"`
	ClientID string `json:"client_id"`
}

// verify checks a token's RS256 signature against the issuer's served JWKS
// (found through the discovery document) and returns its claims and kid.
func verify(t *testing.T, issuer, token string) (cognitoClaims, map[string]any, string) {
	t.Helper()
	resp, err := http.Get(issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	err = json.NewDecoder(resp.Body).Decode(&disc)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("discovery document: %v", err)
	}
	if disc.Issuer != issuer {
		t.Fatalf("discovery issuer = %q, want %q", disc.Issuer, issuer)
	}
	set := fetchJWKS(t, disc.JWKSURI)
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("parse token: %v", err)
	}
	kid := tok.Headers[0].KeyID
	keys := set.Key(kid)
	if len(keys) != 1 {
		t.Fatalf("kid %q: %d keys in JWKS", kid, len(keys))
	}
	var c cognitoClaims
	var all map[string]any
	if err := tok.Claims(keys[0].Key, &c, &all); err != nil {
		t.Fatalf("verify token: %v", err)
	}
	return c, all, kid
}

func ctxTimeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// needProgram returns the path of a program a test runs, skipping the
// test without it (failing it in CI): functest.NeedProgram.
var needProgram = functest.NeedProgram

// unmarshal decodes data, which must be the JSON the test expects (a
// command's --json output, a response body), into v.
func unmarshal(t *testing.T, data string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(data), v); err != nil {
		t.Fatalf("not the JSON expected: %v\n%s", err, data)
	}
}

// partnerPool is the YAML of the user pool most tests declare, as an item
// of userPools: pool "Pool" with resource server "api", which defines
// scopes (each described by its name, capitalized), and the client
// credentials client "Partner", with a secret, allowed granted ("api/read").
func partnerPool(granted string, scopes ...string) string {
	defs := make([]string, len(scopes))
	for i, s := range scopes {
		defs[i] = fmt.Sprintf("{scopeName: %s, scopeDescription: %s%s}", s, strings.ToUpper(s[:1]), s[1:])
	}
	return fmt.Sprintf(`  - id: Pool
    resourceServers:
      - identifier: api
        userPoolResourceServerName: API
        scopes: [%s]
    clients:
      - id: Partner
        generateSecret: true
        oAuth: {flows: {clientCredentials: true}, scopes: [%s]}
`, strings.Join(defs, ", "), granted)
}
