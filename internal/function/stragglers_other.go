//go:build !linux

package function

// killUID does nothing without /proc: a process that left its instance's
// process group outlives the instance (see killProcessGroup).
func killUID(uint32) {}
