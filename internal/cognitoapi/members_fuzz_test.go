package cognitoapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzExactMembers: whatever valid JSON a caller sends, the filter does not
// panic, returns valid JSON, and filtering again changes nothing.
func FuzzExactMembers(f *testing.F) {
	for _, s := range []string{
		`{"UserPoolId":"p","LambdaConfig":{"PreTokenGenerationConfig":{"LambdaArn":"a","LambdaVersion":"V3_0"}}}`,
		`{"userpoolid":"p","lambdaconfig":{"pretokengenerationconfig":{}}}`, `{"LambdaConfig":[]}`, `[]`, `null`, `"x"`,
		`{"UserPoolId":"p","UserPoolId":"q","userPoolId":"r"}`, `{"LambdaConfig":{"CustomSMSSender":{"a":{"b":1}}}}`,
	} {
		f.Add([]byte(s))
	}
	typ := reflect.TypeOf(&struct {
		poolRef
		poolSettings
	}{})
	f.Fuzz(func(t *testing.T, in []byte) {
		if !json.Valid(in) {
			return
		}
		out, err := exactMembers(in, typ)
		if err != nil {
			t.Fatalf("valid JSON %q: %v", in, err)
		}
		if !json.Valid(out) {
			t.Fatalf("%q filtered to invalid JSON %q", in, out)
		}
		again, err := exactMembers(out, typ)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("%q filtered again: %q, %v; want %q", in, again, err, out)
		}
	})
}
