package function

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tollgate/tollgate"
)

// Lambda's limits that a local runner keeps too.
const (
	// maxPayloadBytes bounds a synchronous invocation's request and
	// response payloads (6 MB, Lambda's quota).
	maxPayloadBytes = 6 << 20
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
	// ErrPayloadTooLarge: the request payload is over maxPayloadBytes.
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
	// PATH, HOME, TMPDIR and LANG of this process). Nothing else of
	// Tollgate's environment reaches a function: it may hold the master
	// key, or AWS credentials that are one of Tollgate's access keys.
	// Functions get placeholder AWS credentials unless BaseEnv or their
	// own environment names a source of them (see credentialsEnv).
	BaseEnv []string
	// User, if set, is who function processes run as (Tollgate must be
	// root): then each instance gets a HOME and TMPDIR of its own, and a
	// function whose code directory that user cannot read runs a copy of
	// it. Unset, they run as Tollgate's own user, and file permissions
	// cannot keep them from anything Tollgate may read.
	User   *User
	Now    func() time.Time
	Logger *slog.Logger
}

// Runner runs the configured functions.
type Runner struct {
	opts    Options
	pools   map[string]*pool
	rtDir   string      // bootstraps, staged code and instance homes are here
	ids     *identities // the function user's; nil without one
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
	if opts.User != nil {
		if !canSwitchUser() {
			return nil, fmt.Errorf("function: running functions as %s needs Tollgate to run as root", opts.User.Name)
		}
		if opts.User.isRange() && !canKillUID {
			return nil, fmt.Errorf("function: a uid range (%s) needs Linux, to kill what each instance leaves behind before its uid is reused", opts.User.Name)
		}
		r.ids = opts.User.identities()
	}
	dir, err := os.MkdirTemp("", "tollgate-runtime-")
	if err != nil {
		return nil, fmt.Errorf("function: runtime directory: %w", err)
	}
	r.rtDir = dir
	if r.ids != nil {
		// The function user finds the bootstraps and its code by name,
		// and cannot list what is there (other instances' homes).
		err := os.Chmod(dir, 0o711) //nolint:gosec // G302: search only, for the function user who is not its owner: it opens bootstraps and code by name and cannot list the directory
		if err == nil {
			err = accessible(r.ids.first(), dir, mayExec)
		}
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("function: runtime directory (under TMPDIR) for %s: %w", opts.User.Name, err)
		}
	}
	for _, f := range opts.Functions {
		if err := r.addPool(f); err != nil {
			r.Close()
			return nil, err
		}
	}
	return r, nil
}

// addPool prepares f's pool: its runtime, and its code where the function
// user can read it.
func (r *Runner) addPool(f *tollgate.Function) error {
	if r.pools[f.Name] != nil {
		return fmt.Errorf("function: two functions are named %s", f.Name)
	}
	if rt, ok := tollgate.LookupRuntime(f.Runtime); ok && rt.Family == tollgate.BuiltinFamily {
		b, ok := builtins[f.Runtime]
		if !ok {
			return fmt.Errorf("function %s: unsupported runtime %q", f.Name, f.Runtime)
		}
		r.pools[f.Name] = &pool{r: r, fn: f, builtin: b}
		return nil
	}
	codeDir, err := r.codeDirFor(f)
	if err != nil {
		return err
	}
	rt, err := r.runtimeFor(f, codeDir)
	if err != nil {
		return err
	}
	maxInstances := r.opts.MaxInstances
	if f.ReservedConcurrency > 0 {
		maxInstances = f.ReservedConcurrency
	}
	r.pools[f.Name] = newPool(r, f, rt, codeDir, maxInstances)
	return nil
}

// codeDirFor returns the directory f's instances run in: its code
// directory, or, when the function user cannot read all of it, a copy
// (see stageCode).
func (r *Runner) codeDirFor(f *tollgate.Function) (string, error) {
	if r.ids == nil {
		return f.CodeDir, nil
	}
	why := readableTree(r.ids.first(), f.CodeDir)
	if why == nil {
		return f.CodeDir, nil
	}
	dst := filepath.Join(r.rtDir, "code", f.Name)
	if err := os.MkdirAll(filepath.Dir(dst), 0o711); err != nil { //nolint:gosec // G301: search only, as the runtime directory: the function user reaches its own code by name
		return "", fmt.Errorf("function %s: %w", f.Name, err)
	}
	if err := stageCode(f.CodeDir, dst, r.ids.codeGroup()); err != nil {
		return "", fmt.Errorf("function %s: copy its code directory for %s: %w", f.Name, r.opts.User.Name, err)
	}
	r.opts.Logger.Warn("function: the function user cannot read the code directory, so a copy made now runs (edits show after a restart)",
		"function", f.Name, "user", r.opts.User.Name, "code", f.CodeDir, "copy", dst, "reason", why.Error())
	return dst, nil
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
	if len(payload) > maxPayloadBytes {
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
