package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// TestOAuthOfOlderRows: pools and clients written before migration 8 (here:
// its columns dropped and added again) read with the zero PoolOAuth and
// ClientOAuth, Cognito's, and take settings when updated.
func TestOAuthOfOlderRows(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := openT(t, d.dsn(t))
			now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
			pool := &tollgate.UserPool{ID: tollgate.NewPoolID("eu-west-1"), Name: "pool", Region: "eu-west-1",
				OAuth: tollgate.PoolOAuth{MTLS: true}, CreatedAt: now, UpdatedAt: now}
			client := &tollgate.Client{ID: tollgate.NewClientID(), PoolID: pool.ID, Name: "c",
				OAuth: tollgate.ClientOAuth{RequireDPoP: true}, CreatedAt: now, UpdatedAt: now}
			if err := s.CreatePool(ctx, pool); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateClient(ctx, client); err != nil {
				t.Fatal(err)
			}
			p, err := s.migrator(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.DownTo(ctx, 7); err != nil {
				t.Fatalf("DownTo(7): %v", err)
			}
			if err := s.migrate(ctx); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			gotPool, err := s.GetPool(ctx, pool.ID)
			if err != nil || !gotPool.OAuth.IsZero() || gotPool.OAuth.DPoP != nil {
				t.Errorf("GetPool of an older pool: oauth %+v, %v; want zero", gotPool.OAuth, err)
			}
			gotClient, err := s.GetClient(ctx, client.ID)
			if err != nil || gotClient.OAuth != (tollgate.ClientOAuth{}) {
				t.Errorf("GetClient of an older client: oauth %+v, %v; want zero", gotClient.OAuth, err)
			}
			gotPool.OAuth.SigningAlgorithm = tollgate.AlgES256
			if err := s.UpdatePool(ctx, gotPool, tollgate.AnyOwner); err != nil {
				t.Fatal(err)
			}
			if again, err := s.GetPool(ctx, pool.ID); err != nil || again.OAuth.SigningAlgorithm != tollgate.AlgES256 {
				t.Errorf("GetPool after UpdatePool: oauth %+v, %v; want ES256", again.OAuth, err)
			}
		})
	}
}

// TestCorruptOAuth checks that an oauth column that cannot be parsed
// strictly surfaces as a KindInternal error from every read.
func TestCorruptOAuth(t *testing.T) {
	bad := []string{`{"mtls": "yes"}`, `{"extra": 1}`, `{"dpop": {"maxAge": "soon"}}`, `{} {}`}
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := openT(t, d.dsn(t))
			now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
			pool := &tollgate.UserPool{ID: tollgate.NewPoolID("eu-west-1"), Name: "pool", Region: "eu-west-1", CreatedAt: now, UpdatedAt: now}
			if err := s.CreatePool(ctx, pool); err != nil {
				t.Fatal(err)
			}
			client := &tollgate.Client{ID: tollgate.NewClientID(), PoolID: pool.ID, Name: "c", CreatedAt: now, UpdatedAt: now}
			if err := s.CreateClient(ctx, client); err != nil {
				t.Fatal(err)
			}
			wantInternal := func(what string, err error) {
				t.Helper()
				if err == nil || tollgate.KindOf(err) != tollgate.KindInternal {
					t.Errorf("%s: err = %v, want a KindInternal error", what, err)
				}
			}
			for _, doc := range bad {
				for _, table := range []string{"pools", "clients"} {
					if _, err := s.write.ExecContext(ctx, `UPDATE `+table+` SET oauth = $1`, doc); err != nil {
						t.Fatal(err)
					}
				}
				_, err := s.GetPool(ctx, pool.ID)
				wantInternal("GetPool of "+doc, err)
				_, err = s.ListPools(ctx)
				wantInternal("ListPools of "+doc, err)
				_, err = s.GetClient(ctx, client.ID)
				wantInternal("GetClient of "+doc, err)
				_, err = s.ListClients(ctx, "")
				wantInternal("ListClients of "+doc, err)
			}
		})
	}
}
