package config_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/vault"
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
		checkChanges(t, file, "created pool config:orders/FilePool", "created client config:orders/FilePool/C")

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
		checkChanges(t, prune(t, st, newVault(t), "userPools: []\n", t0), "deleted pool config:orders/FilePool")
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

// applyNamed applies src as the config called name.
func applyNamed(t *testing.T, st tollgate.Store, v *vault.Vault, name, src string, opts config.ApplyOptions) (*config.Result, error) {
	t.Helper()
	cfg := parse(t, src)
	cfg.Name = name
	return config.ApplyWith(context.Background(), st, v, cfg, t0, opts)
}

// Configs of different names share a store as stacks do: applying one
// (even emptied, even with Prune) never touches the other's objects, whose
// ids and secrets stay as they were.
func TestApplyConfigsAreIndependent(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		ctx := context.Background()
		v := newVault(t)
		a, err := applyNamed(t, st, v, "a", seed, config.ApplyOptions{})
		must(t, err)
		before := snapshot(t, st)

		b, err := applyNamed(t, st, v, "b", stackB, config.ApplyOptions{})
		must(t, err)
		checkChanges(t, b, "created pool config:b/Other", "created client config:b/Other/C")
		empty, err := applyNamed(t, st, v, "b", "userPools: []\n", config.ApplyOptions{Prune: true})
		must(t, err)
		checkChanges(t, empty, "deleted pool config:b/Other")

		after := snapshot(t, st)
		if diff := cmp.Diff(before.Pools, after.Pools); diff != "" {
			t.Errorf("config a's pools changed (-before +after):\n%s", diff)
		}
		if diff := cmp.Diff(before.Clients, after.Clients); diff != "" {
			t.Errorf("config a's clients changed (-before +after):\n%s", diff)
		}
		if diff := cmp.Diff(before.Servers, after.Servers); diff != "" {
			t.Errorf("config a's resource servers changed (-before +after):\n%s", diff)
		}
		again, err := applyNamed(t, st, v, "a", seed, config.ApplyOptions{})
		must(t, err)
		checkChanges(t, again)
		if id, _ := a.ClientID("UserPool", "ThirdPartyAppClient"); id == "" {
			t.Error("no client id")
		} else if _, err := st.GetClient(ctx, id); err != nil {
			t.Errorf("config a's client: %v", err)
		}
	})
}

// A name or domain another config holds is a conflict that says which
// config, not something to take over.
func TestApplyConflictsWithAnotherConfig(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		v := newVault(t)
		_, err := applyNamed(t, st, v, "a", seed, config.ApplyOptions{})
		must(t, err)
		before := snapshot(t, st)
		_, err = applyNamed(t, st, v, "b", seed, config.ApplyOptions{Prune: true})
		if tollgate.KindOf(err) != tollgate.KindConflict {
			t.Fatalf("got %v, want a conflict", err)
		}
		for _, want := range []string{`the name "UserPool" is taken by pool`, `is declared in config "a" (as "UserPool")`, `"tollgate-seed" belongs to pool`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
		if after := snapshot(t, st); after.Gen != before.Gen {
			t.Error("a refused apply wrote to the store")
		}
	})
}

// What a config drops and that holds secrets (a client with secrets, a
// pool with clients, even clients made by hand) is listed and not deleted
// without Prune; what holds none (a client without secrets, a resource
// server, a domain, an empty pool) goes as before.
func TestApplyPruneGuard(t *testing.T) {
	const start = `
userPools:
  - id: Keep
    clients:
      - {id: Secret, generateSecret: true}
      - {id: Public}
  - id: Empty
  - id: HandMade
`
	stores(t, func(t *testing.T, st tollgate.Store) {
		ctx := context.Background()
		v := newVault(t)
		res := apply(t, st, v, start, t0)
		handPool, _ := res.PoolID("HandMade")
		mustCreateClient(t, st, handPool, "by-hand")

		// Dropping what holds no secret needs no Prune.
		checkChanges(t, apply(t, st, v, strings.NewReplacer("      - {id: Public}\n", "", "  - id: Empty\n", "").Replace(start), t1),
			"deleted pool config:orders/Empty", "deleted client config:orders/Keep/Public")

		before := snapshot(t, st)
		_, err := config.Apply(ctx, st, v, parse(t, "userPools: []\n"), t1)
		var pe *config.PruneError
		if !errors.As(err, &pe) {
			t.Fatalf("err = %v, want a PruneError", err)
		}
		var got []string
		for _, o := range pe.Objects {
			got = append(got, fmt.Sprintf("%s %s: %d secrets, %d clients, %d with secrets", o.Object, o.Key, o.Secrets, o.Clients, o.SecretClients))
		}
		want := []string{"pool config:orders/Keep: 0 secrets, 1 clients, 1 with secrets", "pool config:orders/HandMade: 0 secrets, 1 clients, 0 with secrets"}
		if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
			t.Errorf("refused (-want +got):\n%s", diff)
		}
		for _, line := range []string{`config "orders" (orders.yaml) no longer declares 2 objects holding secrets`, "delete pool config:orders/HandMade (" + handPool + ") with 1 client (0 with secrets)"} {
			if !strings.Contains(err.Error(), line) {
				t.Errorf("error lacks %q:\n%v", line, err)
			}
		}
		if diff := cmp.Diff(before, snapshot(t, st)); diff != "" {
			t.Errorf("a refused prune changed the store (-before +after):\n%s", diff)
		}
		res = prune(t, st, v, "userPools: []\n", t1)
		if len(res.Pruned) != 2 || len(res.Changes) != 2 {
			t.Errorf("with Prune: changes %v, pruned %v", changes(res), res.Pruned)
		}
	})
}

// A stack keeps CloudFormation's semantics: a deployment deletes what the
// template drops, secrets or not, without being told.
func TestApplyStackDeletesWithoutPrune(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		if _, err := applyStack(t, st, "A", seed, nil); err != nil {
			t.Fatal(err)
		}
		res, err := applyStack(t, st, "A", "userPools: []\n", nil)
		if err != nil {
			t.Fatal(err)
		}
		checkChanges(t, res, "deleted pool stack:A/UserPool")
		if len(res.Pruned) != 0 {
			t.Errorf("a stack's deletions reported as pruned: %v", res.Pruned)
		}
	})
}
