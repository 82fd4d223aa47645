package server

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/vault"
)

// UsageRecorder records the requests usage plans admitted (internal/usage's
// Recorder): the gateway calls Record on every such request; Serve runs it
// (Run, which writes the counts to the store every so often) while it
// serves and flushes what is left once the listeners have shut down, so
// that no admitted request goes uncounted at a clean stop.
type UsageRecorder interface {
	gateway.UsageRecorder
	Run(ctx context.Context)
	Flush(ctx context.Context) error
}

// apiKeyCatalog is what the gateway's API keys are read from: the
// catalog's keys by the keyed hash of their value, and its usage plans.
type apiKeyCatalog interface {
	APIKeyByHash(hash []byte) (*tollgate.APIKey, bool)
	UsagePlan(id string) (*tollgate.UsagePlan, bool)
}

// limitsCatalog is what the token endpoint reads of token limits: each
// pool's.
type limitsCatalog interface {
	PoolLimits(poolID string) (tollgate.TokenLimits, bool)
	AnyLockout() bool
}

// apiKeys is the gateway's view of API keys: a presented value is hashed
// under each of the vault's master keys (during a rotation, keys not yet
// hashed again under the new one are still found by the old) and looked up
// by hash; the value itself is never kept or compared.
type apiKeys struct {
	vault *vault.Vault
	apiKeyCatalog
}

func (k apiKeys) APIKey(value string) (*tollgate.APIKey, bool) {
	// A value no key can have is not worth a hash per master key.
	if len(value) < tollgate.MinAPIKeyValueLength || len(value) > tollgate.MaxAPIKeyValueLength {
		return nil, false
	}
	var buf [vault.MaxKeys][]byte
	for _, h := range k.vault.AppendAPIKeyHashes(buf[:0], value) {
		if key, ok := k.APIKeyByHash(h); ok {
			return key, true
		}
	}
	return nil, false
}

// countingLimiter counts a limiter's errors in
// tollgate_limiter_errors_total{component}: what fails open or closed
// (--redis-failure) shows there, besides the component's own log.
type countingLimiter struct {
	limit.Limiter
	errs prometheus.Counter
}

func (l countingLimiter) Take(ctx context.Context, now time.Time, checks []limit.Check) (limit.Result, error) {
	r, err := l.Limiter.Take(ctx, now, checks)
	if err != nil && ctx.Err() == nil { // a caller gone is no failure of the limiter's
		l.errs.Inc()
	}
	return r, err
}

func (l countingLimiter) Strike(ctx context.Context, now time.Time, key string, lo limit.Lockout) (time.Time, error) {
	until, err := l.Limiter.Strike(ctx, now, key, lo)
	if err != nil && ctx.Err() == nil {
		l.errs.Inc()
	}
	return until, err
}

// limiterFor returns l counting its errors as component's, or nil when l
// is nil (an untyped nil: the component counts nothing shared).
func (s *Server) limiterFor(l limit.Limiter, component string) limit.Limiter {
	if l == nil {
		return nil
	}
	return countingLimiter{l, s.limiterErrors.WithLabelValues(component)}
}

// gatewayAPIKeys returns the gateway's API keys, nil when the catalog
// keeps none.
func (s *Server) gatewayAPIKeys() gateway.APIKeys {
	c, ok := any(s.catalog).(apiKeyCatalog)
	if !ok {
		return nil
	}
	return apiKeys{s.opts.Vault, c}
}

// gatewayUsage returns the gateway's usage recorder, an untyped nil when
// there is none.
func (s *Server) gatewayUsage() gateway.UsageRecorder {
	if s.opts.Usage == nil {
		return nil
	}
	return s.opts.Usage
}

// runUsage runs the usage recorder until ctx ends and returns a function
// that waits for it to stop and flushes what it still holds, bounded by
// flushCtx: called once the listeners have shut down, so that every request
// the gateway admitted has been recorded.
func (s *Server) runUsage(ctx context.Context) func(flushCtx context.Context) {
	rec := s.opts.Usage
	if rec == nil {
		return func(context.Context) {}
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		rec.Run(runCtx)
	}()
	return func(flushCtx context.Context) {
		cancel()
		select {
		case <-done:
		case <-flushCtx.Done():
		}
		if err := rec.Flush(flushCtx); err != nil {
			s.opts.Logger.Error("usage plans' counts not written at shutdown: tollgate usage will miss them", "err", err)
		}
	}
}

// quotaUsage answers the gateway's QuotaUsed from the store's usage
// records, once per key and quota window: the sum of the key's daily
// records in the plan from the window's first day on, read when this
// process first counts the key locally in that window (at its first
// request there, or at the first while a shared limiter fails open; in
// that case what the shared limiter admitted meanwhile but the recorder
// had not yet written is missed, as are the last seconds of a crashed
// node's counts). It keeps one window per plan and key, so its
// size is bounded by the keys in use. A store that cannot be read counts
// as nothing used and is asked again on the next request.
type quotaUsage struct {
	st interface {
		Usage(ctx context.Context, planID, keyID, from, to string) ([]tollgate.UsageRecord, error)
	}
	now func() time.Time
	log *slog.Logger

	mu   sync.Mutex
	seen map[string]quotaWindow // by plan id + "\x00" + key id
}

type quotaWindow struct {
	start time.Time
	// epoch is the gateway's: 0 counting locally, the start of the shared
	// limiter's outage when counting in its place (each outage reads anew).
	epoch int64
	used  int64
}

func (q *quotaUsage) used(ctx context.Context, planID, keyID string, start time.Time, epoch int64) int64 {
	k := planID + "\x00" + keyID
	q.mu.Lock()
	w, ok := q.seen[k]
	q.mu.Unlock()
	if ok && w.start.Equal(start) && w.epoch == epoch {
		return w.used
	}
	// A caller that hangs up must not make the window read as unused.
	recs, err := q.st.Usage(context.WithoutCancel(ctx), planID, keyID, start.UTC().Format(tollgate.UsageDay), q.now().UTC().Format(tollgate.UsageDay))
	if err != nil {
		q.log.Warn("gateway: cannot read a key's usage of its quota window: counting from zero", "plan", planID, "key", keyID, "err", err)
		return 0
	}
	var used int64
	for _, r := range recs {
		used += r.Count
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if w, ok := q.seen[k]; ok && w.start.Equal(start) && w.epoch == epoch {
		return w.used // another request read it first: one answer per window
	}
	q.seen[k] = quotaWindow{start: start, epoch: epoch, used: used}
	return used
}
