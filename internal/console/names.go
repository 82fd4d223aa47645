package console

import (
	"cmp"
	"context"
	"slices"

	"github.com/tollgate/tollgate"
)

// poolClients is a pool and its clients.
type poolClients struct {
	Pool    *tollgate.UserPool
	Clients []*tollgate.Client
}

// listPoolClients reads every pool, sorted by name (then id), and each
// pool's clients, sorted the same way.
func (c *Console) listPoolClients(ctx context.Context) ([]poolClients, error) {
	pools, err := c.opts.Domain.ListPools(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(pools, func(a, b *tollgate.UserPool) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	out := make([]poolClients, 0, len(pools))
	for _, p := range pools {
		cs, err := c.opts.Domain.ListClients(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		slices.SortStableFunc(cs, func(a, b *tollgate.Client) int {
			return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
		})
		out = append(out, poolClients{Pool: p, Clients: cs})
	}
	return out, nil
}
