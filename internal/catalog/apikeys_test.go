package catalog_test

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/catalog"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// meterStore serves pools, API keys and usage plans from memory, with a
// change feed of its own, over an empty SQLite store for the rest: the
// catalog's metering is tested apart from the store's API key tables.
type meterStore struct {
	tollgate.Store
	mu    sync.Mutex
	log   []tollgate.Change
	pools map[string]*tollgate.UserPool
	keys  map[string]*tollgate.APIKey
	plans map[string]*tollgate.UsagePlan
}

func newMeterStore(t *testing.T) *meterStore {
	st, _ := storetest.OpenSQLite(t, sqlstore.Open)
	return &meterStore{Store: st, pools: map[string]*tollgate.UserPool{},
		keys: map[string]*tollgate.APIKey{}, plans: map[string]*tollgate.UsagePlan{}}
}

func (m *meterStore) record(kind tollgate.ChangeKind, id string) {
	m.log = append(m.log, tollgate.Change{Gen: int64(len(m.log) + 1), Kind: kind, ID: id})
}

func (m *meterStore) putPool(p *tollgate.UserPool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pools[p.ID] = p
	m.record(tollgate.ChangePool, p.ID)
}

func (m *meterStore) putKey(k *tollgate.APIKey) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys[k.ID] = k
	m.record(tollgate.ChangeAPIKey, k.ID)
}

func (m *meterStore) deleteKey(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.keys, id)
	m.record(tollgate.ChangeAPIKey, id)
}

func (m *meterStore) putPlan(p *tollgate.UsagePlan) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.plans[p.ID] = p
	m.record(tollgate.ChangeUsagePlan, p.ID)
}

// deletePlan takes the plan out of every key, as the store does, with no
// change of the keys.
func (m *meterStore) deletePlan(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.plans, id)
	for kid, k := range m.keys {
		cp := *k
		cp.PlanIDs = slices.DeleteFunc(slices.Clone(k.PlanIDs), func(p string) bool { return p == id })
		m.keys[kid] = &cp
	}
	m.record(tollgate.ChangeUsagePlan, id)
}

func (m *meterStore) Generation(context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(len(m.log)), nil
}

func (m *meterStore) Changes(_ context.Context, since int64) (tollgate.ChangeSet, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return tollgate.ChangeSet{Gen: int64(len(m.log)), Changes: slices.Clone(m.log[since:])}, nil
}

func (m *meterStore) ListPools(context.Context) ([]*tollgate.UserPool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return collect(m.pools), nil
}

func (m *meterStore) GetPool(_ context.Context, id string) (*tollgate.UserPool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if p, ok := m.pools[id]; ok {
		return p, nil
	}
	return nil, tollgate.Errorf(tollgate.KindNotFound, "user pool not found")
}

func (m *meterStore) ListAPIKeys(context.Context) ([]*tollgate.APIKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return collect(m.keys), nil
}

func (m *meterStore) GetAPIKey(_ context.Context, id string) (*tollgate.APIKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if k, ok := m.keys[id]; ok {
		return k, nil
	}
	return nil, tollgate.Errorf(tollgate.KindNotFound, "API key not found")
}

func (m *meterStore) ListUsagePlans(context.Context) ([]*tollgate.UsagePlan, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return collect(m.plans), nil
}

func (m *meterStore) GetUsagePlan(_ context.Context, id string) (*tollgate.UsagePlan, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if p, ok := m.plans[id]; ok {
		return p, nil
	}
	return nil, tollgate.Errorf(tollgate.KindNotFound, "usage plan not found")
}

