package vault

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

const apiKeyValue = "0123456789abcdefghijABCDEFGHIJ0123456789"

// TestHashAPIKey: an API key's hash is an HMAC-SHA256 of its value alone,
// the same each time, different for another value, and never a client
// secret's hash of the same text, whatever the client id.
func TestHashAPIKey(t *testing.T) {
	v := newVault(t)
	h := v.HashAPIKey(apiKeyValue)
	if len(h) != 32 || !bytes.Equal(v.HashAPIKey(apiKeyValue), h) {
		t.Fatal("an API key's value hashed twice differs, or is not an HMAC-SHA256")
	}
	if bytes.Equal(v.HashAPIKey(apiKeyValue+"x"), h) {
		t.Error("two values have the same hash")
	}
	if bytes.Equal(newVault(t).HashAPIKey(apiKeyValue), h) {
		t.Error("two master keys hash a value alike")
	}
	// A client id never holds a control character, and the label starts
	// with one: no client id, and no split of the hashed message at its
	// NUL, makes a client secret's hash an API key's.
	if strings.IndexFunc(apiKeyLabel, func(r rune) bool { return r < 0x20 }) != 0 {
		t.Fatalf("the API key label %q does not start with a control character", apiKeyLabel)
	}
	for _, clientID := range []string{"", "api key", apiKeyLabel[1:], "1example23456789012345678a"} {
		for _, secret := range []string{apiKeyValue, apiKeyLabel + "\x00" + apiKeyValue, "\x00" + apiKeyValue} {
			if bytes.Equal(v.HashSecret(clientID, secret), h) {
				t.Errorf("HashSecret(%q, %q) is the API key's hash", clientID, secret)
			}
		}
	}
}

// TestAppendAPIKeyHashes: the hashes a presented value is looked up by are
// each key's, in the order New was given them, appended to dst.
func TestAppendAPIKeyHashes(t *testing.T) {
	old, both, onlyNew := rotationVaults(t)
	var arr [MaxKeys][]byte
	dst := append(arr[:0], []byte("already there"))
	got := both.AppendAPIKeyHashes(dst, apiKeyValue)
	want := [][]byte{[]byte("already there"), onlyNew.HashAPIKey(apiKeyValue), old.HashAPIKey(apiKeyValue)}
	if len(got) != len(want) {
		t.Fatalf("AppendAPIKeyHashes returned %d hashes, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("hash %d = %x, want %x", i, got[i], want[i])
		}
	}
	if !bytes.Equal(both.HashAPIKey(apiKeyValue), onlyNew.HashAPIKey(apiKeyValue)) {
		t.Error("HashAPIKey is not the sealing (first) key's")
	}
}

// TestProtectAPIKey: what is stored of a value is its hash and the value
// sealed to the key's id, which opens under that id only.
func TestProtectAPIKey(t *testing.T) {
	v := newVault(t)
	hash, sealed := v.ProtectAPIKey("abcde12345", apiKeyValue)
	if !bytes.Equal(hash, v.HashAPIKey(apiKeyValue)) {
		t.Error("ProtectAPIKey's hash is not HashAPIKey's")
	}
	if bytes.Contains(sealed, []byte(apiKeyValue)) {
		t.Fatal("the sealed value holds the value in clear")
	}
	if pt, err := v.Open(sealed, []byte("abcde12345")); err != nil || string(pt) != apiKeyValue {
		t.Errorf("Open of the sealed value: %q, %v", pt, err)
	}
	if _, err := v.Open(sealed, []byte("abcde12346")); !errors.Is(err, ErrWrongKey) {
		t.Errorf("Open bound to another key id: err = %v, want ErrWrongKey", err)
	}
	_, again := v.ProtectAPIKey("abcde12345", apiKeyValue)
	if bytes.Equal(again, sealed) {
		t.Error("two seals of one value are alike: the nonce is not fresh")
	}
}

// TestResealAPIKey moves an API key's hash and sealed value from the old
// master key to the new one, so the value its holder sends keeps working
// under the new key alone; it refuses a row of another key and a value no
// key opens.
func TestResealAPIKey(t *testing.T) {
	old, both, onlyNew := rotationVaults(t)
	hash, sealed := old.ProtectAPIKey("abcde12345", apiKeyValue)
	h2, s2, changed, err := both.ResealAPIKey("abcde12345", hash, sealed)
	if err != nil || !changed {
		t.Fatalf("ResealAPIKey: changed=%v err=%v", changed, err)
	}
	if !bytes.Equal(h2, onlyNew.HashAPIKey(apiKeyValue)) {
		t.Error("the new hash is not the new key's hash of the value")
	}
	if pt, err := onlyNew.Open(s2, []byte("abcde12345")); err != nil || string(pt) != apiKeyValue {
		t.Errorf("the new sealed value: %q, %v", pt, err)
	}
	if _, _, changed, err := both.ResealAPIKey("abcde12345", h2, s2); err != nil || changed {
		t.Errorf("ResealAPIKey again: changed=%v err=%v, want unchanged", changed, err)
	}
	if _, _, _, err := both.ResealAPIKey("abcde12346", hash, sealed); !errors.Is(err, ErrWrongKey) {
		t.Errorf("ResealAPIKey of another key's row: err = %v, want ErrWrongKey", err)
	}
	_, third := newVault(t).ProtectAPIKey("abcde12345", apiKeyValue)
	if _, _, _, err := both.ResealAPIKey("abcde12345", hash, third); !errors.Is(err, ErrWrongKey) {
		t.Errorf("ResealAPIKey of a value sealed under a third key: err = %v, want ErrWrongKey", err)
	}
	// A value sealed as a client secret is no API key's: its hash differs.
	secretHash, _ := old.ProtectSecret("abcde12345", apiKeyValue)
	if bytes.Equal(secretHash, hash) {
		t.Error("a client secret's hash of the value is the API key's")
	}
}

func BenchmarkHashAPIKey(b *testing.B) {
	v := newVault(b)
	for b.Loop() {
		v.HashAPIKey(apiKeyValue)
	}
}
