package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/server"
)

// What --redis-failure may say.
const (
	redisFailOpen   = "open"
	redisFailClosed = "closed"
)

// limitFlags are the flags of where limits are counted.
type limitFlags struct {
	redisURL     string        // --redis, or TOLLGATE_REDIS (redisEnv)
	redisEnv     string        // TOLLGATE_REDIS, read when the flags are registered
	redisPrefix  string        // --redis-prefix
	redisFailure string        // --redis-failure
	redisTimeout time.Duration // --redis-timeout
}

// maxRedisPrefix bounds --redis-prefix: it starts every key of every
// request's round trip.
const maxRedisPrefix = 64

func (f *limitFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	// The URL may hold a password, which an argument shows to every user
	// of the machine (ps): TOLLGATE_REDIS keeps it out of the command
	// line, as TOLLGATE_DATABASE does the database's. It is read now,
	// since harden removes it from the environment before the command
	// runs, and is not the flag's default, which --help would print.
	f.redisEnv = os.Getenv("TOLLGATE_REDIS")
	fs.StringVar(&f.redisURL, "redis", "", "redis:// or rediss:// URL of the Redis server (one primary, not a cluster) where every node sharing it counts the gateway's throttles, usage plans' quotas and the token endpoint's quotas and lockouts once; without it each node counts alone, so N nodes admit up to N times a limit (env TOLLGATE_REDIS: prefer it when the URL holds a password, which an argument shows in ps)")
	fs.StringVar(&f.redisPrefix, "redis-prefix", limit.DefaultPrefix, "prefix of every key the limits write in Redis: give each deployment sharing one Redis server its own, since API ids derive from logical ids and two deployments' APIs may have the same id")
	fs.StringVar(&f.redisFailure, "redis-failure", redisFailOpen, "when Redis cannot be reached within --redis-timeout: open (serve, each node counting alone: its gateway throttles, usage plans' throttles and quotas, the token endpoint's quotas and lockouts; nothing across nodes: availability first, as --store-outage=serve) or closed (answer 503 to requests a shared limit applies to: enforcement first); /readyz stays ready in both, since every node shares Redis")
	fs.DurationVar(&f.redisTimeout, "redis-timeout", 100*time.Millisecond, "how long one call to Redis may take before it counts as failed (--redis-failure)")
}

// check validates the flags (--redis defaulting to TOLLGATE_REDIS) and returns the Redis server's address as the
// log may show it (host:port, never the URL's user or password), or ""
// without --redis.
func (f *limitFlags) check() (host string, err error) {
	host, _, err = f.checkDB()
	return host, err
}

// checkDB is check, with the database number the URL's path names ("" for
// none: go-redis uses database 0).
func (f *limitFlags) checkDB() (host, db string, err error) {
	f.redisURL = cmp.Or(f.redisURL, f.redisEnv)
	switch f.redisFailure {
	case redisFailOpen, redisFailClosed:
	default:
		return "", "", reported(2, "--redis-failure %q: want open or closed", f.redisFailure)
	}
	if f.redisTimeout <= 0 {
		return "", "", reported(2, "--redis-timeout %s: want a positive duration, e.g. 100ms", f.redisTimeout)
	}
	if f.redisPrefix == "" || len(f.redisPrefix) > maxRedisPrefix || strings.ContainsFunc(f.redisPrefix, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return "", "", reported(2, "--redis-prefix %q: want 1 to %d printable ASCII characters without spaces, e.g. tollgate-staging:", f.redisPrefix, maxRedisPrefix)
	}
	if f.redisURL == "" {
		return "", "", nil
	}
	// The URL may hold a password: errors name its parts, never the URL.
	u, err := url.Parse(f.redisURL)
	if err != nil {
		return "", "", reported(2, "--redis: not a URL; want redis://[user:password@]host:port[/db] or rediss://…")
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return "", "", reported(2, "--redis: scheme %q; want redis:// or rediss:// (TLS)", u.Scheme)
	}
	if u.Hostname() == "" {
		return "", "", reported(2, "--redis: no host; want redis://host:port")
	}
	host = u.Host
	if u.Port() == "" {
		host += ":6379"
	}
	return host, strings.Trim(u.Path, "/"), nil
}

// limiters are the limiters a server counts in: shared (nil without
// --redis) or local, which the caller closes once the server has stopped.
type limiters struct {
	shared, local, tokenLocal limit.Limiter
	failOpen                  bool
}

// openLimiters opens the limiter the flags say and logs where limits are
// counted.
func openLimiters(f limitFlags, log *slog.Logger) (*limiters, error) {
	host, db, err := f.checkDB()
	if err != nil {
		return nil, err
	}
	// The local limiters count alone without Redis, and in Redis's place
	// while it fails open.
	l := &limiters{failOpen: f.redisFailure == redisFailOpen, local: newLocalLimiter(), tokenLocal: newTokenLocalLimiter()}
	if host == "" {
		log.Info("limits counted in this process only: each node admits its own share of every limit (--redis shares them)")
		return l, nil
	}
	if l.shared, err = newRedisLimiter(f.redisURL, limit.RedisOptions{Prefix: f.redisPrefix, Timeout: f.redisTimeout, Logger: log}); err != nil {
		// The error of a URL the flags accepted names no password: go-redis
		// reports its parts.
		return nil, fmt.Errorf("--redis %s: %w", host, err)
	}
	attrs := []any{"redis", host, "redis_prefix", f.redisPrefix, "redis_failure", f.redisFailure, "redis_timeout", f.redisTimeout}
	if db != "" {
		attrs = append(attrs, "redis_db", db)
	}
	log.Info("limits shared through redis at "+host, attrs...)
	pingRedis(l.shared, host, f.redisFailure, f.redisTimeout, log)
	return l, nil
}

// pingRedis checks once that Redis answers, so that a wrong --redis shows
// at start rather than at the first request. A failure is logged, naming
// what requests get until Redis answers, and the server starts all the
// same: Redis may come up after it, and the failure policy already says
// what to do meanwhile.
func pingRedis(l limit.Limiter, host, failure string, timeout time.Duration, log *slog.Logger) {
	p, ok := l.(interface{ Ping(context.Context) error })
	if !ok {
		return
	}
	// Ping bounds itself by --redis-timeout; this bounds it should it not.
	ctx, cancel := context.WithTimeout(context.Background(), 2*timeout)
	defer cancel()
	err := p.Ping(ctx)
	if err == nil {
		return
	}
	then := "each node counts alone (--redis-failure open) until it answers"
	if failure == redisFailClosed {
		then = "requests with shared limits get 503 (--redis-failure closed) until it answers"
	}
	log.Warn("redis at "+host+" does not answer: "+then, "redis", host, "redis_failure", failure, "err", err)
}

// options fills the server's limiter options.
func (l *limiters) options(o *server.Options) {
	o.Limiter, o.LocalLimiter, o.LimiterFailOpen = l.shared, l.local, l.failOpen
	o.TokenLocalLimiter = l.tokenLocal
}

// Close closes the limiters.
func (l *limiters) Close() error {
	var errs []error
	for _, x := range []limit.Limiter{l.shared, l.local, l.tokenLocal} {
		if x != nil {
			errs = append(errs, x.Close())
		}
	}
	return errors.Join(errs...)
}
