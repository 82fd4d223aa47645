package apigw

import "github.com/tollgate/tollgate"

// checkAPIKeySource checks a REST API's APIKeySource: HEADER (or empty, its
// default) or AUTHORIZER (AWS::ApiGateway::RestApi ApiKeySourceType,
// apigw-beyond §3 "Key source").
func checkAPIKeySource(probs *Problems, api *tollgate.RestAPI) {
	switch api.APIKeySource {
	case "", tollgate.APIKeySourceHeader, tollgate.APIKeySourceAuthorizer:
	default:
		probs.Add(-1, "APIKeySource", "unknown API key source %q: want %s or %s", api.APIKeySource, tollgate.APIKeySourceHeader, tollgate.APIKeySourceAuthorizer)
	}
}

// checkHTTPAPIKeys refuses API keys on an HTTP API: API keys and usage
// plans are a REST API's (apigw-beyond §3, "REST only").
func checkHTTPAPIKeys(probs *Problems, api *tollgate.RestAPI) {
	if api.APIKeySource != "" {
		probs.Add(-1, "APIKeySource", "an API key source is a REST API's: HTTP APIs have no API keys")
	}
	for i := range api.Routes {
		if api.Routes[i].APIKeyRequired {
			probs.Add(i, "APIKeyRequired", "an HTTP API's route cannot require an API key: API keys and usage plans are a REST API's")
		}
	}
}
