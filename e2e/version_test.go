package e2e

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
)

// versionShape is what `tollgate version` prints: the version, then the
// commit, the date, the Go version and the platform.
var versionShape = regexp.MustCompile(`^tollgate (\S+)\ncommit:   (\S+)( \(modified\))?\ndate:     (\S+)\ngo:       (go\S+)\nplatform: (\S+/\S+)\n$`)

// TestVersion: `tollgate version` and `tollgate --version` print the same
// lines, with this Go's version and platform.
func TestVersion(t *testing.T) {
	out, stderr, code := run(t, nil, "version")
	if code != 0 {
		t.Fatalf("version: exit %d\n%s", code, stderr)
	}
	m := versionShape.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("version printed:\n%s", out)
	}
	if m[5] != runtime.Version() || m[6] != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("go %s, platform %s; want %s, %s/%s", m[5], m[6], runtime.Version(), runtime.GOOS, runtime.GOARCH)
	}
	flag, _, code := run(t, nil, "--version")
	if code != 0 || flag != out {
		t.Errorf("--version (exit %d) printed:\n%s\nwant what version printed:\n%s", code, flag, out)
	}
}

// TestVersionStamped: what make dist stamps with -ldflags -X is what
// version prints.
func TestVersionStamped(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "tollgate")
	const pkg = "github.com/tollgate/tollgate/internal/buildinfo"
	build := exec.Command("go", "build", "-o", bin,
		"-ldflags", "-X "+pkg+".version=v9.8.7 -X "+pkg+".revision=0123456789abcdef -X "+pkg+".date=2026-12-05T10:00:00Z",
		"../cmd/tollgate")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	m := versionShape.FindStringSubmatch(string(out))
	if m == nil || m[1] != "v9.8.7" || m[2] != "0123456789abcdef" || m[4] != "2026-12-05T10:00:00Z" {
		t.Errorf("version printed:\n%s", out)
	}
}
