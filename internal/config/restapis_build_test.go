package config_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
)

// TestBuildRestAPIsSeed applies the seed example and checks the API the
// gateway gets: the article's stack, with the pool id Apply gave the pool.
func TestBuildRestAPIsSeed(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		cfg, res, apis := applyExample(t, st, "../../examples/seed/tollgate.yaml")
		poolID, _ := res.PoolID("UserPool")
		authorizer := &tollgate.Authorizer{Name: "Authorizer", Type: tollgate.AuthorizerCognito, PoolIDs: []string{poolID}, IdentitySource: "Authorization"}
		want := []*tollgate.RestAPI{{
			ID:     tollgate.RestAPIID("NewRestApi"),
			Name:   "NewRestApi",
			Region: "us-east-1",
			Stages: []tollgate.Stage{{Name: "prod"}},
			Routes: []tollgate.Route{{
				ResourcePath:        "/{proxy+}",
				Method:              "ANY",
				Authorizer:          authorizer,
				AuthorizationScopes: []string{"default/default"},
				Integration: tollgate.Integration{
					Type:     tollgate.IntegrationAWSProxy,
					Function: "ProxyLambda",
					Timeout:  tollgate.DefaultIntegrationTimeout,
				},
			}},
			ConfigKey: "NewRestApi",
		}}
		if diff := cmp.Diff(want, apis); diff != "" {
			t.Errorf("APIs (-want +got):\n%s", diff)
		}
		if !tollgate.PoolIDPattern.MatchString(poolID) {
			t.Errorf("pool id %q", poolID)
		}

		// The function the integration names is built, by name.
		if fns := cfg.BuildFunctions(); len(fns) != 1 || fns[0].Name != apis[0].Routes[0].Integration.Function {
			t.Errorf("functions = %+v", fns)
		}

		// Applying again (a restart) gives the same API: same id, same
		// pool id.
		res2, err := config.Apply(context.Background(), st, newVault(t), cfg, t1)
		if err != nil {
			t.Fatal(err)
		}
		again, err := cfg.BuildRestAPIs(res2)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(apis, again); diff != "" {
			t.Errorf("APIs after a second apply (-first +second):\n%s", diff)
		}
	})
}

// TestBuildRestAPIsMultiAPI checks the multi-api example's API: routes in
// file order, their authorizer shared, defaults filled, throttles, stage
// variables, the domain and the region.
func TestBuildRestAPIsMultiAPI(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		_, res, apis := applyExample(t, st, "../../examples/multi-api/tollgate.yaml")
		if len(apis) != 1 {
			t.Fatalf("%d APIs", len(apis))
		}
		api := apis[0]
		if api.ID != tollgate.RestAPIID("PartnerApi") || api.Name != "partner-api" || api.Region != "eu-west-1" || api.ConfigKey != "PartnerApi" {
			t.Errorf("API = %+v", api)
		}
		wantStage := tollgate.Stage{
			Name:           "v1",
			Variables:      map[string]string{"backend": "orders-service"},
			Throttle:       tollgate.Throttle{Rate: 100, Burst: 200},
			ClientThrottle: tollgate.Throttle{Rate: 10, Burst: 20},
		}
		if diff := cmp.Diff([]tollgate.Stage{wantStage}, api.Stages); diff != "" {
			t.Errorf("stages (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]tollgate.APIDomain{{DomainName: "api.partners.example.com", Stage: "v1"}}, api.DomainNames); diff != "" {
			t.Errorf("domains (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"image/png", "application/pdf"}, api.BinaryMediaTypes); diff != "" {
			t.Errorf("binary media types (-want +got):\n%s", diff)
		}

		var got []string
		for _, r := range api.Routes {
			in := r.Integration
			s := fmt.Sprintf("%s %s %s %s %s", r.Method, r.ResourcePath, in.Type, in.URI, in.Timeout)
			if in.Type == tollgate.IntegrationMock {
				s += fmt.Sprintf(" %d", in.MockStatus)
			}
			if r.Authorizer != nil {
				s += " [" + strings.Join(r.AuthorizationScopes, " ") + "]"
			}
			got = append(got, s)
		}
		want := []string{
			"GET /orders HTTP_PROXY http://127.0.0.1:9000/orders 10s [orders/orders.read]",
			"POST /orders HTTP_PROXY http://127.0.0.1:9000/orders 29s [orders/orders.write]",
			"GET /orders/{orderId} HTTP_PROXY http://127.0.0.1:9000/orders/{orderId} 29s [orders/orders.read]",
			"DELETE /orders/{orderId} HTTP_PROXY http://127.0.0.1:9000/orders/{orderId} 29s [orders/orders.write]",
			"ANY /{proxy+} HTTP_PROXY http://127.0.0.1:9000/{proxy} 29s [https://catalog.example.com/catalog.read]",
			"GET /health MOCK  0s 200",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("routes (-want +got):\n%s", diff)
		}
		poolID, _ := res.PoolID("PartnerPool")
		a := api.Routes[0].Authorizer
		if a == nil || a.Name != "PartnerAuthorizer" || !cmp.Equal(a.PoolIDs, []string{poolID}) || a.IdentitySource != "Authorization" {
			t.Errorf("authorizer = %+v", a)
		}
		for i, r := range api.Routes[:5] {
			if r.Authorizer != a {
				t.Errorf("route %d does not share its authorizer", i)
			}
		}
	})
}

