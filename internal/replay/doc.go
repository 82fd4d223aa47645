// Package replay remembers one-time identifiers until they expire: the jti
// of DPoP proofs (RFC 9449 §11.1) and of client assertions (RFC 7523 §3,
// item 7), so that each is accepted once. Local remembers them in this
// process; Redis in the Redis every node shares, so that a proof replayed
// to another node is refused too.
//
// Keys are hashed (SHA-256, base64url) before they are stored, whatever
// their length or bytes: an entry costs the same memory for every key, and
// a Redis key is always the prefix plus 43 safe characters.
//
// A cache never forgets an identifier before its expiry to make room: a
// full Local refuses with ErrFull, and the caller refuses the request
// (forgetting would let that identifier be replayed).
//
// Every implementation passes the conformance suite in package replaytest.
// replay imports the standard library and go-redis only; it must not import
// the root package or other adapters.
package replay
