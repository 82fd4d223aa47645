package config_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// TestApplyKeepsThePoolQuota checks that applying a config, like every
// writer, cannot grow a pool past Cognito's MaxClientsPerPool, counting the
// clients made by hand in it: the store refuses the client that would be
// one too many, and the apply writes nothing.
func TestApplyKeepsThePoolQuota(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		ctx := context.Background()
		v := newVault(t)
		res := apply(t, st, v, seed, t0)
		poolID, _ := res.PoolID("UserPool")
		storetest.FillPool(t, st, poolID, tollgate.MaxClientsPerPool-1) // with the seed's client: full
		gen, err := st.Generation(ctx)
		if err != nil {
			t.Fatal(err)
		}

		more := strings.Replace(seed, "    domains:", `      - id: OneTooMany
        generateSecret: true
        oAuth:
          flows: {clientCredentials: true}
          scopes: [default/default]
    domains:`, 1)
		_, err = config.Apply(ctx, st, v, parse(t, more), t1)
		if tollgate.KindOf(err) != tollgate.KindConflict || !errors.Is(err, tollgate.ErrLimitExceeded) {
			t.Fatalf("Apply of one client too many: %v, want a conflict caused by ErrLimitExceeded", err)
		}
		clients, err := st.ListClients(ctx, poolID)
		if err != nil || len(clients) != tollgate.MaxClientsPerPool {
			t.Errorf("the pool has %d clients (%v), want %d", len(clients), err, tollgate.MaxClientsPerPool)
		}
		if after, err := st.Generation(ctx); err != nil || after != gen {
			t.Errorf("generation %d → %d (%v): want a refused apply to write nothing", gen, after, err)
		}
	})
}
