package cli

import (
	"bufio"
	"fmt"
	"log/slog"
	"math"
	"os"
	"os/user"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/function"
)

// defaultFunctionUser is who functions run as when Tollgate runs as root
// and --function-user is not given.
const defaultFunctionUser = "nobody"

// functionUser resolves --function-user. Functions are user code that may
// be compromised; as root, Tollgate runs them as another user, so that
// file permissions keep them out of its data directory and master key
// file, and the kernel keeps them out of its memory:
//
//   - "" is the default: nobody when Tollgate runs as root, else
//     Tollgate's own user (a process cannot switch users without root);
//   - a name or a number is that one account, for every function;
//   - FIRST-LAST is a range of uids, one per instance (with the gid of
//     the same number), which keeps functions apart from each other too;
//     FIRST itself runs nothing (see function.User).
//
// nil means Tollgate's own user.
func functionUser(spec string, log *slog.Logger) (*function.User, error) {
	root := os.Geteuid() == 0
	if spec == "" {
		if !root {
			return nil, nil
		}
		spec = defaultFunctionUser
	}
	u, err := parseFunctionUser(spec)
	if err != nil {
		return nil, fmt.Errorf("--function-user %s: %w", spec, err)
	}
	switch {
	case u.Count <= 1 && int(u.UID) == os.Geteuid():
		if root {
			log.Warn("functions run as root: they can read everything Tollgate can, the master key included", "function_user", spec)
		}
		return nil, nil
	case !root:
		return nil, fmt.Errorf("--function-user %s: Tollgate must run as root to run functions as another user", spec)
	}
	return u, nil
}

// parseFunctionUser reads a user name, a uid, or a range FIRST-LAST of
// uids (see parseUIDRange).
func parseFunctionUser(spec string) (*function.User, error) {
	if first, last, ok := strings.Cut(spec, "-"); ok && isDigits(first) && isDigits(last) {
		return parseUIDRange(spec, first, last)
	}
	var acct *user.User
	var err error
	if isDigits(spec) {
		if acct, err = user.LookupId(spec); err != nil {
			// A uid without an account runs with the gid of the same
			// number, which must be no group's.
			if g, err := user.LookupGroupId(spec); err == nil {
				return nil, fmt.Errorf("uid %s has no account, so functions would run with gid %s, which is the group %s: choose a number no group has, or an account", spec, spec, g.Name)
			}
			acct = &user.User{Uid: spec, Gid: spec, Username: spec}
		}
	} else if acct, err = user.Lookup(spec); err != nil {
		return nil, err
	}
	uid, err1 := strconv.ParseUint(acct.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(acct.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("uid %q or gid %q is not a number", acct.Uid, acct.Gid)
	}
	return &function.User{Name: acct.Username, UID: uint32(uid), GID: uint32(gid), Count: 1}, nil
}

// minRangeUID is the lowest uid a range may hold. Uids and gids below it
// are the system's and its users': accounts and groups that /etc/passwd
// and /etc/group may not list (LDAP, systemd), and files that deleted
// accounts left. Ranges above it are what /etc/subuid hands out.
const minRangeUID = 65536

// maxLookups bounds the uids and gids of a range that are looked up one
// by one in the account and group databases (NSS: LDAP, systemd…), at
// about 50 µs a lookup; /etc/passwd and /etc/group are read for all.
const maxLookups = 4096

// parseUIDRange reads a range FIRST-LAST of uids that no account and no
// group has: each instance runs as one of them, with the gid of the same
// number, and would have the files and processes of an account of that
// uid, or the files of a group of that gid.
func parseUIDRange(spec, first, last string) (*function.User, error) {
	lo, err1 := strconv.ParseUint(first, 10, 32)
	hi, err2 := strconv.ParseUint(last, 10, 32)
	switch {
	case err1 != nil || err2 != nil || lo == 0 || hi < lo || hi == math.MaxUint32:
		return nil, fmt.Errorf("a uid range is FIRST-LAST, with 0 < FIRST <= LAST < %d", uint64(math.MaxUint32))
	case lo < minRangeUID:
		return nil, fmt.Errorf("a uid range must lie above %d: uids and gids below it are the system's and its users' (accounts and groups /etc/passwd and /etc/group may not list, files they own); choose one nothing uses, as /etc/subuid ranges are, such as 1990000000-1990000999", minRangeUID-1)
	}
	if err := idsTaken(uint32(lo), uint32(hi)); err != nil {
		return nil, fmt.Errorf("%w; choose ids that no account, group or file has", err)
	}
	return &function.User{Name: spec, UID: uint32(lo), GID: uint32(lo), Count: uint32(hi-lo) + 1}, nil
}

// idsTaken returns an error naming an account whose uid, or a group whose
// gid, is in [lo, hi]: /etc/passwd and /etc/group are read for the whole
// range, the databases behind them (NSS) for up to maxLookups ids.
func idsTaken(lo, hi uint32) error {
	account := func(id uint32, name string) error {
		return fmt.Errorf("uid %d of the range belongs to the account %s", id, name)
	}
	group := func(id uint32, name string) error {
		return fmt.Errorf("gid %d of the range (each instance runs with the gid of its uid's number) is the group %s", id, name)
	}
	if name, id, taken := idInRange("/etc/passwd", lo, hi); taken {
		return account(id, name)
	}
	if name, id, taken := idInRange("/etc/group", lo, hi); taken {
		return group(id, name)
	}
	for id := lo; hi-lo < maxLookups && id <= hi; id++ {
		s := strconv.FormatUint(uint64(id), 10)
		if u, err := user.LookupId(s); err == nil {
			return account(id, u.Username)
		}
		if g, err := user.LookupGroupId(s); err == nil {
			return group(id, g.Name)
		}
	}
	return nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// idInRange returns an entry of a database file in the format of
// /etc/passwd or /etc/group (name:x:id:…) whose id is in [lo, hi].
func idInRange(file string, lo, hi uint32) (string, uint32, bool) {
	f, err := os.Open(file) //nolint:gosec // /etc/passwd or /etc/group, or a test's copy: never a path from input
	if err != nil {
		return "", 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) < 3 {
			continue
		}
		if id, err := strconv.ParseUint(fields[2], 10, 32); err == nil && uint32(id) >= lo && uint32(id) <= hi {
			return fields[0], uint32(id), true
		}
	}
	return "", 0, false
}
