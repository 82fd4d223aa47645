package gateway_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway"
)

// traceIDPattern is the X-Ray trace header API Gateway generates: "Root=1-"
// then 8 hex digits of the Unix time and 24 random hex digits (AWS X-Ray
// developer guide, "Tracing header"; real REST events carry e.g.
// "X-Amzn-Trace-Id": "Root=1-5e66d96f-7491f09xmpl79d18acf3d050" in
// set-up-lambda-proxy-integrations.html's sample).
var traceIDPattern = regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$`)

// The headers API Gateway never passes to an integration, proxy
// integrations included (LocalStack's DROPPED_FROM_REQUEST_COMMON, from its
// AWS-validated snapshots: localstack-core/localstack/services/apigateway/
// next_gen/execute_api/header_utils.py), and Tollgate's own X-Tollgate-*
// headers, are not in the Lambda event.
func TestLambdaEventDropsHeaders(t *testing.T) {
	le := newLambdaEnv(t, nil)
	tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	r := request("POST", execHost, "/prod/x", tok)
	dropped := []string{"Connection", "Content-Length", "Content-MD5", "Expect", "Max-Forwards", "Proxy-Authenticate",
		"Server", "TE", "Trailer", "Upgrade", "WWW-Authenticate", "X-Tollgate-Client-Id", "X_Tollgate_Scopes", "x-tollgate-claims"}
	for _, h := range dropped {
		r.Header[h] = []string{"caller"}
	}
	r.Header.Set("X-Kept", "yes")
	if w := le.do(r); w.Code != 200 {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
	var ev struct {
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	}
	if err := json.Unmarshal(le.lastEvent(t), &ev); err != nil {
		t.Fatal(err)
	}
	for k := range ev.MultiValueHeaders {
		for _, d := range dropped {
			if strings.EqualFold(k, d) {
				t.Errorf("multiValueHeaders has %s", k)
			}
		}
	}
	for k := range ev.Headers {
		for _, d := range dropped {
			if strings.EqualFold(k, d) {
				t.Errorf("headers has %s", k)
			}
		}
	}
	if ev.Headers["X-Kept"] != "yes" {
		t.Errorf("X-Kept = %q", ev.Headers["X-Kept"])
	}
}

// X-Amzn-Trace-Id: the caller's when well formed, a fresh one otherwise;
// in the event and on the answer (LocalStack's set_default_response_headers
// adds it to every answer but HTTP_PROXY integrations' and gateway
// responses, same source).
func TestLambdaTraceID(t *testing.T) {
	le := newLambdaEnv(t, nil)
	tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	mine := "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	for _, tt := range []struct {
		name, sent string
		kept       bool
	}{
		{"none", "", false},
		{"well formed", mine, true},
		{"malformed", "Root=1-zz", false},
		{"control characters", "Root=1-5759e988-bd862e3fe1be46a994272793;\x01", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := request("GET", execHost, "/prod/x", tok)
			if tt.sent != "" {
				r.Header.Set("X-Amzn-Trace-Id", tt.sent)
			}
			w := le.do(r)
			var ev struct {
				Headers map[string]string `json:"headers"`
			}
			if err := json.Unmarshal(le.lastEvent(t), &ev); err != nil {
				t.Fatal(err)
			}
			got := ev.Headers["X-Amzn-Trace-Id"]
			if tt.kept && got != tt.sent || !tt.kept && !traceIDPattern.MatchString(got) {
				t.Errorf("event trace id %q (sent %q)", got, tt.sent)
			}
			if resp := w.Header().Get("X-Amzn-Trace-Id"); resp != got {
				t.Errorf("answer's trace id %q, event's %q", resp, got)
			}
		})
	}
}

// requestContext.identity has exactly the keys, in the order, of events
// recorded on AWS for an API without API keys (contract §5.1; LocalStack's
// AWS-validated test_apigateway_lambda.snapshot.json and captured events
// such as the one in awsdocs set-up-lambda-proxy-integrations.html): no
// apiKey or apiKeyId.
func TestLambdaEventIdentityKeys(t *testing.T) {
	le := newLambdaEnv(t, nil)
	if w := le.do(request("GET", execHost, "/prod/open/1", "")); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	var ev struct {
		RequestContext struct {
			Identity json.RawMessage `json:"identity"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(le.lastEvent(t), &ev); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(ev.RequestContext.Identity)))
	var keys []string
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	want := "cognitoIdentityPoolId accountId cognitoIdentityId caller sourceIp principalOrgId accessKey " +
		"cognitoAuthenticationType cognitoAuthenticationProvider userArn userAgent user"
	if got := strings.Join(keys, " "); got != want {
		t.Errorf("identity keys:\n got %s\nwant %s", got, want)
	}
}

