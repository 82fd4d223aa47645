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
	// runs as a uid of its own from UID+1 on, with the gid of the same
	// number. Instances that share a uid can read each other's environment
	// (the Runtime API secret among it) and memory, and signal each other;
	// instances with their own cannot. UID itself runs nothing: GID (the
	// same number) is the one group every instance of the range has, which
	// alone may read staged code (see stageCode), and UID is the real uid
	// Tollgate kills an instance's leftovers as (see killUID), one that no
	// process has and so none can signal.
	Count uint32

	// ids hands out the uids of the User: one allocator for every Runner
	// given this User, so that a runner that replaces another (the
	// server's reload, while the old one's instances finish) never gives
	// an instance a uid that an instance of the other still runs as.
	idsOnce sync.Once
	ids     *identities
}

// identities returns the User's allocator of identities, shared by every
// Runner given u.
func (u *User) identities() *identities {
	u.idsOnce.Do(func() { u.ids = newIdentities(u) })
	return u.ids
}

// identity is the uid, gid and supplementary groups one instance runs as.
type identity struct {
	uid, gid uint32
	groups   []uint32
}

func (id identity) String() string { return fmt.Sprintf("uid %d", id.uid) }

// isRange reports whether each instance runs as a uid of its own.
func (u *User) isRange() bool { return u.Count > 1 }

// identities hands out the identities of a User to instances: always the
// same one, or, for a range, one that no live instance has, going round
// the range so that a freed uid is reused as late as possible.
type identities struct {
	u    *User
	mu   sync.Mutex
	next uint32
	used map[uint32]bool
}

func newIdentities(u *User) *identities {
	return &identities{u: u, used: map[uint32]bool{}}
}

// of is the identity of an instance run as uid.
func (ids *identities) of(uid uint32) identity {
	if !ids.u.isRange() {
		return identity{ids.u.UID, ids.u.GID, nil}
	}
	return identity{uid, uid, []uint32{ids.u.GID}}
}

// first is the identity the start-up checks are made for: every identity
// of a range is alike, owning no file.
func (ids *identities) first() identity { return ids.of(ids.u.UID + 1) }

// codeGroup is the group of staged code: the function user's group, which
// every instance has.
func (ids *identities) codeGroup() uint32 { return ids.u.GID }

var errNoFreeUID = errors.New("every uid of the function user's range is in use")

func (ids *identities) take() (identity, error) {
	if !ids.u.isRange() {
		return ids.first(), nil
	}
	ids.mu.Lock()
	defer ids.mu.Unlock()
	n := ids.u.Count - 1 // UID itself is no instance's
	for range n {
		uid := ids.u.UID + 1 + ids.next
		ids.next = (ids.next + 1) % n
		if !ids.used[uid] {
			ids.used[uid] = true
			return ids.of(uid), nil
		}
	}
	return identity{}, fmt.Errorf("%w (%s)", errNoFreeUID, ids.u.Name)
}

// release frees a range's uid for another instance. Call it only once no
// process of that uid is left (see killUID): a leftover would read the
// next instance's environment.
func (ids *identities) release(id identity) {
	if !ids.u.isRange() {
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
