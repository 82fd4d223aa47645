package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/function/functest"
)

// tokenLimitsConfig is a pool whose client ids are locked out after 3
// failed authentications within 5 minutes, for 15, with two clients:
// Partner, under the pool's limits (no quota), and Metered, with its own
// quota of 2 tokens an hour (a Tollgate extension: Cognito has no per-client
// quota).
const tokenLimitsConfig = `region: us-east-1
userPools:
  - id: Pool
    tokenLimits:
      lockout: {maxFailures: 3, window: 5m, duration: 15m}
    resourceServers:
      - identifier: api
        userPoolResourceServerName: API
        scopes: [{scopeName: read, scopeDescription: Read}]
    clients:
      - id: Partner
        generateSecret: true
        oAuth: {flows: {clientCredentials: true}, scopes: [api/read]}
      - id: Metered
        generateSecret: true
        oAuth: {flows: {clientCredentials: true}, scopes: [api/read]}
        tokenLimits: {perHour: 2}
`

// reDevClient finds a client dev printed: its config name, id and secret.
var reDevClient = regexp.MustCompile(`(?m)^\s+Client (\w+)\n\s+Client id:\s+(\S+)\n\s+Client secret:\s+(\S+)`)

// devClientsByName returns the clients dev printed, by config name.
func devClientsByName(t *testing.T, out string) map[string][2]string {
	t.Helper()
	clients := map[string][2]string{}
	for _, m := range reDevClient.FindAllStringSubmatch(out, -1) {
		clients[m[1]] = [2]string{m[2], m[3]}
	}
	return clients
}

// reAdmin finds the admin listener dev or serve printed.
var reAdmin = regexp.MustCompile(`Admin \(metrics, health\) on (\S+)`)

// metrics returns the admin listener's /metrics text.
func metrics(t *testing.T, admin string) string {
	t.Helper()
	resp, err := http.Get("http://" + admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// tokenAnswer posts a client credentials request with the credentials in
// the body and returns the response and its body.
func tokenAnswer(t *testing.T, tokenURL, id, secret string) (*http.Response, []byte) {
	t.Helper()
	return postForm(t, tokenURL, url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}, "", "")
}

// oauthErrorOf decodes an RFC 6749 §5.2 error body.
func oauthErrorOf(t *testing.T, what string, body []byte) (code, description string) {
	t.Helper()
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("%s: not an RFC 6749 error body: %s", what, body)
	}
	return e.Error, e.Description
}

