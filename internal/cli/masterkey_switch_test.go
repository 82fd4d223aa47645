package cli

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/signer"
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
