package function_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/function"
	"github.com/tollgate/tollgate/internal/function/functest"
)

// needProgram returns the path of a program a test runs, skipping the
// test without it (failing it in CI): functest.NeedProgram.
var needProgram = functest.NeedProgram

// code writes files into a new code directory and returns it.
func code(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		writeFile(t, dir, name, content)
	}
	return dir
}

func writeFile(t testing.TB, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
}

// syncBuffer is a log sink tests read while instances write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runner starts a runner for fns; it is closed when the test ends.
func runner(t testing.TB, opts function.Options, fns ...*tollgate.Function) (*function.Runner, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	opts.Functions = fns
	opts.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, f := range fns {
		if f.Region == "" {
			f.Region = "us-east-1"
		}
		if f.Timeout == 0 {
			f.Timeout = 10 * time.Second
		}
		if f.MemorySize == 0 {
			f.MemorySize = 128
		}
	}
	r, err := function.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.Start(ctx)
	t.Cleanup(func() {
		cancel()
		r.Close()
	})
	return r, logs
}

func invoke(t *testing.T, r *function.Runner, name, payload string) *function.Result {
	t.Helper()
	res, err := r.Invoke(context.Background(), name, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// errorType returns the errorType of a function error's payload.
func errorType(t *testing.T, res *function.Result) string {
	t.Helper()
	if res.FunctionError != "Unhandled" {
		t.Fatalf("FunctionError = %q, payload %s", res.FunctionError, res.Payload)
	}
	var doc struct{ ErrorType, ErrorMessage string }
	if err := json.Unmarshal(res.Payload, &doc); err != nil {
		t.Fatalf("error payload %s: %v", res.Payload, err)
	}
	return doc.ErrorType
}

const echoESM = `
export const handler = async (event, context) => ({
  event,
  requestId: context.awsRequestId,
  functionName: context.functionName,
  arn: context.invokedFunctionArn,
  memory: context.memoryLimitInMB,
  remaining: context.getRemainingTimeInMillis(),
  pid: process.pid,
  env: {
    region: process.env.AWS_REGION,
    handler: process.env._HANDLER,
    taskRoot: process.env.LAMBDA_TASK_ROOT,
    execEnv: process.env.AWS_EXECUTION_ENV,
    custom: process.env.GREETING,
    masterKey: process.env.TOLLGATE_MASTER_KEY ?? null,
  },
});
`

type echoReply struct {
	Event        map[string]any
	RequestID    string
	FunctionName string
	ARN          string
	Memory       string
	Remaining    int64
	PID          int
	Env          map[string]any
}

func TestNodeESMRoundTrip(t *testing.T) {
	needProgram(t, "node")
	t.Setenv("TOLLGATE_MASTER_KEY", "must-not-reach-functions")
	dir := code(t, map[string]string{"index.mjs": echoESM})
	r, _ := runner(t, function.Options{}, &tollgate.Function{
		Name: "echo", Runtime: "nodejs22.x", Handler: "index.handler", CodeDir: dir,
		Environment: map[string]string{"GREETING": "hello"}, MemorySize: 256,
	})
	res := invoke(t, r, "echo", `{"a":[1,"x",null],"b":{"c":true}}`)
	if res.FunctionError != "" {
		t.Fatalf("function error %s", res.Payload)
	}
	var got echoReply
	if err := json.Unmarshal(res.Payload, &got); err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(got.Event); string(b) != `{"a":[1,"x",null],"b":{"c":true}}` {
		t.Errorf("event = %s", b)
	}
	if got.RequestID != res.RequestID || got.RequestID == "" {
		t.Errorf("awsRequestId %q, result's %q", got.RequestID, res.RequestID)
	}
	if got.FunctionName != "echo" || got.ARN != "arn:aws:lambda:us-east-1:000000000000:function:echo" || got.Memory != "256" {
		t.Errorf("context = %+v", got)
	}
	if got.Remaining <= 0 || got.Remaining > 10_000 {
		t.Errorf("getRemainingTimeInMillis() = %d", got.Remaining)
	}
	want := map[string]any{"region": "us-east-1", "handler": "index.handler", "taskRoot": dir,
		"execEnv": "AWS_Lambda_nodejs22.x", "custom": "hello", "masterKey": nil}
	for k, v := range want {
		if got.Env[k] != v {
			t.Errorf("env %s = %v, want %v", k, got.Env[k], v)
		}
	}
	if !res.Cold {
		t.Error("first invocation not cold")
	}
	// A second invocation reuses the warm instance.
	again := invoke(t, r, "echo", `{}`)
	var got2 echoReply
	must(t, json.Unmarshal(again.Payload, &got2))
	if again.Cold || got2.PID != got.PID {
		t.Errorf("second invocation cold=%v pid %d, first pid %d", again.Cold, got2.PID, got.PID)
	}
	if st := r.Stats("echo"); st.Instances != 1 || st.ColdStarts != 1 || st.Invocations != 2 {
		t.Errorf("stats %+v", st)
	}
}

// The handler forms the Node runtime accepts: CommonJS, .cjs, "type":
// "module" packages, callback style, nested directories.
func TestNodeHandlerForms(t *testing.T) {
	needProgram(t, "node")
	tests := []struct {
		name, handler string
		files         map[string]string
	}{
		{"commonjs js", "index.handler", map[string]string{
			"index.js": `exports.handler = async (e) => ({form: "cjs", e});`}},
		{"cjs extension", "app.handler", map[string]string{
			"app.cjs": `module.exports.handler = async (e) => ({form: "cjs", e});`}},
		{"js under type module", "index.handler", map[string]string{
			"package.json": `{"type":"module"}`,
			"index.js":     `export async function handler(e) { return {form: "esm", e}; }`}},
		{"callback", "index.handler", map[string]string{
			"index.js": `exports.handler = (e, ctx, cb) => { setTimeout(() => cb(null, {form: "callback", e}), 5); };`}},
		{"context.succeed", "index.handler", map[string]string{
			"index.js": `exports.handler = (e, ctx) => { ctx.succeed({form: "succeed", e}); };`}},
		{"subdirectory", "src/lib/main.run", map[string]string{
			"src/lib/main.mjs": `export const run = async (e) => ({form: "nested", e});`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := runner(t, function.Options{}, &tollgate.Function{
				Name: "f", Runtime: "nodejs22.x", Handler: tt.handler, CodeDir: code(t, tt.files)})
			res := invoke(t, r, "f", `{"n":1}`)
			var got struct {
				Form string
				E    struct{ N int }
			}
			if err := json.Unmarshal(res.Payload, &got); err != nil || res.FunctionError != "" || got.E.N != 1 || got.Form == "" {
				t.Fatalf("result %s (%s), err %v", res.Payload, res.FunctionError, err)
			}
		})
	}
}

func TestNodeErrors(t *testing.T) {
	needProgram(t, "node")
	tests := []struct {
		name, handler string
		files         map[string]string
		wantType      string
		wantMessage   string
	}{
		{"thrown error", "index.handler", map[string]string{
			"index.mjs": `export const handler = async () => { throw new TypeError("boom"); };`}, "TypeError", "boom"},
		{"callback error", "index.handler", map[string]string{
			"index.js": `exports.handler = (e, c, cb) => cb(new Error("via callback"));`}, "Error", "via callback"},
		{"missing module", "nothere.handler", map[string]string{
			"index.mjs": `export const handler = async () => 1;`}, "Runtime.ImportModuleError", "Cannot find module 'nothere'"},
		{"missing export", "index.other", map[string]string{
			"index.mjs": `export const handler = async () => 1;`}, "Runtime.HandlerNotFound", "index.other is undefined or not exported"},
		{"syntax error", "index.handler", map[string]string{
			"index.mjs": `export const handler = async () => {;`}, "Runtime.ImportModuleError", "SyntaxError"},
		{"crash mid-invoke", "index.handler", map[string]string{
			"index.mjs": `export const handler = async () => { process.exit(3); };`}, "Runtime.ExitError", "exit status 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := runner(t, function.Options{}, &tollgate.Function{
				Name: "f", Runtime: "nodejs22.x", Handler: tt.handler, CodeDir: code(t, tt.files)})
			res := invoke(t, r, "f", `{}`)
			if got := errorType(t, res); got != tt.wantType {
				t.Errorf("errorType %q, want %q (%s)", got, tt.wantType, res.Payload)
			}
			if !strings.Contains(string(res.Payload), tt.wantMessage) {
				t.Errorf("payload %s lacks %q", res.Payload, tt.wantMessage)
			}
		})
	}
}

