package vault

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
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
