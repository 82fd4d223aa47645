package sqlstore

import (
	"context"
	"sync"
	"testing"

	"github.com/tollgate/tollgate/internal/store/storetest"
)

// dialects lists the databases the tests run on, each with a function that
// returns the DSN of a new, empty database.
var dialects = []struct {
	name string
	dsn  func(testing.TB) string
}{
	{"sqlite", storetest.SQLiteDSN},
	{"postgres", storetest.PostgresDSN},
}

func openT(t *testing.T, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// versions returns the schema version of s's database and the latest
// version among the embedded migrations.
func versions(t *testing.T, s *Store) (current, latest int64) {
	t.Helper()
	ctx := context.Background()
	p, err := s.migrator(ctx)
	if err != nil {
		t.Fatal(err)
	}
	current, err = p.GetDBVersion(ctx)
	if err != nil {
		t.Fatalf("GetDBVersion: %v", err)
	}
	sources := p.ListSources()
	return current, sources[len(sources)-1].Version
}

func TestMigrate(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			dsn := d.dsn(t)
			first := openT(t, dsn)
			current, latest := versions(t, first)
			if latest < 1 || current != latest {
				t.Fatalf("after Open: schema version %d, want the latest, %d", current, latest)
			}
			// Opening again finds nothing to do.
			second := openT(t, dsn)
			if current, _ := versions(t, second); current != latest {
				t.Errorf("after a second Open: schema version %d, want %d", current, latest)
			}
			if _, err := second.Generation(context.Background()); err != nil {
				t.Errorf("Generation after a second Open: %v", err)
			}
		})
	}
}

// TestMigrateDownUp checks that every migration can be undone and redone.
func TestMigrateDownUp(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := openT(t, d.dsn(t))
			p, err := s.migrator(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.DownTo(ctx, 0); err != nil {
				t.Fatalf("DownTo(0): %v", err)
			}
			if v, err := p.GetDBVersion(ctx); err != nil || v != 0 {
				t.Fatalf("after DownTo(0): version %d, %v; want 0", v, err)
			}
			if err := s.migrate(ctx); err != nil {
				t.Fatalf("migrate after DownTo(0): %v", err)
			}
			if current, latest := versions(t, s); current != latest {
				t.Errorf("after migrating again: schema version %d, want %d", current, latest)
			}
		})
	}
}

// TestOpenTogether opens one new database from several goroutines at once,
// as nodes starting together (or the server and the CLI) do: every Open
// must succeed.
func TestOpenTogether(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			dsn := d.dsn(t)
			const n = 6
			var (
				wg     sync.WaitGroup
				stores [n]*Store
				errs   [n]error
			)
			for i := range n {
				wg.Go(func() { stores[i], errs[i] = Open(context.Background(), dsn) })
			}
			wg.Wait()
			for i := range n {
				if errs[i] != nil {
					t.Errorf("Open %d: %v", i, errs[i])
					continue
				}
				stores[i].Close()
			}
		})
	}
}
