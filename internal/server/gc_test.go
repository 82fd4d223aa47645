package server

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestSetGCPercent(t *testing.T) {
	orig := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(orig) })

	t.Setenv("GOGC", "200")
	if _, changed := setGCPercent(0); changed {
		t.Error("GOGC set: the runtime's setting must be left alone")
	}
	// Unset GOGC for the rest (t.Setenv restores it afterwards).
	if err := os.Unsetenv("GOGC"); err != nil {
		t.Fatal(err)
	}

	if _, changed := setGCPercent(-1); changed {
		t.Error("a negative GCPercent must leave the runtime's setting alone")
	}
	prev, changed := setGCPercent(0)
	if !changed || prev != 100 {
		t.Fatalf("setGCPercent(0) = %d, %v; want 100, true", prev, changed)
	}
	if got := debug.SetGCPercent(100); got != DefaultGCPercent {
		t.Errorf("GC percent = %d, want DefaultGCPercent (%d)", got, DefaultGCPercent)
	}
	if _, changed := setGCPercent(250); !changed {
		t.Fatal("setGCPercent(250) did not change the setting")
	}
	if got := debug.SetGCPercent(100); got != 250 {
		t.Errorf("GC percent = %d, want 250", got)
	}
}