// TestBuildRestAPIsNeedsItsResult checks that BuildRestAPIs refuses a
// Result that does not hold the pools the APIs name.
func TestBuildRestAPIsNeedsItsResult(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		cfg := parse(t, seed+`
restApis:
  - id: Api
    authorizers: [{id: A, cognitoUserPools: [UserPool]}]
    resources:
      - path: /
        methods: [{httpMethod: GET, authorizer: A, authorizationScopes: [default/default], integration: {type: MOCK}}]
`)
		if _, err := cfg.BuildRestAPIs(nil); err == nil {
			t.Error("BuildRestAPIs(nil) succeeded")
		}
		other := apply(t, st, newVault(t), "userPools:\n  - id: SomethingElse\n", t0)
		if _, err := cfg.BuildRestAPIs(other); err == nil || !strings.Contains(err.Error(), "UserPool") {
			t.Errorf("BuildRestAPIs(another config's result) = %v", err)
		}
		// A config without APIs builds none, with or without a result.
		empty := parse(t, "userPools: []\n")
		if apis, err := empty.BuildRestAPIs(nil); err != nil || len(apis) != 0 {
			t.Errorf("no APIs: %v, %v", apis, err)
		}
	})
}

// TestBuildRestAPIsPoolARN checks an authorizer of a pool on AWS named by
// its ARN only, with its own header, and a code-built config after Apply:
// the pool's issuer and JWKS URL are Cognito's
// (https://cognito-idp.{region}.amazonaws.com/{poolId}, contract
// cognito-apigw.md §2 on iss and the JWKS path).
func TestBuildRestAPIsPoolARN(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		cfg := &config.Config{
			File: filepath.Join(t.TempDir(), "tollgate.yaml"),
			RestAPIs: []config.RestAPI{{
				ID: "Api",
				Authorizers: []config.Authorizer{{
					ID:               "Ext",
					CognitoUserPools: []string{"arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123"},
					IdentitySource:   "method.request.header.X-Api-Token",
				}},
				Resources: []config.Resource{{Path: "/items/{id}", Methods: []config.Method{{
					HTTPMethod: "GET", Authorizer: "Ext", AuthorizationScopes: []string{"items/read"},
					Integration: &config.Integration{Type: config.IntegrationHTTPProxy, URI: "https://items.internal/{id}", Timeout: 5 * time.Second},
				}}}},
			}},
		}
		_, apis := applyAndBuild(t, st, cfg)
		iss := "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
		want := tollgate.Route{
			ResourcePath: "/items/{id}", Method: "GET",
			Authorizer: &tollgate.Authorizer{
				Name:           "Ext",
				Type:           tollgate.AuthorizerCognito,
				Issuers:        []tollgate.ExternalIssuer{{Issuer: iss, JWKSURL: iss + "/.well-known/jwks.json"}},
				IdentitySource: "X-Api-Token",
			},
			AuthorizationScopes: []string{"items/read"},
			Integration:         tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "https://items.internal/{id}", Timeout: 5 * time.Second},
		}
		if diff := cmp.Diff([]tollgate.Route{want}, apis[0].Routes); diff != "" {
			t.Errorf("routes (-want +got):\n%s", diff)
		}
		if s := apis[0].Stages; len(s) != 1 || s[0].Name != "prod" || s[0].Throttle.Enabled() || s[0].ClientThrottle.Enabled() {
			t.Errorf("stages = %+v", s)
		}
		if apis[0].Region != config.DefaultRegion {
			t.Errorf("region = %q", apis[0].Region)
		}
	})
}

// applyExample loads the example config at path, applies it to st and
// builds its REST APIs.
func applyExample(t *testing.T, st tollgate.Store, path string) (*config.Config, *config.Result, []*tollgate.RestAPI) {
	t.Helper()
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	res, apis := applyAndBuild(t, st, cfg)
	return cfg, res, apis
}

// applyAndBuild applies cfg to st and builds its REST APIs, as serve does.
func applyAndBuild(t *testing.T, st tollgate.Store, cfg *config.Config) (*config.Result, []*tollgate.RestAPI) {
	t.Helper()
	res, err := config.Apply(context.Background(), st, newVault(t), cfg, t0)
	if err != nil {
		t.Fatal(err)
	}
	apis, err := cfg.BuildRestAPIs(res)
	if err != nil {
		t.Fatal(err)
	}
	return res, apis
}

