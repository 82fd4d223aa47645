package e2e

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var reAPIURL = regexp.MustCompile(`(?m)^\s+API URL:\s+(\S+)`)

func call(t *testing.T, method, u, auth string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return send(t, req)
}

// TestSeedAPI calls the seed stack's API through the gateway with a token
// from the token endpoint, and checks the gateway's refusals.
func TestSeedAPI(t *testing.T) {
	p, d := startDev(t, t.TempDir())
	m := reAPIURL.FindStringSubmatch(p.Output())
	if m == nil {
		t.Fatalf("dev printed no API URL:\n%s", p.Output())
	}
	apiURL := m[1]
	tok := getToken(t, d.TokenURL, d.ClientID, d.ClientSecret)

	for _, auth := range []string{"Bearer " + tok, tok} { // with and without the Bearer prefix
		resp, body := call(t, "GET", apiURL+"hello/world?x=1", auth, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("authorized call: %s %s", resp.Status, body)
		}
		var echo struct {
			Path           string            `json:"path"`
			PathParameters map[string]string `json:"pathParameters"`
			RequestContext struct {
				Stage      string `json:"stage"`
				Authorizer struct {
					Claims map[string]string `json:"claims"`
				} `json:"authorizer"`
			} `json:"requestContext"`
		}
		if err := json.Unmarshal(body, &echo); err != nil {
			t.Fatalf("echo body %s: %v", body, err)
		}
		c := echo.RequestContext.Authorizer.Claims
		if echo.Path != "/hello/world" || echo.PathParameters["proxy"] != "hello/world" || echo.RequestContext.Stage != "prod" ||
			c["client_id"] != d.ClientID || c["scope"] != "default/default" || c["version"] != "2" ||
			!regexp.MustCompile(`^\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$`).MatchString(c["exp"]) {
			t.Errorf("echo = %+v", echo)
		}
	}

	// Revoke the token: the gateway refuses it from the next request on.
	revoked := getToken(t, d.TokenURL, d.ClientID, d.ClientSecret)
	if resp, _ := call(t, "GET", apiURL+"a", "Bearer "+revoked, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("before revocation: %s", resp.Status)
	}
	postForm(t, strings.Replace(d.TokenURL, "/token", "/revoke", 1), map[string][]string{"token": {revoked}}, d.ClientID, d.ClientSecret)

	base := strings.TrimSuffix(apiURL, "prod/")
	cases := []struct {
		name, method, url, auth string
		status                  int
		message, errorType      string
	}{
		{"no token", "GET", apiURL + "a", "", 401, "Unauthorized", "UnauthorizedException"},
		{"garbage", "GET", apiURL + "a", "Bearer garbage", 401, "Unauthorized", "UnauthorizedException"},
		{"tampered signature", "GET", apiURL + "a", "Bearer " + tok[:len(tok)-4] + "AAAA", 401, "Unauthorized", "UnauthorizedException"},
		{"alg none", "GET", apiURL + "a", "Bearer " + algNone(tok), 401, "Unauthorized", "UnauthorizedException"},
		{"revoked", "GET", apiURL + "a", "Bearer " + revoked, 401, "Unauthorized", "UnauthorizedException"},
		{"unknown stage", "GET", base + "dev/a", "", 403, "Missing Authentication Token", "MissingAuthenticationTokenException"},
		{"root has no method", "GET", apiURL, "", 403, "Missing Authentication Token", "MissingAuthenticationTokenException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := call(t, tc.method, tc.url, tc.auth, nil)
			var msg struct {
				Message string `json:"message"`
			}
			_ = json.Unmarshal(body, &msg) // a body that is not JSON fails the check below, which shows it
			if resp.StatusCode != tc.status || msg.Message != tc.message || resp.Header.Get("x-amzn-ErrorType") != tc.errorType || resp.Header.Get("x-amzn-RequestId") == "" {
				t.Errorf("got %s %s (type %q), want %d %q %q", resp.Status, body, resp.Header.Get("x-amzn-ErrorType"), tc.status, tc.message, tc.errorType)
			}
		})
	}
}

// algNone rewrites a token's header to alg "none" and drops its signature.
func algNone(tok string) string {
	parts := strings.Split(tok, ".")
	return "eyJhbGciOiJub25lIn0." + parts[1] + "."
}