// A function that overruns its timeout is killed; the invocation gets
// Lambda's Sandbox.Timedout error, and the next one a new instance.
func TestTimeoutReplacesInstance(t *testing.T) {
	needProgram(t, "node")
	dir := code(t, map[string]string{"index.mjs": `
export const handler = async (e) => {
  if (e.hang) await new Promise(() => setInterval(() => {}, 1000));
  return {pid: process.pid};
};`})
	r, _ := runner(t, function.Options{}, &tollgate.Function{
		Name: "slow", Runtime: "nodejs22.x", Handler: "index.handler", CodeDir: dir, Timeout: time.Second})
	first := invoke(t, r, "slow", `{}`)
	res := invoke(t, r, "slow", `{"hang":true}`)
	if got := errorType(t, res); got != "Sandbox.Timedout" || !strings.Contains(string(res.Payload), "Task timed out after 1.00 seconds") {
		t.Fatalf("timeout result %s", res.Payload)
	}
	after := invoke(t, r, "slow", `{}`)
	if !after.Cold || string(after.Payload) == string(first.Payload) {
		t.Errorf("after a timeout: cold=%v, pid %s (before %s)", after.Cold, after.Payload, first.Payload)
	}
}

// Overlapping invocations run on separate instances, up to the cap; a
// caller above it waits for an instance to come back.
func TestConcurrency(t *testing.T) {
	needProgram(t, "node")
	gate := filepath.Join(t.TempDir(), "open")
	dir := code(t, map[string]string{"index.mjs": `
import fs from "node:fs";
export const handler = async () => {
  while (!fs.existsSync(` + jsString(gate) + `)) await new Promise((r) => setTimeout(r, 10));
  return {pid: process.pid};
};`})
	r, _ := runner(t, function.Options{}, &tollgate.Function{
		Name: "par", Runtime: "nodejs22.x", Handler: "index.handler", CodeDir: dir, ReservedConcurrency: 2})
	results := make(chan *function.Result, 3)
	for range 3 {
		go func() {
			res, err := r.Invoke(context.Background(), "par", []byte(`{}`))
			if err != nil {
				t.Error(err)
			}
			results <- res
		}()
	}
	functest.Eventually(t, "two invocations busy", func() bool { st := r.Stats("par"); return st.Busy == 2 && st.Invocations == 2 })
	if st := r.Stats("par"); st.Instances != 2 {
		t.Fatalf("stats %+v, want 2 instances (the cap)", st)
	}
	must(t, os.WriteFile(gate, nil, 0o644))
	pids := map[string]bool{}
	for range 3 {
		res := <-results
		if res == nil || res.FunctionError != "" {
			t.Fatalf("result %+v", res)
		}
		pids[string(res.Payload)] = true
	}
	if st := r.Stats("par"); len(pids) != 2 || st.Instances != 2 || st.ColdStarts != 2 || st.Invocations != 3 {
		t.Errorf("pids %v, stats %+v", pids, st)
	}
}

