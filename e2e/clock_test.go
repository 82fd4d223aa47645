package e2e

import (
	"testing"
	"time"
)

// clearOfHourTurn returns once at least need is left before the UTC hour
// turns. Quotas count in calendar windows of the real clock (UTC hours and
// days: token/limits.go, tollgate.Quota.Window), which a test of the real
// binary cannot inject; a test whose counts must fall in one window calls
// it first with a bound on its own duration, so that no window turns
// while it counts. When less is left, it waits for the turn: a wait for
// the clock, not for an event.
func clearOfHourTurn(t *testing.T, need time.Duration) {
	t.Helper()
	now := time.Now().UTC()
	turn := now.Truncate(time.Hour).Add(time.Hour)
	if left := turn.Sub(now); left < need {
		t.Logf("waiting %v for the UTC hour to turn, so that the quotas' windows hold the test", left)
		<-time.After(left + time.Second)
	}
}
