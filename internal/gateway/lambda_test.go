package gateway_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/lambdaproxy"
)

// lambdaEnv is the test API with every integration a Lambda proxy whose
// function is answer: it records the events it gets.
type lambdaEnv struct {
	*env
	mu     sync.Mutex
	events [][]byte
	answer func(ctx context.Context, event []byte) ([]byte, bool, error)
}

func newLambdaEnv(t *testing.T, edit func(*tollgate.RestAPI)) *lambdaEnv {
	le := &lambdaEnv{}
	le.env = newEnv(t, func(api *tollgate.RestAPI, o *gateway.Options) {
		for i := range api.Routes {
			if api.Routes[i].Integration.Type == tollgate.IntegrationHTTPProxy {
				api.Routes[i].Integration = tollgate.Integration{Type: tollgate.IntegrationAWSProxy, Function: "fn", Timeout: time.Second}
			}
		}
		if edit != nil {
			edit(api)
		}
		o.Integrations = gateway.IntegrationsFunc(func(api *tollgate.RestAPI, r *tollgate.Route) (gateway.Integration, error) {
			return lambdaproxy.New(api, r.Integration, le.invoke, quiet), nil
		})
	})
	return le
}

func (le *lambdaEnv) invoke(ctx context.Context, name, _ string, event []byte) ([]byte, bool, error) {
	if name != "fn" {
		return nil, false, context.Canceled
	}
	le.mu.Lock()
	le.events = append(le.events, event)
	answer := le.answer
	le.mu.Unlock()
	if answer == nil {
		return []byte(`{"statusCode":200,"body":"ok"}`), false, nil
	}
	return answer(ctx, event)
}

func (le *lambdaEnv) lastEvent(t *testing.T) []byte {
	t.Helper()
	le.mu.Lock()
	defer le.mu.Unlock()
	if len(le.events) == 0 {
		t.Fatal("the function was not invoked")
	}
	return le.events[len(le.events)-1]
}

