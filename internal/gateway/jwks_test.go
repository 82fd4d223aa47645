package gateway_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/jwks"
)

// TestJWKSRotation follows an external issuer through a key rotation:
// the background fetch, an unknown kid fetching again, the rate bound on
// such fetches, and the one fetch in flight at a time.
func TestJWKSRotation(t *testing.T) {
	f := newFixture(t)
	z := f.authorizer(t, f.authorizerAB())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	decide := func(tok string) gateway.Decision {
		return z.Authorize(ctx, tok, []string{scope}).Decision
	}
	c := claims(externalIssuer)

	f.jwks.Start(ctx)
	<-f.jwks.Ready()
	if n := f.srv.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches after Start, want 1", n)
	}
	if d := decide(mint(t, extK1, extK1.kid, c)); d != gateway.Allow {
		t.Fatalf("key 1: %v", d)
	}
	if d := decide(mint(t, extK1, extK1.kid, with(c, "jti", "2"))); d != gateway.Allow || f.srv.fetches.Load() != 1 {
		t.Fatalf("key 1 again: %v after %d fetches, want allow after 1", d, f.srv.fetches.Load())
	}

	// The issuer rotates: key 2 signs, key 1 is withdrawn. Tokens signed
	// with key 2 arrive at once, from many requests: one fetch serves all.
	f.srv.setKeys(t, extK2)
	gate := make(chan struct{})
	f.srv.mu.Lock()
	f.srv.gate = gate
	f.srv.mu.Unlock()
	var wg sync.WaitGroup
	results := make([]gateway.Decision, 20)
	k2 := mint(t, extK2, extK2.kid, with(c, "jti", "k2"))
	for i := range results {
		wg.Go(func() { results[i] = decide(k2) })
	}
	close(gate)
	wg.Wait()
	for i, d := range results {
		if d != gateway.Allow {
			t.Fatalf("request %d with key 2: %v", i, d)
		}
	}
	if n := f.srv.fetches.Load(); n != 2 {
		t.Fatalf("%d fetches after the rotation, want 2", n)
	}

	// Key 1's tokens are cached until their exp: the cache holds verified
	// claims, and the key was valid when they were verified. A new token
	// signed with it fails, and within MinInterval it causes no fetch.
	if d := decide(mint(t, extK1, extK1.kid, with(c, "jti", "new"))); d != gateway.Unauthorized {
		t.Fatalf("new token of the withdrawn key: %v", d)
	}
	if d := decide(mint(t, extK1, "forged-kid", with(c, "jti", "forged"))); d != gateway.Unauthorized {
		t.Fatalf("forged kid: %v", d)
	}
	if n := f.srv.fetches.Load(); n != 2 {
		t.Fatalf("%d fetches after unknown kids within MinInterval, want 2", n)
	}
	// Past MinInterval, an unknown kid fetches once more.
	f.clock.advance(jwks.DefaultMinInterval)
	if d := decide(mint(t, extK1, "forged-kid", with(c, "jti", "forged-2"))); d != gateway.Unauthorized {
		t.Fatalf("forged kid: %v", d)
	}
	if n := f.srv.fetches.Load(); n != 3 {
		t.Fatalf("%d fetches after MinInterval, want 3", n)
	}
}

// TestJWKSFirstUse: without Start, the first token of an issuer fetches
// its keys.
func TestJWKSFirstUse(t *testing.T) {
	f := newFixture(t)
	z := f.authorizer(t, f.authorizerAB())
	if d := z.Authorize(context.Background(), mint(t, extK1, extK1.kid, claims(externalIssuer)), []string{scope}).Decision; d != gateway.Allow {
		t.Fatalf("%v", d)
	}
	if n := f.jwks.Fetches(externalIssuer); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
}

// TestJWKSFailureKeepsKeys: a failed fetch (an error status, a document
// too large, garbage) keeps the keys fetched before.
func TestJWKSFailureKeepsKeys(t *testing.T) {
	f := newFixture(t)
	z := f.authorizer(t, f.authorizerAB())
	ctx := context.Background()
	if err := f.jwks.Refresh(ctx, externalIssuer); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		name   string
		body   []byte
		status int
		err    string
	}{
		{"error status", []byte(`{"keys":[]}`), http.StatusInternalServerError, "500"},
		{"too large", bytes.Repeat([]byte(" "), jwks.MaxSize+1), http.StatusOK, "larger than"},
		{"not JSON", []byte("<html>"), http.StatusOK, "not a JSON Web Key Set"},
		{"no usable key", []byte(`{"keys":[{"kty":"EC","kid":"x"},{"kty":"oct","kid":"y","k":"c2VjcmV0"}]}`), http.StatusOK, "no RSA or ECDSA signing key"},
	} {
		f.srv.setBody(bad.body, bad.status)
		err := f.jwks.Refresh(ctx, externalIssuer)
		if err == nil || !strings.Contains(err.Error(), bad.err) {
			t.Errorf("%s: err = %v, want %q", bad.name, err, bad.err)
		}
		tok := mint(t, extK1, extK1.kid, with(claims(externalIssuer), "jti", bad.name))
		if d := z.Authorize(ctx, tok, []string{scope}).Decision; d != gateway.Allow {
			t.Errorf("%s: %v after the failed fetch", bad.name, d)
		}
	}
	if err := f.jwks.Refresh(ctx, "https://unknown"); err == nil {
		t.Error("Refresh of an unknown issuer succeeded")
	}
}

// TestJWKSStartOnce: Start fetches every issuer once, and only once however
// often it is called.
func TestJWKSStartOnce(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	f.jwks.Start(ctx)
	f.jwks.Start(ctx) // a second call does nothing
	<-f.jwks.Ready()
	cancel()
	if n := f.jwks.Fetches(externalIssuer); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
}