// An instance idle past the idle timeout is stopped; the next invocation
// starts a new one.
func TestColdStartAfterIdle(t *testing.T) {
	needProgram(t, "node")
	dir := code(t, map[string]string{"index.mjs": `export const handler = async () => ({pid: process.pid});`})
	r, _ := runner(t, function.Options{IdleTimeout: 100 * time.Millisecond}, &tollgate.Function{
		Name: "idle", Runtime: "nodejs22.x", Handler: "index.handler", CodeDir: dir})
	first := invoke(t, r, "idle", `{}`)
	functest.Eventually(t, "the idle instance stopped", func() bool { return r.Stats("idle").Instances == 0 })
	second := invoke(t, r, "idle", `{}`)
	if !first.Cold || !second.Cold || string(first.Payload) == string(second.Payload) {
		t.Errorf("first cold=%v %s, second cold=%v %s", first.Cold, first.Payload, second.Cold, second.Payload)
	}
}

// Function output reaches the log, tagged with the function and the
// invocation's request id.
func TestLogsTagged(t *testing.T) {
	needProgram(t, "node")
	dir := code(t, map[string]string{"index.mjs": `export const handler = async () => { console.log("hello from the handler"); return 1; };`})
	r, logs := runner(t, function.Options{}, &tollgate.Function{
		Name: "logger", Runtime: "nodejs22.x", Handler: "index.handler", CodeDir: dir})
	res := invoke(t, r, "logger", `{}`)
	functest.Eventually(t, "the handler's output logged", func() bool { return strings.Contains(logs.String(), "hello from the handler") })
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "hello from the handler") {
			var rec map[string]any
			must(t, json.Unmarshal([]byte(line), &rec))
			if rec["function"] != "logger" || rec["request_id"] != res.RequestID || rec["stream"] != "stdout" {
				t.Errorf("log record %s, request id %s", line, res.RequestID)
			}
		}
	}
}

