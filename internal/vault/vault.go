package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the master key's length in bytes.
const KeySize = 32

// sealVersion prefixes every sealed value so the format can change later.
const sealVersion = 1

// ErrWrongKey is returned by Open when the sealed value was not sealed under
// this vault's master key (or was tampered with).
var ErrWrongKey = errors.New("vault: cannot open sealed data: wrong master key or corrupted data")

// Vault seals, opens and hashes under keys derived from one master key. It is
// safe for concurrent use.
type Vault struct {
	aead    cipher.AEAD
	hashKey []byte
}

// New returns a vault for a KeySize-byte master key.
func New(masterKey []byte) (*Vault, error) {
	if len(masterKey) != KeySize {
		return nil, fmt.Errorf("vault: master key must be %d bytes, got %d", KeySize, len(masterKey))
	}
	sealKey, err := hkdf.Key(sha256.New, masterKey, nil, "tollgate seal v1", 32)
	if err != nil {
		return nil, err
	}
	hashKey, err := hkdf.Key(sha256.New, masterKey, nil, "tollgate secret hash v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Vault{aead: aead, hashKey: hashKey}, nil
}

// Seal encrypts plaintext. aad binds the result to its context (for example
// a client id), so a sealed value copied to another row does not open.
func (v *Vault) Seal(plaintext, aad []byte) []byte {
	out := make([]byte, 1+v.aead.NonceSize(), 1+v.aead.NonceSize()+len(plaintext)+v.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		panic("vault: crypto/rand failed: " + err.Error())
	}
	// The nonce is out[1:], fresh from crypto/rand just above.
	return v.aead.Seal(out, out[1:], plaintext, aad) //nolint:gosec // G407 misreads the nonce as fixed
}

// Open decrypts what Seal returned for the same aad.
func (v *Vault) Open(sealed, aad []byte) ([]byte, error) {
	n := v.aead.NonceSize()
	if len(sealed) < 1+n+v.aead.Overhead() || sealed[0] != sealVersion {
		return nil, ErrWrongKey
	}
	pt, err := v.aead.Open(nil, sealed[1:1+n], sealed[1+n:], aad)
	if err != nil {
		return nil, ErrWrongKey
	}
	return pt, nil
}

// HashSecret returns the keyed hash of a client's secret. The client id is
// part of the hashed message, so two clients with the same (custom) secret
// have different hashes and a copy of the database does not show reuse.
func (v *Vault) HashSecret(clientID, secret string) []byte {
	m := hmac.New(sha256.New, v.hashKey)
	m.Write([]byte(clientID))
	m.Write([]byte{0}) // client ids never hold NUL: the split is unambiguous
	m.Write([]byte(secret))
	return m.Sum(nil)
}

// ProtectSecret returns what is stored of a client's secret: its keyed hash,
// to authenticate the client, and the secret sealed (bound to the client
// id), so that an administrator may reveal it with Open(sealed, clientID).
func (v *Vault) ProtectSecret(clientID, secret string) (hash, sealed []byte) {
	return v.HashSecret(clientID, secret), v.Seal([]byte(secret), []byte(clientID))
}

// NewKey returns a fresh random master key.
func NewKey() []byte {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic("vault: crypto/rand failed: " + err.Error())
	}
	return k
}

// EncodeKey renders a master key as it is written to a key file or the
// TOLLGATE_MASTER_KEY variable: standard base64.
func EncodeKey(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

// ParseKey reads a master key written as base64 (standard or URL alphabet,
// padded or not) or hex. Surrounding white space is ignored.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == KeySize {
			return k, nil
		}
	}
	if k, err := hex.DecodeString(s); err == nil && len(k) == KeySize {
		return k, nil
	}
	return nil, fmt.Errorf("master key must be %d bytes written as base64 or hex", KeySize)
}

// ReadKeyFile reads a master key file. It refuses a file that others may
// read, since the key protects every secret in the store.
func ReadKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s: master key file must not be readable by group or others (mode %04o; run chmod 600 %s)", path, fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path) //nolint:gosec // G304: the operator's own key file, named by flag or config
	if err != nil {
		return nil, err
	}
	k, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// LoadOrCreateKeyFile reads the key file at path, or creates it (mode 0600,
// in a directory of mode 0700 if that must be created) with a fresh key.
// created reports whether a new key was written.
func LoadOrCreateKeyFile(path string) (key []byte, created bool, err error) {
	k, err := ReadKeyFile(path)
	if err == nil {
		return k, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, err
	}
	// Write the key to a temporary file, sync it, then link it into place:
	// the key file appears whole or not at all, even if two processes race
	// or this one dies half way.
	k = NewKey()
	f, err := os.CreateTemp(filepath.Dir(path), ".master.key-*")
	if err != nil {
		return nil, false, err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, false, err
	}
	if _, err := f.WriteString(EncodeKey(k) + "\n"); err != nil {
		f.Close()
		return nil, false, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, false, err
	}
	if err := f.Close(); err != nil {
		return nil, false, err
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, os.ErrExist) { // another process won the race
			k, err = ReadKeyFile(path)
			return k, false, err
		}
		return nil, false, err
	}
	return k, true, nil
}
