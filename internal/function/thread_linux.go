//go:build linux

package function

import (
	goruntime "runtime"

	"golang.org/x/sys/unix"
)

// onDisposableThread runs f on an OS thread that no other goroutine runs
// on and that ends when f returns, for f to change what is a thread's own
// on Linux (its credentials, its no_new_privs flag) without the change
// reaching any other goroutine. A goroutine that exits locked to its
// thread ends the thread, and the runtime starts no thread from a locked
// one. The main thread cannot end (the runtime would park it for good,
// with the change), so f never runs there.
func onDisposableThread(f func() error) error {
	errc := make(chan error, 1)
	go func() {
		goruntime.LockOSThread()
		if unix.Gettid() == unix.Getpid() {
			// The main thread, held here while f runs on another.
			errc <- onDisposableThread(f)
			goruntime.UnlockOSThread()
			return
		}
		errc <- f() // and the thread ends, still locked
	}()
	return <-errc
}
