package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateTemplate: `tollgate validate` checks a cdk.out or a
// CloudFormation template as serve checks it before it starts, without a
// store or a listener: the committed cdk.out is ok, a broken template's
// problems are reported with file:line and exit 2.
func TestValidateTemplate(t *testing.T) {
	for _, args := range [][]string{{"validate", cdkOut}, {"validate", "--template", cdkOut}} {
		stdout, stderr, code := run(t, nil, args...)
		if code != 0 || !strings.Contains(stdout, cdkOut+": ok") {
			t.Fatalf("%v: exit %d\n%s%s", args, code, stdout, stderr)
		}
	}
	bad := filepath.Join(t.TempDir(), "stack.json")
	writeFile(t, bad, `{
  "Resources": {
    "Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {"UserPoolName": "p"}},
    "Client": {
      "Type": "AWS::Cognito::UserPoolClient",
      "Properties": {"UserPoolId": {"Ref": "Nowhere"}, "GenerateSecret": true}
    },
    "Queue": {"Type": "AWS::SQS::Queue"}
  }
}
`)
	stdout, stderr, code := run(t, nil, "validate", bad)
	if code != 2 || strings.Contains(stdout, "ok") {
		t.Fatalf("broken template: exit %d, want 2\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{bad + ":6:", bad + ":8:", "Nowhere", "AWS::SQS::Queue"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("problems lack %q:\n%s", want, stderr)
		}
	}
	if _, _, code := run(t, nil, "validate"); code != 2 {
		t.Errorf("validate with nothing to check: exit %d, want 2", code)
	}
}
