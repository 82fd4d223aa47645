package gateway_test

import (
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway"
)

// TestWriteHTTPResponse checks every gateway response as an HTTP API
// writes it, against contract apigw-beyond §4.5's error table (404 Not
// Found, 500 Internal Server Error, 503 on an integration timeout, 401,
// 403 Forbidden) and §4.3's headers (apigw-requestid, no
// x-amzn-ErrorType). 429's and 413's bodies are unverified (§5 item 9).
func TestWriteHTTPResponse(t *testing.T) {
	const (
		unauthorized = `{"message":"Unauthorized"}`
		forbidden    = `{"message":"Forbidden"}`
		internal     = `{"message":"Internal Server Error"}`
		unavailable  = `{"message":"Service Unavailable"}`
		notFound     = `{"message":"Not Found"}`
	)
	tests := []struct {
		t      gateway.ResponseType
		status int
		body   string
	}{
		{gateway.ResponseUnauthorized, 401, unauthorized},
		{gateway.ResponseExpiredToken, 401, unauthorized},
		{gateway.ResponseMissingAuthenticationToken, 404, notFound},
		{gateway.ResponseNotFound, 404, notFound},
		{gateway.ResponseThrottled, 429, `{"message":"Too Many Requests"}`},
		{gateway.ResponseIntegrationTimeout, 503, unavailable},
		{gateway.ResponseIntegrationFailure, 500, internal},
		{gateway.ResponseRequestTooLarge, 413, `{"message":"Request Entity Too Large"}`},
		{gateway.ResponseAPIConfigurationError, 500, internal},
		{gateway.ResponseAuthorizerFailure, 500, internal},
		{gateway.ResponseServiceUnavailable, 503, unavailable},
		{gateway.ResponseAccessDenied, 403, forbidden},
		{gateway.ResponseAccessDeniedExplicit, 403, forbidden},
		{gateway.ResponseAuthorizerConfigurationError, 500, internal},
		{gateway.ResponseForbidden, 403, forbidden},
		{gateway.ResponseType(0), 500, internal},
		{gateway.ResponseType(99), 500, internal},
	}
	for _, tt := range tests {
		t.Run(tt.t.String(), func(t *testing.T) {
			w := httptest.NewRecorder()
			gateway.WriteHTTPResponse(w, tt.t)
			if w.Code != tt.status || w.Body.String() != tt.body {
				t.Fatalf("%d %s, want %d %s", w.Code, w.Body, tt.status, tt.body)
			}
			h := w.Header()
			if got := h.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type %q", got)
			}
			if got := h.Get("Content-Length"); got != strconv.Itoa(len(tt.body)) {
				t.Errorf("Content-Length %q", got)
			}
			// The HTTP API request id is shaped like "WSg1ihmdliAEJXA="
			// (a recorded answer, code-index file 27491341443).
			if got := h.Get("apigw-requestid"); !apigwIDPattern.MatchString(got) {
				t.Errorf("apigw-requestid %q", got)
			}
			for _, name := range []string{"x-amzn-ErrorType", "x-amzn-RequestId", "x-amz-apigw-id"} {
				if got := h.Values(name); got != nil {
					t.Errorf("%s %q on an HTTP API answer", name, got)
				}
			}
		})
	}
}

// TestWriteHTTPResponseKeepsRequestID: the id the gateway set before an
// integration failed is the one its answer carries.
func TestWriteHTTPResponseKeepsRequestID(t *testing.T) {
	w := httptest.NewRecorder()
	w.Header().Set("Apigw-Requestid", "JKJaXmPLvHcESHA=")
	gateway.WriteHTTPResponse(w, gateway.ResponseIntegrationFailure)
	if got := w.Header().Values("apigw-requestid"); len(got) != 1 || got[0] != "JKJaXmPLvHcESHA=" {
		t.Fatalf("apigw-requestid %q", got)
	}
}
