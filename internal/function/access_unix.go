//go:build unix

package function

import (
	"io/fs"
	"slices"
	"syscall"
)

// permits reports whether id may access a file with fi's owner and mode
// for want (a mask of 0o4 read, 0o2 write, 0o1 execute or search), by the
// owner, group (its gid or one of its groups) or other bits as the kernel
// picks them. ACLs are not
// read: a file they open up is copied for nothing, one they close is
// found when the instance fails to read it.
func permits(fi fs.FileInfo, id identity, want fs.FileMode) bool {
	perm := fi.Mode().Perm()
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !ok:
		return true
	case st.Uid == id.uid:
		perm >>= 6
	case st.Gid == id.gid || slices.Contains(id.groups, st.Gid):
		perm >>= 3
	}
	return perm&want == want
}
