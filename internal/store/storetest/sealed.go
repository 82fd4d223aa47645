package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// testSettings checks GetSetting, InitSetting (the first value stays) and
// PutSetting, and that only writes that store move the generation.
func testSettings(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	_, err := s.GetSetting(ctx, tollgate.SettingIssuerURL)
	wantKind(t, "GetSetting of a setting never set", err, tollgate.KindNotFound)

	g0 := generation(t, s)
	got, err := s.InitSetting(ctx, tollgate.SettingIssuerURL, []byte("https://a.example"))
	wantNoError(t, "InitSetting", err)
	wantEqual(t, "InitSetting returns the value it stored", string(got), "https://a.example")
	g1 := generation(t, s)
	if g1 <= g0 {
		t.Errorf("InitSetting that stored: generation went from %d to %d, want it to grow", g0, g1)
	}
	got, err = s.InitSetting(ctx, tollgate.SettingIssuerURL, []byte("https://b.example"))
	wantNoError(t, "InitSetting again", err)
	wantEqual(t, "InitSetting of a set setting returns the stored value", string(got), "https://a.example")
	if g := generation(t, s); g != g1 {
		t.Errorf("InitSetting that stored nothing: generation went from %d to %d, want it unchanged", g1, g)
	}

	got, err = s.GetSetting(ctx, tollgate.SettingIssuerURL)
	wantNoError(t, "GetSetting", err)
	wantEqual(t, "GetSetting", string(got), "https://a.example")
	got[0] = 'X' // a copy: the stored value stays
	got, _ = s.GetSetting(ctx, tollgate.SettingIssuerURL)
	wantEqual(t, "GetSetting after modifying a returned copy", string(got), "https://a.example")

	wantNoError(t, "PutSetting", s.PutSetting(ctx, tollgate.SettingIssuerURL, []byte("https://c.example")))
	got, err = s.GetSetting(ctx, tollgate.SettingIssuerURL)
	wantNoError(t, "GetSetting after PutSetting", err)
	wantEqual(t, "GetSetting after PutSetting", string(got), "https://c.example")
	if g := generation(t, s); g <= g1 {
		t.Errorf("PutSetting: generation went from %d to %d, want it to grow", g1, g)
	}

	// Settings are independent, and a new one may be put directly.
	wantNoError(t, "PutSetting of a new setting", s.PutSetting(ctx, tollgate.SettingMasterKeyCheck, []byte{0, 1, 2}))
	got, err = s.GetSetting(ctx, tollgate.SettingMasterKeyCheck)
	wantNoError(t, "GetSetting of binary value", err)
	wantEqual(t, "a binary value", got, []byte{0, 1, 2})
	got, _ = s.GetSetting(ctx, tollgate.SettingIssuerURL)
	wantEqual(t, "the other setting", string(got), "https://c.example")
}

func generation(t *testing.T, s tollgate.Store) int64 {
	t.Helper()
	g, err := s.Generation(context.Background())
	wantNoError(t, "Generation", err)
	return g
}

// sealedFixture is a store holding two client secrets, three signing keys
// in two pools, two access keys and two API keys: nine sealed values.
type sealedFixture struct {
	client, other *tollgate.Client
	pools         []*tollgate.UserPool
	keys          []*tollgate.AccessKey
	apiKeys       []*tollgate.APIKey
}

const sealedValues = 9

func newSealedFixture(t *testing.T, s tollgate.Store) *sealedFixture {
	ctx := context.Background()
	f := &sealedFixture{}
	f.pools = []*tollgate.UserPool{mustCreatePool(t, s, "one"), mustCreatePool(t, s, "two")}
	f.client = newClient(f.pools[0].ID, "client", newSecret(t0), newSecret(at(time.Second)))
	mustCreateClient(t, s, f.client)
	f.other = newClient(f.pools[0].ID, "public") // no secret: nothing sealed
	mustCreateClient(t, s, f.other)
	for i, p := range f.pools {
		keys := []tollgate.SigningKey{newKey(p.ID, "kid-a", tollgate.KeyActive, t0)}
		if i == 0 {
			keys = append(keys, newKey(p.ID, "kid-b", tollgate.KeyNext, at(time.Minute)))
		}
		_, err := s.UpdateSigningKeys(ctx, p.ID, func([]tollgate.SigningKey) ([]tollgate.SigningKey, error) { return keys, nil })
		wantNoError(t, "UpdateSigningKeys", err)
	}
	for i := range 2 {
		k := &tollgate.AccessKey{ID: tollgate.NewAccessKeyID(), Sealed: fmt.Appendf(nil, "sealed %d", i), CreatedAt: at(time.Duration(i) * time.Hour)}
		wantNoError(t, "CreateAccessKey", s.CreateAccessKey(ctx, k))
		f.keys = append(f.keys, k)
	}
	for _, name := range []string{"one", "two"} {
		k := newAPIKey(name)
		mustCreateAPIKey(t, s, k)
		f.apiKeys = append(f.apiKeys, k)
	}
	return f
}

