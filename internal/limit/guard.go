package limit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrUnavailable is wrapped by the errors of a Guard that fails closed:
// the limiter could not count, so the request is refused, and callers
// answer it as a temporary failure (503), not as a limit reached (429).
var ErrUnavailable = errors.New("limit: the limiter is unavailable")

// Guard wraps l with a failure policy, so that callers handle a limiter
// that cannot count (Redis unreachable, a timeout) in one place. Every
// error of l is first given to onError (if not nil: log it, count it);
// then, failing open, Take admits the request (charging nothing) and
// Strike records nothing, both without error; failing closed, both return
// an error wrapping ErrUnavailable and the cause.
//
// A caller's canceled or expired context is not the limiter's failure:
// it is returned as it is, without onError, whatever the policy.
func Guard(l Limiter, failOpen bool, onError func(error)) Limiter {
	return &guard{l: l, failOpen: failOpen, onError: onError}
}

type guard struct {
	l        Limiter
	failOpen bool
	onError  func(error)
}

func (g *guard) Take(ctx context.Context, now time.Time, checks []Check) (Result, error) {
	res, err := g.l.Take(ctx, now, checks)
	if err == nil {
		return res, nil
	}
	if err = g.fail(ctx, err); err != nil {
		return Result{}, err
	}
	return Result{Refused: -1}, nil
}

func (g *guard) Strike(ctx context.Context, now time.Time, key string, lo Lockout) (time.Time, error) {
	until, err := g.l.Strike(ctx, now, key, lo)
	if err == nil {
		return until, nil
	}
	return time.Time{}, g.fail(ctx, err)
}

func (g *guard) fail(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if g.onError != nil {
		g.onError(err)
	}
	if g.failOpen {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

func (g *guard) Close() error { return g.l.Close() }
