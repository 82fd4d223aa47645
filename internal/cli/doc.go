// Package cli implements the tollgate command: serve, dev, validate,
// outputs, version, usage, and the administration commands (pools,
// resource-servers, clients, keys, master-key, access-keys, api-keys,
// token, console) that work on the same store a running server uses. serve and dev
// open the limiters the --redis flags name (limits.go): Redis shared by
// every node, or one limit.Local for this process. Output is a human table by
// default and JSON with --json; secrets are printed only where the user
// asked for them.
//
// The administration commands are translators: they parse their flags into
// the specs of internal/domain, call its Service (built per command over the
// store, the vault and the app's clock) and print what it returns, naming
// the flag to change where a refusal is about one. serve, dev and outputs
// apply a config or deploy a stack through the same Service (Apply,
// Deploy), which retries after a conflict with another node. No business
// rule is stated here.
//
// cli is one of the two wiring points (with internal/server): it may import
// any internal package.
package cli
