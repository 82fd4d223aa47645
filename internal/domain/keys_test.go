package domain_test

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/signer"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// keyStates maps a pool's keys by state; retired keys in order.
type keyStates struct {
	active, next tollgate.SigningKey
	retired      []tollgate.SigningKey
}

func statesOf(t *testing.T, keys []tollgate.SigningKey) keyStates {
	t.Helper()
	var ks keyStates
	for _, k := range keys {
		switch k.State {
		case tollgate.KeyActive:
			ks.active = k
		case tollgate.KeyNext:
			ks.next = k
		case tollgate.KeyRetired:
			ks.retired = append(ks.retired, k)
		}
	}
	if ks.active.KID == "" || ks.next.KID == "" {
		t.Fatalf("keys without an active or a next key: %v", keys)
	}
	return ks
}

// TestRotateKeys pins what `tollgate keys rotate` documents: the refusal
// while the next key is younger than signer.PublishLead (its text says
// when rotation becomes possible and what --force risks), --force, the
// retired key kept in the JWKS for tollgate.KeyRetention (the longest
// access-token validity plus five minutes), --retire-now, and retired keys
// deleted by the first rotation after they leave the JWKS.
func TestRotateKeys(t *testing.T) {
	ctx := context.Background()
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	now := t0
	clock := func() time.Time { return now }
	svc := domain.New(st, v, clock)
	pool, err := svc.CreatePool(ctx, "pool", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	// The pool's first keys, as its first JWKS request creates them.
	if _, err := signer.New(st, v, signer.Options{Now: clock}).JWKS(ctx, pool.ID); err != nil {
		t.Fatal(err)
	}
	list := func() keyStates {
		keys, err := st.ListSigningKeys(ctx, pool.ID)
		if err != nil {
			t.Fatal(err)
		}
		return statesOf(t, keys)
	}
	first := list()

	if tollgate.KeyRetention != tollgate.AccessTokenMax+5*time.Minute || signer.PublishLead != signer.JWKSMaxAge+2*time.Minute {
		t.Errorf("KeyRetention %s, PublishLead %s: the help text and README say 24h5m and 7m", tollgate.KeyRetention, signer.PublishLead)
	}

	// Refused one second before the next key is PublishLead old; nothing
	// changes.
	now = t0.Add(signer.PublishLead - 1500*time.Millisecond)
	_, err = svc.RotateKeys(ctx, pool.ID, domain.Rotation{})
	wantCause(t, "a rotation onto a next key published 6m58.5s ago", err, tollgate.KindConflict, domain.ErrNextKeyTooNew)
	want := "the next key " + first.next.KID + " was published 6m58s ago and verifiers may cache the JWKS for 5m0s, " +
		"so it may start signing from 2026-11-02T09:37:15Z (in 2s); --force rotates now, and verifiers that fetched the JWKS " +
		"before the key was published refuse its tokens until they fetch it again"
	if err == nil || err.Error() != want {
		t.Errorf("refusal:\n%v\nwant\n%s", err, want)
	}
	_, err = svc.RotateKeys(ctx, pool.ID, domain.Rotation{RetireNow: true})
	wantCause(t, "--retire-now without --force", err, tollgate.KindConflict, domain.ErrNextKeyTooNew)
	if got := list(); got.active.KID != first.active.KID || got.next.KID != first.next.KID || len(got.retired) != 0 {
		t.Fatalf("a refused rotation changed the keys: %+v", got)
	}

	// Once the next key is PublishLead old, rotation needs no --force: the
	// next key signs, the active key is retired for KeyRetention.
	now = t0.Add(signer.PublishLead)
	second := statesOf(t, mustRotate(t, svc, pool.ID, domain.Rotation{}))
	if second.active.KID != first.next.KID || !second.active.ActivatedAt.Equal(now) ||
		len(second.retired) != 1 || second.retired[0].KID != first.active.KID || !second.retired[0].ExpiresAt.Equal(now.Add(24*time.Hour+5*time.Minute)) {
		t.Fatalf("after a rotation: %+v", second)
	}

	// The new next key was published just now: refused, and --force rotates.
	_, err = svc.RotateKeys(ctx, pool.ID, domain.Rotation{})
	wantCause(t, "a rotation onto a next key published 0s ago", err, tollgate.KindConflict, domain.ErrNextKeyTooNew)
	now = now.Add(time.Minute)
	third := statesOf(t, mustRotate(t, svc, pool.ID, domain.Rotation{Force: true}))
	if third.active.KID != second.next.KID || len(third.retired) != 2 {
		t.Fatalf("after --force: %+v", third)
	}

	// --retire-now (with --force, the next key being new): the retired key
	// leaves the JWKS at once.
	now = now.Add(time.Minute)
	fourth := statesOf(t, mustRotate(t, svc, pool.ID, domain.Rotation{Force: true, RetireNow: true}))
	leaked := fourth.retired[len(fourth.retired)-1]
	if leaked.KID != third.active.KID || !leaked.ExpiresAt.Equal(now) {
		t.Fatalf("--retire-now retired %s until %s, want %s until %s", leaked.KID, leaked.ExpiresAt, third.active.KID, now)
	}
	published, err := signer.New(st, v, signer.Options{Now: clock}).PublicKeys(ctx, pool.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := published[leaked.KID]; ok || published[first.active.KID].Key == nil {
		t.Errorf("published after --retire-now: %d keys; the leaked key in: %v; the key retired for a day in: %v", len(published), ok, published[first.active.KID].Key != nil)
	}

	// A day and five minutes after the first rotation, its retired key has
	// left the JWKS, and the next rotation deletes it.
	now = t0.Add(signer.PublishLead + tollgate.KeyRetention)
	published, err = signer.New(st, v, signer.Options{Now: clock}).PublicKeys(ctx, pool.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := published[first.active.KID]; ok {
		t.Errorf("the key retired at the first rotation is published %s after it", tollgate.KeyRetention)
	}
	fifth := statesOf(t, mustRotate(t, svc, pool.ID, domain.Rotation{}))
	for _, k := range fifth.retired {
		if k.KID == first.active.KID || k.KID == leaked.KID {
			t.Errorf("retired key %s, out of the JWKS since %s, is still stored", k.KID, k.ExpiresAt)
		}
	}
}

func mustRotate(t *testing.T, svc *domain.Service, poolID string, r domain.Rotation) []tollgate.SigningKey {
	t.Helper()
	keys, err := svc.RotateKeys(context.Background(), poolID, r)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}
