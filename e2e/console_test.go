package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/function/functest"
)

// The admin console in a real browser: e2e/testdata/console/console.mjs
// drives Debian's chromium with playwright-core against `tollgate dev`,
// one phase at a time, and prints what it saw as one JSON line; the test
// asserts on it and does what a browser does not (curl on the token
// endpoint and the API). axe-core checks every main page, and each is
// shot at laptop and phone sizes into the artifacts directory.

const (
	// consoleTestDir holds the browser script and its lockfile.
	consoleTestDir = "testdata/console"
	// consoleTTL is the session lifetime of the expiry test's server.
	consoleTTL = 8 * time.Second
)

var (
	reConsoleURL    = regexp.MustCompile(`(?m)^Console:\s+(\S+)`)
	reConsoleSignIn = regexp.MustCompile(`(?m)^\s+sign in:\s+(\S+)`)
	reConsoleSetup  = regexp.MustCompile(`(?m)^\s+set the admin password \(once\):\s+(\S+)`)
	reAccessKey     = regexp.MustCompile(`AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+)`)
	reConsoleAPIURL = regexp.MustCompile(`(?m)^\s+API URL:\s+(\S+)`)
)

// consoleRun is how the browser script is run against one server.
type consoleRun struct {
	node, chromium string
	env            []string // CONSOLE_URL, SIGNIN_LINK, the access key, …
	artifacts      string
	// findings, when not nil, keeps what the pages' checks found (axe,
	// CSP, script errors, sideways scrolling) for a subtest of their own,
	// so that they stop no flow; else each fails the phase's test.
	findings *[]string
}

// consoleResult is a phase's JSON line: what it saw, or where it failed.
type consoleResult struct {
	OK          bool                      `json:"ok"`
	Step        string                    `json:"step"`
	Error       string                    `json:"error"`
	URL         string                    `json:"url"`
	Text        string                    `json:"text"`
	Axe         map[string][]axeViolation `json:"axe"`
	CSP         []string                  `json:"csp"`
	PageErrors  []string                  `json:"pageErrors"`
	Overflow    []string                  `json:"overflow"`
	Screenshots []string                  `json:"screenshots"`
	Failures    []string                  `json:"failures"`
}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// needConsoleBrowser returns node and chromium, failing the test in CI
// and skipping it elsewhere when node, chromium or the script's packages
// are missing (.ci/run installs them).
func needConsoleBrowser(t *testing.T) (node, chromium string) {
	t.Helper()
	node = needProgram(t, "node")
	chromium = needProgram(t, "chromium")
	for _, pkg := range []string{"playwright-core", "axe-core"} {
		functest.NeedFile(t, filepath.Join(consoleTestDir, "node_modules", pkg, "package.json"),
			pkg+" (a Node package of the console's browser test)", "npm ci --prefix e2e/"+consoleTestDir)
	}
	return node, chromium
}

// consoleArtifacts returns the directory screenshots go to:
// $TOLLGATE_ARTIFACTS/console, else e2e/artifacts/console (gitignored).
func consoleArtifacts(t *testing.T, sub string) string {
	t.Helper()
	dir := filepath.Join("artifacts", "console")
	if a := os.Getenv("TOLLGATE_ARTIFACTS"); a != "" {
		dir = filepath.Join(a, "console")
	}
	dir, err := filepath.Abs(filepath.Join(dir, sub))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("console screenshots in %s", dir)
	return dir
}

// newConsoleRun reads from dev's output where the console is and how to
// sign in.
func newConsoleRun(t *testing.T, node, chromium, out, artifacts string) *consoleRun {
	t.Helper()
	u := reConsoleURL.FindStringSubmatch(out)
	link := reConsoleSignIn.FindStringSubmatch(out)
	key := reAccessKey.FindStringSubmatch(out)
	tokenURL := reTokenURL.FindStringSubmatch(out)
	if u == nil || link == nil || key == nil || tokenURL == nil {
		t.Fatalf("dev output lacks the console's URL, its sign-in link, an access key or the token URL:\n%s", out)
	}
	if !strings.HasSuffix(u[1], "/") || !strings.HasPrefix(link[1], u[1]+"signin/link?token=") {
		t.Fatalf("console URL %q, sign-in link %q: want the link under the URL", u[1], link[1])
	}
	return &consoleRun{
		node: node, chromium: chromium, artifacts: artifacts,
		env: []string{
			"CONSOLE_URL=" + u[1], "SIGNIN_LINK=" + link[1],
			"ACCESS_KEY_ID=" + key[1], "SECRET_ACCESS_KEY=" + key[2],
			"TOKEN_URL=" + tokenURL[1], "ARTIFACTS=" + artifacts, "CHROMIUM=" + chromium,
			"STATE=" + filepath.Join(t.TempDir(), "state.json"),
		},
	}
}

