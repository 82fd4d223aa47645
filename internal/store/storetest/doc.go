// Package storetest is the conformance suite every tollgate.Store passes
// (RunTests, RunConcurrencyTests), and the helpers tests across the
// repository use to get a database: SQLiteDSN for a file in a temporary
// directory, PostgresDSN for a schema of its own in the test PostgreSQL
// database; FillPool brings a pool near its client quota, for the quota
// tests of every writer.
//
// The suite states the contract of tollgate.Store where store.go leaves it
// open: times come back in UTC and equal (time.Time.Equal) to what was
// written at microsecond precision; list fields and List results are empty,
// non-nil slices when empty; List methods return nothing (not an error) for
// a pool that does not exist; list orders are by name (pools, clients),
// identifier (resource servers), domain (domains), oldest first (secrets,
// signing keys), id (API keys, their PlanIDs, usage plans), key then day
// (usage); a write that fails or changes nothing (revoking a revoked
// token, deleting no expired revocation, UpdateSigningKeys with nil) does
// not change the generation, and reads never do, nor does AddUsage; Cognito's quotas
// (tollgate.MaxClientsPerPool, MaxResourceServersPerPool, MaxClientSecrets)
// are refused with KindConflict caused by tollgate.ErrLimitExceeded, and
// hold when writers on two handles race for the last place; usage added
// by writers racing on two handles sums exactly. An API key or usage
// plan's owner is honoured as a client's.
//
// storetest imports the root package and the PostgreSQL driver, never a
// store implementation, so that any store's tests can import it.
package storetest
