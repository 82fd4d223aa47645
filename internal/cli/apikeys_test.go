package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// newMeterSession opens a session on a SQLite store holding one usage
// plan, plan000001, on api's prod stage with a monthly quota of 1000.
func newMeterSession(t *testing.T) (*session, tollgate.Store) {
	t.Helper()
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	putPlan(t, st, &tollgate.UsagePlan{ID: "plan000001", Stages: []tollgate.PlanStage{{APIID: "api", Stage: "prod"}},
		Quota: &tollgate.Quota{Limit: 1000, Period: tollgate.QuotaMonth}})
	return &session{st: st, vault: v, svc: domain.New(st, v, nil)}, st
}

// putPlan creates or replaces the usage plan p, whoever owns it.
func putPlan(t *testing.T, st tollgate.Store, p *tollgate.UsagePlan) {
	t.Helper()
	if err := st.PutUsagePlan(context.Background(), p, tollgate.AnyOwner); err != nil {
		t.Fatal(err)
	}
}

// getKey returns the stored API key id, nil if there is none.
func getKey(t *testing.T, st tollgate.Store, id string) *tollgate.APIKey {
	t.Helper()
	k, err := st.GetAPIKey(context.Background(), id)
	if tollgate.IsNotFound(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestAPIKeysCommands(t *testing.T) {
	ctx := context.Background()
	s, st := newMeterSession(t)
	var buf bytes.Buffer
	out := func(asJSON bool) func() output { return func() output { return output{&buf, asJSON} } }

	c := &apiKeyCreate{spec: domain.APIKeySpec{Name: "partner", PlanIDs: []string{"plan000001"}}, asJSON: true}
	if err := c.run(out(true))(ctx, s, nil); err != nil {
		t.Fatal(err)
	}
	var created apiKeyView
	if err := json.Unmarshal(buf.Bytes(), &created); err != nil {
		t.Fatalf("%v: %s", err, buf.String())
	}
	if len(created.Value) != tollgate.APIKeyValueLength || !created.Enabled || created.UsagePlans[0] != "plan000001" || created.ManagedBy != "cli" {
		t.Errorf("created = %+v", created)
	}

	buf.Reset()
	value := "partner-two-value-0123456789"
	c = &apiKeyCreate{spec: domain.APIKeySpec{Name: "two", Value: value}, disabled: true}
	if err := c.run(out(false))(ctx, s, nil); err != nil {
		t.Fatal(err)
	}
	if text := buf.String(); !strings.Contains(text, value) || !strings.Contains(text, "(disabled)") || !strings.Contains(text, "shown once") ||
		!strings.Contains(text, "keyed hash") || !strings.Contains(text, "x-api-key header") || strings.Contains(text, "curl") ||
		!strings.Contains(text, "Warning: the key is in no usage plan") {
		t.Errorf("create printed %q", text)
	}

	// list never shows a value.
	buf.Reset()
	if err := listAPIKeys(output{&buf, false})(ctx, s, nil); err != nil {
		t.Fatal(err)
	}
	table := buf.String()
	if strings.Contains(table, value) || strings.Contains(table, created.Value) {
		t.Errorf("list shows a value:\n%s", table)
	}
	if !strings.Contains(table, created.ID) || !strings.Contains(table, "plan000001") || !strings.HasPrefix(table, "ID ") {
		t.Errorf("list:\n%s", table)
	}
	buf.Reset()
	if err := listAPIKeys(output{&buf, true})(ctx, s, nil); err != nil {
		t.Fatal(err)
	}
	var views []apiKeyView
	if err := json.Unmarshal(buf.Bytes(), &views); err != nil || len(views) != 2 {
		t.Fatalf("list --json: %v, %s", err, buf.String())
	}
	for _, v := range views {
		if v.Value != "" {
			t.Errorf("list --json shows the value of %s", v.ID)
		}
	}

	// disable, enable, delete, each saying so.
	buf.Reset()
	w := func() io.Writer { return &buf }
	if err := apiKeyWrite(w, "disabled", (*domain.Service).DisableAPIKey)(ctx, s, []string{created.ID}); err != nil || getKey(t, st, created.ID).Enabled {
		t.Errorf("disable: %v", err)
	}
	if err := apiKeyWrite(w, "enabled", (*domain.Service).EnableAPIKey)(ctx, s, []string{created.ID}); err != nil || !getKey(t, st, created.ID).Enabled {
		t.Errorf("enable: %v", err)
	}
	if err := apiKeyWrite(w, "deleted", (*domain.Service).DeleteAPIKey)(ctx, s, []string{created.ID}); err != nil || getKey(t, st, created.ID) != nil {
		t.Errorf("delete: %v", err)
	}
	if want := fmt.Sprintf("API key %[1]s disabled\nAPI key %[1]s enabled\nAPI key %[1]s deleted\n", created.ID); buf.String() != want {
		t.Errorf("the writes printed %q, want %q", buf.String(), want)
	}
	buf.Reset()
	if err := apiKeyWrite(w, "deleted", (*domain.Service).DeleteAPIKey)(ctx, s, []string{created.ID}); !tollgate.IsNotFound(err) || buf.Len() != 0 {
		t.Errorf("delete twice: %v, printed %q", err, buf.String())
	}
}

// --usage-plan, --add-usage-plan, --remove-usage-plan and usage --plan
// name a plan by id, name or the logical id it is declared under; an
// unknown or ambiguous one is refused with the list of plans.
func TestPlanReferences(t *testing.T) {
	ctx := context.Background()
	s, st := newMeterSession(t)
	basic, err := st.GetUsagePlan(ctx, "plan000001")
	if err != nil {
		t.Fatal(err)
	}
	basic.Name, basic.ConfigKey = "basic", tollgate.ConfigKeyPrefix("seed")+"Basic"
	putPlan(t, st, basic)
	putPlan(t, st, &tollgate.UsagePlan{ID: "plan000002", Name: "gold", ConfigKey: tollgate.StackKeyPrefix("Orders") + "GoldPlan",
		Stages: []tollgate.PlanStage{{APIID: "api", Stage: "prod"}}})
	putPlan(t, st, &tollgate.UsagePlan{ID: "plan000003", Name: "gold", Stages: []tollgate.PlanStage{{APIID: "api", Stage: "dev"}}})
	for ref, want := range map[string]string{"plan000001": "plan000001", "basic": "plan000001", "Basic": "plan000001", "GoldPlan": "plan000002", "plan000003": "plan000003"} {
		if ids, err := resolvePlans(ctx, s.st, []string{ref}); err != nil || len(ids) != 1 || ids[0] != want {
			t.Errorf("%q: %v, %v", ref, ids, err)
		}
		if p, err := findPlan(ctx, s.st, ref); err != nil || p.ID != want {
			t.Errorf("findPlan %q: %v", ref, err)
		}
	}
	listing := "plan000001 (basic, declared in config seed as Basic), plan000002 (gold, declared in stack Orders as GoldPlan), plan000003 (gold, made by hand)"
	for ref, kind := range map[string]tollgate.ErrorKind{"nosuch": tollgate.KindNotFound, "gold": tollgate.KindInvalid, "": tollgate.KindInvalid} {
		_, err := resolvePlans(ctx, s.st, []string{ref})
		if tollgate.KindOf(err) != kind || !strings.Contains(err.Error(), listing) || !strings.Contains(err.Error(), fmt.Sprintf("%q", ref)) && ref != "" {
			t.Errorf("%q: %v", ref, err)
		}
	}
	if _, err := findPlan(ctx, s.st, ""); tollgate.KindOf(err) != tollgate.KindInvalid || !strings.Contains(err.Error(), "--plan is needed") {
		t.Errorf("no --plan among three: %v", err)
	}

	var buf bytes.Buffer
	c := &apiKeyCreate{spec: domain.APIKeySpec{Name: "partner", PlanIDs: []string{"Basic"}}}
	if err := c.run(func() output { return output{&buf, false} })(ctx, s, nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "Warning") {
		t.Errorf("a key in a plan is warned about: %q", buf.String())
	}
	keys, err := st.ListAPIKeys(ctx)
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys %v, %v", keys, err)
	}
	id := keys[0].ID
	// Moving the key from Basic to gold (the stack's): one plan per stage
	// holds, since Basic leaves as GoldPlan comes.
	buf.Reset()
	given := map[string]bool{"name": true}
	u := &apiKeyUpdate{name: "moved", add: []string{"GoldPlan", "plan000003"}, remove: []string{"basic"}}
	if err := u.run(func(f string) bool { return given[f] }, func() output { return output{&buf, false} })(ctx, s, []string{id}); err != nil {
		t.Fatal(err)
	}
	if k := getKey(t, st, id); k.Name != "moved" || strings.Join(k.PlanIDs, ",") != "plan000002,plan000003" {
		t.Errorf("after update: %+v", k)
	}
	if want := "API key " + id + " updated; usage plans: plan000002, plan000003\n"; buf.String() != want {
		t.Errorf("update printed %q", buf.String())
	}
	// The description was not given: it is kept (empty); adding Basic back
	// puts the key in two plans of api's prod stage.
	u = &apiKeyUpdate{add: []string{"Basic"}}
	if err := u.run(func(string) bool { return false }, func() output { return output{&buf, true} })(ctx, s, []string{id}); tollgate.KindOf(err) != tollgate.KindConflict {
		t.Errorf("two plans of a stage: %v", err)
	}
	u = &apiKeyUpdate{remove: []string{"nosuch"}}
	if err := u.run(func(string) bool { return false }, func() output { return output{&buf, true} })(ctx, s, []string{id}); !tollgate.IsNotFound(err) || !strings.Contains(err.Error(), listing) {
		t.Errorf("remove an unknown plan: %v", err)
	}
}

func TestUsageCommand(t *testing.T) {
	ctx := context.Background()
	s, st := newMeterSession(t)
	if err := st.CreateAPIKey(ctx, &tollgate.APIKey{ID: "key0000001", Name: "partner", PlanIDs: []string{"plan000001"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.AddUsage(ctx, []tollgate.UsageRecord{
		{PlanID: "plan000001", KeyID: "key0000001", Day: "2026-05-01", Count: 10},
		{PlanID: "plan000001", KeyID: "key0000001", Day: "2026-05-02", Count: 5},
	}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	q := &usageQuery{plan: "plan000001", start: "2026-05-02", end: "2026-05-03", asJSON: true}
	if err := q.run(time.Now, func() output { return output{&buf, true} })(ctx, s, nil); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := `{"endDate":"2026-05-03","startDate":"2026-05-02","usagePlanId":"plan000001","values":{"key0000001":[[5,985],[0,985]]}}`
	if b, _ := json.Marshal(got); string(b) != want {
		t.Errorf("usage --json = %s\nwant %s", b, want)
	}
	buf.Reset()
	q.asJSON = false
	if err := q.run(time.Now, func() output { return output{&buf, false} })(ctx, s, nil); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "key0000001  2026-05-02  5") {
		t.Errorf("usage table:\n%s", buf.String())
	}
	// --key takes an API key id only: a value (or anything else) is
	// refused, and not echoed.
	for _, key := range []string{"Ab3dEf6hIj", "key000001", "key0000001x", "../key0001", "tgk_some-secret-value-0123456789"} {
		q.key = key
		err := q.run(time.Now, func() output { return output{&buf, false} })(ctx, s, nil)
		if err == nil || tollgate.KindOf(err) != tollgate.KindInvalid || strings.Contains(err.Error(), key) {
			t.Errorf("--key %q: %v", key, err)
		}
	}
	q.key = "key0000001"
	if err := q.run(time.Now, func() output { return output{&buf, false} })(ctx, s, nil); err != nil {
		t.Errorf("--key key0000001: %v", err)
	}
	q.plan = "nosuchplan"
	if err := q.run(time.Now, func() output { return output{&buf, false} })(ctx, s, nil); !tollgate.IsNotFound(err) {
		t.Errorf("an unknown plan: %v", err)
	}
}

// The commands are registered, and refuse missing flags before opening
// anything.
func TestAPIKeysAndUsageRegistered(t *testing.T) {
	f := newCLIFixture(t)
	if code, _, stderr := f.run(t, "api-keys", "create"); code == 0 || !strings.Contains(stderr, "required flag") {
		t.Errorf("api-keys create: exit %d, stderr %q", code, stderr)
	}
	// usage's flags have defaults: without a plan in the store it says so.
	if code, _, stderr := f.run(t, "usage", "--plan", "p"); code == 0 || !strings.Contains(stderr, "there is no usage plan") {
		t.Errorf("usage --plan p: exit %d, stderr %q", code, stderr)
	}
	code, stdout, _ := f.run(t, "api-keys", "--help")
	for _, sub := range []string{"create", "list", "update", "enable", "disable", "delete"} {
		if code != 0 || !strings.Contains(stdout, sub) {
			t.Errorf("api-keys --help lacks %s (exit %d)", sub, code)
		}
	}
}
