package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/function/functest"
)

// cdkHTTPAPIOut is the cloud assembly examples/cdk/synth.sh wrote from
// examples/cdk/httpapi/app.js.
const cdkHTTPAPIOut = "../examples/cdk/httpapi/cdk.out"

var (
	reHTTPAPIURL  = regexp.MustCompile(`(?m)^\s+ApiUrl \(here\) = (\S+)`)
	reHTTPBetaURL = regexp.MustCompile(`(?m)^\s+BetaUrl \(here\) = (\S+)`)
)

// httpEvent is the part of an HTTP API's Lambda event (payload 2.0, and
// 1.0's path) that the echo function returns and the test reads.
type httpEvent struct {
	Version        string            `json:"version"`
	RouteKey       string            `json:"routeKey"`
	RawPath        string            `json:"rawPath"`
	RawQueryString string            `json:"rawQueryString"`
	Path           string            `json:"path"`
	StageVariables map[string]string `json:"stageVariables"`
	RequestContext struct {
		Stage      string `json:"stage"`
		Authorizer struct {
			JWT *struct {
				Claims map[string]any `json:"claims"`
				Scopes []string       `json:"scopes"`
			} `json:"jwt"`
			Lambda map[string]any `json:"lambda"`
		} `json:"authorizer"`
	} `json:"requestContext"`
}

