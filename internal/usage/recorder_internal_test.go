package usage

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

type sumStore struct{ n int64 }

func (s *sumStore) AddUsage(_ context.Context, rs []tollgate.UsageRecord) error {
	for _, r := range rs {
		s.n += r.Count
	}
	return nil
}

// TestRecordRacingARetiringFlush: a Flush that retires an idle counter
// between a Record's lookup of it and its add does not lose the request:
// the Record counts it again in the map.
func TestRecordRacingARetiringFlush(t *testing.T) {
	st := &sumStore{}
	r := NewRecorder(st, Options{})
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	r.Record("p", "k", now)
	if err := r.Flush(context.Background()); err != nil { // the counter stays, at 0
		t.Fatal(err)
	}
	flushed := false
	afterLookup = func() {
		if !flushed {
			flushed = true
			if err := r.Flush(context.Background()); err != nil { // retires the idle counter
				t.Error(err)
			}
		}
	}
	t.Cleanup(func() { afterLookup = nil })
	r.Record("p", "k", now)
	if !flushed {
		t.Fatal("the hook did not run")
	}
	if err := r.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st.n != 2 {
		t.Errorf("counted %d requests, want 2", st.n)
	}
}
