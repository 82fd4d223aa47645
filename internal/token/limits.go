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
// guessing of credentials). A failed authentication with a wrong secret
// (or of a client without a secret) of a client the catalog holds is a
// Strike under the lockout of the client's own pool, on whichever host it
// came in, provided the id's lock was checked for the request (on a pool's
// host whose pool declares no lockout it is not, and nothing is struck:
// only that pool's clients can authenticate there, so a guess of another
// pool's client's secret learns nothing). A client of another pool than
// the host's presented with its right secret is refused but not struck: it
// guessed nothing. While the id is locked, its
// requests are refused with exactly the answer of a wrong secret, whatever
// the secret: a locked id is indistinguishable from a wrong secret, and
// the right secret gets no token. No Retry-After is sent: it would be the
// only difference between the two answers. Ids the catalog does not hold
// are never counted: a flood of made-up ids writes nothing to the limiter,
// so it can neither evict the counters of real clients from a Local nor
// grow Redis.
//
// Since only real ids are counted, the work of a request must not tell
// whether its id is real or locked. Every id of the shape of Tollgate's
// client ids (hasClientIDShape; no other can name a client) costs one lock
// check, a Take with a Locked check, which writes nothing, whether or not
// the client exists (except on a pool's host whose pool declares no
// lockout: that depends on the host alone); then the keyed hash and the
// lookup, even when the id is locked. The Strike of a real id comes after
// the answer has been written and flushed (fail), in a goroutine of its
// own (at most strikeSlots at once; beyond that, in the handler's), so
// that neither the answer's time nor the end of the response (a
// connection closed after it: Connection: close, HTTP/1.0, a proxy) waits
// for its round trip to Redis. Its context is not cancelled by the
// client's going away or the handler's return (the limiter's own timeout
// bounds it), so that hanging up does not dodge the count. The count is
// thus made a moment after the answer: a client that fires its next guess
// before the Strike lands may be answered before it counts, as concurrent
// guesses could already. A
// locked id is not struck again (its lock is not extended by further
// guesses).
//
// The key is a hash of the id, so that the limiter's store never holds a
// presented value, and the id's alone, not the host's: a lock holds on
// every host, so that switching hosts does not evade it. Lockouts apply at
// every endpoint that authenticates clients (token, revoke, introspect).
// Only failures with a secret presented are counted: a request without
// one guesses nothing.
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
// Limiter failures. With LimiterFailOpen the same checks (lock checks,
// quotas, Strikes) are made against LocalLimiter, so that each node counts
// alone while the shared limiter is down rather than not at all (locks and
// quota counts of the shared limiter are not seen there; served as if no
// limit applied when LocalLimiter is nil); otherwise the request is
// answered 503 temporarily_unavailable, the shape of the server's store
// outage answer. Either way the outage is logged once when it starts and
// once when it ends, and each failure is reported to the Observer.

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
	// the client's pool.
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

// lockState is what authenticate knows of the host and of the lockout of
// a presented id.
type lockState struct {
	// hostPool is the pool whose domain the request came in on, when
	// onPoolHost.
	hostPool   string
	onPoolHost bool
	// checked: the id's lock was checked for this request; locked: it is
	// locked out.
	checked, locked bool
}

// lockState finds the host's pool and, for an id of the client ids'
// shape, whether it is locked: one lock check, known id or not. A limiter
// failure is the error to answer when failing closed.
func (e *Endpoint) lockState(ctx context.Context, r *http.Request, id string) (lockState, error) {
	var s lockState
	if e.opts.PoolFromHost != nil {
		s.hostPool, s.onPoolHost = e.opts.PoolFromHost(r)
	}
	if e.opts.Limiter == nil || !hasClientIDShape(id) {
		return s, nil
	}
	if s.onPoolHost && !e.poolLockout(s.hostPool).Enabled() {
		// Only the host pool's clients may authenticate here, and none
		// has a lockout: whether to check depends on the host alone.
		return s, nil
	}
	if !s.onPoolHost && e.opts.AnyLockout != nil && !e.opts.AnyLockout() {
		// No pool has a lockout: no id can be locked, whoever it is.
		return s, nil
	}
	checks := [1]limit.Check{{Key: lockKey(id), Locked: true}}
	res, err := e.take(ctx, e.now(), checks[:])
	if err != nil {
		return s, err
	}
	s.checked, s.locked = true, !res.Allowed()
	return s, nil
}

