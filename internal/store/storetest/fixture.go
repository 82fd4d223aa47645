package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/tollgate/tollgate/internal/vault"
)

// OpenSQLite opens a store with open (sqlstore.Open: storetest cannot
// import the store it tests) on a new SQLite file, closes it when the test
// ends, and returns it with a vault under a fresh master key: the prologue
// of every test that writes through the domain service.
func OpenSQLite[S interface{ Close() error }](t testing.TB, open func(context.Context, string) (S, error)) (S, *vault.Vault) {
	t.Helper()
	st, err := open(context.Background(), SQLiteDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	v, err := vault.New(vault.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	return st, v
}

// Race runs n writers at once, released together so that they contend,
// and returns each one's error (the i-th writer's at index i).
func Race(n int, write func(i int) error) []error {
	var (
		start = make(chan struct{})
		wg    sync.WaitGroup
		errs  = make([]error, n)
	)
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = write(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// Winners counts the writers of a Race that succeeded, and hands each
// refused one, with its index, to refused to check its error.
func Winners(errs []error, refused func(i int, err error)) int {
	won := 0
	for i, err := range errs {
		if err == nil {
			won++
			continue
		}
		refused(i, err)
	}
	return won
}
