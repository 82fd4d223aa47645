package function

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// The owner of a function's code directory (a local user, whose directory
// the function user cannot read) swaps a subdirectory for a link to a
// directory only root may read, after Tollgate listed it as a directory
// and before it copies it: a watch on the directory Tollgate is copying
// says when. The copy, made by root at start-up for the function user,
// must not hold what the link leads to.
func TestStageCodeFollowsNoLinkSwappedIn(t *testing.T) {
	base := t.TempDir()
	secretDir := filepath.Join(base, "root-only") // stands for /root/.tollgate
	must(t, os.Mkdir(secretDir, 0o700))
	must(t, os.WriteFile(filepath.Join(secretDir, "master.key"), []byte("THE-MASTER-KEY"), 0o600))
	src := filepath.Join(base, "code")
	must(t, os.MkdirAll(filepath.Join(src, "a"), 0o755)) // copied first: many files
	must(t, os.MkdirAll(filepath.Join(src, "b"), 0o755)) // swapped while a is copied
	for i := range 3000 {
		must(t, os.WriteFile(filepath.Join(src, "a", fmt.Sprintf("f%04d", i)), []byte("x"), 0o644))
	}
	watch := watchOpens(t, filepath.Join(src, "a"))
	swapped := make(chan error, 1)
	go func() {
		if _, err := watch.Read(make([]byte, 4096)); err != nil {
			swapped <- err // stageCode returned before it opened a
			return
		}
		os.Remove(filepath.Join(src, "b"))
		swapped <- os.Symlink(secretDir, filepath.Join(src, "b"))
	}()
	dst := filepath.Join(base, "copy")
	err := stageCode(src, dst, uint32(os.Getegid()))
	watch.Close()
	if e := <-swapped; e != nil {
		t.Fatalf("the swap: %v (stageCode: %v)", e, err)
	}
	t.Logf("stageCode: %v", err)
	must(t, filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("THE-MASTER-KEY")) {
				t.Errorf("the copy holds %s, copied through a link swapped in for a directory", p)
			}
		}
		return nil
	}))
}

// watchOpens returns an inotify descriptor that reads an event when dir or
// a file in it is opened; closing it ends a pending read.
func watchOpens(t *testing.T, dir string) *os.File {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_OPEN); err != nil {
		t.Fatal(err)
	}
	return os.NewFile(uintptr(fd), "inotify")
}
