package lambdaproxy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fakeFunction is an Invoker answering every event with its result,
// remembering the last event.
type fakeFunction struct {
	payload string
	fnErr   bool
	err     error
	wait    bool // until the invocation's context is done, then err = ctx.Err()
	event   []byte
}

func (f *fakeFunction) invoke(ctx context.Context, _, _ string, event []byte) ([]byte, bool, error) {
	f.event = event
	if f.wait {
		<-ctx.Done()
		return nil, false, ctx.Err()
	}
	return []byte(f.payload), f.fnErr, f.err
}

// serve answers a GET of / on api through an integration with payload
// format version, and returns the answer.
func serve(t *testing.T, api *tollgate.RestAPI, version string, fn *fakeFunction, timeout time.Duration) (*httptest.ResponseRecorder, *gateway.Invocation) {
	t.Helper()
	li := New(api, tollgate.Integration{Type: tollgate.IntegrationAWSProxy, Function: "fn", PayloadFormatVersion: version, Timeout: timeout}, fn.invoke, quiet)
	r := httptest.NewRequest("GET", "/", nil)
	inv := &gateway.Invocation{API: api, Stage: &tollgate.Stage{Name: tollgate.DefaultStageName}, RouteKey: tollgate.DefaultRouteKey, RawPath: "/", Path: "/"}
	w := httptest.NewRecorder()
	li.Serve(w, r, inv)
	return w, inv
}

// gatewayAnswer is what the invocation's API answers for t.
func gatewayAnswer(inv *gateway.Invocation, t gateway.ResponseType) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	inv.WriteResponse(w, t)
	return w
}

// TestHTTPResults maps payload 2.0 results to answers (apigw-beyond §4.2;
// http-api-develop-integrations-lambda, "Lambda function response for
// format 2.0"). Failures are the HTTP API's gateway responses, written by
// inv.WriteResponse (500 and 503 on an HTTP API, apigw-beyond §4.5).
func TestHTTPResults(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fn      fakeFunction
		status  int
		headers http.Header // among the answer's
		absent  []string    // headers the answer must not have
		body    string
		failure gateway.ResponseType // instead of status, headers and body
	}{
		{name: "response", fn: fakeFunction{payload: `{"statusCode":201,"headers":{"X-A":"1,2","Content-Type":"text/plain","X-N":5},"cookies":["a=1; Path=/","b=2"],"body":"hi"}`},
			status: 201, headers: http.Header{"X-A": {"1,2"}, "Content-Type": {"text/plain"}, "X-N": {"5"}, "Set-Cookie": {"a=1; Path=/", "b=2"}}, body: "hi"},
		// Without a Content-Type, text/plain; charset=utf-8: a 2025 capture
		// of an HTTP API's answer (code-index 21373836058) and
		// aasisodiya.github.io's nodejs-aws-apigw notes.
		{name: "status as a string", fn: fakeFunction{payload: `{"statusCode":"404"}`},
			status: 404, headers: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}},
		{name: "base64 decoded whatever the Accept", fn: fakeFunction{payload: `{"statusCode":200,"isBase64Encoded":true,"body":"aGk=","headers":{"content-type":"image/png"}}`},
			status: 200, headers: http.Header{"Content-Type": {"image/png"}}, body: "hi"},
		{name: "multiValueHeaders and unknown keys ignored", fn: fakeFunction{payload: `{"statusCode":200,"multiValueHeaders":{"X-M":["a"]},"extra":1,"body":null}`},
			status: 200, absent: []string{"X-M"}},
		{name: "object without statusCode", fn: fakeFunction{payload: `{"body":"hi"}`},
			status: 200, headers: http.Header{"Content-Type": {"application/json"}}, body: `{"body":"hi"}`},
		{name: "null statusCode", fn: fakeFunction{payload: `{"statusCode":null,"body":"hi"}`},
			status: 200, body: `{"statusCode":null,"body":"hi"}`},
		{name: "string", fn: fakeFunction{payload: `"Hello from Lambda!"`},
			status: 200, headers: http.Header{"Content-Type": {"application/json"}}, body: `"Hello from Lambda!"`},
		{name: "number", fn: fakeFunction{payload: "42\n"}, status: 200, body: "42"},
		{name: "null", fn: fakeFunction{payload: "null"}, status: 200, body: "null"},
		{name: "list", fn: fakeFunction{payload: `[{"statusCode":404}]`}, status: 200, body: `[{"statusCode":404}]`},
		{name: "not JSON", fn: fakeFunction{payload: `{"statusCode":200`}, failure: gateway.ResponseIntegrationFailure},
		{name: "empty", fn: fakeFunction{payload: ``}, failure: gateway.ResponseIntegrationFailure},
		{name: "two values", fn: fakeFunction{payload: `{"statusCode":200}{}`}, failure: gateway.ResponseIntegrationFailure},
		{name: "body not a string", fn: fakeFunction{payload: `{"statusCode":200,"body":{"a":1}}`}, failure: gateway.ResponseIntegrationFailure},
		{name: "status not a status", fn: fakeFunction{payload: `{"statusCode":"abc"}`}, failure: gateway.ResponseIntegrationFailure},
		{name: "status out of range", fn: fakeFunction{payload: `{"statusCode":99}`}, failure: gateway.ResponseIntegrationFailure},
		{name: "cookies not strings", fn: fakeFunction{payload: `{"statusCode":200,"cookies":[1]}`}, failure: gateway.ResponseIntegrationFailure},
		{name: "cookies not a list", fn: fakeFunction{payload: `{"statusCode":200,"cookies":"a=1"}`}, failure: gateway.ResponseIntegrationFailure},
		{name: "headers not an object", fn: fakeFunction{payload: `{"statusCode":200,"headers":["a"]}`}, failure: gateway.ResponseIntegrationFailure},
		{name: "isBase64Encoded not a boolean", fn: fakeFunction{payload: `{"statusCode":200,"isBase64Encoded":"yes"}`}, failure: gateway.ResponseIntegrationFailure},
		{name: "body not base64", fn: fakeFunction{payload: `{"statusCode":200,"isBase64Encoded":true,"body":"!!"}`}, failure: gateway.ResponseIntegrationFailure},
		{name: "function error", fn: fakeFunction{payload: `{"errorMessage":"boom","errorType":"Error"}`, fnErr: true}, failure: gateway.ResponseIntegrationFailure},
		{name: "invocation failed", fn: fakeFunction{err: errors.New("no runtime")}, failure: gateway.ResponseIntegrationFailure},
		{name: "event too large", fn: fakeFunction{err: ErrEventTooLarge}, failure: gateway.ResponseRequestTooLarge},
		{name: "timeout", fn: fakeFunction{wait: true}, failure: gateway.ResponseIntegrationTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			timeout := time.Duration(0)
			if tc.fn.wait {
				timeout = time.Millisecond
			}
			w, inv := serve(t, httpAPI("abc"), "2.0", &tc.fn, timeout)
			if tc.failure != 0 {
				want := gatewayAnswer(inv, tc.failure)
				if w.Code != want.Code || w.Body.String() != want.Body.String() {
					t.Errorf("answered %d %s, want %s's %d %s", w.Code, w.Body, tc.failure, want.Code, want.Body)
				}
				return
			}
			if w.Code != tc.status || w.Body.String() != tc.body {
				t.Errorf("answered %d %q, want %d %q", w.Code, w.Body, tc.status, tc.body)
			}
			for k, vs := range tc.headers {
				if got := w.Result().Header.Values(k); !slices.Equal(got, vs) {
					t.Errorf("%s: %q, want %q", k, got, vs)
				}
			}
			for _, k := range tc.absent {
				if v, ok := w.Result().Header[k]; ok {
					t.Errorf("%s: %q, want none", k, v)
				}
			}
		})
	}
}

