package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateRefusesWhatServeRefuses: `tollgate validate` and `tollgate
// serve` hold a config and a template to one gate, so an input serve
// refuses is refused by validate with the same problems, line for line.
func TestValidateRefusesWhatServeRefuses(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "tollgate.yaml")
	writeFile(t, cfg, `restApis:
  - id: Api
    deployOptions:
      stageName: prod.1
    resources:
      - path: /pets/{id}
        methods:
          - httpMethod: GET
            integration: {type: HTTP_PROXY, uri: "http://127.0.0.1:9/{proxy}"}
      - path: /pets/{name}/toys
        methods:
          - {httpMethod: get, integration: {type: MOCK}}
`)
	tmpl := filepath.Join(dir, "stack.json")
	writeFile(t, tmpl, `{
  "Resources": {
    "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "a"}},
    "Pets": {"Type": "AWS::ApiGateway::Resource",
      "Properties": {"RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "pets"}},
    "Get": {"Type": "AWS::ApiGateway::Method",
      "Properties": {"RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": "Pets"}, "HttpMethod": "get", "AuthorizationType": "NONE",
        "Integration": {"Type": "HTTP_PROXY", "Uri": "http://127.0.0.1:9/{id}"}}},
    "Deployment": {"Type": "AWS::ApiGateway::Deployment", "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "prod.1"}}
  }
}
`)
	for _, tc := range []struct {
		name          string
		validate, run []string
		want          []string
	}{
		{"config", []string{"validate", cfg}, []string{"serve", "--config", cfg},
			[]string{`invalid stage name "prod.1"`, "placeholder {proxy} is not a path parameter of /pets/{id}", "conflicts with its sibling {id}", `invalid httpMethod "get"`}},
		{"template", []string{"validate", tmpl}, []string{"serve", "--template", tmpl},
			[]string{`invalid stage name "prod.1"`, `invalid httpMethod "get"`, "placeholder {id} is not a path parameter of /pets"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, vErr, vCode := run(t, nil, tc.validate...)
			_, sErr, sCode := run(t, nil, append(tc.run, "--data", t.TempDir(), "--listen", "127.0.0.1:0")...)
			if vCode != 2 || sCode != 2 {
				t.Fatalf("validate exit %d, serve exit %d, want 2 and 2\nvalidate:\n%s\nserve:\n%s", vCode, sCode, vErr, sErr)
			}
			if vErr != sErr {
				t.Errorf("validate and serve disagree\nvalidate:\n%s\nserve:\n%s", vErr, sErr)
			}
			for _, w := range tc.want {
				if !strings.Contains(vErr, w) {
					t.Errorf("problems lack %q:\n%s", w, vErr)
				}
			}
		})
	}
}
