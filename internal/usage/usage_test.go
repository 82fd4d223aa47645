package usage_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/function/functest"
	"github.com/tollgate/tollgate/internal/usage"
)

// memStore keeps usage records in memory, as the store's AddUsage and
// Usage do (counts added per plan, key and day).
type memStore struct {
	mu     sync.Mutex
	counts map[tollgate.UsageRecord]int64 // Count zeroed in the key
	fail   error
	keys   []*tollgate.APIKey
}

func newMemStore() *memStore { return &memStore{counts: map[tollgate.UsageRecord]int64{}} }

func (m *memStore) AddUsage(_ context.Context, records []tollgate.UsageRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	for _, r := range records {
		n := r.Count
		r.Count = 0
		m.counts[r] += n
	}
	return nil
}

func (m *memStore) Usage(_ context.Context, planID, keyID, from, to string) ([]tollgate.UsageRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []tollgate.UsageRecord
	for r, n := range m.counts {
		if r.PlanID == planID && (keyID == "" || r.KeyID == keyID) && r.Day >= from && r.Day <= to {
			r.Count = n
			out = append(out, r)
		}
	}
	return out, nil
}

func (m *memStore) ListAPIKeys(context.Context) ([]*tollgate.APIKey, error) { return m.keys, nil }

func (m *memStore) count(plan, key, day string) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counts[tollgate.UsageRecord{PlanID: plan, KeyID: key, Day: day}]
}

var quiet = slog.New(slog.DiscardHandler)

func TestRecorderFlushes(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	r := usage.NewRecorder(st, usage.Options{Logger: quiet})
	day1 := time.Date(2026, 3, 1, 23, 59, 59, 0, time.UTC)
	day2 := day1.Add(time.Second)
	for range 3 {
		r.Record("plan", "key1", day1)
	}
	r.Record("plan", "key1", day2)
	r.Record("plan", "key2", day2)
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		key, day string
		want     int64
	}{{"key1", "2026-03-01", 3}, {"key1", "2026-03-02", 1}, {"key2", "2026-03-02", 1}} {
		if got := st.count("plan", c.key, c.day); got != c.want {
			t.Errorf("%s on %s = %d, want %d", c.key, c.day, got, c.want)
		}
	}
	// A flush with nothing new adds nothing.
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := st.count("plan", "key1", "2026-03-01"); got != 3 {
		t.Errorf("after an empty flush: %d", got)
	}

	// A failed flush keeps the counts for the next one.
	st.fail = errors.New("store down")
	r.Record("plan", "key1", day2)
	if err := r.Flush(ctx); err == nil {
		t.Fatal("flush to a failing store succeeded")
	}
	r.Record("plan", "key1", day2)
	st.fail = nil
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := st.count("plan", "key1", "2026-03-02"); got != 3 {
		t.Errorf("after a failed flush and a good one: %d, want 3", got)
	}
}

func TestRecorderBounded(t *testing.T) {
	st := newMemStore()
	r := usage.NewRecorder(st, usage.Options{Logger: quiet, MaxEntries: 2})
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	r.Record("p", "a", now)
	r.Record("p", "b", now)
	r.Record("p", "c", now) // over the bound: not counted
	r.Record("p", "a", now) // an existing counter still counts
	if err := r.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if a, c := st.count("p", "a", "2026-03-01"), st.count("p", "c", "2026-03-01"); a != 2 || c != 0 {
		t.Errorf("a = %d (want 2), c = %d (want 0)", a, c)
	}
	// The idle counters are forgotten at the next flush, which frees room.
	if err := r.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.Record("p", "c", now)
	if err := r.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c := st.count("p", "c", "2026-03-01"); c != 1 {
		t.Errorf("c after room was freed = %d, want 1", c)
	}
}

func TestRunFlushesAtTheEnd(t *testing.T) {
	st := newMemStore()
	r := usage.NewRecorder(st, usage.Options{Logger: quiet, Interval: time.Hour})
	r.Record("p", "k", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	cancel()
	<-done
	if got := st.count("p", "k", "2026-03-01"); got != 1 {
		t.Errorf("after Run ended: %d, want 1", got)
	}
}

func TestRunFlushesEveryInterval(t *testing.T) {
	st := newMemStore()
	r := usage.NewRecorder(st, usage.Options{Logger: quiet, Interval: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	r.Record("p", "k", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	functest.Eventually(t, "a flush while Run runs", func() bool { return st.count("p", "k", "2026-03-01") == 1 })
}

// TestConcurrentRecords races Records with Flushes that retire idle
// counters: every request must be counted once.
func TestConcurrentRecords(t *testing.T) {
	st := newMemStore()
	r := usage.NewRecorder(st, usage.Options{Logger: quiet})
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				r.Record("p", []string{"a", "b"}[(g+i)%2], now)
				if i%10 == 0 {
					_ = r.Flush(context.Background())
				}
			}
		})
	}
	wg.Wait()
	if err := r.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := st.count("p", "a", "2026-03-01") + st.count("p", "b", "2026-03-01"); got != 8000 {
		t.Errorf("counted %d, want 8000", got)
	}
}

func BenchmarkRecord(b *testing.B) {
	r := usage.NewRecorder(newMemStore(), usage.Options{Logger: quiet})
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		r.Record("plan000001", "key0000001", now)
	}
}

