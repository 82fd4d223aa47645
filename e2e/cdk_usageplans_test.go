package e2e

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/function/functest"
)

// cdkUsagePlansOut is the cloud assembly examples/cdk/synth.sh wrote from
// examples/cdk/usageplans/app.js.
const cdkUsagePlansOut = "../examples/cdk/usageplans/cdk.out"

// devKeyValue is the fixed value of the app's DevKey (app.js).
const devKeyValue = "dev-key-0123456789abcdef"

var reMeteredAPI = regexp.MustCompile(`(?m)^\s+MeteredApiEndpoint\w+ \(here\) = (\S+)`)

// API Gateway's answers to a method that requires an API key (contract
// apigw-beyond.md §3; §6 items 6-7).
const (
	answerForbidden       = `{"message":"Forbidden"}`
	answerTooManyRequests = `{"message":"Too Many Requests"}`
)

// TestCDKUsagePlans runs the committed usage plans assembly as it is: a
// client credentials token of the pool; GET /items, which requires a key,
// refused without one or with an unknown one and served with the plan's
// fixed key, whose value and id reach the function; GET /status, which
// requires none, served without one; GET /orders with a token and a key;
// and /items's per-method throttle of the plan (burst 2, one request per
// 100 s) refusing the third request in a row.
func TestCDKUsagePlans(t *testing.T) {
	needProgram(t, "node")
	if stdout, stderr, code := run(t, nil, "validate", "--template", cdkUsagePlansOut); code != 0 || !strings.Contains(stdout, ": ok") {
		t.Fatalf("validate: exit %d\n%s%s", code, stdout, stderr)
	}
	p, d := startDev(t, t.TempDir(), "--template", cdkUsagePlansOut)
	var apiURL string
	functest.Eventually(t, "the API's output", func() bool {
		m := reMeteredAPI.FindStringSubmatch(p.Output())
		if m != nil {
			apiURL = strings.TrimSuffix(m[1], "/")
		}
		return m != nil
	})

	tok := getToken(t, d.TokenURL, d.ClientID, d.ClientSecret)
	if c, _, _ := verify(t, d.Issuer, tok); c.ClientID != d.ClientID || c.Scope != "catalogue/read" {
		t.Errorf("token claims %+v", c)
	}

	type answer struct {
		Path     string  `json:"path"`
		APIKey   *string `json:"apiKey"`
		APIKeyID *string `json:"apiKeyId"`
		ClientID *string `json:"clientId"`
	}
	served := func(what, path string, hdr map[string]string) answer {
		t.Helper()
		resp, body := call(t, "GET", apiURL+path, "", hdr)
		var got answer
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &got) != nil {
			t.Fatalf("%s: %s %s, want 200\n%s", what, resp.Status, body, p.Logs())
		}
		return got
	}
	refused := func(what, path string, hdr map[string]string, status int, wantJSON, errorType string) {
		t.Helper()
		resp, body := call(t, "GET", apiURL+path, "", hdr)
		wantAnswer(t, what, resp, body, status, wantJSON, errorType)
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			t.Errorf("%s: Retry-After %q; API Gateway sends none", what, ra)
		}
	}
	withKey := map[string]string{"x-api-key": devKeyValue}

	// A method that requires a key: none, or one no plan knows, is
	// Forbidden (INVALID_API_KEY).
	refused("no key", "/items", nil, http.StatusForbidden, answerForbidden, "ForbiddenException")
	refused("an unknown key", "/items", map[string]string{"x-api-key": "unknown-key-0123456789"}, http.StatusForbidden, answerForbidden, "ForbiddenException")

	// A method that requires none ignores the header (and the plan).
	if got := served("no key needed", "/status", nil); got.APIKey != nil || got.APIKeyID != nil {
		t.Errorf("/status without a key: the event's identity has apiKey %v, apiKeyId %v; want null", got.APIKey, got.APIKeyID)
	}

	// The fixed key, sent as AWS's examples send it (x-api-key): its
	// value and id in requestContext.identity.
	got := served("the fixed key", "/items", withKey)
	if got.APIKey == nil || *got.APIKey != devKeyValue || got.APIKeyID == nil || !regexp.MustCompile(`^[a-z0-9]{10}$`).MatchString(*got.APIKeyID) {
		t.Errorf("/items with the key: identity apiKey %v, apiKeyId %v; want the key's value and its id", got.APIKey, got.APIKeyID)
	}

	// A token and a key: the Cognito authorizer and the key both pass.
	hdr := map[string]string{"x-api-key": devKeyValue, "Authorization": "Bearer " + tok}
	if got := served("a token and the key", "/orders", hdr); got.ClientID == nil || *got.ClientID != d.ClientID {
		t.Errorf("/orders: client id %v, want %s", got.ClientID, d.ClientID)
	}

	// GET /items's throttle in the plan: a burst of 2, refilled one
	// request per 100 s, so the third request in a row is throttled.
	served("the key, second request of the burst", "/items", withKey)
	refused("the key, past the burst", "/items", withKey, http.StatusTooManyRequests, answerTooManyRequests, "TooManyRequestsException")
	served("no key needed, after the throttle", "/status", nil)
}
