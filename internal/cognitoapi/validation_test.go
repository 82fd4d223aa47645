package cognitoapi

import (
	"errors"
	"strings"
	"testing"
)

func strp(x string) *string { return &x }
func intp(x int) *int       { return &x }

// validationCases are the validator's answers, checked against AWS's
// recorded answers; each row names its source. Where AWS's answers differ
// among themselves (the order of violations), the row says which Tollgate
// follows.
var validationCases = []struct {
	name string
	run  func(v *validation)
	want string // the InvalidParameterException's message; "" for none
}{
	{"nothing wrong", func(v *validation) {
		v.required("userPoolId", strp("us-east-1_abc123"), userPoolIDType)
		v.requiredInt("maxResults", intp(60), poolQueryLimitType)
		v.list("explicitAuthFlows", []string{"ALLOW_REFRESH_TOKEN_AUTH"}, explicitAuthFlowsListType)
	}, ""},
	// Cognito's answer to a call without ClientId, as projects' notes
	// quote it: "1 validation error detected: Value null at 'clientId'
	// failed to satisfy constraint: Member must not be null".
	{"required member absent", func(v *validation) {
		v.required("clientId", nil, clientIDType)
	}, "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null"},
	{"optional member absent", func(v *validation) {
		v.optional("clientSecret", nil, clientSecretType)
		v.optionalInt("maxResults", nil, queryLimit)
		v.list("allowedOAuthScopes", nil, scopeListType)
	}, ""},
	// aws/aws-sdk-js#3344 (ListGroups with a leading space in the id).
	{"pattern", func(v *validation) {
		v.required("userPoolId", strp(" ap-northeast-1_xxx"), userPoolIDType)
	}, `1 validation error detected: Value ' ap-northeast-1_xxx' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+`},
	// Both constraints of one member, length first: Cognito's InitiateAuth
	// with ClientId "" in 2024 and 2025 captures ("2 validation errors
	// detected: Value '' at 'clientId' failed to satisfy constraint: Member
	// must have length greater than or equal to 1; Value '' at 'clientId'
	// failed to satisfy constraint: Member must satisfy regular expression
	// pattern: [\w+]+"); older captures list the pattern first.
	{"length and pattern of one member", func(v *validation) {
		v.required("clientId", strp(""), clientIDType)
	}, `2 validation errors detected: Value '' at 'clientId' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '' at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+]+`},
	// A sensitive member's value is not shown, and the count prefix and
	// "; " join every violation: Cognito's SignUp answer in
	// amazon-archives/amazon-cognito-identity-js#388 ("4 validation errors
	// detected: Value at 'password' failed to satisfy constraint: Member
	// must have length greater than or equal to 6; Value at 'password' …").
	{"sensitive member", func(v *validation) {
		v.optional("clientSecret", strp("short!"), clientSecretType)
	}, `2 validation errors detected: Value at 'clientSecret' failed to satisfy constraint: Member must have length greater than or equal to 24; Value at 'clientSecret' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+]+`},
	// aws/aws-cli#5843 (ListResourceServers: "Value '0' at 'maxResults'
	// failed to satisfy constraint: Member must have value greater than or
	// equal to 1"); boto/boto3#1356 ("Value '100' at 'limit' failed to
	// satisfy constraint: Member must have value less than or equal to 60").
	{"integer below", func(v *validation) {
		v.optionalInt("maxResults", intp(0), listResourceServersLimitType)
	}, "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
	{"integer above", func(v *validation) {
		v.requiredInt("maxResults", intp(100), poolQueryLimitType)
	}, "1 validation error detected: Value '100' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60"},
	// The example: every violation of the request at once.
	{"several members", func(v *validation) {
		v.required("userPoolId", strp("us-east-1_abc"), userPoolIDType)
		v.required("clientName", strp("x/y"), clientNameType)
		v.optionalInt("accessTokenValidity", intp(0), accessTokenValidityType)
	}, `2 validation errors detected: Value 'x/y' at 'clientName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+; Value '0' at 'accessTokenValidity' failed to satisfy constraint: Member must have value greater than or equal to 1`},
	// The enum form, as AWS's JSON services answer it (DynamoDB
	// CreateTable: "Value '' at 'billingMode' failed to satisfy
	// constraint: Member must satisfy enum value set: [PROVISIONED,
	// PAY_PER_REQUEST]"); no Cognito answer for TimeUnitsType is recorded.
	{"enum", func(v *validation) {
		v.optional("tokenValidityUnits.accessToken", strp("weeks"), timeUnitsType)
	}, "1 validation error detected: Value 'weeks' at 'tokenValidityUnits.accessToken' failed to satisfy constraint: Member must satisfy enum value set: [seconds, minutes, hours, days]"},
	// A list's members are reported once, with the whole list and every
	// constraint of its member shape: aws/aws-cdk#31795 ("Map value must
	// satisfy constraint: [Member must have length less than or equal to
	// 128, Member must have length greater than or equal to 1, Member must
	// satisfy regular expression pattern: …]"); LocalStack's Lambda
	// provider for an enum list ("Value '[…]' at 'architectures' failed to
	// satisfy constraint: Member must satisfy constraint: [Member must
	// satisfy enum value set: [x86_64, arm64], …]").
	{"enum list", func(v *validation) {
		v.list("allowedOAuthFlows", []string{"client_credentials", "password"}, oAuthFlowsType)
	}, "1 validation error detected: Value '[client_credentials, password]' at 'allowedOAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [implicit, client_credentials, code]]"},
	{"string list", func(v *validation) {
		v.list("allowedOAuthScopes", []string{"api/read", "bad scope"}, scopeListType)
	}, `1 validation error detected: Value '[api/read, bad scope]' at 'allowedOAuthScopes' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\x21\x23-\x5B\x5D-\x7E]+]`},
	{"list too long, members fine", func(v *validation) {
		v.list("allowedOAuthFlows", []string{"code", "code", "code", "code"}, oAuthFlowsType)
	}, "1 validation error detected: Value '[code, code, code, code]' at 'allowedOAuthFlows' failed to satisfy constraint: Member must have length less than or equal to 3"},
}

func TestValidation(t *testing.T) {
	for _, tt := range validationCases {
		t.Run(tt.name, func(t *testing.T) {
			var v validation
			tt.run(&v)
			err := v.err()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want none", err)
				}
				return
			}
			var ae *apiError
			if !errors.As(err, &ae) || ae.Type != typeInvalidParameter || ae.Status != 400 || ae.Message != tt.want {
				t.Errorf("got %v\nwant InvalidParameterException: %s", err, tt.want)
			}
		})
	}
}