// A function's Date, Server, Content-Length, Connection and request ids
// reach the client as x-amzn-Remapped-* (LocalStack's
// REMAPPED_FROM_INTEGRATION_RESPONSE_COMMON, same source): the client sees
// one x-amzn-RequestId, the gateway's.
func TestLambdaResponseRemapped(t *testing.T) {
	le := newLambdaEnv(t, nil)
	le.answer = func(context.Context, []byte) ([]byte, bool, error) {
		return []byte(`{"statusCode":200,"body":"hi","headers":{"Date":"Mon, 01 Jan 2024 00:00:00 GMT","Server":"fn",` +
			`"x-amzn-RequestId":"fn-id","Content-Length":"99","Connection":"close","Transfer-Encoding":"chunked","X-Own":"1"}}`), false, nil
	}
	w := le.do(request("GET", execHost, "/prod/open/1", ""))
	if w.Code != 200 || w.Body.String() != "hi" {
		t.Fatalf("status %d body %q", w.Code, w.Body)
	}
	h := w.Header()
	for name, want := range map[string]string{
		"x-amzn-Remapped-Date":             "Mon, 01 Jan 2024 00:00:00 GMT",
		"x-amzn-Remapped-Server":           "fn",
		"x-amzn-Remapped-x-amzn-RequestId": "fn-id",
		"x-amzn-Remapped-Content-Length":   "99",
		"x-amzn-Remapped-Connection":       "close",
		"X-Own":                            "1",
		"Content-Length":                   "2",
	} {
		if got := strings.Join(h[name], ","); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if ids := h[gateway.HeaderRequestID]; len(ids) != 1 || ids[0] == "fn-id" {
		t.Errorf("x-amzn-RequestId = %q, want the gateway's alone", ids)
	}
	for _, k := range []string{"Date", "Server", "Connection", "Transfer-Encoding"} {
		if v, ok := h[k]; ok {
			t.Errorf("%s = %q sent as is", k, v)
		}
	}
}

// Duplicate slashes as API Gateway treats them: leading ones before the
// stage are routed, a run right after the stage counts as one in the path,
// and slashes inside a greedy value are kept as sent (issue's fidelity
// list; contract §5.1 keeps double slashes in path).
func TestLambdaDuplicateSlashes(t *testing.T) {
	le := newLambdaEnv(t, nil)
	tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	for _, tt := range []struct{ target, path, proxy string }{
		{"//prod/x", "/x", "x"},
		{"/prod//x", "/x", "x"},
		{"/prod///x//y/", "/x//y/", "x//y"},
	} {
		if w := le.do(request("GET", execHost, tt.target, tok)); w.Code != 200 {
			t.Fatalf("%s: status %d %s", tt.target, w.Code, w.Body)
		}
		var ev struct {
			Path           string            `json:"path"`
			PathParameters map[string]string `json:"pathParameters"`
		}
		if err := json.Unmarshal(le.lastEvent(t), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Path != tt.path || ev.PathParameters["proxy"] != tt.proxy {
			t.Errorf("%s: path %q proxy %q, want %q %q", tt.target, ev.Path, ev.PathParameters["proxy"], tt.path, tt.proxy)
		}
	}
}
