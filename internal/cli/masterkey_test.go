package cli

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/signer"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/vault"
)

// keyFixture is a SQLite store in a temp dir with data sealed under key
// "old": a pool with its signing keys, a client with a secret and an access
// key, written without the CLI, so that the store has no master key check
// yet, as a store created before check values existed.
type keyFixture struct {
	dir    string
	db     string
	keys   map[string][]byte // by name: old, new, other
	files  map[string]string // the key files, by name
	st     *sqlstore.Store
	pool   *tollgate.UserPool
	client *tollgate.Client
	secret string
	access *tollgate.AccessKey
}

func newKeyFixture(t *testing.T) *keyFixture {
	t.Helper()
	ctx := t.Context()
	f := &keyFixture{dir: t.TempDir(), keys: map[string][]byte{}, files: map[string]string{}}
	for _, name := range []string{"old", "new", "other"} {
		f.keys[name] = vault.NewKey()
		f.files[name] = filepath.Join(f.dir, name+".key")
		if err := os.WriteFile(f.files[name], []byte(vault.EncodeKey(f.keys[name])), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	f.db = filepath.Join(f.dir, "tollgate.db")
	st, err := sqlstore.Open(ctx, f.db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	f.st = st
	old := f.vault(t, "old")
	svc := domain.New(st, old, time.Now)
	if f.pool, err = svc.CreatePool(ctx, "orders", "us-east-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := signer.New(st, old, signer.Options{Logger: slog.New(slog.DiscardHandler)}).JWKS(ctx, f.pool.ID); err != nil {
		t.Fatal(err) // creates the pool's first keys
	}
	f.secret = tollgate.NewClientSecret()
	now := time.Now().UTC().Truncate(time.Microsecond)
	f.client = &tollgate.Client{
		ID: tollgate.NewClientID(), PoolID: f.pool.ID, Name: "m2m",
		AllowedOAuthFlows: []string{tollgate.FlowClientCredentials}, AllowedOAuthScopes: []string{},
		AccessTokenValidity: tollgate.DefaultAccessTokenValidity, IDTokenValidity: tollgate.DefaultIDTokenValidity,
		RefreshTokenValidity: tollgate.DefaultRefreshTokenValidity, CreatedAt: now, UpdatedAt: now,
	}
	f.client.Secrets = []tollgate.ClientSecret{tollgate.NewProtectedSecret(old, f.client.ID, f.secret, now)}
	if err := st.CreateClient(ctx, f.client); err != nil {
		t.Fatal(err)
	}
	if f.access, _, err = svc.CreateAccessKey(ctx, "ci"); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *keyFixture) vault(t *testing.T, names ...string) *vault.Vault {
	t.Helper()
	var keys [][]byte
	for _, n := range names {
		keys = append(keys, f.keys[n])
	}
	v, err := vault.New(keys[0], keys[1:]...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// run runs a command with the master key file named key (and more global
// flags) and returns its exit code, stdout and stderr.
func (f *keyFixture) run(t *testing.T, key string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut strings.Builder
	global := []string{"--data", f.dir, "--database", f.db, "--master-key-file", f.files[key]}
	code := newApp(&out, &errOut).run(t.Context(), append(global, args...))
	return code, out.String(), errOut.String()
}

// TestWrongMasterKeyRefused: a command given a key the store was not
// created with fails before it does anything, saying so and naming where
// the key came from; the store's key works.
func TestWrongMasterKeyRefused(t *testing.T) {
	f := newKeyFixture(t)
	// No check value yet: the key is tried on the stored data, and a
	// wrong one stores none.
	code, _, stderr := f.run(t, "other", "access-keys", "create")
	if code == 0 || !strings.Contains(stderr, "does not match the key this store was created with") ||
		!strings.Contains(stderr, "--master-key-file "+f.files["other"]) {
		t.Fatalf("another key on a store without a check value: exit %d: %s", code, stderr)
	}
	if _, err := f.st.GetSetting(t.Context(), tollgate.SettingMasterKeyCheck); !tollgate.IsNotFound(err) {
		t.Fatalf("a refused key stored a check value: err = %v", err)
	}
	keys, _ := f.st.ListAccessKeys(t.Context())
	if len(keys) != 1 {
		t.Fatalf("a refused command wrote: %d access keys", len(keys))
	}

	// The right key opens the data, and stores the check value.
	if code, _, stderr := f.run(t, "old", "clients", "describe", f.client.ID, "--show-secret"); code != 0 || stderr != "" {
		t.Fatalf("the store's key: exit %d: %s", code, stderr)
	}
	check, err := f.st.GetSetting(t.Context(), tollgate.SettingMasterKeyCheck)
	if err != nil {
		t.Fatalf("no check value after the first command with the right key: %v", err)
	}
	if _, err := f.vault(t, "old").VerifyCheck(check); err != nil {
		t.Fatalf("the check value is not the old key's: %v", err)
	}

	// With a check value, the other key is refused at once.
	code, _, stderr = f.run(t, "other", "keys", "rotate", f.pool.ID)
	if code == 0 || !strings.Contains(stderr, "does not match") {
		t.Fatalf("another key on a store with a check value: exit %d: %s", code, stderr)
	}
	// From the environment, the message names the variable, not the key.
	t.Setenv("TOLLGATE_MASTER_KEY", vault.EncodeKey(f.keys["other"]))
	code, _, stderr = f.run(t, "old", "access-keys", "create")
	if code == 0 || !strings.Contains(stderr, "from TOLLGATE_MASTER_KEY)") || strings.Contains(stderr, vault.EncodeKey(f.keys["other"])) {
		t.Fatalf("a wrong key from the environment: exit %d: %s", code, stderr)
	}
}

// TestNewStoreTakesTheFirstKey: on a new store, the first command with a
// vault stores its key's check value; another key is then refused.
func TestNewStoreTakesTheFirstKey(t *testing.T) {
	f := newCLIFixture(t)
	if code, _, stderr := f.run(t, "access-keys", "create"); code != 0 {
		t.Fatalf("access-keys create: exit %d: %s", code, stderr)
	}
	other := filepath.Join(t.TempDir(), "other.key")
	if err := os.WriteFile(other, []byte(vault.EncodeKey(vault.NewKey())), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut strings.Builder
	code := newApp(&out, &errOut).run(t.Context(), append(append([]string{}, f.global...), "--master-key-file", other, "access-keys", "list"))
	// access-keys list does not need the key; create does.
	if code != 0 {
		t.Fatalf("access-keys list: exit %d: %s", code, errOut.String())
	}
	code = newApp(&out, &errOut).run(t.Context(), append(append([]string{}, f.global...), "--master-key-file", other, "access-keys", "create"))
	if code == 0 || !strings.Contains(errOut.String(), "does not match") {
		t.Fatalf("another key on a store created with the first: exit %d: %s", code, errOut.String())
	}
}

// TestRotateMasterKey moves everything the store seals to a new key: the
// client's secret works and reveals unchanged under the new key alone, the
// signing keys and access key open with it, and the old key is refused.
func TestRotateMasterKey(t *testing.T) {
	f := newKeyFixture(t)
	ctx := t.Context()
	code, stdout, stderr := f.run(t, "old", "master-key", "rotate", "--new-key-file", f.files["new"])
	if code != 0 {
		t.Fatalf("master-key rotate: exit %d: %s", code, stderr)
	}
	keys, _ := f.st.ListSigningKeys(ctx, f.pool.ID)
	if want := 1 + 1 + len(keys); !strings.Contains(stdout, "Re-sealed "+strconv.Itoa(want)+" value(s)") {
		t.Errorf("rotate's report: %q, want %d values", stdout, want)
	}
	f.wantUnder(t, "new")

	code, stdout, stderr = f.run(t, "new", "clients", "describe", f.client.ID, "--show-secret")
	if code != 0 || !strings.Contains(stdout, f.secret) {
		t.Errorf("revealing the secret under the new key: exit %d: %s%s", code, stdout, stderr)
	}
	if code, _, stderr := f.run(t, "old", "clients", "describe", f.client.ID, "--show-secret"); code == 0 || !strings.Contains(stderr, "does not match") {
		t.Errorf("the old key after the rotation: exit %d: %s", code, stderr)
	}
	// Again: nothing left to do.
	code, stdout, stderr = f.run(t, "new", "master-key", "rotate", "--new-key-file", f.files["other"])
	if code != 0 || !strings.Contains(stdout, "Re-sealed 4 value(s)") {
		t.Errorf("a second rotation, to a third key: exit %d: %s%s", code, stdout, stderr)
	}
	code, stdout, stderr = f.run(t, "new", "master-key", "rotate", "--new-key-file", f.files["other"])
	if code != 0 || !strings.Contains(stdout, "Re-sealed 0 value(s)") {
		t.Errorf("the same rotation again, after it completed: exit %d: %s%s", code, stdout, stderr)
	}
	if code, _, stderr := f.run(t, "new", "master-key", "rotate"); code != 2 || !strings.Contains(stderr, "no new master key") {
		t.Errorf("rotate without a new key: exit %d: %s", code, stderr)
	}
	if code, _, stderr := f.run(t, "other", "master-key", "rotate", "--new-key-file", f.files["other"]); code != 2 || !strings.Contains(stderr, "is the current one") {
		t.Errorf("rotate to the current key: exit %d: %s", code, stderr)
	}
}

// wantUnder fails the test unless every sealed value of the store, and
// its check value, is under the key named key alone.
func (f *keyFixture) wantUnder(t *testing.T, key string) {
	t.Helper()
	ctx := t.Context()
	v := f.vault(t, key)
	c, err := f.st.GetClient(ctx, f.client.ID)
	if err != nil {
		t.Fatal(err)
	}
	cs := c.Secrets[0]
	if pt, err := v.Open(cs.Sealed, []byte(c.ID)); err != nil || string(pt) != f.secret {
		t.Errorf("the client secret under the %s key: %v", key, err)
	}
	if !bytes.Equal(cs.Hash, v.HashSecret(c.ID, f.secret)) {
		t.Errorf("the client secret's hash is not the %s key's", key)
	}
	keys, err := f.st.ListSigningKeys(ctx, f.pool.ID)
	if err != nil || len(keys) == 0 {
		t.Fatalf("signing keys: %v, %v", keys, err)
	}
	for _, k := range keys {
		sv := tollgate.SealedValue{Kind: tollgate.SealedSigningKey, Owner: k.PoolID, ID: k.KID}
		if _, err := v.Open(k.Sealed, sv.AAD()); err != nil {
			t.Errorf("signing key %s under the %s key: %v", k.KID, key, err)
		}
	}
	ak, err := f.st.GetAccessKey(ctx, f.access.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Open(ak.Sealed, []byte(ak.ID)); err != nil {
		t.Errorf("the access key under the %s key: %v", key, err)
	}
	check, err := f.st.GetSetting(ctx, tollgate.SettingMasterKeyCheck)
	if err != nil {
		t.Fatal(err)
	}
	if current, err := v.VerifyCheck(check); err != nil || !current {
		t.Errorf("the check value under the %s key: %v", key, err)
	}
}

// crashingStore stops Reseal after a number of values, as a crash would.
type crashingStore struct {
	tollgate.Store
	after int
}

var errCrash = errors.New("crash")

func (s *crashingStore) Reseal(ctx context.Context, fn func(*tollgate.SealedValue) (bool, error)) (int, error) {
	calls := 0
	return s.Store.Reseal(ctx, func(v *tollgate.SealedValue) (bool, error) {
		if calls++; calls > s.after {
			return false, errCrash
		}
		return fn(v)
	})
}

// TestRotateMasterKeyResumes interrupts a rotation part way: the store is
// left with values under either key, the check value still the old key's
// (so old-key nodes keep starting), and running rotate again finishes.
func TestRotateMasterKeyResumes(t *testing.T) {
	f := newKeyFixture(t)
	ctx := t.Context()
	both := f.vault(t, "new", "old")
	// A check value under the old key, as the nodes' first start wrote.
	if _, err := f.st.InitSetting(ctx, tollgate.SettingMasterKeyCheck, f.vault(t, "old").NewCheck()); err != nil {
		t.Fatal(err)
	}
	n, err := rotateSealed(ctx, &crashingStore{Store: f.st, after: 2}, both, 0)
	if !errors.Is(err, errCrash) || n != 1 {
		// The client secret, then the pool's two keys in one transaction,
		// which the crash at the second key rolls back.
		t.Fatalf("interrupted rotation: n=%d err=%v, want 1 and the crash", n, err)
	}
	check, _ := f.st.GetSetting(ctx, tollgate.SettingMasterKeyCheck)
	if current, err := f.vault(t, "old").VerifyCheck(check); err != nil || !current {
		t.Errorf("after an interrupted rotation the check value is not the old key's: %v", err)
	}
	// Nodes with both keys read everything meanwhile.
	if _, err := both.Open(f.client.Secrets[0].Sealed, []byte(f.client.ID)); err != nil {
		t.Error(err)
	}

	code, stdout, stderr := f.run(t, "old", "master-key", "rotate", "--new-key-file", f.files["new"])
	if code != 0 || !strings.Contains(stdout, "Re-sealed 3 value(s)") {
		t.Fatalf("rotate again: exit %d: %s%s", code, stdout, stderr)
	}
	f.wantUnder(t, "new")
}

// TestNextKeyServesBoth: a command given the new key as the next key reads
// data under either key and seals what it writes under the key the store's
// check value names: the old one while nodes given only the old key still
// run (they must open it), the new one once a rotation switched the store.
func TestNextKeyServesBoth(t *testing.T) {
	f := newKeyFixture(t)
	code, stdout, stderr := f.run(t, "old", "--master-key-next-file", f.files["new"], "access-keys", "create")
	if code != 0 {
		t.Fatalf("access-keys create with a next key: exit %d: %s", code, stderr)
	}
	keys, _ := f.st.ListAccessKeys(t.Context())
	if len(keys) != 2 {
		t.Fatalf("%d access keys, want 2: %s", len(keys), stdout)
	}
	created := keys[1]
	if created.ID == f.access.ID {
		created = keys[0]
	}
	if _, err := f.vault(t, "old").Open(created.Sealed, []byte(created.ID)); err != nil {
		t.Errorf("a key created with a next key before the rotation is not sealed under the store's key, which old-key nodes open: %v", err)
	}
	// The rotation switches the store's check value: from then on, what a
	// process with both keys seals is under the new key.
	if err := f.st.PutSetting(t.Context(), tollgate.SettingMasterKeyCheck, f.vault(t, "new").NewCheck()); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := f.run(t, "old", "--master-key-next-file", f.files["new"], "access-keys", "create"); code != 0 {
		t.Fatalf("access-keys create after the switch: exit %d: %s", code, stderr)
	}
	keys, _ = f.st.ListAccessKeys(t.Context())
	for _, k := range keys {
		if k.ID == f.access.ID || k.ID == created.ID {
			continue
		}
		if _, err := f.vault(t, "new").Open(k.Sealed, []byte(k.ID)); err != nil {
			t.Errorf("a key created with both keys after the switch is not sealed under the new key: %v", err)
		}
	}
	code, stdout, stderr = f.run(t, "old", "--master-key-next-file", f.files["new"], "clients", "describe", f.client.ID, "--show-secret")
	if code != 0 || !strings.Contains(stdout, f.secret) {
		t.Errorf("revealing an old-key secret with both keys: exit %d: %s", code, stderr)
	}
	if code, _, stderr := f.run(t, "old", "--master-key-next-file", f.files["old"], "access-keys", "create"); code == 0 || !strings.Contains(stderr, "is the master key") {
		t.Errorf("the master key given as the next key: exit %d: %s", code, stderr)
	}
}
