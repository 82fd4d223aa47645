package catalog_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/catalog"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// TestUpdateMatchesFullLoad makes every kind of write, one at a time, and
// after each checks that the catalog updated from the change feed holds
// exactly what a catalog loaded whole from the store holds, and that
// OnChange was told what changed.
func TestUpdateMatchesFullLoad(t *testing.T) {
	ctx := context.Background()
	st, _ := storetest.OpenSQLite(t, sqlstore.Open)
	now := time.Now().UTC()
	var told []catalog.Changed
	cat, err := catalog.New(ctx, st, catalog.Options{BaseDomain: "example.test", Now: func() time.Time { return now },
		OnChange: func(ch catalog.Changed) { told = append(told, ch) }, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	pool := &tollgate.UserPool{ID: "eu-west-1_incr", Name: "p", Region: "eu-west-1", CreatedAt: now, UpdatedAt: now}
	other := &tollgate.UserPool{ID: "eu-west-1_other", Name: "o", Region: "eu-west-1", CreatedAt: now, UpdatedAt: now}
	rs := func(scopes ...string) *tollgate.ResourceServer {
		r := &tollgate.ResourceServer{PoolID: pool.ID, Identifier: "api", Name: "api", CreatedAt: now, UpdatedAt: now}
		for _, s := range scopes {
			r.Scopes = append(r.Scopes, tollgate.Scope{Name: s, Description: s})
		}
		return r
	}
	client := func(id, poolID string) *tollgate.Client {
		return &tollgate.Client{ID: id, PoolID: poolID, Name: id, AllowedOAuthScopes: []string{"api/read", "api/write"},
			AccessTokenValidity: tollgate.DefaultAccessTokenValidity, IDTokenValidity: tollgate.DefaultIDTokenValidity,
			RefreshTokenValidity: tollgate.DefaultRefreshTokenValidity, CreatedAt: now, UpdatedAt: now,
			Secrets: []tollgate.ClientSecret{{ID: "s1-" + id, Hash: []byte("h"), Sealed: []byte("s"), CreatedAt: now}}}
	}
	c1 := client("client1", pool.ID)
	secret := tollgate.ClientSecret{ID: "s2", Hash: []byte("h2"), Sealed: []byte("s2"), CreatedAt: now}
	keys := func([]tollgate.SigningKey) ([]tollgate.SigningKey, error) {
		return []tollgate.SigningKey{{KID: "k1", Algorithm: "RS256", State: tollgate.KeyActive, Public: []byte("p"), Sealed: []byte("s"), CreatedAt: now, ActivatedAt: now}}, nil
	}
	revoke := func(jti string, exp time.Time) func() error {
		return func() error {
			return st.RevokeToken(ctx, tollgate.RevokedToken{JTI: jti, PoolID: pool.ID, ClientID: c1.ID, ExpiresAt: exp, RevokedAt: now})
		}
	}
	steps := []struct {
		name  string
		write func() error
		want  catalog.Changed
	}{
		{"create pool", func() error { return st.CreatePool(ctx, pool) }, catalog.Changed{Pools: true}},
		{"create another pool", func() error { return st.CreatePool(ctx, other) }, catalog.Changed{Pools: true}},
		{"resource server with one scope", func() error { return st.PutResourceServer(ctx, rs("read")) }, catalog.Changed{Pools: true}},
		{"client naming an undefined scope", func() error { return st.CreateClient(ctx, c1) }, catalog.Changed{Clients: true}},
		{"client of the other pool", func() error { return st.CreateClient(ctx, client("client2", other.ID)) }, catalog.Changed{Clients: true}},
		{"the scope defined: clients derived again", func() error { return st.PutResourceServer(ctx, rs("read", "write")) }, catalog.Changed{Pools: true}},
		{"update client", func() error { c1.Name = "renamed"; return st.UpdateClient(ctx, c1, tollgate.AnyOwner) }, catalog.Changed{Clients: true}},
		{"add secret", func() error { return st.AddClientSecret(ctx, c1.ID, secret) }, catalog.Changed{Clients: true}},
		{"delete secret", func() error { return st.DeleteClientSecret(ctx, c1.ID, secret.ID) }, catalog.Changed{Clients: true}},
		{"domain", func() error {
			return st.PutDomain(ctx, &tollgate.Domain{Domain: "pfx", PoolID: pool.ID, CreatedAt: now})
		}, catalog.Changed{Domains: true}},
		{"domain of the other pool", func() error {
			return st.PutDomain(ctx, &tollgate.Domain{Domain: "oth", PoolID: other.ID, CreatedAt: now})
		}, catalog.Changed{Domains: true}},
		{"signing keys", func() error { _, err := st.UpdateSigningKeys(ctx, pool.ID, keys); return err }, catalog.Changed{SigningKeys: []string{pool.ID}}},
		{"revocation", revoke("j1", now.Add(time.Hour)), catalog.Changed{Revocations: true}},
		{"revocation of an expired token", revoke("j0", now.Add(-time.Hour)), catalog.Changed{Revocations: true}},
		{"expired revocations forgotten", func() error { _, err := st.DeleteExpiredRevocations(ctx, now); return err }, catalog.Changed{Revocations: true}},
		{"access key", func() error {
			return st.CreateAccessKey(ctx, &tollgate.AccessKey{ID: "AKIAINCR", Sealed: []byte("s"), CreatedAt: now})
		}, catalog.Changed{AccessKeys: true}},
		{"the scope removed: clients derived again", func() error { return st.PutResourceServer(ctx, rs("read")) }, catalog.Changed{Pools: true}},
		{"delete domain", func() error { return st.DeleteDomain(ctx, "pfx", tollgate.AnyOwner) }, catalog.Changed{Domains: true}},
		{"delete client", func() error { return st.DeleteClient(ctx, c1.ID, tollgate.AnyOwner) }, catalog.Changed{Clients: true}},
		{"delete resource server", func() error { return st.DeleteResourceServer(ctx, pool.ID, "api", tollgate.AnyOwner) }, catalog.Changed{Pools: true}},
		{"delete the other pool with its client and domain", func() error { return st.DeletePool(ctx, other.ID, tollgate.AnyOwner) }, catalog.Changed{Pools: true}},
	}
	for _, s := range steps {
		told = nil
		if err := s.write(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if _, err := cat.Refresh(ctx); err != nil {
			t.Fatalf("%s: Refresh: %v", s.name, err)
		}
		whole, err := catalog.New(ctx, st, catalog.Options{BaseDomain: "example.test", Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(whole.View(), cat.View()); diff != "" {
			t.Errorf("%s: updated catalog differs from a full load (-full +updated):\n%s", s.name, diff)
		}
		if diff := cmp.Diff([]catalog.Changed{s.want}, told); diff != "" {
			t.Errorf("%s: OnChange told (-want +got):\n%s", s.name, diff)
		}
	}
}

// TestFullReloadWhenTheLogIsTrimmed: a catalog behind the change log's
// floor reloads everything, and says so.
func TestFullReloadWhenTheLogIsTrimmed(t *testing.T) {
	ctx := context.Background()
	st, pool, now := storeWithPool(t)
	var told []catalog.Changed
	cat, err := catalog.New(ctx, st, catalog.Options{OnChange: func(ch catalog.Changed) { told = append(told, ch) }})
	if err != nil {
		t.Fatal(err)
	}
	c := &tollgate.Client{ID: "trimmed", PoolID: pool.ID, Name: "c", AccessTokenValidity: tollgate.DefaultAccessTokenValidity,
		IDTokenValidity: tollgate.DefaultIDTokenValidity, RefreshTokenValidity: tollgate.DefaultRefreshTokenValidity, CreatedAt: now, UpdatedAt: now}
	if err := st.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	gen, err := st.Generation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.TrimChanges(ctx, gen); err != nil {
		t.Fatal(err)
	}
	if _, err := cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := cat.GetClient(ctx, c.ID); err != nil {
		t.Errorf("after a full reload: %v", err)
	}
	if len(told) != 1 || !told[0].All {
		t.Errorf("OnChange told %+v, want one full reload", told)
	}
}

// TestRevokedIsSeenAtOnce: a revocation this process recorded is in the
// set without any read of the store, and survives the update that reads
// it from the feed.
func TestRevokedIsSeenAtOnce(t *testing.T) {
	ctx := context.Background()
	st, pool, now := storeWithPool(t)
	cat, err := catalog.New(ctx, st, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := tollgate.RevokedToken{JTI: "at-once", PoolID: pool.ID, ClientID: "c", ExpiresAt: now.Add(time.Hour), RevokedAt: now}
	if err := st.RevokeToken(ctx, r); err != nil {
		t.Fatal(err)
	}
	cat.Revoked(r)
	if !cat.IsRevoked(r.JTI) {
		t.Fatal("not revoked after Revoked")
	}
	if _, err := cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if !cat.IsRevoked(r.JTI) {
		t.Fatal("not revoked after the update")
	}
}

// TestRunIsWokenByCommits: with a poll interval of an hour, Run still sees
// a write at once: this process's own (SQLite and PostgreSQL), and on
// PostgreSQL another node's, by NOTIFY.
func TestRunIsWokenByCommits(t *testing.T) {
	for _, tc := range []struct {
		name    string
		dsn     func(testing.TB) string
		another bool
	}{
		{"sqlite, own write", storetest.SQLiteDSN, false},
		{"postgres, own write", storetest.PostgresDSN, false},
		{"postgres, another node's write", storetest.PostgresDSN, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			dsn := tc.dsn(t)
			st, err := sqlstore.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			writer := st
			if tc.another {
				if writer, err = sqlstore.Open(ctx, dsn); err != nil {
					t.Fatal(err)
				}
				defer writer.Close()
			}
			changed := make(chan catalog.Changed, 16)
			cat, err := catalog.New(ctx, st, catalog.Options{PollInterval: time.Hour, Logger: slog.New(slog.DiscardHandler),
				OnChange: func(ch catalog.Changed) { changed <- ch }})
			if err != nil {
				t.Fatal(err)
			}
			go cat.Run(ctx)
			now := time.Now().UTC()
			p := &tollgate.UserPool{ID: "eu-west-1_woken", Name: "w", Region: "eu-west-1", CreatedAt: now, UpdatedAt: now}
			// The listener may not be listening yet when the write
			// commits; it reads the feed once it is, so the write is
			// seen either way.
			if err := writer.CreatePool(ctx, p); err != nil {
				t.Fatal(err)
			}
			for {
				select {
				case <-changed:
				case <-time.After(20 * time.Second): // a deadline for a hang, not a timed assertion
					t.Fatal("Run did not see the write")
				}
				if len(cat.Pools()) == 1 {
					return
				}
			}
		})
	}
}
