package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// usageReads is a store's Usage that records what it is asked.
type usageReads struct {
	asked []string
	recs  []tollgate.UsageRecord
	err   error
}

func (u *usageReads) Usage(_ context.Context, planID, keyID, from, to string) ([]tollgate.UsageRecord, error) {
	u.asked = append(u.asked, planID+" "+keyID+" "+from+".."+to)
	return u.recs, u.err
}

// The gateway's QuotaUsed reads the store once per key and window: the
// sum of the key's days from the window's first through today.
func TestQuotaUsageOncePerWindow(t *testing.T) {
	now := time.Date(2026, 12, 16, 10, 0, 0, 0, time.UTC)
	st := &usageReads{recs: []tollgate.UsageRecord{{Day: "2026-12-01", Count: 5}, {Day: "2026-12-15", Count: 7}}}
	q := &quotaUsage{st: st, now: func() time.Time { return now }, log: slog.New(slog.NewTextHandler(io.Discard, nil)), seen: map[string]quotaWindow{}}
	month := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for range 3 {
		if got := q.used(context.Background(), "plan", "key", month, 0); got != 12 {
			t.Fatalf("used %d; want 12", got)
		}
	}
	if len(st.asked) != 1 || st.asked[0] != "plan key 2026-12-01..2026-12-16" {
		t.Fatalf("asked %q; want one read of the window", st.asked)
	}
	// Another key is its own read; the next window reads again.
	q.used(context.Background(), "plan", "other", month, 0)
	now = time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
	q.used(context.Background(), "plan", "key", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 0)
	if len(st.asked) != 3 || st.asked[2] != "plan key 2027-01-01..2027-01-02" {
		t.Fatalf("asked %q", st.asked)
	}
	if len(q.seen) != 2 {
		t.Errorf("%d windows kept; want one per key", len(q.seen))
	}
}

// A store that cannot be read counts as nothing used, and is asked again.
func TestQuotaUsageStoreDown(t *testing.T) {
	st := &usageReads{err: errors.New("connection refused")}
	q := &quotaUsage{st: st, now: time.Now, log: slog.New(slog.NewTextHandler(io.Discard, nil)), seen: map[string]quotaWindow{}}
	day := time.Now().UTC().Truncate(24 * time.Hour)
	if got := q.used(context.Background(), "plan", "key", day, 0); got != 0 {
		t.Fatalf("used %d", got)
	}
	st.err, st.recs = nil, []tollgate.UsageRecord{{Count: 4}}
	if got := q.used(context.Background(), "plan", "key", day, 0); got != 4 {
		t.Fatalf("used %d after the store came back; want 4", got)
	}
}

// Each outage of a shared limiter (its epoch) reads the window anew: the
// requests the shared limiter admitted in between are in the records.
func TestQuotaUsagePerOutage(t *testing.T) {
	st := &usageReads{recs: []tollgate.UsageRecord{{Count: 1}}}
	q := &quotaUsage{st: st, now: time.Now, log: slog.New(slog.NewTextHandler(io.Discard, nil)), seen: map[string]quotaWindow{}}
	day := time.Now().UTC().Truncate(24 * time.Hour)
	if got := q.used(context.Background(), "plan", "key", day, 100); got != 1 {
		t.Fatalf("outage 1: used %d", got)
	}
	st.recs = []tollgate.UsageRecord{{Count: 5}}
	if got := q.used(context.Background(), "plan", "key", day, 100); got != 1 {
		t.Fatalf("outage 1 again: used %d; want its one reading", got)
	}
	if got := q.used(context.Background(), "plan", "key", day, 200); got != 5 {
		t.Fatalf("outage 2: used %d; want a reading of its own", got)
	}
}
