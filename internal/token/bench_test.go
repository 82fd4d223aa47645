package token_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/catalog"
	"github.com/tollgate/tollgate/internal/signer"
	"github.com/tollgate/tollgate/internal/token"
)

// clientSources are the Clients the endpoint is benchmarked with: the store
// itself (a SQLite query per request) and the server's in-memory catalog.
func clientSources(b *testing.B, f *fixture) map[string]token.Clients {
	cat, err := catalog.New(context.Background(), f.st, catalog.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	return map[string]token.Clients{"store": f.st, "catalog": cat}
}

func (f *fixture) endpointWith(clients token.Clients) *token.Endpoint {
	return token.New(token.Options{
		Clients: clients, Signer: f.signer, Keys: f.signer, Revocations: f.st, Vault: f.vault,
		Issuer: func(_ *http.Request, poolID string) string { return issuer(poolID) },
		Now:    f.clock.Now, Logger: slog.New(slog.DiscardHandler),
	})
}

// BenchmarkServeToken is one whole successful client_credentials request,
// in process: form parsing, client authentication, scope, signing (RSA-2048,
// which dominates) and the response.
func BenchmarkServeToken(b *testing.B) {
	f := newFixture(b)
	benchServeToken(b, f, form("grant_type", "client_credentials", "scope", "default/default"), basic(f.m2m.ID, f.m2m.secret()), 200)
}

// BenchmarkServeTokenRefused is a request refused for a wrong secret: the
// cost an attacker guessing secrets imposes.
func BenchmarkServeTokenRefused(b *testing.B) {
	f := newFixture(b)
	benchServeToken(b, f, form("grant_type", "client_credentials"), basic(f.m2m.ID, "wrong"), 401)
}

// benchServeToken measures token requests with body and the Authorization
// header auth, for each source of clients; every answer must have status.
func benchServeToken(b *testing.B, f *fixture, body, auth string, status int) {
	for name, clients := range clientSources(b, f) {
		b.Run(name, func(b *testing.B) { serveTokenLoop(b, f.endpointWith(clients), body, auth, status) })
	}
}

// serveTokenLoop measures ep's token requests with body and auth; every
// answer must have status.
func serveTokenLoop(b *testing.B, ep *token.Endpoint, body, auth string, status int) {
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("POST", "/oauth2/token", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		ep.ServeToken(w, r)
		if w.Code != status {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkAuthenticate is client authentication alone (HTTP Basic, form
// already parsed), for a good secret and an unknown client.
func BenchmarkAuthenticate(b *testing.B) {
	f := newFixture(b)
	for name, clients := range clientSources(b, f) {
		ep := f.endpointWith(clients)
		for _, c := range []struct {
			name, id, secret string
			ok               bool
		}{
			{"valid", f.m2m.ID, f.m2m.secret(), true},
			{"unknown", "zzzzzzzzzzzzzzzzzzzzzzzzzz", f.m2m.secret(), false},
		} {
			b.Run(name+"/"+c.name, func(b *testing.B) {
				r := httptest.NewRequest("POST", "/oauth2/token", nil)
				r.Header.Set("Authorization", basic(c.id, c.secret))
				params := map[string]string{"grant_type": "client_credentials"}
				b.ReportAllocs()
				for b.Loop() {
					_, err := token.Authenticate(ep, r, params)
					if (err == nil) != c.ok {
						b.Fatalf("err = %v", err)
					}
				}
			})
		}
	}
}

// BenchmarkServeTokenDPoP is a whole token request with a DPoP proof (ES256,
// a fresh proof each time, replay.Local as the replay cache) beside the same
// request in a pool that checks proofs but gets none: the cost of binding a
// token to a key (RFC 9449 §5). The proofs are made before the timer.
func BenchmarkServeTokenDPoP(b *testing.B) {
	f := newFixture(b)
	ep := f.extEndpoint(b, ext{pool: tollgate.PoolOAuth{DPoP: &tollgate.DPoPPolicy{}}})
	k := newProofKey(b, "ES256")
	b.Run("proof", func(b *testing.B) {
		proofs := make([]string, 0, 1024)
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			if i == len(proofs) {
				b.StopTimer()
				proofs, i = proofs[:0], 0
				for range cap(proofs) {
					proofs = append(proofs, k.proof(b, t0, nil))
				}
				b.StartTimer()
			}
			w := post(b, ep, f.m2m, proofs[i:i+1])
			i++
			if w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
	b.Run("none", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if w := post(b, ep, f.m2m, nil); w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
}

// algStore is the store with every pool's SigningAlgorithm set to alg, as
// config would declare it.
type algStore struct {
	tollgate.Store
	alg string
}

func (s algStore) GetPool(ctx context.Context, id string) (*tollgate.UserPool, error) {
	p, err := s.Store.GetPool(ctx, id)
	if err == nil {
		p.OAuth.SigningAlgorithm = s.alg
	}
	return p, err
}

// issueEndpoints returns, for each algorithm a pool may sign with, an
// endpoint whose signer signs with keys of it, and clients from the
// server's in-memory catalog.
func issueEndpoints(b *testing.B, f *fixture) map[string]*token.Endpoint {
	cat, err := catalog.New(context.Background(), f.st, catalog.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	out := map[string]*token.Endpoint{}
	for _, alg := range tollgate.SigningAlgorithms {
		s := signer.New(algStore{f.st, alg}, f.vault, signer.Options{Now: f.clock.Now, Logger: slog.New(slog.DiscardHandler)})
		// The pool's keys are created (and, for ES256 and EdDSA, rolled
		// over to) before the clock runs. Each signer keeps the keys it
		// loaded, having no Invalidate: they share the pool and its client.
		if _, err := s.JWKS(context.Background(), f.pool.ID); err != nil {
			b.Fatal(err)
		}
		out[alg] = token.New(token.Options{
			Clients: cat, Signer: s, Keys: s, Revocations: f.st, Vault: f.vault,
			Issuer: func(_ *http.Request, poolID string) string { return issuer(poolID) },
			Now:    f.clock.Now, Logger: slog.New(slog.DiscardHandler),
		})
	}
	return out
}

// BenchmarkIssue is BenchmarkServeToken (catalog clients) per algorithm of
// the pool's keys: RS256 (RSA-2048, Cognito's), ES256 (P-256) and EdDSA
// (Ed25519). 1e9/ns_per_op is the tokens per second of one core.
func BenchmarkIssue(b *testing.B) {
	f := newFixture(b)
	body, auth := form("grant_type", "client_credentials", "scope", "default/default"), basic(f.m2m.ID, f.m2m.secret())
	eps := issueEndpoints(b, f)
	for _, alg := range tollgate.SigningAlgorithms {
		b.Run(alg, func(b *testing.B) { serveTokenLoop(b, eps[alg], body, auth, 200) })
	}
}

// BenchmarkIssueParallel is BenchmarkIssue from every CPU at once (-cpu
// sets how many): tokens per second of the whole machine.
func BenchmarkIssueParallel(b *testing.B) {
	f := newFixture(b)
	body, auth := form("grant_type", "client_credentials", "scope", "default/default"), basic(f.m2m.ID, f.m2m.secret())
	eps := issueEndpoints(b, f)
	for _, alg := range tollgate.SigningAlgorithms {
		b.Run(alg, func(b *testing.B) {
			ep := eps[alg]
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r := httptest.NewRequest("POST", "/oauth2/token", strings.NewReader(body))
					r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					r.Header.Set("Authorization", auth)
					w := httptest.NewRecorder()
					ep.ServeToken(w, r)
					if w.Code != 200 {
						b.Errorf("status %d: %s", w.Code, w.Body)
						return
					}
				}
			})
		})
	}
}
