package domain_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/audit/audittest"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
	"github.com/tollgate/tollgate/internal/vault"
)

// adoptingStore is a real store whose next GetAPIKey of id is followed,
// before it returns, by a config adopting the key: the write after the
// read then finds another owner.
type adoptingStore struct {
	tollgate.Store
	id, configKey string
}

func (s *adoptingStore) GetAPIKey(ctx context.Context, id string) (*tollgate.APIKey, error) {
	k, err := s.Store.GetAPIKey(ctx, id)
	if err != nil || id != s.id {
		return k, err
	}
	adopted := *k
	adopted.ConfigKey = s.configKey
	return k, s.UpdateAPIKey(ctx, &adopted, tollgate.AnyOwner)
}

type keyFixture struct {
	st  tollgate.Store
	svc *domain.Service
	v   *vault.Vault
	log *audittest.Log
}

func newKeyFixture(t *testing.T) keyFixture {
	t.Helper()
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	for _, p := range []*tollgate.UsagePlan{
		{ID: "plan00000a", Name: "a", Stages: []tollgate.PlanStage{{APIID: "api1", Stage: "prod"}}},
		{ID: "plan00000b", Name: "b", Stages: []tollgate.PlanStage{{APIID: "api1", Stage: "dev"}}},
		{ID: "plan00000c", Name: "c", Stages: []tollgate.PlanStage{{APIID: "api1", Stage: "prod"}}},
	} {
		p.CreatedAt, p.UpdatedAt = t0, t0
		if err := st.PutUsagePlan(context.Background(), p, tollgate.AnyOwner); err != nil {
			t.Fatal(err)
		}
	}
	log := audittest.New(t)
	svc := domain.New(st, v, func() time.Time { return t0 }).WithAudit(log.Sink)
	return keyFixture{st: st, svc: svc, v: v, log: log}
}

func TestCreateAPIKey(t *testing.T) {
	ctx := context.Background()
	f := newKeyFixture(t)
	k, value, err := f.svc.CreateAPIKey(ctx, domain.APIKeySpec{Name: "partner", Enabled: true, PlanIDs: []string{"plan00000b", "plan00000a", "plan00000a"}})
	if err != nil {
		t.Fatal(err)
	}
	if !tollgate.APIKeyIDPattern.MatchString(k.ID) || len(value) != tollgate.APIKeyValueLength {
		t.Errorf("id %q, value of %d characters", k.ID, len(value))
	}
	if got := strings.Join(k.PlanIDs, ","); got != "plan00000a,plan00000b" {
		t.Errorf("plans = %s", got)
	}
	if !bytes.Equal(k.Hash, f.v.HashAPIKey(value)) {
		t.Error("the stored hash is not the value's")
	}
	if bytes.Contains(k.Sealed, []byte(value)) {
		t.Error("the value is stored in clear")
	}
	// A value given is kept.
	given := "abcdefghijklmnopqrstuvwxyz0123"
	if _, v, err := f.svc.CreateAPIKey(ctx, domain.APIKeySpec{Name: "given", Value: given}); err != nil || v != given {
		t.Fatalf("given value: %q, %v", v, err)
	}
	// The same value again: the store refuses it.
	if _, _, err := f.svc.CreateAPIKey(ctx, domain.APIKeySpec{Name: "again", Value: given}); tollgate.KindOf(err) != tollgate.KindConflict {
		t.Errorf("a value twice: %v", err)
	}

	for _, c := range []struct {
		name  string
		spec  domain.APIKeySpec
		kind  tollgate.ErrorKind
		cause error
	}{
		{"no name", domain.APIKeySpec{}, tollgate.KindInvalid, domain.ErrBadAPIKeyName},
		{"long name", domain.APIKeySpec{Name: strings.Repeat("n", tollgate.MaxAPIKeyNameLength+1)}, tollgate.KindInvalid, domain.ErrBadAPIKeyName},
		{"short value", domain.APIKeySpec{Name: "n", Value: "tooshort-secret"}, tollgate.KindInvalid, domain.ErrBadAPIKeyValue},
		{"value with a space", domain.APIKeySpec{Name: "n", Value: "abcdefghij klmnopqrstuvwxyz"}, tollgate.KindInvalid, domain.ErrBadAPIKeyValue},
		{"unknown plan", domain.APIKeySpec{Name: "n", PlanIDs: []string{"nosuchplan"}}, tollgate.KindNotFound, domain.ErrNoSuchUsagePlan},
		{"two plans of one stage", domain.APIKeySpec{Name: "n", PlanIDs: []string{"plan00000a", "plan00000c"}}, tollgate.KindConflict, domain.ErrPlanStageTaken},
	} {
		_, _, err := f.svc.CreateAPIKey(ctx, c.spec)
		if tollgate.KindOf(err) != c.kind || !errors.Is(err, c.cause) {
			t.Errorf("%s: err = %v", c.name, err)
		}
		if c.spec.Value != "" && err != nil && strings.Contains(err.Error(), c.spec.Value) {
			t.Errorf("%s: the refusal shows the value", c.name)
		}
	}
	events, text := f.log.Maps(t), f.log.Text(t)
	var created int
	for _, ev := range events {
		if ev["action"] == domain.ActionAPIKeyCreate && ev["outcome"] == string(audit.Success) {
			created++
		}
	}
	if created != 2 {
		t.Errorf("%d successful creations audited, want 2", created)
	}
	if strings.Contains(text, given) || strings.Contains(text, value) {
		t.Error("the audit log shows a key's value")
	}
}