// phase runs one phase of the script with in as its PHASE_INPUT, fails
// the test with the step that failed, and decodes what it saw into out
// (nil for nothing).
func (cr *consoleRun) phase(t *testing.T, name string, in, out any) consoleResult {
	t.Helper()
	arg, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(cr.node, "console.mjs", name) //nolint:gosec // G204: the test's own script
	cmd.Dir = consoleTestDir
	cmd.Env = append(append(os.Environ(), cr.env...), "PHASE_INPUT="+string(arg))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, runErr := cmd.Output()
	var res consoleResult
	line := lastLine(stdout)
	if err := json.Unmarshal(line, &res); err != nil {
		t.Fatalf("console.mjs %s printed no result (%v): %v\nstdout:\n%s\nstderr:\n%s", name, runErr, err, stdout, stderr.String())
	}
	var found []string
	for _, s := range res.CSP {
		found = append(found, fmt.Sprintf("%s: the Content-Security-Policy refused something on a page: %s", name, s))
	}
	for _, s := range res.PageErrors {
		found = append(found, fmt.Sprintf("%s: a script error on a page: %s", name, s))
	}
	for _, s := range res.Overflow {
		found = append(found, fmt.Sprintf("%s: a page scrolls sideways on a phone: %s", name, s))
	}
	for _, pg := range slices.Sorted(maps.Keys(res.Axe)) {
		for _, v := range res.Axe[pg] {
			found = append(found, fmt.Sprintf("%s: axe on page %s: %s (%s, %s)\n\t%s", name, pg, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t")))
		}
	}
	if cr.findings != nil {
		*cr.findings = append(*cr.findings, found...)
	} else {
		for _, f := range found {
			t.Error(f)
		}
	}
	if !res.OK {
		t.Fatalf("%s: step %q failed: %s\nat %s (screenshot in %s)\npage text:\n%s\nstderr:\n%s",
			name, res.Step, res.Error, res.URL, cr.artifacts, res.Text, stderr.String())
	}
	if runErr != nil {
		t.Fatalf("console.mjs %s: %v\nstderr:\n%s", name, runErr, stderr.String())
	}
	if out != nil {
		unmarshal(t, string(line), out)
	}
	return res
}

// urlOrigin is u's scheme and host (with its port).
func urlOrigin(t *testing.T, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return p.Scheme + "://" + p.Host
}

func lastLine(b []byte) []byte {
	s := strings.TrimSpace(string(b))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return []byte(s)
}

// consoleRequests is a filtered view of the recent requests: its query,
// its table's column headings and rows.
type consoleRequests struct {
	Query   string     `json:"query"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

// table returns the rows by lower-case column name, requiring the
// columns the console promises.
func (cr consoleRequests) table(t *testing.T) []map[string]string {
	t.Helper()
	cols := make([]string, len(cr.Columns))
	for i, c := range cr.Columns {
		cols[i] = strings.ToLower(strings.TrimSpace(c))
	}
	for _, want := range []string{"time", "method", "path", "route", "client or api key", "status", "reason"} {
		if !slices.Contains(cols, want) {
			t.Fatalf("requests table (filter %s) has columns %q, lacking %q", cr.Query, cr.Columns, want)
		}
	}
	if len(cr.Rows) == 0 {
		t.Fatalf("no requests match the filter %s", cr.Query)
	}
	out := make([]map[string]string, 0, len(cr.Rows))
	for _, r := range cr.Rows {
		if len(r) != len(cols) {
			t.Fatalf("a row of %d cells under %d columns: %q", len(r), len(cols), r)
		}
		m := make(map[string]string, len(r))
		for i, v := range r {
			m[cols[i]] = v
		}
		out = append(out, m)
	}
	return out
}

// consoleToken is the token endpoint's answer to a client_credentials
// request with id and secret: the status and the body.
func consoleToken(t *testing.T, curl, tokenURL, id, secret string) (int, string) {
	t.Helper()
	return curlStatus(t, curl, "-X", "POST", tokenURL,
		"-H", "Content-Type: application/x-www-form-urlencoded",
		"--data-urlencode", "grant_type=client_credentials",
		"--data-urlencode", "client_id="+id, "--data-urlencode", "client_secret="+secret)
}

// curlStatus runs curl with args and returns the status and body.
func curlStatus(t *testing.T, curl string, args ...string) (int, string) {
	t.Helper()
	args = append([]string{"--silent", "--show-error", "--write-out", "\n%{http_code}"}, args...)
	out, err := exec.Command(curl, args...).Output() //nolint:gosec // G204: the test's own curl line
	if err != nil {
		t.Fatalf("curl %s: %v", strings.Join(args, " "), err)
	}
	s := string(out)
	i := strings.LastIndexByte(s, '\n')
	var code int
	if _, err := fmt.Sscan(s[i+1:], &code); err != nil {
		t.Fatalf("curl printed no status: %q", s)
	}
	return code, s[:i]
}

// consoleFlow is what TestConsole's steps share: the browser run, the dev
// server, and what earlier steps made.
type consoleFlow struct {
	cr      *consoleRun
	curl    string
	dev     devInfo
	apiURL  string
	issuer  string
	created consoleCreated
	added   struct {
		Secret        string `json:"secret"`
		SecretsBefore string `json:"secretsBefore"`
	}
}

// consoleCreated is what the "create" phase made and read off the pages.
type consoleCreated struct {
	PoolID   string `json:"poolId"`
	ClientID string `json:"clientId"`
	Secret   string `json:"secret"`
	CurlLine string `json:"curlLine"`
	Pasted   bool   `json:"pasted"`
	Try      struct {
		TokenStatus string `json:"tokenStatus"`
		CallStatus  string `json:"callStatus"`
		Decision    string `json:"decision"`
	} `json:"try"`
	TryError *struct {
		Error, URL, Text string
	} `json:"tryError"`
}

func TestConsole(t *testing.T) {
	node, chromium := needConsoleBrowser(t)
	f := &consoleFlow{curl: needProgram(t, "curl")}
	p, dev := startDev(t, t.TempDir())
	f.dev = dev
	f.cr = newConsoleRun(t, node, chromium, p.Output(), consoleArtifacts(t, ""))
	m := reConsoleAPIURL.FindStringSubmatch(p.Output())
	if m == nil {
		t.Fatalf("dev output lacks the seed API's URL:\n%s", p.Output())
	}
	f.apiURL = m[1]
	// The console is on an origin of its own: no API's answer can act in
	// it with the operator's session.
	if cu, au := reConsoleURL.FindStringSubmatch(p.Output())[1], f.apiURL; urlOrigin(t, cu) == urlOrigin(t, au) {
		t.Errorf("the console (%s) shares its origin with the seed API (%s)", cu, au)
	}

	// Every page a flow visits is checked (axe, CSP, script errors, a
	// phone's width): reported here, whichever flow stopped.
	var findings []string
	f.cr.findings = &findings
	defer t.Run("the pages pass axe, keep to the CSP and fit a phone", func(t *testing.T) {
		for _, finding := range findings {
			t.Error(finding)
		}
	})
	if !t.Run("sign in", func(t *testing.T) { f.cr.phase(t, "signin", nil, nil) }) ||
		!t.Run("create a pool, a resource server and a client", f.create) ||
		!t.Run("curl gets a token with the copied secret", func(t *testing.T) { f.tokenOf(t, f.created.Secret) }) {
		return
	}
	// Try it ran in the same browser as the copy, with the secret pasted
	// from the clipboard; its failure stops no other flow.
	t.Run("try it gets a token with the pasted secret and explains the refused call", f.tryIt)
	if !t.Run("rotate the secret", f.rotateSecret) {
		return
	}
	t.Run("the refused calls show in the requests, filtered", f.refusedInRequests)
	t.Run("changes without the CSRF token or from another origin are refused", f.csrf)
	t.Run("rotate the signing keys, the retire time shown", f.rotateKeys)
	t.Run("set the admin password with the setup link and sign in with it", func(t *testing.T) { f.adminPassword(t, p.Output()) })
	t.Run("every main page passes axe and is shot", f.pages)
}

// adminPassword sets the admin password through the setup link dev
// printed at its first start, and signs in with it, in a browser of its
// own (the other flows keep the access key's session).
func (f *consoleFlow) adminPassword(t *testing.T, devOutput string) {
	m := reConsoleSetup.FindStringSubmatch(devOutput)
	if m == nil {
		t.Fatalf("dev's first start printed no setup link:\n%s", devOutput)
	}
	f.cr.phase(t, "admin", map[string]string{"setupLink": m[1], "password": "correct horse battery staple"}, nil)
}

// create makes a pool with a resource server of two scopes, a client
// granted one of them, and copies its secret from the page.
func (f *consoleFlow) create(t *testing.T) {
	in := map[string]any{
		"pool": "Orders e2e",
		"resourceServer": map[string]any{"identifier": "orders", "name": "Orders API", "scopes": []map[string]string{
			{"name": "read", "description": "Read orders"}, {"name": "write", "description": "Change orders"}}},
		"client": map[string]any{"name": "Reporting e2e", "scopes": []string{"orders/read"}},
		// The seed API's one route (ANY /{proxy+}) requires
		// default/default, which the new client lacks.
		"route": "· prod · ANY /{proxy+}",
		"path":  "/hello/console",
	}
	f.cr.phase(t, "create", in, &f.created)
	if f.created.ClientID == "" || f.created.Secret == "" {
		t.Fatalf("no client id or secret from the page: %+v", f.created)
	}
	if !strings.Contains(f.created.CurlLine, f.created.ClientID) || !strings.Contains(f.created.CurlLine, f.dev.TokenURL) {
		t.Errorf("the page's curl line does not name the client and the token URL:\n%s", f.created.CurlLine)
	}
	base := strings.TrimSuffix(f.dev.Issuer, "/"+f.dev.PoolID) // the issuers' common prefix
	f.issuer = base + "/" + f.created.PoolID
}

// tokenOf gets a token for the created client with secret by curl, and
// checks it.
func (f *consoleFlow) tokenOf(t *testing.T, secret string) string {
	t.Helper()
	code, body := consoleToken(t, f.curl, f.dev.TokenURL, f.created.ClientID, secret)
	if code != http.StatusOK {
		t.Fatalf("curl with the secret from the page: %d %s", code, body)
	}
	var tr tokenResponse
	unmarshal(t, body, &tr)
	c, _, _ := verify(t, f.issuer, tr.AccessToken)
	if c.ClientID != f.created.ClientID || c.Scope != "orders/read" {
		t.Fatalf("token's client_id %q scope %q, want %q orders/read", c.ClientID, c.Scope, f.created.ClientID)
	}
	return tr.AccessToken
}

func (f *consoleFlow) tryIt(t *testing.T) {
	created := &f.created
	if e := created.TryError; e != nil {
		t.Fatalf("try it failed: %s\nat %s (screenshot failed-try.png in %s)\npage text:\n%s", e.Error, e.URL, f.cr.artifacts, e.Text)
	}
	// Try it: the token (200) with the pasted secret, the call refused.
	if !strings.Contains(created.Try.TokenStatus, "200") {
		t.Errorf("try it: token status %q, want 200", created.Try.TokenStatus)
	}
	if !strings.Contains(created.Try.CallStatus, "403") && !strings.Contains(created.Try.CallStatus, "401") {
		t.Errorf("try it: call status %q, want the refusal (401 or 403)", created.Try.CallStatus)
	}
	// The seed route's Cognito authorizer trusts the seed pool, and
	// requires default/default: the new pool's token has neither.
	if !strings.Contains(created.Try.Decision, "Refused") || len(created.Try.Decision) < len("Refused: a reason") {
		t.Errorf("try it: decision %q, want a refusal with its reason", created.Try.Decision)
	}
	t.Logf("try it (secret pasted with Ctrl+V: %v) decided: %s", created.Pasted, created.Try.Decision)
}

func (f *consoleFlow) rotateSecret(t *testing.T) {
	f.cr.phase(t, "addSecret", map[string]string{"clientId": f.created.ClientID, "oldSecret": f.created.Secret}, &f.added)
	f.tokenOf(t, f.added.Secret)
	f.tokenOf(t, f.created.Secret) // both work until the old one goes
	f.cr.phase(t, "deleteSecret", map[string]string{"clientId": f.created.ClientID, "secretsBefore": f.added.SecretsBefore}, nil)
	code, body := consoleToken(t, f.curl, f.dev.TokenURL, f.created.ClientID, f.created.Secret)
	if code == http.StatusOK || !strings.Contains(body, `"invalid_client"`) {
		t.Errorf("the deleted secret: %d %s, want invalid_client", code, body)
	}
	f.tokenOf(t, f.added.Secret)
}

// refusedInRequests: the seed API's authorizer trusts the seed pool's
// tokens (with default/default), not this pool's: refused, with no
// verified client. The deleted secret's refusal above is the client's.
func (f *consoleFlow) refusedInRequests(t *testing.T) {
	tok := f.tokenOf(t, f.added.Secret)
	code, body := curlStatus(t, f.curl, "-H", "Authorization: Bearer "+tok, strings.TrimSuffix(f.apiURL, "/")+"/hello/refused")
	if code != http.StatusUnauthorized && code != http.StatusForbidden {
		t.Fatalf("the seed API with the new pool's token: %d %s, want 401 or 403", code, body)
	}
	var seen struct {
		Filters map[string]consoleRequests `json:"filters"`
	}
	f.cr.phase(t, "requests", map[string]any{"filters": map[string]any{
		"client": map[string]string{"client": f.created.ClientID, "status": "4xx"},
		"route":  map[string]string{"route": "ANY /{proxy+}", "status": "refused"},
	}}, &seen)

	byClient := seen.Filters["client"].table(t)
	for _, r := range byClient {
		if !strings.HasPrefix(r["status"], "4") || !strings.Contains(r["client or api key"], f.created.ClientID) {
			t.Errorf("client %s and 4xx filter shows %q", f.created.ClientID, r)
		}
	}
	if !slices.ContainsFunc(byClient, func(r map[string]string) bool {
		return strings.Contains(r["path"], "/oauth2/token") && r["status"] == "400" && strings.Contains(r["reason"], "invalid_client")
	}) {
		t.Errorf("the deleted secret's refusal (400 invalid_client on /oauth2/token) is not among the client's 4xx requests:\n%q", byClient)
	}
	byRoute := seen.Filters["route"].table(t)
	for _, r := range byRoute {
		if s := r["status"]; !strings.HasPrefix(s, "4") && !strings.HasPrefix(s, "5") {
			t.Errorf("the refused filter shows status %q: %q", s, r)
		}
	}
	if !slices.ContainsFunc(byRoute, func(r map[string]string) bool {
		return strings.Contains(r["path"], "/hello/refused") && r["status"] == strconv.Itoa(code) && r["reason"] != ""
	}) {
		t.Errorf("the refused call (%d on /hello/refused) with its reason is not among the route's refusals:\n%q", code, byRoute)
	}
}

func (f *consoleFlow) csrf(t *testing.T) {
	var seen struct {
		NoToken     int `json:"noTokenStatus"`
		WrongToken  int `json:"wrongTokenStatus"`
		WithToken   int `json:"withTokenStatus"`
		CrossOrigin int `json:"crossOriginStatus"`
		PoolsListed struct {
			NoToken     bool `json:"noToken"`
			WithToken   bool `json:"withToken"`
			CrossOrigin bool `json:"crossOrigin"`
		} `json:"poolsListed"`
	}
	f.cr.phase(t, "csrf", map[string]string{"noToken": "No token pool", "withToken": "Token pool", "crossOrigin": "Elsewhere pool"}, &seen)
	if seen.NoToken != http.StatusForbidden || seen.WrongToken != http.StatusForbidden {
		t.Errorf("a change without the CSRF token: %d, with a wrong one: %d; want 403", seen.NoToken, seen.WrongToken)
	}
	if seen.CrossOrigin != http.StatusForbidden {
		t.Errorf("a form posted from another origin: %d, want 403", seen.CrossOrigin)
	}
	if seen.WithToken != http.StatusSeeOther {
		t.Errorf("the same change with the token: %d, want 303 (it shows the refusals are the token's and the origin's)", seen.WithToken)
	}
	if seen.PoolsListed.NoToken || seen.PoolsListed.CrossOrigin {
		t.Errorf("a refused change made a pool: %+v", seen.PoolsListed)
	}
	if !seen.PoolsListed.WithToken {
		t.Errorf("the change with the token made no pool")
	}
}

func (f *consoleFlow) rotateKeys(t *testing.T) {
	_, _, before := verify(t, f.issuer, f.tokenOf(t, f.added.Secret))
	var seen struct {
		Keys []string `json:"keys"`
	}
	f.cr.phase(t, "keys", map[string]string{"poolId": f.created.PoolID}, &seen)
	i := slices.IndexFunc(seen.Keys, func(row string) bool { return strings.Contains(row, before) })
	if i < 0 {
		t.Fatalf("after a rotation the keys do not list key %s:\n%s", before, strings.Join(seen.Keys, "\n"))
	}
	if row := strings.ToLower(seen.Keys[i]); !strings.Contains(row, "retired") || !strings.Contains(row, "retires at") {
		t.Errorf("after a rotation key %s is not shown retired with its retire time: %q", before, seen.Keys[i])
	}
	if _, _, after := verify(t, f.issuer, f.tokenOf(t, f.added.Secret)); after == before {
		t.Errorf("after a rotation tokens are still signed by key %s", before)
	}
}

func (f *consoleFlow) pages(t *testing.T) {
	res := f.cr.phase(t, "pages", map[string]string{"poolId": f.created.PoolID, "clientId": f.created.ClientID}, nil)
	for _, failure := range res.Failures {
		t.Errorf("page %s", failure)
	}
	t.Logf("%d screenshots in %s", len(res.Screenshots), f.cr.artifacts)
	if os.Getenv("TOLLGATE_CONSOLE_DOCS") != "" {
		copyConsoleShots(t, f.cr.artifacts)
	}
}

// copyConsoleShots copies the overview and client pages at 1280×800 to
// docs/ (the README's pictures), when TOLLGATE_CONSOLE_DOCS is set.
func copyConsoleShots(t *testing.T, artifacts string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join("..", "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	for src, dst := range map[string]string{"overview-viewport.png": "console.png", "client-viewport.png": "console-client.png"} {
		in, err := os.Open(filepath.Join(artifacts, src))
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		f, err := os.Create(filepath.Join("..", "docs", dst))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(f, in); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestConsoleSessionExpiry signs in to a server whose console sessions
// last consoleTTL, waits for the clock to pass it, and requires the next
// page load to go to sign in and a change to be refused.
func TestConsoleSessionExpiry(t *testing.T) {
	node, chromium := needConsoleBrowser(t)
	p, _ := startDev(t, t.TempDir(), "--console-session-ttl", consoleTTL.String())
	cr := newConsoleRun(t, node, chromium, p.Output(), consoleArtifacts(t, "expiry"))
	var seen struct {
		LiveCookieStatus    int    `json:"liveCookieStatus"`
		PoolListed          bool   `json:"poolListed"`
		AfterExpiryPath     string `json:"afterExpiryPath"`
		ChangeStatus        int    `json:"changeStatus"`
		ExpiredCookieStatus int    `json:"expiredCookieStatus"`
		ExpiredCookieGet    struct {
			Status   int    `json:"status"`
			Location string `json:"location"`
		} `json:"expiredCookieGet"`
	}
	cr.phase(t, "expiry", map[string]any{"ttlMs": consoleTTL.Milliseconds(), "pool": "Late pool"}, &seen)
	if seen.LiveCookieStatus != http.StatusOK {
		t.Errorf("a page load with the session's cookie while it lasts: %d, want 200", seen.LiveCookieStatus)
	}
	if seen.AfterExpiryPath != "/signin" {
		t.Errorf("a page load after the session ended went to %q, want /signin", seen.AfterExpiryPath)
	}
	if seen.ChangeStatus != http.StatusForbidden {
		t.Errorf("a change after the session ended: %d, want 403", seen.ChangeStatus)
	}
	if seen.PoolListed {
		t.Errorf("a change after the session ended made a pool")
	}
	if seen.ExpiredCookieStatus != http.StatusForbidden {
		t.Errorf("a change with the expired session's cookie: %d, want 403", seen.ExpiredCookieStatus)
	}
	if seen.ExpiredCookieGet.Status != http.StatusSeeOther || !strings.Contains(seen.ExpiredCookieGet.Location, "/signin") {
		t.Errorf("a page load with the expired session's cookie: %d to %q, want 303 to sign in", seen.ExpiredCookieGet.Status, seen.ExpiredCookieGet.Location)
	}
}