// poolLockout is a pool's lockout (none when the pool is unknown).
func (e *Endpoint) poolLockout(poolID string) tollgate.Lockout {
	if e.opts.PoolLimits == nil {
		return tollgate.Lockout{}
	}
	l, _ := e.opts.PoolLimits(poolID)
	return l.Lockout
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

// LockoutKey is the limiter's key of a client id's lockout, for an
// operator's unlock (limit.Redis.Unlock).
func LockoutKey(clientID string) string { return lockKey(clientID) }

// strikeLater wraps the cause of a failed authentication of a client the
// catalog holds, not locked, whose pool has a lockout: fail strikes it
// once the answer is written.
type strikeLater struct {
	cause   error
	client  *tollgate.Client
	lockout tollgate.Lockout
}

func (e *strikeLater) Error() string { return e.cause.Error() }
func (e *strikeLater) Unwrap() error { return e.cause }

// countFailure wraps cause in a strikeLater when the failure of client (nil
// when the id names none) is to be counted: only when its lock was checked
// for this request and found open (a locked id is not struck again, and an
// id whose lock was not checked, on the host of a pool without lockout,
// could be locked already). authenticate calls it only when the presented
// secret did not match: a client presented with its right secret on
// another pool's host is refused, but guessed nothing, and must not lock
// itself out.
func (e *Endpoint) countFailure(client *tollgate.Client, s lockState, cause error) error {
	if client == nil || !s.checked || s.locked || e.opts.Limiter == nil {
		return cause
	}
	l := e.poolLockout(client.PoolID)
	if !l.Enabled() || !hasClientIDShape(client.ID) {
		return cause
	}
	return &strikeLater{cause: cause, client: client, lockout: l}
}

// strikeSlots bounds the goroutines that count failed authentications
// after their answers (strikeAfterAnswer).
const strikeSlots = 256

// strikeJob is what a Strike after the answer needs of its request,
// captured before the handler returns (w and r are not to be used after).
type strikeJob struct {
	endpoint, requestID, remoteAddr string
	client                          *tollgate.Client
	lockout                         tollgate.Lockout
}

// strikeAfterAnswer counts the failed authentication err carries, if any
// (a strikeLater), after flushing the answer already written to w: in a
// goroutine of its own, so that the handler returns, and the server ends
// the response (closes the connection on Connection: close or HTTP/1.0)
// without waiting for the limiter's round trip. At most strikeSlots such
// goroutines run; when all are busy the Strike is made here, in the
// handler (a failure is never left uncounted).
func (e *Endpoint) strikeAfterAnswer(w http.ResponseWriter, r *http.Request, endpoint string, err error) {
	var sl *strikeLater
	if !errors.As(err, &sl) {
		return
	}
	_ = http.NewResponseController(w).Flush() // nothing to do if it cannot
	// The client's hanging up and the handler's return must not cancel
	// the count; the limiter's own timeout bounds the call.
	ctx := context.WithoutCancel(r.Context())
	job := strikeJob{endpoint: endpoint, requestID: oauth2.RequestID(w), remoteAddr: r.RemoteAddr,
		client: sl.client, lockout: sl.lockout}
	select {
	case e.strikeSem <- struct{}{}:
		e.strikeMu.Lock()
		if e.strikesClosed {
			// WaitStrikes has begun (a handler outlived the shutdown's
			// grace): count here, never Add beside a Wait.
			e.strikeMu.Unlock()
			<-e.strikeSem
			e.countStrike(ctx, job)
			return
		}
		e.striking.Add(1)
		e.strikeMu.Unlock()
		go func() {
			defer e.striking.Done()
			defer func() { <-e.strikeSem }()
			e.countStrike(ctx, job)
		}()
	default:
		e.countStrike(ctx, job)
	}
}

// WaitStrikes waits until the failed authentications already answered
// are counted; from then on each is counted in its handler. The server
// calls it on shutdown, once its handlers have returned (or their grace
// ended) and before it closes the limiter.
func (e *Endpoint) WaitStrikes() {
	e.strikeMu.Lock()
	e.strikesClosed = true
	e.strikeMu.Unlock()
	e.striking.Wait()
}

// countStrike strikes job's client id; it audits and logs the lock this
// failure starts.
func (e *Endpoint) countStrike(ctx context.Context, job strikeJob) {
	now, l := e.now(), job.lockout
	until, serr := e.strike(ctx, now, lockKey(job.client.ID), limit.Lockout{MaxFailures: l.MaxFailures, Window: l.Window, Duration: l.Duration})
	// The failure that locks the id gets now+Duration; a concurrent one
	// that finds it already locked gets the earlier end. Limiters may keep
	// milliseconds.
	if serr != nil || until.IsZero() || until.Before(now.Add(l.Duration-time.Millisecond)) {
		return
	}
	e.log.LogAttrs(ctx, slog.LevelInfo, "client id locked out after repeated failed authentications",
		slog.String("endpoint", job.endpoint),
		slog.String("client_id", job.client.ID),
		slog.String("pool_id", job.client.PoolID),
		slog.String("request_id", job.requestID),
		slog.Time("until", until.UTC()),
	)
	e.auditLockout(job)
}

// take is Limiter.Take, against LocalLimiter when Limiter fails and the
// endpoint fails open. It returns the error to answer: a limiter failure
// when failing closed (a request served open without LocalLimiter gets an
// allowed Result).
func (e *Endpoint) take(ctx context.Context, now time.Time, checks []limit.Check) (limit.Result, error) {
	// The limiter's own timeout bounds the call: a caller that hangs up
	// must not turn its request into a limiter failure, whose fallback
	// (the local limiter, which holds none of the shared locks and counts)
	// would decide it.
	ctx = context.WithoutCancel(ctx)
	res, err := e.opts.Limiter.Take(ctx, now, checks)
	if err == nil {
		e.limiterOK(ctx)
		return res, nil
	}
	if err := e.limiterFailed(ctx, err); err != nil {
		return limit.Result{}, err
	}
	if e.opts.LocalLimiter == nil {
		return limit.Result{Refused: -1}, nil
	}
	return e.opts.LocalLimiter.Take(ctx, now, checks)
}

// strike is Limiter.Strike, against LocalLimiter when Limiter fails and
// the endpoint fails open (closed: the failure goes uncounted; its request
// was refused anyway).
func (e *Endpoint) strike(ctx context.Context, now time.Time, key string, l limit.Lockout) (time.Time, error) {
	until, err := e.opts.Limiter.Strike(ctx, now, key, l)
	if err == nil {
		e.limiterOK(ctx)
		return until, nil
	}
	if ferr := e.limiterFailed(ctx, err); ferr != nil || e.opts.LocalLimiter == nil {
		return time.Time{}, err
	}
	return e.opts.LocalLimiter.Strike(ctx, now, key, l)
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
	res, err := e.take(ctx, now, checks[:windows.n])
	if err != nil {
		return err
	}
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
		switch {
		case e.opts.LimiterFailOpen && e.opts.LocalLimiter != nil:
			policy = "serving requests with limits, counting them in this process alone until it answers"
		case e.opts.LimiterFailOpen:
			policy = "serving requests with limits without counting them until it answers"
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

// auditLockout records that job's client id was locked out, and tells
// the Observer.
func (e *Endpoint) auditLockout(job strikeJob) {
	if e.opts.Observer != nil {
		e.opts.Observer.ObserveLockout(job.client.PoolID)
	}
	if e.opts.Audit == nil {
		return
	}
	ev := audit.Event{Time: e.now(), Action: ActionLockout, Outcome: audit.Denied, Actor: audit.Anonymous,
		RequestID: job.requestID, Reason: reasonLockedOut, Endpoint: job.endpoint, RemoteAddr: job.remoteAddr}
	ev.PoolID, ev.ClientID = job.client.PoolID, job.client.ID
	e.opts.Audit.Emit(ev)
}
