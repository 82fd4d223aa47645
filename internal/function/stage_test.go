//go:build unix

package function

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/tollgate/tollgate/internal/function/functest"
)

// stagedGID is the group the tests' copies are made for.
const stagedGID = 1990000900

// The staged copy has the code, readable by the function user's group
// alone, executables kept executable, and links as links: one into the
// code points into the copy, one out of it is not followed.
func TestStageCode(t *testing.T) {
	src := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret")
	must(t, os.WriteFile(outside, []byte("not code"), 0o600))
	must(t, os.MkdirAll(filepath.Join(src, "lib"), 0o700))
	must(t, os.WriteFile(filepath.Join(src, "lib", "mod.js"), []byte("code"), 0o600))
	must(t, os.WriteFile(filepath.Join(src, "bootstrap"), []byte("#!/bin/sh\n"), 0o700))
	must(t, os.Symlink(filepath.Join(src, "lib", "mod.js"), filepath.Join(src, "abs")))
	must(t, os.Symlink("lib/mod.js", filepath.Join(src, "rel")))
	must(t, os.Symlink(outside, filepath.Join(src, "out")))

	dst := filepath.Join(t.TempDir(), "copy")
	if err := stageCode(src, dst, uint32(os.Getegid())); err != nil {
		t.Fatal(err)
	}
	modes := map[string]os.FileMode{".": 0o750 | os.ModeDir, "lib": 0o750 | os.ModeDir, "lib/mod.js": 0o640, "bootstrap": 0o750}
	for name, want := range modes {
		fi, err := os.Lstat(filepath.Join(dst, name))
		if err != nil || fi.Mode() != want {
			t.Errorf("%s: %v %v, want %v", name, fi.Mode(), err, want)
		}
	}
	links := map[string]string{"abs": filepath.Join(dst, "lib", "mod.js"), "rel": "lib/mod.js", "out": outside}
	for name, want := range links {
		if got, err := os.Readlink(filepath.Join(dst, name)); err != nil || got != want {
			t.Errorf("link %s -> %q (%v), want %q", name, got, err, want)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dst, "abs")); err != nil || string(b) != "code" {
		t.Errorf("through the copied link: %q %v", b, err)
	}
}

// As root, the copy's group is the function user's: its directories and
// files are open to that group, and to no other user.
func TestStageCodeOpenToTheGroupAlone(t *testing.T) {
	needRoot(t)
	src := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(src, "lib"), 0o755))
	must(t, os.WriteFile(filepath.Join(src, "lib", "mod.js"), []byte("code"), 0o644))
	must(t, os.WriteFile(filepath.Join(src, "index.js"), []byte("code"), 0o755))
	dst := filepath.Join(t.TempDir(), "copy")
	if err := stageCode(src, dst, stagedGID); err != nil {
		t.Fatal(err)
	}
	must(t, filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		if fi.Mode().Perm()&0o007 != 0 || st.Gid != stagedGID || st.Uid != 0 {
			t.Errorf("%s: %v, owner %d:%d; want no access for others, root:%d", p, fi.Mode(), st.Uid, st.Gid, stagedGID)
		}
		return nil
	}))
}

// A link on the code directory's path owned by another user, pointing at
// what that user does not own, is not copied through: the owner of the
// directory it is in could have pointed it at root's data directory
// before Tollgate started. A link of that user's to that user's own
// directory is.
func TestStageCodeRefusesAnotherUsersLink(t *testing.T) {
	needRoot(t)
	const alice = 1990000901
	base := t.TempDir()
	rootOnly := filepath.Join(base, "root-only")
	must(t, os.Mkdir(rootOnly, 0o700))
	must(t, os.WriteFile(filepath.Join(rootOnly, "master.key"), []byte("THE-MASTER-KEY"), 0o600))
	home := filepath.Join(base, "alice")
	own := filepath.Join(home, "build")
	must(t, os.MkdirAll(own, 0o755))
	must(t, os.WriteFile(filepath.Join(own, "index.js"), []byte("code"), 0o644))
	for _, p := range []string{home, own, filepath.Join(own, "index.js")} {
		must(t, os.Chown(p, alice, alice))
	}
	for name, target := range map[string]string{"fn": rootOnly, "mine": own} {
		must(t, os.Symlink(target, filepath.Join(home, name)))
		must(t, os.Lchown(filepath.Join(home, name), alice, alice))
	}
	err := stageCode(filepath.Join(home, "fn"), filepath.Join(base, "copy"), stagedGID)
	if err == nil || !strings.Contains(err.Error(), "another user's link") {
		t.Errorf("through alice's link to root's directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(base, "copy", "master.key")); err == nil {
		t.Error("root's file was copied")
	}
	if err := stageCode(filepath.Join(home, "mine"), filepath.Join(base, "copy2"), stagedGID); err != nil {
		t.Errorf("through alice's link to her own directory: %v", err)
	}
}

// A directory of the code's path swapped for a link after it was resolved
// is not opened.
func TestOpenDirNoFollow(t *testing.T) {
	base := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(base, "real", "code"), 0o755))
	must(t, os.Symlink(filepath.Join(base, "real"), filepath.Join(base, "link")))
	fd, err := openDirNoFollow(filepath.Join(base, "real", "code"))
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(fd)
	if fd, err := openDirNoFollow(filepath.Join(base, "link", "code")); err == nil {
		unix.Close(fd)
		t.Error("opened a path through a link")
	}
}

func needRoot(t *testing.T) {
	t.Helper()
	functest.NeedRoot(t)
}
