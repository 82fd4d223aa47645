//go:build linux

package function

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// canKillUID: see killUID.
const canKillUID = true

// killUIDTimeout bounds how long killUID waits for killed processes to
// exit (one in uninterruptible sleep exits when it wakes).
const killUIDTimeout = 5 * time.Second

// killUID kills every process of uid, and reports whether none is left
// alive: what an instance with a uid of its own left behind outside its
// process group (a daemon started with setsid, a chain of forks that never
// keeps a pid for long), before the uid goes to another instance, whose
// environment (its Runtime API secret) a leftover could read. Listing
// /proc and killing the pids listed misses a process that forks
// meanwhile; kill(-1, SIGKILL) sent with the uid's credentials reaches
// every process of the uid in one step, which the kernel makes atomic
// against fork (a fork under way fails, or its child gets the signal too).
// spare is a uid that no process has (see User.Count).
func killUID(uid, spare uint32) bool {
	deadline := time.Now().Add(killUIDTimeout)
	for {
		// kill(-1) succeeds when any other process exists, signalled or
		// not (ESRCH: none at all), so what is left is read from /proc:
		// those killed cannot fork, and are gone after a moment.
		switch err := killAllAs(uid, spare); {
		case err != nil && !errors.Is(err, unix.ESRCH):
			return false
		case !aliveAs(uid):
			return true // zombies at most, which run nothing, until their parent reaps them
		case time.Now().After(deadline):
			return false
		}
		time.Sleep(10 * time.Millisecond) // the killed are exiting
	}
}

// killAllAs runs kill(-1, SIGKILL) on a thread of its own whose effective
// uid is uid and whose real and saved uid are spare, and returns its
// error. The kernel lets a thread signal the processes whose real or
// saved uid is its real or effective one: this one reaches uid's (and
// spare's, which has none), never root's, and uid's cannot signal it back
// (which would stop or kill Tollgate), as they could a thread whose real
// uid is theirs.
func killAllAs(uid, spare uint32) error {
	return onDisposableThread(func() error {
		// The raw system call changes this thread's credentials alone
		// (syscall.Setresuid changes every thread's).
		if _, _, e := unix.RawSyscall(sysSetresuid, uintptr(spare), uintptr(uid), uintptr(spare)); e != 0 {
			return e
		}
		return unix.Kill(-1, unix.SIGKILL)
	})
}

// aliveAs reports whether a process that is not a zombie has uid as its
// real, effective or saved uid.
func aliveAs(uid uint32) bool {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err == nil && runsAs(e.Name(), uid) {
			return true
		}
	}
	return false
}

// runsAs reports whether process pid is alive (not a zombie) with uid
// among its uids, from its status (readable even when the process made
// itself non-dumpable, which makes /proc/PID root's).
func runsAs(pid string, uid uint32) bool {
	f, err := os.Open("/proc/" + pid + "/status") //nolint:gosec // G304: pid is a numeric entry of /proc
	if err != nil {
		return false
	}
	defer f.Close()
	want := strconv.FormatUint(uint64(uid), 10)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if state, ok := strings.CutPrefix(line, "State:"); ok {
			if s := strings.TrimSpace(state); strings.HasPrefix(s, "Z") || strings.HasPrefix(s, "X") {
				return false
			}
		}
		if rest, ok := strings.CutPrefix(line, "Uid:"); ok {
			ids := strings.Fields(rest)
			return len(ids) >= 3 && (ids[0] == want || ids[1] == want || ids[2] == want)
		}
	}
	return false
}

// sharedDirs are the directories every user may write to, where files
// outlive the instance that made them: the next instance of its uid would
// read them, and a set-user-ID file left there would let any local user
// act as that uid.
var sharedDirs = []string{"/tmp", "/var/tmp", "/dev/shm", "/dev/mqueue"}

// removeFilesOf removes what uid owns at the top of sharedDirs, once none
// of its processes is left. What it left deeper, in another user's
// world-writable directory, stays. It returns what it could not remove,
// for the caller not to reuse uid.
func removeFilesOf(uid uint32) error {
	var errs []error
	for _, dir := range sharedDirs {
		root, err := os.OpenRoot(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue // no such directory here: nothing of uid's in it
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", dir, err)) // unscanned: uid may have left files there
			continue
		}
		var names []string
		d, err := root.Open(".")
		if err == nil {
			names, err = d.Readdirnames(-1)
			d.Close()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", dir, err))
		}
		for _, name := range names {
			// No one but uid (gone) and root may rename an entry of a
			// sticky directory; os.Root removes without following links.
			fi, err := root.Lstat(name)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				// removed since it was listed
			case err != nil:
				errs = append(errs, fmt.Errorf("%s: %w", filepath.Join(dir, name), err)) // owner unknown
			case ownerOf(fi) == uid:
				if err := root.RemoveAll(name); err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", filepath.Join(dir, name), err))
				}
			}
		}
		root.Close()
	}
	return errors.Join(errs...)
}
