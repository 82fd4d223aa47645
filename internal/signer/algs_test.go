package signer_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/signer"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// oauthStore is the store with the test pool's OAuth settings set by the
// test, as config applies them.
type oauthStore struct {
	tollgate.Store
	mu    sync.Mutex
	oauth tollgate.PoolOAuth
}

func (s *oauthStore) GetPool(ctx context.Context, id string) (*tollgate.UserPool, error) {
	p, err := s.Store.GetPool(ctx, id)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p.OAuth = s.oauth
	return p, nil
}

func (s *oauthStore) set(o tollgate.PoolOAuth) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth = o
}

// jwksMembers returns the member names of each key of a JWKS document, in
// order, and the keys as go-jose reads them.
func jwksMembers(t testing.TB, doc []byte) ([][]string, jose.JSONWebKeySet) {
	t.Helper()
	var raw struct{ Keys []json.RawMessage }
	if err := json.Unmarshal(doc, &raw); err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, k := range raw.Keys {
		d := json.NewDecoder(strings.NewReader(string(k)))
		var names []string
		if _, err := d.Token(); err != nil { // {
			t.Fatal(err)
		}
		for d.More() {
			name, _ := d.Token()
			names = append(names, name.(string))
			var v any
			if err := d.Decode(&v); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, names)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &set); err != nil {
		t.Fatal(err)
	}
	return out, set
}

// TestAlgorithms signs with each algorithm a pool may use and checks the
// header, the JWKS, the kid and the signature, the last with go-jose as a
// relying party would and with bearer as the gateway does.
func TestAlgorithms(t *testing.T) {
	tests := []struct {
		alg     string
		members []string // the JWK's, in order
		kty     string
	}{
		// Cognito's JWKS (docs: amazon-cognito-user-pools-using-tokens-verifying-a-jwt).
		{tollgate.AlgRS256, []string{"alg", "e", "kid", "kty", "n", "use"}, "RSA"},
		// RFC 7518 §6.2.1: crv, x, y.
		{tollgate.AlgES256, []string{"alg", "crv", "kid", "kty", "use", "x", "y"}, "EC"},
		// RFC 8037 §2: crv, x.
		{tollgate.AlgEdDSA, []string{"alg", "crv", "kid", "kty", "use", "x"}, "OKP"},
	}
	for _, tt := range tests {
		for _, typed := range []bool{false, true} {
			name := tt.alg
			if typed {
				name += "/at+jwt"
			}
			t.Run(name, func(t *testing.T) {
				ctx := context.Background()
				st := &oauthStore{Store: openStore(t, storetest.SQLiteDSN(t))}
				st.set(tollgate.PoolOAuth{SigningAlgorithm: tt.alg, AccessTokenJWT: typed})
				v := newVault(t)
				s := newSigner(st, v, newClock())
				tok, err := s.Sign(ctx, poolID, cognitoClaims(start))
				if err != nil {
					t.Fatal(err)
				}
				kid := kidOf(t, tok)
				// RS256 without typ is Cognito's header exactly; typ comes
				// last (RFC 9068 §2.1).
				want := `{"kid":"` + kid + `","alg":"` + tt.alg + `"}`
				if typed {
					want = `{"kid":"` + kid + `","alg":"` + tt.alg + `","typ":"at+jwt"}`
				}
				if h := header(t, tok); h != want {
					t.Errorf("header %s, want %s", h, want)
				}

				doc, err := s.JWKS(ctx, poolID)
				if err != nil {
					t.Fatal(err)
				}
				members, set := jwksMembers(t, doc)
				if len(set.Keys) != 2 {
					t.Fatalf("JWKS has %d keys, want the active and the next", len(set.Keys))
				}
				for i, k := range set.Keys {
					if !slices.Equal(members[i], tt.members) {
						t.Errorf("JWK members %v, want %v", members[i], tt.members)
					}
					if k.Algorithm != tt.alg || k.Use != "sig" {
						t.Errorf("JWK alg %q use %q", k.Algorithm, k.Use)
					}
					// kid = RFC 7638 thumbprint (SHA-256, base64url).
					tp, err := k.Thumbprint(crypto.SHA256)
					if err != nil {
						t.Fatal(err)
					}
					if got := base64.RawURLEncoding.EncodeToString(tp); got != k.KeyID {
						t.Errorf("kid %s, thumbprint %s", k.KeyID, got)
					}
				}
				if !strings.Contains(string(doc), `"kty":"`+tt.kty+`"`) {
					t.Errorf("JWKS %s has no kty %s", doc, tt.kty)
				}

				// go-jose, from the JWKS document.
				parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(tt.alg)})
				if err != nil {
					t.Fatal(err)
				}
				var c claims
				if err := parsed.Claims(set, &c); err != nil {
					t.Fatalf("go-jose: %v", err)
				}
				if c != cognitoClaims(start) {
					t.Errorf("claims %+v", c)
				}

				// bearer, with PublicKeys, as the gateway and the token
				// endpoint verify.
				keys, err := s.PublicKeys(ctx, poolID)
				if err != nil {
					t.Fatal(err)
				}
				if k := keys[kid]; k.Alg != tt.alg || (k.Typ == "at+jwt") != typed {
					t.Errorf("PublicKeys[kid] alg %q typ %q", k.Alg, k.Typ)
				}
				expect := bearer.Expect{Issuer: issuer, Now: func() time.Time { return start }}
				if _, err := bearer.Verify(tok, keys, expect); err != nil {
					t.Errorf("bearer: %v", err)
				}
				algs, err := s.Algorithms(ctx, poolID)
				if err != nil || !slices.Equal(algs, []string{tt.alg}) {
					t.Errorf("Algorithms = %v, %v", algs, err)
				}

				// A restarted node (a new Signer on the store) signs with
				// the same key.
				tok2, err := newSigner(st, v, newClock()).Sign(ctx, poolID, cognitoClaims(start))
				if err != nil {
					t.Fatal(err)
				}
				if kidOf(t, tok2) != kid || header(t, tok2) != want {
					t.Errorf("after restart: header %s, want %s", header(t, tok2), want)
				}
			})
		}
	}
}

