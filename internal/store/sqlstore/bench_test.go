package sqlstore_test

import (
	"context"
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
