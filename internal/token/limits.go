package token

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/oauth2"
)

// Token limits, a Tollgate extension of the token endpoint (Cognito has
// none per client): a lockout of client ids after repeated failed
// authentications, and token quotas per client per hour and per day, both
// counted by Options.Limiter so that every node sharing it counts once.
//
// Lockout (RFC 6749 §10.10 and RFC 9700 §4 ask the server to resist
// guessing of credentials). A failed authentication (unknown client, wrong
// secret, a client without a secret, a client of another pool than the
// host's) of a presented client id is a Strike under the lockout of the
// pool whose domain the request came in on, or BaseLockout on the shared
// host: never the client's own pool's, which an unknown id has not, so
// that known and unknown ids are counted alike. While the id is locked,
// its requests are refused before the secret is checked (a Take with a
// Locked check, no keyed hash) with exactly the answer of a wrong secret:
// a locked id is indistinguishable from a wrong secret, and the right
// secret gets no token. No Retry-After is sent: it would be the only
// difference between the two answers, telling an attacker that the id was
// locked and when to resume. Only ids of the shape of Tollgate's client ids
// (hasClientIDShape) are counted: no other id can name a client, its
// answer is the same whether counted or not, and an attacker cannot fill
// the counters with ids of any length. The key is a hash of the id, so
// that the limiter's store never holds a presented value (a secret sent as
// the id, say). The key is the id's alone, not the host's: a lock holds
// on every host, so that switching hosts does not evade it. Lockouts
// apply at every endpoint that authenticates clients (token, revoke,
// introspect). Only failures with a secret presented are counted: a
// request without one guesses nothing.
//
// Quotas. After the client authenticated and its request was found valid
// (flow, scope), and before a trigger runs or a token is signed, one Take
// charges the client's quotas: its own TokenLimits when set, else its
// pool's. Windows are the UTC clock hour and the UTC day; keys name the
// client and the window's start. A request refused for quota issues no
// token and is not charged (Take charges nothing when a check refuses);
// requests refused before the Take (authentication, flow, scope) charge
// nothing. A trigger or signing failure after the Take does charge.
//
// An exhausted quota is answered 429 Too Many Requests (RFC 6585 §4) with
// Retry-After (RFC 9110 §10.2.3) to the window's end, and the RFC 6749
// §5.2 error code invalid_request: RFC 6749 has no code for a quota, a
// §5.2 code is one every OAuth client library parses, and AWS's own OAuth
// 2 token service (AWS Sign-In, TooManyRequestsError) answers rate limits
// with 429 and INVALID_REQUEST. 429 lets HTTP tooling back off.
//
// Limiter failures. With LimiterFailOpen the request is served as if no
// limit applied; otherwise it is answered 503 temporarily_unavailable, the
// shape of the server's store outage answer. Either way the outage is
// logged once when it starts and once when it ends, and each failure is
// reported to the Observer. A Strike that fails leaves the failed
// authentication answered as such (it is refused anyway).

// ActionLockout is the audited action of a client id locked out of the
// token endpoint: one event when a lock starts.
const ActionLockout = "token.lockout"

// reasonLockedOut is the audit reason of a request refused because its
// client id is locked out.
const reasonLockedOut = "locked_out"

// Quota windows, as Observer.ObserveQuota names them.
const (
	WindowHour = "hour"
	WindowDay  = "day"
)

// Observer is told of the token limits' events, for metrics; the server
// implements it with Prometheus counters. Its labels are bounded: pool ids
// and the ids of clients found, never a presented id. Methods must not
// block.
type Observer interface {
	// ObserveLockout is called once when a client id is locked out, with
	// the pool of the request's host ("" on the shared host).
	ObserveLockout(poolID string)
	// ObserveQuota is called for each token request refused for quota:
	// the authenticated client, its pool and the window (WindowHour or
	// WindowDay).
	ObserveQuota(poolID, clientID, window string)
	// ObserveLimiterError is called for each failed call to the limiter;
	// failOpen tells whether the request was served anyway.
	ObserveLimiterError(failOpen bool)
}

// errLockedOut is the cause, for the log and the audit reason, of a
// request refused because its client id is locked out.
var errLockedOut error = causeError("the client id is locked out after repeated failed authentications")

// errLimiterUnavailable answers a request whose limits cannot be counted
// when the limiter fails closed: RFC 6749 §4.1.2.1's temporarily_unavailable
// with 503, as the server answers a store outage on /oauth2/*.
var errLimiterUnavailable = &oauth2.Error{
	Code:        "temporarily_unavailable",
	Description: "the server cannot count this request against its limits; try again later",
	Status:      http.StatusServiceUnavailable,
}

