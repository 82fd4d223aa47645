package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

func newAPIKey(name string, planIDs ...string) *tollgate.APIKey {
	id := tollgate.NewAPIKeyID()
	if planIDs == nil {
		planIDs = []string{}
	}
	return &tollgate.APIKey{
		ID:          id,
		Name:        name,
		Description: "key " + name,
		CustomerID:  "customer-" + name,
		Enabled:     true,
		Hash:        []byte("hash of " + id),
		Sealed:      []byte("sealed " + id),
		PlanIDs:     planIDs,
		CreatedAt:   t0,
		UpdatedAt:   t0,
	}
}

func newUsagePlan(name string) *tollgate.UsagePlan {
	return &tollgate.UsagePlan{
		ID:          tollgate.NewUsagePlanID(),
		Name:        name,
		Description: "plan " + name,
		Stages: []tollgate.PlanStage{
			{APIID: "a1b2c3d4e5", Stage: "prod", Throttle: map[string]tollgate.Throttle{
				tollgate.MethodThrottleKey("/pets", "GET"): {Rate: 2.5, Burst: 5},
				tollgate.MethodThrottleKey("/", "GET"):     {Rate: 1, Burst: 1},
			}},
			{APIID: "a1b2c3d4e5", Stage: "test"},
		},
		Throttle:  tollgate.Throttle{Rate: 100, Burst: 200},
		Quota:     &tollgate.Quota{Limit: 10000, Offset: 100, Period: tollgate.QuotaMonth},
		CreatedAt: t0,
		UpdatedAt: t0,
	}
}

func mustPutPlan(t *testing.T, s tollgate.Store, p *tollgate.UsagePlan) {
	t.Helper()
	wantNoError(t, "PutUsagePlan "+p.Name, s.PutUsagePlan(context.Background(), p, tollgate.AnyOwner))
}

func mustCreateAPIKey(t *testing.T, s tollgate.Store, k *tollgate.APIKey) {
	t.Helper()
	wantNoError(t, "CreateAPIKey "+k.Name, s.CreateAPIKey(context.Background(), k))
}

// testAPIKeys checks API keys: create, get (a copy), list by id, update
// (never the value; plans replaced), delete, conflicts of id and value,
// unknown plans, and that each write moves the generation.
func testAPIKeys(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	list, err := s.ListAPIKeys(ctx)
	wantNoError(t, "ListAPIKeys of an empty store", err)
	wantEqual(t, "ListAPIKeys of an empty store", list, []*tollgate.APIKey{})

	gold, silver := newUsagePlan("gold"), newUsagePlan("silver")
	mustPutPlan(t, s, gold)
	mustPutPlan(t, s, silver)
	a := newAPIKey("a", silver.ID, gold.ID, gold.ID) // unsorted, a duplicate
	b := newAPIKey("b")
	b.Enabled = false
	g0 := generation(t, s)
	mustCreateAPIKey(t, s, a)
	mustCreateAPIKey(t, s, b)
	if g := generation(t, s); g != g0+2 {
		t.Errorf("two CreateAPIKey: generation went from %d to %d", g0, g)
	}
	a.PlanIDs = sortedIDs(gold.ID, silver.ID)

	got, err := s.GetAPIKey(ctx, a.ID)
	wantNoError(t, "GetAPIKey", err)
	wantEqual(t, "GetAPIKey", got, a)
	got.Hash[0], got.PlanIDs[0] = 'X', "changed" // a copy
	got, err = s.GetAPIKey(ctx, a.ID)
	wantNoError(t, "GetAPIKey again", err)
	wantEqual(t, "GetAPIKey after modifying a returned copy", got, a)
	got, err = s.GetAPIKey(ctx, b.ID)
	wantNoError(t, "GetAPIKey of a disabled key in no plan", err)
	wantEqual(t, "GetAPIKey of a disabled key in no plan", got, b)

	list, err = s.ListAPIKeys(ctx)
	wantNoError(t, "ListAPIKeys", err)
	wantEqual(t, "ListAPIKeys (by id)", list, sortKeys(a, b))

	apiKeyRefusals(t, s, a)
	updateDeleteAPIKey(t, s, a, b, silver)
}

