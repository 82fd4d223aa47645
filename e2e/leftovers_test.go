package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/function/functest"
)

const leftoversConfig = `
region: us-east-1
functions:
  - {id: Victim, runtime: nodejs20.x, handler: index.victim, code: %[1]s, timeout: 10s}
  - {id: Victim2, runtime: nodejs20.x, handler: index.victim, code: %[1]s, timeout: 10s}
  - {id: Escaper, runtime: nodejs20.x, handler: index.escape, code: %[1]s, timeout: 10s}
restApis:
  - id: Api
    resources:
      - path: /victim
        methods:
          - {httpMethod: GET, integration: {type: AWS_PROXY, function: Victim}}
      - path: /victim2
        methods:
          - {httpMethod: GET, integration: {type: AWS_PROXY, function: Victim2}}
      - path: /escape
        methods:
          - {httpMethod: POST, integration: {type: AWS_PROXY, function: Escaper}}
`

// With a uid range, an instance's leftovers die with it, all of them: a
// chain of forks outran the kill of each pid a scan of /proc had listed,
// kept the uid, and read the Runtime API secret of the next instance
// given it. Once the instance's exit has been answered no process of its
// uid is left, and the next instance gets the uid.
func TestUIDRangeLeftoversDieWithTheirInstance(t *testing.T) {
	needProgram(t, "node")
	needProgram(t, "python3")
	functest.NeedRoot(t)
	const first = 1990000300 // runs nothing: instances get first+1 and first+2
	code, _ := filepath.Abs("testdata/hostile")
	cfg := filepath.Join(t.TempDir(), "tollgate.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(leftoversConfig, code)), 0o644); err != nil {
		t.Fatal(err)
	}
	// What is left of uid (if the test fails) is killed once Tollgate has
	// stopped (cleanups run last first).
	uid := 0
	t.Cleanup(func() {
		if uid != 0 {
			functest.AsUID(t, uid, "import os\nos.kill(-1, 9)")
		}
	})
	p := start(t, nil, `^Stop with Ctrl-C`, "dev", "--data", t.TempDir(), "--listen", "127.0.0.1:0",
		"--config", cfg, "--function-user", fmt.Sprintf("%d-%d", first, first+2))
	api := reAPIURL.FindStringSubmatch(p.Output())[1]

	if status, body := httpGet(t, api+"victim"); status != http.StatusOK { // warm from now on
		t.Fatalf("victim: %d %s", status, body)
	}
	resp, err := http.Post(api+"escape", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	m := regexp.MustCompile(`escaper uid=(\d+)`).FindStringSubmatch(p.Logs())
	if resp.StatusCode != http.StatusBadGateway || m == nil {
		t.Fatalf("escape: %s, want 502 (the instance exited) and its uid logged", resp.Status)
	}
	uid, _ = strconv.Atoi(m[1])
	// Killed, they are zombies until init reaps them.
	functest.Eventually(t, fmt.Sprintf("no process of uid %d left", uid), func() bool { return !functest.OthersOfUID(t, uid) })

	status, body := httpGet(t, api+"victim2")
	var v struct{ UID int }
	if status != http.StatusOK || json.Unmarshal(body, &v) != nil || v.UID != uid {
		t.Errorf("victim2: %d %s, want uid %d, freed", status, body, uid)
	}
}
