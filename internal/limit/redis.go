package limit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis defaults.
const (
	DefaultPrefix  = "tollgate:"
	DefaultTimeout = 100 * time.Millisecond
)

// RedisOptions configure a Redis limiter.
type RedisOptions struct {
	// Prefix starts every key the limiter writes. Empty means
	// DefaultPrefix.
	Prefix string
	// Timeout bounds each Take and Strike (the round trip included). Zero
	// means DefaultTimeout.
	Timeout time.Duration
	// Logger receives, at debug level, what the Redis client would log
	// (a failed dial, a connection dropped). Nil discards it: the caller
	// reports failures through Take's and Strike's errors. The client's
	// logger is one per process, so the last NewRedis given a Logger
	// sets it.
	Logger *slog.Logger
}

// clientLog is the Redis client's logger (redis.SetLogger is process-wide):
// the client writes plain-text lines to stderr by default, one per failed
// dial, which would break a JSON log and repeat an outage that the caller
// reports once. It forwards them at debug level to clientLogger, or
// discards them.
type clientLog struct{}

var (
	clientLogOnce sync.Once
	clientLogger  atomic.Pointer[slog.Logger]
)

func (clientLog) Printf(ctx context.Context, format string, v ...any) {
	if l := clientLogger.Load(); l != nil && l.Enabled(ctx, slog.LevelDebug) {
		l.DebugContext(ctx, "redis client: "+fmt.Sprintf(format, v...))
	}
}

// quietClientLog installs clientLog, once per process, and points it at l
// when l is not nil.
func quietClientLog(l *slog.Logger) {
	clientLogOnce.Do(func() { redis.SetLogger(clientLog{}) })
	if l != nil {
		clientLogger.Store(l)
	}
}

// Redis counts in a Redis server, so that every node sharing it counts
// each request once. Each Take and each Strike is one Lua script, run
// atomically by Redis in one round trip (EVALSHA, falling back to EVAL
// when the server does not have the script yet).
//
// The scripts are given the caller's now rather than reading Redis's
// clock, so that tests drive time and nodes agree as well as their clocks
// do (keep them synchronised, by NTP or the like: a node whose clock runs
// ahead spends others' burst early). Expiries are relative to that now,
// plus 10 s of grace, and only reclaim memory: answers compare the stored
// times with now.
//
// The scripts touch several keys, so Redis Cluster, where those keys may
// live in different slots, is not supported: use a single primary (with
// replicas for failover if need be) or a single-shard managed service.
type Redis struct {
	client  *redis.Client
	prefix  string
	timeout time.Duration
}

// NewRedis connects to the Redis server at url (redis://[user:password@]
// host:port[/db] or rediss:// for TLS, as redis.ParseURL reads them). It
// does not dial: the first Take does, and reports an unreachable server
// as its error.
func NewRedis(url string, opts RedisOptions) (*Redis, error) {
	quietClientLog(opts.Logger)
	o, err := redis.ParseURL(url)
	if err != nil {
		// ParseURL's errors quote the URL, password included.
		return nil, errors.New("limit: the Redis URL is not a redis:// or rediss:// URL")
	}
	// No retries: a script whose answer was lost may have charged, and
	// running it again would charge twice; the caller's failure policy
	// decides what a failed Take means.
	o.MaxRetries = -1
	// One dial per attempt: a server that refuses connections fails the
	// Take at once rather than after the pool's backoff, so that failing
	// open or closed does not first cost every request the timeout.
	o.DialerRetries = 1
	r := &Redis{client: redis.NewClient(o), prefix: opts.Prefix, timeout: opts.Timeout}
	if r.prefix == "" {
		r.prefix = DefaultPrefix
	}
	if r.timeout <= 0 {
		r.timeout = DefaultTimeout
	}
	return r, nil
}

// grace (milliseconds) is added to every expiry. Expiries run on Redis's
// clock from the caller's now, so a key could vanish before the caller's
// clock reaches the time it holds: when nodes' clocks are apart, when a
// node stalls between two Takes (on a loaded machine, tens of
// milliseconds), or when a test drives its clock slower than real time.
// Answers compare stored times with now, so a longer life is harmless;
// an early death would admit too much.
const grace = "local GRACE = 10000\n"

// Times cross to the scripts as Unix microseconds, integers: a Lua number
// (a double) holds them exactly, and the scripts format them with %.0f,
// since Lua's default number format keeps 14 digits only.

// takeScript evaluates every check (KEYS[i], and ARGV[3i-1..3i+1]: kind,
// a, b) at ARGV[1], returns {index, retry µs} of the first that refuses,
// or charges all and returns {-1, 0}.
//
//	rate:  a = emission interval µs, b = burst; the key holds the TAT
//	quota: a = limit, b = reset µs; the key holds the count
//	lock:  the key holds the lock's end (written by strikeScript)
var takeScript = redis.NewScript(grace + `
local now = tonumber(ARGV[1])
local tats = {}
for i = 1, #KEYS do
  local kind, a, b = ARGV[3*i-1], tonumber(ARGV[3*i]), tonumber(ARGV[3*i+1])
  if kind == 'r' then
    local tat = tonumber(redis.call('GET', KEYS[i]) or now)
    if tat < now then tat = now end
    local n = tat + a
    local allowAt = n - a * b
    if now < allowAt then return {i - 1, allowAt - now} end
    tats[i] = n
  elseif kind == 'q' then
    if b > now then
      local count = tonumber(redis.call('GET', KEYS[i]) or 0)
      if count >= a then return {i - 1, b - now} end
    elseif a <= 0 then
      return {i - 1, 0}
    end
  else
    local untilAt = tonumber(redis.call('GET', KEYS[i]) or 0)
    if untilAt > now then return {i - 1, untilAt - now} end
  end
end
for i = 1, #KEYS do
  local kind, b = ARGV[3*i-1], tonumber(ARGV[3*i+1])
  if kind == 'r' then
    redis.call('SET', KEYS[i], string.format('%.0f', tats[i]), 'PX', math.ceil((tats[i] - now) / 1000) + GRACE)
  elseif kind == 'q' and b > now then
    redis.call('INCR', KEYS[i])
    redis.call('PEXPIRE', KEYS[i], math.ceil((b - now) / 1000) + GRACE)
  end
end
return {-1, 0}
`)