// The event is REST payload format 1.0 as aws-lambda-go reads it (contract
// §5.1): raw path without the stage, requestContext.path with it, the
// greedy parameter without its slashes, decoded query strings (last value
// single), claims as strings with API Gateway's dates, null for empties.
func TestLambdaEvent(t *testing.T) {
	le := newLambdaEnv(t, nil)
	tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	r := request("GET", execHost, "/prod/hello/w%2Bo/rld/?a=1&a=2&b=x%2By&c=d+e", tok)
	r.Header.Add("X-Multi", "one")
	r.Header.Add("X-Multi", "two")
	r.Header.Set("User-Agent", "lambda-test/1")
	r.RemoteAddr = "192.0.2.7:5555"
	w := le.do(r)
	if w.Code != 200 || w.Body.String() != "ok" {
		t.Fatalf("status %d body %q", w.Code, w.Body)
	}
	raw := le.lastEvent(t)
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	check := func(what string, got, want any) { t.Helper(); sameJSON(t, what, got, want) }
	check("resource", ev.Resource, "/{proxy+}")
	check("path", ev.Path, "/hello/w%2Bo/rld/")
	check("httpMethod", ev.HTTPMethod, "GET")
	check("pathParameters", ev.PathParameters, map[string]string{"proxy": "hello/w%2Bo/rld"})
	check("queryStringParameters", ev.QueryStringParameters, map[string]string{"a": "2", "b": "x+y", "c": "d e"})
	check("multiValueQueryStringParameters", ev.MultiValueQueryStringParameters, map[string][]string{"a": {"1", "2"}, "b": {"x+y"}, "c": {"d e"}})
	check("stageVariables", ev.StageVariables, map[string]string{"backend": "blue"})
	check("headers.X-Multi", ev.Headers["X-Multi"], "two")
	check("multiValueHeaders.X-Multi", ev.MultiValueHeaders["X-Multi"], []string{"one", "two"})
	check("headers.Authorization", ev.Headers["Authorization"], r.Header.Get("Authorization"))
	check("headers.Host", ev.Headers["Host"], execHost)
	check("headers.X-Forwarded-For", ev.Headers["X-Forwarded-For"], "192.0.2.7")
	check("body", ev.Body, "")
	check("isBase64Encoded", ev.IsBase64Encoded, false)

	rc := ev.RequestContext
	check("requestContext.path", rc.Path, "/prod/hello/w%2Bo/rld/")
	check("requestContext.stage", rc.Stage, "prod")
	check("requestContext.resourcePath", rc.ResourcePath, "/{proxy+}")
	check("requestContext.httpMethod", rc.HTTPMethod, "GET")
	check("requestContext.apiId", rc.APIID, apiID)
	check("requestContext.domainName", rc.DomainName, execHost)
	check("requestContext.domainPrefix", rc.DomainPrefix, apiID)
	check("requestContext.accountId", rc.AccountID, "000000000000")
	check("requestContext.identity.sourceIp", rc.Identity.SourceIP, "192.0.2.7")
	check("requestContext.identity.userAgent", rc.Identity.UserAgent, "lambda-test/1")
	check("requestContext.requestId", rc.RequestID, w.Header().Get(gateway.HeaderRequestID))
	check("requestContext.extendedRequestId", rc.ExtendedRequestID, w.Header().Get(gateway.HeaderExtendedRequestID))
	check("requestContext.requestTime", rc.RequestTime, le.f.clock.Now().Format("02/Jan/2006:15:04:05 +0000"))
	check("requestContext.requestTimeEpoch", rc.RequestTimeEpoch, le.f.clock.Now().UnixMilli())
	if len(rc.ResourceID) != 6 {
		t.Errorf("resourceId %q", rc.ResourceID)
	}
	cl, _ := rc.Authorizer["claims"].(map[string]any)
	c := claims(issuerOf(poolA))
	check("claims.client_id", cl["client_id"], c["client_id"])
	check("claims.scope", cl["scope"], c["scope"])
	check("claims.version", cl["version"], "2")
	check("claims.exp", cl["exp"], time.Unix(c["exp"].(int64), 0).UTC().Format("Mon Jan 02 15:04:05 MST 2006"))

	// Field for field what aws-lambda-go's type has: every key we send is
	// one it reads (but deploymentId, which AWS sends and the type lacks),
	// and every key it always writes is one we send.
	var ours map[string]any
	if err := json.Unmarshal(raw, &ours); err != nil {
		t.Fatal(err)
	}
	compareKeys(t, "", ours, reflect.TypeFor[events.APIGatewayProxyRequest](), map[string]bool{
		"requestContext.deploymentId":            true, // in AWS's events (contract §5.1), not in the type
		"requestContext.identity.principalOrgId": true, // likewise
	})

	// Empty values are null, not {} or "" (contract §5.1).
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		t.Fatal(err)
	}
	if string(top["body"]) != "null" {
		t.Errorf("body = %s, want null", top["body"])
	}
}

// Without an authorizer or parameters, the event has no claims and null
// maps (contract §5.1).
func TestLambdaEventOpenRoute(t *testing.T) {
	le := newLambdaEnv(t, nil)
	if w := le.do(request("GET", execHost, "/dev/open/7", "")); w.Code != 200 {
		t.Fatalf("open route: %d", w.Code)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(le.lastEvent(t), &top); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"queryStringParameters", "multiValueQueryStringParameters", "stageVariables"} {
		if string(top[k]) != "null" {
			t.Errorf("%s = %s, want null", k, top[k])
		}
	}
	var rcm map[string]json.RawMessage
	if err := json.Unmarshal(top["requestContext"], &rcm); err != nil {
		t.Fatal(err)
	}
	if _, ok := rcm["authorizer"]; ok {
		t.Errorf("authorizer present without an authorizer: %s", rcm["authorizer"])
	}
}

// sameJSON fails t unless got and want have the same JSON.
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if !bytes.Equal(gb, wb) {
		t.Errorf("%s = %s, want %s", what, gb, wb)
	}
}