// apiKeyRefusals checks CreateAPIKey's refusals of a taken id, a taken
// value and a missing plan, which store nothing.
func apiKeyRefusals(t *testing.T, s tollgate.Store, a *tollgate.APIKey) {
	ctx := context.Background()
	dupID := newAPIKey("dup-id")
	dupID.ID = a.ID
	wantDuplicate(t, "CreateAPIKey with a taken id", s.CreateAPIKey(ctx, dupID))
	dupValue := newAPIKey("dup-value")
	dupValue.Hash = a.Hash
	wantDuplicate(t, "CreateAPIKey with a taken value (hash)", s.CreateAPIKey(ctx, dupValue))
	unknownPlan := newAPIKey("unknown-plan", "zzzzzzzzzz")
	wantKind(t, "CreateAPIKey in a missing plan", s.CreateAPIKey(ctx, unknownPlan), tollgate.KindNotFound)
	for _, k := range []*tollgate.APIKey{dupValue, unknownPlan} {
		_, err := s.GetAPIKey(ctx, k.ID)
		wantKind(t, "GetAPIKey of a refused key", err, tollgate.KindNotFound)
	}
	_, err := s.GetAPIKey(ctx, "0000000000")
	wantKind(t, "GetAPIKey of an unknown key", err, tollgate.KindNotFound)
}

// updateDeleteAPIKey checks UpdateAPIKey and DeleteAPIKey of a, in the
// plan silver, beside b.
func updateDeleteAPIKey(t *testing.T, s tollgate.Store, a, b *tollgate.APIKey, silver *tollgate.UsagePlan) {
	ctx := context.Background()
	// An update changes what it documents, never the value or the
	// creation, and replaces the plans.
	update := *a
	update.Name, update.Description, update.CustomerID, update.Enabled = "a2", "", "", false
	update.ConfigKey, update.UpdatedAt = "config:k/A", at(time.Hour)
	update.Hash, update.Sealed, update.CreatedAt = []byte("other hash"), []byte("other sealed"), at(time.Hour)
	update.PlanIDs = []string{silver.ID}
	wantNoError(t, "UpdateAPIKey", s.UpdateAPIKey(ctx, &update, tollgate.AnyOwner))
	want := update
	want.Hash, want.Sealed, want.CreatedAt = a.Hash, a.Sealed, a.CreatedAt
	got, err := s.GetAPIKey(ctx, a.ID)
	wantNoError(t, "GetAPIKey after update", err)
	wantEqual(t, "GetAPIKey after update", got, &want)
	update.PlanIDs = []string{silver.ID, "zzzzzzzzzz"}
	wantKind(t, "UpdateAPIKey into a missing plan", s.UpdateAPIKey(ctx, &update, tollgate.AnyOwner), tollgate.KindNotFound)
	got, _ = s.GetAPIKey(ctx, a.ID)
	wantEqual(t, "the key after a refused update", got, &want)
	missing := newAPIKey("missing")
	wantKind(t, "UpdateAPIKey of a missing key", s.UpdateAPIKey(ctx, missing, tollgate.AnyOwner), tollgate.KindNotFound)

	g1 := generation(t, s)
	wantNoError(t, "DeleteAPIKey", s.DeleteAPIKey(ctx, a.ID, tollgate.AnyOwner))
	if g := generation(t, s); g <= g1 {
		t.Errorf("DeleteAPIKey: generation went from %d to %d", g1, g)
	}
	_, err = s.GetAPIKey(ctx, a.ID)
	wantKind(t, "GetAPIKey after delete", err, tollgate.KindNotFound)
	wantKind(t, "DeleteAPIKey again", s.DeleteAPIKey(ctx, a.ID, tollgate.AnyOwner), tollgate.KindNotFound)
	// Its value is free again; its plan membership went with it.
	again := newAPIKey("again", silver.ID)
	again.Hash = a.Hash
	mustCreateAPIKey(t, s, again)
	list, err := s.ListAPIKeys(ctx)
	wantNoError(t, "ListAPIKeys after delete", err)
	wantEqual(t, "ListAPIKeys after delete", list, sortKeys(b, again))
}

