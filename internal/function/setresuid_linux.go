//go:build linux && !(386 || arm)

package function

import "golang.org/x/sys/unix"

// sysSetresuid is setresuid(2) with 32-bit uids.
const sysSetresuid = unix.SYS_SETRESUID
