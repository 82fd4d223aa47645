package gateway_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
)

// serveLogged serves r as behind an access log and returns the status
// and what the gateway told the log.
func serveLogged(h http.Handler, r *http.Request) (int, gateway.LogFields) {
	rec := httptest.NewRecorder()
	lw := &logWriter{ResponseWriter: rec}
	h.ServeHTTP(lw, r)
	return rec.Code, lw.f
}

type refusalCase struct {
	name     string
	r        *http.Request
	status   int
	reason   string
	clientID string
	detail   string // a part of the Detail
}

func checkRefusals(t *testing.T, h http.Handler, cases []refusalCase) {
	t.Helper()
	for _, tc := range cases {
		status, f := serveLogged(h, tc.r)
		if status != tc.status || f.Reason != tc.reason || f.ClientID != tc.clientID {
			t.Errorf("%s: %d, reason %q, client %q; want %d, %q, %q (%+v)", tc.name, status, f.Reason, f.ClientID, tc.status, tc.reason, tc.clientID, f)
		}
		if (f.Reason == "") != (f.Detail == "") || !strings.Contains(f.Detail, tc.detail) {
			t.Errorf("%s: detail %q, want one with %q", tc.name, f.Detail, tc.detail)
		}
	}
}

// TestRefusalReasons: every refusal of a Cognito-authorized REST API tells
// the access log its reason; the client of a verified token is told
// also when the request is then refused, never an unverified one's.
func TestRefusalReasons(t *testing.T) {
	e := newEnv(t, nil)
	iss := issuerOf(poolA)
	good := mint(t, keyA, keyA.kid, claims(iss))
	tooBig := request("POST", execHost, "/prod/open/1", "")
	tooBig.ContentLength = gateway.MaxBodyBytes + 1
	forged := mint(t, keyB, keyA.kid, claims(iss))
	checkRefusals(t, e.gw, []refusalCase{
		{"allowed", request("GET", execHost, "/prod/a/b", good), 200, "", clientA, ""},
		{"open route", request("GET", execHost, "/prod/open/1", ""), 200, "", "", ""},
		{"no token", request("GET", execHost, "/prod/a/b", ""), 401, gateway.ReasonMissingToken, "", "no token"},
		{"not a token", request("GET", execHost, "/prod/a/b", "not-a-token"), 401, gateway.ReasonInvalidToken, "", "not valid"},
		{"forged", request("GET", execHost, "/prod/a/b", forged), 401, gateway.ReasonInvalidToken, "", "not valid"},
		{"expired", request("GET", execHost, "/prod/a/b", mint(t, keyA, keyA.kid, with(claims(iss), "exp", t0.Add(-time.Minute).Unix()))), 401, gateway.ReasonExpiredToken, "", "expired"},
		{"missing scope", request("GET", execHost, "/prod/a/b", mint(t, keyA, keyA.kid, with(claims(iss), "scope", "other/read"))), 401, gateway.ReasonInsufficientScope, clientA, "(" + scope + ")"},
		{"no route", request("DELETE", execHost, "/prod", ""), 403, gateway.ReasonNoRoute, "", "no API"},
		{"no stage", request("GET", execHost, "/nostage/a", good), 403, gateway.ReasonNoRoute, "", "no API"},
		{"dot segment", request("GET", execHost, "/prod/open/%2e%2e", ""), 403, gateway.ReasonPathRejected, "", "ambiguous"},
		{"too large", tooBig, 413, gateway.ReasonPayloadTooLarge, "", "10 MiB"},
	})
	// Revoked: the token verified, then refused; told last, as it stays
	// revoked.
	e.f.revoke("3b4c6f2e-8f0e-4a43-9d51-0c1f9d0d2f6a")
	checkRefusals(t, e.gw, []refusalCase{
		{"revoked", request("GET", execHost, "/prod/a/b", good), 401, gateway.ReasonRevokedToken, clientA, "revoked"},
	})
}

