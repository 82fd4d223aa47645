package function

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// instance is one process running a function, with the Runtime API it
// alone talks to: on a loopback port of its own, which any local process
// can connect to, so every request must also carry the instance's secret
// (see runtimeAPI).
type instance struct {
	p      *pool
	id     string
	secret string    // the first path segment of every Runtime API request
	ident  *identity // the uid and gid it runs as (nil: Tollgate's own)
	home   string    // its HOME and TMPDIR when it runs as another user
	cmd    *exec.Cmd
	srv    *http.Server

	// calls hands an invocation to the runtime's next /next request. It
	// holds at most one: an instance runs one invocation at a time.
	calls  chan *call
	exited chan struct{} // closed once the process has exited
	killed atomic.Bool
	// gone is set once the process has exited and its group was killed,
	// before it is reaped: from then on its pid, the group's id, may be
	// another's, and kill must not signal it.
	gone atomic.Bool

	lastUsed atomic.Int64           // UnixNano, for the idle reaper
	logID    atomic.Pointer[string] // request id of the latest invocation, for log lines

	mu      sync.Mutex
	cur     *call  // delivered, not yet answered
	initErr []byte // what the runtime posted to /runtime/init/error
	waitErr error  // how the process exited
}

// call is one invocation on its way through an instance.
type call struct {
	id        string
	traceID   string // Lambda-Runtime-Trace-Id
	payload   []byte
	deadline  time.Time     // set when the runtime takes the call
	delivered chan struct{} // closed when the runtime has taken it
	done      chan struct{} // closed when result is set
	once      sync.Once
	result    Result
}

func newCall(id string, payload []byte) *call {
	return &call{id: id, payload: payload, delivered: make(chan struct{}), done: make(chan struct{})}
}

// finish sets the call's result, once; later results are dropped.
func (c *call) finish(res Result) {
	c.once.Do(func() {
		c.result = res
		close(c.done)
	})
}

func newRequestID() string { return uuid.NewString() }

// start starts a new instance of the pool's function. It returns once the
// process runs; the runtime's first /next request ends its init.
func (p *pool) start() (*instance, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("function %s: runtime API listener: %w", p.fn.Name, err)
	}
	in := &instance{
		p:      p,
		id:     randomHex(16),
		secret: randomHex(32),
		calls:  make(chan *call, 1),
		exited: make(chan struct{}),
	}
	in.srv = &http.Server{
		Handler:           in.runtimeAPI(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(p.r.opts.Logger.Handler(), slog.LevelDebug),
	}
	go in.serveRuntimeAPI(ln)
	cmd, err := in.command(ln.Addr().String() + "/" + in.secret)
	if err == nil {
		err = startProcess(cmd)
	}
	if err != nil {
		in.srv.Close()
		in.cleanup()
		return nil, err
	}
	in.cmd = cmd
	p.mu.Lock()
	closed := p.closed
	if !closed {
		p.all[in] = true
	}
	p.mu.Unlock()
	p.r.opts.Logger.Debug("function: instance started", "function", p.fn.Name, "instance", in.id, "pid", cmd.Process.Pid)
	go in.wait()
	if closed {
		// The runner closed while this instance started: Close did not
		// see it, so it goes now.
		in.kill()
		<-in.exited
		return nil, ErrClosed
	}
	return in, nil
}

// command prepares the instance's process: the runtime, in the code
// directory, with Lambda's environment (api is AWS_LAMBDA_RUNTIME_API), in
// a process group of its own, as the function user if there is one.
func (in *instance) command(api string) (*exec.Cmd, error) {
	p := in.p
	stream := p.r.opts.Now().UTC().Format("2006/01/02") + "/[$LATEST]" + in.id
	cmd := exec.Command(p.rt.argv[0], p.rt.argv[1:]...) //nolint:gosec // G204: starting the function's interpreter or bootstrap, resolved by New from the runtime table and the config, is the point
	cmd.Dir = p.codeDir
	cmd.Stdout = &lineLogger{in: in, stream: "stdout"}
	cmd.Stderr = &lineLogger{in: in, stream: "stderr"}
	cmd.WaitDelay = time.Second
	var home []string
	if ids := p.r.ids; ids != nil {
		id, err := ids.take()
		if err != nil {
			return nil, fmt.Errorf("function %s: %w", p.fn.Name, err)
		}
		in.ident = &id
		if in.home, err = p.r.makeHome(in.id, id); err != nil {
			return nil, fmt.Errorf("function %s: %w", p.fn.Name, err)
		}
		home = []string{"HOME=" + in.home, "TMPDIR=" + in.home}
	}
	cmd.Env = p.environ(api, stream, home)
	setProcAttr(cmd, in.ident)
	return cmd, nil
}

