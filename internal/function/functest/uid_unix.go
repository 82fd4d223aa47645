//go:build unix

package functest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// OthersOfUID reports whether uid has a process (a zombie included) but
// the one it asks with: the kernel counts a uid's processes, and refuses
// one a fork over its RLIMIT_NPROC, at once, where a scan of /proc may
// miss one that forks meanwhile.
func OthersOfUID(t testing.TB, uid int) bool {
	t.Helper()
	return AsUID(t, uid, `import os, resource, sys
resource.setrlimit(resource.RLIMIT_NPROC, (2, 2))
try:
    pid = os.fork()
except BlockingIOError:
    sys.exit(0)
if pid == 0:
    os._exit(0)
os.waitpid(pid, 0)
sys.exit(3)`)
}

// AsUID runs a python3 program as uid and reports whether it exited 0
// (else 3).
func AsUID(t testing.TB, uid int, program string) bool {
	t.Helper()
	cred := &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid), Groups: []uint32{}} //nolint:gosec // G115: the tests' uids come from the function user's uid range
	var err error
	var out []byte
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		c := exec.Command(filepath.Join(dir, "python3"), "-c", program) //nolint:gosec // G204: a test running its own program with the python3 on PATH
		c.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		out, err = c.CombinedOutput()
		var ee *exec.ExitError
		switch {
		case err == nil:
			return true
		case errors.As(err, &ee) && ee.ExitCode() == 3:
			return false
		case errors.As(err, &ee):
			t.Fatalf("python3 as uid %d: %v %s", uid, err, out)
		}
		// Not there, or not for uid (pyenv's shims under /root): the next.
	}
	t.Fatalf("no python3 on PATH that uid %d may run: %v", uid, err)
	return false
}
