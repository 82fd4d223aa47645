package catalog_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/catalog"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// The catalog at scale. Each benchmark runs on SQLite and PostgreSQL, with
// 1, 10k and 100k clients and 0 or 100k revocations (bench/README.md has
// the figures; bench/catalog.sh runs them):
//
//	go test -run '^$' -bench . -benchmem ./internal/catalog
//
// BenchmarkLoad is a node's start (a full load); BenchmarkApplyChange one
// client changed by another node, applied from the change feed, next to
// "full", a full reload per change (what every change cost before the
// feed); BenchmarkVisibility the delay before a client created by another
// store handle is served by a running catalog; BenchmarkRevoke a
// revocation recorded and in this node's set.

// benchScale is one store size.
type benchScale struct{ clients, revoked int }

var benchScales = []benchScale{{1, 0}, {10_000, 0}, {100_000, 0}, {100_000, 100_000}}

func (s benchScale) String() string {
	return fmt.Sprintf("clients=%d/revoked=%d", s.clients, s.revoked)
}

var benchDialects = []struct {
	name string
	dsn  func(testing.TB) string
}{{"sqlite", storetest.SQLiteDSN}, {"postgres", storetest.PostgresDSN}}

// benchPool is the pool the populated clients belong to.
const benchPool = "eu-west-1_bench"

// forEachScale runs f on a populated store of every dialect and scale.
func forEachScale(b *testing.B, scales []benchScale, f func(b *testing.B, dsn string, st *sqlstore.Store)) {
	for _, d := range benchDialects {
		for _, sc := range scales {
			b.Run(d.name+"/"+sc.String(), func(b *testing.B) {
				dsn := d.dsn(b)
				f(b, dsn, openPopulated(b, dsn, sc))
			})
		}
	}
}

// openPopulated opens a store on dsn, closed when b ends, and populates it.
func openPopulated(b *testing.B, dsn string, sc benchScale) *sqlstore.Store {
	b.Helper()
	st, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	populate(b, st, dsn, sc)
	return st
}

