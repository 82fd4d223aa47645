package cli

import (
	"fmt"
	"log/slog"
	"os"
)

// secretEnv are the variables that may hold a secret: the master key, and
// a database or Redis URL with its password. rootCommand reads them; harden then
// removes them from the environment.
var secretEnv = []string{"TOLLGATE_MASTER_KEY", "TOLLGATE_MASTER_KEY_NEXT", "TOLLGATE_DATABASE", "TOLLGATE_REDIS"}

// harden protects what Tollgate holds (the master key, in memory and in
// the environment it was started with) from the functions it runs, which
// are user code and may be compromised, and from any other process of its
// user. First it marks every descriptor it inherited close-on-exec, so
// that no process it starts inherits one (a wrapper's `3< master.key`
// would be open in every function: Go's exec closes only the descriptors
// it opened itself). Then it makes the process non-dumpable (Linux), and
// removes the secret variables from the environment, so that no process
// started later inherits them and no later code shows them (functions get
// a minimal environment anyway). It runs before every command, since each
// one that opens the vault holds the key.
func harden() error {
	if err := closeInheritedOnExec(); err != nil {
		return fmt.Errorf("mark inherited file descriptors close-on-exec: %w", err)
	}
	for _, k := range secretEnv {
		os.Unsetenv(k)
	}
	if err := setNotDumpable(); err != nil {
		return fmt.Errorf("make the process non-dumpable: %w", err)
	}
	return nil
}

// privateDataDir creates the data directory with mode 0700, or makes an
// existing one 0700 (saying so), so that another user (the functions'
// when Tollgate runs as root) cannot read the database or the dev master
// key in it, whatever the modes of the files inside.
func privateDataDir(dir string, log *slog.Logger) error {
	fi, err := os.Stat(dir)
	if os.IsNotExist(err) {
		return os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		if err := os.Chmod(dir, perm&0o700); err != nil {
			log.Warn("the data directory is open to other users, and could not be closed", "dir", dir, "mode", fmt.Sprintf("%04o", perm), "error", err.Error())
			return nil
		}
		log.Warn("the data directory was open to other users: made it mode 0700", "dir", dir, "was", fmt.Sprintf("%04o", perm))
	}
	return nil
}
