package catalog

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
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
	// PollInterval is how often Run checks the store's generation, the
	// fallback when the store cannot notify (ChangeNotifier) or its
	// notifications are lost. Default one second.
	PollInterval time.Duration
	// OnChange, if set, is called after every update of the catalog caused
	// by a change of generation (for example to invalidate the signer's
	// key cache), with what changed. The first load does not call it.
	OnChange func(Changed)
	// Now is the clock (default time.Now); revocations of tokens expired by
	// Now are not loaded.
	Now    func() time.Time
	Logger *slog.Logger
}

// Changed tells OnChange what an update changed, so that it invalidates
// only what depends on it.
type Changed struct {
	// All: the catalog was reloaded whole (the change log could not tell
	// every change: trimmed, or a generation with no recorded change):
	// anything may have changed.
	All bool
	// Pools: a pool or its resource servers changed, or a pool was deleted.
	Pools bool
	// Clients: a client, or its secrets, changed or it was deleted.
	Clients bool
	// Domains: a domain changed or was deleted.
	Domains bool
	// SigningKeys lists the pools whose signing keys changed.
	SigningKeys []string
	// Revocations: tokens were revoked (or expired revocations forgotten).
	Revocations bool
	// AccessKeys: an access key was created or deleted.
	AccessKeys bool
	// Settings lists the settings that changed (tollgate.Setting…).
	Settings []string
	// APIKeys: an API key was created, updated or deleted, or a usage plan
	// changed (which reloads every key's plans).
	APIKeys bool
	// UsagePlans: a usage plan was created, updated or deleted.
	UsagePlans bool
}

// clientEntry is a client as stored (raw) and as the token endpoint must
// see it (eff: only the scopes its pool defines; see effective). The raw
// client is kept so that a change of the pool's scopes re-derives it.
type clientEntry struct{ eff, raw *tollgate.Client }

// snapshot is an immutable view of the store at one generation.
type snapshot struct {
	gen     int64
	pools   map[string]*tollgate.UserPool
	clients *shards[clientEntry]
	hosts   map[string]*tollgate.Domain          // lower-case host name → domain
	revoked *shards[time.Time]                   // jti → the token's expiry
	scopes  map[string][]string                  // pool id → full scope names of its resource servers
	defined map[string]map[string]bool           // pool id → the set of scopes
	servers map[string][]tollgate.ResourceServer // pool id → its resource servers
	meter                                        // API keys, usage plans
}

// Catalog is a read-mostly cache of the store. Its methods are safe for
// concurrent use; returned objects are shared and must not be modified.
type Catalog struct {
	st   tollgate.Store
	opts Options
	snap atomic.Pointer[snapshot]
	mu   sync.Mutex // serializes updates
	// confirmed is when (Now, in Unix nanoseconds) the catalog was last
	// known to hold every write the store had committed: the start of the
	// last generation read that succeeded.
	confirmed atomic.Int64
	// wake asks Run to read the change feed now.
	wake chan struct{}
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
	c := &Catalog{st: st, opts: opts, wake: make(chan struct{}, 1)}
	started := opts.Now()
	gen, err := st.Generation(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog: read generation: %w", err)
	}
	s, err := c.load(ctx, gen)
	if err != nil {
		return nil, err
	}
	c.snap.Store(s)
	c.confirm(started)
	return c, nil
}

// BaseDomain returns the parent domain of prefix domains.
func (c *Catalog) BaseDomain() string { return c.opts.BaseDomain }