// lockStarted wraps the cause of a failed authentication whose Strike
// locked the client id: fail audits the lock and tells the Observer.
type lockStarted struct {
	cause  error
	poolID string // the host's pool, "" on the shared host
	until  time.Time
}

func (e *lockStarted) Error() string {
	return e.cause.Error() + "; the client id is locked out until " + e.until.UTC().Format(time.RFC3339)
}

func (e *lockStarted) Unwrap() error { return e.cause }

// lockState is what authenticate knows of the lockout of a presented id.
type lockState struct {
	// hostPool is the pool whose domain the request came in on, when
	// onPoolHost.
	hostPool   string
	onPoolHost bool
	// lockout is the host's lockout; key, the id's key in the limiter,
	// empty when the id is not counted.
	lockout tollgate.Lockout
	key     string
	// locked: the id is locked out.
	locked bool
}

// lockState finds the host's pool and lockout (the pool's, or BaseLockout
// on the shared host) and, when the id is counted, whether it is locked.
// A limiter failure is served (not locked) when failing open, else it is
// the error to answer.
func (e *Endpoint) lockState(ctx context.Context, r *http.Request, id string) (lockState, error) {
	var s lockState
	if e.opts.PoolFromHost != nil {
		s.hostPool, s.onPoolHost = e.opts.PoolFromHost(r)
	}
	switch {
	case e.opts.Limiter == nil:
		return s, nil
	case s.onPoolHost:
		if e.opts.PoolLimits != nil {
			l, _ := e.opts.PoolLimits(s.hostPool)
			s.lockout = l.Lockout
		}
	case e.opts.BaseLockout != nil:
		s.lockout = e.opts.BaseLockout()
	}
	if !s.lockout.Enabled() || !hasClientIDShape(id) {
		return s, nil
	}
	s.key = lockKey(id)
	checks := [1]limit.Check{{Key: s.key, Locked: true}}
	res, err := e.opts.Limiter.Take(ctx, e.now(), checks[:])
	if err != nil {
		return s, e.limiterFailed(ctx, err)
	}
	e.limiterOK(ctx)
	s.locked = !res.Allowed()
	return s, nil
}

// lockKeyPrefix namespaces lockout keys in the limiter.
const lockKeyPrefix = "token:lockout:"

// lockKey is the limiter's key of a client id's lockout: a hash, so that
// the limiter never holds a presented value, of fixed length.
func lockKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	var b [len(lockKeyPrefix) + 22]byte
	copy(b[:], lockKeyPrefix)
	base64.RawURLEncoding.Encode(b[len(lockKeyPrefix):], sum[:16])
	return string(b[:])
}

// strike counts a failed authentication of the client id of key and
// returns cause, wrapped in a lockStarted when this failure locked it.
func (e *Endpoint) strike(ctx context.Context, s lockState, cause error) error {
	now, l := e.now(), s.lockout
	until, err := e.opts.Limiter.Strike(ctx, now, s.key, limit.Lockout{MaxFailures: l.MaxFailures, Window: l.Window, Duration: l.Duration})
	if err != nil {
		_ = e.limiterFailed(ctx, err) // the request is refused anyway
		return cause
	}
	e.limiterOK(ctx)
	// The failure that locks the id gets now+Duration; a concurrent one
	// that finds it already locked gets the earlier end. Limiters may keep
	// milliseconds.
	if until.IsZero() || until.Before(now.Add(l.Duration-time.Millisecond)) {
		return cause
	}
	return &lockStarted{cause: cause, poolID: s.hostPool, until: until}
}

// quotaKeyPrefix namespaces quota keys in the limiter.
const quotaKeyPrefix = "token:quota:"

// quotaWindows are the windows of quotaChecks' checks, in order.
type quotaWindows struct {
	names [2]string
	n     int
}