// TestRefusalReasonsThrottleAndIntegration: a stage's throttle, and an
// integration's failure and timeout answered with the gateway's
// responses.
func TestRefusalReasonsThrottleAndIntegration(t *testing.T) {
	e := newEnv(t, func(api *tollgate.RestAPI, o *gateway.Options) {
		api.Stages[0].Throttle = tollgate.Throttle{Rate: 1, Burst: 3}
		o.Integrations = gateway.IntegrationsFunc(func(*tollgate.RestAPI, *tollgate.Route) (gateway.Integration, error) {
			return integrationFunc(func(w http.ResponseWriter, r *http.Request, inv *gateway.Invocation) {
				switch {
				case strings.HasSuffix(inv.Path, "/timeout"):
					inv.WriteResponse(w, gateway.ResponseIntegrationTimeout)
				case strings.HasSuffix(inv.Path, "/fail"):
					inv.WriteResponse(w, gateway.ResponseIntegrationFailure)
				default:
					http.Error(w, "the upstream's own", http.StatusBadGateway)
				}
			}), nil
		})
	})
	checkRefusals(t, e.gw, []refusalCase{
		{"timeout", request("GET", execHost, "/prod/open/timeout", ""), 504, gateway.ReasonIntegrationTimeout, "", "timeout"},
		{"failure", request("GET", execHost, "/prod/open/fail", ""), 502, gateway.ReasonIntegrationError, "", "integration failed"},
		{"upstream's 502", request("GET", execHost, "/prod/open/other", ""), 502, "", "", ""},
		{"throttled", request("GET", execHost, "/prod/open/1", ""), 429, gateway.ReasonThrottled, "", "throttle"},
	})
}

// TestRefusalReasonsAPIKeys: a method requiring an API key, and its usage
// plan's quota.
func TestRefusalReasonsAPIKeys(t *testing.T) {
	ke := newKeyEnv(t, tollgate.UsagePlan{Quota: &tollgate.Quota{Limit: 1, Period: tollgate.QuotaDay}}, nil)
	withKey := func(key string) *http.Request {
		r := request("GET", execHost, "/prod/pets", "")
		if key != "" {
			r.Header.Set("X-Api-Key", key)
		}
		return r
	}
	checkRefusals(t, ke.gw, []refusalCase{
		{"no key", withKey(""), 403, gateway.ReasonAPIKeyMissing, "", "has none"},
		{"unknown key", withKey(keyUnknown), 403, gateway.ReasonAPIKeyInvalid, "", "unknown"},
		{"disabled key", withKey(keyDisabled), 403, gateway.ReasonAPIKeyInvalid, "", "disabled"},
		{"key", withKey(keyValue), 200, "", "", ""},
		{"quota", withKey(keyValue), 429, gateway.ReasonQuotaExceeded, "", "quota"},
	})
	// The key found is named by its id, also when it is then refused;
	// never by its value, and not at all when unknown.
	for _, tc := range []struct {
		name, key, id string
	}{
		{"no key", "", ""},
		{"unknown key", keyUnknown, ""},
		{"disabled key", keyDisabled, "keydisab01"},
		{"over quota", keyValue, "keyalpha01"},
	} {
		if _, f := serveLogged(ke.gw, withKey(tc.key)); f.APIKeyID != tc.id {
			t.Errorf("%s: APIKeyID %q, want %q", tc.name, f.APIKeyID, tc.id)
		}
	}
	allowed := newKeyEnv(t, tollgate.UsagePlan{}, nil)
	if status, f := serveLogged(allowed.gw, withKey(keyValue)); status != 200 || f.APIKeyID != "keyalpha01" {
		t.Errorf("allowed: %d, APIKeyID %q; want 200, keyalpha01", status, f.APIKeyID)
	}
}

