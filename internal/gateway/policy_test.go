package gateway_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway"
)

// Sources cited below (shorthands of shared/contracts/apigw-beyond.md):
//
//	OUTPUT  https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
//	IAMRES  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
//	IAMACT  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
//	IAMEFF  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html
//	IAMVAR  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
//	KC      https://aws.amazon.com/premiumsupport/knowledge-center/api-gateway-lambda-authorization-errors/

// The method ARN of the output page's example API (OUTPUT; §1.2).
const (
	arnPrefix = "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/"
	getPet    = arnPrefix + "prod/GET/pets/6"
)

// output builds an authorizer answer with the given statements.
func output(statements ...string) []byte {
	return []byte(`{"principalId":"user","policyDocument":{"Version":"2012-10-17","Statement":[` +
		strings.Join(statements, ",") + `]}}`)
}

// stmt builds one statement; action and resource are JSON values.
func stmt(effect, action, resource string) string {
	return `{"Effect":"` + effect + `","Action":` + action + `,"Resource":` + resource + `}`
}

func q(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func mustParse(t testing.TB, payload []byte) *gateway.AuthorizerOutput {
	t.Helper()
	out, err := gateway.ParseAuthorizerOutput(payload)
	if err != nil {
		t.Fatalf("ParseAuthorizerOutput(%s): %v", payload, err)
	}
	return out
}

// TestPolicyEvaluate: IAM's wildcard matching of Resource against the
// method ARN (IAMRES: '*' any run of characters, '?' one; case-sensitive),
// Deny over Allow over implicit deny (OUTPUT; KC), and which Actions make
// a statement apply (IAMACT).
func TestPolicyEvaluate(t *testing.T) {
	const invoke = `"execute-api:Invoke"`
	allow := func(resource string) string { return stmt("Allow", invoke, q(resource)) }
	deny := func(resource string) string { return stmt("Deny", invoke, q(resource)) }
	tests := []struct {
		name       string
		statements []string
		arn        string
		want       gateway.PolicyDecision
	}{
		{"exact ARN", []string{allow(getPet)}, getPet, gateway.PolicyAllow},
		// KC: a policy naming only the first request's ARN denies other
		// paths (the caching trap, §1.4).
		{"exact ARN, other path", []string{allow(getPet)}, arnPrefix + "prod/GET/pets/7", gateway.PolicyImplicitDeny},
		{"exact ARN, longer path", []string{allow(getPet)}, getPet + "/toys", gateway.PolicyImplicitDeny},
		{"exact ARN, shorter path", []string{allow(getPet)}, arnPrefix + "prod/GET/pets/", gateway.PolicyImplicitDeny},
		{"star alone", []string{allow("*")}, getPet, gateway.PolicyAllow},
		// KC's remedy for the caching trap: a wildcard resource.
		{"every API, stage and method of the account", []string{allow("arn:aws:execute-api:us-west-2:123456789012:*/*")}, getPet, gateway.PolicyAllow},
		{"region, account and API wildcards", []string{allow("arn:aws:execute-api:*:*:*/prod/GET/*")}, getPet, gateway.PolicyAllow},
		{"region, account and API wildcards, other method", []string{allow("arn:aws:execute-api:*:*:*/prod/GET/*")}, arnPrefix + "prod/POST/pets/6", gateway.PolicyImplicitDeny},
		{"region, account and API wildcards, other stage", []string{allow("arn:aws:execute-api:*:*:*/prod/GET/*")}, arnPrefix + "dev/GET/pets/6", gateway.PolicyImplicitDeny},
		// IAMRES: '*' spans ':' and '/'.
		{"star spans colons", []string{allow("arn:aws:execute-api:*")}, getPet, gateway.PolicyAllow},
		{"star spans slashes", []string{allow(arnPrefix + "prod/GET/pets/*/toys")}, arnPrefix + "prod/GET/pets/6/a/b/toys", gateway.PolicyAllow},
		{"star in the middle", []string{allow(arnPrefix + "prod/GET/pets/*/toys")}, arnPrefix + "prod/GET/pets/6/toys", gateway.PolicyAllow},
		{"star in the middle, other tail", []string{allow(arnPrefix + "prod/GET/pets/*/toys")}, arnPrefix + "prod/GET/pets/6/toys/1", gateway.PolicyImplicitDeny},
		{"star matches nothing", []string{allow(arnPrefix + "prod/GET/*")}, arnPrefix + "prod/GET/", gateway.PolicyAllow},
		{"question mark, one character", []string{allow(arnPrefix + "prod/GET/pets/?")}, getPet, gateway.PolicyAllow},
		{"question mark, not two", []string{allow(arnPrefix + "prod/GET/pets/?")}, getPet + "6", gateway.PolicyImplicitDeny},
		{"question mark, not none", []string{allow(arnPrefix + "prod/GET/pets/?")}, arnPrefix + "prod/GET/pets/", gateway.PolicyImplicitDeny},
		{"question mark, one multibyte character", []string{allow(arnPrefix + "prod/GET/?")}, arnPrefix + "prod/GET/é", gateway.PolicyAllow},
		{"question marks after a star", []string{allow(arnPrefix + "*/GET/pets/??")}, getPet + "6", gateway.PolicyAllow},
		{"stage wildcard", []string{allow(arnPrefix + "*/GET/pets/6")}, getPet, gateway.PolicyAllow},
		{"method wildcard", []string{allow(arnPrefix + "prod/*/pets/6")}, arnPrefix + "prod/DELETE/pets/6", gateway.PolicyAllow},
		// §1.2: the root resource's ARN ends with the verb's slash.
		{"root path", []string{allow(arnPrefix + "prod/GET/")}, arnPrefix + "prod/GET/", gateway.PolicyAllow},
		{"root path, not a child", []string{allow(arnPrefix + "prod/GET/")}, getPet, gateway.PolicyImplicitDeny},
		{"case-sensitive method", []string{allow(arnPrefix + "prod/get/pets/6")}, getPet, gateway.PolicyImplicitDeny},
		{"case-sensitive path", []string{allow(arnPrefix + "prod/GET/Pets/6")}, getPet, gateway.PolicyImplicitDeny},
		{"Deny over Allow", []string{allow("*"), deny(getPet)}, getPet, gateway.PolicyExplicitDeny},
		{"Deny over Allow, Deny first", []string{deny(arnPrefix + "*/GET/*"), allow("*")}, getPet, gateway.PolicyExplicitDeny},
		{"Deny elsewhere, Allow here", []string{allow("*"), deny(arnPrefix + "prod/DELETE/*")}, getPet, gateway.PolicyAllow},
		{"Deny only", []string{deny("*")}, getPet, gateway.PolicyExplicitDeny},
		{"Deny only, not matching", []string{deny(arnPrefix + "prod/POST/*")}, getPet, gateway.PolicyImplicitDeny},
		{"Allow for another method", []string{allow(arnPrefix + "prod/POST/pets/6")}, getPet, gateway.PolicyImplicitDeny},
		{"no statements", nil, getPet, gateway.PolicyImplicitDeny},
		{"multiple statements, second allows", []string{allow(arnPrefix + "prod/POST/*"), allow(arnPrefix + "prod/GET/pets/*")}, getPet, gateway.PolicyAllow},
		{"Resource array", []string{stmt("Allow", invoke, `["`+arnPrefix+`prod/POST/*","`+getPet+`"]`)}, getPet, gateway.PolicyAllow},
		{"Resource array, none matching", []string{stmt("Allow", invoke, `["`+arnPrefix+`prod/POST/*","`+arnPrefix+`dev/*"]`)}, getPet, gateway.PolicyImplicitDeny},
		// IAMACT: action names and prefixes are case-insensitive and take
		// wildcards.
		{"Action execute-api:*", []string{stmt("Allow", `"execute-api:*"`, `"*"`)}, getPet, gateway.PolicyAllow},
		{"Action *", []string{stmt("Allow", `"*"`, `"*"`)}, getPet, gateway.PolicyAllow},
		{"Action array", []string{stmt("Allow", `["execute-api:ManageConnections","execute-api:Invoke"]`, `"*"`)}, getPet, gateway.PolicyAllow},
		{"Action in other case", []string{stmt("Allow", `"EXECUTE-API:invoke"`, `"*"`)}, getPet, gateway.PolicyAllow},
		{"Action with wildcards", []string{stmt("Allow", `"execute-api:Inv?k*"`, `"*"`)}, getPet, gateway.PolicyAllow},
		{"Action of another API", []string{stmt("Allow", `"execute-api:ManageConnections"`, `"*"`)}, getPet, gateway.PolicyImplicitDeny},
		{"Action of another service", []string{stmt("Allow", `"lambda:InvokeFunction"`, `"*"`)}, getPet, gateway.PolicyImplicitDeny},
		{"Deny of another Action does not deny", []string{allow("*"), stmt("Deny", `"execute-api:InvalidateCache"`, `"*"`)}, getPet, gateway.PolicyAllow},
		// IAMVAR: in a 2012-10-17 policy ${*} is a literal star.
		{"escaped star is literal", []string{allow(arnPrefix + "prod/GET/${*}")}, getPet, gateway.PolicyImplicitDeny},
		{"escaped star matches a star", []string{allow(arnPrefix + "prod/GET/${*}")}, arnPrefix + "prod/GET/*", gateway.PolicyAllow},
		{"escaped question mark is literal", []string{allow(arnPrefix + "prod/GET/pets/${?}")}, getPet, gateway.PolicyImplicitDeny},
		// OUTPUT: a method ARN is at most 1,600 bytes (a longer one is the
		// caller's 414); Evaluate never allows one.
		{"ARN over the limit", []string{allow("*")}, arnPrefix + "prod/GET/" + strings.Repeat("a", gateway.MaxMethodARNBytes), gateway.PolicyImplicitDeny},
		{"pathological stars", []string{allow(strings.Repeat("*a", 200) + "*b")}, arnPrefix + strings.Repeat("a", 1500), gateway.PolicyImplicitDeny},
		{"pathological question marks", []string{allow(strings.Repeat("*?a", 150) + "*b")}, arnPrefix + strings.Repeat("a", 1500), gateway.PolicyImplicitDeny},
		{"pathological stars, matching", []string{allow(strings.Repeat("*a", 200) + "*b")}, arnPrefix + strings.Repeat("a", 1500) + "b", gateway.PolicyAllow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := mustParse(t, output(tt.statements...))
			if got := out.Policy.Evaluate(tt.arn); got != tt.want {
				t.Errorf("Evaluate(%.120s) = %v, want %v", tt.arn, got, tt.want)
			}
		})
	}
}