// TestRolloverOnAlgorithmChange: a pool whose algorithm changes rolls over
// at once, on the node that sees the change first: a new active and next
// key of the new algorithm, the old active key retired and published for
// tollgate.KeyRetention (its tokens still verify), its never-used next key
// dropped. A second node sharing the store, invalidated as the server
// does on a pool change, adopts the new keys without rolling over again.
func TestRolloverOnAlgorithmChange(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.SQLiteDSN(t)
	st := &oauthStore{Store: openStore(t, dsn)}
	st2 := &oauthStore{Store: openStore(t, dsn)}
	v, c := newVault(t), newClock()
	node1, node2 := newSigner(st, v, c), newSigner(st2, v, c)

	oldTok, err := node1.Sign(ctx, poolID, cognitoClaims(start))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := node2.Sign(ctx, poolID, cognitoClaims(start)); err != nil {
		t.Fatal(err)
	}
	before, _ := node1.Keys(ctx, poolID)

	for _, alg := range []string{tollgate.AlgES256, tollgate.AlgEdDSA} {
		c.Add(time.Minute)
		st.set(tollgate.PoolOAuth{SigningAlgorithm: alg})
		st2.set(tollgate.PoolOAuth{SigningAlgorithm: alg})
		// Before the change reaches it, a node signs as it did.
		if tok, _ := node1.Sign(ctx, poolID, cognitoClaims(start)); strings.Contains(header(t, tok), alg) {
			t.Fatalf("signed with %s before Invalidate", alg)
		}
		node1.Invalidate()
		node2.Invalidate()
		// Both nodes at once: one rolls over, the other adopts its keys.
		var wg sync.WaitGroup
		toks := make([]string, 2)
		for i, n := range []*signer.Signer{node1, node2} {
			wg.Go(func() {
				var err error
				if toks[i], err = n.Sign(ctx, poolID, cognitoClaims(start)); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		if kidOf(t, toks[0]) != kidOf(t, toks[1]) || !strings.Contains(header(t, toks[0]), `"alg":"`+alg+`"`) {
			t.Fatalf("after the change to %s the nodes sign with %s and %s", alg, header(t, toks[0]), header(t, toks[1]))
		}
		keys, err := node1.Keys(ctx, poolID)
		if err != nil {
			t.Fatal(err)
		}
		var active, next, retired []tollgate.SigningKey
		for _, k := range keys {
			switch k.State {
			case tollgate.KeyActive:
				active = append(active, k)
			case tollgate.KeyNext:
				next = append(next, k)
			default:
				retired = append(retired, k)
			}
		}
		if len(active) != 1 || len(next) != 1 || active[0].Algorithm != alg || next[0].Algorithm != alg || active[0].KID != kidOf(t, toks[0]) {
			t.Fatalf("keys after the change to %s: %v", alg, keys)
		}
		for _, k := range retired {
			if !k.ExpiresAt.After(c.Now()) || k.ExpiresAt.After(c.Now().Add(tollgate.KeyRetention)) {
				t.Errorf("retired %s expires %s", k.KID, k.ExpiresAt)
			}
		}
	}
	// Two rollovers: the first RS256 active key and the ES256 one are
	// retired and published; neither next key that never signed is.
	keys, _ := node1.Keys(ctx, poolID)
	if len(keys) != 4 {
		t.Errorf("%d keys after two rollovers, want 4: %v", len(keys), keys)
	}
	for _, k := range before {
		if k.State == tollgate.KeyNext && slices.ContainsFunc(keys, func(x tollgate.SigningKey) bool { return x.KID == k.KID }) {
			t.Errorf("the RS256 next key %s, which never signed, is still there", k.KID)
		}
	}
	algs, err := node2.Algorithms(ctx, poolID)
	if err != nil || !slices.Equal(algs, []string{tollgate.AlgEdDSA, tollgate.AlgRS256, tollgate.AlgES256}) && !slices.Equal(algs, []string{tollgate.AlgEdDSA, tollgate.AlgES256, tollgate.AlgRS256}) {
		t.Errorf("Algorithms = %v, %v; want EdDSA first, then the retired keys'", algs, err)
	}
	// A token of the first RS256 key still verifies, on either node.
	for _, n := range []*signer.Signer{node1, node2} {
		pub, err := n.PublicKeys(ctx, poolID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bearer.Verify(oldTok, pub, bearer.Expect{Issuer: issuer, Now: c.Now}); err != nil {
			t.Errorf("the RS256 token after the rollovers: %v", err)
		}
	}
	// Once KeyRetention has passed, the RS256 key leaves the JWKS.
	c.Add(tollgate.KeyRetention)
	if algs, _ := node1.Algorithms(ctx, poolID); !slices.Equal(algs, []string{tollgate.AlgEdDSA}) {
		t.Errorf("Algorithms after KeyRetention = %v", algs)
	}
}

// TestRotateKeepsAlgorithm: a rotation creates keys of the pool's
// algorithm.
func TestRotateKeepsAlgorithm(t *testing.T) {
	ctx := context.Background()
	st := &oauthStore{Store: openStore(t, storetest.SQLiteDSN(t))}
	st.set(tollgate.PoolOAuth{SigningAlgorithm: tollgate.AlgEdDSA})
	s := newSigner(st, newVault(t), newClock())
	keys, err := s.Rotate(ctx, poolID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.Algorithm != tollgate.AlgEdDSA {
			t.Errorf("key %s of a rotated EdDSA pool: %s", k.KID, k.Algorithm)
		}
	}
	tok, err := s.Sign(ctx, poolID, cognitoClaims(start))
	if err != nil || !strings.Contains(header(t, tok), `"alg":"EdDSA"`) {
		t.Fatalf("Sign after Rotate: %v %v", tok, err)
	}
}

// TestTamperedKeyRefused: a stored key whose public half, kid or algorithm
// was edited by hand is refused rather than published or used.
func TestTamperedKeyRefused(t *testing.T) {
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	otherDER, err := x509.MarshalPKIXPublicKey(other.Public())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		alg    string
		tamper func(*tollgate.SigningKey)
		want   string
	}{
		{"EC public key swapped", tollgate.AlgES256, func(k *tollgate.SigningKey) { k.Public = otherDER }, "thumbprint"},
		{"ES256 key relabelled RS256", tollgate.AlgES256, func(k *tollgate.SigningKey) { k.Algorithm = tollgate.AlgRS256 }, "not a key for algorithm"},
		{"EdDSA key relabelled ES256", tollgate.AlgEdDSA, func(k *tollgate.SigningKey) { k.Algorithm = tollgate.AlgES256 }, "not a key for algorithm"},
		{"RS256 key relabelled EdDSA", tollgate.AlgRS256, func(k *tollgate.SigningKey) { k.Algorithm = tollgate.AlgEdDSA }, "not a key for algorithm"},
		{"Ed25519 kid changed", tollgate.AlgEdDSA, func(k *tollgate.SigningKey) { k.KID = "x" + k.KID[1:] }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			st := &oauthStore{Store: openStore(t, storetest.SQLiteDSN(t))}
			st.set(tollgate.PoolOAuth{SigningAlgorithm: tt.alg})
			v := newVault(t)
			if _, err := newSigner(st, v, newClock()).JWKS(ctx, poolID); err != nil {
				t.Fatal(err)
			}
			_, err := st.UpdateSigningKeys(ctx, poolID, func(cur []tollgate.SigningKey) ([]tollgate.SigningKey, error) {
				out := slices.Clone(cur)
				for i := range out {
					if out[i].State == tollgate.KeyActive {
						tt.tamper(&out[i])
					}
				}
				return out, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// A fresh node (nothing cached) must refuse the edited key:
			// neither sign with it nor publish it.
			s := newSigner(st, v, newClock())
			if tok, err := s.Sign(ctx, poolID, cognitoClaims(start)); err == nil {
				t.Fatalf("signed with a tampered key: %s", header(t, tok))
			} else if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Sign: %v, want it to say %q", err, tt.want)
			}
			if _, err := s.JWKS(ctx, poolID); err == nil {
				t.Error("published a tampered key")
			}
		})
	}
}

// TestUnsupportedAlgorithm: a pool naming an algorithm the signer does not
// have fails to sign rather than falling back to another.
func TestUnsupportedAlgorithm(t *testing.T) {
	ctx := context.Background()
	st := &oauthStore{Store: openStore(t, storetest.SQLiteDSN(t))}
	st.set(tollgate.PoolOAuth{SigningAlgorithm: "HS256"})
	if _, err := newSigner(st, newVault(t), newClock()).Sign(ctx, poolID, cognitoClaims(start)); err == nil || !strings.Contains(err.Error(), "HS256") {
		t.Fatalf("Sign for an HS256 pool: %v", err)
	}
}
