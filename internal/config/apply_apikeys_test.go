package config_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
)

// keyByName returns the API key named name.
func keyByName(t *testing.T, st tollgate.Store, name string) *tollgate.APIKey {
	t.Helper()
	keys, err := st.ListAPIKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.Name == name {
			return k
		}
	}
	t.Fatalf("no API key named %s", name)
	return nil
}

// generation returns the store's generation, which every committed write
// moves.
func generation(t *testing.T, st tollgate.Store) int64 {
	t.Helper()
	gen, err := st.Generation(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return gen
}

const usageConfig = `
restApis:
  - id: Api
    deployOptions: {stageName: v1}
    resources:
      - path: /items
        methods:
          - httpMethod: GET
            apiKeyRequired: true
            integration: {type: MOCK}
apiKeys:
  - id: Fixed
    value: dev-only-fixed-value-0001
    customerId: c-1
  - id: Generated
usagePlans:
  - id: Basic
    throttle: {rateLimit: 10}
    quota: {limit: 100, period: DAY}
    apiStages:
      - api: Api
        throttle: [{path: /items, method: GET, rateLimit: 2}]
    apiKeys: [Fixed, Generated]
`

func TestApplyAPIKeys(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		v, ctx := newVault(t), context.Background()

		res := apply(t, st, v, usageConfig, t0)
		checkChanges(t, res,
			"created usage plan config:orders/Basic",
			"created API key config:orders/Fixed",
			"created API key config:orders/Generated")
		// Only the generated value is returned, once.
		if len(res.NewAPIKeys) != 1 {
			t.Fatalf("NewAPIKeys = %v", res.NewAPIKeys)
		}
		nk := res.NewAPIKeys[0]
		genID, _ := res.APIKeyID("Generated")
		planID, _ := res.UsagePlanID("Basic")
		if nk.LogicalID != "Generated" || nk.KeyID != genID || nk.Name != "Generated" || !tollgate.APIKeyValuePattern.MatchString(nk.Value) || len(nk.Value) != tollgate.APIKeyValueLength {
			t.Errorf("NewAPIKey = %+v", nk)
		}
		if strings.Contains(nk.String(), nk.Value) {
			t.Error("NewAPIKey.String shows the value")
		}
		fixed, gen := keyByName(t, st, "Fixed"), keyByName(t, st, "Generated")
		if !tollgate.APIKeyIDPattern.MatchString(fixed.ID) || !fixed.Enabled || fixed.CustomerID != "c-1" ||
			!slices.Equal(fixed.PlanIDs, []string{planID}) || !slices.Equal(gen.PlanIDs, []string{planID}) {
			t.Errorf("keys: %+v %+v", fixed, gen)
		}
		// The store holds the values' hashes, never the values.
		if string(fixed.Hash) != string(v.HashAPIKey("dev-only-fixed-value-0001")) || string(gen.Hash) != string(v.HashAPIKey(nk.Value)) {
			t.Error("the keys' hashes are not their values'")
		}
		if strings.Contains(string(fixed.Sealed), "dev-only-fixed-value-0001") {
			t.Error("the value is stored in clear")
		}
		plan, err := st.ListUsagePlans(ctx)
		if err != nil || len(plan) != 1 || plan[0].ID != planID || plan[0].Quota.Limit != 100 ||
			plan[0].Stages[0].Throttle["/items/GET"].Rate != 2 || plan[0].Stages[0].APIID != tollgate.RestAPIID("Api") {
			t.Fatalf("plans %+v, %v", plan, err)
		}

		// Unchanged: nothing written, no value returned again.
		before := generation(t, st)
		res = apply(t, st, v, usageConfig, t1)
		checkChanges(t, res)
		if after := generation(t, st); len(res.NewAPIKeys) != 0 || after != before {
			t.Errorf("re-apply: NewAPIKeys %v, generation %d, was %d", res.NewAPIKeys, after, before)
		}

		// Edits: fields change in place, ids and values stay.
		edited := strings.NewReplacer("customerId: c-1", "customerId: c-2\n    enabled: false",
			"limit: 100", "limit: 200", "apiKeys: [Fixed, Generated]", "apiKeys: [Fixed]").Replace(usageConfig)
		res = apply(t, st, v, edited, t1)
		checkChanges(t, res,
			"updated usage plan config:orders/Basic: quota",
			"updated API key config:orders/Fixed: customerId, enabled",
			"updated API key config:orders/Generated: usagePlans")
		if k := keyByName(t, st, "Fixed"); k.ID != fixed.ID || k.Enabled || string(k.Hash) != string(fixed.Hash) || !k.CreatedAt.Equal(t0) {
			t.Errorf("edited key: %+v", k)
		}
		if k := keyByName(t, st, "Generated"); len(k.PlanIDs) != 0 || string(k.Hash) != string(gen.Hash) {
			t.Errorf("key out of the plan: %+v", k)
		}
		if id, _ := res.UsagePlanID("Basic"); id != planID {
			t.Errorf("the plan's id changed: %s, was %s", id, planID)
		}

		// Renaming a logical id is a new key; deleting a plan takes it out of keys.
		renamed := strings.NewReplacer("id: Generated", "id: Other", "  - id: Basic", "  - id: Premium").Replace(edited)
		// Deleting a key takes Prune: third parties hold its value.
		_, err = config.Apply(ctx, st, v, parse(t, renamed), t1)
		var pe *config.PruneError
		if !errors.As(err, &pe) || len(pe.Objects) != 1 || pe.Objects[0].String() != "API key config:orders/Generated ("+gen.ID+") with its value" {
			t.Fatalf("err = %v", err)
		}
		res = prune(t, st, v, renamed, t1)
		checkChanges(t, res,
			"deleted API key config:orders/Generated",
			"deleted usage plan config:orders/Basic",
			"created usage plan config:orders/Premium",
			"updated API key config:orders/Fixed: usagePlans",
			"created API key config:orders/Other")
		if len(res.NewAPIKeys) != 1 || res.NewAPIKeys[0].LogicalID != "Other" {
			t.Errorf("NewAPIKeys = %v", res.NewAPIKeys)
		}
	})
}

