// Package cli implements the tollgate command: serve, dev, validate, and the
// administration commands (pools, clients, keys, token) that work on the
// same store a running server uses. Output is a human table by default and
// JSON with --json; secrets are printed only where the user asked for them.
//
// cli is one of the two wiring points (with internal/server): it may import
// any internal package.
package cli
