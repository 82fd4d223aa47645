package buildinfo

import (
	"regexp"
	"runtime"
	"testing"
)

// TestString: the version on the first line, then commit, date, Go version
// and platform, one "key: value" a line; what make dist stamps wins over
// what Go recorded, and a tree with changes says so.
func TestString(t *testing.T) {
	i := Info{Version: "v1.2.0", Revision: "0123abc", Time: "2026-12-05T10:00:00Z", Modified: true, GoVersion: "go1.26.8", Platform: "linux/arm64"}
	want := "tollgate v1.2.0\ncommit:   0123abc (modified)\ndate:     2026-12-05T10:00:00Z\ngo:       go1.26.8\nplatform: linux/arm64\n"
	if got := i.String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
	if got := (Info{Version: Devel, GoVersion: "go1.26.8", Platform: "darwin/amd64"}).String(); !regexp.MustCompile(`(?m)^commit:   unknown\ndate:     unknown$`).MatchString(got) {
		t.Errorf("without a revision: %s", got)
	}
}

// TestRead: a test binary has no release version (Devel, or what Go
// recorded), and knows its Go version and platform.
func TestRead(t *testing.T) {
	i := Read()
	if i.Version == "" || i.GoVersion != runtime.Version() || i.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("Read() = %+v", i)
	}
}
