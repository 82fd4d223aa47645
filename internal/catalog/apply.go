package catalog

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/tollgate/tollgate"
)

// delta is a batch of changes from the feed, by what they touch: each
// object is read once however many changes name it.
type delta struct {
	pools, clients, domains, revoked map[string]bool
	purged                           bool // expired revocations were forgotten
	keys                             []string
	accessKeys                       bool
	settings                         []string
	apiKeys, plans                   map[string]bool
}

func newDelta(changes []tollgate.Change) *delta {
	d := &delta{pools: map[string]bool{}, clients: map[string]bool{}, domains: map[string]bool{}, revoked: map[string]bool{},
		apiKeys: map[string]bool{}, plans: map[string]bool{}}
	for _, ch := range changes {
		switch ch.Kind {
		case tollgate.ChangePool, tollgate.ChangeResourceServers:
			d.pools[ch.ID] = true
		case tollgate.ChangeClient:
			d.clients[ch.ID] = true
		case tollgate.ChangeDomain:
			d.domains[ch.ID] = true
		case tollgate.ChangeRevocation:
			if ch.ID == "" {
				d.purged = true
			} else {
				d.revoked[ch.ID] = true
			}
		case tollgate.ChangeSigningKeys:
			if !slices.Contains(d.keys, ch.ID) {
				d.keys = append(d.keys, ch.ID)
			}
		case tollgate.ChangeAccessKey:
			d.accessKeys = true
		case tollgate.ChangeAPIKey:
			d.apiKeys[ch.ID] = true
		case tollgate.ChangeUsagePlan:
			d.plans[ch.ID] = true
		case tollgate.ChangeSetting:
			if !slices.Contains(d.settings, ch.ID) {
				d.settings = append(d.settings, ch.ID)
			}
		}
	}
	return d
}

// apply returns s with the changes of set applied: each changed object read
// again from the store (one query each), and dropped if it is gone.
//
// Pools (with their resource servers) come first, then domains and
// clients, which refer to them; every object is read after the feed, so
// what an update reads is at least as new as the generation it is
// labelled with (see Sync). A write landing during the update may be seen
// for one object and not another: a pool deleted after it was read and
// before its client was leaves the client found missing (dropped) while
// the pool stays until the next update, which reads the deletion; a
// client is never shown without its pool, since clients whose pool is
// not in the snapshot are dropped.
func (c *Catalog) apply(ctx context.Context, s *snapshot, set tollgate.ChangeSet) (*snapshot, Changed, error) {
	d := newDelta(set.Changes)
	next := *s
	next.gen = set.Gen
	clients := edit(s.clients)
	if err := c.applyPools(ctx, &next, clients, d); err != nil {
		return nil, Changed{}, err
	}
	if err := c.applyDomains(ctx, &next, d); err != nil {
		return nil, Changed{}, err
	}
	if err := c.applyClients(ctx, &next, clients, d); err != nil {
		return nil, Changed{}, err
	}
	next.clients = clients.next
	if err := c.applyRevocations(ctx, &next, d); err != nil {
		return nil, Changed{}, err
	}
	if err := c.applyMeter(ctx, &next, d); err != nil {
		return nil, Changed{}, err
	}
	return &next, Changed{
		Pools:       len(d.pools) > 0,
		Clients:     len(d.clients) > 0,
		Domains:     len(d.domains) > 0,
		SigningKeys: d.keys,
		Revocations: len(d.revoked) > 0 || d.purged,
		AccessKeys:  d.accessKeys,
		Settings:    d.settings,
		APIKeys:     len(d.apiKeys) > 0 || len(d.plans) > 0,
		UsagePlans:  len(d.plans) > 0,
	}, nil
}

// applyPools reads each changed pool and its resource servers. A pool
// that is gone takes its clients and domains with it; a pool whose scopes
// changed has its clients' effective scopes derived again.
func (c *Catalog) applyPools(ctx context.Context, s *snapshot, clients *editor[clientEntry], d *delta) error {
	if len(d.pools) == 0 {
		return nil
	}
	s.pools, s.scopes, s.defined, s.servers = maps.Clone(s.pools), maps.Clone(s.scopes), maps.Clone(s.defined), maps.Clone(s.servers)
	for id := range d.pools {
		p, err := c.st.GetPool(ctx, id)
		if tollgate.KindOf(err) == tollgate.KindNotFound {
			c.dropPool(s, clients, id)
			continue
		}
		if err != nil {
			return fmt.Errorf("catalog: get pool: %w", err)
		}
		rss, err := c.st.ListResourceServers(ctx, id)
		if err != nil {
			return fmt.Errorf("catalog: list resource servers: %w", err)
		}
		s.pools[id] = p
		old := s.defined[id]
		s.scopes[id], s.defined[id], s.servers[id] = []string{}, nil, nil
		for _, rs := range rss {
			s.addScopes(rs)
		}
		if !maps.Equal(old, s.defined[id]) {
			rederive(clients, id, s.defined[id])
		}
	}
	return nil
}

