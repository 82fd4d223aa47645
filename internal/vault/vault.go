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
	"hash"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
)

// KeySize is the master key's length in bytes.
const KeySize = 32

// sealVersion prefixes every sealed value so the format can change later.
const sealVersion = 1

// ErrWrongKey is returned by Open when the sealed value was not sealed under
// any of this vault's master keys (or was tampered with).
var ErrWrongKey = errors.New("vault: cannot open sealed data: wrong master key or corrupted data")

// MaxKeys is the most master keys a vault holds: the one it seals under and
// the others it still opens with while a rotation moves data between them.
const MaxKeys = 4

// Vault seals, opens and hashes under keys derived from its master keys. One
// key, the sealing key (the first given, until SealUnder or SealWith names
// another), seals and hashes everything new; every key opens and verifies,
// so that nodes keep serving while a rotation re-seals the store from one
// key to another. It is safe for concurrent use.
//
// Sealed values and hashes do not name the key they were made with: a value
// is tried under each key in turn, in the order New was given them. AES-GCM
// authenticates what it opens, so a value opens under exactly the key that
// sealed it, and a vault with one key costs what it always did. This keeps
// the format every earlier version wrote.
type Vault struct {
	keys []derived
	// seal is the index of the sealing key. A node's vault follows the
	// key the store's check value names (SealUnder), so that a node given
	// a rotation's next key keeps sealing under the store's key, which
	// every other node can open, until the rotation switches the store.
	seal atomic.Int32
}

// sealing returns the sealing key.
func (v *Vault) sealing() *derived { return &v.keys[v.seal.Load()] }

// SealWith makes the i-th key given to New the sealing key.
func (v *Vault) SealWith(i int) error {
	if i < 0 || i >= len(v.keys) {
		return fmt.Errorf("vault: no key %d", i)
	}
	v.seal.Store(int32(i)) //nolint:gosec // G115: i < MaxKeys
	return nil
}

// KeyOf returns the index of the key that sealed a value; ErrWrongKey when
// none opens it.
func (v *Vault) KeyOf(sealed, aad []byte) (int, error) {
	pt, key, err := v.open(sealed, aad)
	clear(pt)
	return key, err
}

// SealUnder makes the key that sealed the store's check value (NewCheck)
// the sealing key, and reports whether it changed; ErrWrongKey when no key
// of the vault is the store's.
func (v *Vault) SealUnder(check []byte) (changed bool, err error) {
	key, err := v.checkKey(check)
	if err != nil {
		return false, err
	}
	return int32(key) != v.seal.Swap(int32(key)), nil //nolint:gosec // G115: key < MaxKeys
}

// derived is what a vault keeps of one master key.
type derived struct {
	aead    cipher.AEAD
	hashKey []byte
	macs    *sync.Pool // of *macState keyed with hashKey
}

// macState is an HMAC-SHA256 keyed with a derived hashKey and a buffer for
// its message, reused through derived.macs: keying an HMAC (hmac.New) costs
// more than hashing a short secret with it, on every token request and
// every request that presents an API key.
type macState struct {
	mac hash.Hash
	buf []byte
}

// maxPooledMessage is the largest message buffer a macState keeps: a
// hostile client may send a huge secret, and the pool should not hold on
// to it.
const maxPooledMessage = 512

func newMACPool(hashKey []byte) *sync.Pool {
	return &sync.Pool{New: func() any {
		m := hmac.New(sha256.New, hashKey)
		// The first Reset saves the keyed state, and every later one
		// restores it whole: the message's last partial block, which a
		// bare SHA-256 reset leaves in its buffer, is overwritten, so no
		// secret stays in pooled memory.
		m.Reset()
		return &macState{mac: m, buf: make([]byte, 0, 128)}
	}}
}

// New returns a vault for KeySize-byte master keys: key seals and hashes,
// and others (at most MaxKeys-1, each different from the rest) only open
// and verify.
func New(key []byte, others ...[]byte) (*Vault, error) {
	if 1+len(others) > MaxKeys {
		return nil, fmt.Errorf("vault: at most %d master keys, got %d", MaxKeys, 1+len(others))
	}
	all := append([][]byte{key}, others...)
	v := &Vault{keys: make([]derived, 0, len(all))}
	for i, k := range all {
		if len(k) != KeySize {
			return nil, fmt.Errorf("vault: master key must be %d bytes, got %d", KeySize, len(k))
		}
		for _, prev := range all[:i] {
			if hmac.Equal(prev, k) {
				return nil, errors.New("vault: the same master key is given twice")
			}
		}
		d, err := derive(k)
		if err != nil {
			return nil, err
		}
		v.keys = append(v.keys, d)
	}
	return v, nil
}

