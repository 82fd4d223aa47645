package config

import (
	"os"
	"testing"
)

// FuzzParse feeds Parse arbitrary bytes: it must never panic, and it must
// return either a config or problems, never both or neither.
func FuzzParse(f *testing.F) {
	for _, path := range examplePaths(f) {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		seedYAML,
		seedYAML + seedGatewayYAML,
		apiBase + "restApis:\n  - id: A\n    resources:\n      - path: /{a}/{b+}\n        methods: [{httpMethod: ANY, integration: {type: HTTP_PROXY, uri: \"http://h/{a}/{b}\"}}]\n",
		"restApis:\n  - id: A\n    resources: [{path: /x, methods: [{httpMethod: GET, integration: {type: MOCK, statusCode: 18446744073709551616}}]}]\n",
		"restApis:\n  - id: A\n    deployOptions: {throttlingRateLimit: 1e308, throttlingBurstLimit: -0, variables: {a: 1, b: ~}}\n",
		"restApis:\n  - id: A\n    authorizers: [{id: X, externalIssuers: [{issuer: \"http://[::1\", jwksUrl: \"https://%zz\"}]}]\n",
		"restApis:\n  - id: A\n    authorizers: [{id: X, type: JWT, jwtConfiguration: {defaultAlgorithms: [RS256, x], issuers: [{issuer: \"http://[::1\", audiences: [\"\"], additionalClaims: [{claimName: scp, format: ~}]}]}}]\n",
		"restApis:\n  - id: A\n    authorizers: [{id: X, type: TOKEN, function: F, validationRegex: \"(?<=a)\\\\1\", resultsCacheTtl: 0.0s}, {id: Y, type: REQUEST, identitySources: [context.x, \"method.request.querystring.\"], resultsCacheTtl: 3600.5s}]\n",
		"restApis:\n  - id: A\n    authorizers: [{id: X, cognitoUserPools: [\"arn:aws:cognito-idp:us-east-1:1:userpool/eu-west-1_x\", arn:]}]\n",
		"restApis:\n  - resources:\n      - path: /{p}\n      - path: /{q+}\n    domainNames: [{domainName: a.b, basePath: /}]\n",
		"functions:\n  - {id: F, runtime: nodejs22.x, handler: index.handler, code: /, timeout: 1.5s, environment: {K: &v x, L: *v}}\n",
		"functions:\n  - {id: F, runtime: provided.al2, code: ., timeout: 9999999999999h, memorySize: -1}\n",
		httpBase + "httpApis:\n  - id: A\n    authorizers: [{id: J, type: JWT, userPool: Pool, userPoolClients: [M2M]}, {id: L, type: REQUEST, function: Auth, responseTypes: [SIMPLE]}]\n    routes: [{path: \"/{a}/{b+}\", authorizer: J, authorizationScopes: [api/read], integration: {type: HTTP_PROXY, url: \"http://h/{a}/{b}\"}}, {path: $default, authorizer: L, integration: {type: AWS_PROXY, function: Fn}}]\n    stages: [{stageName: $default, routeThrottles: {\"$default\": {rateLimit: 1}}}]\n",
		"httpApis:\n  - id: A\n    createDefaultStage: ~\n    corsPreflight: {allowOrigins: [\"*\"], allowCredentials: true, maxAge: 86400s}\n    stages: [{stageName: x, routeThrottles: {\"GET /\": ~, \"GET /{\": {rateLimit: .nan}}}]\n",
		"httpApis:\n  - id: A\n    createDefaultStage: [x]\n    defaultIntegration: {type: HTTP_PROXY, url: \"http://h/{proxy}\", timeout: 1ns}\n    routes: [{path: $default}, {path: /x, methods: []}]\n",
		"restApis: [{id: A}]\nhttpApis: [{id: A, authorizers: [{id: NONE, type: REQUEST, identitySource: [], resultsCacheTtl: 1s}]}]\n",
		usageBase + "apiKeys: [{id: K, value: \"\\x7f\\u00e9aaaaaaaaaaaaaaaaaaaaaa\"}, {id: L, enabled: ~}]\nusagePlans:\n  - id: P\n    quota: {limit: 9223372036854775808, offset: -9223372036854775808, period: ~}\n    apiStages: [{api: Api, throttle: [{path: //, method: get, rateLimit: .inf}]}, {api: Http}]\n    apiKeys: [K, K, ~]\n",
		"userPools:\n  - id: P\n    tokenLimits: {perHour: 9223372036854775807, perDay: 1, lockout: {maxFailures: 1, window: 86400s, duration: 0.5s}}\n    clients: [{id: C, tokenLimits: {lockout: ~}}]\n",
		"",
		"---\n...\n",
		"userPools: {",
		"userPools:\n  - id: P\n    clients: [{id: C, accessTokenValidity: 1h30m}]\n",
		"userPools:\n  - &p\n    <<: *p\n",
		"userPools:\n  - id: !!str 1\n    domains: [{id: D, customDomain: {domainName: a.b, certificate: {certFile: /, keyFile: x}}}]\n",
		"a: &a [*a]\n",
		"? [a]\n: b\n",
		"userPools: [*x]\n",
		"%YAML 1.2\n---\nregion: us-east-1\n",
		"userPools:\n- id: P\n  resourceServers:\n  - identifier: \"\\x00\"\n",
		"\t- a",
		"a: |\n  b\n c\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz/tollgate.yaml", data)
		if (cfg == nil) == (err == nil) {
			t.Fatalf("Parse returned config %v and error %v", cfg, err)
		}
		if err != nil && err.Error() == "" {
			t.Fatal("empty problems")
		}
	})
}
