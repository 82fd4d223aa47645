package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/function/functest"
)

// isolationConfig runs the hostile function of testdata/hostile beside a
// victim function, each behind a route without an authorizer.
const isolationConfig = `
region: us-east-1
functions:
  - {id: Victim, runtime: nodejs20.x, handler: index.victim, code: %[1]s, timeout: 10s}
  - {id: Hostile, runtime: nodejs20.x, handler: index.attack, code: %[1]s, timeout: 20s}
restApis:
  - id: Api
    resources:
      - path: /victim
        methods:
          - {httpMethod: GET, integration: {type: AWS_PROXY, function: Victim}}
      - path: /attack
        methods:
          - {httpMethod: POST, integration: {type: AWS_PROXY, function: Hostile}}
`

// outcome is what one attempt of the hostile function got: a value, an
// error code, an HTTP status, or a request the server held.
type outcome struct {
	OK        bool
	Value     string
	Code      string
	Status    int
	RequestID string // the id of an invocation handed over
	Held      bool
	Error     string
}

type hostileReport struct {
	UID, TollgatePid                                                    int
	Environ, Mem, Fds, Cwd, Cmdline, Signal                             outcome
	DataDir, MasterKey, Database, VictimEnviron, NoNewPrivs             outcome
	OwnAPIWithoutSecret, VictimAPIWithoutSecret, VictimAPIWithOwnSecret outcome
	Scan                                                                map[string]outcome
}

// TestFunctionIsolation runs a hostile function under `tollgate dev` and
// checks that each way it tries to reach Tollgate, its data directory and
// master key, or another function's events fails. As root (CI), functions
// run as nobody, or with a uid range as a uid per instance; without root
// they run as Tollgate's user, and only what the kernel keeps from a
// process of the same user is checked.
func TestFunctionIsolation(t *testing.T) {
	needProgram(t, "node")
	code, err := filepath.Abs("testdata/hostile")
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "tollgate.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(isolationConfig, code)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		extra []string
	}{
		{"default user", nil},
		{"uid range", []string{"--function-user", "1990000100-1990000199"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.extra != nil {
				functest.NeedRoot(t) // a uid range
			}
			data := t.TempDir()
			args := append([]string{"dev", "--data", data, "--listen", "127.0.0.1:0", "--config", cfg}, tc.extra...)
			p := start(t, nil, `^Stop with Ctrl-C`, args...)
			m := reAPIURL.FindStringSubmatch(p.Output())
			if m == nil {
				t.Fatalf("no API URL in:\n%s", p.Output())
			}
			r, victimUID := attack(t, m[1], data)
			checkIsolation(t, r, data, p.cmd.Process.Pid)
			if tc.extra != nil && (r.VictimEnviron.OK || r.UID == victimUID) {
				t.Errorf("uid range: the hostile function (uid %d) read the victim's (uid %d) environment: %+v", r.UID, victimUID, r.VictimEnviron)
			}
			// The victim still gets its own events.
			if status, body := httpGet(t, m[1]+"victim"); status != http.StatusOK {
				t.Errorf("victim after the attack: %d %s", status, body)
			}
		})
	}
}

// attack warms the victim (so that its runtime waits on its Runtime API),
// runs the hostile function against it and returns the report, and the
// victim's uid.
func attack(t *testing.T, apiURL, data string) (hostileReport, int) {
	t.Helper()
	status, body := httpGet(t, apiURL+"victim")
	var victim struct{ Pid, Port, UID int }
	if status != http.StatusOK || json.Unmarshal(body, &victim) != nil {
		t.Fatalf("victim: %d %s", status, body)
	}
	ask, _ := json.Marshal(map[string]any{"dataDir": data, "victimPid": victim.Pid, "victimPort": victim.Port})
	resp, err := http.Post(apiURL+"attack", "application/json", strings.NewReader(string(ask)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ = io.ReadAll(resp.Body)
	var r hostileReport
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &r) != nil {
		t.Fatalf("hostile function: %s %s", resp.Status, body)
	}
	return r, victim.UID
}

// checkIsolation asserts on each attempt of the report. Run as root,
// Tollgate runs functions as other users, and more is denied to them.
func checkIsolation(t *testing.T, r hostileReport, data string, tollgatePid int) {
	t.Helper()
	root := os.Geteuid() == 0
	if r.TollgatePid != tollgatePid {
		t.Fatalf("the function's parent is %d, Tollgate is %d", r.TollgatePid, tollgatePid)
	}
	denied := map[string]outcome{
		"/proc/tollgate/environ": r.Environ, "/proc/tollgate/mem": r.Mem,
		"/proc/tollgate/fd": r.Fds, "/proc/tollgate/cwd": r.Cwd,
	}
	if root {
		if r.UID == 0 {
			t.Errorf("the function runs as root")
		}
		denied["kill(tollgate, 0)"] = r.Signal
		denied["the data directory"] = r.DataDir
		denied["master.key"] = r.MasterKey
		denied["tollgate.db"] = r.Database
	}
	for what, o := range denied {
		if o.OK || (o.Code != "EACCES" && o.Code != "EPERM") {
			t.Errorf("%s: %+v, want EACCES or EPERM", what, o)
		}
	}
	if fs := strings.Fields(r.NoNewPrivs.Value); len(fs) != 2 || fs[1] != "1" {
		t.Errorf("the function may gain privileges by exec (a set-user-ID program): %+v, want NoNewPrivs 1", r.NoNewPrivs)
	}
	key, err := os.ReadFile(filepath.Join(data, "master.key"))
	if err != nil || len(strings.TrimSpace(string(key))) < 32 {
		t.Fatalf("dev's master key: %q %v", key, err)
	}
	if strings.Contains(r.Cmdline.Value, strings.TrimSpace(string(key))) {
		t.Error("Tollgate's command line shows the master key")
	}
	for what, o := range map[string]outcome{
		"its own Runtime API without the secret":           r.OwnAPIWithoutSecret,
		"the victim's Runtime API without a secret":        r.VictimAPIWithoutSecret,
		"the victim's Runtime API with the attacker's one": r.VictimAPIWithOwnSecret,
	} {
		if o.Status != http.StatusForbidden {
			t.Errorf("%s: %+v, want 403", what, o)
		}
	}
	// Other tests' servers may answer 200 to any path: an event handed
	// over is a Runtime API's answer, with an invocation id.
	for port, o := range r.Scan {
		if o.RequestID != "" {
			t.Errorf("port %s handed the hostile function an event: %+v", port, o)
		}
	}
}

func httpGet(t *testing.T, u string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}
