package cli

import (
	"log/slog"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/server"
)

// TestTokenLimiterOfItsOwn: the token endpoint's quotas and lockouts are
// counted in a limit.Local of their own, apart from the gateway's, with
// --redis (where it counts while Redis fails open) and without.
func TestTokenLimiterOfItsOwn(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	for _, f := range []limitFlags{
		{redisFailure: "open", redisTimeout: time.Second, redisPrefix: "tollgate:"},
		{redisURL: "redis://127.0.0.1:6379", redisFailure: "open", redisTimeout: time.Second, redisPrefix: "tollgate:"},
	} {
		l, err := openLimiters(f, log)
		if err != nil {
			t.Fatal(err)
		}
		var o server.Options
		l.options(&o)
		// The gateway's local limiter exists with --redis too: it counts in
		// Redis's place while Redis fails open.
		if o.LocalLimiter == nil || o.TokenLocalLimiter == nil || o.TokenLocalLimiter == o.LocalLimiter || o.TokenLocalLimiter == o.Limiter {
			t.Errorf("--redis %q: token limiter %v, gateway's local %v, shared %v", f.redisURL, o.TokenLocalLimiter, o.LocalLimiter, o.Limiter)
		}
		if err := l.Close(); err != nil {
			t.Error(err)
		}
	}
}