// TestHTTPProxyAPI serves an API whose integration is an HTTP upstream: the
// upstream gets the authorizer's decision in headers a caller cannot forge,
// and a dead upstream gives 502.
func TestHTTPProxyAPI(t *testing.T) {
	var got http.Header
	var gotPath string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, gotPath = r.Header.Clone(), r.URL.Path
		w.Header().Set("x-amzn-RequestId", "upstream-id")
		w.Header().Set("Server", "upstream")
		w.Write([]byte("upstream ok"))
	}))
	defer up.Close()
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := dead.Addr().String()
	dead.Close()

	dir := t.TempDir()
	cfg := filepath.Join(dir, "tollgate.yaml")
	writeFile(t, cfg, "userPools:\n"+partnerPool("api/read", "read", "write")+`restApis:
  - id: Api
    authorizers: [{id: Auth, cognitoUserPools: [Pool]}]
    resources:
      - path: /items/{id}
        methods:
          - {httpMethod: GET, authorizer: Auth, authorizationScopes: [api/read], integration: {type: HTTP_PROXY, uri: "`+up.URL+`/v1/items/{id}"}}
          - {httpMethod: DELETE, authorizer: Auth, authorizationScopes: [api/write], integration: {type: HTTP_PROXY, uri: "`+up.URL+`/v1/items/{id}"}}
      - path: /down
        methods:
          - {httpMethod: GET, authorizer: Auth, authorizationScopes: [api/read], integration: {type: HTTP_PROXY, uri: "http://`+deadAddr+`/"}}
`)
	p, d := startDev(t, dir, "--config", cfg)
	apiURL := reAPIURL.FindStringSubmatch(p.Output())[1]
	tok := getToken(t, d.TokenURL, d.ClientID, d.ClientSecret)

	resp, body := call(t, "GET", apiURL+"items/42", "Bearer "+tok, map[string]string{"X-Tollgate-Client-Id": "forged", "X-Forwarded-For": "6.6.6.6"})
	if resp.StatusCode != http.StatusOK || string(body) != "upstream ok" {
		t.Fatalf("proxied call: %s %s", resp.Status, body)
	}
	if gotPath != "/v1/items/42" || got.Get("X-Tollgate-Client-Id") != d.ClientID || got.Get("X-Tollgate-Scopes") != "api/read" ||
		got.Get("X-Tollgate-Stage") != "prod" || strings.Contains(got.Get("X-Forwarded-For"), "6.6.6.6") {
		t.Errorf("upstream saw path %q, headers %v", gotPath, got)
	}
	// What API Gateway adds for an HTTP integration (LocalStack's
	// BaseRestApiHttpIntegration._get_default_headers, from its
	// AWS-validated tests): the API id and a trace id.
	apiID := strings.Split(strings.TrimPrefix(apiURL, "http://"), "/")[2]
	if got.Get("X-Amzn-Apigateway-Api-Id") != apiID || !regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$`).MatchString(got.Get("X-Amzn-Trace-Id")) {
		t.Errorf("upstream saw api id %q, trace id %q", got.Get("X-Amzn-Apigateway-Api-Id"), got.Get("X-Amzn-Trace-Id"))
	}
	// The upstream's request id and Server are remapped (LocalStack's
	// HTTP_PROXY integration, same source): one x-amzn-RequestId, the
	// gateway's.
	if ids := resp.Header.Values("x-amzn-RequestId"); len(ids) != 1 || ids[0] == "upstream-id" ||
		resp.Header.Get("x-amzn-Remapped-x-amzn-RequestId") != "upstream-id" ||
		resp.Header.Get("x-amzn-Remapped-Server") != "upstream" || resp.Header.Get("Server") != "" {
		t.Errorf("answer headers %v", resp.Header)
	}
	// A token without the method's scope.
	if resp, body := call(t, "DELETE", apiURL+"items/42", "Bearer "+tok, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("missing scope: %s %s", resp.Status, body)
	}
	// A method the resource does not have.
	if resp, _ := call(t, "POST", apiURL+"items/42", "", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("wrong method: %s", resp.Status)
	}
	// A dead upstream.
	if resp, body := call(t, "GET", apiURL+"down", "Bearer "+tok, nil); resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(body), "Internal server error") {
		t.Errorf("dead upstream: %s %s", resp.Status, body)
	}
}