// TestCDKHTTPAPI runs the committed HttpApi assembly as it is, with
// `tollgate dev --template`: a client credentials token from the stack's
// pool opens the routes behind CDK's HttpUserPoolAuthorizer and
// HttpJwtAuthorizer, the HttpLambdaAuthorizer routes decide by the tenant
// header, and the URL integration, the $default route, CORS preflights
// and the named stage answer as HTTP APIs do (contract apigw-beyond.md
// §4).
func TestCDKHTTPAPI(t *testing.T) {
	needProgram(t, "node")
	// The URL integration's backend, on loopback: it tells what it got.
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"path": r.URL.Path, "query": r.URL.RawQuery, "method": r.Method, "body": string(body)})
	}))
	t.Cleanup(upstream.Close)
	param := "UpstreamUrl=" + upstream.URL

	if stdout, stderr, code := run(t, nil, "validate", "--template", cdkHTTPAPIOut, "--parameter", param); code != 0 || !strings.Contains(stdout, ": ok") {
		t.Fatalf("validate: exit %d\n%s%s", code, stdout, stderr)
	}
	p, d := startDev(t, t.TempDir(), "--template", cdkHTTPAPIOut, "--parameter", param)
	var apiURL, betaURL string
	functest.Eventually(t, "the API's outputs", func() bool {
		a, b := reHTTPAPIURL.FindStringSubmatch(p.Output()), reHTTPBetaURL.FindStringSubmatch(p.Output())
		if a != nil && b != nil {
			apiURL, betaURL = strings.TrimSuffix(a[1], "/"), strings.TrimSuffix(b[1], "/")
		}
		return a != nil && b != nil
	})
	tok := getToken(t, d.TokenURL, d.ClientID, d.ClientSecret)
	bearer := "Bearer " + tok

	event := func(what string, resp *http.Response, body []byte) httpEvent {
		t.Helper()
		var ev httpEvent
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &ev) != nil {
			t.Fatalf("%s: %s %s, want 200 and the echoed event\n%s", what, resp.Status, body, p.Logs())
		}
		return ev
	}

	// HttpUserPoolAuthorizer with scope orders/read: the 2.0 event holds
	// the token's claims, all strings, and its scopes (§4.2, §4.3).
	resp, body := call(t, "GET", apiURL+"/orders", bearer, nil)
	ev := event("JWT route", resp, body)
	if ev.Version != "2.0" || ev.RouteKey != "GET /orders" || ev.RawPath != "/orders" || ev.RequestContext.Authorizer.JWT == nil {
		t.Fatalf("JWT route's event: %s", body)
	}
	jwt := ev.RequestContext.Authorizer.JWT
	if jwt.Claims["client_id"] != d.ClientID || jwt.Claims["scope"] != "orders/read" || !reflect.DeepEqual(jwt.Scopes, []string{"orders/read"}) {
		t.Errorf("JWT claims %v, scopes %v", jwt.Claims, jwt.Scopes)
	}
	if _, isString := jwt.Claims["exp"].(string); !isString {
		t.Errorf("claim exp = %#v, want a string (HTTP APIs pass claims as strings)", jwt.Claims["exp"])
	}
	// Without a token: 401 and a Bearer challenge; a token without the
	// route's scope: 403 insufficient_scope (§4.3).
	resp, body = call(t, "GET", apiURL+"/orders", "", nil)
	wantBody(t, "JWT route without a token", resp, body, http.StatusUnauthorized, `{"message":"Unauthorized"}`)
	if h := resp.Header.Get("Www-Authenticate"); !strings.HasPrefix(h, "Bearer") {
		t.Errorf("JWT route without a token: www-authenticate %q, want a Bearer challenge", h)
	}
	resp, body = call(t, "DELETE", apiURL+"/orders/42", bearer, nil)
	wantBody(t, "JWT route without its scope", resp, body, http.StatusForbidden, `{"message":"Forbidden"}`)
	// A 2024 capture of AWS's answer (contract §4.3): the challenge names
	// the route's scopes; apigw-requestid is set, x-amzn-ErrorType is not.
	if h, want := resp.Header.Get("Www-Authenticate"), `Bearer scope="orders/admin" error="insufficient_scope" error_description="expected scopes: [orders/admin]"`; h != want {
		t.Errorf("JWT route without its scope: www-authenticate %q, want %q", h, want)
	}
	if resp.Header.Get("Apigw-Requestid") == "" || resp.Header.Get("X-Amzn-Errortype") != "" {
		t.Errorf("JWT route without its scope: headers %v, want apigw-requestid and no x-amzn-ErrorType", resp.Header)
	}
	// HttpJwtAuthorizer on the pool's issuer URL (GetAtt ProviderURL).
	resp, body = call(t, "GET", apiURL+"/jwt", bearer, nil)
	if ev := event("JWT authorizer on the issuer URL", resp, body); ev.RouteKey != "GET /jwt" {
		t.Errorf("route key %q", ev.RouteKey)
	}
	resp, body = call(t, "GET", apiURL+"/jwt", "Bearer not-a-jwt", nil)
	wantBody(t, "JWT authorizer, a bad token", resp, body, http.StatusUnauthorized, `{"message":"Unauthorized"}`)

	// HttpLambdaAuthorizer, SIMPLE (payload 2.0): the context reaches the
	// integration as returned, arrays included (§4.4).
	resp, body = call(t, "GET", apiURL+"/simple", "", map[string]string{"X-Tenant": "acme"})
	ev = event("simple Lambda authorizer, allowed", resp, body)
	if l := ev.RequestContext.Authorizer.Lambda; l["tenant"] != "acme" || l["version"] != "2.0" || !reflect.DeepEqual(l["roles"], []any{"reader"}) ||
		!reflect.DeepEqual(l["sources"], []any{"acme"}) {
		t.Errorf("authorizer.lambda = %v", l)
	}
	resp, body = call(t, "GET", apiURL+"/simple", "", map[string]string{"X-Tenant": "initech"})
	wantBody(t, "simple Lambda authorizer, denied", resp, body, http.StatusForbidden, `{"message":"Forbidden"}`)
	resp, body = call(t, "GET", apiURL+"/simple", "", nil)
	wantBody(t, "simple Lambda authorizer, no identity", resp, body, http.StatusUnauthorized, `{"message":"Unauthorized"}`)
	// HttpLambdaAuthorizer, IAM (payload 1.0), before a 1.0 integration.
	resp, body = call(t, "GET", apiURL+"/iam", "", map[string]string{"X-Tenant": "globex"})
	if ev := event("IAM Lambda authorizer, allowed", resp, body); ev.Version != "1.0" || ev.Path != "/iam" {
		t.Errorf("IAM route's event: %s", body)
	}
	resp, body = call(t, "GET", apiURL+"/iam", "", map[string]string{"X-Tenant": "initech"})
	wantBody(t, "IAM Lambda authorizer, denied", resp, body, http.StatusForbidden, `{"message":"Forbidden"}`)

	// This API has a $default route, so every preflight is routed: a CORS
	// preflight is answered from the API's CorsConfiguration only when no
	// route takes its OPTIONS request (§4.5); an ANY route takes it ("Fixing
	// up CORS errors in HTTP API", dev.to/aws-builders, 2023: an authorized
	// ANY /{proxy+} route refuses preflights). OPTIONS /v1/items goes to
	// ANY /v1/{proxy+}, whose answer gets the API's CORS headers.
	preflight := map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET",
		"Access-Control-Request-Headers": "authorization"}
	resp, body = call(t, "OPTIONS", apiURL+"/v1/items", "", preflight)
	if ev := event("a preflight an ANY route takes", resp, body); ev.Version != "1.0" || ev.Path != "/v1/items" ||
		resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Errorf("preflight: %s %v %s", resp.Status, resp.Header, body)
	}
	// The $default route, though, "catches requests for all methods and
	// routes that you haven't explicitly defined, including OPTIONS
	// requests" (http-api-cors.md): OPTIONS /orders (a GET route) goes to
	// it.
	resp, body = call(t, "OPTIONS", apiURL+"/orders", "", preflight)
	if ev := event("a preflight the $default route takes", resp, body); ev.RouteKey != "$default" {
		t.Errorf("preflight of /orders went to %q, want $default", ev.RouteKey)
	}
	// The configured headers are added to the integration's answers.
	resp, _ = call(t, "GET", apiURL+"/orders", bearer, map[string]string{"Origin": "https://app.example.com"})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		resp.Header.Get("Access-Control-Expose-Headers") != "x-request-id" {
		t.Errorf("CORS headers of an answer: %s %v", resp.Status, resp.Header)
	}

	// HttpUrlIntegration: {proxy} takes the rest of the path.
	resp, body = call(t, "GET", apiURL+"/upstream/a/b?x=1", "", nil)
	var up map[string]string
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &up) != nil || up["path"] != "/echo/a/b" || up["query"] != "x=1" || up["method"] != "GET" {
		t.Errorf("URL integration: %s %s", resp.Status, body)
	}
	resp, body = post(t, apiURL+"/upstream/orders", "application/json", `{"n":1}`, "", "")
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &up) != nil || up["path"] != "/echo/orders" || up["method"] != "POST" || up["body"] != `{"n":1}` {
		t.Errorf("URL integration, POST: %s %s", resp.Status, body)
	}

	// The $default route takes what no other route does.
	resp, body = call(t, "GET", apiURL+"/anything/else?q=1", "", nil)
	if ev := event("$default route", resp, body); ev.RouteKey != "$default" || ev.RawPath != "/anything/else" || ev.RawQueryString != "q=1" {
		t.Errorf("$default route's event: %s", body)
	}

	// The named stage: its segment stays in the 1.0 event's path, routes
	// match without it, and its variables reach the event (§4.1).
	resp, body = call(t, "GET", betaURL+"/v1/items", "", nil)
	ev = event("named stage", resp, body)
	if ev.Path != "/beta/v1/items" || ev.RequestContext.Stage != "beta" || ev.StageVariables["backend"] != "beta" {
		t.Errorf("named stage's event: %s", body)
	}
}
