package function

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// User is the account function processes run as instead of Tollgate's
// own, so that file permissions keep a function (user code, which may be
// compromised) out of Tollgate's data directory and master key. Switching
// to it needs root, and Unix.
type User struct {
	// Name names the account in messages ("nobody", "61184-65519").
	Name     string
	UID, GID uint32
	// Count, when above 1, makes UID … UID+Count-1 a range: each instance
	// runs as a uid of its own from it, with the gid of the same number.
	// Instances that share a uid can read each other's environment (the
	// Runtime API secret among it) and memory, and signal each other;
	// instances with their own cannot.
	Count uint32
}

// identity is the uid and gid one instance runs as.
type identity struct{ uid, gid uint32 }

func (id identity) String() string { return fmt.Sprintf("uid %d", id.uid) }

// identities hands out the identities of a User to instances: always the
// same one, or, for a range, one that no live instance has, going round
// the range so that a freed uid is reused as late as possible (a process
// that escaped its instance's process group may still run as it).
type identities struct {
	u    *User
	mu   sync.Mutex
	next uint32
	used map[uint32]bool
}

func newIdentities(u *User) *identities {
	return &identities{u: u, used: map[uint32]bool{}}
}

// first is the identity the start-up checks are made for: every identity
// of a range is alike, owning no file.
func (ids *identities) first() identity { return identity{ids.u.UID, ids.u.GID} }

var errNoFreeUID = errors.New("every uid of the function user's range is in use")

func (ids *identities) take() (identity, error) {
	if ids.u.Count <= 1 {
		return ids.first(), nil
	}
	ids.mu.Lock()
	defer ids.mu.Unlock()
	for range ids.u.Count {
		uid := ids.u.UID + ids.next
		ids.next = (ids.next + 1) % ids.u.Count
		if !ids.used[uid] {
			ids.used[uid] = true
			return identity{uid, uid}, nil
		}
	}
	return identity{}, fmt.Errorf("%w (%s)", errNoFreeUID, ids.u.Name)
}

func (ids *identities) release(id identity) {
	if ids.u.Count <= 1 {
		return
	}
	ids.mu.Lock()
	delete(ids.used, id.uid)
	ids.mu.Unlock()
}

// makeHome makes the directory that is HOME and TMPDIR of an instance run
// as id: its own, so that nothing of Tollgate's HOME or temporary
// directory is shared with it, and removed when the instance exits.
func (r *Runner) makeHome(instanceID string, id identity) (string, error) {
	dir := filepath.Join(r.rtDir, "home-"+instanceID)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", fmt.Errorf("instance directory: %w", err)
	}
	if err := os.Chown(dir, int(id.uid), int(id.gid)); err != nil {
		os.Remove(dir)
		return "", fmt.Errorf("instance directory: %w", err)
	}
	return dir, nil
}
