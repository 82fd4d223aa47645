package cli

import (
	"bufio"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Functions run with the gid of their uid's number when the uid has no
// account (a bare uid, or a range): that gid must be no group's, else
// functions get the group's files (systemd-journal, kmem, sudo, docker…).
// Every group's gid of /etc/group is refused as a range of one, and as a
// bare uid that no account has.
func TestFunctionUserRefusesGroupsGids(t *testing.T) {
	f, err := os.Open("/etc/group")
	if err != nil {
		t.Skip(err) // not Unix
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Split(sc.Text(), ":")
		if len(fs) < 3 || fs[2] == "0" {
			continue
		}
		if _, err := strconv.ParseUint(fs[2], 10, 32); err != nil {
			continue
		}
		specs := []string{fs[2] + "-" + fs[2]}
		if _, err := user.LookupId(fs[2]); err != nil {
			specs = append(specs, fs[2])
		}
		for _, spec := range specs {
			if u, err := parseFunctionUser(spec); err == nil {
				t.Errorf("--function-user %s accepted: instances run with gid %d, which is group %q", spec, u.GID, fs[0])
			}
		}
	}
}

// A range is refused when a group of /etc/group has a gid in it, or when
// it reaches below 65536, where the system's and its users' ids are.
func TestFunctionUserRangeChecks(t *testing.T) {
	group := filepath.Join(t.TempDir(), "group")
	if err := os.WriteFile(group, []byte("docker:x:1990000005:\nbad line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if name, id, taken := idInRange(group, 1990000000, 1990000009); !taken || name != "docker" || id != 1990000005 {
		t.Errorf("idInRange = %s %d %v, want docker's gid", name, id, taken)
	}
	if _, _, taken := idInRange(group, 1990000006, 1990000009); taken {
		t.Error("a gid outside the range found in it")
	}
	for spec, want := range map[string]string{
		"1000-1999":             "above 65535",
		"65535-70000":           "above 65535",
		"1990000000-4294967295": "LAST < 4294967295",
	} {
		if _, err := parseFunctionUser(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error with %q", spec, err, want)
		}
	}
}
