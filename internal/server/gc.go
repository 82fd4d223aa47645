package server

import (
	"os"
	"runtime/debug"
)

// DefaultGCPercent is the garbage collector's target percentage Serve sets
// when the operator set no GOGC. A gateway's live heap is small (the
// catalog, caches, idle connections) and almost everything a request
// allocates dies with it, so the runtime's default of 100 collects often
// for little: at 400 a proxied request costs about a tenth less CPU
// (bench/README.md), for a heap that peaks at five times the live one
// instead of twice.
const DefaultGCPercent = 400

// setGCPercent applies Options.GCPercent: 0 means DefaultGCPercent, a
// negative value leaves the runtime's setting alone. The GOGC environment
// variable, when set (not empty), wins: the operator chose. It returns the previous
// setting and whether it changed it.
func setGCPercent(percent int) (prev int, changed bool) {
	if percent < 0 {
		return 0, false
	}
	if os.Getenv("GOGC") != "" {
		return 0, false
	}
	if percent == 0 {
		percent = DefaultGCPercent
	}
	return debug.SetGCPercent(percent), true
}
