package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
)

// wantProblems reads the problems a test file expects from its comments:
// a line ending in "# want PATH: TEXT" expects a problem on that line, at
// PATH, whose message contains TEXT. One line may hold several.
func wantProblems(src string) []string {
	var want []string
	for i, line := range strings.Split(src, "\n") {
		parts := strings.Split(line, "# want ")
		for _, w := range parts[1:] {
			path, text, _ := strings.Cut(strings.TrimSpace(w), ": ")
			want = append(want, fmt.Sprintf("%d %s: %s", i+1, path, text))
		}
	}
	return want
}

// checkProblems parses src and checks that it reports exactly the problems
// its "# want" comments name: the same number, each on its line and path.
func checkProblems(t *testing.T, filename, src string) {
	t.Helper()
	cfg, err := Parse(filename, []byte(src))
	want := wantProblems(src)
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("want no problems, got:\n%v", err)
		}
		if cfg == nil {
			t.Fatal("no problems and no config")
		}
		return
	}
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want %d problems, got err = %v", len(want), err)
	}
	if cfg != nil {
		t.Error("a config was returned with problems")
	}
	matched := make([]bool, len(ps))
	for _, w := range want {
		found := false
		for i, p := range ps {
			line, path, text := splitWant(w)
			if !matched[i] && p.Line == line && p.Path == path && strings.Contains(p.Message, text) {
				matched[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("missing problem: line %s", w)
		}
	}
	for i, p := range ps {
		if !matched[i] {
			t.Errorf("unexpected problem: %s", p)
		}
		if p.File != filename {
			t.Errorf("problem %q: File = %q, want %q", p, p.File, filename)
		}
	}
}

func splitWant(w string) (line int, path, text string) {
	head, text, _ := strings.Cut(w, ": ")
	n, path, _ := strings.Cut(head, " ")
	line, _ = strconv.Atoi(n) // "0" or no number: a problem with no line
	return line, path, text
}

func TestParseProblems(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{"valid minimal", `
userPools:
  - id: P
`},
		{"valid seed", seedYAML},
		{"empty file", `# want : the file is empty`},
		{"syntax error", `
userPools:
  - id: [a, b # want : invalid YAML
`},
		{"duplicate key", `
region: us-east-1
region: us-west-2 # want : invalid YAML: mapping key "region" already defined
`},
		{"two documents", `
userPools: []
---
userPools: [] # want : the file holds 2 YAML documents
`},
		{"not a mapping", `
- id: P # want : want a mapping, got a list
`},
		{"unknown fields everywhere", `
regoin: us-east-1 # want regoin: unknown field "regoin" (did you mean "region"?)
userPools:
  - id: P
    deletionProtection: true # want userPools[0].deletionProtection: unknown field
    resourceServers:
      - identifier: rs
        extra: 1 # want userPools[0].resourceServers[0].extra: unknown field
        scopes:
          - scopeName: read
            scopeDescription: Read
            scope: x # want userPools[0].resourceServers[0].scopes[0].scope: unknown field "scope"
    clients:
      - id: C
        generateSecret: true
        callbackUrls: [https://example.com] # want userPools[0].clients[0].callbackUrls: unknown field
        authFlows: {userSrp: false, adminUserSrp: false} # want userPools[0].clients[0].authFlows.adminUserSrp: unknown field
        oAuth:
          flows: {clientCredentials: true, refresh: true} # want userPools[0].clients[0].oAuth.flows.refresh: unknown field
          scopes: [rs/read]
          callbackUrls: [] # want userPools[0].clients[0].oAuth.callbackUrls: unknown field
    domains:
      - id: D
        cognitoDomain: {domainPrefix: p, x: 1} # want userPools[0].domains[0].cognitoDomain.x: unknown field
        managedLoginVersion: 2 # want userPools[0].domains[0].managedLoginVersion: unknown field
      - id: E
        customDomain:
          domainName: auth.example.com
          certificate: {certificateArn: arn} # want userPools[0].domains[1].customDomain.certificate.certificateArn: unknown field # want userPools[0].domains[1].customDomain.certificate.certFile: certFile is required # want userPools[0].domains[1].customDomain.certificate.keyFile: keyFile is required
`},
		{"wrong types", `
region: 1 # want region: invalid region "1"
userPools:
  - id: P
    userPoolName: [a] # want userPools[0].userPoolName: want a string, got a list
    resourceServers: rs # want userPools[0].resourceServers: want a list, got the string "rs"
    clients:
      - id: C
        generateSecret: "yes" # want userPools[0].clients[0].generateSecret: want true or false, got the string "yes"
        oAuth: [] # want userPools[0].clients[0].oAuth: want a mapping, got a list
        accessTokenValidity: 60 # want userPools[0].clients[0].accessTokenValidity: invalid duration "60"
        idTokenValidity: true # want userPools[0].clients[0].idTokenValidity: want a duration like 60m or 5d, got true
      - just a string # want userPools[0].clients[1]: want a mapping, got the string "just a string"
      - # want userPools[0].clients[2]: empty list item
    domains:
      - id: D
        cognitoDomain: p # want userPools[0].domains[0].cognitoDomain: want a mapping
`[1:]},
		{"missing required fields", `
userPools:
  - userPoolName: Named # want userPools[0].id: id is required
    resourceServers:
      - scopes: # want userPools[0].resourceServers[0].identifier: identifier is required
          - scopeDescription: no name # want userPools[0].resourceServers[0].scopes[0].scopeName: scopeName is required
          - scopeName: nodesc # want userPools[0].resourceServers[0].scopes[1].scopeDescription: scopeDescription is required
    clients:
      - userPoolClientName: Nameless # want userPools[0].clients[0].id: id is required
    domains:
      - cognitoDomain: {domainPrefix: p} # want userPools[0].domains[0].id: id is required
      - id: Neither # want userPools[0].domains[1]: want cognitoDomain or customDomain
      - id: NoPrefix
        cognitoDomain: {} # want userPools[0].domains[2].cognitoDomain.domainPrefix: domainPrefix is required # want userPools[0].domains[2].cognitoDomain: a pool has at most one cognitoDomain; another is at userPools[0].domains[0]
      - id: NoName
        customDomain: # want userPools[0].domains[3].customDomain.domainName: domainName is required
`},
		{"duplicates", `
userPools:
  - id: P
    userPoolName: Shared
    resourceServers:
      - id: RS
        identifier: rs
        scopes:
          - {scopeName: read, scopeDescription: Read}
          - {scopeName: read, scopeDescription: Again} # want userPools[0].resourceServers[0].scopes[1].scopeName: scope name "read" is already used at userPools[0].resourceServers[0].scopes[0].scopeName (line 8)
      - id: RS # want userPools[0].resourceServers[1].id: resource server id "RS" is already used
        identifier: rs # want userPools[0].resourceServers[1].identifier: resource server identifier "rs" is already used
    clients:
      - id: C
        generateSecret: true
        oAuth:
          flows: {clientCredentials: true}
          scopes: [rs/read, rs/read] # want userPools[0].clients[0].oAuth.scopes[1]: scope "rs/read" is already used
      - id: C # want userPools[0].clients[1].id: client id "C" is already used # want userPools[0].clients[1].userPoolClientName: client name "C" is already used
      - id: D
        userPoolClientName: C # want userPools[0].clients[2].userPoolClientName: client name "C" is already used
    domains:
      - id: Dom
        cognitoDomain: {domainPrefix: shared}
      - id: Dom # want userPools[0].domains[1].id: domain id "Dom" is already used
        customDomain: {domainName: auth.example.com}
  - id: P # want userPools[1].id: pool id "P" is already used
    userPoolName: Shared # want userPools[1].userPoolName: user pool name "Shared" is already used
    domains:
      - id: Dom
        cognitoDomain: {domainPrefix: shared} # want userPools[1].domains[0].cognitoDomain.domainPrefix: domain prefix "shared" is already used
      - id: Custom
        customDomain: {domainName: auth.example.com} # want userPools[1].domains[1].customDomain.domainName: domain "auth.example.com" is already used
  - id: Q
  - id: R
    userPoolName: Q # want userPools[3].userPoolName: user pool name "Q" is already used
`},
		{"client rules", `
userPools:
  - id: P
    resourceServers:
      - identifier: https://api.example.com/v1 # want userPools[0].resourceServers[0].userPoolResourceServerName: userPoolResourceServerName is required
        scopes: [{scopeName: read, scopeDescription: Read}]
    clients:
      - id: NoSecret
        oAuth:
          flows: {clientCredentials: true} # want userPools[0].clients[0].oAuth.flows.clientCredentials: client_credentials flow can not be selected if client does not have a client secret
          scopes: [https://api.example.com/v1/read]
      - id: ScopesNoFlow
        generateSecret: true
        oAuth:
          scopes: [https://api.example.com/v1/read] # want userPools[0].clients[1].oAuth.scopes: scopes are listed but no flow is enabled
      - id: FlowNoScopes
        generateSecret: true
        oAuth:
          flows: {clientCredentials: true} # want userPools[0].clients[2].oAuth.scopes: AllowedOAuthFlows and AllowedOAuthScopes are required
      - id: UserFlows
        generateSecret: true
        authFlows:
          userSrp: true # want userPools[0].clients[3].authFlows.userSrp: Tollgate serves no user sign-in flows
          userPassword: true # want userPools[0].clients[3].authFlows.userPassword: Tollgate serves no user sign-in flows
          adminUserPassword: true # want userPools[0].clients[3].authFlows.adminUserPassword: Tollgate serves no user sign-in flows
          user: true # want userPools[0].clients[3].authFlows.user: Tollgate serves no user sign-in flows
          custom: true # want userPools[0].clients[3].authFlows.custom: Tollgate serves no user sign-in flows
        oAuth:
          flows:
            authorizationCodeGrant: true # want userPools[0].clients[3].oAuth.flows.authorizationCodeGrant: not supported
            implicitCodeGrant: true # want userPools[0].clients[3].oAuth.flows.implicitCodeGrant: not supported
          scopes: [https://api.example.com/v1/read]
      - id: BadScopes
        generateSecret: true
        oAuth:
          flows: {clientCredentials: true}
          scopes:
            - openid # want userPools[0].clients[4].oAuth.scopes[0]: scope "openid" is not a custom scope
            - /read # want userPools[0].clients[4].oAuth.scopes[1]: malformed scope "/read"
            - https://api.example.com/v1/ # want userPools[0].clients[4].oAuth.scopes[2]: malformed scope
            - other/read # want userPools[0].clients[4].oAuth.scopes[3]: no resource server has identifier "other"
            - https://api.example.com/v1/write # want userPools[0].clients[4].oAuth.scopes[4]: resource server "https://api.example.com/v1" has no scope "write"
            - https://api.example.com/v1/read
`},
		{"validity bounds", `
userPools:
  - id: P
    clients:
      - id: Short
        accessTokenValidity: 4m # want userPools[0].clients[0].accessTokenValidity: access token validity must be between 5 minutes and
        idTokenValidity: 299s # want userPools[0].clients[0].idTokenValidity: ID token validity must be between 5 minutes and
        refreshTokenValidity: 59m # want userPools[0].clients[0].refreshTokenValidity: got 59 minutes
      - id: Long
        accessTokenValidity: 2d # want userPools[0].clients[1].accessTokenValidity: got 2 days
        idTokenValidity: 1441m # want userPools[0].clients[1].idTokenValidity: got 1441 minutes
        refreshTokenValidity: 3651d # want userPools[0].clients[1].refreshTokenValidity: got 3651 days
      - id: LongerThanRefresh
        accessTokenValidity: 2h # want userPools[0].clients[2].accessTokenValidity: must not be longer than the refresh token validity (60 minutes)
        idTokenValidity: 1h
        refreshTokenValidity: 60m
      - id: Edges
        accessTokenValidity: 1d
        idTokenValidity: 5m
        refreshTokenValidity: 3650d
      - id: Garbage
        accessTokenValidity: soon # want userPools[0].clients[4].accessTokenValidity: invalid duration "soon"
        idTokenValidity: 0m # want userPools[0].clients[4].idTokenValidity: must be positive
        refreshTokenValidity: -1d # want userPools[0].clients[4].refreshTokenValidity: must be positive
`},
		{"regions", `
region: moon-base-1 # want region: invalid region "moon-base-1"
userPools:
  - id: P
    region: US-EAST-1 # want userPools[0].region: invalid region "US-EAST-1"
  - id: Q
    region: eu-west-3
`},
		{"names and identifiers", `
userPools:
  - id: a/b # want userPools[0].id: invalid id "a/b"
    userPoolName: "semi;colon" # want userPools[0].userPoolName: invalid name "semi;colon"
    resourceServers:
      - identifier: "has space" # want userPools[0].resourceServers[0].identifier: invalid identifier "has space"
        userPoolResourceServerName: Spaced
      - identifier: 'quo"te' # want userPools[0].resourceServers[1].identifier: invalid identifier
        userPoolResourceServerName: Quoted
      - identifier: back\slash # want userPools[0].resourceServers[2].identifier: invalid identifier
        userPoolResourceServerName: Backslashed
      - id: -dash # want userPools[0].resourceServers[3].id: invalid id "-dash"
        identifier: ok
        scopes:
          - {scopeName: a/b, scopeDescription: Slash} # want userPools[0].resourceServers[3].scopes[0].scopeName: invalid scope name "a/b"
          - {scopeName: "x y", scopeDescription: Space} # want userPools[0].resourceServers[3].scopes[1].scopeName: invalid scope name
          - {scopeName: 'a\b', scopeDescription: Backslash} # want userPools[0].resourceServers[3].scopes[2].scopeName: invalid scope name
          - {scopeName: "ok", scopeDescription: "` + strings.Repeat("d", 257) + `"} # want userPools[0].resourceServers[3].scopes[3].scopeDescription: longer than 256
      - identifier: ` + strings.Repeat("i", 257) + ` # want userPools[0].resourceServers[4].identifier: invalid identifier
        userPoolResourceServerName: Long
      - identifier: long-name
        userPoolResourceServerName: ` + strings.Repeat("n", 257) + ` # want userPools[0].resourceServers[5].userPoolResourceServerName: name is longer than 256
    clients:
      - id: C
        userPoolClientName: ` + strings.Repeat("n", 129) + ` # want userPools[0].clients[0].userPoolClientName: name is longer than 128
`},
		{"domain prefixes", `
userPools:
  - id: P1
    domains:
      - {id: D, cognitoDomain: {domainPrefix: Upper}} # want userPools[0].domains[0].cognitoDomain.domainPrefix: invalid domain prefix "Upper"
  - id: P2
    domains:
      - {id: D, cognitoDomain: {domainPrefix: -lead}} # want userPools[1].domains[0].cognitoDomain.domainPrefix: not starting or ending with a hyphen
  - id: P3
    domains:
      - {id: D, cognitoDomain: {domainPrefix: trail-}} # want userPools[2].domains[0].cognitoDomain.domainPrefix: invalid domain prefix
  - id: P4
    domains:
      - {id: D, cognitoDomain: {domainPrefix: ` + strings.Repeat("a", 64) + `}} # want userPools[3].domains[0].cognitoDomain.domainPrefix: invalid domain prefix
  - id: P5
    domains:
      - {id: D, cognitoDomain: {domainPrefix: my-amazon-auth}} # want userPools[4].domains[0].cognitoDomain.domainPrefix: must not contain "amazon"
  - id: P6
    domains:
      - {id: D, cognitoDomain: {domainPrefix: cognito-auth}} # want userPools[5].domains[0].cognitoDomain.domainPrefix: must not contain "cognito"
  - id: P7
    domains:
      - {id: D, cognitoDomain: {domainPrefix: under_score}} # want userPools[6].domains[0].cognitoDomain.domainPrefix: invalid domain prefix
      - {id: E, cognitoDomain: {domainPrefix: second}} # want userPools[6].domains[1].cognitoDomain: a pool has at most one cognitoDomain
  - id: P8
    domains:
      - {id: D, cognitoDomain: {domainPrefix: ` + strings.Repeat("a", 63) + `}}
      - id: Both
        cognitoDomain: {domainPrefix: both}
        customDomain: {domainName: both.example.com} # want userPools[7].domains[1].customDomain: cognitoDomain and customDomain exclude each other
`},
		{"custom domains", `
userPools:
  - id: P1
    domains:
      - {id: D, customDomain: {domainName: Auth.Example.com}} # want userPools[0].domains[0].customDomain.domainName: write it in lower case
  - id: P2
    domains:
      - {id: D, customDomain: {domainName: localhost}} # want userPools[1].domains[0].customDomain.domainName: want a fully qualified host name
  - id: P3
    domains:
      - {id: D, customDomain: {domainName: auth.example.com.}} # want userPools[2].domains[0].customDomain.domainName: without the trailing dot
  - id: P4
    domains:
      - {id: D, customDomain: {domainName: 10.0.0.1}} # want userPools[3].domains[0].customDomain.domainName: not an IP address
  - id: P5
    domains:
      - {id: D, customDomain: {domainName: auth..example.com}} # want userPools[4].domains[0].customDomain.domainName: label ""
  - id: P6
    domains:
      - {id: D, customDomain: {domainName: "auth_x.example.com"}} # want userPools[5].domains[0].customDomain.domainName: label "auth_x"
      - {id: E, customDomain: {domainName: b.example.com}} # want userPools[5].domains[1].customDomain: a pool has at most one customDomain
  - id: P7
    domains:
      - {id: D, customDomain: {domainName: ` + strings.Repeat("a", 64) + `.example.com}} # want userPools[6].domains[0].customDomain.domainName: want 1 to 63
      - {id: E, cognitoDomain: {domainPrefix: p7}}
`},
		{"tags and aliases", `
userPools:
  - id: !Ref Name # want userPools[0].id: unsupported YAML tag !Ref
    clients:
      - id: !!str 2024
        userPoolClientName: *nowhere # want userPools[0].clients[0].userPoolClientName: alias *nowhere refers to no anchor
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkProblems(t, "test.yaml", strings.TrimPrefix(tc.src, "\n"))
		})
	}
}

const seedYAML = `
region: us-east-1
userPools:
  - id: UserPool
    resourceServers:
      - id: ResourceServer
        identifier: default
        userPoolResourceServerName: Custom default resource server
        scopes:
          - scopeName: default
            scopeDescription: Custom default scope
    clients:
      - id: ThirdPartyAppClient
        userPoolClientName: ThirdPartyClientName
        generateSecret: true
        authFlows: {userSrp: false, userPassword: false, adminUserPassword: false, user: false, custom: false}
        oAuth:
          flows: {clientCredentials: true}
          scopes: [default/default]
        refreshTokenValidity: 5d
    domains:
      - id: UserPoolDomain
        cognitoDomain: {domainPrefix: tollgate-seed}
`

// seedGatewayYAML is the rest of the seed article's stack: the proxy Lambda
// and the REST API in front of it. Its code directory is relative to the
// seed example.
const seedGatewayYAML = `
functions:
  - id: ProxyLambda
    runtime: nodejs22.x
    handler: index.handler
    code: app
    timeout: 10s
restApis:
  - id: NewRestApi
    endpointTypes: [REGIONAL]
    authorizers:
      - id: Authorizer
        cognitoUserPools: [UserPool]
    resources:
      - path: /{proxy+}
        methods:
          - httpMethod: ANY
            authorizer: Authorizer
            authorizationScopes: [default/default]
            integration: {type: AWS_PROXY, function: ProxyLambda}
`

// TestParseProblemFormat checks the text of Problems.Error, one problem a
// line, sorted by position.
func TestParseProblemFormat(t *testing.T) {
	_, err := Parse("dir/tollgate.yaml", []byte("userPools:\n  - id: P\n    clients:\n      - id: C\n        oAuth:\n          scopes: [x/y]\n"))
	want := strings.Join([]string{
		`dir/tollgate.yaml:6:19: userPools[0].clients[0].oAuth.scopes: AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows: scopes are listed but no flow is enabled (set oAuth.flows.clientCredentials: true)`,
		`dir/tollgate.yaml:6:20: userPools[0].clients[0].oAuth.scopes[0]: scope "x/y" names no resource server of this pool: no resource server has identifier "x"`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 2 || ps[0].Column != 19 {
		t.Errorf("Problems = %#v", ps)
	}
}

func TestProblemString(t *testing.T) {
	for _, tc := range []struct {
		p    Problem
		want string
	}{
		{Problem{File: "f.yaml", Line: 3, Column: 5, Path: "region", Message: "bad"}, "f.yaml:3:5: region: bad"},
		{Problem{File: "f.yaml", Message: "cannot open the file"}, "f.yaml: cannot open the file"},
		{Problem{Path: "userPools[0].id", Message: "id is required"}, "userPools[0].id: id is required"},
		{Problem{File: "f.yaml", Line: 1, Message: "x"}, "f.yaml:1: x"},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

// TestParsePositions checks columns too, and that a missing field points
// at its parent mapping.
func TestParsePositions(t *testing.T) {
	src := "userPools:\n  - userPoolName: X\n    clients:\n      - {generateSecret: true}\n"
	_, err := Parse("t.yaml", []byte(src))
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, fmt.Sprintf("%d:%d %s", p.Line, p.Column, p.Path))
	}
	want := []string{"2:5 userPools[0].id", "4:9 userPools[0].clients[0].id"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("positions (-want +got):\n%s", diff)
	}
}

func TestParseDefaults(t *testing.T) {
	cfg, err := Parse("seed.yaml", []byte(seedYAML))
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		File:   "seed.yaml",
		Name:   "seed", // the file's name
		Region: "us-east-1",
		UserPools: []UserPool{{
			ID: "UserPool", UserPoolName: "UserPool", Region: "us-east-1",
			ResourceServers: []ResourceServer{{
				ID: "ResourceServer", Identifier: "default", UserPoolResourceServerName: "Custom default resource server",
				Scopes: []Scope{{ScopeName: "default", ScopeDescription: "Custom default scope"}},
			}},
			Clients: []Client{{
				ID: "ThirdPartyAppClient", UserPoolClientName: "ThirdPartyClientName", GenerateSecret: true,
				OAuth:                OAuth{Flows: OAuthFlows{ClientCredentials: true}, Scopes: []string{"default/default"}},
				AccessTokenValidity:  tollgate.Validity{Value: 60, Unit: tollgate.Minutes},
				IDTokenValidity:      tollgate.Validity{Value: 60, Unit: tollgate.Minutes},
				RefreshTokenValidity: tollgate.Validity{Value: 5, Unit: tollgate.Days},
			}},
			Domains: []Domain{{ID: "UserPoolDomain", CognitoDomain: &CognitoDomain{DomainPrefix: "tollgate-seed"}}},
		}},
	}
	if diff := cmp.Diff(want, cfg); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}

	cfg, err = Parse("t.yaml", []byte("region: eu-west-1\nuserPools:\n  - id: A\n    resourceServers: [{identifier: api}]\n    clients: [{id: C}]\n  - id: B\n    region: ap-south-1\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, b := cfg.UserPools[0], cfg.UserPools[1]
	if a.Region != "eu-west-1" || b.Region != "ap-south-1" || a.UserPoolName != "A" {
		t.Errorf("pool defaults: %+v %+v", a, b)
	}
	if rs := a.ResourceServers[0]; rs.ID != "api" || rs.UserPoolResourceServerName != "api" {
		t.Errorf("resource server defaults: %+v", rs)
	}
	if c := a.Clients[0]; c.UserPoolClientName != "C" || c.RefreshTokenValidity != tollgate.DefaultRefreshTokenValidity || c.AccessTokenValidity != tollgate.DefaultAccessTokenValidity {
		t.Errorf("client defaults: %+v", c)
	}
	cfg, err = Parse("t.yaml", []byte("userPools: []\n"))
	if err != nil || cfg.Region != DefaultRegion {
		t.Errorf("region default: %v, %v", cfg, err)
	}
}

func TestParseMergeKeys(t *testing.T) {
	src := `
userPools:
  - id: P
    resourceServers:
      - identifier: api
        scopes: [{scopeName: read, scopeDescription: Read}]
    clients:
      - &m2m
        id: A
        generateSecret: true
        oAuth: {flows: {clientCredentials: true}, scopes: [api/read]}
        accessTokenValidity: 15m
      - <<: *m2m
        id: B
`
	cfg, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	b := cfg.UserPools[0].Clients[1]
	if b.ID != "B" || !b.GenerateSecret || b.AccessTokenValidity != (tollgate.Validity{Value: 15, Unit: tollgate.Minutes}) || len(b.OAuth.Scopes) != 1 {
		t.Errorf("merged client = %+v", b)
	}
}

// TestParseHostileInput checks that self-referencing merges and alias bombs
// end with a problem rather than running away.
func TestParseHostileInput(t *testing.T) {
	// 100 pools of 100 clients of 50 scopes: 500,000 values from 2 KB.
	bomb := "s: &s [" + strings.TrimSuffix(strings.Repeat("a/b, ", 50), ", ") + "]\n" +
		"c: &c {id: C, oAuth: {scopes: *s}}\n" +
		"p: &p {id: P, clients: [" + strings.TrimSuffix(strings.Repeat("*c, ", 100), ", ") + "]}\n" +
		"userPools: [" + strings.TrimSuffix(strings.Repeat("*p, ", 100), ", ") + "]\n"
	for _, tc := range []struct{ src, want string }{
		{"userPools:\n  - &p\n    <<: *p\n    id: P\n", "merge keys nest too deeply"},
		{"userPools:\n  - id: P\n    clients:\n      - &c\n        <<: [*c, *c]\n        id: C\n", "merge keys nest too deeply"},
		{bomb, "the document is too large"},
	} {
		_, err := Parse("t.yaml", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%.40q…) = %v, want a problem %q", tc.src, err, tc.want)
		}
	}
}

func TestParseTooLarge(t *testing.T) {
	_, err := Parse("big.yaml", make([]byte, MaxFileSize+1))
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 1 || !strings.Contains(ps[0].Message, "larger than") {
		t.Errorf("err = %v", err)
	}
}

func TestParseManyProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("userPools:\n")
	for i := range maxProblems + 10 {
		fmt.Fprintf(&b, "  - {id: P%d, bad: 1}\n", i)
	}
	_, err := Parse("t.yaml", []byte(b.String()))
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != maxProblems+1 || !strings.Contains(ps[maxProblems].Message, "too many problems") {
		t.Errorf("got %d problems, last %v", len(ps), ps[len(ps)-1])
	}
}

func TestParseLimits(t *testing.T) {
	scopes := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "{scopeName: s%d, scopeDescription: d}, ", i)
		}
		return strings.TrimSuffix(b.String(), ", ")
	}
	var servers strings.Builder
	for i := range 26 {
		fmt.Fprintf(&servers, "      - {identifier: rs%d}\n", i)
	}
	var clientScopes []string
	for i := range 51 {
		clientScopes = append(clientScopes, fmt.Sprintf("api/s%d", i))
	}
	src := "userPools:\n" +
		"  - id: P\n" +
		"    resourceServers:\n" +
		"      - {identifier: api, scopes: [" + scopes(101) + "]} # want userPools[0].resourceServers[0].scopes: at most 100 scopes, got 101\n" +
		"    clients:\n" +
		"      - {id: C, generateSecret: true, oAuth: {flows: {clientCredentials: true}, scopes: [" + strings.Join(clientScopes, ", ") + "]}} # want userPools[0].clients[0].oAuth.scopes: at most 50 scopes, got 51\n" +
		"  - id: Q\n" +
		"    resourceServers: # want userPools[1].resourceServers: at most 25 resource servers, got 26\n" +
		servers.String()
	checkProblems(t, "t.yaml", src)
}

func TestParseCertificates(t *testing.T) {
	dir := t.TempDir()
	writeCert(t, filepath.Join(dir, "certs"), "auth", "auth.example.com")
	writeCert(t, filepath.Join(dir, "certs"), "other", "other.example.com")
	if err := os.WriteFile(filepath.Join(dir, "certs", "garbage.pem"), []byte("not PEM"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := `
userPools:
  - id: Good
    domains:
      - id: D
        customDomain:
          domainName: auth.example.com
          certificate: {certFile: certs/auth.pem, keyFile: certs/auth-key.pem}
  - id: Missing
    domains:
      - id: D
        customDomain:
          domainName: missing.example.com
          certificate:
            certFile: certs/nope.pem # want userPools[1].domains[0].customDomain.certificate.certFile: certs/nope.pem: no such file
            keyFile: certs # want userPools[1].domains[0].customDomain.certificate.keyFile: is not a regular file
  - id: Mismatch
    domains:
      - id: D
        customDomain:
          domainName: auth2.example.com
          certificate: # want userPools[2].domains[0].customDomain.certificate: are not a certificate and its private key
            certFile: certs/auth.pem
            keyFile: certs/other-key.pem
  - id: Garbage
    domains:
      - id: D
        customDomain:
          domainName: garbage.example.com
          certificate: # want userPools[3].domains[0].customDomain.certificate: are not a certificate and its private key
            certFile: certs/garbage.pem
            keyFile: certs/auth-key.pem
  - id: WrongHost
    domains:
      - id: D
        customDomain:
          domainName: wrong.example.com
          certificate:
            certFile: certs/other.pem # want userPools[4].domains[0].customDomain.certificate.certFile: does not cover wrong.example.com
            keyFile: certs/other-key.pem
`
	file := filepath.Join(dir, "tollgate.yaml")
	checkProblems(t, file, strings.TrimPrefix(src, "\n"))

	cfg, err := Parse(file, []byte(strings.Join(strings.Split(src, "\n")[:9], "\n")))
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.UserPools[0].Domains[0].CustomDomain.Certificate
	if c.CertFile != filepath.Join(dir, "certs", "auth.pem") || c.KeyFile != filepath.Join(dir, "certs", "auth-key.pem") {
		t.Errorf("certificate paths not made absolute: %+v", c)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("Validate after Parse: %v", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tollgate.yaml")
	if err := os.WriteFile(path, []byte(seedYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil || cfg.File != path || len(cfg.UserPools) != 1 {
		t.Fatalf("Load = %+v, %v", cfg, err)
	}
	_, err = Load(filepath.Join(dir, "missing.yaml"))
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 1 || !strings.Contains(ps[0].String(), "missing.yaml: cannot open the file") {
		t.Errorf("Load(missing) = %v", err)
	}
}

func TestValidate(t *testing.T) {
	cfg := &Config{UserPools: []UserPool{{ID: "P", Clients: []Client{{ID: "C", OAuth: OAuth{Scopes: []string{"a/b"}}}}}}}
	err := cfg.Validate()
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 2 {
		t.Fatalf("Validate = %v", err)
	}
	if ps[0].Path != "userPools[0].clients[0].oAuth.scopes" || ps[0].Line != 0 {
		t.Errorf("problem = %+v", ps[0])
	}
	cfg = &Config{UserPools: []UserPool{{ID: "P", Clients: []Client{{ID: "C"}}}}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.Region != DefaultRegion || cfg.UserPools[0].Clients[0].AccessTokenValidity != tollgate.DefaultAccessTokenValidity {
		t.Errorf("defaults not filled: %+v", cfg)
	}
}