// TestPatternsMatchWholeValues checks that a model's pattern is matched
// against the whole value, as AWS matches it, not found in it.
func TestPatternsMatchWholeValues(t *testing.T) {
	for _, tt := range []struct {
		shape strShape
		value string
		ok    bool
	}{
		{userPoolIDType, "us-east-1_abc", true},
		{userPoolIDType, "x us-east-1_abc", false},
		{clientIDType, "abc+def", true},
		{clientIDType, "abc-def", false},
		{paginationKey, "a b", false},
		{resourceServerScopeNameType, "read", true},
		{resourceServerScopeNameType, "read/write", false},
		{arnType, "arn:aws:acm:us-east-1:123456789012:certificate/abc", true},
		{arnType, "not an arn at all, but long", false},
	} {
		failed := tt.shape.failed(tt.value)
		if (len(failed) == 0) != tt.ok {
			t.Errorf("%q against %s: failed %v, want ok=%v", tt.value, tt.shape.pattern.text, failed, tt.ok)
		}
	}
}

// TestPrintable checks that a caller's value is bounded and cannot break
// the message.
func TestPrintable(t *testing.T) {
	long := strings.Repeat("é", 300)
	if got := printable(long); got != strings.Repeat("é", 256)+"…" {
		t.Errorf("printable of 300 runes: %d runes", len([]rune(got)))
	}
	if got := printable("a\nb\x7f"); got != "a?b?" {
		t.Errorf("printable of control characters: %q", got)
	}
}
