package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// QueueSize is how many events a Sink holds for its writer. Events are
// rare (a write to the domain, a refusal), so the queue is empty but for a
// burst; a flood of failed authentications over a stalled writer fills it
// and the rest are dropped and counted, rather than holding requests up.
const QueueSize = 4096

// Sink writes audit events, in the order they are emitted. Its methods
// are safe for concurrent use, and a nil *Sink discards every event.
type Sink struct {
	direct func(Event) // NewLog's: written by Emit, no queue
	write  func(Event) error
	closer io.Closer // the file Open opened, or nil
	log    *slog.Logger

	queue chan item
	stop  chan struct{}
	done  chan struct{}
	// sending is read-held by Emit from its look at closed to its send,
	// and write-held by Close to set closed: once Close holds it, every
	// Emit has either queued its event before the writer's final drain or
	// will see closed and count a drop. Nothing blocks while holding it.
	sending sync.RWMutex
	closed  atomic.Bool
	once    sync.Once

	dropped, failed atomic.Uint64
	observe         atomic.Pointer[func(Event)]
}

// item is a queued event, or a Flush's request (flushed set).
type item struct {
	ev      Event
	flushed chan struct{}
}

// New returns a Sink writing one JSON line per event to w. Write failures
// are reported on log (slog.Default() when nil).
func New(w io.Writer, log *slog.Logger) *Sink {
	return start(func(ev Event) error {
		b, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		// One Write of the whole line: with O_APPEND, lines of several
		// processes sharing the file never interleave.
		_, err = w.Write(append(b, '\n'))
		return err
	}, log)
}

// NewLog returns a Sink that writes events to log, the main log, each as
// an Info line with the message "audit" and the event as its "audit"
// attribute, which tells audit lines from the others. Emit writes the line
// itself, as every other line of the main log is written (the handler
// serializes them), so that it keeps its place among them: a CLI
// command's audit line comes before what the command prints next on the
// same stream.
func NewLog(log *slog.Logger) *Sink {
	log = logger(log)
	return &Sink{log: log, direct: func(ev Event) {
		log.LogAttrs(context.Background(), slog.LevelInfo, "audit", slog.Any("audit", ev))
	}}
}

// Open returns the Sink of --audit-log: "" for the main log (NewLog), "-"
// for stdout, otherwise the file at path, created 0600 if need be and
// opened for appending only, so that it may be rotated by copying and
// truncating it (logrotate's copytruncate): the next line is written at
// the file's new end. Close closes the file.
func Open(path string, log *slog.Logger) (*Sink, error) {
	switch path {
	case "":
		return NewLog(log), nil
	case "-":
		return New(os.Stdout, log), nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600) //nolint:gosec // the operator names the audit log
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm()&0o077 != 0 {
		logger(log).Warn("the audit log is readable by others than its owner", "path", path, "mode", fi.Mode().Perm().String())
	}
	s := New(f, log)
	s.closer = f
	return s, nil
}

func logger(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.Default()
	}
	return log
}

func start(write func(Event) error, log *slog.Logger) *Sink {
	s := &Sink{
		write: write, log: logger(log),
		queue: make(chan item, QueueSize), stop: make(chan struct{}), done: make(chan struct{}),
	}
	go s.run()
	return s
}

// Emit queues ev; it never blocks (it waits at most for Close to mark the
// Sink closed, which waits for no writer). A zero Time is set to now. When the
// queue is full, or the Sink closed, the event is dropped and counted
// (Dropped).
func (s *Sink) Emit(ev Event) {
	if s == nil {
		return
	}
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	ev.Time = ev.Time.UTC()
	if s.direct != nil {
		s.direct(ev)
		s.observed(ev)
		return
	}
	s.sending.RLock()
	if s.closed.Load() {
		s.sending.RUnlock()
		s.dropped.Add(1)
		return
	}
	select {
	case s.queue <- item{ev: ev}:
	default:
		s.dropped.Add(1)
	}
	s.sending.RUnlock()
}

// Flush returns once every event emitted before it was called has been
// written (or has failed to be).
func (s *Sink) Flush() {
	if s == nil || s.direct != nil || s.closed.Load() {
		return
	}
	ack := make(chan struct{})
	select {
	case s.queue <- item{flushed: ack}:
	case <-s.done:
		return
	}
	select {
	case <-ack:
	case <-s.done:
	}
}

// Close writes what is queued, stops the writer and closes the file Open
// opened. Events emitted after it are dropped (and counted); an Emit
// concurrent with it is either written or dropped.
func (s *Sink) Close() error {
	if s == nil || s.direct != nil {
		return nil
	}
	var err error
	s.once.Do(func() {
		// Under sending, so that no Emit that saw the Sink open is still
		// to send: what it queued, the writer drains below.
		s.sending.Lock()
		s.closed.Store(true)
		s.sending.Unlock()
		close(s.stop)
		<-s.done
		if s.closer != nil {
			err = s.closer.Close()
		}
	})
	return err
}

// Dropped returns how many events were dropped: the queue was full, or the
// Sink closed.
func (s *Sink) Dropped() uint64 {
	if s == nil {
		return 0
	}
	return s.dropped.Load()
}

// Failed returns how many events could not be written.
func (s *Sink) Failed() uint64 {
	if s == nil {
		return 0
	}
	return s.failed.Load()
}

// Observe sets a function the writer calls with each event after writing
// it, for metrics; it must not block. Nil removes it.
func (s *Sink) Observe(fn func(Event)) {
	if s == nil {
		return
	}
	if fn == nil {
		s.observe.Store(nil)
		return
	}
	s.observe.Store(&fn)
}

// run is the writer: it writes queued events one at a time until Close,
// then what is left in the queue.
func (s *Sink) run() {
	defer close(s.done)
	w := writer{s: s}
	for {
		select {
		case it := <-s.queue:
			w.handle(it)
		case <-s.stop:
			for {
				select {
				case it := <-s.queue:
					w.handle(it)
				default:
					w.report()
					return
				}
			}
		}
	}
}

// writer is the state of the writer goroutine: what it has reported of
// drops and failures so far.
type writer struct {
	s                *Sink
	dropped, failing uint64
}

func (w *writer) handle(it item) {
	if it.flushed != nil {
		close(it.flushed)
		return
	}
	w.report()
	if err := w.s.write(it.ev); err != nil {
		if w.s.failed.Add(1); w.failing == 0 {
			// The first failure of a run of them is reported; the
			// recovery says how many were lost.
			w.s.log.Error("write the audit log", "err", err)
		}
		w.failing++
	} else if w.failing > 0 {
		w.s.log.Warn("the audit log is written again", "lost_events", w.failing)
		w.failing = 0
	}
	w.s.observed(it.ev)
}

// observed hands ev to the Observe function, if any.
func (s *Sink) observed(ev Event) {
	if fn := s.observe.Load(); fn != nil {
		(*fn)(ev)
	}
}

// report logs events dropped since the last report.
func (w *writer) report() {
	if d := w.s.dropped.Load(); d > w.dropped {
		w.s.log.Error("audit events dropped: the audit log's queue was full", "dropped", d-w.dropped, "dropped_total", d)
		w.dropped = d
	}
}