// wait waits for the process to exit, kills what it left in its process
// group, and records how it exited.
func (in *instance) wait() {
	if killGroupOnExit(in.cmd) {
		in.gone.Store(true)
	}
	err := in.cmd.Wait()
	in.cmd.Stdout.(*lineLogger).flush()
	in.cmd.Stderr.(*lineLogger).flush()
	in.mu.Lock()
	in.waitErr = err
	in.mu.Unlock()
	in.srv.Close()
	in.cleanup()
	close(in.exited)
	if !in.killed.Load() {
		in.p.r.opts.Logger.Warn("function: instance exited", "function", in.p.fn.Name, "instance", in.id, "status", exitText(err))
	}
}

// serveRuntimeAPI serves the instance's Runtime API on ln until wait
// closes the server. Any other end leaves the process without its next
// event: it is logged, and the invocation waiting on it times out.
func (in *instance) serveRuntimeAPI(ln net.Listener) {
	if err := in.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		in.p.r.opts.Logger.Error("function: the Runtime API stopped serving", "function", in.p.fn.Name, "instance", in.id, "error", err.Error())
	}
}

// cleanup, once the instance's process has exited (or never started),
// removes its HOME and TMPDIR and frees its identity. With a uid of its
// own, it first kills every process of the uid, and frees the uid only
// once none is left, having removed the uid's files from the directories
// every user shares: else the next instance of the uid would have them,
// and its environment (its Runtime API secret) would be open to them.
func (in *instance) cleanup() {
	if in.ident == nil {
		in.removeHome()
		return
	}
	u := in.p.r.opts.User
	if u.isRange() && !killUID(in.ident.uid, u.UID) {
		in.p.r.opts.Logger.Error("function: processes of an instance's uid outlived it: the uid is not reused",
			"function", in.p.fn.Name, "instance", in.id, "uid", in.ident.uid)
		in.removeHome()
		return
	}
	in.removeHome()
	if u.isRange() {
		if err := removeFilesOf(in.ident.uid); err != nil {
			in.p.r.opts.Logger.Error("function: files of an instance's uid outlived it: the uid is not reused",
				"function", in.p.fn.Name, "instance", in.id, "uid", in.ident.uid, "error", err.Error())
			return
		}
	}
	in.p.r.ids.release(*in.ident)
}

