package gateway_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tollgate/tollgate/internal/gateway"
)

// FuzzParseAuthorizerOutput: any bytes a function may answer. Parsing
// never panics; a parsed answer has a policy, context values of the
// allowed types only, and evaluates every ARN the same way twice.
func FuzzParseAuthorizerOutput(f *testing.F) {
	seeds := []string{
		// OUTPUT's example; aws-lambda-go events/testdata/apigw-custom-auth-response.json
		// (its Effect "Allow|Deny" is a placeholder, refused).
		`{"principalId":"yyyyyyyy","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow|Deny","Resource":"arn:aws:execute-api:{regionId}:{accountId}:{appId}/{stage}/{httpVerb}/[{resource}/[child-resources]]"}]},"context":{"stringKey":"value","numberKey":"1","booleanKey":"true"},"usageIdentifierKey":"{api-key}"}`,
		`{"principalId":"yyyyyyyy","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/"}]},"context":{"stringKey":"value","numberKey":1,"booleanKey":true,"n":null},"usageIdentifierKey":"k"}`,
		// aws-lambda-go's response type marshalled with defaults.
		`{"principalId":"","policyDocument":{"Version":"","Statement":[{"Action":["execute-api:Invoke"],"Effect":"Deny","Resource":["*"]}]}}`,
		// §1.3's real run (DefinitelyTyped PR #69823).
		`{"principalId":"my-username","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]},"context":{"str":"hello","bool":true,"null":null,"num":123}}`,
		`{"principalId":"u","policyDocument":{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:*:*:*/prod/?ET/*"}}}`,
		`{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Deny","Action":"execute-api:*","Resource":["a${*}b${?}c","*/admin/*"]},{"Effect":"Allow","Action":"EXECUTE-API:Inv*","Resource":"*"}]}}`,
		`{"principalId":"u","policyDocument":{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*","Condition":null}]}}`,
		`{"principalId":"u","policyDocument":{"Statement":[]},"context":{"o":{"k":[1]}}}`,
		`null`, `{}`, `[]`, `{"principalId":`, "",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	arns := []string{
		gateway.MethodARN("us-west-2", "123456789012", "ymy8tbxw7b", "prod", "GET", "/"),
		gateway.MethodARN("us-west-2", "123456789012", "ymy8tbxw7b", "prod", "GET", "/pets/6"),
		gateway.MethodARN("us-east-1", "000000000000", "abcdefghij", "dev", "DELETE", "/admin/x/é"),
		"", "*", "?", "arn:aws:execute-api:\xff\xfe",
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := gateway.ParseAuthorizerOutput(payload)
		if err != nil {
			if out != nil {
				t.Fatal("output with an error")
			}
			return
		}
		if out.Policy == nil {
			t.Fatal("parsed without a policy")
		}
		for k, v := range out.Context {
			switch v.(type) {
			case string, json.Number, bool, nil:
			default:
				t.Fatalf("context[%q] is a %T", k, v)
			}
		}
		for _, arn := range arns {
			if a, b := out.Policy.Evaluate(arn), out.Policy.Evaluate(arn); a != b {
				t.Fatalf("Evaluate(%q) gave %v then %v", arn, a, b)
			}
		}
	})
}

// FuzzPolicyResourceMatch checks the matcher against a reference: the
// Resource pattern as a regular expression ('*' is (?s:.*), '?' one
// character, every other character itself), the meaning IAMRES gives
// the wildcards. An Allow with that Resource allows exactly the ARNs the
// expression matches whole.
func FuzzPolicyResourceMatch(f *testing.F) {
	f.Add("arn:aws:execute-api:*:*:*/prod/GET/*", "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/prod/GET/pets/6")
	f.Add("*a*a*a*b", "aaaaaaaaaaaaaaaab")
	f.Add("a?*?b", "a\xffxb")
	f.Add("*??", "é")
	f.Add("?*é*?", "xéé")
	f.Add("a*b?c*", "abbcabxc")
	f.Add("*/GET/?", "x/GET/\xe2\x82")
	f.Fuzz(func(t *testing.T, pattern, arn string) {
		if pattern == "" || !utf8.ValidString(pattern) || strings.ContainsRune(pattern, utf8.RuneError) || utf8.RuneCountInString(pattern) > 512 || len(arn) > gateway.MaxMethodARNBytes {
			return
		}
		resource, err := json.Marshal(pattern)
		if err != nil {
			t.Fatal(err) // a string always marshals
		}
		payload := `{"principalId":"u","policyDocument":{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":` +
			string(resource) + `}]}}`
		out, err := gateway.ParseAuthorizerOutput([]byte(payload))
		if err != nil {
			t.Fatalf("pattern %q refused: %v", pattern, err)
		}
		got := out.Policy.Evaluate(arn) == gateway.PolicyAllow
		if want := referenceMatch(pattern, arn); got != want {
			t.Fatalf("pattern %q, ARN %q: matched %v, want %v", pattern, arn, got, want)
		}
	})
}

func referenceMatch(pattern, s string) bool {
	var b strings.Builder
	b.WriteString(`^(?s:`)
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`)$`)
	return regexp.MustCompile(b.String()).MatchString(s)
}