// planDeletingStore is a real store that deletes each usage plan right
// after GetUsagePlan has read it, as another writer would between the
// domain's check of a key's plans and its write.
type planDeletingStore struct{ tollgate.Store }

func (s planDeletingStore) GetUsagePlan(ctx context.Context, id string) (*tollgate.UsagePlan, error) {
	p, err := s.Store.GetUsagePlan(ctx, id)
	if err != nil {
		return nil, err
	}
	return p, s.DeleteUsagePlan(ctx, id, tollgate.AnyOwner)
}

// A plan deleted after the domain checked it: the store's foreign key
// refuses the key (not found), and nothing is stored.
func TestCreateAPIKeyPlanDeletedMeanwhile(t *testing.T) {
	ctx := context.Background()
	f := newKeyFixture(t)
	svc := domain.New(planDeletingStore{f.st}, f.v, func() time.Time { return t0 })
	if _, _, err := svc.CreateAPIKey(ctx, domain.APIKeySpec{Name: "late", PlanIDs: []string{"plan00000a"}}); !tollgate.IsNotFound(err) {
		t.Errorf("create: err = %v", err)
	}
	k, _, err := f.svc.CreateAPIKey(ctx, domain.APIKeySpec{Name: "moving"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateAPIKey(ctx, k.ID, domain.APIKeyUpdate{AddPlanIDs: []string{"plan00000b"}}); !tollgate.IsNotFound(err) {
		t.Errorf("update: err = %v", err)
	}
	keys, err := f.st.ListAPIKeys(ctx)
	if err != nil || len(keys) != 1 || keys[0].ID != k.ID || len(keys[0].PlanIDs) != 0 {
		t.Errorf("stored keys %+v, %v", keys, err)
	}
}

func TestAPIKeyWrites(t *testing.T) {
	ctx := context.Background()
	f := newKeyFixture(t)
	k, _, err := f.svc.CreateAPIKey(ctx, domain.APIKeySpec{Name: "byhand", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	declared := &tollgate.APIKey{ID: "cfgkey0001", Name: "declared", Enabled: true, Hash: []byte("h"), ConfigKey: "apiKeys.partner"}
	if err := f.st.CreateAPIKey(ctx, declared); err != nil {
		t.Fatal(err)
	}
	enabled := func(id string) bool {
		k, err := f.svc.GetAPIKey(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return k.Enabled
	}
	for _, id := range []string{k.ID, declared.ID} {
		if err := f.svc.DisableAPIKey(ctx, id); err != nil || enabled(id) {
			t.Errorf("disable %s: %v", id, err)
		}
		if err := f.svc.EnableAPIKey(ctx, id); err != nil || !enabled(id) {
			t.Errorf("enable %s: %v", id, err)
		}
	}
	// A config-declared key is not deleted by hand.
	err = f.svc.DeleteAPIKey(ctx, declared.ID)
	var ro *domain.ReadOnlyError
	if tollgate.KindOf(err) != tollgate.KindReadOnly || !errors.As(err, &ro) || ro.ConfigKey != "apiKeys.partner" {
		t.Errorf("delete a declared key: %v", err)
	}
	if err := f.svc.DeleteAPIKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.GetAPIKey(ctx, k.ID); !tollgate.IsNotFound(err) {
		t.Errorf("after delete: %v", err)
	}
	if err := f.svc.DisableAPIKey(ctx, "nosuchkey0"); !tollgate.IsNotFound(err) {
		t.Errorf("disable an unknown key: %v", err)
	}
	// A key adopted by a config between the read and the write: refused
	// as read-only, not deleted.
	adopted, _, err := f.svc.CreateAPIKey(ctx, domain.APIKeySpec{Name: "adopted"})
	if err != nil {
		t.Fatal(err)
	}
	racing := &adoptingStore{Store: f.st, id: adopted.ID, configKey: "apiKeys.adopted"}
	if err := domain.New(racing, f.v, func() time.Time { return t0 }).DeleteAPIKey(ctx, adopted.ID); tollgate.KindOf(err) != tollgate.KindReadOnly {
		t.Errorf("delete an adopted key: %v", err)
	}
	if k, err := f.st.GetAPIKey(ctx, adopted.ID); err != nil || k.ConfigKey != "apiKeys.adopted" {
		t.Errorf("the adopted key after the refused delete: %+v, %v", k, err)
	}
	events := f.log.Maps(t)
	seen := map[string]bool{}
	for _, ev := range events {
		if ev["api_key_id"] != declared.ID {
			continue
		}
		seen[ev["action"].(string)] = true
		want := map[string]any{"config_key": "apiKeys.partner", "outcome": string(audit.Success)}
		if ev["action"] == domain.ActionAPIKeyDelete {
			want["outcome"] = string(audit.Denied)
		}
		wantEvent(t, ev, want)
	}
	if len(seen) != 3 {
		t.Errorf("actions audited on the declared key: %v", seen)
	}
}

// During a master key rotation a key not yet resealed holds its value's
// hash under the old master key: a new key with that value is refused
// all the same (the store's unique hash would not see it), without
// showing the value.
func TestCreateAPIKeyValueTakenDuringRotation(t *testing.T) {
	ctx := context.Background()
	f := newKeyFixture(t)
	oldKey, newKey := vault.NewKey(), vault.NewKey()
	before, err := vault.New(oldKey)
	if err != nil {
		t.Fatal(err)
	}
	during, err := vault.New(newKey, oldKey) // seals under the new key, still reads the old
	if err != nil {
		t.Fatal(err)
	}
	value := "abcdefghijklmnopqrstuvwxyz0123"
	k, _, err := domain.New(f.st, before, func() time.Time { return t0 }).CreateAPIKey(ctx, domain.APIKeySpec{Name: "old", Value: value})
	if err != nil {
		t.Fatal(err)
	}
	svc := domain.New(f.st, during, func() time.Time { return t0 })
	_, _, err = svc.CreateAPIKey(ctx, domain.APIKeySpec{Name: "again", Value: value})
	if tollgate.KindOf(err) != tollgate.KindConflict || !errors.Is(err, domain.ErrAPIKeyValueTaken) {
		t.Fatalf("a value hashed under the old master key: %v", err)
	}
	if strings.Contains(err.Error(), value) || !strings.Contains(err.Error(), k.ID) {
		t.Errorf("refusal %q: want the holder's id, not the value", err)
	}
	// Another value is free.
	if _, _, err := svc.CreateAPIKey(ctx, domain.APIKeySpec{Name: "other", Value: value + "x"}); err != nil {
		t.Errorf("a new value: %v", err)
	}
	if keys, err := f.st.ListAPIKeys(ctx); err != nil || len(keys) != 2 {
		t.Errorf("%d keys stored, want 2: %v", len(keys), err)
	}
}

func TestUpdateAPIKey(t *testing.T) {
	ctx := context.Background()
	f := newKeyFixture(t)
	k, _, err := f.svc.CreateAPIKey(ctx, domain.APIKeySpec{Name: "partner", Enabled: true, PlanIDs: []string{"plan00000a"}})
	if err != nil {
		t.Fatal(err)
	}
	name, desc := "bigger", "moved to the bigger plan"
	// Moving the key from one plan of the prod stage to another.
	got, err := f.svc.UpdateAPIKey(ctx, k.ID, domain.APIKeyUpdate{Name: &name, Description: &desc,
		AddPlanIDs: []string{"plan00000c", "plan00000b"}, RemovePlanIDs: []string{"plan00000a", "notinit000"}})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := f.svc.GetAPIKey(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []*tollgate.APIKey{got, stored} {
		if x.Name != name || x.Description != desc || strings.Join(x.PlanIDs, ",") != "plan00000b,plan00000c" || !bytes.Equal(x.Hash, k.Hash) || !x.Enabled {
			t.Errorf("after update: %+v", x)
		}
	}
	empty := ""
	for _, c := range []struct {
		name  string
		u     domain.APIKeyUpdate
		kind  tollgate.ErrorKind
		cause error
	}{
		{"empty name", domain.APIKeyUpdate{Name: &empty}, tollgate.KindInvalid, domain.ErrBadAPIKeyName},
		{"unknown plan", domain.APIKeyUpdate{AddPlanIDs: []string{"nosuchplan"}}, tollgate.KindNotFound, domain.ErrNoSuchUsagePlan},
		{"a second plan of a stage", domain.APIKeyUpdate{AddPlanIDs: []string{"plan00000a"}}, tollgate.KindConflict, domain.ErrPlanStageTaken},
		{"added and removed", domain.APIKeyUpdate{AddPlanIDs: []string{"plan00000a"}, RemovePlanIDs: []string{"plan00000a"}}, tollgate.KindInvalid, domain.ErrPlanAddAndRemove},
	} {
		if _, err := f.svc.UpdateAPIKey(ctx, k.ID, c.u); tollgate.KindOf(err) != c.kind || !errors.Is(err, c.cause) {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
	if after, _ := f.svc.GetAPIKey(ctx, k.ID); strings.Join(after.PlanIDs, ",") != "plan00000b,plan00000c" || after.Name != name {
		t.Errorf("a refused update changed the key: %+v", after)
	}
	if _, err := f.svc.UpdateAPIKey(ctx, "nosuchkey0", domain.APIKeyUpdate{}); !tollgate.IsNotFound(err) {
		t.Errorf("update an unknown key: %v", err)
	}
	// A config's key is read-only to updates.
	declared := &tollgate.APIKey{ID: "cfgkey0001", Name: "declared", Enabled: true, Hash: []byte("h"), ConfigKey: "apiKeys.partner"}
	if err := f.st.CreateAPIKey(ctx, declared); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdateAPIKey(ctx, declared.ID, domain.APIKeyUpdate{AddPlanIDs: []string{"plan00000b"}}); tollgate.KindOf(err) != tollgate.KindReadOnly {
		t.Errorf("update a declared key: %v", err)
	}
	events := f.log.Maps(t)
	outcomes := map[string]int{}
	for _, ev := range events {
		if ev["action"] == domain.ActionAPIKeyUpdate {
			outcomes[ev["outcome"].(string)]++
		}
	}
	if outcomes[string(audit.Success)] != 1 || len(events) < 7 {
		t.Errorf("updates audited: %v", outcomes)
	}
}