// TestPolicyEvaluateVersion2008: without Version (IAM reads the 2008
// grammar) "${*}" is no escape: its star is a wildcard (IAMVAR).
func TestPolicyEvaluateVersion2008(t *testing.T) {
	payload := []byte(`{"principalId":"u","policyDocument":{"Statement":[` +
		stmt("Allow", `"execute-api:Invoke"`, q(arnPrefix+"prod/GET/${*}")) + `]}}`)
	out := mustParse(t, payload)
	if got := out.Policy.Evaluate(arnPrefix + "prod/GET/${pets/6}"); got != gateway.PolicyAllow {
		t.Errorf("Evaluate = %v, want allow", got)
	}
}

// TestParseAuthorizerOutputErrors: answers API Gateway cannot use, each
// answered 500 AuthorizerConfigurationException (§1.5), named for the
// behaviour it mirrors.
func TestParseAuthorizerOutputErrors(t *testing.T) {
	const okStmt = `{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}`
	withStmt := func(s string) string {
		return `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[` + s + `]}}`
	}
	withDoc := func(d string) string { return `{"principalId":"u","policyDocument":` + d + `}` }
	withCtx := func(c string) string {
		return `{"principalId":"u","policyDocument":{"Statement":[` + okStmt + `]},"context":` + c + `}`
	}
	tests := []struct{ name, payload, want string }{
		// ExpanseLLC/lambda_authorizer#1: a null result is "Could not
		// parse policy", AuthorizerConfigurationException.
		{"null result (Could not parse policy)", `null`, "not a JSON object"},
		{"not JSON", `{"principalId":`, "not a JSON object (syntax error at byte 15)"},
		{"array result", `[` + withDoc(`{}`) + `]`, "not a JSON object"},
		{"string result", `"Allow"`, "not a JSON object"},
		{"trailing data", withStmt(okStmt) + `{}`, "not a JSON object"},
		// OUTPUT: the output "must include the principal identifier
		// (principalId) and a policy document"; the use-authorizer page:
		// "If the Lambda function does not return that information, the
		// call fails."
		{"no principalId", `{"policyDocument":{"Statement":[` + okStmt + `]}}`, "no principalId"},
		{"null principalId", `{"principalId":null,"policyDocument":{"Statement":[` + okStmt + `]}}`, "no principalId"},
		{"number principalId", `{"principalId":7,"policyDocument":{"Statement":[` + okStmt + `]}}`, "principalId is not a string"},
		// serverless/examples#305: a proxy-style {statusCode, body}
		// answer (no policy) gave AuthorizerConfigurationException.
		{"proxy response instead of a policy", `{"principalId":"u","statusCode":401,"body":"Unauthorized"}`, "no policyDocument"},
		{"null policyDocument", withDoc(`null`), "no policyDocument"},
		{"policyDocument string", withDoc(`"Allow"`), "policyDocument is not an object"},
		{"blank policyDocument", withDoc(`{}`), "policyDocument has no Statement"},
		{"null Statement", withDoc(`{"Statement":null}`), "policyDocument has no Statement"},
		// aws/aws-lambda-java-libs#184: lower-case element names ("version",
		// "statement") were refused: "Unable to parse given policy".
		{"lower-case statement", withDoc(`{"Version":"2012-10-17","statement":[` + okStmt + `]}`), `element "statement"`},
		{"unknown Version", withDoc(`{"Version":"2012-10-18","Statement":[` + okStmt + `]}`), `Version "2012-10-18"`},
		{"Version number", withDoc(`{"Version":2012,"Statement":[` + okStmt + `]}`), "Version is not a string"},
		{"Statement string", withDoc(`{"Statement":"Allow"}`), "Statement is not an array or an object"},
		{"statement not an object", withStmt(`"Allow"`), "Statement[0] is not an object"},
		{"null statement", withStmt(`null`), "Statement[0] is not an object"},
		// IAMEFF: "The Effect value is case sensitive."
		{"lower-case Effect value", withStmt(`{"Effect":"allow","Action":"execute-api:Invoke","Resource":"*"}`), `Effect is not "Allow" or "Deny"`},
		{"aws-lambda-go's sample Effect", withStmt(`{"Effect":"Allow|Deny","Action":"execute-api:Invoke","Resource":"*"}`), `Effect is not`},
		{"no Effect", withStmt(`{"Action":"execute-api:Invoke","Resource":"*"}`), `Statement[0].Effect is not`},
		{"lower-case Effect element", withStmt(`{"effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}`), `element "effect"`},
		{"no Action", withStmt(`{"Effect":"Allow","Resource":"*"}`), "Action is missing"},
		{"empty Action array", withStmt(`{"Effect":"Allow","Action":[],"Resource":"*"}`), "Action is an empty array"},
		{"null in Action", withStmt(`{"Effect":"Allow","Action":[null],"Resource":"*"}`), "Action holds null"},
		{"empty Action", withStmt(`{"Effect":"Allow","Action":"","Resource":"*"}`), "Action holds an empty string"},
		{"number Action", withStmt(`{"Effect":"Allow","Action":1,"Resource":"*"}`), "Action is not a string or an array"},
		{"Action array of numbers", withStmt(`{"Effect":"Allow","Action":[1],"Resource":"*"}`), "Action is not an array of strings"},
		{"no Resource", withStmt(`{"Effect":"Allow","Action":"execute-api:Invoke"}`), "Resource is missing"},
		{"null Resource", withStmt(`{"Effect":"Allow","Action":"execute-api:Invoke","Resource":null}`), "Resource is not a string or an array"},
		{"empty Resource array", withStmt(`{"Effect":"Allow","Action":"execute-api:Invoke","Resource":[]}`), "Resource is an empty array"},
		// OUTPUT: "the Resource ARN … is currently limited to 512
		// characters long".
		{"Resource over 512 characters", withStmt(stmt("Allow", `"execute-api:Invoke"`, q(arnPrefix+strings.Repeat("x", 513-len(arnPrefix))))), "is 513 characters long, more than 512"},
		{"NotResource", withStmt(`{"Effect":"Allow","Action":"execute-api:Invoke","NotResource":"x"}`), "NotResource is not supported"},
		{"NotAction", withStmt(`{"Effect":"Allow","NotAction":"x","Resource":"*"}`), "NotAction is not supported"},
		// aws-lambda-rust-runtime#863 (fixed by #864): a statement with
		// "Condition": null gave AuthorizerConfigurationException.
		{"null Condition", withStmt(`{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*","Condition":null}`), "Condition is not supported"},
		{"Condition", withStmt(`{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`), "Condition is not supported"},
		{"Principal", withStmt(`{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"*"}`), "Principal is not supported"},
		{"Sid number", withStmt(`{"Sid":1,"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}`), "Sid is not a string"},
		// IAMVAR: nothing here resolves a policy variable.
		{"policy variable", withStmt(stmt("Allow", `"execute-api:Invoke"`, `"`+arnPrefix+`prod/GET/users/${aws:username}"`)), "policy variable"},
		// §1.3: object/array context values are 500
		// AuthorizerConfigurationException (serverless-offline PR #1376).
		{"object in context", withCtx(`{"a":"b","o":{"k":"v"}}`), `context value "o" is an object or array`},
		{"array in context", withCtx(`{"l":[1]}`), `context value "l" is an object or array`},
		{"context string", withCtx(`"a"`), "context is not an object"},
		{"context array", withCtx(`[]`), "context is not an object"},
		{"usageIdentifierKey number", `{"principalId":"u","policyDocument":{"Statement":[` + okStmt + `]},"usageIdentifierKey":1}`, "usageIdentifierKey is not a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := gateway.ParseAuthorizerOutput([]byte(tt.payload))
			if err == nil {
				t.Fatalf("parsed: %+v", out)
			}
			if !errors.Is(err, gateway.ErrAuthorizerOutput) {
				t.Errorf("error %v does not wrap ErrAuthorizerOutput", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to say %q", err, tt.want)
			}
		})
	}
}

