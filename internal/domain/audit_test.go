package domain_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/audit/audittest"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/signer"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
	"github.com/tollgate/tollgate/internal/vault"
)

// wantEvent fails unless ev has every field of want.
func wantEvent(t *testing.T, ev map[string]any, want map[string]any) {
	t.Helper()
	for k, v := range want {
		got, _ := json.Marshal(ev[k])
		w, _ := json.Marshal(v)
		if string(got) != string(w) {
			t.Errorf("%v: %s = %s, want %s", ev["action"], k, got, w)
		}
	}
}

// Every write of the Service is one event, with the actor and request id
// of its context, the ids of its objects and its outcome, and no secret.
func TestAuditEvents(t *testing.T) {
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	log := audittest.New(t)
	svc := domain.New(st, v, func() time.Time { return t0 }).WithAudit(log.Sink)
	ctx := audit.WithRequestID(audit.WithActor(context.Background(), "cli:alice"), "req-1")

	pool, err := svc.CreatePool(ctx, "pool", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	trigger := &tollgate.LambdaTrigger{LambdaARN: "arn:aws:lambda:eu-west-1:000000000000:function:TokenFn", LambdaVersion: "V3_0"}
	if _, err := svc.UpdatePool(ctx, pool, domain.PoolSpec{PreTokenGeneration: trigger}); err != nil {
		t.Fatal(err)
	}
	rs, err := svc.CreateResourceServer(ctx, pool.ID, domain.ResourceServerSpec{Identifier: "api", Scopes: []tollgate.Scope{{Name: "read"}}})
	if err != nil {
		t.Fatal(err)
	}
	const chosen = "Chosen_Secret_0123456789abcdef"
	c, first, err := svc.CreateClient(ctx, pool.ID, m2m("svc"), domain.SecretChoice{Given: chosen})
	if err != nil {
		t.Fatal(err)
	}
	cs, second, err := svc.AddClientSecret(ctx, c, "")
	if err != nil {
		t.Fatal(err)
	}
	firstID := c.Secrets[0].ID
	if c, err = st.GetClient(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if c, err = svc.UpdateClient(ctx, c, m2m("renamed")); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteClientSecret(ctx, c, firstID); err != nil {
		t.Fatal(err)
	}
	// A secret pasted as a secret id is refused and never recorded.
	_ = svc.DeleteClientSecret(ctx, c, second) // refused: the test reads the event
	k, keySecret, err := svc.CreateAccessKey(ctx, "ops")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteAccessKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteResourceServer(ctx, rs); err != nil {
		t.Fatal(err)
	}
	d, err := svc.CreateDomain(ctx, pool.ID, "audited")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteDomain(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeletePool(ctx, pool); err != nil {
		t.Fatal(err)
	}

	events, text := log.Maps(t), log.Text(t)
	who := map[string]any{"actor": "cli:alice", "request_id": "req-1", "time": "2026-11-02T09:30:15Z"}
	want := []map[string]any{
		{"action": "pool.create", "outcome": "success", "pool_id": pool.ID, "name": "pool"},
		{"action": "pool.update", "outcome": "success", "pool_id": pool.ID},
		{"action": "resource_server.create", "outcome": "success", "pool_id": pool.ID, "resource_server": "api"},
		{"action": "client.create", "outcome": "success", "pool_id": pool.ID, "client_id": c.ID, "name": "svc", "secret_id": firstID},
		{"action": "client.secret.add", "outcome": "success", "client_id": c.ID, "secret_id": cs.ID},
		{"action": "client.update", "outcome": "success", "client_id": c.ID, "name": "renamed", "fields": []string{"name"}},
		{"action": "client.secret.delete", "outcome": "success", "client_id": c.ID, "secret_id": firstID},
		{"action": "client.secret.delete", "outcome": "failure", "reason": "not_found", "client_id": c.ID, "secret_id": nil},
		{"action": "access_key.create", "outcome": "success", "access_key_id": k.ID},
		{"action": "access_key.delete", "outcome": "success", "access_key_id": k.ID},
		{"action": "client.delete", "outcome": "success", "client_id": c.ID},
		{"action": "resource_server.delete", "outcome": "success", "pool_id": pool.ID, "resource_server": "api"},
		{"action": "domain.create", "outcome": "success", "pool_id": pool.ID, "domain": "audited"},
		{"action": "domain.delete", "outcome": "success", "pool_id": pool.ID, "domain": "audited"},
		{"action": "pool.delete", "outcome": "success", "pool_id": pool.ID},
	}
	if len(events) != len(want) {
		t.Fatalf("%d events, want %d:\n%s", len(events), len(want), text)
	}
	for i, w := range want {
		wantEvent(t, events[i], who)
		wantEvent(t, events[i], w)
	}
	for _, secret := range []string{chosen, first, second, keySecret} {
		if strings.Contains(text, secret) {
			t.Errorf("the audit log holds a secret %q:\n%s", secret, text)
		}
	}
}

// A refused write of a config-owned object is denied, with the declaration
// that owns it; the translator's early check (Writable) records the same.
func TestAuditReadOnly(t *testing.T) {
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	log := audittest.New(t)
	svc := domain.New(st, v, nil).WithAudit(log.Sink)
	ctx := audit.WithActor(context.Background(), "AKIAEXAMPLEEXAMPLE00")
	pool, err := svc.CreatePool(ctx, "pool", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	pool.ConfigKey = "config:seed/UserPool"
	if err := svc.DeletePool(ctx, pool); err == nil {
		t.Fatal("DeletePool of a declared pool succeeded")
	}
	c := &tollgate.Client{ID: "c1", PoolID: pool.ID, ConfigKey: "config:seed/UserPool/App"}
	if err := svc.Writable(ctx, domain.ActionClientUpdate, tollgate.ObjectClient, audit.Target{PoolID: pool.ID, ClientID: c.ID}, c.ConfigKey); err == nil {
		t.Fatal("Writable of a declared client succeeded")
	}
	events, text := log.Maps(t), log.Text(t)
	if len(events) != 3 {
		t.Fatalf("%d events, want 3:\n%s", len(events), text)
	}
	wantEvent(t, events[1], map[string]any{"action": "pool.delete", "outcome": "denied", "reason": "read_only", "actor": "AKIAEXAMPLEEXAMPLE00",
		"pool_id": pool.ID, "config_key": "config:seed/UserPool"})
	wantEvent(t, events[2], map[string]any{"action": "client.update", "outcome": "denied", "reason": "read_only",
		"client_id": "c1", "config_key": "config:seed/UserPool/App"})
}

// A config apply records each change as the config's, and a rotation its
// kids before and after.
func TestAuditApplyAndRotation(t *testing.T) {
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	log := audittest.New(t)
	now := t0
	svc := domain.New(st, v, func() time.Time { return now }).WithAudit(log.Sink)
	ctx := audit.WithActor(context.Background(), "cli:alice")
	cfg, err := config.Parse("orders.yaml", []byte(`
userPools:
  - id: UserPool
    resourceServers:
      - identifier: api
        scopes: [{scopeName: read, scopeDescription: Read}]
    clients:
      - id: App
        generateSecret: true
        oAuth:
          flows: {clientCredentials: true}
          scopes: [api/read]
`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Apply(ctx, cfg, config.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	poolID, _ := res.PoolID("UserPool")
	clientID, _ := res.ClientID("UserPool", "App")
	before := firstKeys(t, st, v, log.Sink, poolID)
	now = now.Add(signer.PublishLead + time.Minute)
	after, err := svc.RotateKeys(ctx, poolID, domain.Rotation{})
	if err != nil {
		t.Fatal(err)
	}

	events, text := log.Maps(t), log.Text(t)
	var applied []map[string]any
	for _, ev := range events {
		if ev["action"] == "config.apply" {
			applied = append(applied, ev)
		}
	}
	if len(applied) != len(res.Changes) || len(applied) != 3 {
		t.Fatalf("%d config.apply events for %d changes, want 3:\n%s", len(applied), len(res.Changes), text)
	}
	wantEvent(t, applied[0], map[string]any{"actor": "config:orders", "outcome": "success", "change": "created", "object": "pool", "pool_id": poolID, "config_key": "config:orders/UserPool"})
	wantEvent(t, applied[1], map[string]any{"object": "resource server", "pool_id": poolID, "resource_server": "api"})
	wantEvent(t, applied[2], map[string]any{"object": "client", "client_id": clientID, "config_key": "config:orders/UserPool/App"})
	wantEvent(t, events[len(events)-2], map[string]any{"action": "keys.create", "actor": "system", "outcome": "success", "pool_id": poolID,
		"after": map[string]string{"active_kid": kid(before, tollgate.KeyActive), "next_kid": kid(before, tollgate.KeyNext)}})
	last := events[len(events)-1]
	wantEvent(t, last, map[string]any{"action": "keys.rotate", "actor": "cli:alice", "outcome": "success", "pool_id": poolID,
		"before": map[string]string{"active_kid": kid(before, tollgate.KeyActive), "next_kid": kid(before, tollgate.KeyNext)},
		"after":  map[string]string{"active_kid": kid(after, tollgate.KeyActive), "next_kid": kid(after, tollgate.KeyNext), "retired_kid": kid(before, tollgate.KeyActive)}})
	if strings.Contains(text, "PRIVATE") || strings.Contains(text, "sealed") {
		t.Errorf("key material in the audit log:\n%s", text)
	}
}

// firstKeys makes the pool's first signing keys and returns them.
func firstKeys(t *testing.T, st tollgate.Store, v *vault.Vault, sink *audit.Sink, poolID string) []tollgate.SigningKey {
	t.Helper()
	s := signer.New(st, v, signer.Options{Now: func() time.Time { return t0 }, Audit: sink})
	if _, err := s.JWKS(context.Background(), poolID); err != nil {
		t.Fatal(err)
	}
	keys, err := st.ListSigningKeys(context.Background(), poolID)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func kid(keys []tollgate.SigningKey, state tollgate.KeyState) string {
	for _, k := range keys {
		if k.State == state {
			return k.KID
		}
	}
	return ""
}
