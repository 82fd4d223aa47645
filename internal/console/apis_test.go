package console

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// apisFixtureAPIs are a REST API and an HTTP API built as the gateway's
// tests build them: a Cognito authorizer with scopes, a Lambda TOKEN
// authorizer, a JWT authorizer, each integration type, CORS and a
// protected resource.
func apisFixtureAPIs() []API {
	cognito := &tollgate.Authorizer{Name: "PoolAuth", PoolIDs: []string{"eu-west-1_abc"}}
	lambda := &tollgate.Authorizer{Name: "<b>TokenAuth</b>", Type: tollgate.AuthorizerToken, Function: "authz",
		IdentitySource: "method.request.header.X-Token", ResultTTL: 60 * time.Second}
	jwt := &tollgate.Authorizer{Name: "Jwt", Type: tollgate.AuthorizerJWT, JWT: &tollgate.JWTConfiguration{
		Issuers: []tollgate.JWTIssuer{{Issuer: "https://issuer.example", Audiences: []string{"aud-1"}}},
	}}
	maxAge := 600
	rest := &tollgate.RestAPI{
		ID: "restapi001", Name: "Orders <script>alert(1)</script>", Region: "eu-west-1", ConfigKey: "config:seed/OrdersApi",
		Stages: []tollgate.Stage{{Name: "prod", Throttle: tollgate.Throttle{Rate: 10, Burst: 20}}},
		Routes: []tollgate.Route{
			{ResourcePath: "/orders", Method: "GET", Authorizer: cognito, AuthorizationScopes: []string{"orders/read"},
				Integration: tollgate.Integration{Type: tollgate.IntegrationAWSProxy, Function: "list-orders"}},
			{ResourcePath: "/orders/{id}", Method: "DELETE", Authorizer: lambda, APIKeyRequired: true, RequireBinding: tollgate.BindingDPoP,
				Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://upstream.local/orders/{id}", Timeout: 5 * time.Second}},
			{ResourcePath: "/health", Method: "GET",
				Integration: tollgate.Integration{Type: tollgate.IntegrationMock, MockStatus: 204}},
		},
		Resource: &tollgate.ProtectedResource{Identifier: "https://orders.example", Audiences: []string{"orders"}},
	}
	http := &tollgate.RestAPI{
		ID: "httpapi001", Name: "Pets", Protocol: tollgate.ProtocolHTTP, ConfigKey: "stack:PetsStack/PetsApi",
		CORS:   &tollgate.CORSConfiguration{AllowOrigins: []string{"https://app.example"}, AllowMethods: []string{"GET"}, MaxAge: &maxAge},
		Stages: []tollgate.Stage{{Name: tollgate.DefaultStageName}},
		Routes: []tollgate.Route{
			{ResourcePath: "/pets/{id}", Method: "GET", Authorizer: jwt,
				Integration: tollgate.Integration{Type: tollgate.IntegrationAWSProxy, Function: "pets", PayloadFormatVersion: "2.0"}},
			{ResourcePath: tollgate.DefaultRouteKey, Method: "ANY",
				Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://upstream.local", Method: "POST"}},
		},
	}
	return []API{
		{RestAPI: rest, BaseURLs: map[string]string{"prod": "http://127.0.0.1:8080/apis/restapi001/prod"}},
		{RestAPI: http, BaseURLs: map[string]string{tollgate.DefaultStageName: "http://127.0.0.1:8080/apis/httpapi001"}},
	}
}

func TestAPIsList(t *testing.T) {
	f := newAPIsTestConsole(t, apisFixtureAPIs()...)
	status, body := f.get("/apis")
	if status != http.StatusOK {
		t.Fatalf("GET /apis: %d", status)
	}
	apisWantIn(t, "/apis", body,
		"Orders &lt;script&gt;alert(1)&lt;/script&gt;", "restapi001", "REST API", "HTTP API", "3 routes", "2 routes",
		"http://127.0.0.1:8080/apis/restapi001/prod", "http://127.0.0.1:8080/apis/httpapi001",
		`config &#34;seed&#34; (as &#34;OrdersApi&#34;)`, "stack PetsStack (as &#34;PetsApi&#34;)",
		"applies its config file or template again on SIGHUP", `href="/console/apis/httpapi001"`)
	apisWantNotIn(t, "/apis", body, "<script>alert", `action="/console/apis`)
}

func TestAPIsEmpty(t *testing.T) {
	f := newAPIsTestConsole(t)
	status, body := f.get("/apis")
	if status != http.StatusOK {
		t.Fatalf("GET /apis: %d", status)
	}
	apisWantIn(t, "/apis", body, "No APIs yet", "restApis:", "httpApis:", "--template cdk.out", apisReadme)
}

func TestAPIPage(t *testing.T) {
	f := newAPIsTestConsole(t, apisFixtureAPIs()...)
	status, body := f.get("/apis/restapi001")
	if status != http.StatusOK {
		t.Fatalf("GET /apis/restapi001: %d\n%s", status, body)
	}
	apisWantIn(t, "REST API page", body,
		"<h1>Orders &lt;script&gt;alert(1)&lt;/script&gt;</h1>",
		"10 req/s, bursts of 20",
		// Routes: authorizers, scopes, key, binding, integrations, timeouts.
		`<span class="apis-method">GET</span> <code class="apis-path">/orders</code>`,
		"Cognito user pools</span> PoolAuth", "<code>orders/read</code>",
		"Lambda TOKEN</span> &lt;b&gt;TokenAuth&lt;/b&gt;", "API key required", "token bound: dpop (route)",
		"function <code>list-orders</code>", "29s",
		"<code>(request&#39;s method) http://upstream.local/orders/{id}</code>", "5s",
		"MOCK", "answers 204", `NONE</span>`,
		// Authorizers.
		`<a href="/console/pools/eu-west-1_abc">eu-west-1_abc</a>`, "method.request.header.Authorization",
		"method.request.header.X-Token", "function <code>authz</code>", "1m0s",
		// Protected resource; try links.
		"Protected resource", "https://orders.example",
		`href="/console/try?api=restapi001&amp;stage=prod&amp;route=1"`,
		"Read-only: declared in config &#34;seed&#34;")
	apisWantNotIn(t, "REST API page", body, "<script>alert", "<b>TokenAuth", "CORS", "method=\"post\" action=\"/console/apis")

	status, body = f.get("/apis/httpapi001")
	if status != http.StatusOK {
		t.Fatalf("GET /apis/httpapi001: %d", status)
	}
	apisWantIn(t, "HTTP API page", body,
		"HTTP API", "<code>$default</code>", "JWT</span> Jwt", "https://issuer.example", "audiences: aud-1",
		"function <code>pets</code> · payload 2.0", "30s", "<code>POST http://upstream.local</code>",
		"CORS", "https://app.example", "600 s", `route=1"`, "stage=%24default")
}

func TestAPIPageNotFound(t *testing.T) {
	f := newAPIsTestConsole(t, apisFixtureAPIs()...)
	status, body := f.get("/apis/nope%3Cb%3E")
	if status != http.StatusNotFound {
		t.Fatalf("GET unknown API: %d", status)
	}
	apisWantIn(t, "unknown API", body, "nope&lt;b&gt;")
}

func TestAPIsNeedSession(t *testing.T) {
	f := newAPIsTestConsole(t, apisFixtureAPIs()...)
	for _, p := range []string{"/apis", "/apis/restapi001", "/api-keys", "/usage-plans"} {
		resp, err := http.Get(f.Base + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if !strings.Contains(resp.Request.URL.Path, "/signin") {
			t.Errorf("GET %s without a session ended at %s", p, resp.Request.URL)
		}
	}
}

// The server says where the APIs come from (API.Source): the page names
// it, with the API's logical id, and says how to change them there.
func TestAPIsSource(t *testing.T) {
	for _, tc := range []struct {
		source, key, declared, change string
	}{
		{`config "seed" (embedded in tollgate dev)`, "NewRestApi", `config &#34;seed&#34; (embedded in tollgate dev) (as &#34;NewRestApi&#34;)`, "tollgate dev --config FILE"},
		{"config file /etc/tollgate/apis.yaml", tollgate.ConfigKeyPrefix("prod") + "OrdersApi", `config file /etc/tollgate/apis.yaml (as &#34;OrdersApi&#34;)`, "Edit the file"},
		{"stack Shop (cdk.out)", tollgate.StackKeyPrefix("Shop") + "OrdersApi", `stack Shop (cdk.out) (as &#34;OrdersApi&#34;)`, "synthesize it again"},
	} {
		apis := apisFixtureAPIs()[:1]
		apis[0].Source, apis[0].ConfigKey = tc.source, tc.key
		f := newAPIsTestConsole(t, apis...)
		for _, p := range []string{"/apis", "/apis/restapi001"} {
			status, body := f.get(p)
			if status != http.StatusOK {
				t.Fatalf("GET %s: %d", p, status)
			}
			apisWantIn(t, tc.source+" "+p, body, tc.declared, tc.change)
			apisWantNotIn(t, tc.source+" "+p, body, "a config file (as", "serve --config</code>")
		}
	}
}
