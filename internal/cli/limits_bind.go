package cli

import (
	"log/slog"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/server"
	"github.com/tollgate/tollgate/internal/usage"
)

// This file binds the commands to internal/limit's Local and Redis,
// internal/usage's Recorder and config.Result's new API keys: each
// function is one line over them.

// newLocalLimiter returns this process's limiter of the gateway
// (limit.NewLocal).
func newLocalLimiter() limit.Limiter { return limit.NewLocal(limit.LocalOptions{}) }

// newTokenLocalLimiter returns this process's limiter of the token
// endpoint's quotas and lockouts: a limit.Local of its own, apart from the
// gateway's, so that a flood of gateway requests cannot evict a client's
// lock or quota count (nor the reverse). The endpoint counts in it without
// --redis, and while Redis fails with --redis-failure open. It holds keys
// of existing clients only (the endpoint counts no unknown id).
func newTokenLocalLimiter() limit.Limiter { return limit.NewLocal(limit.LocalOptions{}) }

// newRedisLimiter returns the limiter shared through Redis at rawURL
// (limit.NewRedis).
func newRedisLimiter(rawURL string, opts limit.RedisOptions) (limit.Limiter, error) {
	l, err := limit.NewRedis(rawURL, opts)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// newUsageRecorder returns the recorder of usage plans' use, written to
// the store (usage.NewRecorder).
func newUsageRecorder(st tollgate.Store, log *slog.Logger) server.UsageRecorder {
	return usage.NewRecorder(st, usage.Options{Logger: log})
}

// newAPIKeys returns the API keys an apply created, with their values
// (config.Result.NewAPIKeys); res is nil when nothing was applied.
func newAPIKeys(res *config.Result) []newAPIKey {
	if res == nil {
		return nil
	}
	return res.NewAPIKeys
}

// newAPIKey is an API key an apply created, with its value.
type newAPIKey = config.NewAPIKey
