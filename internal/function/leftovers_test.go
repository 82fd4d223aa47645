package function_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/function"
	"github.com/tollgate/tollgate/internal/function/functest"
)

// leftovers is a handler that leaves processes behind and exits: with
// {"sleep":true} a `sleep` in its process group, with {"hop":true} a chain
// of python3 forks in a session of its own that never keeps a pid for
// long (a scan of /proc that kills the pids it listed finds none alive),
// for a minute. It answers {"pid":…,"uid":…} first, and exits at the
// next invocation.
const leftovers = `
const { spawn } = require("node:child_process");
const hopper = "import os, time\nend = time.time() + 60\nwhile time.time() < end:\n    if os.fork():\n        os._exit(0)\n";
exports.handler = async (event) => {
  if (event.exit) process.exit(0);
  let pid = 0;
  if (event.sleep) pid = spawn("sleep", ["120"], { stdio: "ignore" }).pid;
  if (event.hop) spawn("python3", ["-c", hopper], { detached: true, stdio: "ignore" }).unref();
  return { pid, uid: process.getuid() };
};`

type leftoversReply struct{ PID, UID int }

func leave(t *testing.T, r *function.Runner, payload string) leftoversReply {
	t.Helper()
	res := invoke(t, r, "f", payload)
	var reply leftoversReply
	if res.FunctionError != "" || json.Unmarshal(res.Payload, &reply) != nil {
		t.Fatalf("%s %s", res.FunctionError, res.Payload)
	}
	return reply
}

// An instance that exits by itself takes what it left in its process
// group with it (before, only an instance Tollgate killed did).
func TestLeftoversOfAnExitedInstanceKilled(t *testing.T) {
	needProgram(t, "node")
	functest.NeedLinux(t) // only Linux kills the process group of an instance that exited
	r, _ := runner(t, function.Options{},
		&tollgate.Function{Name: "f", Runtime: "nodejs20.x", Handler: "index.handler", CodeDir: code(t, map[string]string{"index.js": leftovers})})
	pid := strconv.Itoa(leave(t, r, `{"sleep":true}`).PID)
	if !running(pid) {
		t.Fatalf("the sleep %s is not running", pid)
	}
	if got := errorType(t, invoke(t, r, "f", `{"exit":true}`)); got != "Runtime.ExitError" {
		t.Fatalf("exit: %s", got)
	}
	functest.Eventually(t, "the sleep the exited instance left killed", func() bool { return !running(pid) })
}

// With a uid range, when an instance has exited no process of its uid is
// left, whatever it started: not even a chain of forks, which outran the
// kill of each pid a scan of /proc had listed.
func TestUIDRangeLeftoversKilledAtOnce(t *testing.T) {
	needRoot(t)
	needProgram(t, "node")
	needProgram(t, "python3")
	users := &function.User{Name: "1990000020-1990000022", UID: 1990000020, GID: 1990000020, Count: 3}
	// What is left of uid (if the test fails) is killed once Tollgate has
	// stopped (cleanups run last first).
	uid := 0
	t.Cleanup(func() {
		if uid != 0 {
			functest.AsUID(t, uid, "import os\nos.kill(-1, 9)")
		}
	})
	r, _ := runner(t, function.Options{User: users},
		&tollgate.Function{Name: "f", Runtime: "nodejs20.x", Handler: "index.handler", CodeDir: code(t, map[string]string{"index.js": leftovers})})
	uid = leave(t, r, `{"hop":true}`).UID
	if !functest.OthersOfUID(t, uid) {
		t.Fatalf("no process of uid %d hops", uid)
	}
	invoke(t, r, "f", `{"exit":true}`) // answered once the instance's exit is handled
	// Killed, they are zombies until init reaps them.
	functest.Eventually(t, fmt.Sprintf("no process of uid %d left", uid), func() bool { return !functest.OthersOfUID(t, uid) })
}

// Function processes gain no privilege by exec (no_new_privs): a
// set-user-ID program runs with their own credentials.
func TestInstancesGainNoPrivileges(t *testing.T) {
	needProgram(t, "node")
	functest.NeedLinux(t) // no_new_privs is Linux's
	dir := code(t, map[string]string{"index.js": `
const fs = require("node:fs");
exports.handler = async () => fs.readFileSync("/proc/self/status", "latin1").split("\n").find((l) => l.startsWith("NoNewPrivs:"));`})
	r, _ := runner(t, function.Options{},
		&tollgate.Function{Name: "f", Runtime: "nodejs20.x", Handler: "index.handler", CodeDir: dir})
	if got := string(invoke(t, r, "f", `{}`).Payload); !strings.Contains(got, `NoNewPrivs:\t1`) {
		t.Errorf("the instance's status: %s, want NoNewPrivs 1", got)
	}
}
