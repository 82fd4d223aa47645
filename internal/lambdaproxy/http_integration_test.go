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
	li := New(tollgate.Integration{Type: tollgate.IntegrationAWSProxy, Function: "fn", PayloadFormatVersion: version, Timeout: timeout}, fn.invoke, quiet)
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
		{name: "status as a string", fn: fakeFunction{payload: `{"statusCode":"404"}`},
			status: 404, headers: http.Header{"Content-Type": {"application/json"}}},
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
	li := New(tollgate.Integration{Function: "fn", PayloadFormatVersion: "2.0"}, nil, quiet)
	if li.rest.timeout != tollgate.DefaultIntegrationTimeout || li.http.timeout != tollgate.DefaultHTTPIntegrationTimeout {
		t.Errorf("timeouts %s, %s", li.rest.timeout, li.http.timeout)
	}
	li = New(tollgate.Integration{Function: "fn", Timeout: 5 * time.Second}, nil, quiet)
	if li.rest.timeout != 5*time.Second || li.http.timeout != 5*time.Second {
		t.Errorf("timeouts %s, %s", li.rest.timeout, li.http.timeout)
	}
}

// TestHTTPEventSent holds that the integration sends the request's body
// in the event.
func TestHTTPEventSent(t *testing.T) {
	fn := &fakeFunction{payload: `{"statusCode":204}`}
	li := New(tollgate.Integration{Function: "fn", PayloadFormatVersion: "2.0"}, fn.invoke, quiet)
	r := httptest.NewRequest("POST", "/", strings.NewReader(`{"a":1}`))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	li.Serve(w, r, &gateway.Invocation{API: httpAPI("abc"), RawPath: "/", Path: "/"})
	if w.Code != 204 || !bytes.Contains(fn.event, []byte(`"body":"{\"a\":1}","isBase64Encoded":false}`)) {
		t.Errorf("%d, event %s", w.Code, fn.event)
	}
}
