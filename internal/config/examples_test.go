package config

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// examplePaths returns every examples/*/tollgate.yaml in the module.
func examplePaths(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "..", "examples", "*", "tollgate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no examples found")
	}
	return paths
}

// TestExamples keeps the examples users copy valid.
func TestExamples(t *testing.T) {
	for _, path := range examplePaths(t) {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			cfg, err := Load(path)
			if err != nil {
				t.Fatalf("%s:\n%v", path, err)
			}
			if len(cfg.UserPools) == 0 {
				t.Errorf("%s declares no user pool", path)
			}
		})
	}
}

// TestSeedExample checks that the seed example is the article's stack,
// API and function included.
func TestSeedExample(t *testing.T) {
	path := filepath.Join("..", "..", "examples", "seed", "tollgate.yaml")
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Parse(path, []byte(seedYAML+seedGatewayYAML))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("seed example (-article +example):\n%s", diff)
	}

	// What the article's CDK code says, checked field by field.
	fn := got.Functions[0]
	if fn.ID != "ProxyLambda" || fn.Runtime != "nodejs22.x" || fn.Handler != "index.handler" || fn.Timeout != 10*time.Second {
		t.Errorf("function = %+v", fn)
	}
	if fi, err := os.Stat(filepath.Join(fn.Code, "index.mjs")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("the function's handler module: %v", err)
	}
	api := got.RestAPIs[0]
	if api.ID != "NewRestApi" || api.DeployOptions.StageName != "prod" || len(api.Authorizers) != 1 || len(api.Resources) != 1 {
		t.Fatalf("API = %+v", api)
	}
	if au := api.Authorizers[0]; au.ID != "Authorizer" || !slices.Equal(au.CognitoUserPools, []string{"UserPool"}) {
		t.Errorf("authorizer = %+v", au)
	}
	res := api.Resources[0]
	if res.Path != "/{proxy+}" || len(res.Methods) != 1 {
		t.Fatalf("resource = %+v", res)
	}
	m := res.Methods[0]
	if m.HTTPMethod != "ANY" || m.Authorizer != "Authorizer" || !slices.Equal(m.AuthorizationScopes, []string{"default/default"}) ||
		m.Integration.Type != IntegrationAWSProxy || m.Integration.Function != "ProxyLambda" {
		t.Errorf("method = %+v, integration %+v", m, m.Integration)
	}
}
