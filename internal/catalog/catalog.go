package catalog

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate"
)

// Options configure a Catalog.
type Options struct {
	// BaseDomain is the parent of prefix domains: a pool's prefix domain
	// answers on "{prefix}.auth.{region}.{BaseDomain}". Default "localhost".
	BaseDomain string
	// PollInterval is how often Run checks the store's generation.
	// Default one second.
	PollInterval time.Duration
	// OnChange, if set, is called after every reload caused by a change of
	// generation (for example to invalidate the signer's key cache). The
	// first load does not call it.
	OnChange func()
	// Now is the clock (default time.Now); revocations of tokens expired by
	// Now are not loaded.
	Now    func() time.Time
	Logger *slog.Logger
}

// snapshot is an immutable view of the store at one generation.
type snapshot struct {
	gen     int64
	pools   map[string]*tollgate.UserPool
	clients map[string]*tollgate.Client
	hosts   map[string]*tollgate.Domain // lower-case host name → domain
	revoked map[string]time.Time        // jti → the token's expiry
	scopes  map[string][]string         // pool id → full scope names of its resource servers
}

// Catalog is a read-mostly cache of the store. Its methods are safe for
// concurrent use; returned objects are shared and must not be modified.
type Catalog struct {
	st   tollgate.Store
	opts Options
	snap atomic.Pointer[snapshot]
	mu   sync.Mutex // serializes reloads
}