// TestRefusalReasonsLambda: a Lambda TOKEN authorizer's refusals.
func TestRefusalReasonsLambda(t *testing.T) {
	answers := map[string]func([]byte) ([]byte, bool, error){
		"unauthorized": func([]byte) ([]byte, bool, error) {
			return []byte(`{"errorType":"Error","errorMessage":"Unauthorized"}`), true, nil
		},
		"deny": func([]byte) ([]byte, bool, error) {
			return []byte(`{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"*"}]}}`), false, nil
		},
		"failing": func([]byte) ([]byte, bool, error) { return nil, false, errors.New("invoke failed") },
		"allow":   allowAll,
	}
	for name, answer := range answers {
		le := newAuthzEnv(t, tokenAuthorizer(0), answer)
		want := map[string]refusalCase{
			"unauthorized": {status: 401, reason: gateway.ReasonLambdaUnauthorized, detail: "tokenAuth"},
			"deny":         {status: 403, reason: gateway.ReasonLambdaDeny, detail: "explicitly"},
			"failing":      {status: 500, reason: gateway.ReasonAuthorizerError, detail: "failed"},
			"allow":        {status: 200},
		}[name]
		want.name, want.r = name, request("GET", execHost, "/prod/a", "")
		want.r.Header.Set("Authorization", "some-token")
		checkRefusals(t, le.gw, []refusalCase{
			want,
			{name + ", no token", request("GET", execHost, "/prod/a", ""), 401, gateway.ReasonMissingToken, "", "identity source"},
		})
	}
}

// TestRefusalReasonsBinding: refusals of sender-constrained tokens name
// the verified token's client.
func TestRefusalReasonsBinding(t *testing.T) {
	f := newBindingFixture(t)
	const htu = "http://" + execHost + "/prod/mock"
	proof := func(k dpopKey) []string {
		return []string{k.proof(t, proofClaims("GET", htu, f.dpopTok, "j-"+randText()))}
	}
	checkRefusals(t, f.e.gw, []refusalCase{
		{"DPoP with its proof", bindingRequest("/prod/mock", "DPoP "+f.dpopTok, proof(f.key), nil), 200, "", clientA, ""},
		{"DPoP-bound as Bearer", bindingRequest("/prod/mock", "Bearer "+f.dpopTok, nil, nil), 401, gateway.ReasonBindingRequired, clientA, "DPoP scheme"},
		{"no proof", bindingRequest("/prod/mock", "DPoP "+f.dpopTok, nil, nil), 401, gateway.ReasonInvalidDPoPProof, clientA, "proof"},
		{"another key's proof", bindingRequest("/prod/mock", "DPoP "+f.dpopTok, proof(f.other), nil), 401, gateway.ReasonInvalidDPoPProof, clientA, "not the token's"},
		{"route requires DPoP", bindingRequest("/prod/dpop-only", "Bearer "+f.plain, nil, nil), 401, gateway.ReasonBindingRequired, clientA, "not DPoP-bound"},
		{"no certificate", bindingRequest("/prod/mock", "Bearer "+f.certTok, nil, nil), 401, gateway.ReasonCertificateMismatch, clientA, "did not present"},
		{"another certificate", bindingRequest("/prod/mock", "Bearer "+f.certTok, nil, f.otherCert), 401, gateway.ReasonCertificateMismatch, clientA, "another client certificate"},
	})
}

// TestRefusalReasonsHTTPAPI: an HTTP API's JWT authorizer and its 404.
func TestRefusalReasonsHTTPAPI(t *testing.T) {
	he := newHTTPJWTEnv(t)
	local := claims(issuerOf(poolA))
	get := func(target string, c map[string]any) *http.Request {
		r := httptest.NewRequest("GET", target, nil)
		r.Host = execHost
		if c != nil {
			r.Header.Set("Authorization", "Bearer "+mint(t, keyA, keyA.kid, c))
		}
		return r
	}
	checkRefusals(t, he.gw, []refusalCase{
		{"allowed", get("/scoped", local), 200, "", clientA, ""},
		{"no token", get("/scoped", nil), 401, gateway.ReasonMissingToken, "", "no token"},
		{"foreign aud", get("/scoped", with(local, "aud", "someone-else")), 401, gateway.ReasonWrongAudience, "", "audience"},
		{"expired", get("/scoped", with(local, "exp", t0.Add(-time.Second).Unix())), 401, gateway.ReasonExpiredToken, "", "expired"},
		{"missing scope", get("/scoped", with(local, "scope", "other/read")), 403, gateway.ReasonInsufficientScope, clientA, "orders:read, " + scope},
		{"no route", get("/nowhere", nil), 404, gateway.ReasonNoRoute, "", "no API"},
	})
}
