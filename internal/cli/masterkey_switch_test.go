package cli

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/signer"
	"github.com/tollgate/tollgate/internal/vault"
)

// TestCheckOnLegacyStoreUnderDataKey: a store written before check values
// existed gets its check value under the key its data is under, even when
// the process also holds a rotation's next key (step 1 of the rotation, or
// rotate's own start): interrupted right after, a node given only the old
// key still starts.
func TestCheckOnLegacyStoreUnderDataKey(t *testing.T) {
	f := newKeyFixture(t)
	a := newApp(&strings.Builder{}, &strings.Builder{})
	a.keySource = "test"
	if err := a.checkMasterKey(t.Context(), f.st, f.vault(t, "new", "old")); err != nil {
		t.Fatal(err)
	}
	check, err := f.st.GetSetting(t.Context(), tollgate.SettingMasterKeyCheck)
	if err != nil {
		t.Fatal(err)
	}
	if current, err := f.vault(t, "old").VerifyCheck(check); err != nil || !current {
		t.Errorf("the check value of a legacy store is not under its data's key: %v", err)
	}
	if code, _, stderr := f.run(t, "old", "clients", "describe", f.client.ID, "--show-secret"); code != 0 {
		t.Errorf("the old key refused though nothing was rotated: exit %d: %s", code, stderr)
	}
}

// TestNextKeyNodeSealsForOldKeyNodes: during a rolling restart that gives
// nodes the next key, a node that has it creates a pool's first signing
// keys; a node not yet restarted (old key only) must sign for that pool.
func TestNextKeyNodeSealsForOldKeyNodes(t *testing.T) {
	f := newKeyFixture(t)
	ctx := t.Context()
	a := newApp(&strings.Builder{}, &strings.Builder{})
	a.keySource = "test"
	both := f.vault(t, "new", "old")
	if err := a.checkMasterKey(ctx, f.st, both); err != nil {
		t.Fatal(err)
	}
	p, err := domain.New(f.st, both, time.Now).CreatePool(ctx, "second", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	if _, err := signer.New(f.st, both, signer.Options{Logger: log}).JWKS(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := signer.New(f.st, f.vault(t, "old"), signer.Options{Logger: log}).Sign(ctx, p.ID, map[string]any{"sub": "x"}); err != nil {
		t.Errorf("an old-key node cannot sign for a pool whose keys a next-key node created: %v", err)
	}
}

// TestRotateToAnotherKeyThanNext: nodes were given a next key; rotating to
// another key would stop every one of them at the switch, so it is refused.
func TestRotateToAnotherKeyThanNext(t *testing.T) {
	f := newKeyFixture(t)
	other := filepath.Join(t.TempDir(), "other.key")
	if err := os.WriteFile(other, []byte(vault.EncodeKey(vault.NewKey())), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := f.run(t, "old", "--master-key-next-file", f.files["new"], "master-key", "rotate", "--new-key-file", other)
	if code != 2 || !strings.Contains(stderr, "is not the next key") {
		t.Errorf("rotate to a key other than the nodes' next key: exit %d: %s", code, stderr)
	}
	c, err := f.st.GetClient(t.Context(), f.client.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.vault(t, "old").Open(c.Secrets[0].Sealed, []byte(c.ID)); err != nil {
		t.Errorf("the refused rotation re-sealed the client secret: %v", err)
	}
}
