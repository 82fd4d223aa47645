//go:build !linux

package cli

// setNotDumpable does nothing where there is no prctl: there, a process
// of Tollgate's own user may read its memory (see the README).
func setNotDumpable() error { return nil }

func dumpable() (bool, error) { return true, nil }

// closeInheritedOnExec does nothing outside Linux: there, a descriptor
// Tollgate inherits without close-on-exec is open in its functions too.
func closeInheritedOnExec() error { return nil }
