// Package sqlstore implements tollgate.Store on SQLite (the default, through
// the pure-Go modernc.org/sqlite driver) and on PostgreSQL (through pgx's
// database/sql driver), with one set of queries for both.
//
// It owns the schema and its migrations (embedded, per dialect, applied by
// goose when a store is opened) and the mapping of driver errors to the
// domain's error kinds. The dialect differences are few and kept in
// sqlite.go and postgres.go: how to open and configure the database, how a
// time is written, how constraint violations are recognised, how the
// signing-key lock is taken, and how writes are told to listeners
// (PostgreSQL: pg_notify at commit and a LISTEN connection; SQLite: this
// handle's own commits). Queries use $1-style placeholders and
// ON CONFLICT upserts, which both databases accept.
//
// # Sharing a database
//
// Several processes may use one database at once: servers sharing a
// PostgreSQL database, or a server and the CLI sharing a SQLite file. Every
// write transaction of the domain (all but the change log's own trimming)
// first increments the one-row generation counter, which
// serialises writers (PostgreSQL row lock; SQLite's single writer) and lets
// readers tell cheaply that something changed. Quotas that must hold
// whichever writer (clients per pool, resource servers per pool, secrets per
// client) are counted in the same transaction as the write, after that
// increment, so that no two writers both see room for one more; so is a
// pool's prefix domain (CreateDomain). A write by hand carries the owner
// its writer read in its WHERE clause (config_key = COALESCE($n,
// config_key), NULL for AnyOwner), and when it matches no row, the same
// transaction tells a missing row from one with another owner. On SQLite each Store has one
// writer connection whose transactions begin IMMEDIATE, so that a
// transaction takes the file's write lock before it reads and waits (up to
// the busy timeout) for other processes instead of failing, and a pool of
// read-only connections; the file is in WAL mode so reads never wait for
// writes.
//
// # The change feed
//
// Each write also records, in its transaction and under the generation it
// moved the counter to, what it changed (the changes table: kind, id, pool
// id; changes.go), and on PostgreSQL NOTIFYs the tollgate_changes channel,
// delivered at commit. Changes reads the feed since a generation; a
// generation with no recorded change, or one below the trim floor, makes it
// answer TooOld. ListenChanges tells a caller of this handle's commits at
// once and, on PostgreSQL, of every process's through a LISTEN connection
// of its own.
//
// # API keys, usage plans and usage
//
// An API key's value is kept as its keyed hash (unique: the gateway finds
// a key by the hash of the value presented) and sealed, bound to the key
// id, never in clear; Reseal hashes and seals it again under a new master
// key. A key's usage plans are rows of usage_plan_keys, whose foreign keys
// make them existing plans (KindNotFound otherwise) and go with the key or
// the plan deleted; deleting a plan records only ChangeUsagePlan, so a
// catalog reloads its keys on a plan's change. A plan's stages, throttle
// and quota are one JSON column, read strictly: a column that does not
// parse (or names an unknown field) is an error of the read, KindInternal,
// as are token_limits and oauth columns of pools and clients. The oauth
// column holds a pool's or a client's extensions beyond Cognito
// (PoolOAuth, ClientOAuth), NULL when they are the zero value, as rows
// older than the column read; a client's JWKS is public keys, kept clear.
// Usage records (plan,
// key, UTC day, count) are added by UPSERT in one transaction that moves
// no generation and records no change (usage is not catalog state), and
// outlive their plan and key.
//
// # Values
//
// Times are kept to the microsecond (finer parts are truncated) and are
// returned in UTC. List fields of returned objects (Client.Secrets,
// Client.AllowedOAuthFlows, Client.AllowedOAuthScopes, ResourceServer.Scopes,
// APIKey.PlanIDs, UsagePlan.Stages)
// and the results of List methods are never nil: an empty list is an empty,
// non-nil slice, except Client.ExplicitAuthFlows, which is nil when it was
// never set, and Client.TokenLimits, which is nil when the client has
// none of its own (NULL); a pool's zero TokenLimits are stored as NULL. Byte
// slices are never nil either.
//
// sqlstore imports the root package and database drivers only, never other
// internal packages.
package sqlstore