func (in *instance) removeHome() {
	if in.home != "" {
		os.RemoveAll(in.home)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// alive reports whether the instance can take another invocation.
func (in *instance) alive() bool {
	if in.killed.Load() {
		return false
	}
	select {
	case <-in.exited:
		return false
	default:
		return true
	}
}

// kill stops the process and whatever it started, at once.
func (in *instance) kill() {
	if in.killed.Swap(true) || in.gone.Load() {
		return
	}
	select {
	case <-in.exited:
		return
	default:
	}
	killProcessGroup(in.cmd)
}

// startKind tells whether an invocation started its instance.
type startKind int

const (
	warmStart startKind = iota // an instance that had served before
	coldStart                  // a new instance: its first call
)

// await waits for c's result: the runtime's answer, the process's end, or
// the timeout (then the instance is killed, as Lambda stops a sandbox that
// overruns). A new instance gets InitTimeout to take its first call.
func (in *instance) await(c *call, start startKind) {
	timeout := in.p.fn.Timeout
	take := timeout
	if start == coldStart {
		take = InitTimeout
	}
	t := time.NewTimer(take)
	defer t.Stop()
	select {
	case <-c.delivered:
	case <-in.exited:
		c.finish(in.exitResult(c))
		return
	case <-t.C:
		in.kill()
		if start == coldStart {
			c.finish(errorResult(c.id, "Runtime.InitTimeout", "Init phase did not complete within %d seconds", int(InitTimeout/time.Second)))
		} else {
			c.finish(timedOut(c.id, timeout))
		}
		return
	}
	t.Reset(time.Until(c.deadline))
	select {
	case <-c.done:
	case <-in.exited:
		c.finish(in.exitResult(c))
	case <-t.C:
		in.kill()
		c.finish(timedOut(c.id, timeout))
	}
}

// exitResult is the result of a call whose instance exited under it.
func (in *instance) exitResult(c *call) Result {
	in.mu.Lock()
	initErr, waitErr := in.initErr, in.waitErr
	in.mu.Unlock()
	if initErr != nil {
		return Result{Payload: initErr, FunctionError: "Unhandled"}
	}
	return errorResult(c.id, "Runtime.ExitError", "Runtime exited with error: %s", exitText(waitErr))
}

func exitText(err error) string {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return "exit status 0"
	case errors.As(err, &ee):
		return ee.String()
	}
	return err.Error()
}

// errorDoc is Lambda's error document.
type errorDoc struct {
	ErrorMessage string   `json:"errorMessage"`
	ErrorType    string   `json:"errorType"`
	StackTrace   []string `json:"stackTrace,omitempty"`
}

// errorResult is a function error raised by the runner itself, worded as
// Lambda words its own ("RequestId: … Error: …").
func errorResult(id, typ, format string, args ...any) Result {
	msg := "RequestId: " + id + " Error: " + fmt.Sprintf(format, args...)
	b, _ := json.Marshal(errorDoc{ErrorMessage: msg, ErrorType: typ})
	return Result{Payload: b, FunctionError: "Unhandled"}
}

func timedOut(id string, timeout time.Duration) Result {
	return errorResult(id, "Sandbox.Timedout", "Task timed out after %s seconds", strconv.FormatFloat(timeout.Seconds(), 'f', 2, 64))
}

// Runtime API (2018-06-01): what the runtime in the process calls.

const (
	hdrRequestID      = "Lambda-Runtime-Aws-Request-Id"
	hdrDeadline       = "Lambda-Runtime-Deadline-Ms"
	hdrFunctionARN    = "Lambda-Runtime-Invoked-Function-Arn"
	hdrTraceID        = "Lambda-Runtime-Trace-Id"
	hdrErrorType      = "Lambda-Runtime-Function-Error-Type"
	maxErrorBodyBytes = 1 << 20
)

// runtimeAPI serves the instance's Runtime API under the path prefix
// "/{secret}". Any local process can connect to the port (it shows in
// /proc/net/tcp), and another function's process, given the API, could
// take this function's events and answer for it; the secret is in the
// instance's environment only. It travels in the path because that is
// all that every runtime client carries through: AWS_LAMBDA_RUNTIME_API
// is "127.0.0.1:PORT/SECRET", and clients build their URLs as
// "http://" + AWS_LAMBDA_RUNTIME_API + "/2018-06-01/runtime/…".
func (in *instance) runtimeAPI() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", in.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", in.response)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", in.invocationError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", in.initError)
	return requireSecret(in.secret, mux, func(r *http.Request) {
		// Not the instance's runtime: another process on this machine,
		// perhaps another function looking for events to take.
		in.p.r.opts.Logger.Warn("function: refused a Runtime API request without the instance's secret",
			"function", in.p.fn.Name, "instance", in.id, "method", r.Method, "remote_addr", r.RemoteAddr)
	})
}

// requireSecret serves h the requests whose path starts with /{secret}/,
// without that prefix, and refuses the others with 403 (after telling
// refused) before anything else is done. The secret is compared in
// constant time.
func requireSecret(secret string, h http.Handler, refused func(*http.Request)) http.Handler {
	prefix := []byte("/" + secret + "/")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		n := len(prefix)
		if len(path) < n || subtle.ConstantTimeCompare([]byte(path[:n]), prefix) != 1 {
			refused(r)
			writeRuntimeError(w, http.StatusForbidden, "AccessDeniedException", "This request is not from the function instance this Runtime API serves.")
			return
		}
		r2 := new(http.Request)
		*r2 = *r
		u := *r.URL
		u.Path, u.RawPath = path[n-1:], ""
		r2.URL = &u
		h.ServeHTTP(w, r2)
	})
}

// next blocks until an invocation is handed to the instance, and gives it
// to the runtime with its id and deadline.
func (in *instance) next(w http.ResponseWriter, r *http.Request) {
	in.mu.Lock()
	if prev := in.cur; prev != nil {
		// Asking for the next event answers nothing about this one.
		in.cur = nil
		in.mu.Unlock()
		prev.finish(errorResult(prev.id, "Runtime.InvalidResponse", "the runtime asked for the next invocation without answering this one"))
		in.mu.Lock()
	}
	in.mu.Unlock()
	var c *call
	select {
	case c = <-in.calls:
	case <-r.Context().Done():
		return
	}
	f := in.p.fn
	c.deadline = time.Now().Add(f.Timeout)
	in.mu.Lock()
	in.cur = c
	in.mu.Unlock()
	in.logID.Store(&c.id)
	close(c.delivered)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set(hdrRequestID, c.id)
	h.Set(hdrDeadline, strconv.FormatInt(c.deadline.UnixMilli(), 10))
	h.Set(hdrFunctionARN, f.ARN())
	h.Set(hdrTraceID, c.traceID)
	// Always a Content-Length, never chunked: the shipped Node.js runtime's
	// client reads bodies by length.
	h.Set("Content-Length", strconv.Itoa(len(c.payload)))
	w.Write(c.payload)
}

