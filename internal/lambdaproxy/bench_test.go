package lambdaproxy

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/gateway"
)

// benchBody is a typical JSON request body.
var benchBody = []byte(`{"name":"Rex","kind":"dog","tags":["good","boy"],"owner":{"id":"u-123","email":"owner@example.com"}}`)

// benchRequest is a typical API request to the route GET /pets/{id} of
// api, on its stage "dev".
func benchRequest(api *tollgate.RestAPI) (*http.Request, *gateway.Invocation) {
	r := httptest.NewRequest("POST", "https://abc.execute-api.us-east-1.localhost/dev/pets/42?limit=10&sort=asc", nil)
	r.RemoteAddr = "203.0.113.7:51234"
	for k, v := range map[string]string{
		"Accept": "application/json", "Accept-Encoding": "gzip, deflate, br", "Content-Type": "application/json",
		"User-Agent": "Mozilla/5.0 (X11; Linux x86_64)", "X-Amzn-Trace-Id": "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c",
		"Cookie": "session=abc; theme=dark", "Authorization": "Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig",
	} {
		r.Header.Set(k, v)
	}
	inv := &gateway.Invocation{
		API: api, Stage: &tollgate.Stage{Name: "dev"},
		ResourcePath: "/pets/{id}", RouteKey: "POST /pets/{id}", RawPath: "/dev/pets/42", Path: "/pets/42",
		ResourceID: "abc123", PathParams: []gateway.Param{{Name: "id", Value: "42"}},
		StageVariables: map[string]string{"table": "pets"},
		RequestID:      "LV7fzho-PHcEJPw=", ExtendedRequestID: "LV7fzho-PHcEJPw=", RequestTime: time.UnixMilli(1587481701067),
		DomainName: "abc.execute-api.us-east-1.localhost", DomainPrefix: "abc",
	}
	return r, inv
}

// withJWT puts a JWT authorizer's claims on inv.
func withJWT(inv *gateway.Invocation) {
	inv.Authorizer = "jwt"
	inv.Claims = &bearer.Claims{Scope: "pets/read pets/write", Raw: json.RawMessage(
		`{"sub":"4qg1a2b3c4d5e6f7g8h9","token_use":"access","scope":"pets/read pets/write","auth_time":1785672000,"iss":"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pxAHZcSSX","exp":1785675600,"iat":1785672000,"version":2,"jti":"0f7c1b5e-2c1d-4a3e-9a8b-7c6d5e4f3a2b","client_id":"4qg1a2b3c4d5e6f7g8h9"}`)}
}

// benchEvent builds the event of benchRequest on api, with setup applied
// to its invocation.
func benchEvent(b *testing.B, api *tollgate.RestAPI, setup func(*gateway.Invocation), build func(*http.Request, *gateway.Invocation, []byte) ([]byte, error)) {
	r, inv := benchRequest(api)
	setup(inv)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := build(r, inv, benchBody); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEventREST, BenchmarkEventV1 and BenchmarkEventV2 build the
// event of the same request: a REST API's, and an HTTP API's in payload
// format 1.0 and 2.0.
func BenchmarkEventREST(b *testing.B) {
	benchEvent(b, &tollgate.RestAPI{ID: "abc"}, noAuthorizer, restEvent)
}
func BenchmarkEventV1(b *testing.B) { benchEvent(b, httpAPI("abc"), noAuthorizer, httpV1Event) }
func BenchmarkEventV2(b *testing.B) { benchEvent(b, httpAPI("abc"), noAuthorizer, HTTPEvent) }

// noAuthorizer leaves an invocation as it is.
func noAuthorizer(*gateway.Invocation) {}

// BenchmarkEventV1JWT and BenchmarkEventV2JWT add a JWT authorizer's
// claims, rendered as strings.
func BenchmarkEventV1JWT(b *testing.B) { benchEvent(b, httpAPI("abc"), withJWT, httpV1Event) }
func BenchmarkEventV2JWT(b *testing.B) { benchEvent(b, httpAPI("abc"), withJWT, HTTPEvent) }

// benchServe serves the request through an integration of payload format
// version whose function answers at once with a typical response.
func benchServe(b *testing.B, api *tollgate.RestAPI, version string) {
	result := []byte(`{"statusCode":200,"headers":{"Content-Type":"application/json","Cache-Control":"no-store"},"body":"{\"id\":42,\"name\":\"Rex\"}"}`)
	li := New(api, tollgate.Integration{Function: "fn", PayloadFormatVersion: version}, func(_ context.Context, _, _ string, _ []byte) ([]byte, bool, error) {
		return result, false, nil
	}, quiet)
	r, inv := benchRequest(api)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		r.Body = io.NopCloser(bytes.NewReader(benchBody))
		w.Body.Reset()
		clear(w.Header())
		li.Serve(w, r, inv)
	}
	if w.Body.String() != `{"id":42,"name":"Rex"}` {
		b.Fatalf("answered %s", w.Body)
	}
}

// BenchmarkServeREST, BenchmarkServeV1 and BenchmarkServeV2 are a warm
// call of the same request through the Lambda proxy integration, event
// and result, but for the function.
func BenchmarkServeREST(b *testing.B) { benchServe(b, &tollgate.RestAPI{ID: "abc"}, "") }
func BenchmarkServeV1(b *testing.B)   { benchServe(b, httpAPI("abc"), "1.0") }
func BenchmarkServeV2(b *testing.B)   { benchServe(b, httpAPI("abc"), "2.0") }
