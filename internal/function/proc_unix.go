//go:build unix

package function

import (
	"os/exec"
	"syscall"
)

// setProcAttr starts the instance in a process group of its own, so that
// killing it also kills what the handler started, and as id when it is
// set: with that uid and gid and its groups alone (none of Tollgate's).
func setProcAttr(cmd *exec.Cmd, id *identity) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if id != nil {
		groups := append([]uint32{}, id.groups...)
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: id.uid, Gid: id.gid, Groups: groups}
	}
}

func killProcessGroup(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		// No group (it already ended): at most the process itself is left,
		// and an error here means it is gone too.
		_ = cmd.Process.Kill()
	}
}

// canSwitchUser reports whether this process may start processes as
// another user.
func canSwitchUser() bool { return syscall.Geteuid() == 0 }
