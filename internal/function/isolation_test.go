package function_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/function"
	"github.com/tollgate/tollgate/internal/function/functest"
)

// whoAmI answers with what an instance knows of itself, and what it gets
// when it reads the file or process the event names.
const whoAmI = `
const fs = require("node:fs");
function attempt(f) { try { return {ok: true, value: String(f())}; } catch (e) { return {ok: false, code: e.code || String(e)}; } }
exports.handler = async (event) => {
  const tmp = process.env.TMPDIR || "";
  return {
    api: process.env.AWS_LAMBDA_RUNTIME_API, pid: process.pid,
    uid: process.getuid(), gid: process.getgid(), groups: process.getgroups(),
    home: process.env.HOME, tmp, taskRoot: process.env.LAMBDA_TASK_ROOT,
    writeTmp: attempt(() => { fs.writeFileSync(tmp + "/scratch", "x"); return "written"; }),
    read: event.read ? attempt(() => fs.readFileSync(event.read, "latin1")) : null,
  };
};`

type whoAmIReply struct {
	API, Home, Tmp, TaskRoot string
	PID, UID, GID            int
	Groups                   []int
	WriteTmp, Read           *attempt
}

type attempt struct {
	OK          bool
	Value, Code string
}

func askWhoAmI(t *testing.T, r *function.Runner, name, payload string) whoAmIReply {
	t.Helper()
	res := invoke(t, r, name, payload)
	var w whoAmIReply
	if res.FunctionError != "" || json.Unmarshal(res.Payload, &w) != nil {
		t.Fatalf("%s: %s %s", name, res.FunctionError, res.Payload)
	}
	return w
}

func needRoot(t *testing.T) {
	t.Helper()
	functest.NeedRoot(t)
}

// Each instance's Runtime API serves that instance alone: a request
// without its secret, with another instance's, or with a wrong one is
// refused at once (before, it waited for an event to hand over).
func TestRuntimeAPIRefusesOtherProcesses(t *testing.T) {
	needProgram(t, "node")
	dir := code(t, map[string]string{"index.js": whoAmI})
	r, _ := runner(t, function.Options{},
		&tollgate.Function{Name: "a", Runtime: "nodejs20.x", Handler: "index.handler", CodeDir: dir},
		&tollgate.Function{Name: "b", Runtime: "nodejs20.x", Handler: "index.handler", CodeDir: dir})
	a := askWhoAmI(t, r, "a", `{}`)
	b := askWhoAmI(t, r, "b", `{}`)
	hostA, secretA, ok := strings.Cut(a.API, "/")
	_, secretB, okB := strings.Cut(b.API, "/")
	if !ok || !okB || len(secretA) < 32 || secretA == secretB {
		t.Fatalf("AWS_LAMBDA_RUNTIME_API %q and %q: want host:port/secret, secrets of their own", a.API, b.API)
	}
	client := &http.Client{Timeout: 5 * time.Second}
	next := "/2018-06-01/runtime/invocation/next"
	wrong := []byte(secretA)
	wrong[0] ^= 1
	for what, path := range map[string]string{
		"no secret":               next,
		"another instance's":      "/" + secretB + next,
		"a wrong one":             "/" + string(wrong) + next,
		"the secret as a segment": next + "/" + secretA,
	} {
		resp, err := client.Get("http://" + hostA + path)
		if err != nil {
			t.Errorf("%s: %v (the API took the request as its runtime's)", what, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %s, want 403", what, resp.Status)
		}
	}
	if again := askWhoAmI(t, r, "a", `{}`); again.PID != a.PID {
		t.Errorf("instance replaced after the refused requests: pid %d, was %d", again.PID, a.PID)
	}
}

// As root, functions run as the function user: no group of Tollgate's, a
// HOME and TMPDIR of their own (removed when the instance goes), a copy of
// a code directory the user could not read, and no access to root's files.
func TestFunctionUser(t *testing.T) {
	needRoot(t)
	needProgram(t, "node")
	dir := code(t, map[string]string{"index.js": whoAmI}) // under t.TempDir: 0700, root's
	private := filepath.Join(t.TempDir(), "master.key")
	must(t, os.WriteFile(private, []byte("key"), 0o600))
	nobody := &function.User{Name: "nobody", UID: 65534, GID: 65534, Count: 1}
	r, logs := runner(t, function.Options{User: nobody},
		&tollgate.Function{Name: "f", Runtime: "nodejs20.x", Handler: "index.handler", CodeDir: dir})
	w := askWhoAmI(t, r, "f", `{"read":`+jsString(private)+`}`)
	// Node adds the effective gid to getgroups(); root's groups must not be there.
	if w.UID != 65534 || w.GID != 65534 || len(w.Groups) > 1 || len(w.Groups) == 1 && w.Groups[0] != 65534 {
		t.Errorf("uid %d gid %d groups %v, want 65534 65534 [65534]", w.UID, w.GID, w.Groups)
	}
	if w.Read == nil || w.Read.OK || w.Read.Code != "EACCES" {
		t.Errorf("reading root's 0600 file: %+v", w.Read)
	}
	if w.Home == "" || w.Home != w.Tmp || !w.WriteTmp.OK {
		t.Errorf("HOME %q TMPDIR %q, writing there: %+v", w.Home, w.Tmp, w.WriteTmp)
	}
	if fi, err := os.Stat(w.Home); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("instance home %s: %v %v", w.Home, fi, err)
	}
	if w.TaskRoot == dir || !strings.Contains(logs.String(), "cannot read the code directory") {
		t.Errorf("LAMBDA_TASK_ROOT %s (code %s): the unreadable code was not copied", w.TaskRoot, dir)
	}
	r.Close()
	if _, err := os.Stat(w.Home); !os.IsNotExist(err) {
		t.Errorf("instance home %s left behind: %v", w.Home, err)
	}
}