func derive(masterKey []byte) (derived, error) {
	sealKey, err := hkdf.Key(sha256.New, masterKey, nil, "tollgate seal v1", 32)
	if err != nil {
		return derived{}, err
	}
	hashKey, err := hkdf.Key(sha256.New, masterKey, nil, "tollgate secret hash v1", 32)
	if err != nil {
		return derived{}, err
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return derived{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return derived{}, err
	}
	return derived{aead: aead, hashKey: hashKey, macs: newMACPool(hashKey)}, nil
}

// Keys returns how many master keys the vault holds.
func (v *Vault) Keys() int { return len(v.keys) }

// Seal encrypts plaintext under the vault's sealing key. aad binds the result
// to its context (for example a client id), so a sealed value copied to
// another row does not open.
func (v *Vault) Seal(plaintext, aad []byte) []byte { return v.sealing().seal(plaintext, aad) }

// seal seals under d.
func (d *derived) seal(plaintext, aad []byte) []byte {
	aead := d.aead
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		panic("vault: crypto/rand failed: " + err.Error())
	}
	// The nonce is out[1:], fresh from crypto/rand just above.
	return aead.Seal(out, out[1:], plaintext, aad) //nolint:gosec // G407 misreads the nonce as fixed
}

// Open decrypts what Seal returned for the same aad, under whichever of the
// vault's keys sealed it.
func (v *Vault) Open(sealed, aad []byte) ([]byte, error) {
	pt, _, err := v.open(sealed, aad)
	return pt, err
}

// open is Open that also tells which key opened the value.
func (v *Vault) open(sealed, aad []byte) (pt []byte, key int, err error) {
	for i := range v.keys {
		if pt, ok := v.keys[i].open(sealed, aad); ok {
			return pt, i, nil
		}
	}
	return nil, 0, ErrWrongKey
}

func (d *derived) open(sealed, aad []byte) ([]byte, bool) {
	n := d.aead.NonceSize()
	if len(sealed) < 1+n+d.aead.Overhead() || sealed[0] != sealVersion {
		return nil, false
	}
	pt, err := d.aead.Open(nil, sealed[1:1+n], sealed[1+n:], aad)
	return pt, err == nil
}

// HashSecret returns the keyed hash of a client's secret under the vault's
// sealing key: the hash that is stored. The client id is part of the hashed
// message, so two clients with the same (custom) secret have different
// hashes and a copy of the database does not show reuse.
func (v *Vault) HashSecret(clientID, secret string) []byte {
	return v.sealing().hashSecret(clientID, secret)
}

// AppendSecretHashes appends to dst the keyed hash of a client's secret
// under each of the vault's keys, in the order New was given them, and returns the
// extended slice: the hashes a presented secret is compared with the stored
// ones under, of which a stored hash matches at most one. Given an array of
// MaxKeys on the caller's stack it allocates only the hashes.
func (v *Vault) AppendSecretHashes(dst [][]byte, clientID, secret string) [][]byte {
	for i := range v.keys {
		dst = append(dst, v.keys[i].hashSecret(clientID, secret))
	}
	return dst
}

func (d *derived) hashSecret(clientID, secret string) []byte {
	s := d.macs.Get().(*macState)
	// Client ids never hold NUL: the split is unambiguous.
	msg := append(append(append(s.buf[:0], clientID...), 0), secret...)
	s.mac.Write(msg)
	sum := s.mac.Sum(make([]byte, 0, sha256.Size))
	s.mac.Reset()
	clear(msg)
	if cap(msg) <= maxPooledMessage {
		s.buf = msg[:0]
	}
	d.macs.Put(s)
	return sum
}

// ProtectSecret returns what is stored of a client's secret: its keyed hash,
// to authenticate the client, and the secret sealed (bound to the client
// id), so that an administrator may reveal it with Open(sealed, clientID).
func (v *Vault) ProtectSecret(clientID, secret string) (hash, sealed []byte) {
	d := v.sealing() // one key for both, whatever a concurrent switch does
	return d.hashSecret(clientID, secret), d.seal([]byte(secret), []byte(clientID))
}

