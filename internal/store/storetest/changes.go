package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// testChanges checks the change feed: every kind of write records what it
// changed, in commit order, under the generation it moved the store to;
// writes that change nothing record nothing; a trimmed log answers TooOld.
func testChanges(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	pool := newPool("pool")
	rs := &tollgate.ResourceServer{PoolID: pool.ID, Identifier: "default", Name: "Default", Scopes: []tollgate.Scope{}, CreatedAt: t0, UpdatedAt: t0}
	c := newClient(pool.ID, "client", newSecret(t0))
	secret := newSecret(t0)
	d := &tollgate.Domain{Domain: "auth", PoolID: pool.ID, CreatedAt: t0}
	rs2 := &tollgate.ResourceServer{PoolID: pool.ID, Identifier: "other", Name: "Other", Scopes: []tollgate.Scope{}, CreatedAt: t0, UpdatedAt: t0}
	d2 := &tollgate.Domain{Domain: "auth.example.com", PoolID: pool.ID, Custom: true, CreatedAt: t0}
	byHand, declared := tollgate.OwnedBy(""), tollgate.OwnedBy("config:other/Object")
	tok := tollgate.RevokedToken{JTI: "jti", PoolID: pool.ID, ClientID: c.ID, ExpiresAt: t0, RevokedAt: t0}
	key := &tollgate.AccessKey{ID: "AKIACHANGES", Description: "d", Sealed: []byte("s"), CreatedAt: t0}
	keys := func([]tollgate.SigningKey) ([]tollgate.SigningKey, error) {
		return []tollgate.SigningKey{newKey(pool.ID, "k1", tollgate.KeyActive, t0)}, nil
	}
	noKeys := func([]tollgate.SigningKey) ([]tollgate.SigningKey, error) { return nil, nil }
	change := func(kind tollgate.ChangeKind, id, poolID string) *tollgate.Change {
		return &tollgate.Change{Kind: kind, ID: id, PoolID: poolID}
	}
	steps := []changeStep{
		{"CreatePool", func() error { return s.CreatePool(ctx, pool) }, change(tollgate.ChangePool, pool.ID, pool.ID)},
		{"UpdatePool", func() error { return s.UpdatePool(ctx, pool, tollgate.AnyOwner) }, change(tollgate.ChangePool, pool.ID, pool.ID)},
		{"PutResourceServer", func() error { return s.PutResourceServer(ctx, rs) }, change(tollgate.ChangeResourceServers, pool.ID, pool.ID)},
		{"CreateResourceServer", func() error { return s.CreateResourceServer(ctx, rs2) }, change(tollgate.ChangeResourceServers, pool.ID, pool.ID)},
		{"CreateResourceServer again (refused)", func() error { return ignoreKind(s.CreateResourceServer(ctx, rs2), tollgate.KindConflict) }, nil},
		{"UpdateResourceServer", func() error { return s.UpdateResourceServer(ctx, rs2, byHand) }, change(tollgate.ChangeResourceServers, pool.ID, pool.ID)},
		{"UpdateResourceServer of another owner (refused)", func() error { return ignoreKind(s.UpdateResourceServer(ctx, rs2, declared), tollgate.KindConflict) }, nil},
		{"DeleteResourceServer by hand", func() error { return s.DeleteResourceServer(ctx, pool.ID, rs2.Identifier, byHand) }, change(tollgate.ChangeResourceServers, pool.ID, pool.ID)},
		{"CreateDomain", func() error { return s.CreateDomain(ctx, d2) }, change(tollgate.ChangeDomain, d2.Domain, pool.ID)},
		{"CreateDomain again (refused)", func() error { return ignoreKind(s.CreateDomain(ctx, d2), tollgate.KindConflict) }, nil},
		{"DeleteDomain of another owner (refused)", func() error { return ignoreKind(s.DeleteDomain(ctx, d2.Domain, declared), tollgate.KindConflict) }, nil},
		{"DeleteDomain by hand", func() error { return s.DeleteDomain(ctx, d2.Domain, byHand) }, change(tollgate.ChangeDomain, d2.Domain, "")},
		{"CreateClient", func() error { return s.CreateClient(ctx, c) }, change(tollgate.ChangeClient, c.ID, pool.ID)},
		{"CreateClient again (refused)", func() error { return ignoreKind(s.CreateClient(ctx, c), tollgate.KindConflict) }, nil},
		{"UpdateClient", func() error { return s.UpdateClient(ctx, c, tollgate.AnyOwner) }, change(tollgate.ChangeClient, c.ID, pool.ID)},
		{"AddClientSecret", func() error { return s.AddClientSecret(ctx, c.ID, secret) }, change(tollgate.ChangeClient, c.ID, "")},
		{"DeleteClientSecret", func() error { return s.DeleteClientSecret(ctx, c.ID, secret.ID) }, change(tollgate.ChangeClient, c.ID, "")},
		{"PutDomain", func() error { return s.PutDomain(ctx, d) }, change(tollgate.ChangeDomain, d.Domain, pool.ID)},
		{"UpdateSigningKeys", func() error { _, err := s.UpdateSigningKeys(ctx, pool.ID, keys); return err }, change(tollgate.ChangeSigningKeys, pool.ID, pool.ID)},
		{"UpdateSigningKeys returning nil", func() error { _, err := s.UpdateSigningKeys(ctx, pool.ID, noKeys); return err }, nil},
		{"RevokeToken", func() error { return s.RevokeToken(ctx, tok) }, change(tollgate.ChangeRevocation, tok.JTI, pool.ID)},
		{"RevokeToken again", func() error { return s.RevokeToken(ctx, tok) }, nil},
		{"DeleteExpiredRevocations", deleteExpiredWanting(ctx, s, 1), change(tollgate.ChangeRevocation, "", "")},
		{"DeleteExpiredRevocations deleting none", deleteExpiredWanting(ctx, s, 0), nil},
		{"CreateAccessKey", func() error { return s.CreateAccessKey(ctx, key) }, change(tollgate.ChangeAccessKey, key.ID, "")},
		{"DeleteAccessKey", func() error { return s.DeleteAccessKey(ctx, key.ID) }, change(tollgate.ChangeAccessKey, key.ID, "")},
		{"DeleteDomain", func() error { return s.DeleteDomain(ctx, d.Domain, tollgate.AnyOwner) }, change(tollgate.ChangeDomain, d.Domain, "")},
		{"DeleteResourceServer", func() error { return s.DeleteResourceServer(ctx, pool.ID, rs.Identifier, tollgate.AnyOwner) }, change(tollgate.ChangeResourceServers, pool.ID, pool.ID)},
		{"DeleteClient", func() error { return s.DeleteClient(ctx, c.ID, tollgate.AnyOwner) }, change(tollgate.ChangeClient, c.ID, "")},
		{"DeletePool", func() error { return s.DeletePool(ctx, pool.ID, tollgate.AnyOwner) }, change(tollgate.ChangePool, pool.ID, pool.ID)},
	}
	steps = append(steps, apiKeyChangeSteps(s, change)...)
	start, err := s.Generation(ctx)
	wantNoError(t, "Generation", err)
	all := runChangeSteps(t, s, steps)
	checkTrim(t, s, start, all)
}