// TestBuildRestAPIsAuthorizerTypes checks what the gateway gets of a TOKEN,
// a REQUEST and a JWT authorizer: the function by its name (functionName,
// not the id), the effective result TTL (CDK's default 300s, 0s kept), the
// identity sources as written and the JWT configuration with each claim's
// format implied.
func TestBuildRestAPIsAuthorizerTypes(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		cfg := parse(t, `
functions:
  - {id: AuthFn, functionName: auth-fn, runtime: nodejs22.x, handler: index.handler, code: .}
restApis:
  - id: Api
    authorizers:
      - {id: Token, type: TOKEN, function: AuthFn, identitySource: method.request.header.X-Token, validationRegex: "^Bearer .+$"}
      - id: Request
        type: REQUEST
        function: AuthFn
        identitySources: [method.request.header.X-Tenant, method.request.querystring.key, stageVariables.v, context.httpMethod]
        resultsCacheTtl: 0s
      - id: Jwt
        type: JWT
        jwtConfiguration:
          defaultAlgorithms: [RS256, ES256]
          issuers:
            - issuer: https://issuer.example.com
              audiences: [api]
              additionalClaims: [{claimName: tenant, expectedValues: [a, b], required: true}]
    resources:
      - path: /items
        methods:
          - {httpMethod: GET, authorizer: Token, integration: {type: MOCK}}
          - {httpMethod: POST, authorizer: Request, integration: {type: MOCK}}
          - {httpMethod: PUT, authorizer: Jwt, authorizationScopes: [items/write], integration: {type: MOCK}}
          - {httpMethod: DELETE, authorizer: Jwt, integration: {type: MOCK}}
`)
		_, apis := applyAndBuild(t, st, cfg)
		routes := apis[0].Routes
		token := &tollgate.Authorizer{Name: "Token", Type: tollgate.AuthorizerToken, Function: "auth-fn", IdentitySource: "X-Token",
			IdentityValidationExpression: "^Bearer .+$", ResultTTL: 300 * time.Second}
		request := &tollgate.Authorizer{Name: "Request", Type: tollgate.AuthorizerRequest, Function: "auth-fn",
			IdentitySources: []string{"method.request.header.X-Tenant", "method.request.querystring.key", "stageVariables.v", "context.httpMethod"}}
		jwt := &tollgate.Authorizer{Name: "Jwt", Type: tollgate.AuthorizerJWT, IdentitySource: "Authorization", JWT: &tollgate.JWTConfiguration{
			Algorithms: []string{"RS256", "ES256"},
			Issuers: []tollgate.JWTIssuer{{Issuer: "https://issuer.example.com", Audiences: []string{"api"},
				Claims: []tollgate.JWTClaim{{Name: "tenant", ExpectedValues: []string{"a", "b"}, Required: true}}}},
		}}
		for i, want := range []*tollgate.Authorizer{token, request, jwt, jwt} {
			if diff := cmp.Diff(want, routes[i].Authorizer); diff != "" {
				t.Errorf("route %d authorizer (-want +got):\n%s", i, diff)
			}
		}
		if routes[2].Authorizer != routes[3].Authorizer {
			t.Error("the routes behind one authorizer do not share it")
		}
		if diff := cmp.Diff([]string{"items/write"}, routes[2].AuthorizationScopes); diff != "" {
			t.Errorf("JWT route scopes (-want +got):\n%s", diff)
		}
	})
}

// TestValidateAuthorizersInCode checks a config built in code: a nil
// ResultsCacheTTL is the default and the gate (apigw.Check) agrees with
// the config's rules.
func TestValidateAuthorizersInCode(t *testing.T) {
	zero := time.Duration(0)
	cfg := &config.Config{
		Functions: []config.Function{{ID: "Fn", Runtime: "nodejs22.x", Handler: "index.handler", Code: "."}},
		RestAPIs: []config.RestAPI{{
			ID: "Api",
			Authorizers: []config.Authorizer{
				{ID: "T", Type: config.AuthorizerToken, Function: "Fn"},
				{ID: "R", Type: config.AuthorizerRequest, Function: "Fn", ResultsCacheTTL: &zero},
			},
			Resources: []config.Resource{{Path: "/", Methods: []config.Method{
				{HTTPMethod: "GET", Authorizer: "T", Integration: &config.Integration{Type: config.IntegrationMock}},
				{HTTPMethod: "POST", Authorizer: "R", Integration: &config.Integration{Type: config.IntegrationMock}},
			}}},
		}},
	}
	cfg.File = filepath.Join(t.TempDir(), "tollgate.yaml")
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := cfg.RestAPIs[0].Authorizers[0].ResultsCacheTTL; got == nil || *got != tollgate.DefaultAuthorizerResultTTL {
		t.Errorf("TOKEN TTL = %v, want the default", got)
	}
	if got := *cfg.RestAPIs[0].Authorizers[1].ResultsCacheTTL; got != 0 {
		t.Errorf("REQUEST TTL = %v, want 0 kept", got)
	}
	// Without identity sources a caching REQUEST authorizer is refused,
	// at the authorizer.
	cfg.RestAPIs[0].Authorizers[1].ResultsCacheTTL = nil
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "restApis[0].authorizers[1]: a REQUEST authorizer that caches") {
		t.Errorf("Validate = %v", err)
	}
}
