package e2e

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/function/functest"
)

// reloadConfig is a config whose API answers GET /ping (MOCK, 204).
const reloadConfig = `restApis:
  - id: Api
    resources:
      - path: /ping
        methods:
          - {httpMethod: GET, integration: {type: MOCK, statusCode: 204}}
`

// pongRoute adds GET /pong (MOCK, 202) to reloadConfig.
const pongRoute = `      - path: /pong
        methods:
          - {httpMethod: GET, integration: {type: MOCK, statusCode: 202}}
`

// brokenRoute adds a route whose status code is no number: a problem at
// line 12 of reloadConfig+pongRoute+brokenRoute.
const brokenRoute = `      - path: /broken
        methods:
          - {httpMethod: GET, integration: {type: MOCK, statusCode: lots}}
`

// reServingOn finds serve's address in what it printed.
var reServingOn = regexp.MustCompile(`(?m)^Tollgate is serving on (\S+)`)

// status GETs u and returns the status code.
func status(t *testing.T, u string) int {
	t.Helper()
	code, _ := httpGet(t, u)
	return code
}

// TestReloadOnSIGHUP: serve reloads its config on SIGHUP without a
// restart: a route added to the file answers; a config with problems is
// refused, its problems logged at file:line:col, and the routes served
// before keep answering.
func TestReloadOnSIGHUP(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "tollgate.yaml")
	writeFile(t, cfg, reloadConfig)
	key, _, _ := run(t, nil, "master-key", "new")
	env := []string{"TOLLGATE_MASTER_KEY=" + strings.TrimSpace(key)}
	p := start(t, env, `^Tollgate is serving on`, "serve", "--config", cfg, "--data", dir, "--listen", "127.0.0.1:0")
	base := "http://" + reServingOn.FindStringSubmatch(p.Output())[1] + "/apis/" + tollgate.RestAPIID("Api") + "/prod"
	if got := status(t, base+"/ping"); got != http.StatusNoContent {
		t.Fatalf("GET /ping: %d, want 204", got)
	}
	if got := status(t, base+"/pong"); got != http.StatusForbidden {
		t.Fatalf("GET /pong before the reload: %d, want 403 (no such route)", got)
	}

	writeFile(t, cfg, reloadConfig+pongRoute)
	hangUp(t, p)
	functest.Eventually(t, "GET /pong answers 202 after SIGHUP", func() bool { return status(t, base+"/pong") == http.StatusAccepted })
	// The reload's line is written once the new routes serve: waited for,
	// not expected at once.
	functest.Eventually(t, "a reload line naming the added route", func() bool {
		return strings.Contains(p.Logs(), `"routes_added":["`+tollgate.RestAPIID("Api")+` GET /pong"]`)
	})

	writeFile(t, cfg, reloadConfig+pongRoute+brokenRoute)
	hangUp(t, p)
	functest.Eventually(t, "the refused reload logged", func() bool { return strings.Contains(p.Logs(), "reload refused") })
	if want := cfg + ":12:"; !strings.Contains(p.Logs(), want) {
		t.Errorf("the problem is not logged at %s…:\n%s", want, p.Logs())
	}
	for path, want := range map[string]int{"/ping": http.StatusNoContent, "/pong": http.StatusAccepted, "/broken": http.StatusForbidden} {
		if got := status(t, base+path); got != want {
			t.Errorf("GET %s after the refused reload: %d, want %d", path, got, want)
		}
	}
}

// hangUp sends SIGHUP to the process.
func hangUp(t *testing.T, p *proc) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
}

// TestDevReloadsOnFileChange: dev applies an edited config file without a
// signal; dev without a config file takes SIGHUP as a no-op, logged.
func TestDevReloadsOnFileChange(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "tollgate.yaml")
	writeFile(t, cfg, reloadConfig)
	p := start(t, nil, `^Stop with Ctrl-C`, "dev", "--data", dir, "--listen", "127.0.0.1:0", "--config", cfg)
	api := reAPIURL.FindStringSubmatch(p.Output())[1]
	if got := status(t, api+"pong"); got != http.StatusForbidden {
		t.Fatalf("GET /pong before the edit: %d, want 403 (no such route)", got)
	}
	writeFile(t, cfg, reloadConfig+pongRoute)
	functest.Eventually(t, "GET /pong answers 202 after the edit", func() bool { return status(t, api+"pong") == http.StatusAccepted })
	// Logged once the new routes serve: waited for.
	functest.Eventually(t, "a reload line for the file change", func() bool { return strings.Contains(p.Logs(), `"trigger":"file changed"`) })

	seed := start(t, nil, `^Stop with Ctrl-C`, "dev", "--data", t.TempDir(), "--listen", "127.0.0.1:0")
	hangUp(t, seed)
	functest.Eventually(t, "SIGHUP without a config logged", func() bool { return strings.Contains(seed.Logs(), "nothing to reload") })
}

// functionConfig is a config with a function, so that the server makes a
// runtime directory (tollgate-runtime-* under TMPDIR).
const functionConfig = `functions:
  - {id: Echo, runtime: nodejs22.x, handler: index.handler, code: %s, timeout: 10s}
restApis:
  - id: Api
    resources:
      - path: /echo
        methods:
          - {httpMethod: GET, integration: {type: AWS_PROXY, function: Echo}}
`

// runtimeDirs lists the runtime directories under tmp.
func runtimeDirs(t *testing.T, tmp string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(tmp, "tollgate-runtime-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRuntimeDirRemoved: the function runner's directory under TMPDIR is
// removed on every way out: a start that fails after it was made (the
// port is taken), a reload (the old runner's), and a stop by signal.
func TestRuntimeDirRemoved(t *testing.T) {
	dir := t.TempDir()
	code := filepath.Join(dir, "code")
	if err := os.Mkdir(code, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(code, "index.js"), "exports.handler = async () => ({statusCode: 200, body: 'ok'});\n")
	cfg := filepath.Join(dir, "tollgate.yaml")
	writeFile(t, cfg, strings.Replace(functionConfig, "%s", code, 1))
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	// As root, functions run as nobody, who must reach the runtime
	// directory by name.
	for _, d := range []string{filepath.Dir(dir), dir, tmp} {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"TMPDIR=" + tmp}
	data := filepath.Join(dir, "data")

	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	if _, stderr, code := run(t, env, "dev", "--data", data, "--listen", taken.Addr().String(), "--config", cfg); code == 0 {
		t.Fatalf("dev on a taken port: exit 0\n%s", stderr)
	}
	if left := runtimeDirs(t, tmp); len(left) != 0 {
		t.Errorf("a failed start left %v", left)
	}

	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		p := start(t, env, `^Stop with Ctrl-C`, "dev", "--data", data, "--listen", "127.0.0.1:0", "--config", cfg)
		if got := runtimeDirs(t, tmp); len(got) != 1 {
			t.Fatalf("serving: runtime directories %v, want one", got)
		}
		hangUp(t, p)
		functest.Eventually(t, "the reload logged", func() bool { return strings.Contains(p.Logs(), `"msg":"reloaded"`) })
		functest.Eventually(t, "the old runner's directory removed", func() bool { return len(runtimeDirs(t, tmp)) == 1 })
		if err := p.cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		p.stop() // exit 0 required
		if left := runtimeDirs(t, tmp); len(left) != 0 {
			t.Errorf("stopped by %v: left %v", sig, left)
		}
	}
}