// New loads the whole catalog from the store.
func New(ctx context.Context, st tollgate.Store, opts Options) (*Catalog, error) {
	if opts.BaseDomain == "" {
		opts.BaseDomain = "localhost"
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Catalog{st: st, opts: opts}
	gen, err := st.Generation(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog: read generation: %w", err)
	}
	s, err := c.load(ctx, gen)
	if err != nil {
		return nil, err
	}
	c.snap.Store(s)
	return c, nil
}

// BaseDomain returns the parent domain of prefix domains.
func (c *Catalog) BaseDomain() string { return c.opts.BaseDomain }

// Refresh reloads the catalog if the store's generation moved since the
// last load. It reports whether this call reloaded; whether or not it did,
// when it returns nil the catalog holds every write the store had committed
// when Refresh was called (see Sync). A caller that must see such writes
// looks again after it, whatever the bool says: another goroutine may have
// reloaded between the caller's lookup and this call.
func (c *Catalog) Refresh(ctx context.Context) (bool, error) {
	gen, err := c.st.Generation(ctx)
	if err != nil {
		return false, fmt.Errorf("catalog: read generation: %w", err)
	}
	if s := c.snap.Load(); s != nil && s.gen == gen {
		return false, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.snap.Load(); s != nil && s.gen >= gen {
		// Another caller reloaded meanwhile (its load, in flight when this
		// call began, was awaited by taking mu): its snapshot holds what
		// this one would.
		return false, nil
	}
	// Read the generation before the data: if a write lands in between, the
	// snapshot is labelled older than its content and the next poll reloads
	// again, which is harmless; the other order could miss a write.
	s, err := c.load(ctx, gen)
	if err != nil {
		return false, err
	}
	c.snap.Store(s)
	if c.opts.OnChange != nil {
		c.opts.OnChange()
	}
	return true, nil
}

// Sync brings the catalog up to date with the store: when it returns nil,
// every write the store had committed when Sync was called (by this
// process, the CLI or another node) is visible to the lookups that follow,
// on every goroutine, whichever goroutine's reload brought it in. A lookup
// that missed calls Sync and looks again, unconditionally: the snapshot it
// missed in may be older than the one Sync leaves, even when Sync itself
// had nothing to reload. It costs one generation query when nothing
// changed.
//
// Why it holds: the generation is read after the caller's write was
// acknowledged, so it is at least that write's; a snapshot is labelled
// with a generation read before its data, so its content is at least as
// new as its label; and Sync returns only once the current snapshot's
// label is at least the generation it read, reloading (or waiting for the
// reload in flight, under mu) otherwise.
func (c *Catalog) Sync(ctx context.Context) error {
	_, err := c.Refresh(ctx)
	return err
}

// load reads the store into a snapshot labelled gen.
//
// The store has no read of everything at one instant: each list is a
// query of its own, and writes may commit between them. So objects are
// listed before what they refer to (clients and domains, then pools, then
// each pool's resource servers): an object the load saw was committed
// before the lists that follow, and so was what it refers to, committed
// before it. A writer commits a pool before its clients (they reference
// it), and a scope's resource server before the clients granted it (the
// API and the CLI refuse a scope no resource server defines), so a client
// in a snapshot always has its pool, and the resource servers it was
// created with. Listing the pools first would let
// a new pool's first client in without its pool, hence without any scope,
// and refused invalid_scope until the next poll.
//
// What can still be torn is what a load could not have seen at once. A
// pool deleted after its clients and domains were listed (they went with
// it) leaves them without their pool: they are dropped. Deleted after the
// pools were listed and before its resource servers were, it leaves them
// shown without any scope until the next poll: refused, as they should be,
// with invalid_scope rather than invalid_client. Any other write that
// lands during the load is seen by some lists and not others, as if it had
// landed a moment before or after; the snapshot is labelled older than its
// content, so the next poll reloads.
func (c *Catalog) load(ctx context.Context, gen int64) (*snapshot, error) {
	clients, err := c.st.ListClients(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("catalog: list clients: %w", err)
	}
	domains, err := c.st.ListDomains(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("catalog: list domains: %w", err)
	}
	pools, err := c.st.ListPools(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog: list pools: %w", err)
	}
	defined, s, err := c.loadPools(ctx, gen, pools)
	if err != nil {
		return nil, err
	}
	revoked, err := c.st.ListRevokedTokens(ctx, c.opts.Now())
	if err != nil {
		return nil, fmt.Errorf("catalog: list revoked tokens: %w", err)
	}
	s.revoked = make(map[string]time.Time, len(revoked))
	for _, r := range revoked {
		s.revoked[r.JTI] = r.ExpiresAt
	}
	s.clients = make(map[string]*tollgate.Client, len(clients))
	for _, cl := range clients {
		if _, ok := s.pools[cl.PoolID]; ok { // else deleted with its pool during the load
			s.clients[cl.ID] = effective(cl, defined[cl.PoolID])
		}
	}
	s.hosts = make(map[string]*tollgate.Domain, len(domains))
	for _, d := range domains {
		if p, ok := s.pools[d.PoolID]; ok {
			s.hosts[strings.ToLower(d.Host(p.Region, c.opts.BaseDomain))] = d
		}
	}
	return s, nil
}

// loadPools starts a snapshot with the pools and their scopes, reading
// each pool's resource servers, and returns it with the set of scopes each
// pool defines.
func (c *Catalog) loadPools(ctx context.Context, gen int64, pools []*tollgate.UserPool) (map[string]map[string]bool, *snapshot, error) {
	s := &snapshot{
		gen:    gen,
		pools:  make(map[string]*tollgate.UserPool, len(pools)),
		scopes: make(map[string][]string, len(pools)),
	}
	defined := make(map[string]map[string]bool, len(pools)) // pool id → scope → true
	for _, p := range pools {
		s.pools[p.ID] = p
		rss, err := c.st.ListResourceServers(ctx, p.ID)
		if err != nil {
			return nil, nil, fmt.Errorf("catalog: list resource servers: %w", err)
		}
		scopes := []string{}
		set := map[string]bool{}
		for _, rs := range rss {
			for _, name := range rs.FullScopeNames() {
				scopes = append(scopes, name)
				set[name] = true
			}
		}
		s.scopes[p.ID] = scopes
		defined[p.ID] = set
	}
	return defined, s, nil
}

// effective returns the client as the token endpoint must see it: allowed
// only the scopes that a resource server of its pool still defines. A
// client created by hand keeps naming a scope after the scope (or its
// resource server) is removed from the config; like Cognito, which lets a
// resource server be deleted while clients reference its scopes and from
// then on issues no token with them (DeleteResourceServer), the reference
// stays in the store and no token carries it. The filtering is done here,
// once per load, so that the hot path pays nothing for it; a client with
// no dangling scope is returned as is.
func effective(cl *tollgate.Client, defined map[string]bool) *tollgate.Client {
	dangling := 0
	for _, sc := range cl.AllowedOAuthScopes {
		if !defined[sc] {
			dangling++
		}
	}
	if dangling == 0 {
		return cl
	}
	cp := *cl
	cp.AllowedOAuthScopes = make([]string, 0, len(cl.AllowedOAuthScopes)-dangling)
	for _, sc := range cl.AllowedOAuthScopes {
		if defined[sc] {
			cp.AllowedOAuthScopes = append(cp.AllowedOAuthScopes, sc)
		}
	}
	return &cp
}

// purgeInterval is how often Run forgets revocations of expired tokens.
const purgeInterval = time.Hour

// Run polls the store's generation until ctx ends, reloading on change. It
// also forgets, once an hour, the revocations of tokens that have expired
// (they are dead anyway), so the revocation list stays as long as the
// tokens it guards.
func (c *Catalog) Run(ctx context.Context) {
	t := time.NewTicker(c.opts.PollInterval)
	defer t.Stop()
	purge := time.NewTicker(purgeInterval)
	defer purge.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-purge.C:
			if n, err := c.st.DeleteExpiredRevocations(ctx, c.opts.Now()); err != nil && ctx.Err() == nil {
				c.opts.Logger.Warn("purge expired revocations", "err", err)
			} else if n > 0 {
				c.opts.Logger.Info("purged expired revocations", "count", n)
			}
		case <-t.C:
			if _, err := c.Refresh(ctx); err != nil && ctx.Err() == nil {
				c.opts.Logger.Warn("catalog refresh failed", "err", err)
			}
		}
	}
}