// TestFormatChoice holds which event an integration sends: a REST API's
// 1.0; on an HTTP API its PayloadFormatVersion, 2.0 when unset.
func TestFormatChoice(t *testing.T) {
	rest := &tollgate.RestAPI{ID: "abc"}
	for _, tc := range []struct {
		api     *tollgate.RestAPI
		version string
		prefix  string
	}{
		{rest, "", `{"resource":`},
		{httpAPI("abc"), "", `{"version":"2.0",`},
		{httpAPI("abc"), "2.0", `{"version":"2.0",`},
		{httpAPI("abc"), "1.0", `{"version":"1.0","resource":`},
	} {
		fn := &fakeFunction{payload: `{"statusCode":200}`}
		w, _ := serve(t, tc.api, tc.version, fn, 0)
		if w.Code != 200 || !bytes.HasPrefix(fn.event, []byte(tc.prefix)) {
			t.Errorf("%s API, version %q: %d, event %.40s, want it to start %s", tc.api.Protocol, tc.version, w.Code, fn.event, tc.prefix)
		}
	}
}

// TestHTTPV1Results holds payload 1.0 on an HTTP API: the result is
// checked as a REST API's (unknown keys refused, multiValueHeaders
// merged), but a base64 body is decoded without binaryMediaTypes and the
// failures are the HTTP API's.
func TestHTTPV1Results(t *testing.T) {
	fn := &fakeFunction{payload: `{"statusCode":200,"isBase64Encoded":true,"body":"aGk=","multiValueHeaders":{"X-M":["a","b"]}}`}
	w, _ := serve(t, httpAPI("abc"), "1.0", fn, 0)
	if w.Code != 200 || w.Body.String() != "hi" || !slices.Equal(w.Result().Header.Values("X-M"), []string{"a", "b"}) {
		t.Errorf("answered %d %q %v", w.Code, w.Body, w.Result().Header)
	}
	fn = &fakeFunction{payload: `{"statusCode":200,"cookies":["a=1"]}`}
	w, inv := serve(t, httpAPI("abc"), "1.0", fn, 0)
	if want := gatewayAnswer(inv, gateway.ResponseIntegrationFailure); w.Code != want.Code || w.Body.String() != want.Body.String() {
		t.Errorf("answered %d %s, want %d %s", w.Code, w.Body, want.Code, want.Body)
	}

	// On a REST API without binaryMediaTypes the body stays base64.
	fn = &fakeFunction{payload: `{"statusCode":200,"isBase64Encoded":true,"body":"aGk="}`}
	w, _ = serve(t, &tollgate.RestAPI{ID: "abc"}, "", fn, 0)
	if w.Body.String() != "aGk=" {
		t.Errorf("REST answered %q", w.Body)
	}
}