// takeQuota charges a token to client's quotas, if it has any. It returns
// the error to answer: an exhausted quota (with Retry-After set on w), or a
// limiter failure when failing closed.
func (e *Endpoint) takeQuota(ctx context.Context, w http.ResponseWriter, client *tollgate.Client) error {
	if e.opts.Limiter == nil {
		return nil
	}
	var lim tollgate.TokenLimits
	if client.TokenLimits != nil {
		lim = *client.TokenLimits
	} else if e.opts.PoolLimits != nil {
		lim, _ = e.opts.PoolLimits(client.PoolID)
	}
	if lim.PerHour <= 0 && lim.PerDay <= 0 {
		return nil
	}
	now := e.now()
	utc := now.UTC()
	var checks [2]limit.Check
	var windows quotaWindows
	add := func(name string, n int64, start, end time.Time) {
		checks[windows.n] = limit.Check{
			Key:   quotaKeyPrefix + name + ":" + client.ID + ":" + strconv.FormatInt(start.Unix(), 10),
			Limit: n, Reset: end,
		}
		windows.names[windows.n] = name
		windows.n++
	}
	if lim.PerHour > 0 {
		hour := utc.Truncate(time.Hour)
		add(WindowHour, lim.PerHour, hour, hour.Add(time.Hour))
	}
	if lim.PerDay > 0 {
		day := time.Date(utc.Year(), utc.Month(), utc.Day(), 0, 0, 0, 0, time.UTC)
		add(WindowDay, lim.PerDay, day, day.AddDate(0, 0, 1))
	}
	res, err := e.opts.Limiter.Take(ctx, now, checks[:windows.n])
	if err != nil {
		return e.limiterFailed(ctx, err)
	}
	e.limiterOK(ctx)
	if res.Allowed() {
		return nil
	}
	i := min(max(res.Refused, 0), windows.n-1)
	window := windows.names[i]
	retry := res.RetryAfter
	if retry <= 0 {
		retry = checks[i].Reset.Sub(now)
	}
	// Whole seconds, rounded up, so that a client that waits is admitted.
	secs := max(int64((retry+time.Second-1)/time.Second), 1)
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	if e.opts.Observer != nil {
		e.opts.Observer.ObserveQuota(client.PoolID, client.ID, window)
	}
	if window == WindowHour {
		return errQuotaHour
	}
	return errQuotaDay
}

// Answers to a client whose token quota is exhausted (see the comment at
// the top of this file for the status and code).
var (
	errQuotaHour = oauth2.InvalidRequest("the client's token quota for this hour is exhausted; retry after the time Retry-After gives").
			WithStatus(http.StatusTooManyRequests)
	errQuotaDay = oauth2.InvalidRequest("the client's token quota for this day is exhausted; retry after the time Retry-After gives").
			WithStatus(http.StatusTooManyRequests)
)

// limiterFailed handles a failed limiter call: it reports it, logs the
// start of an outage once, and returns nil when failing open, else the
// 503 to answer.
func (e *Endpoint) limiterFailed(ctx context.Context, err error) error {
	if e.opts.Observer != nil {
		e.opts.Observer.ObserveLimiterError(e.opts.LimiterFailOpen)
	}
	if e.limiterDown.CompareAndSwap(false, true) {
		policy := "refusing requests with limits (503) until it answers"
		if e.opts.LimiterFailOpen {
			policy = "serving requests without counting their limits until it answers"
		}
		e.log.LogAttrs(ctx, slog.LevelError, "token limiter unavailable: "+policy, slog.Any("err", err))
	}
	if e.opts.LimiterFailOpen {
		return nil
	}
	return errLimiterUnavailable.WithCause(err)
}

// limiterOK logs the end of a limiter outage, once.
func (e *Endpoint) limiterOK(ctx context.Context) {
	if e.limiterDown.Load() && e.limiterDown.CompareAndSwap(true, false) {
		e.log.LogAttrs(ctx, slog.LevelInfo, "token limiter available again")
	}
}

// auditLockout records that a client id was locked out: the client id only
// when it names a client found (client, as the log shows it), as
// auditRefusal; and tells the Observer.
func (e *Endpoint) auditLockout(w http.ResponseWriter, r *http.Request, endpoint string, client clientRef, err error) {
	var ls *lockStarted
	if !errors.As(err, &ls) {
		return
	}
	if e.opts.Observer != nil {
		e.opts.Observer.ObserveLockout(ls.poolID)
	}
	if e.opts.Audit == nil {
		return
	}
	ev := audit.Event{Time: e.now(), Action: ActionLockout, Outcome: audit.Denied, Actor: audit.Anonymous,
		RequestID: oauth2.RequestID(w), Reason: reasonLockedOut, Endpoint: endpoint, RemoteAddr: r.RemoteAddr}
	ev.PoolID = ls.poolID
	if client != "" && client[0] != '(' {
		ev.ClientID = string(client)
	}
	e.opts.Audit.Emit(ev)
}
