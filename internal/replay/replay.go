package replay

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"time"
)

// Cache records one-time identifiers.
type Cache interface {
	// Use records key until exp and reports whether it was new: false means
	// it was recorded before and has not expired, a replay. An error means
	// the cache could not tell; the caller refuses the request (a replay
	// cache that fails open would accept replays).
	Use(ctx context.Context, key string, exp time.Time) (fresh bool, err error)
}

// Errors a Cache returns besides its store's.
var (
	// ErrFull is Local's answer when it holds its maximum of unexpired
	// entries.
	ErrFull = errors.New("replay: cache full of unexpired entries")
	// ErrExpired is the answer to an exp that is not after now: the caller
	// should have refused the identifier as expired before asking.
	ErrExpired = errors.New("replay: expiry already passed")
)

// digest is the fixed-size form of a key.
func digest(key string) [sha256.Size]byte { return sha256.Sum256([]byte(key)) }

// HashKey is the form in which a key is stored: base64url (no padding) of
// its SHA-256.
func HashKey(key string) string {
	d := digest(key)
	return base64.RawURLEncoding.EncodeToString(d[:])
}
