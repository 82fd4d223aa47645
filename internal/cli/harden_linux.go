//go:build linux

package cli

import (
	"math"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// setNotDumpable makes this process non-dumpable: no core dump, and no
// process but root may read its memory (/proc/PID/mem), its environment
// as it was started (/proc/PID/environ: os.Unsetenv does not erase that
// copy) or its open files (/proc/PID/fd), nor ptrace it — a function
// running as Tollgate's own user included.
func setNotDumpable() error {
	return unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
}

// dumpable reports the process's dumpable flag (for tests).
func dumpable() (bool, error) {
	v, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
	return v != 0, err
}

// closeInheritedOnExec marks every descriptor from 3 up close-on-exec:
// those Tollgate inherited, which a process it starts would inherit in
// turn. Standard input, output and error stay. Descriptors Go opens are
// close-on-exec already. Where close_range cannot (Linux before 5.11, a
// seccomp profile that refuses it), each descriptor /proc/self/fd lists.
func closeInheritedOnExec() error {
	if unix.CloseRange(3, math.MaxUint32, unix.CLOSE_RANGE_CLOEXEC) == nil {
		return nil
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return err
	}
	for _, e := range ents {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd >= 3 {
			unix.CloseOnExec(fd) // the directory's own descriptor, closed since, is no error
		}
	}
	return nil
}
