package function

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/tollgate/tollgate/internal/function/functest"
)

// What a range's uid left at the top of /tmp (a file, a directory with a
// link out of it) is removed once its processes are gone; another uid's
// file stays, and what the link points to too.
func TestRemoveFilesOf(t *testing.T) {
	needRoot(t)
	const uid, other = 1990000910, 1990000911
	keep := filepath.Join(t.TempDir(), "keep")
	must(t, os.WriteFile(keep, []byte("x"), 0o644))
	left := filepath.Join("/tmp", "tollgate-test-left-"+randomHex(4))
	dir := filepath.Join("/tmp", "tollgate-test-dir-"+randomHex(4))
	others := filepath.Join("/tmp", "tollgate-test-other-"+randomHex(4))
	t.Cleanup(func() { os.RemoveAll(left); os.RemoveAll(dir); os.RemoveAll(others) })
	must(t, os.WriteFile(left, []byte("secret"), 0o644))
	must(t, os.Mkdir(dir, 0o755))
	must(t, os.Symlink(keep, filepath.Join(dir, "link")))
	must(t, os.WriteFile(others, []byte("x"), 0o644))
	for _, p := range []string{left, dir, filepath.Join(dir, "link")} {
		must(t, os.Lchown(p, uid, uid))
	}
	must(t, os.Chown(others, other, other))

	must(t, removeFilesOf(uid))
	for _, p := range []string{left, dir} {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("%s of uid %d left: %v", p, uid, err)
		}
	}
	for _, p := range []string{others, keep} {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s removed: %v", p, err)
		}
	}
}

// The threads that kill as a range's uid, or start an instance with
// no_new_privs, end with their work: no thread of Tollgate is left with
// the uid or the flag (the runtime would run any goroutine on it).
func TestDisposableThreadsLeaveNoTrace(t *testing.T) {
	needRoot(t)
	const uid, spare = 1990000921, 1990000920
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if err := killAllAs(uid, spare); err != nil && !errors.Is(err, unix.ESRCH) {
				t.Error(err)
			}
			if err := startProcess(exec.Command("true")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	functest.Eventually(t, "every thread root, without no_new_privs", func() bool {
		tasks, _ := os.ReadDir("/proc/self/task")
		for _, task := range tasks {
			b, err := os.ReadFile("/proc/self/task/" + task.Name() + "/status")
			if err == nil && (!strings.Contains(string(b), "\nUid:\t0\t0\t0\t0\n") || !strings.Contains(string(b), "\nNoNewPrivs:\t0\n")) {
				return false
			}
		}
		return true
	})
}
