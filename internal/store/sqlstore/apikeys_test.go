package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// TestCorruptJSON checks that a usage plan's settings or a pool's or
// client's token limits that cannot be parsed strictly (not JSON, an
// unknown field, data after the value, a bad quota period or duration)
// surface as KindInternal errors from every read, not a panic nor a
// setting silently lost.
func TestCorruptJSON(t *testing.T) {
	corrupt := []string{
		`{"stages": [`,
		`{"stages": [], "throtle": {"rate": 1, "burst": 1}}`,
		`{"stages": []} {}`,
		`{"stages": [], "quota": {"limit": 1, "offset": 0, "period": "YEAR"}}`,
		`null x`,
	}
	badLimits := []string{
		`{"perHour": "ten"}`,
		`{"perHour": 1, "perDay": 0, "lockoutMaxFailures": 0, "lockoutWindow": "0s", "lockoutDuration": "0s", "extra": 1}`,
		`{"perHour": 1, "perDay": 0, "lockoutMaxFailures": 0, "lockoutWindow": "soon", "lockoutDuration": "0s"}`,
	}
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := openT(t, d.dsn(t))
			now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
			plan := &tollgate.UsagePlan{ID: tollgate.NewUsagePlanID(), Name: "p", CreatedAt: now, UpdatedAt: now}
			if err := s.PutUsagePlan(ctx, plan, tollgate.AnyOwner); err != nil {
				t.Fatal(err)
			}
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
			for _, doc := range corrupt {
				if _, err := s.write.ExecContext(ctx, `UPDATE usage_plans SET settings = $1 WHERE id = $2`, doc, plan.ID); err != nil {
					t.Fatal(err)
				}
				_, err := s.GetUsagePlan(ctx, plan.ID)
				wantInternal("GetUsagePlan of "+doc, err)
				_, err = s.ListUsagePlans(ctx)
				wantInternal("ListUsagePlans of "+doc, err)
			}
			for _, doc := range badLimits {
				for _, table := range []string{"pools", "clients"} {
					if _, err := s.write.ExecContext(ctx, `UPDATE `+table+` SET token_limits = $1`, doc); err != nil {
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

// TestTokenLimitsOfOlderRows: pools and clients written before migration 7
// (here: its columns dropped and added again) read with zero limits and
// the pool's limits (nil).
func TestTokenLimitsOfOlderRows(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := openT(t, d.dsn(t))
			now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
			pool := &tollgate.UserPool{ID: tollgate.NewPoolID("eu-west-1"), Name: "pool", Region: "eu-west-1",
				TokenLimits: tollgate.TokenLimits{PerHour: 1}, CreatedAt: now, UpdatedAt: now}
			client := &tollgate.Client{ID: tollgate.NewClientID(), PoolID: pool.ID, Name: "c",
				TokenLimits: &tollgate.TokenLimits{PerDay: 1}, CreatedAt: now, UpdatedAt: now}
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
			if _, err := p.DownTo(ctx, 6); err != nil {
				t.Fatalf("DownTo(6): %v", err)
			}
			if err := s.migrate(ctx); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			gotPool, err := s.GetPool(ctx, pool.ID)
			if err != nil || gotPool.TokenLimits != (tollgate.TokenLimits{}) {
				t.Errorf("GetPool of an older pool: limits %+v, %v; want zero", gotPool.TokenLimits, err)
			}
			gotClient, err := s.GetClient(ctx, client.ID)
			if err != nil || gotClient.TokenLimits != nil {
				t.Errorf("GetClient of an older client: limits %+v, %v; want nil", gotClient.TokenLimits, err)
			}
		})
	}
}