func TestApplyAPIKeyValue(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		v, ctx := newVault(t), context.Background()
		apply(t, st, v, usageConfig, t0)
		fixed := keyByName(t, st, "Fixed")

		// A key's value never changes: a problem at its line, without the value.
		changed := strings.Replace(usageConfig, "dev-only-fixed-value-0001", "dev-only-fixed-value-0002", 1)
		_, err := config.Apply(ctx, st, v, parse(t, changed), t1)
		if tollgate.KindOf(err) != tollgate.KindConflict || !strings.Contains(err.Error(), "orders.yaml:13:12: apiKeys[0].value: API key Fixed ("+fixed.ID+"): a key's value cannot change") ||
			strings.Contains(err.Error(), "dev-only-fixed-value") {
			t.Errorf("err = %v", err)
		}
		// Leaving the value out keeps it.
		res := apply(t, st, v, strings.Replace(usageConfig, "    value: dev-only-fixed-value-0001\n", "", 1), t1)
		checkChanges(t, res)

		// A value another owner's key has is a conflict, reported without it.
		other := strings.NewReplacer("id: Fixed", "id: Mine", "id: Generated", "id: Gen2", "[Fixed, Generated]", "[Mine, Gen2]").Replace(usageConfig)
		_, err = config.Apply(ctx, st, v, parse(t, "name: other\n"+other), t1)
		if tollgate.KindOf(err) != tollgate.KindConflict || !strings.Contains(err.Error(), "apiKeys[0].value: API key Mine: its value is taken by API key "+fixed.ID+`, which is declared in config "orders"`) ||
			strings.Contains(err.Error(), "dev-only-fixed-value") {
			t.Errorf("err = %v", err)
		}
	})
}