// A body of a binaryMediaTypes type arrives base64-encoded; text arrives
// as it is.
func TestLambdaEventBody(t *testing.T) {
	le := newLambdaEnv(t, func(api *tollgate.RestAPI) { api.BinaryMediaTypes = []string{"image/*"} })
	tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	for _, tt := range []struct {
		ct, body string
		b64      bool
	}{
		{"image/png", "\x89PNG\x00\xff", true},
		{"application/json; charset=utf-8", `{"k":"v"}`, false},
	} {
		r := request("POST", execHost, "/prod/upload", tok)
		r.Body = httpBody(tt.body)
		r.ContentLength = int64(len(tt.body))
		r.Header.Set("Content-Type", tt.ct)
		if w := le.do(r); w.Code != 200 {
			t.Fatalf("%s: status %d", tt.ct, w.Code)
		}
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(le.lastEvent(t), &ev); err != nil {
			t.Fatal(err)
		}
		want := tt.body
		if tt.b64 {
			want = base64.StdEncoding.EncodeToString([]byte(tt.body))
		}
		if ev.IsBase64Encoded != tt.b64 || ev.Body != want {
			t.Errorf("%s: isBase64Encoded %v body %q", tt.ct, ev.IsBase64Encoded, ev.Body)
		}
	}
}

// Results are validated and mapped as API Gateway does (contract §5.2).
func TestLambdaResponseMapping(t *testing.T) {
	le := newLambdaEnv(t, func(api *tollgate.RestAPI) { api.BinaryMediaTypes = []string{"image/png"} })
	tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	internal := `{"message": "Internal server error"}`
	tests := []struct {
		name, result string
		accept       string
		status       int
		body         string
		headers      map[string]string
	}{
		{"status only", `{"statusCode":200}`, "", 200, "", map[string]string{"Content-Type": "application/json"}},
		{"headers, no status", `{"headers":{"x":"v"}}`, "", 200, "", map[string]string{"X": "v"}},
		{"string status", `{"statusCode":"201","body":"made"}`, "", 201, "made", nil},
		{"non-numeric status", `{"statusCode":"test"}`, "", 502, internal, nil},
		{"status out of range", `{"statusCode":1000}`, "", 502, internal, nil},
		{"unknown key", `{"statusCode":200,"wrongValue":1}`, "", 502, internal, nil},
		{"null", `null`, "", 502, internal, nil},
		{"bare string", `"hello"`, "", 502, internal, nil},
		{"empty payload", ``, "", 502, internal, nil},
		{"multiValueHeaders not a list", `{"multiValueHeaders":{"x":"v"}}`, "", 502, internal, nil},
		{"body not a string", `{"body":{"a":1}}`, "", 502, internal, nil},
		{"boolean header", `{"headers":{"x-flag":true,"x-n":3}}`, "", 200, "", map[string]string{"X-Flag": "true", "X-N": "3"}},
		{"merged headers", `{"headers":{"x-h":"value-solo"},"multiValueHeaders":{"X-H":["value-multi"]}}`, "", 200, "", map[string]string{"X-H": "value-multi, value-solo"}},
		{"content type kept", `{"headers":{"Content-Type":"text/plain"},"body":"hi"}`, "", 200, "hi", map[string]string{"Content-Type": "text/plain"}},
		{"base64 without binary match", `{"isBase64Encoded":true,"body":"aGk="}`, "", 200, "aGk=", nil},
		{"base64 with Accept match", `{"isBase64Encoded":true,"body":"aGk=","headers":{"Content-Type":"image/png"}}`, "image/png", 200, "hi", nil},
		{"bad base64", `{"isBase64Encoded":true,"body":"!!","headers":{"Content-Type":"image/png"}}`, "image/png", 502, internal, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			le.mu.Lock()
			le.answer = func(context.Context, []byte) ([]byte, bool, error) { return []byte(tt.result), false, nil }
			le.mu.Unlock()
			r := request("GET", execHost, "/prod/x", tok)
			if tt.accept != "" {
				r.Header.Set("Accept", tt.accept)
			}
			w := le.do(r)
			if w.Code != tt.status || w.Body.String() != tt.body {
				t.Errorf("status %d body %q, want %d %q", w.Code, w.Body, tt.status, tt.body)
			}
			for k, v := range tt.headers {
				if got := strings.Join(w.Header().Values(k), ", "); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if tt.status == 502 && w.Header().Get("X-Amzn-Errortype") != "InternalServerErrorException" {
				t.Errorf("x-amzn-ErrorType %q", w.Header().Get("X-Amzn-Errortype"))
			}
		})
	}
}

