// Package domain owns every write to Tollgate's domain: user pools,
// resource servers and their scopes, app clients and their secrets,
// domains, access keys, API keys (apikeys.go), signing-key rotation, and the reconciliation of the store with a config file or a
// CloudFormation stack. It works over a tollgate.Store and the vault, with
// an injected clock, and states each business rule once (scope existence,
// Cognito's quotas, validity bounds, name uniqueness, secret generation and
// protection, the read-only rule for objects a config or a stack declares,
// access-key minting, a pool's pre token generation trigger: CheckTrigger),
// for every writer: the CLI and the Cognito
// management API are translators that parse their input into a spec, call
// a Service and map its errors to their wire.
//
// Errors are *tollgate.Error values whose message suits the CLI; the ones
// a wire must word otherwise carry a cause that says which rule refused
// (ReadOnlyError, NameTakenError, UnknownScopeError, FlowError, or one of
// the Err… values; tollgate.ErrLimitExceeded for a quota), for errors.As
// and errors.Is.
//
// Quotas that must hold under concurrency (clients per pool, resource
// servers per pool, secrets per client) are enforced by the store in the
// transaction that writes; the Service checks them first only to answer
// early.
//
// Every write, done or refused, is an event of internal/audit, with the
// actor the context carries.
//
// It imports the root, internal/vault, internal/config (whose Apply it
// runs), internal/signer (key rotation) and internal/audit; never an
// adapter (cli, cognitoapi, server, template).
package domain
