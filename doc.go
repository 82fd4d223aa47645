// Package tollgate holds Tollgate's domain: user pools, resource servers and
// their scopes, app clients and their secrets, domains, signing keys and
// revoked tokens, the Store interface every backend implements, and the error
// kinds shared by all packages.
//
// It imports only the standard library. Adapters (the store, the token
// endpoint, the config loader, the CLI) live under internal/ and depend on
// this package, never the other way round.
package tollgate