// testUsagePlans checks usage plans: put (create, then replace keeping
// CreatedAt), get (a copy), list by id, delete taking the plan out of its
// keys (recording the plan's change only), and every setting's round trip.
func testUsagePlans(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	list, err := s.ListUsagePlans(ctx)
	wantNoError(t, "ListUsagePlans of an empty store", err)
	wantEqual(t, "ListUsagePlans of an empty store", list, []*tollgate.UsagePlan{})

	full := newUsagePlan("full")
	bare := &tollgate.UsagePlan{ID: tollgate.NewUsagePlanID(), Name: "bare", Stages: []tollgate.PlanStage{}, CreatedAt: t0, UpdatedAt: t0}
	mustPutPlan(t, s, full)
	mustPutPlan(t, s, bare)
	for _, p := range []*tollgate.UsagePlan{full, bare} {
		got, err := s.GetUsagePlan(ctx, p.ID)
		wantNoError(t, "GetUsagePlan "+p.Name, err)
		wantEqual(t, "GetUsagePlan "+p.Name, got, p)
	}
	got, _ := s.GetUsagePlan(ctx, full.ID)
	got.Quota.Limit, got.Stages[0].Throttle["/pets/GET"] = 1, tollgate.Throttle{} // a copy
	got, _ = s.GetUsagePlan(ctx, full.ID)
	wantEqual(t, "GetUsagePlan after modifying a returned copy", got, full)
	list, err = s.ListUsagePlans(ctx)
	wantNoError(t, "ListUsagePlans", err)
	wantEqual(t, "ListUsagePlans (by id)", list, sortPlans(full, bare))

	// Replacing keeps CreatedAt; everything else is the new plan's.
	replaced := &tollgate.UsagePlan{ID: full.ID, Name: "full2", Stages: []tollgate.PlanStage{{APIID: "zzzzzzzzzz", Stage: "v1"}},
		Quota: &tollgate.Quota{Limit: 5, Period: tollgate.QuotaWeek}, ConfigKey: "config:p/Full", CreatedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
	mustPutPlan(t, s, replaced)
	want := *replaced
	want.CreatedAt = t0
	got, err = s.GetUsagePlan(ctx, full.ID)
	wantNoError(t, "GetUsagePlan after replace", err)
	wantEqual(t, "GetUsagePlan after replace", got, &want)

	bad := newUsagePlan("bad")
	bad.Quota.Period = "YEAR"
	wantKind(t, "PutUsagePlan with a quota period not DAY, WEEK or MONTH", s.PutUsagePlan(ctx, bad, tollgate.AnyOwner), tollgate.KindInvalid)
	_, err = s.GetUsagePlan(ctx, bad.ID)
	wantKind(t, "GetUsagePlan of a refused plan", err, tollgate.KindNotFound)

	deleteUsagePlan(t, s, full, bare)
}

// deleteUsagePlan deletes the plan full, which takes it out of a key also
// in bare and records the plan's change only.
func deleteUsagePlan(t *testing.T, s tollgate.Store, full, bare *tollgate.UsagePlan) {
	ctx := context.Background()
	k := newAPIKey("k", full.ID, bare.ID)
	mustCreateAPIKey(t, s, k)
	g0 := generation(t, s)
	wantNoError(t, "DeleteUsagePlan", s.DeleteUsagePlan(ctx, full.ID, tollgate.AnyOwner))
	set, err := s.Changes(ctx, g0)
	wantNoError(t, "Changes", err)
	wantEqual(t, "DeleteUsagePlan's changes", set, tollgate.ChangeSet{Gen: g0 + 1,
		Changes: []tollgate.Change{{Gen: g0 + 1, Kind: tollgate.ChangeUsagePlan, ID: full.ID}}})
	_, err = s.GetUsagePlan(ctx, full.ID)
	wantKind(t, "GetUsagePlan after delete", err, tollgate.KindNotFound)
	wantKind(t, "DeleteUsagePlan again", s.DeleteUsagePlan(ctx, full.ID, tollgate.AnyOwner), tollgate.KindNotFound)
	gotKey, err := s.GetAPIKey(ctx, k.ID)
	wantNoError(t, "GetAPIKey after its plan's delete", err)
	wantEqual(t, "the key's plans after one's delete", gotKey.PlanIDs, []string{bare.ID})
	list, err := s.ListUsagePlans(ctx)
	wantNoError(t, "ListUsagePlans after delete", err)
	wantEqual(t, "ListUsagePlans after delete", list, []*tollgate.UsagePlan{bare})
}

// testAPIKeyOwner checks that the writes of API keys and usage plans
// taking an Owner change them only when their ConfigKey is the one
// expected, as clients' do.
func testAPIKeyOwner(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	p := newUsagePlan("plan")
	mustPutPlan(t, s, p)
	k := newAPIKey("key")
	mustCreateAPIKey(t, s, k)
	pAdopted, kAdopted := *p, *k
	pAdopted.ConfigKey, kAdopted.ConfigKey = ownerKey, ownerKey
	wantNoError(t, "PutUsagePlan adopting", s.PutUsagePlan(ctx, &pAdopted, tollgate.AnyOwner))
	wantNoError(t, "UpdateAPIKey adopting", s.UpdateAPIKey(ctx, &kAdopted, tollgate.AnyOwner))

	byHand := tollgate.OwnedBy("")
	pRenamed, kRenamed := *p, *k
	pRenamed.Name, kRenamed.Name = "renamed", "renamed"
	kRenamed.PlanIDs = []string{p.ID}
	g0 := generation(t, s)
	wantOwner(t, "PutUsagePlan by hand", s.PutUsagePlan(ctx, &pRenamed, byHand), ownerKey)
	wantOwner(t, "DeleteUsagePlan by hand", s.DeleteUsagePlan(ctx, p.ID, byHand), ownerKey)
	wantOwner(t, "UpdateAPIKey by hand", s.UpdateAPIKey(ctx, &kRenamed, byHand), ownerKey)
	wantOwner(t, "DeleteAPIKey by hand", s.DeleteAPIKey(ctx, k.ID, byHand), ownerKey)
	if g := generation(t, s); g != g0 {
		t.Errorf("refused writes moved the generation from %d to %d", g0, g)
	}
	gotPlan, err := s.GetUsagePlan(ctx, p.ID)
	wantNoError(t, "GetUsagePlan", err)
	wantEqual(t, "the plan after refused writes", gotPlan, &pAdopted)
	gotKey, err := s.GetAPIKey(ctx, k.ID)
	wantNoError(t, "GetAPIKey", err)
	wantEqual(t, "the key after refused writes", gotKey, &kAdopted)

	// Its owner writes; a new plan is created whoever the writer expects.
	byOwner := tollgate.OwnedBy(ownerKey)
	kRenamed.ConfigKey, pRenamed.ConfigKey = ownerKey, ownerKey
	wantNoError(t, "UpdateAPIKey by its owner", s.UpdateAPIKey(ctx, &kRenamed, byOwner))
	wantNoError(t, "PutUsagePlan by its owner", s.PutUsagePlan(ctx, &pRenamed, byOwner))
	fresh := newUsagePlan("fresh")
	wantNoError(t, "PutUsagePlan creating by hand", s.PutUsagePlan(ctx, fresh, byHand))
	wantNoError(t, "DeleteAPIKey by its owner", s.DeleteAPIKey(ctx, k.ID, byOwner))
	wantNoError(t, "DeleteUsagePlan by its owner", s.DeleteUsagePlan(ctx, p.ID, byOwner))
	wantKind(t, "UpdateAPIKey of a deleted key by hand", s.UpdateAPIKey(ctx, &kRenamed, byHand), tollgate.KindNotFound)
	wantKind(t, "DeleteUsagePlan of a deleted plan by hand", s.DeleteUsagePlan(ctx, p.ID, byHand), tollgate.KindNotFound)
}

// testUsage checks AddUsage and Usage: counts add up, days are inclusive,
// one key or all, by key then day; a bad record refuses the whole batch;
// usage moves no generation and outlives its plan.
func testUsage(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	got, err := s.Usage(ctx, "nosuchplan", "", "2026-11-01", "2026-11-30")
	wantNoError(t, "Usage of a plan without any", err)
	wantEqual(t, "Usage of a plan without any", got, []tollgate.UsageRecord{})

	g0 := generation(t, s)
	wantNoError(t, "AddUsage", s.AddUsage(ctx, []tollgate.UsageRecord{
		rec("plan1", "keyb", "2026-11-02", 3),
		rec("plan1", "keya", "2026-11-03", 1),
		rec("plan1", "keya", "2026-11-02", 5),
		rec("plan1", "keya", "2026-11-02", 2), // the same row twice in a batch
		rec("plan2", "keya", "2026-11-02", 7),
		rec("plan1", "keya", "2026-10-31", 9),
		rec("plan1", "keyb", "2026-12-01", 4),
	}))
	wantNoError(t, "AddUsage again", s.AddUsage(ctx, []tollgate.UsageRecord{rec("plan1", "keya", "2026-11-02", 10), rec("plan1", "keyb", "2026-11-02", 0)}))
	wantNoError(t, "AddUsage of nothing", s.AddUsage(ctx, nil))
	if g := generation(t, s); g != g0 {
		t.Errorf("AddUsage moved the generation from %d to %d", g0, g)
	}

	got, err = s.Usage(ctx, "plan1", "", "2026-11-01", "2026-11-30")
	wantNoError(t, "Usage of every key", err)
	wantEqual(t, "Usage of every key", got, []tollgate.UsageRecord{
		rec("plan1", "keya", "2026-11-02", 17), rec("plan1", "keya", "2026-11-03", 1), rec("plan1", "keyb", "2026-11-02", 3),
	})
	got, err = s.Usage(ctx, "plan1", "keyb", "2026-11-02", "2026-12-01")
	wantNoError(t, "Usage of one key", err)
	wantEqual(t, "Usage of one key, both ends inclusive", got, []tollgate.UsageRecord{
		rec("plan1", "keyb", "2026-11-02", 3), rec("plan1", "keyb", "2026-12-01", 4),
	})
	got, err = s.Usage(ctx, "plan1", "keya", "2026-11-03", "2026-11-03")
	wantNoError(t, "Usage of one day", err)
	wantEqual(t, "Usage of one day", got, []tollgate.UsageRecord{rec("plan1", "keya", "2026-11-03", 1)})

	usageRefusals(t, s)

	// A plan's usage stays when the plan goes.
	p := newUsagePlan("counted")
	mustPutPlan(t, s, p)
	wantNoError(t, "AddUsage", s.AddUsage(ctx, []tollgate.UsageRecord{rec(p.ID, "keya", "2026-11-02", 1)}))
	wantNoError(t, "DeleteUsagePlan", s.DeleteUsagePlan(ctx, p.ID, tollgate.AnyOwner))
	got, err = s.Usage(ctx, p.ID, "", "2026-11-02", "2026-11-02")
	wantNoError(t, "Usage of a deleted plan", err)
	wantEqual(t, "Usage of a deleted plan", got, []tollgate.UsageRecord{rec(p.ID, "keya", "2026-11-02", 1)})
}

func rec(plan, key, day string, n int64) tollgate.UsageRecord {
	return tollgate.UsageRecord{PlanID: plan, KeyID: key, Day: day, Count: n}
}

// usageRefusals checks that a bad record refuses its batch before anything
// is written, and that Usage refuses a bad day. plan1's keya has 1 on
// 2026-11-03.
func usageRefusals(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	for name, bad := range map[string]tollgate.UsageRecord{
		"a negative count":      rec("plan1", "keya", "2026-11-02", -1),
		"a day not a day":       rec("plan1", "keya", "2026-11-31", 1),
		"a day in another form": rec("plan1", "keya", "2026-11-2", 1),
		"a time, not a day":     rec("plan1", "keya", "2026-11-02T00:00:00Z", 1),
		"no key":                rec("plan1", "", "2026-11-02", 1),
	} {
		err := s.AddUsage(ctx, []tollgate.UsageRecord{rec("plan1", "keya", "2026-11-03", 100), bad})
		wantKind(t, "AddUsage with "+name, err, tollgate.KindInvalid)
	}
	got, _ := s.Usage(ctx, "plan1", "keya", "2026-11-03", "2026-11-03")
	wantEqual(t, "Usage after refused batches", got, []tollgate.UsageRecord{rec("plan1", "keya", "2026-11-03", 1)})
	for _, days := range [][2]string{{"2026-11-1", "2026-11-30"}, {"2026-11-01", "tomorrow"}} {
		_, err := s.Usage(ctx, "plan1", "", days[0], days[1])
		wantKind(t, fmt.Sprintf("Usage from %q to %q", days[0], days[1]), err, tollgate.KindInvalid)
	}
}

// testConcurrentUsage has many goroutines, over both handles, add usage to
// the same rows at once, in opposite orders: every count is added exactly
// once, and none deadlocks.
func testConcurrentUsage(t *testing.T, a, b tollgate.Store) {
	ctx := context.Background()
	const rounds = 10
	days := []string{"2026-11-02", "2026-11-03", "2026-11-04"}
	errs := Race(workers, func(i int) error {
		s := [2]tollgate.Store{a, b}[i%2]
		for range rounds {
			batch := make([]tollgate.UsageRecord, 0, 2*len(days))
			for j := range days {
				if i%2 == 1 {
					j = len(days) - 1 - j
				}
				batch = append(batch, tollgate.UsageRecord{PlanID: "plan", KeyID: "keya", Day: days[j], Count: 1},
					tollgate.UsageRecord{PlanID: "plan", KeyID: "keyb", Day: days[j], Count: int64(i)})
			}
			if err := s.AddUsage(ctx, batch); err != nil {
				return err
			}
		}
		return nil
	})
	for i, err := range errs {
		wantNoError(t, fmt.Sprintf("worker %d", i), err)
	}
	got, err := b.Usage(ctx, "plan", "", days[0], days[len(days)-1])
	wantNoError(t, "Usage", err)
	sumOfIndexes := int64(workers * (workers - 1) / 2)
	var want []tollgate.UsageRecord
	for _, key := range []string{"keya", "keyb"} {
		for _, day := range days {
			n := int64(workers * rounds)
			if key == "keyb" {
				n = sumOfIndexes * rounds
			}
			want = append(want, tollgate.UsageRecord{PlanID: "plan", KeyID: key, Day: day, Count: n})
		}
	}
	wantEqual(t, "the usage added concurrently", got, want)
}

// testTokenLimits checks that pools' and clients' token limits are kept
// as created and updated, and read by every read: a pool's zero limits and
// a client's nil (the pool's) and zero (none, replacing the pool's) ones
// stay what they were.
func testTokenLimits(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	limits := tollgate.TokenLimits{PerHour: 100, PerDay: 1000,
		Lockout: tollgate.Lockout{MaxFailures: 5, Window: 15 * time.Minute, Duration: time.Hour + 500*time.Millisecond}}
	p := newPool("limited")
	p.TokenLimits = limits
	wantNoError(t, "CreatePool with token limits", s.CreatePool(ctx, p))
	plain := mustCreatePool(t, s, "plain")
	own := newClient(p.ID, "own")
	own.TokenLimits = &tollgate.TokenLimits{PerDay: 10}
	none := newClient(p.ID, "none")
	none.TokenLimits = &tollgate.TokenLimits{}
	inherits := newClient(p.ID, "inherits")
	for _, c := range []*tollgate.Client{own, none, inherits} {
		mustCreateClient(t, s, c)
	}
	checkPoolsAndClients(t, s, "as created", []*tollgate.UserPool{p, plain}, []*tollgate.Client{inherits, none, own})

	p.TokenLimits = tollgate.TokenLimits{Lockout: tollgate.Lockout{MaxFailures: 3, Window: time.Minute, Duration: time.Minute}}
	p.UpdatedAt = at(time.Hour)
	wantNoError(t, "UpdatePool", s.UpdatePool(ctx, p, tollgate.AnyOwner))
	plain.TokenLimits = tollgate.TokenLimits{PerHour: 1}
	wantNoError(t, "UpdatePool", s.UpdatePool(ctx, plain, tollgate.AnyOwner))
	own.TokenLimits, none.TokenLimits, inherits.TokenLimits = nil, &tollgate.TokenLimits{PerHour: 7}, &tollgate.TokenLimits{}
	for _, c := range []*tollgate.Client{own, none, inherits} {
		wantNoError(t, "UpdateClient "+c.Name, s.UpdateClient(ctx, c, tollgate.AnyOwner))
	}
	checkPoolsAndClients(t, s, "updated", []*tollgate.UserPool{p, plain}, []*tollgate.Client{inherits, none, own})

	p.TokenLimits = tollgate.TokenLimits{}
	wantNoError(t, "UpdatePool clearing", s.UpdatePool(ctx, p, tollgate.AnyOwner))
	checkPoolsAndClients(t, s, "cleared", []*tollgate.UserPool{p, plain}, []*tollgate.Client{inherits, none, own})
}

// checkPoolsAndClients checks that every read of pools and clients
// returns them as wanted: every pool, by name, and every client, by name,
// all in pools[0].
func checkPoolsAndClients(t *testing.T, s tollgate.Store, step string, pools []*tollgate.UserPool, clients []*tollgate.Client) {
	t.Helper()
	ctx := context.Background()
	for _, want := range pools {
		got, err := s.GetPool(ctx, want.ID)
		wantNoError(t, step+": GetPool", err)
		wantEqual(t, step+": GetPool "+want.Name, got, want)
	}
	listed, err := s.ListPools(ctx)
	wantNoError(t, step+": ListPools", err)
	wantEqual(t, step+": ListPools", listed, pools)
	for _, want := range clients {
		got, err := s.GetClient(ctx, want.ID)
		wantNoError(t, step+": GetClient", err)
		wantEqual(t, step+": GetClient "+want.Name, got, want)
	}
	all, err := s.ListClients(ctx, "")
	wantNoError(t, step+": ListClients", err)
	wantEqual(t, step+": ListClients", all, clients)
	inPool, err := s.ListClients(ctx, pools[0].ID)
	wantNoError(t, step+": ListClients of the pool", err)
	wantEqual(t, step+": ListClients of the pool", inPool, clients)
}

func sortedIDs(ids ...string) []string { return slices.Sorted(slices.Values(ids)) }

func sortKeys(keys ...*tollgate.APIKey) []*tollgate.APIKey {
	slices.SortFunc(keys, func(a, b *tollgate.APIKey) int { return strings.Compare(a.ID, b.ID) })
	return keys
}

func sortPlans(plans ...*tollgate.UsagePlan) []*tollgate.UsagePlan {
	slices.SortFunc(plans, func(a, b *tollgate.UsagePlan) int { return strings.Compare(a.ID, b.ID) })
	return plans
}

// testUsageBatch adds a batch larger than a store may write in one
// statement: every record is added.
func testUsageBatch(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	const n = 600 // more than sqlstore's 500 rows a statement
	batch := make([]tollgate.UsageRecord, n)
	for i := range batch {
		batch[i] = rec("plan", fmt.Sprintf("key%05d", i), "2026-11-02", int64(i))
	}
	wantNoError(t, "AddUsage", s.AddUsage(ctx, batch))
	wantNoError(t, "AddUsage again", s.AddUsage(ctx, batch))
	got, err := s.Usage(ctx, "plan", "", "2026-11-02", "2026-11-02")
	wantNoError(t, "Usage", err)
	for i := range batch {
		batch[i].Count *= 2
	}
	wantEqual(t, "Usage of a large batch added twice", got, batch)
}
