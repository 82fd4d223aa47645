package cognitoapi

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDecodeNamesAPromotedMemberAsSent checks that a type error in a member
// a request embeds (clientRef's UserPoolId) names the member as the caller
// sent it, as it does for a member the request declares itself.
func TestDecodeNamesAPromotedMemberAsSent(t *testing.T) {
	var flat struct {
		UserPoolID *string `json:"UserPoolId"`
		ClientID   *string `json:"ClientId"`
	}
	var embedded struct {
		clientRef
		NextToken *string
	}
	for _, in := range []string{`{"UserPoolId": 5}`, `{"ClientId": true}`} {
		want, got := decode([]byte(in), &flat), decode([]byte(in), &embedded)
		var wantErr, gotErr *apiError
		if !errors.As(want, &wantErr) || !errors.As(got, &gotErr) {
			t.Fatalf("%s: errors %v and %v; want API errors", in, want, got)
		}
		if gotErr.Message != wantErr.Message || gotErr.Type != wantErr.Type {
			t.Errorf("%s: embedded request answers %s %q; want %s %q", in, gotErr.Type, gotErr.Message, wantErr.Type, wantErr.Message)
		}
	}
}

// TestDecodeMatchesExactNames: in AWS's JSON 1.1 protocol a structure's
// members are serialized under their exact member names (Smithy's
// awsJson1_1 protocol page,
// https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html, which
// ignores even jsonName); a member the shape does not have is ignored, as
// this API already did (U: case-insensitive matching observed nowhere on
// AWS; reproduced by review on Tollgate only). So a member whose name
// differs from a field's only by case sets nothing, at any depth, in an
// embedded reference, a nested structure, a list or a map. Here the
// UpdateUserPool request: {"lambdaconfig": …} is no LambdaConfig, and the
// update clears the pool's triggers as one without LambdaConfig does.
func TestDecodeMatchesExactNames(t *testing.T) {
	const arn = "arn:aws:lambda:us-east-1:000000000000:function:Fn"
	type request struct {
		poolRef
		poolSettings
	}
	type nested struct {
		List []preTokenGenerationConfig
		Map  map[string]preTokenGenerationConfig
		Raw  json.RawMessage `json:"raw"`
	}
	cases := []struct {
		name string
		in   string
		want request
	}{
		{"exact names", `{"UserPoolId":"p","LambdaConfig":{"PreTokenGenerationConfig":{"LambdaArn":"` + arn + `","LambdaVersion":"V3_0"}}}`,
			request{poolRef{ptr("p")}, poolSettings{LambdaConfig: &lambdaConfig{PreTokenGenerationConfig: &preTokenGenerationConfig{LambdaArn: ptr(arn), LambdaVersion: ptr("V3_0")}}}}},
		{"lower case", `{"userpoolid":"p","lambdaconfig":{"pretokengenerationconfig":{"lambdaarn":"` + arn + `"}}}`, request{}},
		{"case variant of an embedded member", `{"userPoolId":"p","USERPOOLID":"q"}`, request{}},
		{"case variant nested", `{"UserPoolId":"p","LambdaConfig":{"preTokenGenerationConfig":{"LambdaArn":"` + arn + `"},"PreTokenGenerationConfig":{"lambdaArn":"x","LambdaVersion":"V3_0"}}}`,
			request{poolRef{ptr("p")}, poolSettings{LambdaConfig: &lambdaConfig{PreTokenGenerationConfig: &preTokenGenerationConfig{LambdaVersion: ptr("V3_0")}}}}},
		{"a case variant after the exact name does not override it", `{"UserPoolId":"p","userPoolId":"q","MfaConfiguration":"OFF","mfaconfiguration":"ON"}`,
			request{poolRef{ptr("p")}, poolSettings{MfaConfiguration: ptr("OFF")}}},
		{"unknown members", `{"UserPoolId":"p","Unknown":{"a":[1]},"AutoVerifiedAttributes":["email"]}`, request{poolRef: poolRef{ptr("p")}}},
	}
	for _, c := range cases {
		var got request
		if err := decode([]byte(c.in), &got); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if diff := cmp.Diff(c.want, got, cmp.AllowUnexported(request{}, poolRef{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}

	// Lists and maps of structures, and a member that decodes itself.
	var n nested
	in := `{"List":[{"LambdaArn":"a","lambdaVersion":"V3_0"}],"Map":{"k":{"LAMBDAARN":"b","LambdaVersion":"V3_0"}},"raw":{"lambdaarn":"kept"},"RAW":1}`
	if err := decode([]byte(in), &n); err != nil {
		t.Fatal(err)
	}
	want := nested{
		List: []preTokenGenerationConfig{{LambdaArn: ptr("a")}},
		Map:  map[string]preTokenGenerationConfig{"k": {LambdaVersion: ptr("V3_0")}},
		Raw:  json.RawMessage(`{"lambdaarn":"kept"}`),
	}
	if diff := cmp.Diff(want, n); diff != "" {
		t.Errorf("nested (-want +got):\n%s", diff)
	}

	// What is not valid JSON, or not of the shape, is refused as before.
	for _, in := range []string{`{"UserPoolId":"p"`, `{"UserPoolId":"p"} x`, `{"UserPoolId":5}`, `[]`} {
		var r request
		if err := decode([]byte(in), &r); err == nil {
			t.Errorf("%s: decoded", in)
		}
	}
}

func ptr(s string) *string { return &s }
