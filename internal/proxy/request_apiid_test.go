package proxy

import (
	"net/http"
	"testing"
)

// TestDropForgedAPIID: a client's X-Amzn-Apigateway-Api-Id, in any
// spelling and with '_' for '-', never reaches the upstream as sent: an
// HTTP API sends none (setDecision leaves it out), and a REST API's is
// the one setDecision sets.
func TestDropForgedAPIID(t *testing.T) {
	h := http.Header{
		"X-Amzn-Apigateway-Api-Id": {"forged"},
		"x-amzn-apigateway-api-id": {"forged"},
		"X_Amzn_Apigateway_Api_Id": {"forged"},
		"x_amzn_apigateway_api_id": {"forged"},
		"X-Amzn-Apigateway-Api":    {"kept"},
		"X-Amzn-Trace-Id":          {"kept"},
	}
	dropForged(h)
	if len(h) != 2 || h["X-Amzn-Apigateway-Api"] == nil || h["X-Amzn-Trace-Id"] == nil {
		t.Errorf("after dropForged: %v", h)
	}
}
