package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// BenchmarkGetClient reads a client with two secrets, as the token endpoint
// does (through its cache) for every request.
func BenchmarkGetClient(b *testing.B) {
	for _, d := range dialects {
		b.Run(d.name, func(b *testing.B) {
			ctx := context.Background()
			s := open(b, d.dsn(b))
			now := time.Now()
			pool := &tollgate.UserPool{ID: tollgate.NewPoolID("eu-west-1"), Name: "pool", Region: "eu-west-1", CreatedAt: now, UpdatedAt: now}
			if err := s.CreatePool(ctx, pool); err != nil {
				b.Fatal(err)
			}
			c := &tollgate.Client{
				ID:                   tollgate.NewClientID(),
				PoolID:               pool.ID,
				Name:                 "client",
				AllowedOAuthFlows:    []string{tollgate.FlowClientCredentials},
				AllowedOAuthScopes:   []string{"default/read", "default/write"},
				AccessTokenValidity:  tollgate.DefaultAccessTokenValidity,
				IDTokenValidity:      tollgate.DefaultIDTokenValidity,
				RefreshTokenValidity: tollgate.DefaultRefreshTokenValidity,
				CreatedAt:            now,
				UpdatedAt:            now,
			}
			for range tollgate.MaxClientSecrets {
				c.Secrets = append(c.Secrets, tollgate.ClientSecret{ID: tollgate.NewSecretID(), Hash: make([]byte, 32), Sealed: make([]byte, 80), CreatedAt: now})
			}
			if err := s.CreateClient(ctx, c); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.GetClient(ctx, c.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAddUsage adds one flush of a busy node's usage (100 keys of one
// plan, one day) to rows that exist, as every flush after the first does.
func BenchmarkAddUsage(b *testing.B) {
	for _, d := range dialects {
		b.Run(d.name, func(b *testing.B) {
			ctx := context.Background()
			s := open(b, d.dsn(b))
			batch := make([]tollgate.UsageRecord, 100)
			for i := range batch {
				batch[i] = tollgate.UsageRecord{PlanID: "plan", KeyID: fmt.Sprintf("key%06d", i), Day: "2026-11-02", Count: 3}
			}
			for b.Loop() {
				if err := s.AddUsage(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkListAPIKeys loads 1,000 API keys, each in two plans, as a
// catalog does when it reloads its keys.
func BenchmarkListAPIKeys(b *testing.B) {
	for _, d := range dialects {
		b.Run(d.name, func(b *testing.B) {
			ctx := context.Background()
			s := open(b, d.dsn(b))
			now := time.Now()
			plans := []string{tollgate.NewUsagePlanID(), tollgate.NewUsagePlanID()}
			for _, id := range plans {
				if err := s.PutUsagePlan(ctx, &tollgate.UsagePlan{ID: id, Name: id, CreatedAt: now, UpdatedAt: now}, tollgate.AnyOwner); err != nil {
					b.Fatal(err)
				}
			}
			for i := range 1000 {
				k := &tollgate.APIKey{ID: tollgate.NewAPIKeyID(), Name: "key", Enabled: true, Hash: fmt.Appendf(nil, "hash %d", i),
					Sealed: make([]byte, 80), PlanIDs: plans, CreatedAt: now, UpdatedAt: now}
				if err := s.CreateAPIKey(ctx, k); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				keys, err := s.ListAPIKeys(ctx)
				if err != nil || len(keys) != 1000 {
					b.Fatalf("ListAPIKeys: %d keys, %v", len(keys), err)
				}
			}
		})
	}
}
