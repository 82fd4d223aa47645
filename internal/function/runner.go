package function

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/tollgate/tollgate"
)

// Lambda's limits that a local runner keeps too.
const (
	// MaxPayloadBytes bounds a synchronous invocation's request and
	// response payloads (6 MB, Lambda's quota).
	MaxPayloadBytes = 6 << 20
	// InitTimeout bounds an instance's start: from the process's start to
	// its first request for an invocation (Lambda's 10 s init phase).
	InitTimeout = 10 * time.Second
	// DefaultIdleTimeout is how long an unused instance is kept warm.
	DefaultIdleTimeout = 10 * time.Minute
	// DefaultMaxInstances caps the instances of a function without a
	// reserved concurrency of its own.
	DefaultMaxInstances = 10
)

// Errors of Invoke that are not the function's own.
var (
	// ErrNotFound: no function has that name.
	ErrNotFound = errors.New("function not found")
	// ErrClosed: the runner is shutting down.
	ErrClosed = errors.New("function runner closed")
	// ErrPayloadTooLarge: the request payload is over MaxPayloadBytes.
	ErrPayloadTooLarge = errors.New("request payload too large")
)

// Result is what an invocation returned. A function error (the handler
// threw, the instance crashed, timed out or could not start) is not a Go
// error: like Lambda's Invoke, it comes back as a Result whose
// FunctionError is "Unhandled" and whose Payload is the error document
// ({"errorMessage","errorType",…}).
type Result struct {
	Payload       []byte
	FunctionError string
	// RequestID is the invocation's id (Lambda-Runtime-Aws-Request-Id).
	RequestID string
	// Cold reports that a new instance was started for the invocation.
	Cold bool
}

// Options configure a Runner.
type Options struct {
	Functions []*tollgate.Function
	// IdleTimeout is how long an instance may wait unused before it is
	// stopped (default DefaultIdleTimeout).
	IdleTimeout time.Duration
	// MaxInstances caps the instances of a function that has no
	// ReservedConcurrency (default DefaultMaxInstances).
	MaxInstances int
	// Node and Python are the interpreters of the nodejs* and python3.*
	// runtimes (default: "node" and "python3" found on PATH).
	Node, Python string
	// BaseEnv is the environment every function process starts from
	// before Lambda's variables and the function's own are added (default:
	// PATH, HOME, TMPDIR and LANG of this process, and its AWS credentials
	// if set). Nothing else of Tollgate's environment reaches a function:
	// it may hold the master key.
	BaseEnv []string
	Now     func() time.Time
	Logger  *slog.Logger
}

// Runner runs the configured functions.
type Runner struct {
	opts    Options
	pools   map[string]*pool
	rtDir   string // bootstraps are written here
	stop    chan struct{}
	stopped sync.Once
	wg      sync.WaitGroup
}

// New prepares a runner: it finds each function's runtime and writes the
// bootstraps it ships. It starts no instance; the first invocation of a
// function does.
func New(opts Options) (*Runner, error) {
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.MaxInstances <= 0 {
		opts.MaxInstances = DefaultMaxInstances
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.BaseEnv == nil {
		opts.BaseEnv = defaultBaseEnv()
	}
	r := &Runner{opts: opts, pools: map[string]*pool{}, stop: make(chan struct{})}
	if len(opts.Functions) == 0 {
		return r, nil
	}
	dir, err := os.MkdirTemp("", "tollgate-runtime-")
	if err != nil {
		return nil, fmt.Errorf("function: runtime directory: %w", err)
	}
	r.rtDir = dir
	for _, f := range opts.Functions {
		if r.pools[f.Name] != nil {
			r.Close()
			return nil, fmt.Errorf("function: two functions are named %s", f.Name)
		}
		rt, err := r.runtimeFor(f)
		if err != nil {
			r.Close()
			return nil, err
		}
		max := opts.MaxInstances
		if f.ReservedConcurrency > 0 {
			max = f.ReservedConcurrency
		}
		r.pools[f.Name] = newPool(r, f, rt, max)
	}
	return r, nil
}

// Start runs the reaper that stops idle instances, until ctx ends or Close.
func (r *Runner) Start(ctx context.Context) {
	if len(r.pools) == 0 {
		return
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		tick := time.NewTicker(max(r.opts.IdleTimeout/4, 10*time.Millisecond))
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-r.stop:
				return
			case <-tick.C:
				for _, p := range r.pools {
					p.reap(r.opts.Now())
				}
			}
		}
	}()
}

// Has reports whether a function has that name.
func (r *Runner) Has(name string) bool { return r.pools[name] != nil }

// Invoke runs the named function on payload and returns its result. It
// waits for a free instance when the function's instances are all busy,
// and starts one when none is warm. ctx bounds only the wait for the
// result: an invocation that the caller stops waiting for runs on until it
// ends or times out, as on Lambda, and its instance is reused after.
func (r *Runner) Invoke(ctx context.Context, name string, payload []byte) (*Result, error) {
	p := r.pools[name]
	if p == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	if len(payload) > MaxPayloadBytes {
		return nil, ErrPayloadTooLarge
	}
	return p.invoke(ctx, payload)
}

// Stats are counts of a function's instances and invocations.
type Stats struct {
	Instances, Busy int
	ColdStarts      int64
	Invocations     int64
}

// Stats returns the named function's counts.
func (r *Runner) Stats(name string) Stats {
	p := r.pools[name]
	if p == nil {
		return Stats{}
	}
	return p.stats()
}

// Close stops every instance and waits for them to exit.
func (r *Runner) Close() {
	r.stopped.Do(func() {
		close(r.stop)
		for _, p := range r.pools {
			p.close()
		}
		r.wg.Wait()
		if r.rtDir != "" {
			os.RemoveAll(r.rtDir)
		}
	})
}