// take returns the delivered call with this id and forgets it, or answers
// the runtime with Lambda's error and returns nil.
func (in *instance) take(w http.ResponseWriter, id string) *call {
	in.mu.Lock()
	c := in.cur
	if c != nil && c.id == id {
		in.cur = nil
	}
	in.mu.Unlock()
	switch {
	case c == nil:
		writeRuntimeError(w, http.StatusForbidden, "InvalidStateTransition", "State transition from Ready to InvocationResponse failed for runtime. Error: State transition is not allowed")
		return nil
	case c.id != id:
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return nil
	}
	return c
}

func (in *instance) response(w http.ResponseWriter, r *http.Request) {
	c := in.take(w, r.PathValue("id"))
	if c == nil {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayloadBytes+1))
	switch {
	case err != nil:
		c.finish(errorResult(c.id, "Runtime.ExitError", "reading the response: %v", err))
		return
	case len(body) > maxPayloadBytes:
		writeRuntimeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", maxPayloadBytes))
		b, _ := json.Marshal(errorDoc{ErrorType: "Function.ResponseSizeTooLarge",
			ErrorMessage: fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", maxPayloadBytes)})
		c.finish(Result{Payload: b, FunctionError: "Unhandled"})
		return
	}
	c.finish(Result{Payload: body})
	writeAccepted(w)
}

func (in *instance) invocationError(w http.ResponseWriter, r *http.Request) {
	c := in.take(w, r.PathValue("id"))
	if c == nil {
		return
	}
	c.finish(Result{Payload: readErrorDoc(r), FunctionError: "Unhandled"})
	writeAccepted(w)
}

func (in *instance) initError(w http.ResponseWriter, r *http.Request) {
	doc := readErrorDoc(r)
	in.mu.Lock()
	in.initErr = doc
	in.mu.Unlock()
	in.p.r.opts.Logger.Error("function: init failed", "function", in.p.fn.Name, "instance", in.id, "error", string(doc))
	writeAccepted(w)
}

// readErrorDoc returns the error document a runtime posted: its body when
// that is a JSON object, else one built from the error-type header and the
// body's text.
func readErrorDoc(r *http.Request) []byte {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxErrorBodyBytes))
	var probe map[string]json.RawMessage
	if json.Unmarshal(body, &probe) == nil && probe != nil {
		return body
	}
	typ := r.Header.Get(hdrErrorType)
	if typ == "" {
		typ = "Unhandled"
	}
	b, _ := json.Marshal(errorDoc{ErrorMessage: string(body), ErrorType: typ})
	return b
}

func writeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	w.Write([]byte(`{"status":"OK"}`))
}

func writeRuntimeError(w http.ResponseWriter, status int, typ, msg string) {
	b, _ := json.Marshal(errorDoc{ErrorMessage: msg, ErrorType: typ})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// lineLogger writes a process's output to the log a line at a time, tagged
// with the function, the instance and the latest invocation's request id.
type lineLogger struct {
	in     *instance
	stream string
	mu     sync.Mutex
	buf    []byte
}

// maxLogLine bounds a logged line; longer ones are logged in pieces.
const maxLogLine = 64 << 10

func (l *lineLogger) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			l.buf = append(l.buf, b...)
			if len(l.buf) >= maxLogLine {
				l.emit(l.buf)
				l.buf = l.buf[:0]
			}
			break
		}
		l.buf = append(l.buf, b[:i]...)
		l.emit(l.buf)
		l.buf = l.buf[:0]
		b = b[i+1:]
	}
	return n, nil
}

func (l *lineLogger) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.emit(l.buf)
		l.buf = l.buf[:0]
	}
}

func (l *lineLogger) emit(line []byte) {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	reqID := ""
	if p := l.in.logID.Load(); p != nil {
		reqID = *p
	}
	l.in.p.r.opts.Logger.Info(string(line), "function", l.in.p.fn.Name, "request_id", reqID, "stream", l.stream, "instance", l.in.id)
}
