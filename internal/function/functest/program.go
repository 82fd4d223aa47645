package functest

import (
	"cmp"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// debianPackage names the Debian package .ci/run installs a program from,
// where it is not named after the program.
var debianPackage = map[string]string{"node": "nodejs", "aws": "awscli"}

// NeedProgram returns the path of a program a test runs: node, python3,
// curl, aws (the AWS CLI) or nginx. Without it the test is skipped on a
// developer's machine but fails in CI (CI set), where .ci/run installs it:
// CI runs every test. The sbin directories are searched too, as not every
// user has them on PATH (nginx is /usr/sbin/nginx).
func NeedProgram(t testing.TB, name string) string {
	t.Helper()
	if path, err := exec.LookPath(name); err == nil {
		return path
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin"} {
		if path, err := exec.LookPath(filepath.Join(dir, name)); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		pkg := cmp.Or(debianPackage[name], name)
		t.Fatalf("%s is not installed; .ci/run installs it (Debian's %s)", name, pkg)
	}
	t.Skipf("%s is not installed", name)
	return ""
}

// NeedRoot is for a test of what only root may do (switching users, uid
// ranges). Without root the test is skipped on a developer's machine but
// fails in CI (CI set), which runs as root: CI runs every test.
func NeedRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal("this test needs root, as CI runs")
	}
	t.Skip("needs root")
}

// NeedLinux is for a test of what only Linux does (process groups killed
// on exit, no_new_privs, /proc). Elsewhere the test is skipped on a
// developer's machine but fails in CI (CI set), which runs on Linux.
func NeedLinux(t testing.TB) {
	t.Helper()
	if runtime.GOOS == "linux" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("this test needs Linux, as CI runs; this is %s", runtime.GOOS)
	}
	t.Skipf("Linux only (this is %s)", runtime.GOOS)
}

// NeedFile is NeedProgram for a file a test needs that a command installs
// (packages from a lockfile, say): what names it, install is the command
// .ci/run runs to make it. Without it the test is skipped on a developer's
// machine but fails in CI (CI set): CI runs every test.
func NeedFile(t testing.TB, path, what, install string) {
	t.Helper()
	if _, err := os.Stat(path); err == nil {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed (%s missing): run %s (.ci/run does)", what, path, install)
	}
	t.Skipf("%s is not installed: run %s", what, install)
}
