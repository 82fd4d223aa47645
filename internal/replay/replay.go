// Package replay remembers one-time identifiers until they expire: the jti
// of DPoP proofs (RFC 9449 §11.1) and of client assertions (RFC 7523 §3,
// item 7), so that each is accepted once. Local remembers them in this
// process; Redis in the Redis every node shares, so that a proof replayed
// to another node is refused too.
package replay

import (
	"context"
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