// populate creates the pool, a resource server and sc's clients (each with
// a secret) and revocations, with one INSERT … SELECT per table: making
// 100k clients one transaction at a time would take minutes.
func populate(b *testing.B, st *sqlstore.Store, dsn string, sc benchScale) {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	if err := st.CreatePool(ctx, &tollgate.UserPool{ID: benchPool, Name: "bench", Region: "eu-west-1", CreatedAt: now, UpdatedAt: now,
		PreTokenGeneration: &tollgate.LambdaTrigger{LambdaARN: "arn:aws:lambda:eu-west-1:000000000000:function:TokenFn", LambdaVersion: tollgate.LambdaVersionV3}}); err != nil {
		b.Fatal(err)
	}
	if err := st.PutResourceServer(ctx, &tollgate.ResourceServer{PoolID: benchPool, Identifier: "api", Name: "api",
		Scopes: []tollgate.Scope{{Name: "read", Description: "r"}}, CreatedAt: now, UpdatedAt: now}); err != nil {
		b.Fatal(err)
	}
	driver, series := "sqlite", `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) SELECT %s FROM n`
	if st.Dialect() == "postgres" {
		driver, series = "pgx", `SELECT %[2]s FROM generate_series(1, %[1]d) AS n(i)`
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const t = `'2026-01-01T00:00:00.000000Z'`
	for _, q := range []struct {
		table, columns, values string
		rows                   int
	}{
		{"clients", "id, pool_id, name, allowed_oauth_flows, allowed_oauth_scopes, access_token_validity, access_token_validity_unit, id_token_validity, id_token_validity_unit, refresh_token_validity, refresh_token_validity_unit, config_key, created_at, updated_at",
			`'client' || i, '` + benchPool + `', 'client' || i, '["client_credentials"]', '["api/read"]', 60, 'minutes', 60, 'minutes', 30, 'days', '', ` + t + `, ` + t, sc.clients},
		{"client_secrets", "client_id, id, hash, sealed, created_at",
			`'client' || i, 'secret' || i, X'00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', X'0011', ` + t, sc.clients},
		{"revoked_tokens", "jti, pool_id, client_id, expires_at, revoked_at",
			`'jti' || i, '` + benchPool + `', 'client1', '2099-01-01T00:00:00.000000Z', ` + t, sc.revoked},
	} {
		if q.rows == 0 {
			continue
		}
		values := q.values
		if st.Dialect() == "postgres" { // bytea literals
			values = replaceHex(values)
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO "+q.table+" ("+q.columns+") "+fmt.Sprintf(series, q.rows, values)); err != nil {
			b.Fatalf("populate %s: %v", q.table, err)
		}
	}
}

// replaceHex turns SQLite's X'…' blob literals into PostgreSQL's bytea.
func replaceHex(s string) string {
	out := []byte{}
	for i := 0; i < len(s); i++ {
		if s[i] == 'X' && i+1 < len(s) && s[i+1] == '\'' {
			out = append(out, `'\x`...)
			i++
			continue
		}
		out = append(out, s[i])
	}
	return string(out)
}

func BenchmarkLoad(b *testing.B) {
	forEachScale(b, benchScales, func(b *testing.B, _ string, st *sqlstore.Store) {
		ctx := context.Background()
		b.ReportAllocs()
		defer measureCPU(b)()
		for b.Loop() {
			if _, err := catalog.New(ctx, st, catalog.Options{Logger: slog.New(slog.DiscardHandler)}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// fullReload makes every update a full reload, as before the change feed.
type fullReload struct{ tollgate.Store }

func (s fullReload) Changes(ctx context.Context, since int64) (tollgate.ChangeSet, error) {
	set, err := s.Store.Changes(ctx, since)
	return tollgate.ChangeSet{Gen: set.Gen, TooOld: true}, err
}

func BenchmarkApplyChange(b *testing.B) {
	for _, mode := range []string{"feed", "full"} {
		b.Run(mode, func(b *testing.B) {
			forEachScale(b, benchScales, func(b *testing.B, _ string, st *sqlstore.Store) {
				ctx := context.Background()
				var cs tollgate.Store = st
				if mode == "full" {
					cs = fullReload{st}
				}
				cat, err := catalog.New(ctx, cs, catalog.Options{Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					b.Fatal(err)
				}
				c, err := st.GetClient(ctx, "client1")
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				var cpu time.Duration // of the updates alone, not the writes
				for b.Loop() {
					b.StopTimer()
					c.UpdatedAt = c.UpdatedAt.Add(time.Second)
					if err := st.UpdateClient(ctx, c, tollgate.AnyOwner); err != nil {
						b.Fatal(err)
					}
					start := cpuTime()
					b.StartTimer()
					if updated, err := cat.Refresh(ctx); err != nil || !updated {
						b.Fatalf("Refresh = %v, %v", updated, err)
					}
					cpu += cpuTime() - start
				}
				b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
			})
		})
	}
}

// BenchmarkVisibility is the delay from another store handle's
// acknowledged CreateClient to the client being served by a running
// catalog (Run, with the default poll interval): on PostgreSQL the NOTIFY
// path, on SQLite the poll (a token request that misses syncs at once
// instead: BenchmarkApplyChange's cost).
func BenchmarkVisibility(b *testing.B) {
	forEachScale(b, []benchScale{{1, 0}, {100_000, 0}}, func(b *testing.B, dsn string, st *sqlstore.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		writer, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			b.Fatal(err)
		}
		defer writer.Close()
		changed := make(chan struct{}, 1)
		cat, err := catalog.New(ctx, st, catalog.Options{Logger: slog.New(slog.DiscardHandler), OnChange: func(catalog.Changed) {
			select {
			case changed <- struct{}{}:
			default:
			}
		}})
		if err != nil {
			b.Fatal(err)
		}
		go cat.Run(ctx)
		now := time.Now().UTC()
		// A pool of their own: the populated one is full.
		pool := &tollgate.UserPool{ID: "eu-west-1_visible", Name: "visible", Region: "eu-west-1", CreatedAt: now, UpdatedAt: now}
		if err := writer.CreatePool(ctx, pool); err != nil {
			b.Fatal(err)
		}
		var delay time.Duration // from each write's acknowledgment
		i := 0
		defer measureCPU(b)()
		for b.Loop() {
			i++
			id := "visible" + strconv.Itoa(i)
			if err := writer.CreateClient(ctx, &tollgate.Client{ID: id, PoolID: pool.ID, Name: id,
				AccessTokenValidity: tollgate.DefaultAccessTokenValidity, IDTokenValidity: tollgate.DefaultIDTokenValidity,
				RefreshTokenValidity: tollgate.DefaultRefreshTokenValidity, CreatedAt: now, UpdatedAt: now}); err != nil {
				b.Fatal(err)
			}
			acked := time.Now()
			for {
				if _, err := cat.GetClient(ctx, id); err == nil {
					break
				}
				<-changed
			}
			delay += time.Since(acked)
		}
		b.ReportMetric(float64(delay)/float64(b.N), "visible-ns/op")
	})
}

// BenchmarkRevoke is what /oauth2/revoke does after verifying the token:
// record the revocation, then have this node refuse it: "set" puts it
// straight into the catalog (now), "reload" reloaded the catalog whole
// (before).
func BenchmarkRevoke(b *testing.B) {
	for _, mode := range []string{"set", "reload"} {
		b.Run(mode, func(b *testing.B) {
			forEachScale(b, []benchScale{{1, 0}, {100_000, 100_000}}, func(b *testing.B, _ string, st *sqlstore.Store) {
				ctx := context.Background()
				cat, err := catalog.New(ctx, fullReload{st}, catalog.Options{Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					b.Fatal(err)
				}
				now := time.Now().UTC()
				i := 0
				b.ReportAllocs()
				defer measureCPU(b)()
				for b.Loop() {
					i++
					r := tollgate.RevokedToken{JTI: "revoke" + strconv.Itoa(i), PoolID: benchPool, ClientID: "client1", ExpiresAt: now.Add(time.Hour), RevokedAt: now}
					if err := st.RevokeToken(ctx, r); err != nil {
						b.Fatal(err)
					}
					if mode == "set" {
						cat.Revoked(r)
					} else if _, err := cat.Refresh(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkGetClient is the token endpoint's lookup at 100k clients: one
// hash of the id and a map lookup in one shard, no allocation. Its pool's
// pre token generation trigger, asked on every token, is a map lookup too.
func BenchmarkGetClient(b *testing.B) {
	ctx := context.Background()
	st := openPopulated(b, storetest.SQLiteDSN(b), benchScale{clients: 100_000, revoked: 100_000})
	cat, err := catalog.New(ctx, st, catalog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("GetClient", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cat.GetClient(ctx, "client54321"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("PreTokenGeneration", func(b *testing.B) {
		client, err := cat.GetClient(ctx, "client54321")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if t, ok := cat.PreTokenGeneration(client); t == nil || !ok {
				b.Fatal("no trigger")
			}
		}
	})
	b.Run("IsRevoked", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !cat.IsRevoked("jti54321") {
				b.Fatal("not revoked")
			}
		}
	})
}

// cpuTime is the CPU time (user and system) this process has used. The
// reference machine is shared, so wall time per operation varies with
// other work; each benchmark also reports cpu-ns/op, this process's CPU
// time per operation (PostgreSQL's own work is not in it).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measureCPU reports cpu-ns/op for the loop that follows; call the
// returned function after it.
func measureCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}
