// Package audittest is an audit stream for tests: a Sink writing to a
// buffer, and its events read back.
package audittest

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/tollgate/tollgate/internal/audit"
)

// Log is an audit sink over a buffer. Its methods flush the sink before
// they read, so they see every event emitted before the call.
type Log struct {
	Sink *audit.Sink
	mu   sync.Mutex
	buf  bytes.Buffer
}

// New returns a Log whose sink is closed when the test ends.
func New(tb testing.TB) *Log {
	l := &Log{}
	l.Sink = audit.New(l, nil)
	tb.Cleanup(func() { _ = l.Sink.Close() }) // a test's own sink: nothing to report
	return l
}

// Write implements io.Writer for the sink.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// Text is everything written to the stream.
func (l *Log) Text(tb testing.TB) string {
	tb.Helper()
	l.Sink.Flush()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Maps returns the events written, each as a JSON object.
func (l *Log) Maps(tb testing.TB) []map[string]any {
	tb.Helper()
	var out []map[string]any
	l.each(tb, func(line []byte) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			tb.Fatalf("audit line not JSON: %q", line)
		}
		out = append(out, m)
	})
	return out
}

// Events returns the events written with action ("" for all).
func (l *Log) Events(tb testing.TB, action string) []audit.Event {
	tb.Helper()
	var out []audit.Event
	l.each(tb, func(line []byte) {
		var ev audit.Event
		if err := json.Unmarshal(line, &ev); err != nil {
			tb.Fatalf("audit line not JSON: %q", line)
		}
		if action == "" || ev.Action == action {
			out = append(out, ev)
		}
	})
	return out
}

// each calls f with every line written, in order.
func (l *Log) each(tb testing.TB, f func(line []byte)) {
	tb.Helper()
	for line := range strings.Lines(l.Text(tb)) {
		if line = strings.TrimSpace(line); line != "" {
			f([]byte(line))
		}
	}
}
