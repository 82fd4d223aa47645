// Package catalog keeps an in-memory copy of the store's pools, clients,
// domains, revocations, API keys and usage plans for the request hot path,
// so that authenticating a client or finding an API key by the hash of its
// value costs a map lookup instead of a database round trip.
//
// Coherence: every store write records what it changed in the store's
// change feed. Run reads the feed when the store tells of a write
// (tollgate.ChangeNotifier: PostgreSQL's NOTIFY, or this process's own
// commits) and polls the generation as the fallback, and reloads only the
// objects named; a full load happens at start and when the feed cannot say
// (trimmed, or a generation with no recorded change). A lookup that misses also syncs at once
// (Sync) and looks again, so a client created by the CLI is usable
// immediately.
//
// The guarantee a writer gets: once any writer's commit is acknowledged, the
// next lookup on any goroutine that misses and syncs sees it, whether this
// goroutine's Sync updated or another's (finished or in flight) did.
//
// catalog imports only the root package.
package catalog
