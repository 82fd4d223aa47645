package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/audit"
)

// lines decodes the JSON lines of b.
func lines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not a JSON line: %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func TestEventLine(t *testing.T) {
	var buf bytes.Buffer
	s := audit.New(&buf, nil)
	ctx := audit.WithRequestID(audit.WithActor(context.Background(), "AKIAEXAMPLE"), "req-1")
	ev := audit.From(ctx, "keys.rotate")
	ev.Time = time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	ev.Outcome = audit.Success
	ev.PoolID = "us-east-1_abc"
	ev.Before = map[string]string{"active_kid": "k1"}
	ev.After = map[string]string{"active_kid": "k2", "retired_kid": "k1"}
	s.Emit(ev)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	got := lines(t, buf.Bytes())
	if len(got) != 1 {
		t.Fatalf("got %d lines, want 1: %s", len(got), buf.String())
	}
	want := map[string]any{
		"time": "2026-01-02T02:04:05Z", "action": "keys.rotate", "outcome": "success", "actor": "AKIAEXAMPLE",
		"request_id": "req-1", "pool_id": "us-east-1_abc",
		"before": map[string]any{"active_kid": "k1"}, "after": map[string]any{"active_kid": "k2", "retired_kid": "k1"},
	}
	for k, v := range want {
		if gv, _ := json.Marshal(got[0][k]); string(gv) != mustJSON(t, v) {
			t.Errorf("%s = %s, want %s", k, gv, mustJSON(t, v))
		}
	}
	for _, k := range []string{"client_id", "reason", "fields", "remote_addr"} {
		if _, ok := got[0][k]; ok {
			t.Errorf("empty %s is in the line: %s", k, buf.String())
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestActorDefaults(t *testing.T) {
	ctx := context.Background()
	if a := audit.ActorOf(ctx); a != audit.Unknown {
		t.Errorf("ActorOf(empty context) = %q, want %q", a, audit.Unknown)
	}
	if id := audit.RequestIDOf(ctx); id != "" {
		t.Errorf("RequestIDOf(empty context) = %q", id)
	}
}

func TestNilSink(t *testing.T) {
	var s *audit.Sink
	s.Emit(audit.Event{Action: "x"})
	s.Flush()
	s.Observe(func(audit.Event) {})
	if err := s.Close(); err != nil || s.Dropped() != 0 || s.Failed() != 0 {
		t.Errorf("nil sink: Close %v, Dropped %d, Failed %d", err, s.Dropped(), s.Failed())
	}
}

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

func TestConcurrentEmitFlush(t *testing.T) {
	var buf lockedBuffer
	s := audit.New(&buf, nil)
	defer s.Close()
	var counted sync.Map
	s.Observe(func(ev audit.Event) { counted.Store(ev.ClientID, true) })
	const writers, each = 8, 100
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				ev := audit.Event{Action: "client.create", Outcome: audit.Success}
				ev.ClientID = string(rune('a'+w)) + strings.Repeat("x", i)
				s.Emit(ev)
			}
		}()
	}
	wg.Wait()
	s.Flush()
	got := lines(t, buf.Bytes())
	if len(got) != writers*each {
		t.Fatalf("after Flush: %d lines, want %d", len(got), writers*each)
	}
	n := 0
	counted.Range(func(any, any) bool { n++; return true })
	if n != writers*each {
		t.Errorf("observer saw %d events, want %d", n, writers*each)
	}
}

// stalledWriter blocks every Write until release is closed, and says when
// the first one started.
type stalledWriter struct {
	started chan struct{}
	once    sync.Once
	release chan struct{}
	lockedBuffer
}

func (w *stalledWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.started) })
	<-w.release
	return w.lockedBuffer.Write(p)
}

// A stalled writer never blocks Emit: what the queue cannot hold is
// dropped, counted and reported.
func TestFullQueueDrops(t *testing.T) {
	w := &stalledWriter{started: make(chan struct{}), release: make(chan struct{})}
	var logs lockedBuffer
	s := audit.New(w, slog.New(slog.NewJSONHandler(&logs, nil)))
	s.Emit(audit.Event{Action: "first"})
	<-w.started // the writer holds the first event: the queue is empty
	const extra = 10
	for range audit.QueueSize + extra {
		s.Emit(audit.Event{Action: "more"})
	}
	if d := s.Dropped(); d != extra {
		t.Errorf("Dropped = %d, want %d", d, extra)
	}
	close(w.release)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(lines(t, w.Bytes())); n != 1+audit.QueueSize {
		t.Errorf("%d lines written, want %d", n, 1+audit.QueueSize)
	}
	if !strings.Contains(string(logs.Bytes()), `"dropped_total":10`) {
		t.Errorf("the drops are not reported: %s", logs.Bytes())
	}
}

