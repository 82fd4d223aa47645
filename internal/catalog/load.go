package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
)

// load reads the whole store into a snapshot labelled gen: one query per
// table.
//
// The store has no read of everything at one instant: each list is a
// query of its own, and writes may commit between them. So objects are
// listed before what they refer to (clients and domains, then pools, then
// the resource servers): an object the load saw was committed before the
// lists that follow, and so was what it refers to, committed before it. A
// writer commits a pool before its clients (they reference it), and a
// scope's resource server before the clients granted it (the API and the
// CLI refuse a scope no resource server defines), so a client in a
// snapshot always has its pool, and the resource servers it was created
// with. Listing the pools first would let a new pool's first client in
// without its pool, hence without any scope, and refused invalid_scope
// until the next poll.
//
// What can still be torn is what a load could not have seen at once. A
// pool deleted after its clients and domains were listed (they went with
// it) leaves them without their pool: they are dropped. Deleted after the
// pools were listed and before its resource servers were, it leaves them
// shown without any scope until the next update: refused, as they should
// be, with invalid_scope rather than invalid_client. Any other write that
// lands during the load is seen by some lists and not others, as if it had
// landed a moment before or after; the snapshot is labelled older than its
// content, so the next update reads it again.
func (c *Catalog) load(ctx context.Context, gen int64) (*snapshot, error) {
	m, err := c.loadMeter(ctx)
	if err != nil {
		return nil, err
	}
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
	rss, err := c.st.ListResourceServers(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("catalog: list resource servers: %w", err)
	}
	revoked, err := c.st.ListRevokedTokens(ctx, c.opts.Now())
	if err != nil {
		return nil, fmt.Errorf("catalog: list revoked tokens: %w", err)
	}
	s := &snapshot{
		gen:     gen,
		pools:   make(map[string]*tollgate.UserPool, len(pools)),
		scopes:  make(map[string][]string, len(pools)),
		defined: make(map[string]map[string]bool, len(pools)),
		servers: make(map[string][]tollgate.ResourceServer, len(pools)),
		hosts:   make(map[string]*tollgate.Domain, len(domains)),
		clients: newShards[clientEntry](len(clients)),
		revoked: newShards[time.Time](len(revoked)),
		meter:   m,
	}
	for _, p := range pools {
		s.pools[p.ID] = p
		s.scopes[p.ID] = []string{}
	}
	for _, rs := range rss {
		if _, ok := s.pools[rs.PoolID]; ok { // else created after the pools were listed
			s.addScopes(rs)
		}
	}
	for _, r := range revoked {
		s.revoked[shardOf(r.JTI)][r.JTI] = r.ExpiresAt
	}
	for _, cl := range clients {
		if _, ok := s.pools[cl.PoolID]; ok { // else deleted with its pool during the load
			s.clients[shardOf(cl.ID)][cl.ID] = clientEntry{eff: effective(cl, s.defined[cl.PoolID]), raw: cl}
		}
	}
	for _, d := range domains {
		if p, ok := s.pools[d.PoolID]; ok {
			s.hosts[c.host(d, p)] = d
		}
	}
	return s, nil
}

// addScopes adds a resource server's scopes to its pool's, in a snapshot
// being built.
func (s *snapshot) addScopes(rs *tollgate.ResourceServer) {
	s.servers[rs.PoolID] = append(s.servers[rs.PoolID], *rs)
	set := s.defined[rs.PoolID]
	if set == nil {
		set = map[string]bool{}
		s.defined[rs.PoolID] = set
	}
	for _, name := range rs.FullScopeNames() {
		s.scopes[rs.PoolID] = append(s.scopes[rs.PoolID], name)
		set[name] = true
	}
}

// host returns the lower-case host name a domain answers on.
func (c *Catalog) host(d *tollgate.Domain, p *tollgate.UserPool) string {
	return strings.ToLower(d.Host(p.Region, c.opts.BaseDomain))
}

// effective returns the client as the token endpoint must see it: allowed
// only the scopes that a resource server of its pool still defines. A
// client created by hand keeps naming a scope after the scope (or its
// resource server) is removed from the config; like Cognito, which lets a
// resource server be deleted while clients reference its scopes and from
// then on issues no token with them (DeleteResourceServer), the reference
// stays in the store and no token carries it. The filtering is done here,
// once per load or change, so that the hot path pays nothing for it; a
// client with no dangling scope is returned as is.
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
