// Package tollgate holds Tollgate's domain: user pools, resource servers and
// their scopes, app clients and their secrets, domains, signing keys and
// revoked tokens, the Store interface every backend implements, and the error
// kinds shared by all packages. Rules that are pure data live here too, so
// that every writer and config's checks use the same statement: Cognito's
// quotas (MaxClientsPerPool, …), token validity bounds (CheckValidity), the
// domain prefix rule, how a client secret is protected (NewProtectedSecret).
// The write operations themselves, with the rules that need the store, are
// internal/domain's.
//
// It imports only the standard library. Adapters (the store, the token
// endpoint, the config loader, the CLI) live under internal/ and depend on
// this package, never the other way round.
package tollgate
