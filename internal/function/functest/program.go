package functest

import (
	"cmp"
	"os"
	"os/exec"
	"path/filepath"
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
