package cognitoapi

import (
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

// FuzzLambdaConfig feeds a CreateUserPool body's LambdaConfig arbitrary
// bytes: decoding, validation and the spec never panic, and a request that
// passes them names a trigger with both members, or none.
func FuzzLambdaConfig(f *testing.F) {
	for _, s := range []string{
		`{"LambdaConfig":{"PreTokenGenerationConfig":{"LambdaArn":"arn:aws:lambda:eu-west-1:000000000000:function:F","LambdaVersion":"V3_0"}}}`,
		`{"LambdaConfig":{"PreTokenGeneration":"arn:aws:lambda:eu-west-1:000000000000:function:F"}}`,
		`{"LambdaConfig":{"PreTokenGenerationConfig":{}}}`,
		`{"LambdaConfig":{"PreTokenGenerationConfig":null,"CustomSMSSender":{"LambdaArn":1},"KMSKeyID":""}}`,
		`{"LambdaConfig":{"PreSignUp":"arn:aws:lambda:eu-west-1:000000000000:function:F","InboundFederation":[]}}`,
		`{"LambdaConfig":null}`,
		`{"LambdaConfig":{"PreTokenGenerationConfig":{"LambdaArn":"arn:\u0000:x::1:y","LambdaVersion":"V3_0\u2028"}}}`,
		`{"LambdaConfig":"x"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req struct{ poolSettings }
		if err := readRequest(body, &req, req.check); err != nil {
			return
		}
		spec, err := req.spec()
		if err != nil {
			return
		}
		if g := spec.PreTokenGeneration; g != nil && (g.LambdaARN == "" || g.LambdaVersion == "") {
			t.Fatalf("a valid request gave the trigger %+v", g)
		}
		if g := spec.PreTokenGeneration; g != nil && domain.CheckTrigger(g) == nil {
			if _, ok := tollgate.FunctionNameFromARN(g.LambdaARN); !ok {
				t.Fatalf("CheckTrigger passed %q, which names no function", g.LambdaARN)
			}
		}
	})
}