// reseal is the function the tests give Reseal: it prefixes a value not yet
// prefixed (and a client secret's hash), as a new master key would.
func reseal(v *tollgate.SealedValue) (bool, error) {
	if bytes.HasPrefix(v.Sealed, []byte("resealed ")) {
		return false, nil
	}
	v.Sealed = append([]byte("resealed "), v.Sealed...)
	if v.Kind == tollgate.SealedClientSecret || v.Kind == tollgate.SealedAPIKey {
		v.Hash = append([]byte("rehashed "), v.Hash...)
	}
	return true, nil
}

// check fails the test unless every sealed value of the fixture is
// resealed, the other columns untouched.
func (f *sealedFixture) check(t *testing.T, s tollgate.Store) {
	t.Helper()
	ctx := context.Background()
	c, err := s.GetClient(ctx, f.client.ID)
	wantNoError(t, "GetClient", err)
	for i, cs := range c.Secrets {
		want := f.client.Secrets[i]
		want.Sealed = append([]byte("resealed "), want.Sealed...)
		want.Hash = append([]byte("rehashed "), want.Hash...)
		wantEqual(t, "resealed client secret", cs, want)
	}
	for _, p := range f.pools {
		keys, err := s.ListSigningKeys(ctx, p.ID)
		wantNoError(t, "ListSigningKeys", err)
		for _, k := range keys {
			wantEqual(t, "resealed signing key "+k.KID, string(k.Sealed), "resealed sealed "+k.KID)
			wantEqual(t, "signing key's public half", string(k.Public), "public "+k.KID)
		}
	}
	for _, want := range f.keys {
		k, err := s.GetAccessKey(ctx, want.ID)
		wantNoError(t, "GetAccessKey", err)
		wantEqual(t, "resealed access key", string(k.Sealed), "resealed "+string(want.Sealed))
		wantEqual(t, "access key's creation", k.CreatedAt, want.CreatedAt)
	}
	for _, k := range f.apiKeys {
		want := *k
		want.Sealed = append([]byte("resealed "), k.Sealed...)
		want.Hash = append([]byte("rehashed "), k.Hash...)
		got, err := s.GetAPIKey(ctx, k.ID)
		wantNoError(t, "GetAPIKey", err)
		wantEqual(t, "resealed API key", got, &want)
	}
}

// testReseal checks that Reseal hands fn every sealed value with what it
// is bound to, writes what fn changes, moving the generation, and that a
// second run finds nothing to do and writes nothing.
func testReseal(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	f := newSealedFixture(t, s)
	seen := map[string]string{}
	g0 := generation(t, s)
	n, err := s.Reseal(ctx, func(v *tollgate.SealedValue) (bool, error) {
		seen[v.String()] = string(v.AAD())
		return reseal(v)
	})
	wantNoError(t, "Reseal", err)
	wantEqual(t, "values Reseal wrote", n, sealedValues)
	want := map[string]string{
		"secret " + f.client.Secrets[0].ID + " of client " + f.client.ID: f.client.ID,
		"secret " + f.client.Secrets[1].ID + " of client " + f.client.ID: f.client.ID,
		"signing key kid-a of pool " + f.pools[0].ID:                     f.pools[0].ID + "/kid-a",
		"signing key kid-b of pool " + f.pools[0].ID:                     f.pools[0].ID + "/kid-b",
		"signing key kid-a of pool " + f.pools[1].ID:                     f.pools[1].ID + "/kid-a",
		"access key " + f.keys[0].ID:                                     f.keys[0].ID,
		"access key " + f.keys[1].ID:                                     f.keys[1].ID,
		"API key " + f.apiKeys[0].ID:                                     f.apiKeys[0].ID,
		"API key " + f.apiKeys[1].ID:                                     f.apiKeys[1].ID,
	}
	wantEqual(t, "the values Reseal handed fn, and their AAD", seen, want)
	f.check(t, s)
	g1 := generation(t, s)
	if g1 <= g0 {
		t.Errorf("Reseal: generation went from %d to %d, want it to grow", g0, g1)
	}

	n, err = s.Reseal(ctx, reseal)
	wantNoError(t, "Reseal again", err)
	wantEqual(t, "values Reseal wrote again", n, 0)
	if g := generation(t, s); g != g1 {
		t.Errorf("Reseal that wrote nothing: generation went from %d to %d", g1, g)
	}
	f.check(t, s)
}

