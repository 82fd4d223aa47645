package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
	"github.com/tollgate/tollgate/internal/vault"
)

// cliFixture runs commands on a SQLite store in a temp dir, which the test
// may also open.
type cliFixture struct {
	global []string
	db     string
}

func newCLIFixture(t *testing.T) *cliFixture {
	t.Helper()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "master.key")
	if err := os.WriteFile(keyFile, []byte(vault.EncodeKey(vault.NewKey())), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "tollgate.db")
	return &cliFixture{global: []string{"--data", dir, "--database", db, "--master-key-file", keyFile}, db: db}
}

// createPool creates the pool name with the CLI, then opens the fixture's
// store (closed when the test ends) and returns it with its one pool.
func (f *cliFixture) createPool(t *testing.T, name string) (*sqlstore.Store, []*tollgate.UserPool) {
	t.Helper()
	if code, _, stderr := f.run(t, "pools", "create", name); code != 0 {
		t.Fatalf("pools create: exit %d: %s", code, stderr)
	}
	st, err := sqlstore.Open(t.Context(), f.db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	pools, err := st.ListPools(t.Context())
	if err != nil || len(pools) != 1 {
		t.Fatalf("pools %v, %v", pools, err)
	}
	return st, pools
}

// run runs the command and returns its exit code, stdout and stderr.
func (f *cliFixture) run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut strings.Builder
	a := newApp(&out, &errOut)
	code = a.run(t.Context(), append(append([]string{}, f.global...), args...))
	return code, out.String(), errOut.String()
}

// TestClientsCreateKeepsThePoolQuota checks that the CLI, like every
// writer, cannot grow a pool past Cognito's MaxClientsPerPool.
func TestClientsCreateKeepsThePoolQuota(t *testing.T) {
	f := newCLIFixture(t)
	ctx := context.Background()
	st, pools := f.createPool(t, "orders")
	now := time.Now()
	rs := &tollgate.ResourceServer{PoolID: pools[0].ID, Identifier: "api", Name: "api", Scopes: []tollgate.Scope{{Name: "read"}}, CreatedAt: now, UpdatedAt: now}
	if err := st.PutResourceServer(ctx, rs); err != nil {
		t.Fatal(err)
	}
	storetest.FillPool(t, st, pools[0].ID, tollgate.MaxClientsPerPool-1)

	create := func(name string) (int, string) {
		code, _, stderr := f.run(t, "clients", "create", "--pool", "orders", "--name", name, "--scopes", "api/read")
		return code, stderr
	}
	if code, stderr := create("last"); code != 0 {
		t.Fatalf("clients create of the pool's last client: exit %d: %s", code, stderr)
	}
	code, stderr := create("one-too-many")
	if code == 0 || !strings.Contains(stderr, fmt.Sprintf("already has %d clients", tollgate.MaxClientsPerPool)) {
		t.Errorf("clients create in a full pool: exit %d, %q; want a refusal naming the quota", code, stderr)
	}
	clients, err := st.ListClients(ctx, pools[0].ID)
	if err != nil || len(clients) != tollgate.MaxClientsPerPool {
		t.Errorf("the pool has %d clients (%v), want %d", len(clients), err, tollgate.MaxClientsPerPool)
	}
}

// TestPoolsDeleteRefusesAPoolWithADomain checks that the CLI, like the
// management API, deletes a pool only once its domain is deleted.
func TestPoolsDeleteRefusesAPoolWithADomain(t *testing.T) {
	f := newCLIFixture(t)
	ctx := context.Background()
	st, pools := f.createPool(t, "orders")
	if err := st.PutDomain(ctx, &tollgate.Domain{Domain: "orders-auth", PoolID: pools[0].ID, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := f.run(t, "pools", "delete", "orders")
	if code == 0 || !strings.Contains(stderr, "delete it first") {
		t.Errorf("pools delete of a pool with a domain: exit %d, %q; want a refusal", code, stderr)
	}
	if _, err := st.GetPool(ctx, pools[0].ID); err != nil {
		t.Errorf("the pool is gone (%v); want it kept", err)
	}
	if err := st.DeleteDomain(ctx, "orders-auth", tollgate.AnyOwner); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := f.run(t, "pools", "delete", "orders"); code != 0 {
		t.Errorf("pools delete once the domain is gone: exit %d: %s", code, stderr)
	}
}