// apiKeyChangeSteps are the writes of API keys, usage plans and usage,
// and what they record: AddUsage nothing.
func apiKeyChangeSteps(s tollgate.Store, change func(tollgate.ChangeKind, string, string) *tollgate.Change) []changeStep {
	ctx := context.Background()
	byHand, declared := tollgate.OwnedBy(""), tollgate.OwnedBy("config:other/Object")
	plan := newUsagePlan("plan")
	apiKey := newAPIKey("key", plan.ID)
	usage := []tollgate.UsageRecord{{PlanID: plan.ID, KeyID: apiKey.ID, Day: "2026-11-02", Count: 1}}
	return []changeStep{
		{"PutUsagePlan", func() error { return s.PutUsagePlan(ctx, plan, tollgate.AnyOwner) }, change(tollgate.ChangeUsagePlan, plan.ID, "")},
		{"PutUsagePlan of another owner (refused)", func() error { return ignoreKind(s.PutUsagePlan(ctx, plan, declared), tollgate.KindConflict) }, nil},
		{"CreateAPIKey", func() error { return s.CreateAPIKey(ctx, apiKey) }, change(tollgate.ChangeAPIKey, apiKey.ID, "")},
		{"CreateAPIKey again (refused)", func() error { return ignoreKind(s.CreateAPIKey(ctx, apiKey), tollgate.KindConflict) }, nil},
		{"UpdateAPIKey", func() error { return s.UpdateAPIKey(ctx, apiKey, byHand) }, change(tollgate.ChangeAPIKey, apiKey.ID, "")},
		{"UpdateAPIKey of another owner (refused)", func() error { return ignoreKind(s.UpdateAPIKey(ctx, apiKey, declared), tollgate.KindConflict) }, nil},
		{"AddUsage", func() error { return s.AddUsage(ctx, usage) }, nil},
		{"DeleteUsagePlan", func() error { return s.DeleteUsagePlan(ctx, plan.ID, byHand) }, change(tollgate.ChangeUsagePlan, plan.ID, "")},
		{"DeleteAPIKey", func() error { return s.DeleteAPIKey(ctx, apiKey.ID, byHand) }, change(tollgate.ChangeAPIKey, apiKey.ID, "")},
	}
}

// changeStep is a write and the change it records (nil: none).
type changeStep struct {
	name  string
	write func() error
	want  *tollgate.Change
}

