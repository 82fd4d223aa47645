package gateway_test

import (
	"encoding/json"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway"
)

// FuzzParseHTTPAuthorizerOutput: any bytes an HTTP API's Lambda authorizer
// may answer, read as a simple response and as an IAM policy of either
// payload format version. Parsing never panics; a simple answer has no
// policy, an IAM answer one; a 1.0 context never holds "claims"; a
// context re-encodes as JSON (it reaches the integration as it is).
func FuzzParseHTTPAuthorizerOutput(f *testing.F) {
	for _, s := range []string{
		// http-api-lambda-authorizer.html's examples (format 2.0 simple,
		// with "arrayKey" and "mapKey"; format 1.0 and 2.0 IAM).
		`{"isAuthorized":true,"context":{"exampleKey":"exampleValue"}}`,
		`{"isAuthorized":false,"context":{"stringKey":"value","numberKey":1,"booleanKey":true,"arrayKey":["value1","value2"],"mapKey":{"value1":"value2"}}}`,
		`{"principalId":"abcdef","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/GET/request"}]},"context":{"exampleKey":"exampleValue"}}`,
		`{"principalId":"p","policyDocument":{"Statement":[]},"context":{"claims":{"sub":"x"}}}`,
		`{"isAuthorized":"true"}`, `{"isAuthorized":null}`, `{"isAuthorized":1}`,
		`null`, `{}`, `[]`, `{"isAuthorized":`, "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		if out, err := gateway.ParseSimpleAuthorizerOutput(payload); err == nil {
			if !out.Simple || out.Policy != nil {
				t.Fatalf("simple answer %+v", out)
			}
			mustEncode(t, out.Context)
		}
		for _, version := range []string{"1.0", "2.0"} {
			out, err := gateway.ParseHTTPAuthorizerOutput(payload, version)
			if err != nil {
				continue
			}
			if out.Simple || out.Policy == nil {
				t.Fatalf("%s: IAM answer %+v", version, out)
			}
			if _, ok := out.Context["claims"]; ok && version == "1.0" {
				t.Fatal("1.0 context with claims")
			}
			mustEncode(t, out.Context)
		}
	})
}

func mustEncode(t *testing.T, ctx map[string]any) {
	t.Helper()
	if _, err := json.Marshal(ctx); err != nil {
		t.Fatalf("context does not encode: %v", err)
	}
}