// A function error is 502; no result within the integration timeout is
// 504; an event over Lambda's payload limit is 413. The cases that answer
// at once have a long timeout, so that a slow machine cannot turn them
// into timeouts.
func TestLambdaFailures(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		answer  func(ctx context.Context, event []byte) ([]byte, bool, error)
		status  int
		body    string
	}{
		{"function error", time.Minute, func(context.Context, []byte) ([]byte, bool, error) {
			return []byte(`{"errorType":"Error","errorMessage":"boom"}`), true, nil
		}, 502, `{"message": "Internal server error"}`},
		{"integration timeout", 50 * time.Millisecond, func(ctx context.Context, _ []byte) ([]byte, bool, error) {
			<-ctx.Done()
			return nil, false, ctx.Err()
		}, 504, `{"message": "Endpoint request timed out"}`},
		{"event too large", time.Minute, func(context.Context, []byte) ([]byte, bool, error) {
			return nil, false, lambdaproxy.ErrEventTooLarge
		}, 413, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			le := newLambdaEnv(t, func(api *tollgate.RestAPI) {
				for i := range api.Routes {
					if api.Routes[i].Integration.Type == tollgate.IntegrationAWSProxy {
						api.Routes[i].Integration.Timeout = tt.timeout
					}
				}
			})
			tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
			le.mu.Lock()
			le.answer = tt.answer
			le.mu.Unlock()
			w := le.do(request("GET", execHost, "/prod/x", tok))
			if w.Code != tt.status || tt.body != "" && w.Body.String() != tt.body {
				t.Errorf("status %d body %q, want %d %q", w.Code, w.Body, tt.status, tt.body)
			}
		})
	}
}

func httpBody(s string) *readCloser { return &readCloser{strings.NewReader(s)} }

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

// compareKeys reports keys of ours that typ (a struct, by its json tags)
// does not have, and keys typ always writes (no omitempty) that ours
// lacks, descending into nested structs; ignore names dotted paths.
func compareKeys(t *testing.T, prefix string, ours map[string]any, typ reflect.Type, ignore map[string]bool) {
	t.Helper()
	type field struct {
		typ       reflect.Type
		omitempty bool
	}
	known := map[string]field{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		known[name] = field{f.Type, strings.Contains(opts, "omitempty")}
	}
	for k, v := range ours {
		p := prefix + k
		f, ok := known[k]
		switch {
		case ignore[p]:
		case !ok:
			t.Errorf("event has %s, which aws-lambda-go does not read", p)
		default:
			ft := f.typ
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if m, ok := v.(map[string]any); ok && ft.Kind() == reflect.Struct {
				compareKeys(t, p+".", m, ft, ignore)
			}
		}
	}
	for k, f := range known {
		if _, ok := ours[k]; !ok && !f.omitempty && !ignore[prefix+k] {
			t.Errorf("event lacks %s%s, which aws-lambda-go always writes", prefix, k)
		}
	}
}

// A body over 10 MB without a Content-Length (chunked) is refused with
// 413 once it is read, before the function is invoked.
func TestLambdaChunkedBodyTooLarge(t *testing.T) {
	le := newLambdaEnv(t, nil)
	tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	r := request("POST", execHost, "/prod/upload", tok)
	r.Body = httpBody(strings.Repeat("x", gateway.MaxBodyBytes+1))
	r.ContentLength = -1
	w := le.do(r)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d %s", w.Code, w.Body)
	}
	le.mu.Lock()
	defer le.mu.Unlock()
	if len(le.events) != 0 {
		t.Error("the function was invoked")
	}
}