func BenchmarkRecordParallel(b *testing.B) {
	r := usage.NewRecorder(newMemStore(), usage.Options{Logger: quiet})
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	keys := []string{"key0000001", "key0000002", "key0000003", "key0000004"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			r.Record("plan000001", keys[i%len(keys)], now)
			i++
		}
	})
}

// reportFixture is a month-quota plan with usage of key000000a in and
// around March 2026, an unused key000000b, and a key000000d that has
// usage but is no longer in the plan.
func reportFixture(t *testing.T) (*memStore, *tollgate.UsagePlan) {
	t.Helper()
	ctx := context.Background()
	st := newMemStore()
	created := time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)
	plan := &tollgate.UsagePlan{ID: "plan000001", CreatedAt: created,
		Quota: &tollgate.Quota{Limit: 100, Period: tollgate.QuotaMonth}}
	st.keys = []*tollgate.APIKey{
		{ID: "key000000a", PlanIDs: []string{"plan000001"}},
		{ID: "key000000b", PlanIDs: []string{"plan000001"}},
		{ID: "key000000c", PlanIDs: []string{"other00001"}},
	}
	add := func(key, day string, n int64) {
		if err := st.AddUsage(ctx, []tollgate.UsageRecord{{PlanID: plan.ID, KeyID: key, Day: day, Count: n}}); err != nil {
			t.Fatal(err)
		}
	}
	add("key000000a", "2026-03-01", 10) // before the range, in the same month
	add("key000000a", "2026-03-02", 5)
	add("key000000a", "2026-03-03", 100) // past the quota: remaining stays 0
	add("key000000a", "2026-04-01", 7)   // a new month
	add("key000000d", "2026-03-02", 1)   // a key since taken out of the plan
	return st, plan
}

func TestReport(t *testing.T) {
	ctx := context.Background()
	st, plan := reportFixture(t)
	u, err := usage.Report(ctx, st, plan, "", "2026-03-02", "2026-04-01", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Values) != 3 || u.Position != "" {
		t.Fatalf("keys %v, position %q", keysOf(u.Values), u.Position)
	}
	a := u.Values["key000000a"]
	if len(a) != 31 {
		t.Fatalf("%d days, want 31", len(a))
	}
	want := map[int][2]int64{0: {5, 85}, 1: {100, 0}, 2: {0, 0}, 30: {7, 93}}
	for i, w := range want {
		if a[i] != w {
			t.Errorf("day %d = %v, want %v", i, a[i], w)
		}
	}
	if b := u.Values["key000000b"]; b[0] != [2]int64{0, 100} {
		t.Errorf("an unused key's first day = %v, want [0 100]", b[0])
	}

	// The wire shape of GetUsage.
	small, err := usage.Report(ctx, st, plan, "key000000a", "2026-03-02", "2026-03-02", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(small)
	if w := `{"usagePlanId":"plan000001","startDate":"2026-03-02","endDate":"2026-03-02","values":{"key000000a":[[5,85]]}}`; string(got) != w {
		t.Errorf("JSON = %s\nwant %s", got, w)
	}

	// Paging: one key a page, every key once.
	var seen []string
	pos := ""
	for range 10 {
		p, err := usage.Report(ctx, st, plan, "", "2026-03-02", "2026-03-02", pos, 1)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, keysOf(p.Values)...)
		if pos = p.Position; pos == "" {
			break
		}
	}
	if w := []string{"key000000a", "key000000b", "key000000d"}; !slices.Equal(seen, w) {
		t.Errorf("paged keys = %v, want %v", seen, w)
	}

	// The offset lowers only the plan's first period; no quota, remaining 0.
	offset := *plan
	offset.Quota = &tollgate.Quota{Limit: 100, Offset: 40, Period: tollgate.QuotaMonth}
	if u, _ := usage.Report(ctx, st, &offset, "key000000b", "2026-02-28", "2026-03-01", "", 0); !cmp.Equal(u.Values["key000000b"], [][2]int64{{0, 60}, {0, 100}}) {
		t.Errorf("with an offset: %v", u.Values["key000000b"])
	}
	none := *plan
	none.Quota = nil
	if u, _ := usage.Report(ctx, st, &none, "key000000a", "2026-03-02", "2026-03-02", "", 0); u.Values["key000000a"][0] != [2]int64{5, 0} {
		t.Errorf("without a quota: %v", u.Values["key000000a"])
	}
}

func TestReportRefuses(t *testing.T) {
	plan := &tollgate.UsagePlan{ID: "plan000001"}
	for _, c := range []struct {
		name, start, end, pos string
		limit                 int
		want                  string
	}{
		{"bad start", "2026-3-1", "2026-03-02", "", 0, "start date"},
		{"bad end", "2026-03-01", "tomorrow", "", 0, "end date"},
		{"end before start", "2026-03-02", "2026-03-01", "", 0, "before"},
		{"too long", "2024-01-01", "2026-01-01", "", 0, "exceed"},
		{"limit too big", "2026-03-01", "2026-03-02", "", 501, "limit"},
		{"limit negative", "2026-03-01", "2026-03-02", "", -1, "limit"},
		{"forged position", "2026-03-01", "2026-03-02", "!!", 0, "position"},
	} {
		_, err := usage.Report(context.Background(), newMemStore(), plan, "", c.start, c.end, c.pos, c.limit)
		if tollgate.KindOf(err) != tollgate.KindInvalid || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
}

func keysOf(m map[string][][2]int64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
