package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// RunConcurrencyTests runs the tests that need two independent handles on
// one database, as two processes sharing it have. open2 must return two
// such stores on a new, empty database and close them when the test ends.
func RunConcurrencyTests(t *testing.T, open2 func(t *testing.T) (tollgate.Store, tollgate.Store)) {
	tests := []struct {
		name string
		run  func(t *testing.T, a, b tollgate.Store)
	}{
		{"SharedWrites", testSharedWrites},
		{"FirstKeysOnce", testFirstKeysOnce},
		{"SecretLimit", testConcurrentSecretLimit},
		{"ClientLimit", testConcurrentClientLimit},
		{"InitSettingOnce", testInitSettingOnce},
		{"ResealWhileWriting", testResealWhileWriting},
		{"CreateResourceServerOnce", testCreateResourceServerOnce},
		{"OnePrefixDomain", testOnePrefixDomain},
		{"HandWriteRacingAdoption", testHandWriteRacingAdoption},
		{"DeletePoolRacingDomain", testDeletePoolRacingDomain},
		{"Usage", testConcurrentUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, b := open2(t)
			tt.run(t, a, b)
		})
	}
}

// workers is how many goroutines the concurrency tests run, half on each
// handle.
const workers = 16

// testSharedWrites checks that each handle sees the other's writes and its
// generation.
func testSharedWrites(t *testing.T, a, b tollgate.Store) {
	ctx := context.Background()
	gb, err := b.Generation(ctx)
	wantNoError(t, "Generation", err)
	p := mustCreatePool(t, a, "pool")
	got, err := b.GetPool(ctx, p.ID)
	wantNoError(t, "GetPool on the other handle", err)
	wantEqual(t, "GetPool on the other handle", got, p)
	if g, err := b.Generation(ctx); err != nil || g <= gb {
		t.Errorf("Generation on the other handle = %d, %v; want more than %d", g, err, gb)
	}

	c := newClient(p.ID, "client")
	mustCreateClient(t, b, c)
	wantNoError(t, "AddClientSecret", a.AddClientSecret(ctx, c.ID, newSecret(t0)))
	wantNoError(t, "DeleteClient on the other handle", b.DeleteClient(ctx, c.ID, tollgate.AnyOwner))
	_, err = a.GetClient(ctx, c.ID)
	wantKind(t, "GetClient after the other handle deleted it", err, tollgate.KindNotFound)
}

// testFirstKeysOnce has many goroutines, over both handles, each create the
// pool's first keys unless it has some: exactly one must create them, and
// all must end with the same keys.
func testFirstKeysOnce(t *testing.T, a, b tollgate.Store) {
	ctx := context.Background()
	pool := mustCreatePool(t, a, "pool")
	var (
		generated atomic.Int32
		wg        sync.WaitGroup
		// called counts the workers on their way into UpdateSigningKeys.
		// Whoever generates keys waits for all of them before it
		// returns, so the others call while it is still inside: a store
		// whose lock does not exclude them shows each one no keys, and
		// each generates its own.
		called  sync.WaitGroup
		results = make([][]tollgate.SigningKey, workers)
		errs    = make([]error, workers)
	)
	called.Add(workers)
	for i := range workers {
		s := [2]tollgate.Store{a, b}[i%2]
		wg.Go(func() {
			called.Done()
			results[i], errs[i] = s.UpdateSigningKeys(ctx, pool.ID, func(current []tollgate.SigningKey) ([]tollgate.SigningKey, error) {
				if len(current) > 0 {
					return nil, nil
				}
				generated.Add(1)
				called.Wait()
				kid := fmt.Sprintf("worker-%d", i)
				return []tollgate.SigningKey{
					newKey(pool.ID, kid+"-active", tollgate.KeyActive, t0),
					newKey(pool.ID, kid+"-next", tollgate.KeyNext, t0),
				}, nil
			})
		})
	}
	wg.Wait()

	if n := generated.Load(); n != 1 {
		t.Errorf("the first keys were generated %d times, want once", n)
	}
	want, err := b.ListSigningKeys(ctx, pool.ID)
	wantNoError(t, "ListSigningKeys", err)
	if len(want) != 2 {
		t.Fatalf("the pool has %d keys, want 2", len(want))
	}
	for i := range workers {
		wantNoError(t, fmt.Sprintf("worker %d", i), errs[i])
		wantEqual(t, fmt.Sprintf("worker %d's keys", i), results[i], want)
	}
}

// testConcurrentSecretLimit has many goroutines, over both handles, each add
// a secret to one client: exactly MaxClientSecrets must succeed.
func testConcurrentSecretLimit(t *testing.T, a, b tollgate.Store) {
	ctx := context.Background()
	pool := mustCreatePool(t, a, "pool")
	c := newClient(pool.ID, "client")
	mustCreateClient(t, a, c)

	var (
		wg   sync.WaitGroup
		errs = make([]error, workers)
	)
	for i := range workers {
		s := [2]tollgate.Store{a, b}[i%2]
		wg.Go(func() {
			errs[i] = s.AddClientSecret(ctx, c.ID, newSecret(at(time.Duration(i)*time.Second)))
		})
	}
	wg.Wait()

	added := 0
	for i, err := range errs {
		if err == nil {
			added++
			continue
		}
		wantKind(t, fmt.Sprintf("worker %d", i), err, tollgate.KindConflict)
	}
	if added != tollgate.MaxClientSecrets {
		t.Errorf("%d secrets were added, want %d", added, tollgate.MaxClientSecrets)
	}
	got, err := b.GetClient(ctx, c.ID)
	wantNoError(t, "GetClient", err)
	if len(got.Secrets) != tollgate.MaxClientSecrets {
		t.Errorf("the client has %d secrets, want %d", len(got.Secrets), tollgate.MaxClientSecrets)
	}
}