func collect[V any](m map[string]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestAPIKeysAndUsagePlans(t *testing.T) {
	ctx := context.Background()
	st := newMeterStore(t)
	k1 := &tollgate.APIKey{ID: "key0000001", Name: "one", Enabled: true, Hash: []byte("hash-one"), PlanIDs: []string{"plan000001"}}
	st.putKey(k1)
	st.putPlan(&tollgate.UsagePlan{ID: "plan000001", Name: "gold", Quota: &tollgate.Quota{Limit: 10, Period: tollgate.QuotaDay}})

	var told []catalog.Changed
	cat, err := catalog.New(ctx, st, catalog.Options{Logger: slog.New(slog.DiscardHandler),
		OnChange: func(ch catalog.Changed) { told = append(told, ch) }})
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := cat.APIKeyByHash([]byte("hash-one")); !ok || k.ID != k1.ID {
		t.Fatalf("APIKeyByHash after load = %v, %v", k, ok)
	}
	if _, ok := cat.APIKeyByHash([]byte("hash-two")); ok {
		t.Fatal("an unknown hash matched")
	}
	if p, ok := cat.UsagePlan("plan000001"); !ok || p.Name != "gold" {
		t.Fatalf("UsagePlan = %v, %v", p, ok)
	}

	steps := []struct {
		name   string
		write  func()
		want   catalog.Changed
		check  func(t *testing.T)
		hashes map[string]string // hash → key id expected, "" = absent
	}{
		{"new key", func() {
			st.putKey(&tollgate.APIKey{ID: "key0000002", Name: "two", Hash: []byte("hash-two")})
		}, catalog.Changed{APIKeys: true}, nil, map[string]string{"hash-one": "key0000001", "hash-two": "key0000002"}},
		{"key's value replaced (a new hash)", func() {
			st.putKey(&tollgate.APIKey{ID: "key0000002", Name: "two", Hash: []byte("hash-2bis"), Enabled: true})
		}, catalog.Changed{APIKeys: true}, nil, map[string]string{"hash-two": "", "hash-2bis": "key0000002"}},
		{"second plan", func() {
			st.putPlan(&tollgate.UsagePlan{ID: "plan000002", Name: "silver"})
		}, catalog.Changed{APIKeys: true, UsagePlans: true}, func(t *testing.T) {
			var ids []string
			for _, p := range cat.UsagePlans() {
				ids = append(ids, p.ID)
			}
			if !slices.Equal(ids, []string{"plan000001", "plan000002"}) {
				t.Errorf("UsagePlans = %v", ids)
			}
		}, nil},
		{"plan deleted: out of its keys too", func() { st.deletePlan("plan000001") },
			catalog.Changed{APIKeys: true, UsagePlans: true}, func(t *testing.T) {
				if _, ok := cat.UsagePlan("plan000001"); ok {
					t.Error("deleted plan still found")
				}
				if k, _ := cat.APIKeyByHash([]byte("hash-one")); len(k.PlanIDs) != 0 {
					t.Errorf("key's plans = %v, want none", k.PlanIDs)
				}
			}, nil},
		{"key deleted", func() { st.deleteKey("key0000001") }, catalog.Changed{APIKeys: true}, nil,
			map[string]string{"hash-one": "", "hash-2bis": "key0000002"}},
	}
	for _, step := range steps {
		told = nil
		step.write()
		if _, err := cat.Refresh(ctx); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if len(told) != 1 || !cmp.Equal(told[0], step.want) {
			t.Errorf("%s: OnChange told %+v, want %+v", step.name, told, step.want)
		}
		for hash, want := range step.hashes {
			k, ok := cat.APIKeyByHash([]byte(hash))
			if want == "" && ok {
				t.Errorf("%s: hash %q still finds %s", step.name, hash, k.ID)
			}
			if want != "" && (!ok || k.ID != want) {
				t.Errorf("%s: hash %q = %v, %v; want %s", step.name, hash, k, ok, want)
			}
		}
		if step.check != nil {
			step.check(t)
		}
		// What the update left is what a full load sees.
		full, err := catalog.New(ctx, st, catalog.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(full.MeterView(), cat.MeterView()); diff != "" {
			t.Errorf("%s: update differs from a full load (-full +update):\n%s", step.name, diff)
		}
	}
}

func TestPoolLimits(t *testing.T) {
	ctx := context.Background()
	st := newMeterStore(t)
	lenient := tollgate.Lockout{MaxFailures: 10, Window: time.Minute, Duration: time.Hour}
	st.putPool(&tollgate.UserPool{ID: "eu-west-1_aaaaaaaaa", Name: "a", Region: "eu-west-1",
		TokenLimits: tollgate.TokenLimits{PerHour: 100, Lockout: lenient}})
	st.putPool(&tollgate.UserPool{ID: "eu-west-1_bbbbbbbbb", Name: "b", Region: "eu-west-1"})
	cat, err := catalog.New(ctx, st, catalog.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := cat.PoolLimits("eu-west-1_aaaaaaaaa"); !ok || l.PerHour != 100 {
		t.Errorf("PoolLimits = %+v, %v", l, ok)
	}
	if _, ok := cat.PoolLimits("eu-west-1_zzzzzzzzz"); ok {
		t.Error("PoolLimits of an unknown pool found")
	}
	if l, _ := cat.PoolLimits("eu-west-1_aaaaaaaaa"); l.Lockout != lenient {
		t.Errorf("PoolLimits' lockout = %+v, want %+v", l.Lockout, lenient)
	}
}

func BenchmarkAPIKeyByHash(b *testing.B) {
	ctx := context.Background()
	st := &meterStore{pools: map[string]*tollgate.UserPool{}, keys: map[string]*tollgate.APIKey{}, plans: map[string]*tollgate.UsagePlan{}}
	sq, _ := storetest.OpenSQLite(b, sqlstore.Open)
	st.Store = sq
	hash := make([]byte, 32)
	for i := range 10000 {
		h := make([]byte, 32)
		h[0], h[1] = byte(i), byte(i>>8)
		st.putKey(&tollgate.APIKey{ID: string(rune('a'+i%26)) + string(h[:2]), Hash: h, Enabled: true})
		if i == 5000 {
			copy(hash, h)
		}
	}
	cat, err := catalog.New(ctx, st, catalog.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := cat.APIKeyByHash(hash); !ok {
			b.Fatal("miss")
		}
	}
}
