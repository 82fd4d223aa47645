package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

func testRevocations(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	pool := mustCreatePool(t, s, "pool")
	c := newClient(pool.ID, "client")
	mustCreateClient(t, s, c)

	soon := tollgate.RevokedToken{JTI: "jti-soon", PoolID: pool.ID, ClientID: c.ID, ExpiresAt: at(time.Hour), RevokedAt: t0}
	later := tollgate.RevokedToken{JTI: "jti-later", PoolID: pool.ID, ClientID: c.ID, ExpiresAt: at(2 * time.Hour), RevokedAt: t0}
	for _, tok := range []tollgate.RevokedToken{soon, later} {
		wantNoError(t, "RevokeToken "+tok.JTI, s.RevokeToken(ctx, tok))
	}
	wantNoError(t, "RevokeToken again", s.RevokeToken(ctx, soon))

	wantRevoked(t, s, "after revoking", map[string]bool{soon.JTI: true, later.JTI: true, "jti-unknown": false})

	// Both were revoked at t0: ties are ordered by jti.
	if got := listRevoked(t, s, t0, soon); len(got) != 2 || got[0] != later.JTI || got[1] != soon.JTI {
		t.Errorf("ListRevokedTokens(t0) = %v, want [%s %s]", got, later.JTI, soon.JTI)
	}
	if got := listRevoked(t, s, at(90*time.Minute), soon); len(got) != 1 || got[0] != later.JTI {
		t.Errorf("ListRevokedTokens(t0+90m) = %v, want only %s", got, later.JTI)
	}

	// A revocation outlives the client: its tokens are valid until they
	// expire.
	wantNoError(t, "DeleteClient", s.DeleteClient(ctx, c.ID, tollgate.AnyOwner))
	wantRevoked(t, s, "after deleting the client", map[string]bool{soon.JTI: true, later.JTI: true})

	steps := []struct {
		now  time.Time
		want int64
	}{
		{at(time.Hour), 0}, // expires at now: not yet expired before now
		{at(90 * time.Minute), 1},
		{at(90 * time.Minute), 0},
	}
	for _, st := range steps {
		n, err := s.DeleteExpiredRevocations(ctx, st.now)
		wantNoError(t, "DeleteExpiredRevocations", err)
		if n != st.want {
			t.Errorf("DeleteExpiredRevocations(t0+%s) = %d, want %d", st.now.Sub(t0), n, st.want)
		}
	}
	wantRevoked(t, s, "after deleting expired revocations", map[string]bool{soon.JTI: false, later.JTI: true})

	orphan := tollgate.RevokedToken{JTI: "jti-orphan", PoolID: newPool("missing").ID, ClientID: c.ID, ExpiresAt: at(time.Hour), RevokedAt: t0}
	wantKind(t, "RevokeToken of a missing pool", s.RevokeToken(ctx, orphan), tollgate.KindNotFound)
}

func testDeletePoolCascades(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	gone, kept := populatePool(t, s, "gone"), populatePool(t, s, "kept")

	wantNoError(t, "DeletePool", s.DeletePool(ctx, gone.pool.ID, tollgate.AnyOwner))

	wantOwnedGone(t, s, gone)
	wantOwnedKept(t, s, kept)

	// The deleted pool's client id and domain are free again.
	p := mustCreatePool(t, s, "new")
	c := newClient(p.ID, "client")
	c.ID = gone.client.ID
	mustCreateClient(t, s, c)
	wantNoError(t, "PutDomain of a deleted pool's domain", s.PutDomain(ctx, &tollgate.Domain{Domain: gone.domain, PoolID: p.ID, CreatedAt: t0}))
	got, err := s.GetClient(ctx, c.ID)
	wantNoError(t, "GetClient", err)
	wantEqual(t, "secrets of a client reusing a deleted pool's client id", got.Secrets, []tollgate.ClientSecret{})
}

// wantRevoked checks IsTokenRevoked for each jti of want.
func wantRevoked(t *testing.T, s tollgate.Store, what string, want map[string]bool) {
	t.Helper()
	for jti, w := range want {
		got, err := s.IsTokenRevoked(context.Background(), jti)
		wantNoError(t, what, err)
		if got != w {
			t.Errorf("%s: IsTokenRevoked(%s) = %v, want %v", what, jti, got, w)
		}
	}
}

