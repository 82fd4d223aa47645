package replay_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/replay"
	"github.com/tollgate/tollgate/internal/replay/replaytest"
)

func newLocal(maxEntries int) (*replay.Local, *replaytest.Clock) {
	clock := replaytest.NewClock()
	l := replay.NewLocal(maxEntries)
	l.Now = clock.Now
	return l, clock
}

func TestLocal(t *testing.T) {
	replaytest.Run(t, func(*testing.T) (replay.Cache, *replaytest.Clock) {
		l, clock := newLocal(0)
		return l, clock
	})
}

// TestLocalFull: a full Local refuses new keys with ErrFull rather than
// forget one (forgetting would let it be replayed), still recognises the
// keys it holds, and makes room as entries expire.
func TestLocalFull(t *testing.T) {
	const maxEntries = 40
	l, clock := newLocal(maxEntries)
	ctx := context.Background()
	exp := clock.Now().Add(time.Minute)
	for i := range maxEntries {
		if fresh, err := l.Use(ctx, fmt.Sprint(i), exp); err != nil || !fresh {
			t.Fatalf("Use %d = %v, %v", i, fresh, err)
		}
	}
	if fresh, err := l.Use(ctx, "one too many", exp); !errors.Is(err, replay.ErrFull) || fresh {
		t.Fatalf("Use when full = %v, %v; want false, ErrFull", fresh, err)
	}
	if fresh, err := l.Use(ctx, "0", exp); err != nil || fresh {
		t.Fatalf("Use of a held key when full = %v, %v; want a replay", fresh, err)
	}
	if n := l.Len(); n != maxEntries {
		t.Fatalf("Len = %d, want %d", n, maxEntries)
	}
	clock.Advance(time.Minute)
	for i := range maxEntries {
		if fresh, err := l.Use(ctx, fmt.Sprint("new", i), clock.Now().Add(time.Minute)); err != nil || !fresh {
			t.Fatalf("Use %d once the others expired = %v, %v; want fresh", i, fresh, err)
		}
	}
	if n := l.Len(); n != maxEntries {
		t.Fatalf("Len after the sweeps = %d, want %d", n, maxEntries)
	}
}

// TestLocalSweeps: expired entries are dropped on later writes, without
// the cache being full, so that memory follows the live entries.
func TestLocalSweeps(t *testing.T) {
	l, clock := newLocal(0)
	ctx := context.Background()
	for i := range 1000 {
		if _, err := l.Use(ctx, fmt.Sprint(i), clock.Now().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(2 * time.Minute)
	for i := range 1000 { // enough writes to reach every shard
		if _, err := l.Use(ctx, fmt.Sprint("new", i), clock.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if n := l.Len(); n != 1000 {
		t.Fatalf("Len = %d, want the 1000 live entries only", n)
	}
}

func BenchmarkLocalUse(b *testing.B) {
	l := replay.NewLocal(1 << 22)
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	keys := make([]string, b.N)
	for i := range keys {
		keys[i] = fmt.Sprintf("dpop:0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I:%d", i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if fresh, err := l.Use(ctx, keys[i], exp); err != nil || !fresh {
			b.Fatal(fresh, err)
		}
	}
}

func BenchmarkLocalUseParallel(b *testing.B) {
	l := replay.NewLocal(1 << 22)
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		buf := make([]byte, 0, 64)
		for i := 0; pb.Next(); i++ {
			buf = fmt.Appendf(buf[:0], "dpop:%p:%d", pb, i)
			if _, err := l.Use(ctx, string(buf), exp); err != nil {
				b.Fatal(err)
			}
		}
	})
}