// GetClient returns a client by id, from memory, with only the scopes its
// pool defines in AllowedOAuthScopes (see effective). It does not consult the
// store on a miss: a caller that must see changes made a moment ago by
// another process calls Sync and looks again (the token endpoint does so
// after any failed authentication, so an unknown client and a wrong secret
// cost the same).
func (c *Catalog) GetClient(_ context.Context, id string) (*tollgate.Client, error) {
	if cl, ok := c.snap.Load().clients[id]; ok {
		return cl, nil
	}
	return nil, errClientNotFound
}

// errClientNotFound is shared by every miss, so that a miss (an unknown
// client, looked up twice by the token endpoint) allocates nothing.
var errClientNotFound = tollgate.Errorf(tollgate.KindNotFound, "client not found")

// GetPool returns a pool by id. On a miss it syncs once and looks again, so
// a pool created a moment ago by another process is found.
func (c *Catalog) GetPool(ctx context.Context, id string) (*tollgate.UserPool, error) {
	if p, ok := c.snap.Load().pools[id]; ok {
		return p, nil
	}
	if err := c.Sync(ctx); err != nil {
		return nil, err
	}
	// Look again even if Sync reloaded nothing: another goroutine may have
	// reloaded since the miss.
	if p, ok := c.snap.Load().pools[id]; ok {
		return p, nil
	}
	return nil, tollgate.Errorf(tollgate.KindNotFound, "user pool not found")
}

// IsRevoked reports whether the access token with this jti was revoked
// (RFC 7009). It answers from memory: the gateway asks on every request.
func (c *Catalog) IsRevoked(jti string) bool {
	_, ok := c.snap.Load().revoked[jti]
	return ok
}

// Scopes returns the full names of a pool's resource server scopes.
func (c *Catalog) Scopes(poolID string) []string { return c.snap.Load().scopes[poolID] }

// DomainForHost returns the domain a request's Host belongs to. host may
// carry a port; matching ignores case.
func (c *Catalog) DomainForHost(host string) (*tollgate.Domain, bool) {
	d, ok := c.snap.Load().hosts[normalizeHost(host)]
	return d, ok
}

func normalizeHost(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	return strings.ToLower(strings.TrimSuffix(host, "."))
}
