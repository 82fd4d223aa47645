//go:build !linux

package cli

// setNotDumpable does nothing where there is no prctl: there, a process
// of Tollgate's own user may read its memory (see the README).
func setNotDumpable() error { return nil }

func dumpable() (bool, error) { return true, nil }