// listRevoked returns the jtis ListRevokedTokens lists at now, and checks
// that soon, if listed, is listed as revoked.
func listRevoked(t *testing.T, s tollgate.Store, now time.Time, soon tollgate.RevokedToken) []string {
	t.Helper()
	list, err := s.ListRevokedTokens(context.Background(), now)
	wantNoError(t, "ListRevokedTokens", err)
	jtis := []string{}
	for _, r := range list {
		jtis = append(jtis, r.JTI)
		if r.JTI == soon.JTI && (!r.ExpiresAt.Equal(soon.ExpiresAt) || r.ClientID != soon.ClientID || r.PoolID != soon.PoolID) {
			t.Errorf("ListRevokedTokens returned %+v, want %+v", r, soon)
		}
	}
	return jtis
}

// owned is a pool with one of each thing a pool owns.
type owned struct {
	pool   *tollgate.UserPool
	client *tollgate.Client
	domain string
	jti    string
}

// populatePool creates a pool with a resource server, a client, a domain,
// a signing key and a revoked token.
func populatePool(t *testing.T, s tollgate.Store, name string) owned {
	ctx := context.Background()
	p := mustCreatePool(t, s, name)
	rs := &tollgate.ResourceServer{PoolID: p.ID, Identifier: "default", Name: "Default", Scopes: []tollgate.Scope{{Name: "read"}}, CreatedAt: t0, UpdatedAt: t0}
	wantNoError(t, "PutResourceServer", s.PutResourceServer(ctx, rs))
	c := newClient(p.ID, "client", newSecret(t0))
	mustCreateClient(t, s, c)
	d := &tollgate.Domain{Domain: "auth-" + name, PoolID: p.ID, CreatedAt: t0}
	wantNoError(t, "PutDomain", s.PutDomain(ctx, d))
	_, err := s.UpdateSigningKeys(ctx, p.ID, func([]tollgate.SigningKey) ([]tollgate.SigningKey, error) {
		return []tollgate.SigningKey{newKey(p.ID, "kid-"+name, tollgate.KeyActive, t0)}, nil
	})
	wantNoError(t, "UpdateSigningKeys", err)
	jti := "jti-" + name
	wantNoError(t, "RevokeToken", s.RevokeToken(ctx, tollgate.RevokedToken{JTI: jti, PoolID: p.ID, ClientID: c.ID, ExpiresAt: at(time.Hour), RevokedAt: t0}))
	return owned{p, c, d.Domain, jti}
}

// wantOwnedGone checks that nothing of o's pool is left.
func wantOwnedGone(t *testing.T, s tollgate.Store, o owned) {
	t.Helper()
	ctx, what := context.Background(), o.pool.Name
	_, err := s.GetResourceServer(ctx, o.pool.ID, "default")
	wantKind(t, what+": resource server", err, tollgate.KindNotFound)
	_, err = s.GetClient(ctx, o.client.ID)
	wantKind(t, what+": client", err, tollgate.KindNotFound)
	_, err = s.GetDomain(ctx, o.domain)
	wantKind(t, what+": domain", err, tollgate.KindNotFound)
	keys, err := s.ListSigningKeys(ctx, o.pool.ID)
	wantNoError(t, "ListSigningKeys", err)
	if len(keys) != 0 {
		t.Errorf("%s: %d signing keys after deleting pool gone", what, len(keys))
	}
	wantRevoked(t, s, what, map[string]bool{o.jti: false})
}

// wantOwnedKept checks that everything of o's pool is there.
func wantOwnedKept(t *testing.T, s tollgate.Store, o owned) {
	t.Helper()
	ctx, what := context.Background(), o.pool.Name
	_, err := s.GetResourceServer(ctx, o.pool.ID, "default")
	wantNoError(t, what+": resource server", err)
	_, err = s.GetClient(ctx, o.client.ID)
	wantNoError(t, what+": client", err)
	_, err = s.GetDomain(ctx, o.domain)
	wantNoError(t, what+": domain", err)
	keys, err := s.ListSigningKeys(ctx, o.pool.ID)
	wantNoError(t, "ListSigningKeys", err)
	if len(keys) != 1 {
		t.Errorf("%s: %d signing keys after deleting pool gone", what, len(keys))
	}
	wantRevoked(t, s, what, map[string]bool{o.jti: true})
}
