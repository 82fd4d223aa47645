//go:build linux

package cli

import "golang.org/x/sys/unix"

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