// Reseal returns a sealed value under the vault's sealing key: the value
// itself, with changed false, when that key sealed it; else the plaintext
// opened with another key and sealed again. ErrWrongKey when no key opens it.
func (v *Vault) Reseal(sealed, aad []byte) (out []byte, changed bool, err error) {
	pt, key, err := v.open(sealed, aad)
	if err != nil {
		return nil, false, err
	}
	defer clear(pt)
	if key == int(v.seal.Load()) {
		return sealed, false, nil
	}
	return v.Seal(pt, aad), true, nil
}

// ResealSecret returns what ProtectSecret stores for a client secret of
// which hash and sealed are stored, under the vault's sealing key. The sealed
// copy gives the plaintext to hash again. changed is false when both are
// already the sealing key's.
func (v *Vault) ResealSecret(clientID string, hash, sealed []byte) (newHash, newSealed []byte, changed bool, err error) {
	return v.reseal(clientID, []byte(clientID), hash, sealed)
}

// reseal is ResealSecret for a value hashed with label and sealed bound to
// aad.
func (v *Vault) reseal(label string, aad, hash, sealed []byte) (newHash, newSealed []byte, changed bool, err error) {
	pt, key, err := v.open(sealed, aad)
	if err != nil {
		return nil, nil, false, err
	}
	defer clear(pt)
	i := int(v.seal.Load()) // one key for the hash and the seal
	d := &v.keys[i]
	h := d.hashSecret(label, string(pt))
	if key == i && hmac.Equal(h, hash) {
		return hash, sealed, false, nil
	}
	if key == i {
		return h, sealed, true, nil
	}
	return h, d.seal(pt, aad), true, nil
}

// apiKeyLabel takes a client id's place in the hash of an API key's value:
// no client id holds a control character, so an API key's hash is never a
// client secret's. It is the same for every key, since the gateway finds a
// key by the hash of the value presented, before it knows the key's id.
const apiKeyLabel = "\x01api key"

// HashAPIKey returns the keyed hash of an API key's value under the
// vault's sealing key: what the store keeps to find the key by its value.
func (v *Vault) HashAPIKey(value string) []byte { return v.sealing().hashSecret(apiKeyLabel, value) }

// AppendAPIKeyHashes appends to dst the keyed hash of an API key's value
// under each of the vault's keys, as AppendSecretHashes does: the hashes a
// presented value is looked up by.
func (v *Vault) AppendAPIKeyHashes(dst [][]byte, value string) [][]byte {
	return v.AppendSecretHashes(dst, apiKeyLabel, value)
}

// ProtectAPIKey returns what is stored of an API key's value: its keyed
// hash, and the value sealed (bound to the key's id) so that a master key
// rotation can hash it again (ResealAPIKey). The value is never revealed.
func (v *Vault) ProtectAPIKey(keyID, value string) (hash, sealed []byte) {
	d := v.sealing()
	return d.hashSecret(apiKeyLabel, value), d.seal([]byte(value), []byte(keyID))
}

// ResealAPIKey is ResealSecret for an API key's value.
func (v *Vault) ResealAPIKey(keyID string, hash, sealed []byte) (newHash, newSealed []byte, changed bool, err error) {
	return v.reseal(apiKeyLabel, []byte(keyID), hash, sealed)
}

// checkAAD binds the check value to its purpose.
var checkAAD = []byte("tollgate master key check")

// NewCheck returns a check value: a value sealed under the vault's first
// key that a store keeps, so that a process given another key can tell at
// start, before it serves anything.
func (v *Vault) NewCheck() []byte { return v.Seal(checkAAD, checkAAD) }

// VerifyCheck returns nil when one of the vault's keys opens the check
// value, else ErrWrongKey. current reports whether it is the sealing key's.
func (v *Vault) VerifyCheck(check []byte) (current bool, err error) {
	key, err := v.checkKey(check)
	if err != nil {
		return false, err
	}
	return key == int(v.seal.Load()), nil
}

// checkKey returns the index of the key that sealed a check value
// (NewCheck); ErrWrongKey when none did.
func (v *Vault) checkKey(check []byte) (int, error) {
	pt, key, err := v.open(check, checkAAD)
	if err != nil {
		return 0, err
	}
	if !hmac.Equal(pt, checkAAD) {
		return 0, ErrWrongKey
	}
	return key, nil
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