func TestPython(t *testing.T) {
	needProgram(t, "python3")
	dir := code(t, map[string]string{
		"app/main.py": `
import os
def handler(event, context):
    if event.get("fail"):
        raise ValueError("bad input")
    return {"event": event, "requestId": context.aws_request_id, "name": context.function_name,
            "remaining": context.get_remaining_time_in_millis() > 0, "region": os.environ["AWS_REGION"]}
`,
		"app/__init__.py": "",
	})
	r, _ := runner(t, function.Options{}, &tollgate.Function{
		Name: "py", Runtime: "python3.12", Handler: "app/main.handler", CodeDir: dir})
	res := invoke(t, r, "py", `{"x":"y"}`)
	var got struct {
		Event     map[string]string
		RequestID string
		Name      string
		Remaining bool
		Region    string
	}
	if err := json.Unmarshal(res.Payload, &got); err != nil || res.FunctionError != "" {
		t.Fatalf("result %s: %v", res.Payload, err)
	}
	if got.Event["x"] != "y" || got.RequestID != res.RequestID || got.Name != "py" || !got.Remaining || got.Region != "us-east-1" {
		t.Errorf("got %+v", got)
	}
	bad := invoke(t, r, "py", `{"fail":true}`)
	if typ := errorType(t, bad); typ != "ValueError" || !strings.Contains(string(bad.Payload), "bad input") {
		t.Errorf("error %s", bad.Payload)
	}
}

func TestInvokeErrors(t *testing.T) {
	needProgram(t, "node")
	dir := code(t, map[string]string{"index.mjs": `export const handler = async () => ({});`})
	r, _ := runner(t, function.Options{}, &tollgate.Function{Name: "f", Runtime: "nodejs22.x", Handler: "index.handler", CodeDir: dir})
	if _, err := r.Invoke(context.Background(), "nope", nil); err == nil {
		t.Error("unknown function invoked")
	}
	if _, err := r.Invoke(context.Background(), "f", make([]byte, function.MaxPayloadBytes+1)); !errors.Is(err, function.ErrPayloadTooLarge) {
		t.Errorf("oversized payload: %v", err)
	}
}

// A provided.* function without a bootstrap executable is refused when the
// runner is made, not at its first request.
func TestMissingBootstrap(t *testing.T) {
	_, err := function.New(function.Options{Functions: []*tollgate.Function{{
		Name: "go", Runtime: "provided.al2023", CodeDir: t.TempDir(), Timeout: time.Second, Region: "us-east-1"}}})
	if err == nil || !strings.Contains(err.Error(), "bootstrap") {
		t.Errorf("err = %v", err)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Payloads near Lambda's 6 MB limit cross the Runtime API whole; a response
// over it is the function error Lambda gives, and the instance goes on.
func TestLargePayloads(t *testing.T) {
	needProgram(t, "node")
	dir := code(t, map[string]string{"index.mjs": `
export const handler = async (e) => e.big ? "x".repeat(7 << 20) : {n: e.s.length, tail: e.s.slice(-3)};`})
	r, _ := runner(t, function.Options{}, &tollgate.Function{
		Name: "big", Runtime: "nodejs22.x", Handler: "index.handler", CodeDir: dir})
	s := strings.Repeat("ab", 5<<19) + "end" // 5 MiB and a marker
	res := invoke(t, r, "big", `{"s":"`+s+`"}`)
	if string(res.Payload) != `{"n":5242883,"tail":"end"}` {
		t.Fatalf("large event: %.200s", res.Payload)
	}
	res = invoke(t, r, "big", `{"big":true}`)
	if got := errorType(t, res); got != "Function.ResponseSizeTooLarge" {
		t.Errorf("oversized response: %s", res.Payload)
	}
	if res := invoke(t, r, "big", `{"s":"abc"}`); string(res.Payload) != `{"n":3,"tail":"abc"}` {
		t.Errorf("after an oversized response: %s %s", res.Payload, res.FunctionError)
	}
}

// must fails the test on a fixture step's error.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
