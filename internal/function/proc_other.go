//go:build !unix

package function

import (
	"io/fs"
	"os/exec"
)

func setProcAttr(*exec.Cmd, *identity) {}

func killProcessGroup(cmd *exec.Cmd) {
	if cmd != nil && cmd.Process != nil {
		_ = cmd.Process.Kill() // an error means the process is already gone
	}
}

func canSwitchUser() bool { return false }

// permits: without Unix credentials there is no function user to check
// for (New refuses one).
func permits(fs.FileInfo, identity, fs.FileMode) bool { return true }
