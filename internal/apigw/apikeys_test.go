package apigw

import (
	"testing"

	"github.com/tollgate/tollgate"
)

func restAPIWithKey(source string) *tollgate.RestAPI {
	return &tollgate.RestAPI{
		ID: "abc", Protocol: tollgate.ProtocolREST, APIKeySource: source,
		Stages: []tollgate.Stage{{Name: "prod"}},
		Routes: []tollgate.Route{{ResourcePath: "/items", Method: "GET", APIKeyRequired: true,
			Integration: tollgate.Integration{Type: tollgate.IntegrationMock, MockStatus: 200}}},
	}
}

// TestCheckAPIKeySource: RestApi.ApiKeySourceType is HEADER or AUTHORIZER
// (apigw-beyond §3 "Key source").
func TestCheckAPIKeySource(t *testing.T) {
	for _, source := range []string{"", tollgate.APIKeySourceHeader, tollgate.APIKeySourceAuthorizer} {
		if probs := Check(restAPIWithKey(source)); len(probs) != 0 {
			t.Errorf("source %q: %v", source, probs)
		}
	}
	probs := Check(restAPIWithKey("header"))
	want := `APIKeySource: unknown API key source "header": want HEADER or AUTHORIZER`
	if len(probs) != 1 || probs[0].String() != want {
		t.Errorf("got %v, want %s", probs, want)
	}
}

// TestCheckHTTPAPIKeys: API keys are a REST API's (apigw-beyond §3, "REST
// only").
func TestCheckHTTPAPIKeys(t *testing.T) {
	api := httpAPI()
	api.APIKeySource = tollgate.APIKeySourceHeader
	api.Routes[1].APIKeyRequired = true
	probs := Check(api)
	want := []string{
		"APIKeySource: an API key source is a REST API's: HTTP APIs have no API keys",
		"Routes[1].APIKeyRequired: an HTTP API's route cannot require an API key: API keys and usage plans are a REST API's",
	}
	if len(probs) != len(want) {
		t.Fatalf("got %v", probs)
	}
	for i, p := range probs {
		if p.String() != want[i] {
			t.Errorf("problem %d: %s, want %s", i, p, want[i])
		}
	}
}
