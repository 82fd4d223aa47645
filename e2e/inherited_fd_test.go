package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

const inheritedConfig = `
region: us-east-1
functions:
  - {id: Fds, runtime: nodejs20.x, handler: index.inherited, code: %[1]s, timeout: 10s}
restApis:
  - id: Api
    resources:
      - path: /fds
        methods:
          - {httpMethod: GET, integration: {type: AWS_PROXY, function: Fds}}
`

// A descriptor Tollgate inherits without close-on-exec (a supervisor's, a
// wrapper script's `3< /etc/tollgate/master.key` for --master-key-file
// /dev/fd/3) is not passed on to the functions, which would read through
// it what they may not open: Go's exec leaves descriptors it did not open
// itself open.
func TestFunctionsInheritNoDescriptor(t *testing.T) {
	needProgram(t, "node")
	dir := t.TempDir() // 0700, Tollgate's
	keyFile := filepath.Join(dir, "master.key")
	key := strings.Repeat("K", 43) + "="
	if err := os.WriteFile(keyFile, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _ := filepath.Abs("testdata/hostile")
	cfg := filepath.Join(t.TempDir(), "tollgate.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(inheritedConfig, code)), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	api := startWithFile(t, f, "dev", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--config", cfg)

	status, body := httpGet(t, api+"fds")
	var got map[string]struct{ Target, Content, Error string }
	if status != 200 || json.Unmarshal(body, &got) != nil {
		t.Fatalf("%d %s", status, body)
	}
	for fd, g := range got {
		if strings.Contains(g.Content, key) || g.Target == keyFile {
			t.Errorf("the function has %s open as fd %s: %q", g.Target, fd, strings.TrimSpace(g.Content))
		}
	}
}

// startWithFile runs tollgate with args and f as its descriptor 3 (as a
// wrapper's `3< FILE` would), and returns the API URL it printed once
// ready. It is stopped at cleanup.
func startWithFile(t *testing.T, f *os.File, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.ExtraFiles = []*os.File{f}
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// The test is over: how the server exits is not under test here.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	ready := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`^\s+API URL:\s+(\S+)`)
		api := ""
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				api = m[1]
			}
			if strings.HasPrefix(sc.Text(), "Stop with Ctrl-C") {
				ready <- api
			}
		}
	}()
	select {
	case api := <-ready:
		return api
	case <-time.After(60 * time.Second):
		t.Fatal("tollgate was not ready within a minute")
	}
	return ""
}