// TestApplyHandMadeKeys: keys with no ConfigKey are never written, but a
// deleted config plan leaves their PlanIDs (the store's doing).
func TestApplyHandMadeKeys(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		v, ctx := newVault(t), context.Background()
		res := apply(t, st, v, usageConfig, t0)
		planID, _ := res.UsagePlanID("Basic")
		hash, sealed := v.ProtectAPIKey("handmade01", "hand-made-value-000000001")
		hand := &tollgate.APIKey{ID: "handmade01", Name: "hand", Enabled: true, Hash: hash, Sealed: sealed, PlanIDs: []string{planID}, CreatedAt: t0, UpdatedAt: t0}
		if err := st.CreateAPIKey(ctx, hand); err != nil {
			t.Fatal(err)
		}
		res = apply(t, st, v, strings.Replace(usageConfig, "customerId: c-1", "customerId: c-9", 1), t1)
		checkChanges(t, res, "updated API key config:orders/Fixed: customerId")
		if k, _ := st.GetAPIKey(ctx, "handmade01"); !k.UpdatedAt.Equal(t0) || !slices.Equal(k.PlanIDs, []string{planID}) {
			t.Errorf("hand-made key: %+v", k)
		}
		// The config without keys or plans: its own go, the hand-made key stays.
		// (Keys are deleted in the order of their random ids.)
		res = prune(t, st, v, strings.Split(usageConfig, "apiKeys:")[0], t1)
		got := changes(res)
		if len(got) >= 2 {
			slices.Sort(got[:2])
		}
		if want := []string{"deleted API key config:orders/Fixed", "deleted API key config:orders/Generated", "deleted usage plan config:orders/Basic"}; !slices.Equal(got, want) {
			t.Errorf("changes %q, want %q", got, want)
		}
		k, err := st.GetAPIKey(ctx, "handmade01")
		if err != nil || len(k.PlanIDs) != 0 || k.Name != "hand" {
			t.Errorf("hand-made key: %+v, %v", k, err)
		}
		// A hand-made key's value is a conflict for a config key declaring it.
		withHandValue := strings.Replace(usageConfig, "dev-only-fixed-value-0001", "hand-made-value-000000001", 1)
		if _, err := config.Apply(ctx, st, v, parse(t, withHandValue), t1); tollgate.KindOf(err) != tollgate.KindConflict ||
			!strings.Contains(err.Error(), "its value is taken by API key handmade01, which was created by hand") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestApplyStackAPIKeys(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		v, ctx := newVault(t), context.Background()
		cfg := parse(t, usageConfig)
		res, err := config.ApplyWith(ctx, st, v, cfg, t0, config.ApplyOptions{Stack: "Metering"})
		if err != nil {
			t.Fatal(err)
		}
		checkChanges(t, res,
			"created usage plan stack:Metering/Basic",
			"created API key stack:Metering/Fixed",
			"created API key stack:Metering/Generated")
		res, err = config.ApplyWith(ctx, st, v, parse(t, usageConfig), t1, config.ApplyOptions{Stack: "Metering"})
		if err != nil || len(res.Changes) != 0 {
			t.Errorf("re-deploy: %v, %v", changes(res), err)
		}
	})
}

func TestApplyTokenLimits(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		v, ctx := newVault(t), context.Background()
		src := `
userPools:
  - id: Pool
    tokenLimits:
      perHour: 100
      lockout: {maxFailures: 5, window: 5m, duration: 15m}
    clients:
      - id: App
        tokenLimits: {perHour: 10, perDay: 50}
      - id: Plain
`
		apply(t, st, v, src, t0)
		pools, _ := st.ListPools(ctx)
		want := tollgate.TokenLimits{PerHour: 100, Lockout: tollgate.Lockout{MaxFailures: 5, Window: 5 * time.Minute, Duration: 15 * time.Minute}}
		if len(pools) != 1 || pools[0].TokenLimits != want {
			t.Fatalf("pool limits: %+v", pools)
		}
		clients, _ := st.ListClients(ctx, pools[0].ID)
		for _, c := range clients {
			switch c.Name {
			case "App":
				if c.TokenLimits == nil || *c.TokenLimits != (tollgate.TokenLimits{PerHour: 10, PerDay: 50}) {
					t.Errorf("App's limits: %+v", c.TokenLimits)
				}
			case "Plain":
				if c.TokenLimits != nil {
					t.Errorf("Plain's limits: %+v", c.TokenLimits)
				}
			}
		}
		checkChanges(t, apply(t, st, v, src, t1))
		res := apply(t, st, v, strings.NewReplacer("perHour: 100", "perHour: 200", "tokenLimits: {perHour: 10, perDay: 50}", "tokenLimits: {perDay: 50}").Replace(src), t1)
		checkChanges(t, res, "updated pool config:orders/Pool: tokenLimits", "updated client config:orders/Pool/App: tokenLimits")
	})
}

func TestApplyAPIKeysNeedVault(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		gen := generation(t, st)
		_, err := config.Apply(context.Background(), st, nil, parse(t, usageConfig), t0)
		var ke *tollgate.Error
		if after := generation(t, st); !errors.As(err, &ke) || !strings.Contains(err.Error(), "a vault is required") || after != gen {
			t.Errorf("err = %v, generation %d, was %d", err, after, gen)
		}
	})
}
