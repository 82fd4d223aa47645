package sqlstore_test

import (
	"context"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// open opens a store on dsn, closed when the test ends.
func open(t testing.TB, dsn string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// dialects lists the databases the tests run on, each with a function that
// returns the DSN of a new, empty database.
var dialects = []struct {
	name string
	dsn  func(testing.TB) string
}{
	{"sqlite", storetest.SQLiteDSN},
	{"postgres", storetest.PostgresDSN},
}

func TestConformance(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			storetest.RunTests(t, func(t *testing.T) tollgate.Store {
				s := open(t, d.dsn(t))
				if got := s.Dialect(); got != d.name {
					t.Fatalf("Dialect() = %q, want %q", got, d.name)
				}
				return s
			})
		})
	}
}

func TestConcurrency(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			storetest.RunConcurrencyTests(t, func(t *testing.T) (tollgate.Store, tollgate.Store) {
				dsn := d.dsn(t)
				return open(t, dsn), open(t, dsn)
			})
		})
	}
}