// runChangeSteps makes each write and checks the changes it recorded; it
// returns every change recorded, in order.
func runChangeSteps(t *testing.T, s tollgate.Store, steps []changeStep) []tollgate.Change {
	t.Helper()
	ctx := context.Background()
	var all []tollgate.Change
	for _, st := range steps {
		before, err := s.Generation(ctx)
		wantNoError(t, "Generation", err)
		wantNoError(t, st.name, st.write())
		set, err := s.Changes(ctx, before)
		wantNoError(t, st.name+": Changes", err)
		after, err := s.Generation(ctx)
		wantNoError(t, "Generation", err)
		var want []tollgate.Change
		if st.want != nil {
			w := *st.want
			w.Gen = after
			want = []tollgate.Change{w}
			all = append(all, w)
		}
		wantEqual(t, st.name+": changes", set, tollgate.ChangeSet{Changes: want, Gen: after})
	}
	return all
}

// checkTrim checks the whole log from start, then trims it and checks what
// readers behind and after the floor are told.
func checkTrim(t *testing.T, s tollgate.Store, start int64, all []tollgate.Change) {
	t.Helper()
	ctx := context.Background()
	// The whole log, in commit order, from the first generation on.
	end, err := s.Generation(ctx)
	wantNoError(t, "Generation", err)
	set, err := s.Changes(ctx, start)
	wantNoError(t, "Changes", err)
	wantEqual(t, "every change since the start", set, tollgate.ChangeSet{Changes: all, Gen: end})
	set, err = s.Changes(ctx, end)
	wantNoError(t, "Changes", err)
	wantEqual(t, "changes of an up-to-date reader", set, tollgate.ChangeSet{Gen: end})

	// Trimmed up to the middle: a reader behind the floor reloads; one at
	// or after it still gets the rest.
	mid := all[len(all)/2].Gen
	wantNoError(t, "TrimChanges", s.TrimChanges(ctx, mid))
	if g, err := s.Generation(ctx); err != nil || g != end {
		t.Errorf("after TrimChanges, Generation() = %d, %v; want %d, unchanged", g, err, end)
	}
	set, err = s.Changes(ctx, start)
	wantNoError(t, "Changes", err)
	wantEqual(t, "changes after a trim, from before it", set, tollgate.ChangeSet{Gen: end, TooOld: true})
	set, err = s.Changes(ctx, mid)
	wantNoError(t, "Changes", err)
	wantEqual(t, "changes after a trim, from its floor", set, tollgate.ChangeSet{Changes: all[len(all)/2+1:], Gen: end})
	wantNoError(t, "TrimChanges to an older floor", s.TrimChanges(ctx, start))
	set, err = s.Changes(ctx, start)
	wantNoError(t, "Changes", err)
	wantEqual(t, "a floor is never lowered", set.TooOld, true)
}

// testRevokedTokenAndAllResourceServers checks GetRevokedToken and
// ListResourceServers of every pool, the reads a catalog applying the
// feed and loading everything makes.
func testRevokedTokenAndAllResourceServers(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	p1, p2 := mustCreatePool(t, s, "one"), mustCreatePool(t, s, "two")
	var want []*tollgate.ResourceServer
	for _, p := range []*tollgate.UserPool{p1, p2} {
		rs := &tollgate.ResourceServer{PoolID: p.ID, Identifier: "api", Name: "API", Scopes: []tollgate.Scope{{Name: "read", Description: "r"}}, CreatedAt: t0, UpdatedAt: t0}
		wantNoError(t, "PutResourceServer", s.PutResourceServer(ctx, rs))
		want = append(want, rs)
	}
	if want[0].PoolID > want[1].PoolID {
		want[0], want[1] = want[1], want[0]
	}
	got, err := s.ListResourceServers(ctx, "")
	wantNoError(t, "ListResourceServers(all)", err)
	wantEqual(t, "ListResourceServers(all)", got, want)

	tok := tollgate.RevokedToken{JTI: "jti-get", PoolID: p1.ID, ClientID: "c", ExpiresAt: at(time.Hour), RevokedAt: t0}
	wantNoError(t, "RevokeToken", s.RevokeToken(ctx, tok))
	r, err := s.GetRevokedToken(ctx, tok.JTI)
	wantNoError(t, "GetRevokedToken", err)
	wantEqual(t, "GetRevokedToken", r, tok)
	_, err = s.GetRevokedToken(ctx, "no-such-jti")
	wantKind(t, "GetRevokedToken(unknown)", err, tollgate.KindNotFound)
}

// ignoreKind returns nil when err is of the given kind, and otherwise an
// error saying what it got instead.
func ignoreKind(err error, kind tollgate.ErrorKind) error {
	if tollgate.KindOf(err) == kind {
		return nil
	}
	if err == nil {
		return tollgate.Errorf(tollgate.KindInternal, "got no error, want %s", kind)
	}
	return err
}