// TestParseAuthorizerOutputAccepts: answers API Gateway takes.
func TestParseAuthorizerOutputAccepts(t *testing.T) {
	const okStmt = `{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}`
	tests := []struct{ name, payload string }{
		// OUTPUT's example (and aws-lambda-go's
		// events/testdata/apigw-custom-auth-response.json), with an Effect.
		{"output page example", `{"principalId":"yyyyyyyy","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/"}]},"context":{"stringKey":"value","numberKey":"1","booleanKey":"true"},"usageIdentifierKey":"{api-key}"}`},
		// aws-lambda-go's APIGatewayCustomAuthorizerResponse marshals
		// Action and Resource as arrays and Version "" when unset.
		{"aws-lambda-go shape", `{"principalId":"","policyDocument":{"Version":"","Statement":[{"Action":["execute-api:Invoke"],"Effect":"Deny","Resource":["*"]}]}}`},
		{"no Version (IAM's 2008 grammar)", `{"principalId":"u","policyDocument":{"Statement":[` + okStmt + `]}}`},
		{"Version 2008-10-17", `{"principalId":"u","policyDocument":{"Version":"2008-10-17","Statement":[` + okStmt + `]}}`},
		{"one Statement object (IAM grammar)", `{"principalId":"u","policyDocument":{"Statement":` + okStmt + `}}`},
		{"empty Statement array", `{"principalId":"u","policyDocument":{"Statement":[]}}`},
		{"Sid and Id", `{"principalId":"u","policyDocument":{"Id":"p","Statement":[{"Sid":"s1","Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}}`},
		{"null context and key", `{"principalId":"u","policyDocument":{"Statement":[` + okStmt + `]},"context":null,"usageIdentifierKey":null}`},
		{"unknown top-level member", `{"principalId":"u","policyDocument":{"Statement":[` + okStmt + `]},"isAuthorized":true}`},
		{"Resource of 512 characters", `{"principalId":"u","policyDocument":{"Statement":[` + stmt("Allow", `"execute-api:Invoke"`, q(arnPrefix+strings.Repeat("é", 512-len(arnPrefix)))) + `]}}`},
		{"escapes of 2012-10-17", `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[` + stmt("Allow", `"execute-api:Invoke"`, `"a${*}b${?}c${$}"`) + `]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := mustParse(t, []byte(tt.payload))
			if out.Policy == nil {
				t.Fatal("nil Policy")
			}
		})
	}
}

// TestParseAuthorizerOutputFields: what the parsed answer keeps, and the
// context values as API Gateway stringifies them for REST: the real run
// in DefinitelyTyped PR #69823 (§1.3) returned
// {"str":"hello","bool":true,"null":null,"num":123} and the proxy event's
// requestContext.authorizer held "hello", "true", null, "123".
func TestParseAuthorizerOutputFields(t *testing.T) {
	out := mustParse(t, []byte(`{"principalId":"my-username","policyDocument":{"Version":"2012-10-17","Statement":[`+
		`{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]},`+
		`"context":{"str":"hello","bool":true,"null":null,"num":123,"frac":1.50,"f":false},"usageIdentifierKey":"key-value"}`))
	if out.PrincipalID != "my-username" || out.UsageIdentifierKey != "key-value" {
		t.Errorf("principalId %q, usageIdentifierKey %q", out.PrincipalID, out.UsageIdentifierKey)
	}
	want := map[string]struct {
		s  string
		ok bool
	}{
		"str": {"hello", true}, "bool": {"true", true}, "null": {"", false}, "num": {"123", true},
		"frac": {"1.50", true}, "f": {"false", true},
	}
	if len(out.Context) != len(want) {
		t.Fatalf("context %v", out.Context)
	}
	for k, w := range want {
		v, present := out.Context[k]
		if !present {
			t.Errorf("context has no %q", k)
			continue
		}
		switch v.(type) {
		case string, json.Number, bool, nil:
		default:
			t.Errorf("context[%q] is a %T", k, v)
		}
		s, ok := gateway.StringifyContextValue(v)
		if s != w.s || ok != w.ok {
			t.Errorf("StringifyContextValue(%v) = %q, %v; want %q, %v", v, s, ok, w.s, w.ok)
		}
	}
	if _, ok := out.Context["num"].(json.Number); !ok {
		t.Errorf("number kept as %T, want json.Number", out.Context["num"])
	}
	if out.Policy.Evaluate(getPet) != gateway.PolicyAllow {
		t.Error("policy does not allow")
	}
	noCtx := mustParse(t, output(stmt("Allow", `"*"`, `"*"`)))
	if noCtx.Context != nil || noCtx.UsageIdentifierKey != "" {
		t.Errorf("answer without context: %v, %q", noCtx.Context, noCtx.UsageIdentifierKey)
	}
	for _, v := range []any{nil, 1, 1.5, map[string]any{}, []any{}} {
		if s, ok := gateway.StringifyContextValue(v); ok {
			t.Errorf("StringifyContextValue(%#v) = %q, true", v, s)
		}
	}
}

// TestPolicyPatternsBounded: a policy document holds at most 1,000
// Resources in all its statements together (Tollgate's bound: API Gateway
// documents none; each is matched against every request's methodArn);
// one more is AuthorizerConfigurationException, whatever the statements'
// Action.
func TestPolicyPatternsBounded(t *testing.T) {
	resources := func(n int) string {
		rs := make([]string, n)
		for i := range rs {
			rs[i] = q(arnPrefix + "prod/GET/r" + strconv.Itoa(i))
		}
		return strings.Join(rs, ",")
	}
	doc := func(stmts ...string) []byte {
		return []byte(`{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}}`)
	}
	if _, err := gateway.ParseAuthorizerOutput(doc(stmt("Allow", `"execute-api:Invoke"`, "["+resources(600)+"]"), stmt("Deny", `"s3:GetObject"`, "["+resources(400)+"]"))); err != nil {
		t.Errorf("1,000 Resources: %v", err)
	}
	_, err := gateway.ParseAuthorizerOutput(doc(stmt("Allow", `"execute-api:Invoke"`, "["+resources(600)+"]"), stmt("Deny", `"s3:GetObject"`, "["+resources(401)+"]")))
	if !errors.Is(err, gateway.ErrAuthorizerOutput) || !strings.Contains(err.Error(), "more than 1000 Resources") {
		t.Errorf("1,001 Resources: %v", err)
	}
}

// TestParseAuthorizerOutputErrorText: errors go to the log; they repeat
// at most a short, quoted part of the answer, never a Resource or a
// context value.
func TestParseAuthorizerOutputErrorText(t *testing.T) {
	secret := "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2VuLXRoYXQtbXVzdC1ub3QtbGVhaw.sig"
	tests := []struct{ name, payload string }{
		{"long key with object value", `{"principalId":"u","policyDocument":{"Statement":[]},"context":{"` +
			strings.Repeat("k", 40) + secret + `":{"v":"` + secret + `"}}}`},
		{"Resource over the limit", `{"principalId":"u","policyDocument":{"Statement":[` +
			stmt("Allow", `"*"`, q(arnPrefix+"prod/GET/"+strings.Repeat(secret, 10))) + `]}}`},
		{"unknown element", `{"principalId":"u","policyDocument":{"Statement":[{"` + strings.Repeat("k", 40) + secret + `":1}]}}`},
		{"unknown Version", `{"principalId":"u","policyDocument":{"Version":"` + strings.Repeat("v", 40) + secret + `","Statement":[]}}`},
		{"syntax error", `{"principalId":"` + secret + `",`},
		{"control characters", `{"principalId":"u","policyDocument":{"Version":"\u001b[31m\nforged log line","Statement":[]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := gateway.ParseAuthorizerOutput([]byte(tt.payload))
			if err == nil {
				t.Fatal("parsed")
			}
			msg := err.Error()
			if strings.Contains(msg, "c2VjcmV0") || len(msg) > 200 {
				t.Errorf("error text repeats too much: %q", msg)
			}
			if strings.ContainsAny(msg, "\n\x1b") {
				t.Errorf("error text has control characters: %q", msg)
			}
		})
	}
}

// TestMethodARN: the method ARN of §1.2 (OUTPUT's format; the proxy path
// and root forms of the contract).
func TestMethodARN(t *testing.T) {
	tests := []struct{ verb, path, want string }{
		{"GET", "/pets/6", "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/prod/GET/pets/6"},
		{"GET", "/", "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/prod/GET/"},
		{"GET", "", "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/prod/GET/"},
		{"POST", "/a/b/", "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/prod/POST/a/b/"},
	}
	for _, tt := range tests {
		if got := gateway.MethodARN("us-west-2", "123456789012", "ymy8tbxw7b", "prod", tt.verb, tt.path); got != tt.want {
			t.Errorf("MethodARN(%s, %q) = %q, want %q", tt.verb, tt.path, got, tt.want)
		}
	}
}

func TestPolicyDecisionString(t *testing.T) {
	for d, want := range map[gateway.PolicyDecision]string{
		gateway.PolicyAllow: "allow", gateway.PolicyExplicitDeny: "explicit deny", gateway.PolicyImplicitDeny: "implicit deny",
	} {
		if d.String() != want {
			t.Errorf("%d.String() = %q, want %q", d, d.String(), want)
		}
	}
	var nilPolicy *gateway.Policy
	if nilPolicy.Evaluate(getPet) != gateway.PolicyImplicitDeny {
		t.Error("a nil policy allows")
	}
}

// A typical policy: allow the API's GET methods on one stage, allow one
// POST, deny an admin subtree.
var benchPolicy = output(
	stmt("Allow", `"execute-api:Invoke"`, q(arnPrefix+"prod/GET/*")),
	stmt("Allow", `["execute-api:Invoke"]`, `["`+arnPrefix+`prod/POST/pets","`+arnPrefix+`prod/POST/orders/*"]`),
	stmt("Deny", `"execute-api:*"`, q(arnPrefix+"*/*/admin/*")),
)

func BenchmarkPolicyEvaluate(b *testing.B) {
	out := mustParse(b, benchPolicy)
	arns := []struct {
		name, arn string
		want      gateway.PolicyDecision
	}{
		{"allow", getPet, gateway.PolicyAllow},
		{"second statement", arnPrefix + "prod/POST/orders/12", gateway.PolicyAllow},
		{"explicit deny", arnPrefix + "prod/GET/admin/users", gateway.PolicyExplicitDeny},
		{"implicit deny", arnPrefix + "prod/DELETE/pets/6", gateway.PolicyImplicitDeny},
	}
	for _, a := range arns {
		b.Run(a.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if out.Policy.Evaluate(a.arn) != a.want {
					b.Fatal("wrong decision")
				}
			}
		})
	}
}

func BenchmarkParseAuthorizerOutput(b *testing.B) {
	payload := []byte(`{"principalId":"user|a1b2c3d4","policyDocument":{"Version":"2012-10-17","Statement":[` +
		stmt("Allow", `"execute-api:Invoke"`, q(arnPrefix+"prod/GET/*")) + `,` +
		stmt("Deny", `"execute-api:Invoke"`, q(arnPrefix+"*/*/admin/*")) +
		`]},"context":{"tenant":"a","level":3,"admin":false}}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if _, err := gateway.ParseAuthorizerOutput(payload); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPolicyEvaluateAllocations(t *testing.T) {
	out := mustParse(t, benchPolicy)
	allocs := testing.AllocsPerRun(100, func() {
		out.Policy.Evaluate(arnPrefix + "prod/GET/admin/users")
		out.Policy.Evaluate(getPet)
	})
	if allocs != 0 {
		t.Errorf("Evaluate allocates %v times", allocs)
	}
}
