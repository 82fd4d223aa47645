package gateway_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway"
)

var (
	uuidPattern    = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	apigwIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{15}=$`)
)

// TestWriteResponse checks every gateway response against contract §4.2.
func TestWriteResponse(t *testing.T) {
	tests := []struct {
		t         gateway.ResponseType
		name      string
		status    int
		body      string
		errorType string
	}{
		{gateway.ResponseUnauthorized, "UNAUTHORIZED", 401, `{"message":"Unauthorized"}`, "UnauthorizedException"},
		{gateway.ResponseExpiredToken, "UNAUTHORIZED", 401, `{"message":"The incoming token has expired"}`, "UnauthorizedException"},
		{gateway.ResponseMissingAuthenticationToken, "MISSING_AUTHENTICATION_TOKEN", 403, `{"message":"Missing Authentication Token"}`, "MissingAuthenticationTokenException"},
		{gateway.ResponseThrottled, "THROTTLED", 429, `{"message":"Too Many Requests"}`, "TooManyRequestsException"},
		{gateway.ResponseIntegrationTimeout, "INTEGRATION_TIMEOUT", 504, `{"message": "Endpoint request timed out"}`, "InternalServerErrorException"},
		{gateway.ResponseIntegrationFailure, "INTEGRATION_FAILURE", 502, `{"message": "Internal server error"}`, "InternalServerErrorException"},
		{gateway.ResponseRequestTooLarge, "REQUEST_TOO_LARGE", 413, `{"message":"Request Too Long"}`, "RequestTooLargeException"},
		{gateway.ResponseAPIConfigurationError, "API_CONFIGURATION_ERROR", 500, `{"message":"Internal server error"}`, "InternalServerErrorException"},
		{gateway.ResponseAuthorizerFailure, "AUTHORIZER_FAILURE", 500, `{"message":"Internal server error"}`, "InternalServerErrorException"},
		{gateway.ResponseServiceUnavailable, "DEFAULT_5XX", 503, `{"message":"Service Unavailable"}`, "ServiceUnavailableException"},
		{gateway.ResponseType(0), "API_CONFIGURATION_ERROR", 500, `{"message":"Internal server error"}`, "InternalServerErrorException"},
		{gateway.ResponseType(99), "API_CONFIGURATION_ERROR", 500, `{"message":"Internal server error"}`, "InternalServerErrorException"},
	}
	for _, tt := range tests {
		t.Run(tt.t.String(), func(t *testing.T) {
			w := httptest.NewRecorder()
			gateway.WriteResponse(w, tt.t)
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
			if got := h.Get("x-amzn-ErrorType"); got != tt.errorType {
				t.Errorf("x-amzn-ErrorType %q, want %q", got, tt.errorType)
			}
			if got := h.Get("x-amzn-RequestId"); !uuidPattern.MatchString(got) {
				t.Errorf("x-amzn-RequestId %q is not a v4 UUID", got)
			}
			if got := h.Get("x-amz-apigw-id"); !apigwIDPattern.MatchString(got) {
				t.Errorf("x-amz-apigw-id %q", got)
			}
			if tt.t.Status() != tt.status {
				t.Errorf("Status() = %d", tt.t.Status())
			}
			if tt.t >= 1 && tt.t <= 9 && tt.t.String() != tt.name {
				t.Errorf("String() = %q, want %q", tt.t, tt.name)
			}
		})
	}
}

// TestWriteResponseKeepsRequestID: an integration's error answer carries
// the ids the gateway set before calling it.
func TestWriteResponseKeepsRequestID(t *testing.T) {
	w := httptest.NewRecorder()
	w.Header().Set("x-amzn-RequestId", "c6af9ac6-7b61-11e6-9a41-93e8deadbeef")
	w.Header().Set("x-amz-apigw-id", "TWegAcC4EowCHnA=")
	gateway.WriteResponse(w, gateway.ResponseIntegrationFailure)
	if got := w.Header().Values("x-amzn-RequestId"); len(got) != 1 || got[0] != "c6af9ac6-7b61-11e6-9a41-93e8deadbeef" {
		t.Errorf("x-amzn-RequestId %q", got)
	}
	if got := w.Header().Values("x-amz-apigw-id"); len(got) != 1 || got[0] != "TWegAcC4EowCHnA=" {
		t.Errorf("x-amz-apigw-id %q", got)
	}
	if w.Code != http.StatusBadGateway {
		t.Errorf("status %d", w.Code)
	}
}

// TestRequestIDsDiffer: ids are random.
func TestRequestIDsDiffer(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		w := httptest.NewRecorder()
		gateway.WriteResponse(w, gateway.ResponseUnauthorized)
		id := w.Header().Get("x-amzn-RequestId") + w.Header().Get("x-amz-apigw-id")
		if seen[id] {
			t.Fatalf("id %s seen twice", id)
		}
		seen[id] = true
	}
}
