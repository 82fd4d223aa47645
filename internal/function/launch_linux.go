//go:build linux

package function

import (
	"errors"
	"fmt"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// startProcess starts cmd with no_new_privs set: the instance's processes
// gain no privilege by exec, so that a set-user-ID or file-capability
// program (su, sudo with a cached ticket, a set-uid file another process
// left in /tmp) runs with their own credentials. SysProcAttr has no field
// for it, but the flag is a thread's and a child inherits it from the
// thread that started it: cmd starts from a thread of its own that sets
// the flag (which cannot be cleared), and that ends after.
func startProcess(cmd *exec.Cmd) error {
	return onDisposableThread(func() error {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("function: set no_new_privs: %w", err)
		}
		return cmd.Start()
	})
}

// killGroupOnExit waits for cmd's process to exit, and then kills what
// is left of its process group: what the handler started and left running
// when the instance exited by itself. It does not reap the process, so its
// pid, the group's id, is not reused by another process group before the
// kill (cmd.Wait reaps it after). It reports that it did (see instance.gone).
func killGroupOnExit(cmd *exec.Cmd) bool {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, cmd.Process.Pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	// The group exists (its leader is a zombie, not yet reaped), so this
	// cannot fail with ESRCH; Tollgate started the leader, so not with
	// EPERM either.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	return true
}