// Refresh brings the catalog up to date if the store's generation moved
// since the last update: it reads the change feed and reloads only what
// changed (everything, when the feed no longer reaches back to the
// catalog's generation). It reports whether this call updated; whether or
// not it did, when it returns nil the catalog holds every write the store
// had committed when Refresh was called (see Sync). A caller that must see
// such writes looks again after it, whatever the bool says: another
// goroutine may have updated between the caller's lookup and this call.
func (c *Catalog) Refresh(ctx context.Context) (bool, error) {
	started := c.opts.Now()
	gen, err := c.st.Generation(ctx)
	if err != nil {
		return false, fmt.Errorf("catalog: read generation: %w", err)
	}
	if s := c.snap.Load(); s.gen >= gen {
		c.confirm(started)
		return false, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.snap.Load()
	if s.gen >= gen {
		// Another caller updated meanwhile (its update, in flight when this
		// call began, was awaited by taking mu): its snapshot holds what
		// this one would.
		c.confirm(started)
		return false, nil
	}
	next, changed, err := c.update(ctx, s)
	if err != nil {
		return false, err
	}
	c.snap.Store(next)
	c.confirm(started)
	if c.opts.OnChange != nil {
		c.opts.OnChange(changed)
	}
	return true, nil
}

// update returns s brought up to date: the changes since its generation
// applied, or everything reloaded when the feed cannot say.
func (c *Catalog) update(ctx context.Context, s *snapshot) (*snapshot, Changed, error) {
	set, err := c.st.Changes(ctx, s.gen)
	if err != nil {
		return nil, Changed{}, fmt.Errorf("catalog: read changes: %w", err)
	}
	if !set.TooOld && !hasAll(set.Changes) {
		return c.apply(ctx, s, set)
	}
	// The feed's generation was read before the reload's data: a write
	// landing in between leaves the snapshot labelled older than its
	// content, and the next update reads it again, which is harmless; the
	// other order could miss a write.
	//
	// Revocations that Revoked put in s are in the store's list: Revoked
	// runs after the store acknowledged them, under mu, which this update
	// holds.
	next, err := c.load(ctx, set.Gen)
	if err != nil {
		return nil, Changed{}, err
	}
	return next, Changed{All: true}, nil
}

func hasAll(changes []tollgate.Change) bool {
	for _, ch := range changes {
		if ch.Kind == tollgate.ChangeAll {
			return true
		}
	}
	return false
}

// Sync brings the catalog up to date with the store: when it returns nil,
// every write the store had committed when Sync was called (by this
// process, the CLI or another node) is visible to the lookups that follow,
// on every goroutine, whichever goroutine's update brought it in. A lookup
// that missed calls Sync and looks again, unconditionally: the snapshot it
// missed in may be older than the one Sync leaves, even when Sync itself
// had nothing to update. It costs one generation query when nothing
// changed.
//
// Why it holds: the generation is read after the caller's write was
// acknowledged, so it is at least that write's; a snapshot is labelled
// with a generation read before its data (the feed's, for an update: the
// objects it names are read after it), so its content is at least as new
// as its label; and Sync returns only once the current snapshot's label is
// at least the generation it read, updating (or waiting for the update in
// flight, under mu) otherwise.
func (c *Catalog) Sync(ctx context.Context) error {
	_, err := c.Refresh(ctx)
	return err
}

// confirm records that the catalog held every write committed by started.
func (c *Catalog) confirm(started time.Time) {
	t := started.UnixNano()
	for {
		old := c.confirmed.Load()
		if old >= t || c.confirmed.CompareAndSwap(old, t) {
			return
		}
	}
}

// Confirmed returns when the catalog was last known to hold every write
// the store had committed (by the Now clock): the start of its last
// successful look at the store. A node that cannot reach the store serves
// from a catalog that grows older than its poll interval.
func (c *Catalog) Confirmed() time.Time { return time.Unix(0, c.confirmed.Load()) }

// Revoked puts a revocation this process has just recorded in the store
// straight into the catalog's set, so that this node refuses the token from
// its next request without reading the store back; other nodes get it
// through the change feed.
func (c *Catalog) Revoked(t tollgate.RevokedToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.snap.Load()
	if _, ok := s.revoked.get(t.JTI); ok {
		return
	}
	next := *s
	e := edit(s.revoked)
	e.set(t.JTI, t.ExpiresAt)
	next.revoked = e.next
	c.snap.Store(&next)
}

// GetClient returns a client by id, from memory, with only the scopes its
// pool defines in AllowedOAuthScopes (see effective). It does not consult the
// store on a miss: a caller that must see changes made a moment ago by
// another process calls Sync and looks again (the token endpoint does so
// after any failed authentication, so an unknown client and a wrong secret
// cost the same).
func (c *Catalog) GetClient(_ context.Context, id string) (*tollgate.Client, error) {
	if e, ok := c.snap.Load().clients.get(id); ok {
		return e.eff, nil
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
	// Look again even if Sync updated nothing: another goroutine may have
	// updated since the miss.
	if p, ok := c.snap.Load().pools[id]; ok {
		return p, nil
	}
	return nil, tollgate.Errorf(tollgate.KindNotFound, "user pool not found")
}

// IsRevoked reports whether the access token with this jti was revoked
// (RFC 7009). It answers from memory: the gateway asks on every request.
func (c *Catalog) IsRevoked(jti string) bool {
	_, ok := c.snap.Load().revoked.get(jti)
	return ok
}

// Scopes returns the full names of a pool's resource server scopes.
func (c *Catalog) Scopes(poolID string) []string { return c.snap.Load().scopes[poolID] }

// ResourceServers returns a pool's resource servers, from memory: the
// token endpoint's resource indicators (RFC 8707) look them up. The slice is
// shared and must not be modified.
func (c *Catalog) ResourceServers(poolID string) []tollgate.ResourceServer {
	return c.snap.Load().servers[poolID]
}

// Pool returns a pool by id from memory, without syncing on a miss: what
// the token endpoint reads of a pool's OAuth extensions on every request.
func (c *Catalog) Pool(poolID string) (*tollgate.UserPool, bool) {
	p, ok := c.snap.Load().pools[poolID]
	return p, ok
}

// ClientAuthMethods returns the token_endpoint_auth_method values that the
// pool's clients use beyond a secret's (tollgate.ClientOAuth.AuthMethod),
// each once, sorted. It looks at every client, so it is for discovery
// documents, not for the hot path.
func (c *Catalog) ClientAuthMethods(poolID string) []string {
	var methods []string
	for _, shard := range c.snap.Load().clients {
		for _, e := range shard {
			if m := e.raw.OAuth.AuthMethod; m != "" && e.raw.PoolID == poolID && !slices.Contains(methods, m) {
				methods = append(methods, m)
			}
		}
	}
	slices.Sort(methods)
	return methods
}

// PreTokenGeneration returns the pre token generation trigger of client's
// pool (nil when it has none), from the snapshot that holds the client, so
// that the client and the trigger are of one moment of the store. ok is
// false when the current snapshot no longer holds the client (it, or its
// pool with it, was deleted since the client was looked up): the caller
// must then not issue a token, rather than issue it without the trigger.
// It is what the token endpoint asks on every token: map lookups in the
// snapshot, no store query and no allocation; the trigger follows the
// pool's changes.
func (c *Catalog) PreTokenGeneration(client *tollgate.Client) (trigger *tollgate.LambdaTrigger, ok bool) {
	s := c.snap.Load()
	e, ok := s.clients.get(client.ID)
	if !ok {
		return nil, false
	}
	p, ok := s.pools[e.raw.PoolID] // a snapshot holds a client only with its pool
	if !ok {
		return nil, false
	}
	return p.PreTokenGeneration, true
}

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