// TestTimeouts holds the integration's timeouts: its own, or the default
// of the API's kind (29 s REST, 30 s HTTP).
func TestTimeouts(t *testing.T) {
	rest, http := &tollgate.RestAPI{ID: "abc"}, httpAPI("abc")
	for _, tc := range []struct {
		api     *tollgate.RestAPI
		timeout time.Duration // the integration's
		want    time.Duration
	}{
		{rest, 0, tollgate.DefaultIntegrationTimeout},
		{http, 0, tollgate.DefaultHTTPIntegrationTimeout},
		{rest, 5 * time.Second, 5 * time.Second},
		{http, 5 * time.Second, 5 * time.Second},
	} {
		li := New(tc.api, tollgate.Integration{Function: "fn", PayloadFormatVersion: "2.0", Timeout: tc.timeout}, nil, quiet)
		if li.f.timeout != tc.want {
			t.Errorf("%s API, timeout %s: waits %s, want %s", tc.api.Protocol, tc.timeout, li.f.timeout, tc.want)
		}
	}
}

// TestHTTPEventSent holds that the integration sends the request's body
// in the event.
func TestHTTPEventSent(t *testing.T) {
	fn := &fakeFunction{payload: `{"statusCode":204}`}
	li := New(httpAPI("abc"), tollgate.Integration{Function: "fn", PayloadFormatVersion: "2.0"}, fn.invoke, quiet)
	r := httptest.NewRequest("POST", "/", strings.NewReader(`{"a":1}`))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	li.Serve(w, r, &gateway.Invocation{API: httpAPI("abc"), RawPath: "/", Path: "/"})
	if w.Code != 204 || !bytes.Contains(fn.event, []byte(`"body":"{\"a\":1}","isBase64Encoded":false}`)) {
		t.Errorf("%d, event %s", w.Code, fn.event)
	}
}

// TestHTTPAnswerHeaders holds the headers an HTTP API's answer gets from
// the gateway rather than the function. A recorded HTTP API answer to a
// result without headers (code-index 21373836058, 2025) has date,
// content-type "text/plain; charset=utf-8", content-length and
// apigw-requestid only: no X-Amzn-Trace-Id, and one request id, the
// gateway's. Payload 1.0 on an HTTP API gets the same answer (the
// answer is the gateway's; no capture says otherwise). A REST API keeps
// application/json and X-Amzn-Trace-Id (contract §5.2).
func TestHTTPAnswerHeaders(t *testing.T) {
	const result = `{"statusCode":200,"headers":{"apigw-requestid":"fromthefunction","X-A":"1"},"body":"hi"}`
	for _, tc := range []struct {
		api         *tollgate.RestAPI
		version     string
		contentType string
		trace       bool
		requestIDs  []string
	}{
		{httpAPI("abc"), "2.0", "text/plain; charset=utf-8", false, []string{"gw"}},
		{httpAPI("abc"), "1.0", "text/plain; charset=utf-8", false, []string{"gw"}},
		{&tollgate.RestAPI{ID: "abc"}, "", "application/json", true, []string{"gw", "fromthefunction"}},
	} {
		fn := &fakeFunction{payload: result}
		li := New(tc.api, tollgate.Integration{Function: "fn", PayloadFormatVersion: tc.version}, fn.invoke, quiet)
		w := httptest.NewRecorder()
		w.Header().Set(gateway.HeaderHTTPRequestID, "gw") // as the gateway sets it
		inv := &gateway.Invocation{API: tc.api, RawPath: "/", Path: "/", TraceID: "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c"}
		li.Serve(w, httptest.NewRequest("GET", "/", nil), inv)
		h := w.Result().Header
		if got := h.Get("Content-Type"); got != tc.contentType {
			t.Errorf("%s API %s: Content-Type %q, want %q", tc.api.Protocol, tc.version, got, tc.contentType)
		}
		if _, ok := h["X-Amzn-Trace-Id"]; ok != tc.trace {
			t.Errorf("%s API %s: X-Amzn-Trace-Id %q, want it: %t", tc.api.Protocol, tc.version, h.Get("X-Amzn-Trace-Id"), tc.trace)
		}
		if got := h.Values(gateway.HeaderHTTPRequestID); !slices.Equal(got, tc.requestIDs) {
			t.Errorf("%s API %s: apigw-requestid %q, want %q", tc.api.Protocol, tc.version, got, tc.requestIDs)
		}
		if h.Get("X-A") != "1" || w.Body.String() != "hi" {
			t.Errorf("%s API %s: answered %v %q", tc.api.Protocol, tc.version, h, w.Body)
		}
	}
}
