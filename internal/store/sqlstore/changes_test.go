package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// TestListenChanges: on SQLite a listener hears its own handle's commits
// (in process); on PostgreSQL another handle's (another node's), told by
// NOTIFY at commit. Both tell once when they start listening.
func TestListenChanges(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			dsn := d.dsn(t)
			listener, other := open(t, dsn), open(t, dsn)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			told := make(chan error, 16)
			go func() {
				done <- listener.ListenChanges(ctx, func(err error) {
					select {
					case told <- err:
					default:
					}
				})
			}()
			defer func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("ListenChanges returned %v after its context ended, want nil", err)
				}
			}()
			wantTold(t, told, "on listening")
			now := time.Now().UTC()
			write := func(s tollgate.Store, name string) {
				if err := s.CreatePool(ctx, &tollgate.UserPool{ID: tollgate.NewPoolID("eu-west-1"), Name: name, Region: "eu-west-1", CreatedAt: now, UpdatedAt: now}); err != nil {
					t.Fatal(err)
				}
			}
			if d.name == "postgres" {
				// The listener writes nothing itself: what it hears is
				// the other handle's NOTIFY.
				write(other, "other")
				wantTold(t, told, "after another handle's write")
				return
			}
			write(listener, "own")
			wantTold(t, told, "after its own write")
		})
	}
}

func wantTold(t *testing.T, told <-chan error, when string) {
	t.Helper()
	select {
	case err := <-told:
		if err != nil {
			t.Fatalf("%s: told %v, want nil", when, err)
		}
	case <-time.After(20 * time.Second): // a deadline for a hang, not a timed assertion
		t.Fatalf("%s: not told", when)
	}
}

// TestChangesOfAWriterWithoutTheFeed: a generation moved by a writer that
// records no change (a node of a version before the feed, during a rolling
// upgrade) makes a reader behind it reload everything, as it cannot know
// what changed.
func TestChangesOfAWriterWithoutTheFeed(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.SQLiteDSN(t)
	s := open(t, dsn)
	now := time.Now().UTC()
	if err := s.CreatePool(ctx, &tollgate.UserPool{ID: tollgate.NewPoolID("eu-west-1"), Name: "p", Region: "eu-west-1", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	before, err := s.Generation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if set, err := s.Changes(ctx, before-1); err != nil || set.TooOld || len(set.Changes) != 1 {
		t.Fatalf("Changes = %+v, %v; want the pool's change", set, err)
	}
	old, err := sql.Open("sqlite", dsn) // the old writer
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if _, err := old.ExecContext(ctx, `UPDATE generation SET value = value + 1 WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	set, err := s.Changes(ctx, before-1)
	if err != nil || !set.TooOld || set.Gen != before+1 {
		t.Errorf("after an unrecorded write: Changes = %+v, %v; want TooOld at generation %d", set, err, before+1)
	}
}
