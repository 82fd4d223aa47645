package gateway

import (
	"unsafe"

	"github.com/tollgate/tollgate/internal/bearer"
)

// The verification cache's byte bound counts what an entry keeps alive on
// the heap, estimated from the sizes of the allocations holding it: its
// slot in the shard's map, the verified struct, the claims and the strings
// and payload bytes they hold (entrySize), and once computed the claim
// strings, scopes and claims header (derivedSize). TestCacheSizeEstimate
// holds the estimate to what runtime.MemStats measures for tokens as
// Tollgate issues them.

// mapSlotBytes is what an entry takes in the shard's map: its key and
// value, the slot's control byte, and its share of the free slots a Go map
// keeps (a table grows at 7/8 full and doubles, so it is between 7/16 and
// 7/8 full: 2/3 on average).
const mapSlotBytes = (int64(unsafe.Sizeof(cacheKey{})+unsafe.Sizeof(cacheEntry{})) + 1) * 3 / 2

// claimsBytes is the struct bearer.Verify decodes the claims into: Claims
// with the nbf pointer beside it.
const claimsBytes = int64(unsafe.Sizeof(bearer.Claims{})) + 8

// entrySize estimates what an entry for claims holds before its
// derivations are computed.
func entrySize(c *bearer.Claims) int64 {
	return mapSlotBytes + allocBytes(int(unsafe.Sizeof(verified{}))) + allocBytes(int(claimsBytes)) +
		allocBytes(len(c.Sub)) + allocBytes(len(c.TokenUse)) + allocBytes(len(c.Scope)) + allocBytes(len(c.Iss)) +
		allocBytes(len(c.JTI)) + allocBytes(len(c.ClientID)) + allocBytes(cap(c.Raw)) + allocBytes(clientKeyLen(c))
}

// derivedSize estimates what v's derivations hold: the claim strings map
// with its keys and values (decoded anew from the payload: they share
// nothing with the claims), the scopes slice (whose elements are cut from
// the scope claim), the space-separated list when it was joined, and the
// claims header.
func derivedSize(v *verified) int64 {
	n := mapBytes(len(v.strings), int(2*unsafe.Sizeof("")))
	for k, s := range v.strings {
		n += allocBytes(len(k)) + allocBytes(len(s))
	}
	n += allocBytes(cap(v.scopes) * int(unsafe.Sizeof("")))
	if len(v.scopes) > 1 {
		n += allocBytes(len(v.scopeList))
	}
	return n + allocBytes(len(v.header))
}

// mapBytes estimates a Go map of n entries of slot bytes each: up to 8
// entries, one group of 8 slots and their control word; beyond, a table of
// groups whose slot count is a power of two at most 7/8 full, a directory
// and a table header.
func mapBytes(n, slot int) int64 {
	const header = 48
	if n == 0 {
		return header
	}
	if n <= 8 {
		return header + allocBytes(8+8*slot)
	}
	slots := 16
	for slots*7/8 < n {
		slots *= 2
	}
	return header + 8 + 48 + allocBytes(slots/8*(8+8*slot))
}

// allocBytes is what an allocation of n bytes takes from the heap: the Go
// allocator's size classes, spaced 8 or 16 bytes apart for small objects
// and about an eighth of the size beyond.
func allocBytes(n int) int64 {
	if n <= 0 {
		return 0
	}
	if n <= 16 {
		return int64((n + 7) &^ 7)
	}
	g := 16
	for g*16 < n {
		g *= 2
	}
	return int64((n + g - 1) / g * g)
}
