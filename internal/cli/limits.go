package cli

import (
	"cmp"
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
	f.redisURL = cmp.Or(f.redisURL, f.redisEnv)
	switch f.redisFailure {
	case redisFailOpen, redisFailClosed:
	default:
		return "", reported(2, "--redis-failure %q: want open or closed", f.redisFailure)
	}
	if f.redisTimeout <= 0 {
		return "", reported(2, "--redis-timeout %s: want a positive duration, e.g. 100ms", f.redisTimeout)
	}
	if f.redisPrefix == "" || len(f.redisPrefix) > maxRedisPrefix || strings.ContainsFunc(f.redisPrefix, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return "", reported(2, "--redis-prefix %q: want 1 to %d printable ASCII characters without spaces, e.g. tollgate-staging:", f.redisPrefix, maxRedisPrefix)
	}
	if f.redisURL == "" {
		return "", nil
	}
	// The URL may hold a password: errors name its parts, never the URL.
	u, err := url.Parse(f.redisURL)
	if err != nil {
		return "", reported(2, "--redis: not a URL; want redis://[user:password@]host:port[/db] or rediss://…")
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return "", reported(2, "--redis: scheme %q; want redis:// or rediss:// (TLS)", u.Scheme)
	}
	if u.Hostname() == "" {
		return "", reported(2, "--redis: no host; want redis://host:port")
	}
	host = u.Host
	if u.Port() == "" {
		host += ":6379"
	}
	return host, nil
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
	host, err := f.check()
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
	log.Info("limits shared through redis at "+host, "redis", host, "redis_prefix", f.redisPrefix, "redis_failure", f.redisFailure, "redis_timeout", f.redisTimeout)
	return l, nil
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
