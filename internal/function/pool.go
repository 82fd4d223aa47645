package function

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate"
)

// pool holds the instances of one function: idle ones (most recently used
// last, so the warmest is taken first) and a count of those that exist.
// An instance is started only when none is idle and fewer than max exist;
// otherwise a caller waits for one to come back.
type pool struct {
	r       *Runner
	fn      *tollgate.Function
	rt      *runtime
	codeDir string // fn.CodeDir, or the copy the function user can read
	max     int
	// builtin runs the function in process (tollgate.BuiltinFamily); such
	// a pool has no instances.
	builtin builtin

	mu     sync.Mutex
	idle   []*instance
	total  int           // instances that exist, idle or busy
	freed  chan struct{} // signalled when an instance comes back or goes away
	all    map[*instance]bool
	closed bool

	coldStarts  atomic.Int64
	invocations atomic.Int64
}

func newPool(r *Runner, f *tollgate.Function, rt *runtime, codeDir string, maxInstances int) *pool {
	return &pool{r: r, fn: f, rt: rt, codeDir: codeDir, max: maxInstances, freed: make(chan struct{}, 1), all: map[*instance]bool{}}
}

// acquire returns an idle instance, or a new one when there is none and
// the cap allows, or waits for one.
func (p *pool) acquire(ctx context.Context) (*instance, bool, error) {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, false, ErrClosed
		}
		if n := len(p.idle); n > 0 {
			in := p.idle[n-1]
			p.idle = p.idle[:n-1]
			p.mu.Unlock()
			if in.alive() {
				return in, false, nil
			}
			p.discard(in)
			continue
		}
		if p.total < p.max {
			p.total++
			p.mu.Unlock()
			in, err := p.start()
			if err != nil {
				p.mu.Lock()
				p.total--
				p.mu.Unlock()
				p.signal()
				return nil, false, err
			}
			return in, true, nil
		}
		p.mu.Unlock()
		select {
		case <-p.freed:
		case <-ctx.Done():
			return nil, false, ctx.Err()
		case <-p.r.stop:
			return nil, false, ErrClosed
		}
	}
}

// release gives an instance back after an invocation: to the idle list if
// it can take another, or away if it was stopped.
func (p *pool) release(in *instance) {
	if !in.alive() {
		p.discard(in)
		return
	}
	in.lastUsed.Store(p.r.opts.Now().UnixNano())
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.discard(in)
		return
	}
	p.idle = append(p.idle, in)
	p.mu.Unlock()
	p.signal()
}

// discard stops an instance and forgets it.
func (p *pool) discard(in *instance) {
	in.kill()
	p.mu.Lock()
	if p.all[in] {
		delete(p.all, in)
		p.total--
	}
	p.mu.Unlock()
	p.signal()
}

func (p *pool) signal() {
	select {
	case p.freed <- struct{}{}:
	default:
	}
}

// reap stops the instances idle for longer than the idle timeout.
func (p *pool) reap(now time.Time) {
	limit := now.Add(-p.r.opts.IdleTimeout).UnixNano()
	var stale []*instance
	p.mu.Lock()
	keep := p.idle[:0]
	for _, in := range p.idle {
		if in.lastUsed.Load() < limit || !in.alive() {
			stale = append(stale, in)
		} else {
			keep = append(keep, in)
		}
	}
	clear(p.idle[len(keep):])
	p.idle = keep
	p.mu.Unlock()
	for _, in := range stale {
		p.r.opts.Logger.Debug("function: stopping idle instance", "function", p.fn.Name, "instance", in.id)
		p.discard(in)
	}
}

// invoke runs one invocation on an instance.
func (p *pool) invoke(ctx context.Context, payload []byte) (*Result, error) {
	if p.builtin != nil {
		p.invocations.Add(1)
		id := newRequestID()
		res := p.builtin(id, payload)
		res.RequestID = id
		return &res, nil
	}
	in, cold, err := p.acquire(ctx)
	switch {
	case err == nil:
	case errors.Is(err, ErrClosed) || ctx.Err() != nil:
		return nil, err
	default:
		// The runtime could not be started: Lambda's answer for a
		// bootstrap it cannot run.
		p.r.opts.Logger.Error("function: cannot start an instance", "function", p.fn.Name, "error", err.Error())
		id := newRequestID()
		res := errorResult(id, "Runtime.InvalidEntrypoint", "%v", err)
		res.RequestID = id
		return &res, nil
	}
	p.invocations.Add(1)
	if cold {
		p.coldStarts.Add(1)
	}
	c := newCall(newRequestID(), payload)
	c.traceID = runtimeTraceID(ctx, c.id)
	in.calls <- c // buffered: an acquired instance has no call pending
	done := make(chan struct{})
	go func() {
		defer close(done)
		start := warmStart
		if cold {
			start = coldStart
		}
		in.await(c, start)
		p.release(in)
	}()
	select {
	case <-done:
		res := c.result
		res.RequestID, res.Cold = c.id, cold
		return &res, nil
	case <-ctx.Done():
		// The invocation runs on (to its end or its timeout); the
		// goroutine above gives the instance back then.
		return nil, ctx.Err()
	}
}

func (p *pool) stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{
		Instances:   p.total,
		Busy:        p.total - len(p.idle),
		ColdStarts:  p.coldStarts.Load(),
		Invocations: p.invocations.Load(),
	}
}

// close stops every instance.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	ins := make([]*instance, 0, len(p.all))
	for in := range p.all {
		ins = append(ins, in)
	}
	p.idle = nil
	p.mu.Unlock()
	for _, in := range ins {
		p.discard(in)
		<-in.exited
	}
}
