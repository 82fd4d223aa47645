package config_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
)

func applyStack(t *testing.T, st tollgate.Store, stack, src string, ids *config.IDs) (*config.Result, error) {
	t.Helper()
	return config.ApplyWith(context.Background(), st, newVault(t), parse(t, src), t0, config.ApplyOptions{Stack: stack, IDs: ids})
}

const stackB = `
userPools:
  - id: Other
    clients:
      - id: C
`

// Stacks deployed to one store are independent: applying one leaves the
// others' objects, and a config file's, alone; each manages its own.
func TestApplyStacksAreIndependent(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		ctx := context.Background()
		a, err := applyStack(t, st, "A", seed, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkChanges(t, a,
			"created pool stack:A/UserPool",
			"created resource server stack:A/UserPool/ResourceServer",
			"created client stack:A/UserPool/ThirdPartyAppClient",
			"created domain stack:A/UserPool/UserPoolDomain")
		poolA, _ := a.PoolID("UserPool")
		clientA, _ := a.ClientID("UserPool", "ThirdPartyAppClient")

		b, err := applyStack(t, st, "B", stackB, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkChanges(t, b, "created pool stack:B/Other", "created client stack:B/Other/C")
		file := apply(t, st, newVault(t), strings.ReplaceAll(stackB, "Other", "FilePool"), t0)
		checkChanges(t, file, "created pool FilePool", "created client FilePool/C")

		if _, err := st.GetPool(ctx, poolA); err != nil {
			t.Errorf("stack A's pool after deploying B and a config file: %v", err)
		}
		if _, err := st.GetClient(ctx, clientA); err != nil {
			t.Errorf("stack A's client after deploying B and a config file: %v", err)
		}
		// Deploying A again keeps its ids and writes nothing.
		again, err := applyStack(t, st, "A", seed, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkChanges(t, again)
		if id, _ := again.PoolID("UserPool"); id != poolA {
			t.Errorf("pool id %s after deploying again, want %s", id, poolA)
		}
		// A stack deletes only its own: B emptied loses its pool, the
		// others stay.
		empty, err := applyStack(t, st, "B", "userPools: []\n", nil)
		if err != nil {
			t.Fatal(err)
		}
		checkChanges(t, empty, "deleted pool stack:B/Other")
		pools, _ := st.ListPools(ctx)
		var keys []string
		for _, p := range pools {
			keys = append(keys, p.ConfigKey)
		}
		if got := strings.Join(keys, ","); !strings.Contains(got, "stack:A/UserPool") || !strings.Contains(got, "FilePool") || strings.Contains(got, "stack:B") {
			t.Errorf("pools left: %s", got)
		}
		// A config file leaves the stacks' objects alone too.
		checkChanges(t, apply(t, st, newVault(t), "userPools: []\n", t0), "deleted pool FilePool")
		if _, err := st.GetPool(ctx, poolA); err != nil {
			t.Errorf("stack A's pool after emptying the config file: %v", err)
		}
	})
}

// A name or domain that another stack's object holds is a conflict, not
// something to take over.
func TestApplyStackConflictsWithOtherOwners(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		if _, err := applyStack(t, st, "A", seed, nil); err != nil {
			t.Fatal(err)
		}
		_, err := applyStack(t, st, "B", seed, nil)
		if tollgate.KindOf(err) != tollgate.KindConflict {
			t.Fatalf("got %v, want a conflict", err)
		}
		for _, want := range []string{`the name "UserPool" is taken by pool`, `belongs to stack A (as "stack:A/UserPool")`, `"tollgate-seed" belongs to pool`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
	})
}

// IDs read before a deployment are the ids Apply gives what it creates,
// and those it keeps; if the store changed in between, Apply writes
// nothing and says so.
func TestApplyWithIDs(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		ctx := context.Background()
		ids, err := config.StackIDs(ctx, st, "A")
		if err != nil {
			t.Fatal(err)
		}
		pool := ids.Pool("UserPool", "us-east-1")
		client := ids.Client("UserPool", "ThirdPartyAppClient")
		res, err := applyStack(t, st, "A", seed, ids)
		if err != nil {
			t.Fatal(err)
		}
		if id, _ := res.PoolID("UserPool"); id != pool {
			t.Errorf("pool %s, want the id given, %s", id, pool)
		}
		if id, _ := res.ClientID("UserPool", "ThirdPartyAppClient"); id != client {
			t.Errorf("client %s, want the id given, %s", id, client)
		}
		again, err := config.StackIDs(ctx, st, "A")
		if err != nil {
			t.Fatal(err)
		}
		if again.Pool("UserPool", "us-east-1") != pool || again.Client("UserPool", "ThirdPartyAppClient") != client {
			t.Errorf("StackIDs after the deployment does not give the stored ids")
		}
		stale, _ := config.StackIDs(ctx, st, "B")
		stale.Pool("UserPool", "us-east-1")
		before := snapshot(t, st)
		_, err = config.ApplyWith(ctx, st, newVault(t), parse(t, seed), t1, config.ApplyOptions{Stack: "A", IDs: stale})
		if tollgate.KindOf(err) != tollgate.KindConflict || !strings.Contains(err.Error(), "deploy again") {
			t.Errorf("stale ids: got %v, want a conflict", err)
		}
		if after := snapshot(t, st); after.Gen != before.Gen {
			t.Errorf("a refused apply wrote to the store")
		}
	})
}
