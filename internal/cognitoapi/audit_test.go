package cognitoapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/cognitoapi"
)

// Writes are audited as the access key that signed them, with the
// request id the API answered; a call refused for its signature is denied,
// naming the key only when it is one of the store's; read-only refusals
// are denied. No secret reaches the audit log.
func TestAudit(t *testing.T) {
	f := newFixture(t)
	var out lockedBuffer
	sink := audit.New(&out, nil)
	defer sink.Close()
	h := cognitoapi.New(cognitoapi.Options{Store: f.st, Vault: f.vault, Audit: sink, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(h)
	defer srv.Close()
	f.url = srv.URL
	ctx := context.Background()
	c := f.sdk(f.key.ID, f.secret, "eu-west-1")

	pool := try(c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("orders")})).must(t, "CreateUserPool").UserPool
	created := try(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.Id, ClientName: aws.String("app"), GenerateSecret: true})).must(t, "CreateUserPoolClient")
	client := created.UserPoolClient

	now := time.Now().UTC()
	declared := &tollgate.Client{ID: tollgate.NewClientID(), PoolID: *pool.Id, Name: "declared", Secrets: []tollgate.ClientSecret{}, AllowedOAuthFlows: []string{}, AllowedOAuthScopes: []string{},
		AccessTokenValidity: tollgate.DefaultAccessTokenValidity, IDTokenValidity: tollgate.DefaultIDTokenValidity, RefreshTokenValidity: tollgate.DefaultRefreshTokenValidity,
		ConfigKey: "config:seed/UserPool/App", CreatedAt: now, UpdatedAt: now}
	if err := f.st.CreateClient(ctx, declared); err != nil {
		t.Fatal(err)
	}
	_, err := c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: pool.Id, ClientId: &declared.ID, AllowedOAuthFlows: []types.OAuthFlowType{}})
	wantAPIError(t, "UpdateUserPoolClient of a declared client", err, "InvalidParameterException", "")

	_, err = f.sdk(f.key.ID, "wrong"+f.secret[5:], "eu-west-1").ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)})
	wantAPIError(t, "wrong secret", err, "InvalidSignatureException", "")
	_, err = f.sdk(f.secret, f.secret, "eu-west-1").ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)})
	if err == nil { // Unrecognized…, or Incomplete… when the secret holds a '/'
		t.Error("a call signed with the secret as the key id succeeded")
	}
	_, err = f.sdk("AKIAAAAAAAAAAAAAAAAA", f.secret, "eu-west-1").ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)})
	wantAPIError(t, "unknown key", err, "UnrecognizedClientException", "")

	sink.Flush()
	text := out.String()
	var events []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		events = append(events, ev)
	}
	if len(events) != 6 {
		t.Fatalf("%d events, want 6:\n%s", len(events), text)
	}
	want := []map[string]any{
		{"action": "pool.create", "outcome": "success", "actor": f.key.ID, "pool_id": *pool.Id},
		{"action": "client.create", "outcome": "success", "actor": f.key.ID, "pool_id": *pool.Id, "client_id": *client.ClientId},
		{"action": "client.update", "outcome": "denied", "reason": "read_only", "actor": f.key.ID, "client_id": declared.ID, "config_key": declared.ConfigKey},
		{"action": "access_key.authenticate", "outcome": "denied", "actor": "anonymous", "reason": "InvalidSignatureException", "endpoint": "cognito-idp", "access_key_id": f.key.ID},
		{"action": "access_key.authenticate", "outcome": "denied", "actor": "anonymous", "access_key_id": nil},
		{"action": "access_key.authenticate", "outcome": "denied", "reason": "UnrecognizedClientException", "access_key_id": nil},
	}
	for i, w := range want {
		for k, v := range w {
			if got, _ := json.Marshal(events[i][k]); string(got) != mustJSON(v) {
				t.Errorf("event %d (%v): %s = %s, want %s", i, events[i]["action"], k, got, mustJSON(v))
			}
		}
		if id, _ := events[i]["request_id"].(string); len(id) != 36 {
			t.Errorf("event %d: request_id %q", i, id)
		}
	}
	if !strings.HasPrefix(events[3]["remote_addr"].(string), "127.0.0.1:") {
		t.Errorf("remote_addr %v", events[3]["remote_addr"])
	}
	for _, secret := range []string{f.secret, *client.ClientSecret} {
		if strings.Contains(text, secret) {
			t.Errorf("the audit log holds a secret:\n%s", text)
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v) // test values marshal
	return string(b)
}