// With a uid range, instances run as uids of their own, so one cannot
// read another's environment (where its Runtime API secret is), as it
// can when they share a user.
func TestFunctionUserRange(t *testing.T) {
	needRoot(t)
	needProgram(t, "node")
	dir := code(t, map[string]string{"index.js": whoAmI})
	users := &function.User{Name: "1990000000-1990000009", UID: 1990000000, GID: 1990000000, Count: 10}
	r, _ := runner(t, function.Options{User: users},
		&tollgate.Function{Name: "victim", Runtime: "nodejs20.x", Handler: "index.handler", CodeDir: dir},
		&tollgate.Function{Name: "spy", Runtime: "nodejs20.x", Handler: "index.handler", CodeDir: dir})
	v := askWhoAmI(t, r, "victim", `{}`)
	s := askWhoAmI(t, r, "spy", `{"read":"/proc/`+itoa(v.PID)+`/environ"}`)
	if v.UID < 1990000000 || v.UID > 1990000009 || s.UID == v.UID || s.GID != s.UID {
		t.Errorf("victim uid %d, spy uid %d gid %d: want distinct uids of the range", v.UID, s.UID, s.GID)
	}
	if s.Read == nil || s.Read.OK || strings.Contains(s.Read.Value, "AWS_LAMBDA_RUNTIME_API") {
		t.Errorf("the spy read the victim's environment: %+v", s.Read)
	}
}

// An interpreter the function user cannot run is found when the runner is
// made, and named.
func TestInterpreterNotRunnable(t *testing.T) {
	needRoot(t)
	node := filepath.Join(t.TempDir(), "node") // t.TempDir's parent is 0700
	must(t, os.WriteFile(node, []byte("#!/bin/sh\n"), 0o755))
	_, err := function.New(function.Options{
		Node: node, User: &function.User{Name: "nobody", UID: 65534, GID: 65534, Count: 1},
		Functions: []*tollgate.Function{{Name: "f", Runtime: "nodejs20.x", Handler: "index.handler",
			CodeDir: t.TempDir(), Timeout: time.Second, Region: "us-east-1"}},
	})
	if err == nil || !strings.Contains(err.Error(), "runs as nobody, which cannot run node") || !strings.Contains(err.Error(), "cannot search") {
		t.Errorf("err = %v", err)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// A process that an instance with a uid of its own left behind outside its
// process group is killed with the instance, before the uid is reused.
func TestStragglersKilled(t *testing.T) {
	needRoot(t)
	needProgram(t, "node")
	dir := code(t, map[string]string{"index.js": `
const { spawn } = require("node:child_process");
exports.handler = async () => {
  const c = spawn("sleep", ["120"], { detached: true, stdio: "ignore" });
  c.unref();
  return c.pid;
};`})
	users := &function.User{Name: "1990000010-1990000019", UID: 1990000010, GID: 1990000010, Count: 10}
	r, _ := runner(t, function.Options{User: users},
		&tollgate.Function{Name: "f", Runtime: "nodejs20.x", Handler: "index.handler", CodeDir: dir})
	res := invoke(t, r, "f", `{}`)
	pid := strings.TrimSpace(string(res.Payload))
	if !running(pid) {
		t.Fatalf("the detached process %s is not running: %s", pid, res.Payload)
	}
	r.Close()
	// SIGKILL is sent by the time Close returns; the process is gone a
	// moment later.
	functest.Eventually(t, "the straggler killed", func() bool { return !running(pid) })
}

// running reports whether a process exists and is not a zombie.
func running(pid string) bool {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	return err == nil && !strings.Contains(string(b), "State:\tZ")
}
