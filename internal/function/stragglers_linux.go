//go:build linux

package function

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// killUID kills every process whose real or effective uid is uid: what
// an instance with a uid of its own left behind outside its process group
// (a daemon started with setsid), before the uid goes to another
// instance. A few passes catch one that forked meanwhile.
func killUID(uid uint32) {
	for range 3 {
		found := false
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			pid, err := strconv.Atoi(e.Name())
			if err != nil || !runsAs(pid, uid) {
				continue
			}
			found = true
			syscall.Kill(pid, syscall.SIGKILL)
		}
		if !found {
			return
		}
	}
}

// runsAs reports whether process pid's real or effective uid is uid, from
// its status (readable even when the process made itself non-dumpable,
// which makes /proc/PID root's).
func runsAs(pid int, uid uint32) bool {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Uid:"); ok {
			ids := strings.Fields(rest)
			want := strconv.FormatUint(uint64(uid), 10)
			return len(ids) >= 2 && (ids[0] == want || ids[1] == want)
		}
	}
	return false
}
