package config

import (
	"regexp"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/parser"

	"github.com/tollgate/tollgate/internal/apigw"
)

// TestExternalIssuersARNsParse: each pool ARN the externalIssuers message
// suggests is one cognitoUserPools accepts, even for an issuer whose
// region is not its pool id's.
func TestExternalIssuersARNsParse(t *testing.T) {
	f, err := parser.ParseBytes([]byte(`[{issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"}, {issuer: "https://cognito-idp.us-east-1.amazonaws.com/eu-west-1_x"}]`), 0)
	if err != nil {
		t.Fatal(err)
	}
	msg := externalIssuersRemoved(f.Docs[0].Body)
	arns := regexp.MustCompile(`arn:aws:cognito-idp:\S+`).FindAllString(msg, -1)
	if len(arns) != 2 {
		t.Fatalf("want 2 ARNs in %q", msg)
	}
	for _, arn := range arns {
		arn = strings.TrimRight(arn, ",")
		arn = strings.ReplaceAll(arn, "{account}", "123456789012")
		if _, problem := apigw.ParseCognitoPoolARN(arn); problem != "" {
			t.Errorf("suggested ARN %s is refused: %s", arn, problem)
		}
	}
}
