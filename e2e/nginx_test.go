package e2e

import (
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/tollgate/tollgate/internal/function/functest"
)

// freeAddr returns a loopback address that was free a moment ago, for a
// server whose address must be known before it starts (nginx, whose URL
// the nodes behind it are given as their public URL).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// runNginx runs a real nginx (Debian's) listening on addr until the test
// ends. httpConf goes into the http block before the server (an upstream
// block), serverConf into the server block after its listen directive
// (locations). Temporary files stay in the test's directory, and responses
// are never buffered to disk, so the workers (nobody, when the test runs as
// root) need no access to it.
func runNginx(t *testing.T, addr, httpConf, serverConf string) {
	t.Helper()
	bin := needProgram(t, "nginx")
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	writeFile(t, conf, fmt.Sprintf(`pid %[1]s/nginx.pid;
error_log stderr;
events {}
http {
  access_log off;
  client_body_temp_path %[1]s; proxy_temp_path %[1]s; fastcgi_temp_path %[1]s; uwsgi_temp_path %[1]s; scgi_temp_path %[1]s;
  client_body_buffer_size 1m;
  proxy_max_temp_file_size 0;
%[2]s
  server {
    listen %[3]s;
%[4]s
  }
}
`, dir, httpConf, addr, serverConf))
	cmd := exec.Command(bin, "-p", dir, "-c", conf, "-g", "daemon off;")
	var mu sync.Mutex
	var out strings.Builder
	logs := lockedWriter{mu: &mu, b: &out}
	cmd.Stdout, cmd.Stderr = logs, logs
	// Its own process group: the workers go with the master.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Killed: its exit status says nothing, and a group already gone
		// has nothing left to kill.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		if t.Failed() {
			mu.Lock()
			t.Logf("nginx:\n%s", out.String())
			mu.Unlock()
		}
	})
	functest.Eventually(t, "nginx listening", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}
