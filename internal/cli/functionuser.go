package cli

import (
	"bufio"
	"fmt"
	"log/slog"
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
//     the same number), which keeps functions apart from each other too.
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
// uids that no account of /etc/passwd holds.
func parseFunctionUser(spec string) (*function.User, error) {
	if first, last, ok := strings.Cut(spec, "-"); ok && isDigits(first) && isDigits(last) {
		lo, err1 := strconv.ParseUint(first, 10, 32)
		hi, err2 := strconv.ParseUint(last, 10, 32)
		if err1 != nil || err2 != nil || lo == 0 || hi < lo {
			return nil, fmt.Errorf("a uid range is FIRST-LAST, with 0 < FIRST <= LAST")
		}
		if name, uid, taken := accountInRange(uint32(lo), uint32(hi)); taken {
			return nil, fmt.Errorf("uid %d of the range belongs to the account %s; choose uids no account or file has", uid, name)
		}
		return &function.User{Name: spec, UID: uint32(lo), GID: uint32(lo), Count: uint32(hi-lo) + 1}, nil
	}
	var acct *user.User
	var err error
	if isDigits(spec) {
		if acct, err = user.LookupId(spec); err != nil {
			// A uid without an account: its gid is the same number.
			acct, err = &user.User{Uid: spec, Gid: spec, Username: spec}, nil
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

// accountInRange returns an account of /etc/passwd whose uid is in
// [lo, hi]: its files and processes would be open to functions. Accounts
// kept elsewhere (LDAP, systemd's dynamic users) are not seen.
func accountInRange(lo, hi uint32) (string, uint32, bool) {
	f, err := os.Open("/etc/passwd")
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
		if uid, err := strconv.ParseUint(fields[2], 10, 32); err == nil && uint32(uid) >= lo && uint32(uid) <= hi {
			return fields[0], uint32(uid), true
		}
	}
	return "", 0, false
}
