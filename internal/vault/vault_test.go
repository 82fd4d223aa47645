package vault

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func newVault(t testing.TB) *Vault {
	t.Helper()
	v, err := New(NewKey())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSealOpen(t *testing.T) {
	v := newVault(t)
	sealed := v.Seal([]byte("private key"), []byte("pool-a"))
	if bytes.Contains(sealed, []byte("private key")) {
		t.Fatal("sealed value contains the plaintext")
	}
	got, err := v.Open(sealed, []byte("pool-a"))
	if err != nil || string(got) != "private key" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := v.Open(sealed, []byte("pool-b")); !errors.Is(err, ErrWrongKey) {
		t.Errorf("Open with other aad: err = %v, want ErrWrongKey", err)
	}
	if _, err := newVault(t).Open(sealed, []byte("pool-a")); !errors.Is(err, ErrWrongKey) {
		t.Errorf("Open under another master key: err = %v, want ErrWrongKey", err)
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	if _, err := v.Open(tampered, []byte("pool-a")); !errors.Is(err, ErrWrongKey) {
		t.Errorf("Open tampered: err = %v", err)
	}
	for _, short := range [][]byte{nil, {1}, sealed[:10]} {
		if _, err := v.Open(short, nil); !errors.Is(err, ErrWrongKey) {
			t.Errorf("Open(%x): err = %v", short, err)
		}
	}
}

func TestHashSecret(t *testing.T) {
	v := newVault(t)
	a, b := v.HashSecret("c1", "secret-a"), v.HashSecret("c1", "secret-b")
	if !bytes.Equal(v.HashSecret("c1", "secret-a"), a) || len(a) != 32 {
		t.Error("one client's secret hashed twice differs, or is not an HMAC-SHA256")
	}
	if bytes.Equal(a, b) {
		t.Error("two secrets of a client have the same hash")
	}
	if bytes.Equal(v.HashSecret("c2", "secret-a"), a) {
		t.Error("two clients with the same secret have the same hash")
	}
	if bytes.Equal(v.HashSecret("c1s", "ecret-a"), a) {
		t.Error("the split between client id and secret is ambiguous")
	}
	if bytes.Equal(newVault(t).HashSecret("c1", "secret-a"), a) {
		t.Error("the hash does not depend on the master key")
	}
}

// TestHashSecretReusedMACs: the pooled HMAC states give what a fresh
// HMAC-SHA256 under the derived key gives, whatever was hashed before
// (a longer message, one larger than the buffer a state keeps) and from
// however many goroutines at once.
func TestHashSecretReusedMACs(t *testing.T) {
	v := newVault(t)
	want := func(clientID, secret string) []byte {
		m := hmac.New(sha256.New, v.keys[0].hashKey)
		m.Write([]byte(clientID + "\x00" + secret))
		return m.Sum(nil)
	}
	long := strings.Repeat("x", 2*maxPooledMessage)
	cases := [][2]string{{"c1", long}, {"c1", "s"}, {"client-id", "secret"}, {"", ""}, {"c1", long + "y"}, {"c1", "s"}}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				for _, c := range cases {
					if got := v.HashSecret(c[0], c[1]); !bytes.Equal(got, want(c[0], c[1])) {
						t.Errorf("HashSecret(%q, %d bytes) = %x, want the HMAC-SHA256 %x", c[0], len(c[1]), got, want(c[0], c[1]))
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

func TestParseKey(t *testing.T) {
	k := NewKey()
	for _, s := range []string{EncodeKey(k), " " + EncodeKey(k) + "\n"} {
		got, err := ParseKey(s)
		if err != nil || !bytes.Equal(got, k) {
			t.Errorf("ParseKey(%q) = %x, %v", s, got, err)
		}
	}
	for _, bad := range []string{"", "short", EncodeKey(k[:16])} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "master.key")
	k1, created, err := LoadOrCreateKeyFile(path)
	if err != nil || !created {
		t.Fatalf("first call: created=%v err=%v", created, err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %04o, want 0600", fi.Mode().Perm())
	}
	k2, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created || !bytes.Equal(k1, k2) {
		t.Fatalf("second call: created=%v err=%v same=%v", created, err, bytes.Equal(k1, k2))
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadKeyFile(path); err == nil {
		t.Error("a world-readable key file was accepted")
	}
}

// BenchmarkHashSecret is what authenticating a client costs beyond the
// lookup: the token endpoint hashes the presented secret once and compares
// it with every stored hash in constant time.
func BenchmarkHashSecret(b *testing.B) {
	v := newVault(b)
	b.ReportAllocs()
	for b.Loop() {
		v.HashSecret("client", "b")
	}
}

func TestLoadOrCreateKeyFileRace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	const n = 8
	keys := make(chan []byte, n)
	for range n {
		go func() {
			k, _, err := LoadOrCreateKeyFile(path)
			if err != nil {
				t.Error(err)
			}
			keys <- k
		}()
	}
	first := <-keys
	for range n - 1 {
		if k := <-keys; !bytes.Equal(k, first) {
			t.Fatal("racing creators ended with different keys")
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// TestSeveralKeys: the first key seals and hashes; every key opens, and a
// value opens under exactly the key that sealed it.
func TestSeveralKeys(t *testing.T) {
	oldKey, newKey := NewKey(), NewKey()
	old, err := New(oldKey)
	if err != nil {
		t.Fatal(err)
	}
	both, err := New(newKey, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	onlyNew, err := New(newKey)
	if err != nil {
		t.Fatal(err)
	}
	if both.Keys() != 2 || old.Keys() != 1 {
		t.Errorf("Keys() = %d, %d, want 2, 1", both.Keys(), old.Keys())
	}

	sealedOld := old.Seal([]byte("s"), []byte("c1"))
	if pt, err := both.Open(sealedOld, []byte("c1")); err != nil || string(pt) != "s" {
		t.Errorf("a vault with both keys opens the old key's value: %q, %v", pt, err)
	}
	if _, err := onlyNew.Open(sealedOld, []byte("c1")); !errors.Is(err, ErrWrongKey) {
		t.Errorf("the new key alone opens the old key's value: err = %v", err)
	}
	sealedNew := both.Seal([]byte("s"), []byte("c1"))
	if _, err := onlyNew.Open(sealedNew, []byte("c1")); err != nil {
		t.Errorf("a vault with both keys does not seal under the first: %v", err)
	}
	if _, err := old.Open(sealedNew, []byte("c1")); !errors.Is(err, ErrWrongKey) {
		t.Errorf("the old key opens the new key's value: err = %v", err)
	}

	if !bytes.Equal(both.HashSecret("c1", "s"), onlyNew.HashSecret("c1", "s")) {
		t.Error("HashSecret is not the first key's")
	}
	var arr [MaxKeys][]byte
	hashes := both.AppendSecretHashes(arr[:0], "c1", "s")
	if len(hashes) != 2 || !bytes.Equal(hashes[0], onlyNew.HashSecret("c1", "s")) || !bytes.Equal(hashes[1], old.HashSecret("c1", "s")) {
		t.Errorf("AppendSecretHashes = %x, want the new key's hash then the old key's", hashes)
	}
	if got := old.AppendSecretHashes(arr[:0], "c1", "s"); len(got) != 1 || !bytes.Equal(got[0], old.HashSecret("c1", "s")) {
		t.Errorf("AppendSecretHashes of one key = %x", got)
	}
}

func TestNewRefuses(t *testing.T) {
	k := NewKey()
	for name, keys := range map[string][][]byte{
		"a short key":           {k[:16]},
		"a short other key":     {k, NewKey()[:31]},
		"the same key twice":    {k, bytes.Clone(k)},
		"more than MaxKeys":     {NewKey(), NewKey(), NewKey(), NewKey(), NewKey()},
		"a short key among two": {nil, k},
	} {
		if _, err := New(keys[0], keys[1:]...); err == nil {
			t.Errorf("New with %s: no error", name)
		}
	}
}

// rotationVaults returns the vaults of a rotation from an old key to a
// new one: the old key's, both keys' (the new one first) and the new key's.
func rotationVaults(t *testing.T) (old, both, onlyNew *Vault) {
	t.Helper()
	oldKey, newKey := NewKey(), NewKey()
	var err error
	if old, err = New(oldKey); err == nil {
		if both, err = New(newKey, oldKey); err == nil {
			onlyNew, err = New(newKey)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return old, both, onlyNew
}

// TestReseal moves values from the old key to the new one, leaves values
// already under the new key alone, and refuses what no key opens.
func TestReseal(t *testing.T) {
	old, both, onlyNew := rotationVaults(t)

	sealed := old.Seal([]byte("private key"), []byte("pool/kid"))
	out, changed, err := both.Reseal(sealed, []byte("pool/kid"))
	if err != nil || !changed {
		t.Fatalf("Reseal of the old key's value: changed=%v err=%v", changed, err)
	}
	if pt, err := onlyNew.Open(out, []byte("pool/kid")); err != nil || string(pt) != "private key" {
		t.Errorf("resealed value under the new key: %q, %v", pt, err)
	}
	again, changed, err := both.Reseal(out, []byte("pool/kid"))
	if err != nil || changed || !bytes.Equal(again, out) {
		t.Errorf("Reseal of a value already under the new key: changed=%v err=%v", changed, err)
	}
	if _, _, err := both.Reseal(newVault(t).Seal([]byte("x"), nil), nil); !errors.Is(err, ErrWrongKey) {
		t.Errorf("Reseal under a third key: err = %v, want ErrWrongKey", err)
	}
	if _, _, err := both.Reseal(sealed, []byte("other/kid")); !errors.Is(err, ErrWrongKey) {
		t.Errorf("Reseal with another aad: err = %v, want ErrWrongKey", err)
	}
}

// TestResealSecret re-hashes a client secret from its sealed copy, so the
// secret a client holds keeps working under the new key alone.
func TestResealSecret(t *testing.T) {
	old, both, onlyNew := rotationVaults(t)

	hash, sealed := old.ProtectSecret("c1", "the secret")
	h2, s2, changed, err := both.ResealSecret("c1", hash, sealed)
	if err != nil || !changed {
		t.Fatalf("ResealSecret: changed=%v err=%v", changed, err)
	}
	if !bytes.Equal(h2, onlyNew.HashSecret("c1", "the secret")) {
		t.Error("the new hash is not the new key's hash of the secret")
	}
	if pt, err := onlyNew.Open(s2, []byte("c1")); err != nil || string(pt) != "the secret" {
		t.Errorf("the new sealed copy: %q, %v", pt, err)
	}
	if _, _, changed, err := both.ResealSecret("c1", h2, s2); err != nil || changed {
		t.Errorf("ResealSecret again: changed=%v err=%v, want unchanged", changed, err)
	}
	// A sealed copy under the new key beside an old hash: the hash moves.
	h3, s3, changed, err := both.ResealSecret("c1", hash, s2)
	if err != nil || !changed || !bytes.Equal(h3, h2) || !bytes.Equal(s3, s2) {
		t.Errorf("ResealSecret of an old hash beside a new sealed copy: changed=%v err=%v", changed, err)
	}
	if _, _, _, err := both.ResealSecret("c2", hash, sealed); !errors.Is(err, ErrWrongKey) {
		t.Errorf("ResealSecret of another client's row: err = %v, want ErrWrongKey", err)
	}
}

func TestCheck(t *testing.T) {
	old, both, onlyNew := rotationVaults(t)

	check := old.NewCheck()
	if current, err := old.VerifyCheck(check); err != nil || !current {
		t.Errorf("VerifyCheck by its own key: current=%v err=%v", current, err)
	}
	if current, err := both.VerifyCheck(check); err != nil || current {
		t.Errorf("VerifyCheck by a vault whose second key made it: current=%v err=%v", current, err)
	}
	if _, err := onlyNew.VerifyCheck(check); !errors.Is(err, ErrWrongKey) {
		t.Errorf("VerifyCheck by another key: err = %v, want ErrWrongKey", err)
	}
	// A value sealed under the key for another purpose is no check value.
	if _, err := old.VerifyCheck(old.Seal([]byte("x"), checkAAD)); !errors.Is(err, ErrWrongKey) {
		t.Errorf("VerifyCheck of another plaintext: err = %v", err)
	}
	for _, bad := range [][]byte{nil, {1}, check[:len(check)-1]} {
		if _, err := old.VerifyCheck(bad); !errors.Is(err, ErrWrongKey) {
			t.Errorf("VerifyCheck(%x): err = %v", bad, err)
		}
	}
}

// TestTodaysFormat: values sealed and hashed by earlier versions (version
// byte 1, nonce, AES-GCM under the HKDF "tollgate seal v1" key; HMAC-SHA256
// under "tollgate secret hash v1"), recorded here, still open and match.
func TestTodaysFormat(t *testing.T) {
	v, err := New(bytes.Repeat([]byte{7}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := hex.DecodeString("01fb058b2b9cb119e9ee670dd25d67db29ea9e79e7ab0a1d11080d48f6ae7bacfbd1b0bb1a")
	if pt, err := v.Open(sealed, []byte("aad")); err != nil || string(pt) != "old data" {
		t.Errorf("Open of a value an earlier version sealed: %q, %v", pt, err)
	}
	hash, _ := hex.DecodeString("46b09e961996dcde4b6dcc54b16b8aabbf1f40ec2daccf489279860c25a04303")
	if got := v.HashSecret("c1", "the secret"); !bytes.Equal(got, hash) {
		t.Errorf("HashSecret = %x, want the hash an earlier version stored, %x", got, hash)
	}
}
