package catalog

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate"
)

// purgeInterval is how often Run forgets revocations of expired tokens and
// trims the store's change log.
const purgeInterval = time.Hour

// Run keeps the catalog current until ctx ends. It reads the change feed
// when the store tells of a write (tollgate.ChangeNotifier: PostgreSQL's
// NOTIFY from any node, or this process's own commits), and polls the
// generation every PollInterval as the fallback, and the only means on
// SQLite for other processes' writes. A lost notification connection
// triggers a full look when it is back, since notifications are not
// replayed.
//
// Once an hour it also forgets the revocations of tokens that have expired
// (they are dead anyway), so the revocation list stays as long as the
// tokens it guards, and trims the change log up to the generation seen an
// hour before, so a node that was away for less than an hour catches up
// from the log rather than reloading everything.
func (c *Catalog) Run(ctx context.Context) {
	if n, ok := c.st.(tollgate.ChangeNotifier); ok {
		go c.listen(ctx, n)
	}
	t := time.NewTicker(c.opts.PollInterval)
	defer t.Stop()
	purge := time.NewTicker(purgeInterval)
	defer purge.Stop()
	var down bool
	trimTo := int64(-1)
	for {
		select {
		case <-ctx.Done():
			return
		case <-purge.C:
			trimTo = c.purge(ctx, trimTo)
		case <-c.wake:
			c.poll(ctx, &down)
		case <-t.C:
			c.poll(ctx, &down)
		}
	}
}

// Wake asks Run to read the change feed now; it never blocks.
func (c *Catalog) Wake() {
	select {
	case c.wake <- struct{}{}:
	default: // a wake-up is pending already
	}
}

// listen wakes Run on each notification of the store.
func (c *Catalog) listen(ctx context.Context, n tollgate.ChangeNotifier) {
	var lost atomic.Bool
	err := n.ListenChanges(ctx, func(err error) {
		if err != nil {
			if !lost.Swap(true) && ctx.Err() == nil {
				c.opts.Logger.Warn("catalog: lost the store's change notifications; polling until they are back", "err", err)
			}
			return
		}
		if lost.Swap(false) {
			c.opts.Logger.Info("catalog: change notifications are back")
		}
		c.Wake()
	})
	if err != nil && ctx.Err() == nil {
		c.opts.Logger.Warn("catalog: cannot listen for the store's changes; polling", "err", err)
	}
}

// poll brings the catalog up to date, logging once when the store becomes
// unreachable and once when it is back (not every poll meanwhile).
func (c *Catalog) poll(ctx context.Context, down *bool) {
	_, err := c.Refresh(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		if !*down {
			*down = true
			c.opts.Logger.Warn("catalog: cannot read the store; serving the last known state until it is back", "err", err)
		}
	case err == nil && *down:
		*down = false
		c.opts.Logger.Info("catalog: the store is reachable again", "stale_for", c.opts.Now().Sub(c.Confirmed()).Round(time.Millisecond).String())
	}
}

// purge forgets expired revocations and trims the change log up to trimTo
// (the generation of the previous purge, an hour ago; none the first
// time). It returns the generation to trim to next time.
func (c *Catalog) purge(ctx context.Context, trimTo int64) int64 {
	if n, err := c.st.DeleteExpiredRevocations(ctx, c.opts.Now()); err != nil && ctx.Err() == nil {
		c.opts.Logger.Warn("purge expired revocations", "err", err)
	} else if n > 0 {
		c.opts.Logger.Info("purged expired revocations", "count", n)
	}
	if trimTo >= 0 {
		if err := c.st.TrimChanges(ctx, trimTo); err != nil && ctx.Err() == nil {
			c.opts.Logger.Warn("trim the change log", "err", err)
		}
	}
	gen, err := c.st.Generation(ctx)
	if err != nil {
		return trimTo
	}
	return gen
}
