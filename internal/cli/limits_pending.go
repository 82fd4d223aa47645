package cli

import (
	"errors"
	"log/slog"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/server"
)

// This file binds the commands to internal/limit's Local and Redis,
// internal/usage's Recorder and config.Result's new API keys: each
// function is one line over them.

// errNoRedis is newRedisLimiter's answer while no Redis limiter is bound.
var errNoRedis = errors.New("this build has no Redis limiter")

// newLocalLimiter returns this process's limiter (limit.NewLocal).
func newLocalLimiter() limit.Limiter { return nil }

// newRedisLimiter returns the limiter shared through Redis at rawURL
// (limit.NewRedis), each call bounded by timeout.
func newRedisLimiter(_ string, _ time.Duration) (limit.Limiter, error) {
	return nil, errNoRedis
}

// newUsageRecorder returns the recorder of usage plans' use, written to
// the store (usage.NewRecorder).
func newUsageRecorder(_ tollgate.Store, _ *slog.Logger) server.UsageRecorder {
	return nil
}

// newAPIKeys returns the API keys an apply created, with their values
// (config.Result.NewAPIKeys); res is nil when nothing was applied.
func newAPIKeys(_ *config.Result) []newAPIKey {
	return nil
}

// newAPIKey is an API key an apply created, with its value
// (config.NewAPIKey).
type newAPIKey struct {
	LogicalID, KeyID, Name, Value string
}