// TestTokenLimits runs the token endpoint's per-client quota and lockout
// through the real binary: a quota answered 429 with Retry-After; a client
// id locked out after repeated wrong secrets, its right secret then
// refused with the very answer of a wrong one; an unknown id answered and
// locked alike; the lockouts in the audit log and in /metrics.
func TestTokenLimits(t *testing.T) {
	// An hourly quota is counted: one window for the whole test.
	clearOfHourTurn(t, 3*time.Minute)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "limits.yaml")
	writeFile(t, cfg, tokenLimitsConfig)
	auditLog := filepath.Join(dir, "audit.log")
	p, d := startDev(t, t.TempDir(), "--config", cfg, "--admin-listen", "127.0.0.1:0", "--audit-log", auditLog)
	clients := devClientsByName(t, p.Output())
	partner, metered := clients["Partner"], clients["Metered"]
	if partner[0] == "" || metered[0] == "" {
		t.Fatalf("dev did not print both clients:\n%s", p.Output())
	}
	admin := reAdmin.FindStringSubmatch(p.Output())
	if admin == nil {
		t.Fatalf("no admin address printed:\n%s", p.Output())
	}

	t.Run("hourly quota", func(t *testing.T) {
		hour := time.Now().UTC().Truncate(time.Hour)
		for range 2 {
			getToken(t, d.TokenURL, metered[0], metered[1])
		}
		resp, body := tokenAnswer(t, d.TokenURL, metered[0], metered[1])
		// 429 (RFC 6585 §4) with RFC 6749 §5.2's invalid_request and
		// Retry-After (RFC 9110 §10.2.3) to the end of the UTC hour
		// (token/limits.go).
		code, desc := oauthErrorOf(t, "past the quota", body)
		if resp.StatusCode != http.StatusTooManyRequests || code != "invalid_request" || !strings.Contains(desc, "hour") {
			t.Errorf("past the hourly quota: %s %s, want 429 invalid_request naming the hour", resp.Status, body)
		}
		var fields map[string]any
		if json.Unmarshal(body, &fields) != nil || len(fields) != 2 {
			t.Errorf("past the quota: body %s, want error and error_description only", body)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("past the quota: Content-Type %q", ct)
		}
		ra, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		if left := time.Until(hour.Add(time.Hour)); err != nil || ra <= 0 || time.Duration(ra)*time.Second > left+2*time.Second {
			t.Errorf("past the quota: Retry-After %q, want the seconds to the hour's end (%s)", resp.Header.Get("Retry-After"), left.Round(time.Second))
		}
		// A client under no quota is not affected.
		getToken(t, d.TokenURL, partner[0], partner[1])
	})

	// A wrong secret's answer before any lockout, as the reference.
	wrongResp, wrong := tokenAnswer(t, d.TokenURL, partner[0], "wrong-secret-1")
	if code, _ := oauthErrorOf(t, "a wrong secret", wrong); code != "invalid_client" {
		t.Fatalf("a wrong secret: %s %s, want invalid_client", wrongResp.Status, wrong)
	}
	same := func(what string, resp *http.Response, body []byte) {
		t.Helper()
		if resp.StatusCode != wrongResp.StatusCode || string(body) != string(wrong) {
			t.Errorf("%s: %s %s\nwant a wrong secret's answer, byte for byte: %s %s", what, resp.Status, body, wrongResp.Status, wrong)
		}
		for _, h := range []string{"Retry-After", "WWW-Authenticate", "Content-Type", "Cache-Control"} {
			if resp.Header.Get(h) != wrongResp.Header.Get(h) {
				t.Errorf("%s: %s %q, a wrong secret's %q", what, h, resp.Header.Get(h), wrongResp.Header.Get(h))
			}
		}
	}
	// An unknown id of a client id's shape.
	unknown := strings.Repeat("7", len(partner[0]))

	t.Run("lockout", func(t *testing.T) {
		// Two more failures make three: the id is locked.
		for i := 2; i <= 3; i++ {
			resp, body := tokenAnswer(t, d.TokenURL, partner[0], "wrong-secret-"+strconv.Itoa(i))
			same("wrong secret "+strconv.Itoa(i), resp, body)
		}
		// A failure is counted just after its answer: the lock is in
		// place once its token.lockout event is.
		functest.Eventually(t, "the lock of the third failure", func() bool {
			events, _ := readAudit(t, auditLog)
			for _, ev := range events {
				if ev.Action == "token.lockout" {
					return true
				}
			}
			return false
		})
		resp, body := tokenAnswer(t, d.TokenURL, partner[0], partner[1])
		same("the right secret of a locked id", resp, body)
		resp, body = tokenAnswer(t, d.TokenURL, partner[0], "wrong-secret-4")
		same("a wrong secret of a locked id", resp, body)
		// Basic credentials (RFC 6749 §2.3.1) are locked alike.
		resp, body = postForm(t, d.TokenURL, url.Values{"grant_type": {"client_credentials"}}, partner[0], partner[1])
		if resp.StatusCode == http.StatusOK {
			t.Errorf("the right secret in Basic credentials of a locked id: %s %s", resp.Status, body)
		}
		// Another client of the pool is not locked.
		if resp, body := tokenAnswer(t, d.TokenURL, metered[0], "wrong"); resp.StatusCode != wrongResp.StatusCode {
			t.Errorf("another client: %s %s", resp.Status, body)
		}
	})

	t.Run("unknown id", func(t *testing.T) {
		for i := 1; i <= 4; i++ {
			resp, body := tokenAnswer(t, d.TokenURL, unknown, "wrong-secret-"+strconv.Itoa(i))
			same("unknown id, attempt "+strconv.Itoa(i), resp, body)
		}
	})

	// The audit log: one token.lockout event, of the known client. An
	// unknown id is answered as a locked one but never counted, so that a
	// flood of made-up ids writes nothing: no event.
	var locks []auditEvent
	functest.Eventually(t, "a token.lockout event in the audit log", func() bool {
		events, _ := readAudit(t, auditLog)
		locks = locks[:0]
		for _, ev := range events {
			if ev.Action == "token.lockout" {
				locks = append(locks, ev)
			}
		}
		return len(locks) >= 1
	})
	if len(locks) != 1 {
		t.Errorf("%d token.lockout events, want 1: %+v", len(locks), locks)
	}
	if ev, ok := find(locks, func(ev auditEvent) bool { return ev.ClientID == partner[0] }); !ok || ev.Outcome != "denied" || ev.Endpoint == "" {
		t.Errorf("no token.lockout event of the known client (denied, at its endpoint): %+v", locks)
	}
	if _, text := readAudit(t, auditLog); strings.Contains(text, partner[1]) || strings.Contains(text, "wrong-secret") || strings.Contains(text, unknown) {
		t.Error("the audit log holds a presented secret or the unknown id")
	}

	// Metrics: the lockouts and the quota refusal, by pool and window.
	text := metrics(t, admin[1])
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^tollgate_token_quota_refusals_total\{[^}]*window="hour"[^}]*\} 1$`),
	} {
		if !want.MatchString(text) {
			t.Errorf("metrics lack %s:\n%s", want, grepLines(text, "tollgate_token_"))
		}
	}
	if n := sumMetric(t, text, "tollgate_token_lockouts_total"); n != 1 {
		t.Errorf("tollgate_token_lockouts_total sums to %v, want 1:\n%s", n, grepLines(text, "tollgate_token_"))
	}
}

// metricValue returns the value of the sample of a Prometheus metric
// that has every label of labels (whatever their order and any others).
func metricValue(t *testing.T, text, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	for _, l := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(l, name+"{")
		if !ok {
			continue
		}
		end := strings.LastIndexByte(rest, '}')
		if end < 0 {
			continue
		}
		all := true
		for k, v := range labels {
			if !strings.Contains(","+rest[:end]+",", ","+k+"="+strconv.Quote(v)+",") {
				all = false
			}
		}
		if all {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest[end+1:]), 64)
			if err != nil {
				t.Fatalf("metric line %q: %v", l, err)
			}
			return v, true
		}
	}
	return 0, false
}

// grepLines returns the lines of text that start with prefix.
func grepLines(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// sumMetric sums a Prometheus counter's samples over its labels.
func sumMetric(t *testing.T, text, name string) float64 {
	t.Helper()
	sum := 0.0
	for _, l := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(l, name)
		if !ok || (rest != "" && rest[0] != '{' && rest[0] != ' ') {
			continue
		}
		v, err := strconv.ParseFloat(rest[strings.LastIndexByte(rest, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", l, err)
		}
		sum += v
	}
	return sum
}