// dropPool removes a deleted pool and what it owned.
func (c *Catalog) dropPool(s *snapshot, clients *editor[clientEntry], id string) {
	if _, ok := s.pools[id]; !ok {
		return
	}
	delete(s.pools, id)
	delete(s.scopes, id)
	delete(s.defined, id)
	delete(s.servers, id)
	clients.deleteFunc(func(e clientEntry) bool { return e.raw.PoolID == id })
	s.hosts = maps.Clone(s.hosts)
	maps.DeleteFunc(s.hosts, func(_ string, dom *tollgate.Domain) bool { return dom.PoolID == id })
}

// rederive derives again the effective scopes of a pool's clients.
func rederive(clients *editor[clientEntry], poolID string, defined map[string]bool) {
	clients.update(func(e clientEntry) (clientEntry, bool) {
		if e.raw.PoolID != poolID {
			return e, false
		}
		return clientEntry{eff: effective(e.raw, defined), raw: e.raw}, true
	})
}

// applyDomains reads each changed domain.
func (c *Catalog) applyDomains(ctx context.Context, s *snapshot, d *delta) error {
	if len(d.domains) == 0 {
		return nil
	}
	s.hosts = maps.Clone(s.hosts)
	for name := range d.domains {
		// The host a domain answered on is found by the domain: it may
		// have moved (its pool's region cannot change, but a custom flag
		// can), and a deleted one leaves only its name.
		maps.DeleteFunc(s.hosts, func(_ string, dom *tollgate.Domain) bool { return dom.Domain == name })
		dom, err := c.st.GetDomain(ctx, name)
		if tollgate.KindOf(err) == tollgate.KindNotFound {
			continue
		}
		if err != nil {
			return fmt.Errorf("catalog: get domain: %w", err)
		}
		if p, ok := s.pools[dom.PoolID]; ok {
			s.hosts[c.host(dom, p)] = dom
		}
	}
	return nil
}

// applyClients reads each changed client.
func (c *Catalog) applyClients(ctx context.Context, s *snapshot, clients *editor[clientEntry], d *delta) error {
	for id := range d.clients {
		cl, err := c.st.GetClient(ctx, id)
		if tollgate.KindOf(err) == tollgate.KindNotFound {
			clients.delete(id)
			continue
		}
		if err != nil {
			return fmt.Errorf("catalog: get client: %w", err)
		}
		if _, ok := s.pools[cl.PoolID]; !ok { // its pool is gone (or not yet seen)
			clients.delete(id)
			continue
		}
		clients.set(id, clientEntry{eff: effective(cl, s.defined[cl.PoolID]), raw: cl})
	}
	return nil
}

// applyRevocations adds the new revocations and, when the store forgot
// expired ones, forgets those expired by Now.
func (c *Catalog) applyRevocations(ctx context.Context, s *snapshot, d *delta) error {
	if len(d.revoked) == 0 && !d.purged {
		return nil
	}
	revoked := edit(s.revoked)
	now := c.opts.Now()
	for jti := range d.revoked {
		if _, ok := s.revoked.get(jti); ok { // put there by Revoked
			continue
		}
		r, err := c.st.GetRevokedToken(ctx, jti)
		if tollgate.KindOf(err) == tollgate.KindNotFound { // forgotten since
			continue
		}
		if err != nil {
			return fmt.Errorf("catalog: get revoked token: %w", err)
		}
		if !r.ExpiresAt.Before(now) { // else dead anyway, and a full load leaves it out
			revoked.set(jti, r.ExpiresAt)
		}
	}
	if d.purged {
		revoked.deleteFunc(func(exp time.Time) bool { return exp.Before(now) })
	}
	s.revoked = revoked.next
	return nil
}
