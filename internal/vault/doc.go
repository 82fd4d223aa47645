// Package vault protects data at rest under a master key: it seals (AES-256-GCM)
// signing keys, client secrets (so an administrator can reveal them) and
// access-key secrets, and it
// computes the keyed hash (HMAC-SHA256) that authenticates a client secret on
// every token request in constant time. An API key's value is kept the same
// way: a keyed hash, by which the gateway finds the key, and a sealed copy
// bound to the key's id, so that a rotation can hash it again; it is never
// revealed.
//
// Client secrets are random strings of more than 256 bits, so a fast keyed hash is the right
// tool: a slow password hash (bcrypt, PBKDF2) adds nothing against guessing a
// value that long and would cap the token endpoint at a few hundred requests per
// second. Keying the hash means a copy of the database alone cannot be used to
// test guesses offline.
//
// The master key comes from a file or the environment; it is never stored in
// the database and never logged. During a rotation a vault holds several
// keys: it opens data under any of them and seals under one, the key the
// store's check value names (SealUnder). Vault imports only the standard
// library.
package vault
