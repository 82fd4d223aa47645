package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// reCommand finds where a command line dev printed begins: at the start of
// a line, or after a label ("  Invoke:       ").
var reCommand = regexp.MustCompile(`^(?:\s+[A-Z][A-Za-z ]*:\s+)?((?:curl |TOKEN=|AWS_ACCESS_KEY_ID=).*)$`)

// devScripts returns the shell commands dev printed: each from its first
// line to the next blank line (continuation lines, and the line that uses
// TOKEN after the one that sets it).
func devScripts(out string) []string {
	var scripts []string
	var cur []string
	for _, line := range strings.Split(out, "\n") {
		switch m := reCommand.FindStringSubmatch(line); {
		case cur != nil && strings.TrimSpace(line) == "":
			scripts, cur = append(scripts, strings.Join(cur, "\n")), nil
		case cur != nil:
			cur = append(cur, line)
		case m != nil:
			cur = []string{m[1]}
		}
	}
	if cur != nil {
		scripts = append(scripts, strings.Join(cur, "\n"))
	}
	return scripts
}

// cleanMachine is the environment of a machine with no AWS settings: HOME
// an empty directory, no AWS_* variable.
func cleanMachine(t *testing.T) []string {
	env := []string{"HOME=" + t.TempDir()}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	return env
}

// runScript runs a printed command with sh in an empty directory on a
// clean machine, failing the test unless it exits 0 with want in its
// output.
func runScript(t *testing.T, env []string, script, want string) {
	t.Helper()
	cmd := exec.Command("sh", "-c", script)
	cmd.Dir, cmd.Env = t.TempDir(), env
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), want) {
		t.Errorf("the printed line\n%s\nexited %v without %q in its output:\n%s", script, err, want, out)
	}
}

// TestDevLinesWorkOnACleanMachine runs every command line `tollgate dev`
// prints, as printed, with HOME an empty directory and no AWS_* variable:
// the curl lines get a token and call the API with it, the `aws lambda
// invoke` line runs the function, and the management API line lists the
// pools dev created, in their region (Cognito's endpoints are regional).
// The URLs it prints for JWKS and discovery answer.
func TestDevLinesWorkOnACleanMachine(t *testing.T) {
	needProgram(t, "curl")
	needProgram(t, "aws")
	env := cleanMachine(t)

	t.Run("seed", func(t *testing.T) {
		p, d := startDev(t, t.TempDir())
		scripts := devScripts(p.Output())
		checkScripts(t, env, scripts, []want{
			{"TOKEN=", "hello/world"}, // the function answers with the event
			{"aws lambda invoke", `"StatusCode": 200`},
			{"aws cognito-idp list-user-pools", d.PoolID},
			{"curl -X POST", `"access_token":"`},
		}, p.Output())
		checkURLs(t, env, p.Output())
	})

	t.Run("pools in another region", func(t *testing.T) {
		cfg := filepath.Join(t.TempDir(), "eu.yaml")
		writeFile(t, cfg, "region: eu-west-3\nuserPools:\n"+partnerPool("api/read", "read"))
		p, d := startDev(t, t.TempDir(), "--config", cfg)
		if !strings.HasPrefix(d.PoolID, "eu-west-3_") {
			t.Fatalf("pool %s is not in eu-west-3", d.PoolID)
		}
		checkScripts(t, env, devScripts(p.Output()), []want{
			{"aws cognito-idp list-user-pools", d.PoolID},
			{"curl -X POST", `"access_token":"`},
		}, p.Output())
	})

	t.Run("API key", func(t *testing.T) {
		cfg := filepath.Join(t.TempDir(), "keys.yaml")
		writeFile(t, cfg, "userPools:\n"+partnerPool("api/read", "read")+devAPIKeyAPI)
		p, _ := startDev(t, t.TempDir(), "--config", cfg)
		out := p.Output()
		checkScripts(t, env, devScripts(out), []want{
			{"aws cognito-idp list-user-pools", "UserPools"},
			{"curl -X POST", `"access_token":"`},
			{"x-api-key", `"items":"ok"`}, // the key's line; without the key, 403 Forbidden
		}, out)
		// The key the apply generated is shown, once, with its id.
		if !regexp.MustCompile(`(?m)^API key GeneratedKey \(id [a-z0-9]{10}\): [A-Za-z0-9]{40} — shown once$`).MatchString(out) {
			t.Errorf("dev did not show the generated key:\n%s", out)
		}
	})
}

// devAPIKeyAPI is an API whose GET /items requires a key of the plan
// Basic: PartnerKey's value is the config's, GeneratedKey's is made by the
// apply.
const devAPIKeyAPI = `restApis:
  - id: Api
    resources:
      - path: /items
        methods:
          - {httpMethod: GET, apiKeyRequired: true, integration: {type: MOCK, body: '{"items":"ok"}'}}
apiKeys:
  - {id: PartnerKey, value: partner-key-0123456789abcdef}
  - {id: GeneratedKey}
usagePlans:
  - id: Basic
    apiStages: [{api: Api}]
    apiKeys: [PartnerKey, GeneratedKey]
`

// want is a script dev prints: a piece of its text, and a piece of what
// it prints when it works.
type want struct{ text, output string }

// checkScripts runs each script and checks that dev printed exactly one
// script for each want, the first whose text it contains.
func checkScripts(t *testing.T, env, scripts []string, wants []want, out string) {
	t.Helper()
	if len(scripts) != len(wants) {
		t.Errorf("dev printed %d command lines, want %d:\n%s", len(scripts), len(wants), out)
	}
	seen := map[string]bool{}
	for _, s := range scripts {
		i := slices.IndexFunc(wants, func(w want) bool { return strings.Contains(s, w.text) })
		if i < 0 || seen[wants[i].text] {
			t.Errorf("a printed line this test does not expect:\n%s", s)
			continue
		}
		seen[wants[i].text] = true
		runScript(t, env, s, wants[i].output)
	}
}

// checkURLs fetches the JWKS and discovery URLs dev printed with curl.
func checkURLs(t *testing.T, env []string, out string) {
	t.Helper()
	for _, label := range []string{"JWKS", "Discovery"} {
		m := regexp.MustCompile(`(?m)^\s+` + label + `:\s+(\S+)$`).FindStringSubmatch(out)
		if m == nil {
			t.Errorf("dev printed no %s URL:\n%s", label, out)
			continue
		}
		runScript(t, env, "curl --silent --fail "+m[1], `"`)
	}
}