// strikeScript counts a failure of KEYS[1] (a hash: s, the window's start;
// n, the failures) at ARGV[1] with ARGV[2] max failures, ARGV[3] window
// µs, ARGV[4] lock µs; at the maximum it forgets the failures and locks
// KEYS[2] (its value the lock's end). A key already locked is left as it
// is: neither counted nor extended. It returns the lock's end, or 0.
var strikeScript = redis.NewScript(grace + `
local now, maxf, window, dur = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local locked = tonumber(redis.call('GET', KEYS[2]) or 0)
if locked > now then return locked end
local f = redis.call('HMGET', KEYS[1], 's', 'n')
local start, n = tonumber(f[1]), tonumber(f[2])
if not start or start + window <= now then start, n = now, 0 end
n = n + 1
local untilAt = tonumber(redis.call('GET', KEYS[2]) or 0)
if n >= maxf then
  redis.call('DEL', KEYS[1])
  if now + dur > untilAt then
    untilAt = now + dur
    redis.call('SET', KEYS[2], string.format('%.0f', untilAt), 'PX', math.ceil(dur / 1000) + GRACE)
  end
else
  redis.call('HSET', KEYS[1], 's', string.format('%.0f', start), 'n', n)
  redis.call('PEXPIRE', KEYS[1], math.ceil((start + window - now) / 1000) + GRACE)
end
if untilAt > now then return untilAt end
return 0
`)

// Take implements Limiter in one round trip. Keys within one Take must be
// distinct.
func (r *Redis) Take(ctx context.Context, now time.Time, checks []Check) (Result, error) {
	if len(checks) == 0 {
		return Result{Refused: -1}, nil
	}
	keys := make([]string, len(checks))
	args := make([]any, 1, 1+3*len(checks))
	args[0] = now.UnixMicro()
	for i := range checks {
		c := &checks[i]
		switch c.kind() {
		case kindRate:
			interval, burst := c.Rate.interval()
			keys[i] = r.prefix + "r:" + c.Key
			args = append(args, "r", max(interval/int64(time.Microsecond), 1), burst)
		case kindQuota:
			keys[i] = r.prefix + "q:" + c.Key
			args = append(args, "q", c.Limit, c.Reset.UnixMicro())
		case kindLock:
			keys[i] = r.lockKey(c.Key)
			args = append(args, "l", 0, 0)
		default:
			return Result{}, fmt.Errorf("%w (check %d)", errNoLimit, i)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	v, err := takeScript.Run(ctx, r.client, keys, args...).Int64Slice()
	if err != nil {
		return Result{}, fmt.Errorf("limit: redis: %w", err)
	}
	if len(v) != 2 {
		return Result{}, fmt.Errorf("limit: redis: the script answered %d values", len(v))
	}
	if v[0] < 0 {
		return Result{Refused: -1}, nil
	}
	return Result{Refused: int(v[0]), RetryAfter: time.Duration(v[1]) * time.Microsecond}, nil
}

// Strike implements Limiter in one round trip.
func (r *Redis) Strike(ctx context.Context, now time.Time, key string, l Lockout) (time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	keys := []string{r.prefix + "f:" + key, r.lockKey(key)}
	until, err := strikeScript.Run(ctx, r.client, keys, now.UnixMicro(), max(l.MaxFailures, 1),
		max(l.Window.Microseconds(), 1), max(l.Duration.Microseconds(), 1)).Int64()
	if err != nil {
		return time.Time{}, fmt.Errorf("limit: redis: %w", err)
	}
	if until == 0 {
		return time.Time{}, nil
	}
	return time.UnixMicro(until), nil
}

// Unlock forgets key's lock and its counted failures (Strike's), and
// reports whether it was locked: an operator's relief for a client id
// locked out by someone else's failures.
func (r *Redis) Unlock(ctx context.Context, now time.Time, key string) (wasLocked bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	until, err := r.client.Get(ctx, r.lockKey(key)).Int64()
	if err != nil && !errors.Is(err, redis.Nil) {
		return false, fmt.Errorf("limit: redis: %w", err)
	}
	if err := r.client.Del(ctx, r.prefix+"f:"+key, r.lockKey(key)).Err(); err != nil {
		return false, fmt.Errorf("limit: redis: %w", err)
	}
	return until > now.UnixMicro(), nil
}

// Ping reports whether the server answers, within the limiter's timeout.
func (r *Redis) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := r.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("limit: redis: %w", err)
	}
	return nil
}

// Close implements Limiter: it closes the connections to Redis.
func (r *Redis) Close() error { return r.client.Close() }

// Client returns the Redis client, for other state every node shares in
// the same Redis (the replay cache, internal/replay). Close closes it.
func (r *Redis) Client() *redis.Client { return r.client }

func (r *Redis) lockKey(key string) string { return r.prefix + "l:" + key }

// String describes r without its URL's password.
func (r *Redis) String() string {
	o := r.client.Options()
	return "redis " + o.Addr + "/" + strconv.Itoa(o.DB) + " prefix " + r.prefix
}
