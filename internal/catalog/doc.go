// Package catalog keeps an in-memory copy of the store's pools, clients and
// domains for the request hot path, so that authenticating a client costs a
// map lookup instead of a database round trip.
//
// Coherence: every store write bumps the store's generation. Run polls the
// generation (one tiny query) and reloads when it moved, whichever process
// wrote — a server, the CLI, another node on the same PostgreSQL database.
// A lookup that misses also checks the generation at once (Sync) and looks
// again, so a client created by the CLI is usable immediately; deletions and
// secret changes made elsewhere take effect within one poll interval.
//
// The guarantee a writer gets: once any writer's commit is acknowledged, the
// next lookup on any goroutine that misses and syncs sees it, whether this
// goroutine's Sync reloaded or another's (finished or in flight) did.
//
// catalog imports only the root package.
package catalog
