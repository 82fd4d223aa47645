package catalog

import "github.com/tollgate/tollgate"

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
