package catalog

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tollgate/tollgate"
)

// meter is the part of a snapshot the gateway meters with: API keys by the
// hash of their value and usage plans by id. It is immutable like the
// rest of the snapshot.
type meter struct {
	keys     map[string]*tollgate.APIKey // string(Hash) → key
	keyIDs   map[string]*tollgate.APIKey // ID → key, to find a changed key's old hash
	plans    map[string]*tollgate.UsagePlan
	planList []*tollgate.UsagePlan // by id
}

// APIKeyByHash returns the API key whose value hashes to hash
// (vault.HashAPIKey), enabled or not: the gateway refuses a disabled key
// as it refuses an unknown one. It is a map lookup in the snapshot, with
// no lock and no allocation; it does not consult the store on a miss (an
// API key created a moment ago by another process is seen on the next
// update, within the poll interval, as AWS's own key propagation is not
// immediate either).
func (c *Catalog) APIKeyByHash(hash []byte) (*tollgate.APIKey, bool) {
	k, ok := c.snap.Load().keys[string(hash)]
	return k, ok
}

// UsagePlan returns a usage plan by id, from memory.
func (c *Catalog) UsagePlan(id string) (*tollgate.UsagePlan, bool) {
	p, ok := c.snap.Load().plans[id]
	return p, ok
}

// UsagePlans returns every usage plan, by id. The slice is shared: callers
// must not modify it.
func (c *Catalog) UsagePlans() []*tollgate.UsagePlan { return c.snap.Load().planList }

// PoolLimits returns the token limits of a pool, and false if the catalog
// holds no such pool.
func (c *Catalog) PoolLimits(poolID string) (tollgate.TokenLimits, bool) {
	p, ok := c.snap.Load().pools[poolID]
	if !ok {
		return tollgate.TokenLimits{}, false
	}
	return p.TokenLimits, true
}

// AnyLockout reports whether a pool declares a lockout: the token
// endpoint checks the locks of ids presented on the shared host only then.
// It looks at every pool, which token requests on that host can afford
// (a token costs an RSA signature).
func (c *Catalog) AnyLockout() bool {
	for _, p := range c.snap.Load().pools {
		if p.TokenLimits.Lockout.Enabled() {
			return true
		}
	}
	return false
}

// newMeter builds the metering part of a snapshot from lists.
func newMeter(keys []*tollgate.APIKey, plans []*tollgate.UsagePlan) meter {
	m := meter{
		keys:   make(map[string]*tollgate.APIKey, len(keys)),
		keyIDs: make(map[string]*tollgate.APIKey, len(keys)),
		plans:  make(map[string]*tollgate.UsagePlan, len(plans)),
	}
	for _, k := range keys {
		m.keys[string(k.Hash)] = k
		m.keyIDs[k.ID] = k
	}
	for _, p := range plans {
		m.plans[p.ID] = p
	}
	m.planList = sortedPlans(m.plans)
	return m
}

func sortedPlans(plans map[string]*tollgate.UsagePlan) []*tollgate.UsagePlan {
	list := slices.Collect(maps.Values(plans))
	slices.SortFunc(list, func(a, b *tollgate.UsagePlan) int { return strings.Compare(a.ID, b.ID) })
	return list
}

// loadMeter lists the API keys, then the usage plans they refer to (see
// load on the order).
func (c *Catalog) loadMeter(ctx context.Context) (meter, error) {
	keys, err := c.st.ListAPIKeys(ctx)
	if err != nil {
		return meter{}, fmt.Errorf("catalog: list API keys: %w", err)
	}
	plans, err := c.st.ListUsagePlans(ctx)
	if err != nil {
		return meter{}, fmt.Errorf("catalog: list usage plans: %w", err)
	}
	return newMeter(keys, plans), nil
}

// applyMeter reads each changed usage plan and API key. A changed plan
// (created, updated or deleted) reloads every key too: deleting a plan
// takes it out of every key's PlanIDs without a change of each key.
func (c *Catalog) applyMeter(ctx context.Context, s *snapshot, d *delta) error {
	if len(d.plans) == 0 && len(d.apiKeys) == 0 {
		return nil
	}
	m := s.meter
	if len(d.plans) > 0 {
		m.plans = maps.Clone(m.plans)
		for id := range d.plans {
			p, err := c.st.GetUsagePlan(ctx, id)
			if tollgate.KindOf(err) == tollgate.KindNotFound {
				delete(m.plans, id)
				continue
			}
			if err != nil {
				return fmt.Errorf("catalog: get usage plan: %w", err)
			}
			m.plans[id] = p
		}
		m.planList = sortedPlans(m.plans)
		keys, err := c.st.ListAPIKeys(ctx)
		if err != nil {
			return fmt.Errorf("catalog: list API keys: %w", err)
		}
		fresh := newMeter(keys, nil)
		m.keys, m.keyIDs = fresh.keys, fresh.keyIDs
		s.meter = m
		return nil
	}
	m.keys, m.keyIDs = maps.Clone(m.keys), maps.Clone(m.keyIDs)
	for id := range d.apiKeys {
		if old, ok := m.keyIDs[id]; ok {
			delete(m.keys, string(old.Hash))
			delete(m.keyIDs, id)
		}
		k, err := c.st.GetAPIKey(ctx, id)
		if tollgate.KindOf(err) == tollgate.KindNotFound {
			continue
		}
		if err != nil {
			return fmt.Errorf("catalog: get API key: %w", err)
		}
		m.keys[string(k.Hash)] = k
		m.keyIDs[id] = k
	}
	s.meter = m
	return nil
}
