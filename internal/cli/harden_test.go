package cli

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/tollgate/tollgate/internal/function/functest"
)

// A command leaves the process non-dumpable (Linux) and the secret
// variables out of the environment, having read them.
func TestHarden(t *testing.T) {
	t.Setenv("TOLLGATE_MASTER_KEY", "secret-key")
	t.Setenv("TOLLGATE_DATABASE", "postgres://u:pw@db/x")
	var stdout, stderr strings.Builder
	a := &app{stdout: &stdout, stderr: &stderr}
	root := a.rootCommand()
	root.SetArgs([]string{"master-key", "new"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if a.masterKeyEnv != "secret-key" || a.database != "postgres://u:pw@db/x" {
		t.Errorf("read %q and %q before removing them", a.masterKeyEnv, a.database)
	}
	for _, k := range secretEnv {
		if v, ok := os.LookupEnv(k); ok {
			t.Errorf("%s=%q is still in the environment", k, v)
		}
	}
	if d, err := dumpable(); runtime.GOOS == "linux" && (err != nil || d) {
		t.Errorf("dumpable = %v (%v)", d, err)
	}
}

// A descriptor Tollgate inherited without close-on-exec (a wrapper's
// `3< master.key`) is marked close-on-exec, so that no function inherits
// it; standard error is left as it is.
func TestHardenMarksInheritedDescriptorsCloseOnExec(t *testing.T) {
	functest.NeedLinux(t)
	fd, err := unix.Open(filepath.Join(t.TempDir(), "inherited"), unix.O_RDWR|unix.O_CREAT, 0o600) // no O_CLOEXEC
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := harden(); err != nil {
		t.Fatal(err)
	}
	if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil || flags&unix.FD_CLOEXEC == 0 {
		t.Errorf("fd %d: flags %#x (%v), want FD_CLOEXEC", fd, flags, err)
	}
	if flags, err := unix.FcntlInt(2, unix.F_GETFD, 0); err != nil || flags&unix.FD_CLOEXEC != 0 {
		t.Errorf("standard error: flags %#x (%v), want it inherited", flags, err)
	}
}

// The data directory is made private, and an open one closed, saying so.
func TestPrivateDataDir(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	fresh := filepath.Join(t.TempDir(), "new", ".tollgate")
	open := t.TempDir()
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{fresh, open} {
		if err := privateDataDir(dir, log); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v %v, want 0700", dir, fi.Mode(), err)
		}
	}
	if !strings.Contains(logs.String(), "made it mode 0700") || !strings.Contains(logs.String(), "was=0755") {
		t.Errorf("logs: %s", logs.String())
	}
}

func TestParseFunctionUser(t *testing.T) {
	tests := []struct {
		spec           string
		uid, gid, n    uint32
		errorSubstring string
	}{
		{spec: "nobody", uid: 65534, gid: 65534, n: 1},
		{spec: "65534", uid: 65534, gid: 65534, n: 1},
		{spec: "1990000000", uid: 1990000000, gid: 1990000000, n: 1},
		{spec: "1990000000-1990000099", uid: 1990000000, gid: 1990000000, n: 100},
		{spec: "0-10", errorSubstring: "0 < FIRST"},
		{spec: "20-10", errorSubstring: "FIRST <= LAST"},
		{spec: "65000-65534", errorSubstring: "above 65535"},
		{spec: "no-such-user-here", errorSubstring: "unknown user"},
	}
	for _, tt := range tests {
		u, err := parseFunctionUser(tt.spec)
		if tt.errorSubstring != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errorSubstring) {
				t.Errorf("%s: %v, want an error with %q", tt.spec, err, tt.errorSubstring)
			}
			continue
		}
		if err != nil || u.UID != tt.uid || u.GID != tt.gid || u.Count != tt.n {
			t.Errorf("%s: %+v %v", tt.spec, u, err)
		}
	}
}

// As root, functions run as nobody unless told otherwise, and as root only
// when asked, with a warning; without root, as Tollgate's own user.
func TestFunctionUserDefault(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	u, err := functionUser("", log)
	if os.Geteuid() != 0 {
		if u != nil || err != nil {
			t.Errorf("not root: %+v %v, want Tollgate's own user", u, err)
		}
		if _, err := functionUser("nobody", log); err == nil || !strings.Contains(err.Error(), "must run as root") {
			t.Errorf("not root, --function-user nobody: %v", err)
		}
		return
	}
	if err != nil || u == nil || u.UID != 65534 {
		t.Errorf("root: %+v %v, want nobody", u, err)
	}
	if u, err := functionUser("root", log); u != nil || err != nil || !strings.Contains(logs.String(), "functions run as root") {
		t.Errorf("root, --function-user root: %+v %v; logs %s", u, err, logs.String())
	}
}