// testResealResumes stops Reseal part way, as a crash would: what was
// written stays, nothing else changed, and a second run completes the job.
func testResealResumes(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	f := newSealedFixture(t, s)
	for stopAt := 1; stopAt <= sealedValues; stopAt++ {
		calls := 0
		crash := errors.New("crash")
		n, err := s.Reseal(ctx, func(v *tollgate.SealedValue) (bool, error) {
			calls++
			if calls == stopAt {
				v.Sealed = []byte("half written") // never stored: fn failed
				return true, crash
			}
			return reseal(v)
		})
		if !errors.Is(err, crash) {
			t.Fatalf("Reseal stopped at value %d: err = %v, want fn's error", stopAt, err)
		}
		if n >= stopAt {
			t.Errorf("Reseal stopped at value %d: wrote %d, more than the values before it", stopAt, n)
		}
	}
	// Each run above wrote the values before the one it stopped at: all
	// but the last are resealed.
	n, err := s.Reseal(ctx, reseal)
	wantNoError(t, "Reseal after the crashes", err)
	wantEqual(t, "values the last run wrote", n, 1)
	f.check(t, s)
}

// testInitSettingOnce has many goroutines, over both handles, each
// initialise one setting with its own value: every one must get back the
// same value, the one stored, as two nodes starting together on a new
// store must agree on its master key check.
func testInitSettingOnce(t *testing.T, a, b tollgate.Store) {
	ctx := context.Background()
	got := make([][]byte, workers)
	errs := Race(workers, func(i int) error {
		var err error
		got[i], err = [2]tollgate.Store{a, b}[i%2].InitSetting(ctx, tollgate.SettingMasterKeyCheck, fmt.Appendf(nil, "value %d", i))
		return err
	})
	stored, err := b.GetSetting(ctx, tollgate.SettingMasterKeyCheck)
	wantNoError(t, "GetSetting", err)
	for i := range workers {
		wantNoError(t, fmt.Sprintf("worker %d", i), errs[i])
		wantEqual(t, fmt.Sprintf("worker %d's value", i), string(got[i]), string(stored))
	}
}

// testResealWhileWriting reseals on one handle while the other rotates the
// signing keys and adds and deletes secrets: neither fails (no deadlock
// between the key lock and the generation), and a second Reseal leaves no
// value unsealed, the other handle's new ones included.
func testResealWhileWriting(t *testing.T, a, b tollgate.Store) {
	ctx := context.Background()
	f := newSealedFixture(t, a)
	pool := f.pools[0].ID
	errs := Race(2, func(i int) error {
		if i == 0 {
			_, err := a.Reseal(ctx, reseal)
			return err
		}
		for j := range 5 {
			kid := fmt.Sprintf("kid-new-%d", j)
			_, err := b.UpdateSigningKeys(ctx, pool, func(cur []tollgate.SigningKey) ([]tollgate.SigningKey, error) {
				return append(cur, newKey(pool, kid, tollgate.KeyNext, at(time.Hour))), nil
			})
			if err != nil {
				return err
			}
			s := newSecret(at(time.Hour))
			if err := b.AddClientSecret(ctx, f.other.ID, s); err != nil {
				return err
			}
			if j > 0 {
				if err := b.DeleteClientSecret(ctx, f.other.ID, s.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	wantNoError(t, "Reseal", errs[0])
	wantNoError(t, "writes on the other handle", errs[1])
	_, err := a.Reseal(ctx, reseal)
	wantNoError(t, "Reseal again", err)
	n, err := a.Reseal(ctx, reseal)
	wantNoError(t, "Reseal a third time", err)
	wantEqual(t, "values left for a third Reseal", n, 0)
	keys, err := b.ListSigningKeys(ctx, pool)
	wantNoError(t, "ListSigningKeys", err)
	wantEqual(t, "the pool's keys", len(keys), 7)
	f.check(t, b)
	c, err := b.GetClient(ctx, f.other.ID)
	wantNoError(t, "GetClient", err)
	for _, s := range c.Secrets {
		if !bytes.HasPrefix(s.Sealed, []byte("resealed ")) {
			t.Errorf("secret %s written during the first Reseal was left unsealed", s.ID)
		}
	}
}
