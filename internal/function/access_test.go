package function

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The Runtime API serves only requests whose path starts with the
// instance's secret, and sees the path without it.
func TestRequireSecret(t *testing.T) {
	secret := strings.Repeat("ab", 32)
	var seen string
	refusals := 0
	h := requireSecret(secret, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.URL.Path
		w.Write([]byte("served"))
	}), func(*http.Request) { refusals++ })
	next := "/2018-06-01/runtime/invocation/next"
	tests := []struct {
		path string
		want int
	}{
		{"/" + secret + next, http.StatusOK},
		{next, http.StatusForbidden},
		{"/" + secret, http.StatusForbidden},
		{"/" + secret[:63] + "c" + next, http.StatusForbidden},
		{"/" + secret[:62] + next, http.StatusForbidden},
		{"/" + secret + "ab" + next, http.StatusForbidden},
		{"/x/" + secret + next, http.StatusForbidden},
	}
	for _, tt := range tests {
		seen = ""
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, tt.path, nil))
		if w.Code != tt.want {
			t.Errorf("%s: %d, want %d", tt.path, w.Code, tt.want)
		}
		if tt.want == http.StatusOK && seen != next {
			t.Errorf("%s: handler saw %q", tt.path, seen)
		}
		if tt.want != http.StatusOK && seen != "" {
			t.Errorf("%s: refused, yet the handler ran", tt.path)
		}
	}
	if refusals != len(tests)-1 {
		t.Errorf("%d refusals told, want %d", refusals, len(tests)-1)
	}
}

// permits picks the owner, group or other bits as the kernel does, and
// accessible needs every directory on the way to be searchable.
func TestAccessible(t *testing.T) {
	// stranger owns nothing here; own owns it all.
	stranger := identity{uid: 4000000001, gid: 4000000001}
	own := identity{uid: uint32(os.Geteuid()), gid: 4000000001}
	base := openTempDir(t)
	open := filepath.Join(base, "open")
	closed := filepath.Join(base, "closed")
	for _, d := range []string{open, closed} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	must(t, os.Chmod(closed, 0o700))
	write := func(p string, mode os.FileMode) {
		if err := os.WriteFile(p, []byte("x"), mode); err != nil {
			t.Fatal(err)
		}
		must(t, os.Chmod(p, mode))
	}
	write(filepath.Join(open, "public"), 0o644)
	write(filepath.Join(open, "private"), 0o600)
	write(filepath.Join(open, "tool"), 0o755)
	write(filepath.Join(closed, "public"), 0o644)
	must(t, os.Symlink(filepath.Join(closed, "public"), filepath.Join(open, "link")))

	tests := []struct {
		id   identity
		path string
		want os.FileMode
		ok   bool
	}{
		{stranger, filepath.Join(open, "public"), mayRead, true},
		{stranger, filepath.Join(open, "private"), mayRead, false},
		{own, filepath.Join(open, "private"), mayRead, true},
		{stranger, filepath.Join(open, "tool"), mayExec, true},
		{stranger, filepath.Join(open, "public"), mayExec, false},
		{stranger, filepath.Join(closed, "public"), mayRead, false}, // closed is not searchable
		{own, filepath.Join(closed, "public"), mayRead, true},
		{stranger, filepath.Join(open, "link"), mayRead, false}, // through the link, closed again
	}
	for _, tt := range tests {
		err := accessible(tt.id, tt.path, tt.want)
		if (err == nil) != tt.ok {
			t.Errorf("%s %s %o: %v, want ok=%v", tt.id, tt.path, tt.want, err, tt.ok)
		}
	}
	if err := readableTree(stranger, base); err == nil {
		t.Error("readableTree passed a tree with a private file")
	}
	if err := readableTree(stranger, filepath.Join(base, "open")); err == nil || !strings.Contains(err.Error(), "private") {
		t.Errorf("readableTree = %v, want the private file named", err)
	}
}

// openTempDir returns a temporary directory that every user may search
// (t.TempDir's parent is 0700).
func openTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A range hands each live instance a uid of its own, round the range from
// its second uid (the first is the range's group, and runs nothing), with
// the range's group as its one supplementary group.
func TestIdentities(t *testing.T) {
	ids := newIdentities(&User{Name: "100-103", UID: 100, GID: 100, Count: 4})
	a, _ := ids.take()
	b, _ := ids.take()
	c, _ := ids.take()
	if a.uid != 101 || b.uid != 102 || c.uid != 103 || a.gid != 101 || len(a.groups) != 1 || a.groups[0] != 100 {
		t.Fatalf("took %+v %+v %+v", a, b, c)
	}
	if _, err := ids.take(); err == nil {
		t.Fatal("a fourth instance got a uid of a range of three instance uids")
	}
	ids.release(b)
	if d, err := ids.take(); err != nil || d.uid != 102 {
		t.Errorf("after freeing 102: %v %v", d, err)
	}
	if ids.codeGroup() != 100 || ids.first().uid != 101 {
		t.Errorf("code group %d, first %v", ids.codeGroup(), ids.first())
	}
	one := newIdentities(&User{Name: "nobody", UID: 65534, GID: 65534, Count: 1})
	x, _ := one.take()
	y, _ := one.take()
	if x.uid != y.uid || x.uid != 65534 || x.gid != 65534 || x.groups != nil || one.codeGroup() != 65534 {
		t.Errorf("one user: %+v %+v", x, y)
	}
}

// must fails the test on a fixture step's error.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
