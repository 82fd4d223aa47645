package catalog

import (
	"maps"
	"time"

	"github.com/tollgate/tollgate"
)

// Pools returns every pool the catalog holds, without a sync: what the
// external tests check a reload against.
func (c *Catalog) Pools() []*tollgate.UserPool {
	s := c.snap.Load()
	out := make([]*tollgate.UserPool, 0, len(s.pools))
	for _, p := range s.pools {
		out = append(out, p)
	}
	return out
}

// View is everything a catalog holds, in comparable form: what the tests
// check an update applied from the change feed against a full load.
type View struct {
	Gen     int64
	Pools   map[string]*tollgate.UserPool
	Clients map[string]*tollgate.Client // effective
	Hosts   map[string]*tollgate.Domain
	Revoked map[string]time.Time
	Scopes  map[string][]string
}

// View returns what the catalog holds, without a sync.
func (c *Catalog) View() View {
	s := c.snap.Load()
	v := View{Gen: s.gen, Pools: s.pools, Hosts: s.hosts, Scopes: s.scopes,
		Clients: map[string]*tollgate.Client{}, Revoked: map[string]time.Time{}}
	for _, m := range s.clients {
		for id, e := range m {
			v.Clients[id] = e.eff
		}
	}
	for _, m := range s.revoked {
		maps.Copy(v.Revoked, m)
	}
	return v
}

// MeterView is the catalog's API keys (by hash) and usage plans, in
// comparable form.
type MeterView struct {
	Keys  map[string]*tollgate.APIKey
	Plans map[string]*tollgate.UsagePlan
	List  []*tollgate.UsagePlan
}

// MeterView returns what the catalog meters with, without a sync.
func (c *Catalog) MeterView() MeterView {
	s := c.snap.Load()
	return MeterView{Keys: s.keys, Plans: s.plans, List: s.planList}
}
