package signer_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/signer"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
	"github.com/tollgate/tollgate/internal/vault"
)

const (
	poolID   = "us-east-1_pxAHZcSSX"
	issuer   = "https://cognito-idp.us-east-1.amazonaws.com/" + poolID
	clientID = "6rupb256qn12tju82occ9eppqr"
)

// start is when every test's clock starts; whole seconds, as the store
// keeps microseconds.
var start = time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: start} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// claims is a Cognito M2M access token's payload, in Cognito's order.
type claims struct {
	Sub      string `json:"sub"`
	TokenUse string `json:"token_use"`
	Scope    string `json:"scope"`
	AuthTime int64  `json:"auth_time"`
	Iss      string `json:"iss"`
	Exp      int64  `json:"exp"`
	Iat      int64  `json:"iat"`
	Version  int    `json:"version"`
	JTI      string `json:"jti"`
	ClientID string `json:"client_id"`
}

func cognitoClaims(now time.Time) claims {
	return claims{
		Sub:      clientID,
		TokenUse: "access",
		Scope:    "default/default",
		AuthTime: now.Unix(),
		Iss:      issuer,
		Exp:      now.Add(time.Hour).Unix(),
		Iat:      now.Unix(),
		Version:  2,
		JTI:      "3b4c6f2e-8f0e-4a43-9d51-0c1f9d0d2f6a",
		ClientID: clientID,
	}
}

// openStore opens a store on dsn holding the test pool (created by the first
// opener) and closes it when the test ends.
func openStore(t testing.TB, dsn string) *sqlstore.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	err = st.CreatePool(ctx, &tollgate.UserPool{ID: poolID, Name: "test", Region: "us-east-1", CreatedAt: start, UpdatedAt: start})
	if err != nil && tollgate.KindOf(err) != tollgate.KindConflict {
		t.Fatal(err)
	}
	return st
}