// failingWriter fails while fail is set.
type failingWriter struct {
	lockedBuffer
	mu   sync.Mutex
	fail bool
}

func (w *failingWriter) set(fail bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fail = fail
}

func (w *failingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fail {
		return 0, errors.New("disk full")
	}
	return w.lockedBuffer.Write(p)
}

func TestFailedWritesCounted(t *testing.T) {
	w := &failingWriter{fail: true}
	var logs lockedBuffer
	s := audit.New(w, slog.New(slog.NewJSONHandler(&logs, nil)))
	defer s.Close()
	for range 3 {
		s.Emit(audit.Event{Action: "lost"})
	}
	s.Flush()
	w.set(false)
	s.Emit(audit.Event{Action: "kept"})
	s.Flush()
	if f := s.Failed(); f != 3 {
		t.Errorf("Failed = %d, want 3", f)
	}
	log := string(logs.Bytes())
	if n := strings.Count(log, "disk full"); n != 1 {
		t.Errorf("the failure is reported %d times, want once: %s", n, log)
	}
	if !strings.Contains(log, `"lost_events":3`) {
		t.Errorf("the recovery is not reported: %s", log)
	}
	if got := lines(t, w.Bytes()); len(got) != 1 || got[0]["action"] != "kept" {
		t.Errorf("written: %v", got)
	}
}

// To the main log, an event is a line tagged "audit", written by Emit.
func TestNewLogTagsLines(t *testing.T) {
	var logs lockedBuffer
	s := audit.NewLog(slog.New(slog.NewJSONHandler(&logs, nil)))
	ev := audit.Event{Action: "pool.create", Outcome: audit.Success, Actor: "cli:alice"}
	ev.PoolID = "us-east-1_abc"
	s.Emit(ev) // written before Emit returns: in its place in the main log
	got := lines(t, logs.Bytes())
	if len(got) != 1 || got[0]["msg"] != "audit" {
		t.Fatalf("main log: %s", logs.Bytes())
	}
	a, _ := got[0]["audit"].(map[string]any)
	if a["action"] != "pool.create" || a["pool_id"] != "us-east-1_abc" || a["actor"] != "cli:alice" {
		t.Errorf("audit attribute = %v", a)
	}
}

// The file is private and opened for appending: truncated by a rotation
// (logrotate's copytruncate), the next line starts the file again, with no
// hole where the old lines were.
func TestOpenFileCopyTruncate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	s, err := audit.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("mode %v, want 0600", m)
	}
	s.Emit(audit.Event{Action: "before.rotation", Fields: []string{strings.Repeat("x", 200)}})
	s.Flush()
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	s.Emit(audit.Event{Action: "after.rotation"})
	s.Flush()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := lines(t, b); len(got) != 1 || got[0]["action"] != "after.rotation" || b[0] != '{' {
		t.Errorf("after truncation the file holds %q", b)
	}
}

func TestOpenRefusesUnwritable(t *testing.T) {
	if _, err := audit.Open(filepath.Join(t.TempDir(), "missing", "audit.log"), nil); err == nil {
		t.Error("Open of a file in a missing directory succeeded")
	}
}

// BenchmarkEmit is what an emitter pays: the event queued for the writer.
func BenchmarkEmit(b *testing.B) {
	s := audit.New(io.Discard, slog.New(slog.DiscardHandler)) // a flood: drops are expected
	defer s.Close()
	ev := audit.Event{Action: "client.authenticate", Outcome: audit.Denied, Actor: audit.Anonymous, Reason: "wrong_secret", Endpoint: "token", RemoteAddr: "127.0.0.1:5000"}
	b.ReportAllocs()
	for b.Loop() {
		s.Emit(ev)
	}
}

// BenchmarkEmitParallel is what emitters pay when several emit at once.
func BenchmarkEmitParallel(b *testing.B) {
	s := audit.New(io.Discard, slog.New(slog.DiscardHandler)) // a flood: drops are expected
	defer s.Close()
	ev := audit.Event{Action: "client.authenticate", Outcome: audit.Denied, Actor: audit.Anonymous, Reason: "wrong_secret", Endpoint: "token", RemoteAddr: "127.0.0.1:5000"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s.Emit(ev)
		}
	})
}
