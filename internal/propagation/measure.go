package propagation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Cluster is what the changes are made on and measured against.
type Cluster struct {
	Probe
	// Nodes are the nodes' own base URLs; change i is made on node
	// i%len(Nodes).
	Nodes []string
	// Admin makes the changes that are not OAuth requests.
	Admin *Admin
	// Limit is how long a node may take to enforce a change before the
	// measurement fails (default 20 s).
	Limit time.Duration
	// FromProbeStart counts a delay to the moment the first probe that saw
	// the change enforced was sent, rather than to its answer: the node
	// enforced it before answering that probe, and a probe the machine
	// slowed down (other processes sharing its cores) does not add its
	// own latency. It undercounts by at most that probe's latency when the
	// change landed while the probe was in flight.
	FromProbeStart bool
}

// Sample is one change's propagation.
type Sample struct {
	// Node is the node the change was made on.
	Node int
	// Delays are, by node, the time from the change's acknowledgement
	// until a probe of that node first saw it enforced.
	Delays []time.Duration
}

// All is the delay until every node enforced the change.
func (s Sample) All() time.Duration { return slices.Max(s.Delays) }

// change is one change: prepared (its object exists and every node
// accepts what it takes away), made, then probed on every node until
// enforced holds; after, if set, checks what must still hold once it does.
type change struct {
	make     func(ctx context.Context) error
	enforced func(base string) (bool, error)
	after    func() error
}

// Kind is a kind of change.
type Kind struct {
	Name    string
	prepare func(ctx context.Context, c *Cluster, node int) (change, error)
}

// Measure makes n changes of kind k, each on the next node in turn, and
// returns their samples. If enough is not nil, it is asked after each
// change whether the samples so far settle the question, and the
// measurement stops when it says so.
func (c *Cluster) Measure(ctx context.Context, k Kind, n int, enough func([]Sample) bool) ([]Sample, error) {
	samples := make([]Sample, 0, n)
	for i := range n {
		if enough != nil && len(samples) > 0 && enough(samples) {
			break
		}
		node := i % len(c.Nodes)
		ch, err := k.prepare(ctx, c, node)
		if err != nil {
			return samples, fmt.Errorf("%s %d: before the change: %w", k.Name, i, err)
		}
		if err := ch.make(ctx); err != nil {
			return samples, fmt.Errorf("%s %d: %w", k.Name, i, err)
		}
		delays, err := c.await(time.Now(), ch.enforced)
		if err != nil {
			return samples, fmt.Errorf("%s %d: %w", k.Name, i, err)
		}
		samples = append(samples, Sample{Node: node, Delays: delays})
		if ch.after != nil {
			if err := ch.after(); err != nil {
				return samples, fmt.Errorf("%s %d: after the change: %w", k.Name, i, err)
			}
		}
	}
	return samples, nil
}

// await polls every node, each in its own goroutine and without pause,
// until enforced holds there, and returns each node's delay from ack. A
// sleep between probes would only round the delays up to its length; a
// probe's own latency counts in them unless FromProbeStart.
func (c *Cluster) await(ack time.Time, enforced func(base string) (bool, error)) ([]time.Duration, error) {
	limit := c.Limit
	if limit == 0 {
		limit = 20 * time.Second
	}
	delays := make([]time.Duration, len(c.Nodes))
	errs := make([]error, len(c.Nodes))
	var wg sync.WaitGroup
	for i, base := range c.Nodes {
		wg.Go(func() {
			for {
				sent := time.Now()
				ok, err := enforced(base)
				now := time.Now()
				switch {
				case err != nil:
					errs[i] = fmt.Errorf("node %d: %w", i, err)
					return
				case ok && c.FromProbeStart:
					delays[i] = max(0, sent.Sub(ack))
					return
				case ok:
					delays[i] = now.Sub(ack)
					return
				case now.Sub(ack) > limit:
					errs[i] = fmt.Errorf("node %d does not enforce the change %v after it was acknowledged", i, limit)
					return
				}
			}
		})
	}
	wg.Wait()
	return delays, errors.Join(errs...)
}

// Summary is the nearest-rank percentiles of delays.
type Summary struct {
	P50, P90, P99, Max time.Duration
}

// Summarize returns the percentiles of ds (at least one).
func Summarize(ds []time.Duration) Summary {
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := func(p int) time.Duration { return s[max(0, (p*len(s)+99)/100-1)] }
	return Summary{rank(50), rank(90), rank(99), s[len(s)-1]}
}

func (s Summary) String() string {
	r := func(d time.Duration) time.Duration { return d.Round(100 * time.Microsecond) }
	return fmt.Sprintf("p50 %v, p90 %v, p99 %v, max %v", r(s.P50), r(s.P90), r(s.P99), r(s.Max))
}
