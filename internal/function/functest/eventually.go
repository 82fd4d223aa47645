package functest

import (
	"testing"
	"time"
)

// Eventually polls cond until it holds or 20 s pass. It asserts an
// outcome (a change made elsewhere is seen), not a duration.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
