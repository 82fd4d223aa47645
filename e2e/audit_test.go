package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/tollgate/tollgate/internal/function/functest"
)

// auditEvent is a line of the audit log, as far as the test reads it.
type auditEvent struct {
	Action      string            `json:"action"`
	Outcome     string            `json:"outcome"`
	Actor       string            `json:"actor"`
	RequestID   string            `json:"request_id"`
	Reason      string            `json:"reason"`
	Endpoint    string            `json:"endpoint"`
	RemoteAddr  string            `json:"remote_addr"`
	PoolID      string            `json:"pool_id"`
	ClientID    string            `json:"client_id"`
	SecretID    string            `json:"secret_id"`
	AccessKeyID string            `json:"access_key_id"`
	Change      string            `json:"change"`
	After       map[string]string `json:"after"`
}

// readAudit reads the audit log's events, and its text.
func readAudit(t *testing.T, path string) ([]auditEvent, string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []auditEvent
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		var ev auditEvent
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("audit log line %q: %v", line, err)
		}
		out = append(out, ev)
	}
	return out, string(b)
}

// find returns the first event that match accepts.
func find(events []auditEvent, match func(auditEvent) bool) (auditEvent, bool) {
	for _, ev := range events {
		if match(ev) {
			return ev, true
		}
	}
	return auditEvent{}, false
}

// TestAuditLog runs the real binary with --audit-log FILE: the seed config
// applied by dev, a client created with the CLI (a second process on the
// same file), one created with the management API (AWS SDK), a failed
// client authentication and a refused signature each leave their line, and
// no secret of any of them is in the file.
func TestAuditLog(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "audit.log")
	p, d := startDev(t, dir, "--audit-log", file)
	base := strings.TrimSuffix(d.TokenURL, "/oauth2/token")

	// The CLI, as the OS user, on the same file.
	stdout, stderr, code := run(t, nil, "--data", dir, "--audit-log", file, "clients", "create", "--pool", d.PoolID, "--name", "cli-made", "--scopes", "default/default", "--json")
	if code != 0 {
		t.Fatalf("clients create: exit %d: %s", code, stderr)
	}
	var cliClient struct {
		ClientID      string `json:"ClientId"`
		ClientSecrets []struct {
			Value string `json:"ClientSecretValue"`
		} `json:"ClientSecrets"`
	}
	if err := json.Unmarshal([]byte(stdout), &cliClient); err != nil || len(cliClient.ClientSecrets) == 0 {
		t.Fatalf("clients create --json: %v\n%s", err, stdout)
	}

	// The management API, as the access key.
	keyID, keySecret := accessKey(t, dir)
	c := cognitoClient(base, keyID, keySecret)
	ctx := ctxTimeout(t)
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("audited")})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	created, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: pool.UserPool.Id, ClientName: aws.String("api-made"), GenerateSecret: true,
		AllowedOAuthFlows: []types.OAuthFlowType{}, AllowedOAuthScopes: []string{},
	})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	apiClient := created.UserPoolClient

	// A token of a pool without keys yet: the server makes its first keys.
	getToken(t, d.TokenURL, cliClient.ClientID, cliClient.ClientSecrets[0].Value)

	// A failed client authentication, and a call signed with a wrong secret.
	const wrong = "Wrong_Secret_For_The_Audit_Test_0123"
	resp, body := postForm(t, d.TokenURL, url.Values{"grant_type": {"client_credentials"}}, d.ClientID, wrong)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong secret: %s %s", resp.Status, body)
	}
	_, err = cognitoClient(base, keyID, wrong).ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)})
	wantAPIError(t, "wrong access key secret", err, "InvalidSignatureException", "")

	// The server writes on its own goroutine: wait for the last line.
	functest.Eventually(t, "the refused signature in the audit log", func() bool {
		events, _ := readAudit(t, file)
		_, ok := find(events, func(ev auditEvent) bool { return ev.Action == "access_key.authenticate" })
		return ok
	})
	events, text := readAudit(t, file)

	checks := []struct {
		what  string
		match func(auditEvent) bool
	}{
		{"the seed applied as its config or stack", func(ev auditEvent) bool {
			return (ev.Action == "config.apply" || ev.Action == "stack.deploy") && ev.Change == "created" && ev.ClientID == d.ClientID &&
				(strings.HasPrefix(ev.Actor, "config:") || strings.HasPrefix(ev.Actor, "stack:"))
		}},
		{"the CLI's client", func(ev auditEvent) bool {
			return ev.Action == "client.create" && ev.Outcome == "success" && ev.ClientID == cliClient.ClientID &&
				strings.HasPrefix(ev.Actor, "cli:") && ev.PoolID == d.PoolID && ev.SecretID != ""
		}},
		{"the API's pool", func(ev auditEvent) bool {
			return ev.Action == "pool.create" && ev.PoolID == *pool.UserPool.Id && ev.Actor == keyID && ev.RequestID != ""
		}},
		{"the API's client", func(ev auditEvent) bool {
			return ev.Action == "client.create" && ev.ClientID == *apiClient.ClientId && ev.Actor == keyID && ev.RequestID != ""
		}},
		{"the failed client authentication", func(ev auditEvent) bool {
			return ev.Action == "client.authenticate" && ev.Outcome == "denied" && ev.Reason == "wrong_secret" &&
				ev.ClientID == d.ClientID && ev.Endpoint == "token" && strings.HasPrefix(ev.RemoteAddr, "127.0.0.1:") && ev.RequestID != ""
		}},
		{"the seed pool's first keys, made by the server", func(ev auditEvent) bool {
			return ev.Action == "keys.create" && ev.Actor == "system" && ev.PoolID == d.PoolID && ev.After["active_kid"] != ""
		}},
		{"the refused signature", func(ev auditEvent) bool {
			return ev.Action == "access_key.authenticate" && ev.Outcome == "denied" && ev.Reason == "InvalidSignatureException" &&
				ev.AccessKeyID == keyID && ev.Endpoint == "cognito-idp"
		}},
	}
	for _, ch := range checks {
		if _, ok := find(events, ch.match); !ok {
			t.Errorf("no audit event for %s in:\n%s", ch.what, text)
		}
	}
	for _, secret := range []string{d.ClientSecret, cliClient.ClientSecrets[0].Value, *apiClient.ClientSecret, keySecret, wrong} {
		if strings.Contains(text, secret) {
			t.Errorf("the audit log holds a secret:\n%s", text)
		}
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("audit log: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	if strings.Contains(p.Logs(), `"msg":"audit"`) {
		t.Errorf("audit events in the main log as well:\n%s", p.Logs())
	}
}
