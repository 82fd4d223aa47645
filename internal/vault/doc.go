// Package vault protects data at rest under a master key: it seals (AES-256-GCM)
// signing keys and client secrets so an administrator can reveal them, and it
// computes the keyed hash (HMAC-SHA256) that authenticates a client secret on
// every token request in constant time.
//
// Client secrets are 256-bit random strings, so a fast keyed hash is the right
// tool: a slow password hash (bcrypt, PBKDF2) adds nothing against guessing a
// 256-bit value and would cap the token endpoint at a few hundred requests per
// second. Keying the hash means a copy of the database alone cannot be used to
// test guesses offline.
//
// The master key comes from a file or the environment; it is never stored in
// the database and never logged. Vault imports only the standard library.
package vault