func newVault(t testing.TB) *vault.Vault {
	t.Helper()
	v, err := vault.New(vault.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func newSigner(st tollgate.Store, v *vault.Vault, c *clock) *signer.Signer {
	return signer.New(st, v, signer.Options{Now: c.Now, Logger: quiet()})
}

// header returns a token's decoded protected header.
func header(t testing.TB, token string) string {
	t.Helper()
	h, _, _ := strings.Cut(token, ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// kidOf returns a token's kid.
func kidOf(t testing.TB, token string) string {
	t.Helper()
	var h struct{ Kid string }
	if err := json.Unmarshal([]byte(header(t, token)), &h); err != nil {
		t.Fatal(err)
	}
	return h.Kid
}

// jwksKids returns the kids of a JWKS document, in order.
func jwksKids(t testing.TB, doc []byte) []string {
	t.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &set); err != nil {
		t.Fatal(err)
	}
	kids := []string{}
	for _, k := range set.Keys {
		kids = append(kids, k.KeyID)
	}
	return kids
}

// verify checks token against a JWKS document with go-jose, as a relying
// party would, and returns its claims.
func verify(t testing.TB, token string, doc []byte) (claims, error) {
	t.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &set); err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	var c claims
	err = tok.Claims(set, &c)
	return c, err
}

func TestSignVerifiesAgainstJWKS(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, storetest.SQLiteDSN(t))
	c := newClock()
	s := newSigner(st, newVault(t), c)

	want := cognitoClaims(c.Now())
	token, err := s.Sign(ctx, poolID, want)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := s.JWKS(ctx, poolID)
	if err != nil {
		t.Fatal(err)
	}

	got, err := verify(t, token, doc)
	if err != nil {
		t.Fatalf("token does not verify against the JWKS: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}

	kid := kidOf(t, token)
	if h := header(t, token); h != `{"kid":"`+kid+`","alg":"RS256"}` {
		t.Errorf("header = %s, want exactly kid then alg", h)
	}
	// The payload is the claims as encoding/json writes them, order kept.
	_, rest, _ := strings.Cut(token, ".")
	payload, _, _ := strings.Cut(rest, ".")
	wantPayload, _ := json.Marshal(want)
	if p, _ := base64.RawURLEncoding.DecodeString(payload); !bytes.Equal(p, wantPayload) {
		t.Errorf("payload = %s, want %s", p, wantPayload)
	}

	// Cognito's JWKS: two keys, exactly these members in this order, the
	// signing key first.
	member := `\{"alg":"RS256","e":"AQAB","kid":"[A-Za-z0-9_-]{43}","kty":"RSA","n":"[A-Za-z0-9_-]{342}","use":"sig"\}`
	if !regexp.MustCompile(`^\{"keys":\[` + member + `,` + member + `\]\}$`).Match(doc) {
		t.Errorf("JWKS does not have Cognito's shape:\n%s", doc)
	}
	if kids := jwksKids(t, doc); kids[0] != kid {
		t.Errorf("JWKS kids = %v, want the signing kid %s first", kids, kid)
	}

	// The kid is the RFC 7638 thumbprint of the key it names.
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &set); err != nil {
		t.Fatal(err)
	}
	for _, k := range set.Keys {
		tp, err := k.Thumbprint(crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		if got := base64.RawURLEncoding.EncodeToString(tp); got != k.KeyID {
			t.Errorf("kid %s is not the key's thumbprint %s", k.KeyID, got)
		}
	}

	// PublicKeys publishes the same keys.
	pub, err := s.PublicKeys(ctx, poolID)
	if err != nil {
		t.Fatal(err)
	}
	if len(pub) != len(set.Keys) {
		t.Fatalf("PublicKeys has %d keys, JWKS %d", len(pub), len(set.Keys))
	}
	for _, k := range set.Keys {
		if p, ok := pub[k.KeyID]; !ok || !p.Key.(*rsa.PublicKey).Equal(k.Key) || p.Alg != "RS256" || p.Typ != "" {
			t.Errorf("PublicKeys[%s] = %v, want the JWKS key", k.KeyID, p)
		}
	}
}

func TestJWKSBeforeFirstTokenCreatesKeys(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, storetest.SQLiteDSN(t))
	s := newSigner(st, newVault(t), newClock())

	doc, err := s.JWKS(ctx, poolID)
	if err != nil {
		t.Fatal(err)
	}
	kids := jwksKids(t, doc)
	if len(kids) != 2 {
		t.Fatalf("JWKS kids = %v, want two", kids)
	}
	token, err := s.Sign(ctx, poolID, cognitoClaims(start))
	if err != nil {
		t.Fatal(err)
	}
	if kidOf(t, token) != kids[0] {
		t.Errorf("signed with %s, want %s, the first key of the JWKS fetched before", kidOf(t, token), kids[0])
	}
	keys, err := s.Keys(ctx, poolID)
	if err != nil {
		t.Fatal(err)
	}
	var states []tollgate.KeyState
	for _, k := range keys {
		states = append(states, k.State)
		if k.Sealed != nil {
			t.Errorf("Keys returned sealed private key material for %s", k.KID)
		}
		if !k.CreatedAt.Equal(start) {
			t.Errorf("key %s created at %s, want %s", k.KID, k.CreatedAt, start)
		}
	}
	if diff := cmp.Diff([]tollgate.KeyState{tollgate.KeyActive, tollgate.KeyNext}, states); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
}

// TestFirstKeysCreatedOnce races 20 Sign calls through two Signers on two
// handles to one PostgreSQL database, as two server processes would.
func TestFirstKeysCreatedOnce(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.PostgresDSN(t)
	st1, st2 := openStore(t, dsn), openStore(t, dsn)
	v := newVault(t) // the processes share the master key
	signers := []*signer.Signer{newSigner(st1, v, newClock()), newSigner(st2, v, newClock())}

	var (
		wg     sync.WaitGroup
		tokens = make([]string, 20)
		errs   = make([]error, 20)
	)
	for i := range tokens {
		wg.Go(func() {
			tokens[i], errs[i] = signers[i%2].Sign(ctx, poolID, cognitoClaims(start))
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	kid := kidOf(t, tokens[0])
	for i, tok := range tokens {
		if k := kidOf(t, tok); k != kid {
			t.Errorf("token %d signed with %s, token 0 with %s", i, k, kid)
		}
	}
	keys, err := st1.ListSigningKeys(ctx, poolID)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 {
		t.Errorf("the store holds %d keys, want 2: %v", len(keys), keys)
	}
	doc, err := signers[1].JWKS(ctx, poolID)
	if err != nil {
		t.Fatal(err)
	}
	for i, tok := range tokens {
		if _, err := verify(t, tok, doc); err != nil {
			t.Errorf("token %d: %v", i, err)
		}
	}
}

func TestRotation(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, storetest.SQLiteDSN(t))
	c := newClock()
	s := newSigner(st, newVault(t), c)

	before, err := s.Sign(ctx, poolID, cognitoClaims(c.Now()))
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := s.JWKS(ctx, poolID)
	oldKids := jwksKids(t, doc) // active, next
	if kidOf(t, before) != oldKids[0] {
		t.Fatalf("signed with %s, want the active key %s", kidOf(t, before), oldKids[0])
	}

	c.Add(10 * time.Minute)
	rotatedAt := c.Now()
	keys, err := s.Rotate(ctx, poolID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		KID                    string
		State                  tollgate.KeyState
		ActivatedAt, ExpiresAt time.Time
	}
	var rows []row
	for _, k := range keys {
		rows = append(rows, row{k.KID, k.State, k.ActivatedAt, k.ExpiresAt})
		if k.Sealed != nil {
			t.Errorf("Rotate returned sealed private key material for %s", k.KID)
		}
	}
	if len(rows) != 3 {
		t.Fatalf("after rotation: %v, want three keys", rows)
	}
	newNext := rows[2].KID
	if diff := cmp.Diff([]row{
		{oldKids[0], tollgate.KeyRetired, start, rotatedAt.Add(time.Hour)},
		{oldKids[1], tollgate.KeyActive, rotatedAt, time.Time{}},
		{newNext, tollgate.KeyNext, time.Time{}, time.Time{}},
	}, rows); diff != "" {
		t.Errorf("keys after rotation (-want +got):\n%s", diff)
	}

	// The key that was next signs now.
	after, err := s.Sign(ctx, poolID, cognitoClaims(c.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if kidOf(t, after) != oldKids[1] {
		t.Errorf("after rotation signed with %s, want the former next key %s", kidOf(t, after), oldKids[1])
	}
	// Both tokens verify; the retired key is published until it expires.
	doc, _ = s.JWKS(ctx, poolID)
	if diff := cmp.Diff([]string{oldKids[1], newNext, oldKids[0]}, jwksKids(t, doc)); diff != "" {
		t.Errorf("JWKS kids (-want +got):\n%s", diff)
	}
	for _, tok := range []string{before, after} {
		if _, err := verify(t, tok, doc); err != nil {
			t.Errorf("%s: %v", kidOf(t, tok), err)
		}
	}

	c.Add(time.Hour - time.Second)
	doc, _ = s.JWKS(ctx, poolID)
	if kids := jwksKids(t, doc); len(kids) != 3 {
		t.Errorf("a second before the retired key expires, JWKS kids = %v, want three", kids)
	}

	// At ExpiresAt the retired key leaves the JWKS, with no Invalidate: the
	// clock alone decides.
	c.Add(time.Second)
	doc, _ = s.JWKS(ctx, poolID)
	if diff := cmp.Diff([]string{oldKids[1], newNext}, jwksKids(t, doc)); diff != "" {
		t.Errorf("JWKS kids once the retired key expired (-want +got):\n%s", diff)
	}
	pub, _ := s.PublicKeys(ctx, poolID)
	if _, ok := pub[oldKids[0]]; ok || len(pub) != 2 {
		t.Errorf("PublicKeys still holds the expired key: %v", pub)
	}
	if _, err := verify(t, before, doc); err == nil {
		t.Error("a token of the expired key still verifies against the JWKS")
	}
	// It stays in the store until the next rotation deletes it.
	if keys, _ := s.Keys(ctx, poolID); len(keys) != 3 {
		t.Errorf("store holds %d keys, want 3 until the next rotation", len(keys))
	}
	keys, err = s.Rotate(ctx, poolID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.KID == oldKids[0] {
			t.Errorf("the next rotation kept the expired key %s", k.KID)
		}
	}
	if len(keys) != 3 {
		t.Errorf("after the second rotation: %v, want three keys", keys)
	}
}

func TestRotateWithoutKeysCreatesThem(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, storetest.SQLiteDSN(t))
	s := newSigner(st, newVault(t), newClock())
	keys, err := s.Rotate(ctx, poolID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var states []tollgate.KeyState
	for _, k := range keys {
		states = append(states, k.State)
	}
	if diff := cmp.Diff([]tollgate.KeyState{tollgate.KeyRetired, tollgate.KeyActive, tollgate.KeyNext}, states); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
	tok, err := s.Sign(ctx, poolID, cognitoClaims(start))
	if err != nil {
		t.Fatal(err)
	}
	if kidOf(t, tok) != keys[1].KID {
		t.Errorf("signed with %s, want the active key %s", kidOf(t, tok), keys[1].KID)
	}
}

func TestRotateRejectsNegativeRetirement(t *testing.T) {
	st := openStore(t, storetest.SQLiteDSN(t))
	s := newSigner(st, newVault(t), newClock())
	if _, err := s.Rotate(context.Background(), poolID, -time.Second); tollgate.KindOf(err) != tollgate.KindInvalid {
		t.Fatalf("err = %v, want KindInvalid", err)
	}
}

func TestUnknownPool(t *testing.T) {
	ctx := context.Background()
	st := &countingStore{Store: openStore(t, storetest.SQLiteDSN(t))}
	s := newSigner(st, newVault(t), newClock())
	if _, err := s.Sign(ctx, "us-east-1_nope", cognitoClaims(start)); !tollgate.IsNotFound(err) {
		t.Fatalf("Sign: err = %v, want KindNotFound", err)
	}
	if _, err := s.JWKS(ctx, "us-east-1_nope2"); !tollgate.IsNotFound(err) {
		t.Fatalf("JWKS: err = %v, want KindNotFound", err)
	}
	// No keys were generated for it (UpdateSigningKeys is where they would
	// go) and nothing is kept for it.
	if n := st.updates.Load(); n != 0 {
		t.Errorf("UpdateSigningKeys called %d times for unknown pools", n)
	}
	if n := s.CachedPools(); n != 0 {
		t.Errorf("the signer caches %d unknown pools", n)
	}
}

// countingStore counts the key reads and writes that reach the store.
type countingStore struct {
	tollgate.Store
	lists, updates atomic.Int64
}

func (c *countingStore) ListSigningKeys(ctx context.Context, poolID string) ([]tollgate.SigningKey, error) {
	c.lists.Add(1)
	return c.Store.ListSigningKeys(ctx, poolID)
}

func (c *countingStore) UpdateSigningKeys(ctx context.Context, poolID string, fn func([]tollgate.SigningKey) ([]tollgate.SigningKey, error)) ([]tollgate.SigningKey, error) {
	c.updates.Add(1)
	return c.Store.UpdateSigningKeys(ctx, poolID, fn)
}

// TestAnotherProcessRotates: a rotation by another process (the CLI) takes
// effect in a server after Invalidate, and not before; misses do not
// stampede; hits do not touch the store; keys are not decrypted twice.
func TestAnotherProcessRotates(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.SQLiteDSN(t)
	server := &countingStore{Store: openStore(t, dsn)}
	cli := openStore(t, dsn)
	v := newVault(t)
	c := newClock()
	srv := newSigner(server, v, c)

	// Create the keys through the CLI's signer, so that the server's first
	// use is a plain load.
	if _, err := newSigner(cli, v, c).JWKS(ctx, poolID); err != nil {
		t.Fatal(err)
	}

	// 20 concurrent misses load once.
	var wg sync.WaitGroup
	tokens := make([]string, 20)
	for i := range tokens {
		wg.Go(func() {
			var err error
			if tokens[i], err = srv.Sign(ctx, poolID, cognitoClaims(start)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n, u := server.lists.Load(), server.updates.Load(); n != 1 || u != 0 {
		t.Errorf("20 concurrent misses: %d key lists and %d updates, want 1 and 0", n, u)
	}
	activeKey := srv.CachedActiveKey(poolID)

	// Hits do not touch the store.
	for range 100 {
		if _, err := srv.Sign(ctx, poolID, cognitoClaims(start)); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.JWKS(ctx, poolID); err != nil {
			t.Fatal(err)
		}
	}
	if n := server.lists.Load(); n != 1 {
		t.Errorf("cache hits read the store: %d key lists", n)
	}

	// An Invalidate with nothing changed reloads the list but reuses the
	// parsed key.
	srv.Invalidate()
	tok, err := srv.Sign(ctx, poolID, cognitoClaims(start))
	if err != nil {
		t.Fatal(err)
	}
	if n := server.lists.Load(); n != 2 {
		t.Errorf("after Invalidate: %d key lists, want 2", n)
	}
	if srv.CachedActiveKey(poolID) != activeKey {
		t.Error("after Invalidate the unchanged active key was decrypted and parsed again")
	}
	oldKid := kidOf(t, tok)

	// The CLI rotates.
	keys, err := newSigner(cli, v, c).Rotate(ctx, poolID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	newKid := keys[1].KID

	tok, _ = srv.Sign(ctx, poolID, cognitoClaims(start))
	if kidOf(t, tok) != oldKid {
		t.Errorf("before Invalidate the server signed with %s, want its cached %s", kidOf(t, tok), oldKid)
	}
	srv.Invalidate()
	tok, _ = srv.Sign(ctx, poolID, cognitoClaims(start))
	if kidOf(t, tok) != newKid {
		t.Errorf("after Invalidate the server signed with %s, want the rotated-in %s", kidOf(t, tok), newKid)
	}
	doc, _ := srv.JWKS(ctx, poolID)
	if kids := jwksKids(t, doc); len(kids) != 3 || kids[0] != newKid || kids[2] != oldKid {
		t.Errorf("server JWKS kids = %v, want [%s <next> %s]", kids, newKid, oldKid)
	}
}

func TestWrongMasterKey(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.SQLiteDSN(t)
	st := openStore(t, dsn)
	if _, err := newSigner(st, newVault(t), newClock()).JWKS(ctx, poolID); err != nil {
		t.Fatal(err)
	}
	before, err := st.ListSigningKeys(ctx, poolID)
	if err != nil {
		t.Fatal(err)
	}

	wrong := newSigner(st, newVault(t), newClock())
	_, err = wrong.Sign(ctx, poolID, cognitoClaims(start))
	if !errors.Is(err, signer.ErrWrongMasterKey) || !errors.Is(err, vault.ErrWrongKey) {
		t.Fatalf("Sign with the wrong master key: err = %v, want ErrWrongMasterKey", err)
	}
	if !strings.Contains(err.Error(), "master key does not match") {
		t.Errorf("error %q does not say the master key does not match", err)
	}

	// Rotate refuses, and leaves the keys alone.
	if _, err := wrong.Rotate(ctx, poolID, time.Hour); !errors.Is(err, signer.ErrWrongMasterKey) {
		t.Fatalf("Rotate with the wrong master key: err = %v, want ErrWrongMasterKey", err)
	}
	after, err := st.ListSigningKeys(ctx, poolID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("Rotate with the wrong master key changed the keys (-before +after):\n%s", diff)
	}
}

// TestPrivateKeyNotStoredInClear looks for the private key's DER, and for
// its primes, in every file of the SQLite database.
func TestPrivateKeyNotStoredInClear(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.SQLiteDSN(t)
	st := openStore(t, dsn)
	v := newVault(t)
	s := newSigner(st, v, newClock())
	if _, err := s.Sign(ctx, poolID, cognitoClaims(start)); err != nil {
		t.Fatal(err)
	}
	keys, err := st.ListSigningKeys(ctx, poolID)
	if err != nil {
		t.Fatal(err)
	}

	var files []byte
	entries, err := os.ReadDir(filepath.Dir(dsn))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(dsn), e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b...)
	}

	for _, k := range keys {
		// The search works: the public key is stored in the clear.
		if !bytes.Contains(files, k.Public) {
			t.Fatalf("the database files do not hold key %s's public key: the search is broken", k.KID)
		}
		der, err := v.Open(k.Sealed, []byte(poolID+"/"+k.KID))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(k.Sealed, der[len(der)/2:len(der)/2+32]) {
			t.Errorf("sealed key %s contains its DER", k.KID)
		}
		if bytes.Contains(files, der[len(der)/2:len(der)/2+32]) {
			t.Errorf("the database files contain key %s's private DER", k.KID)
		}
	}
}

func TestNewRejectsSmallKeys(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New with KeyBits 1024 did not panic")
		}
	}()
	signer.New(nil, nil, signer.Options{KeyBits: 1024})
}

// typicalPayload is a Cognito M2M access token's payload.
func typicalPayload() []byte {
	b, _ := json.Marshal(cognitoClaims(start))
	return b
}

// BenchmarkRawRS256 is the floor: hashing a token's signing input and the
// RSA operation, nothing else.
func BenchmarkRawRS256(b *testing.B) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	priv.Precompute()
	input := []byte(base64.RawURLEncoding.EncodeToString([]byte(`{"kid":"x","alg":"RS256"}`)) + "." +
		base64.RawURLEncoding.EncodeToString(typicalPayload()))
	b.ReportAllocs()
	for b.Loop() {
		d := sha256.Sum256(input)
		if _, err := rsa.SignPKCS1v15(nil, priv, crypto.SHA256, d[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSign is Signer.Sign with Cognito-shaped claims and a warm cache,
// per algorithm of the pool's keys.
func BenchmarkSign(b *testing.B) {
	for _, alg := range tollgate.SigningAlgorithms {
		b.Run(alg, func(b *testing.B) {
			ctx := context.Background()
			s, cl := benchSigner(b, alg)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Sign(ctx, poolID, cl); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSignParallel is BenchmarkSign from every CPU at once: the cache
// must not serialize signers.
func BenchmarkSignParallel(b *testing.B) {
	for _, alg := range tollgate.SigningAlgorithms {
		b.Run(alg, func(b *testing.B) {
			ctx := context.Background()
			s, cl := benchSigner(b, alg)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.Sign(ctx, poolID, cl); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// benchSigner returns a signer whose pool signs with alg, its keys loaded.
func benchSigner(b *testing.B, alg string) (*signer.Signer, claims) {
	st := &oauthStore{Store: openStore(b, storetest.SQLiteDSN(b))}
	st.set(tollgate.PoolOAuth{SigningAlgorithm: alg})
	s := newSigner(st, newVault(b), newClock())
	cl := cognitoClaims(start)
	if _, err := s.Sign(context.Background(), poolID, cl); err != nil {
		b.Fatal(err)
	}
	return s, cl
}
