package function_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/function"
)

// gate is an Authenticator that refuses calls carrying X-Test-Refuse with
// the error type named there, and records the bodies it was shown.
type gate struct {
	mu     sync.Mutex
	bodies []string
}

func (g *gate) authenticate(r *http.Request, body []byte) *function.APIError {
	g.mu.Lock()
	g.bodies = append(g.bodies, string(body))
	g.mu.Unlock()
	if typ := r.Header.Get("X-Test-Refuse"); typ != "" {
		return &function.APIError{Status: http.StatusForbidden, Type: typ, Message: "refused by the test"}
	}
	return nil
}

func (g *gate) seen() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.bodies...)
}

// invokeServer serves the Invoke API of a runner with a provided.al2023
// function "f" (whose bootstrap never runs in these tests) behind g.
func invokeServer(t *testing.T, g *gate) *httptest.Server {
	t.Helper()
	dir := code(t, map[string]string{"bootstrap": "#!/bin/sh\nexit 1\n"})
	r, _ := runner(t, function.Options{}, &tollgate.Function{Name: "f", Runtime: "provided.al2023", CodeDir: dir})
	srv := httptest.NewServer(r.InvokeHandler(g.authenticate))
	t.Cleanup(srv.Close)
	return srv
}

func post(t *testing.T, u string, body []byte, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestInvokeHandlerAuthenticates: every call is shown to the
// Authenticator with its whole body before anything else is looked at, and
// its refusal is the answer.
func TestInvokeHandlerAuthenticates(t *testing.T) {
	g := &gate{}
	srv := invokeServer(t, g)
	fn := srv.URL + function.InvokePathPrefix

	for _, tc := range []struct {
		name, url, typ, body string
	}{
		{"known function", fn + "f/invocations", "InvalidSignatureException", `{"a":1}`},
		{"unknown function: refused, not told apart", fn + "nope/invocations", "MissingAuthenticationTokenException", `{}`},
		{"unknown operation", fn + "f/configuration", "UnrecognizedClientException", ``},
	} {
		resp, body := post(t, tc.url, []byte(tc.body), map[string]string{"X-Test-Refuse": tc.typ, "Authorization": "AWS4-HMAC-SHA256 test"})
		// The front end's shape: only a lower-case "message" (a raw 403 of
		// lambda.amazonaws.com in erlcloud/erlcloud#690).
		if resp.StatusCode != 403 || resp.Header.Get("X-Amzn-ErrorType") != tc.typ || body != `{"message":"refused by the test"}` ||
			resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("X-Amzn-RequestId") == "" {
			t.Errorf("%s: %s %v %s", tc.name, resp.Status, resp.Header, body)
		}
		if seen := g.seen(); seen[len(seen)-1] != tc.body {
			t.Errorf("%s: the Authenticator saw %q, want the body %q", tc.name, seen[len(seen)-1], tc.body)
		}
	}

	// A body over Lambda's limit is refused before it is authenticated
	// (the whole body is what a signature covers).
	before := len(g.seen())
	resp, body := post(t, fn+"f/invocations", make([]byte, function.MaxPayloadBytes+1), map[string]string{"Authorization": "AWS4-HMAC-SHA256 test"})
	if resp.StatusCode != 413 || resp.Header.Get("X-Amzn-ErrorType") != "RequestTooLargeException" || len(g.seen()) != before {
		t.Errorf("oversized: %s %s (authenticated %d times)", resp.Status, body, len(g.seen())-before)
	}
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// An unsigned call is refused before its body is read: anonymous callers
// cannot make Tollgate hold 6 MB each.
func TestInvokeHandlerUnsignedBodyNotRead(t *testing.T) {
	g := &gate{}
	dir := code(t, map[string]string{"bootstrap": "#!/bin/sh\nexit 1\n"})
	r, _ := runner(t, function.Options{}, &tollgate.Function{Name: "f", Runtime: "provided.al2023", CodeDir: dir})
	h := r.InvokeHandler(g.authenticate)
	body := &countingReader{r: bytes.NewReader(make([]byte, function.MaxPayloadBytes))}
	req := httptest.NewRequest("POST", function.InvokePathPrefix+"f/invocations", body)
	req.Header.Set("X-Test-Refuse", "MissingAuthenticationTokenException")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 403 || body.n != 0 {
		t.Errorf("unsigned call: %d, %d bytes of its body read", w.Code, body.n)
	}
}

func TestInvokeHandlerNilAuthenticator(t *testing.T) {
	r, _ := runner(t, function.Options{})
	defer func() {
		if recover() == nil {
			t.Error("InvokeHandler(nil) served without authentication")
		}
	}()
	r.InvokeHandler(nil)
}

// TestInvokeHandlerErrors checks Lambda's answers for calls that reach no
// function, once authenticated.
func TestInvokeHandlerErrors(t *testing.T) {
	srv := invokeServer(t, &gate{})
	fn := srv.URL + function.InvokePathPrefix
	// ResourceNotFoundException: 404 {"Message":…,"Type":"User"}, as Invoke
	// answers (aarondfrancis/sidecar#23: {"Message":"Function not found:
	// arn:aws:lambda:us-east-1:…:function:NAME:active","Type":"User"}); the
	// version looked for ends the ARN, $LATEST when none is given
	// (LocalStack, lambda_service.py, invoke: invoked_arn += ":$LATEST").
	notFound := func(arn string) string {
		return `{"Message":"Function not found: ` + arn + `","Type":"User"}`
	}
	const arn = "arn:aws:lambda:us-east-1:000000000000:function:"
	for _, tc := range []struct {
		name, url string
		hdr       map[string]string
		body      string
		status    int
		typ       string
		want      string // the whole body, or "" for no check
	}{
		{"unknown name", fn + "nope/invocations", nil, `{}`, 404, "ResourceNotFoundException", notFound(arn + "nope:$LATEST")},
		{"unknown name, qualified", fn + "nope:prod/invocations", nil, `{}`, 404, "ResourceNotFoundException", notFound(arn + "nope:prod")},
		{"unknown ARN, escaped", fn + "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Anope/invocations", nil, `{}`, 404, "ResourceNotFoundException", notFound(arn + "nope:$LATEST")},
		{"known function, unknown version", fn + "f/invocations?Qualifier=7", nil, `{}`, 404, "ResourceNotFoundException", notFound(arn + "f:7")},
		{"not JSON", fn + "f/invocations", nil, `{`, 400, "InvalidRequestContentException", ""},
		{"unknown invocation type", fn + "f/invocations", map[string]string{"X-Amz-Invocation-Type": "Later"}, `{}`, 400, "InvalidParameterValueException", ""},
		{"unknown operation", fn + "f/invocations/x", nil, `{}`, 404, "UnknownOperationException", ""},
	} {
		resp, body := post(t, tc.url, []byte(tc.body), tc.hdr)
		if resp.StatusCode != tc.status || resp.Header.Get("X-Amzn-ErrorType") != tc.typ || tc.want != "" && body != tc.want {
			t.Errorf("%s: %s %s %s, want %d %s %s", tc.name, resp.Status, resp.Header.Get("X-Amzn-ErrorType"), body, tc.status, tc.typ, tc.want)
		}
	}
	// DryRun checks the call without running the function.
	resp, body := post(t, fn+"f/invocations", []byte(`{}`), map[string]string{"X-Amz-Invocation-Type": "DryRun"})
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("DryRun: %s %s", resp.Status, body)
	}
}

// TestInvokeHandlerRuns: an authenticated call runs the function on the
// body the Authenticator saw.
func TestInvokeHandlerRuns(t *testing.T) {
	needProgram(t, "node")
	dir := code(t, map[string]string{"index.mjs": `export const handler = async (event) => ({got: event});`})
	r, _ := runner(t, function.Options{}, &tollgate.Function{Name: "echo", Runtime: "nodejs22.x", Handler: "index.handler", CodeDir: dir})
	g := &gate{}
	srv := httptest.NewServer(r.InvokeHandler(g.authenticate))
	defer srv.Close()
	resp, body := post(t, srv.URL+function.InvokePathPrefix+"echo/invocations", []byte(`{"n":42}`), nil)
	var out struct{ Got map[string]int }
	if err := json.Unmarshal([]byte(body), &out); err != nil || resp.StatusCode != 200 || out.Got["n"] != 42 ||
		resp.Header.Get("X-Amz-Executed-Version") != "$LATEST" || strings.Join(g.seen(), "") != `{"n":42}` {
		t.Errorf("%s %s (%v), authenticator saw %q", resp.Status, body, err, g.seen())
	}
}
