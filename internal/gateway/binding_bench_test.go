package gateway_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/limit/limittest"
	"github.com/tollgate/tollgate/internal/replay"
)

// BenchmarkBinding serves a MOCK method behind the Cognito authorizer with
// a cached token, as a client sends it: what a DPoP-bound token adds to
// the gateway's cost per request is the difference between bearer and the
// dpop cases (the proof's check, ES256, and its jti recorded).
//
//   - bearer: a token without cnf, sent as a bearer token;
//   - dpop-local: a DPoP-bound token with a fresh ES256 proof each request,
//     its jti recorded in a replay.Local;
//   - dpop-redis: the same, recorded in the Redis every node shares
//     (replay.Redis, limittest.RedisURL).
//
// The proofs are signed before the timer starts: signing is the client's
// cost.
func BenchmarkBinding(b *testing.B) {
	b.Run("bearer", func(b *testing.B) {
		e := newEnv(b, func(_ *tollgate.RestAPI, o *gateway.Options) { o.Observer = nil })
		serveLoop(b, e.gw, request("GET", execHost, "/prod/mock", mint(b, keyA, keyA.kid, claims(issuerOf(poolA)))))
	})
	b.Run("dpop-local", func(b *testing.B) {
		l := replay.NewLocal(0)
		benchDPoP(b, l, func(now func() time.Time) { l.Now = now })
	})
	b.Run("dpop-redis", func(b *testing.B) {
		o, err := redis.ParseURL(limittest.RedisURL(b))
		if err != nil {
			b.Fatal(err)
		}
		c := redis.NewClient(o)
		b.Cleanup(func() { c.Close() })
		benchDPoP(b, replay.NewRedis(c, "tollgate-bench-"+randText()+":"), nil)
	})
}

// benchDPoP serves a DPoP-bound token with a fresh proof each request,
// recording jti in rc. The gateway's clock stands at the time the
// benchmark starts, setClock (if any) sets rc's: a Redis's is its own.
func benchDPoP(b *testing.B, rc replay.Cache, setClock func(func() time.Time)) {
	e := newEnv(b, func(_ *tollgate.RestAPI, o *gateway.Options) { o.Observer = nil; o.Replay = rc })
	now := time.Now().Truncate(time.Second)
	e.f.clock.set(now)
	if setClock != nil {
		setClock(e.f.clock.Now)
	}
	key := newDPoPKey(b)
	tok := mint(b, keyA, keyA.kid, with(claims(issuerOf(poolA)), "cnf", map[string]any{"jkt": key.jkt},
		"iat", now.Unix(), "auth_time", now.Unix(), "exp", now.Add(time.Hour).Unix()))
	const htu = "http://" + execHost + "/prod/mock"
	proofs := make([]string, b.N+1)
	for i := range proofs {
		proofs[i] = key.proof(b, with(proofClaims("GET", htu, tok, randText()), "iat", now.Unix()))
	}
	r := request("GET", execHost, "/prod/mock", "")
	r.Header.Set("Authorization", "DPoP "+tok)
	w := &discard{h: http.Header{}}
	w2 := &statusWriter{discard: discard{h: http.Header{}}}
	r.Header.Set("DPoP", proofs[b.N])
	e.gw.ServeHTTP(w2, r)
	if w2.status != 0 && w2.status != http.StatusOK {
		b.Fatalf("status %d", w2.status)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clear(w.h)
		delete(r.Header, "X-Amzn-Trace-Id")
		r.Header["Dpop"] = proofs[i : i+1 : i+1]
		e.gw.ServeHTTP(w, r)
	}
}

// statusWriter is a discard that keeps the status.
type statusWriter struct {
	discard
	status int
}

func (s *statusWriter) WriteHeader(code int) { s.status = code }
