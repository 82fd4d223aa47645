package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
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

// TestExamples keeps the examples users copy valid, as `tollgate dev`
// runs them: the keys it generates for clients declaring none
// (NeedsGeneratedKeys) are stood in for by fresh ones.
func TestExamples(t *testing.T) {
	for _, path := range examplePaths(t) {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			cfg, err := LoadWith(path, func(cfg *Config) error { return generateClientKeys(t, cfg) })
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

// TestHTTPAPIExample checks that the HTTP API example holds what it
// documents: CORS, a JWT authorizer on the pool and a SIMPLE Lambda
// authorizer, the four routes, the dev stage beside $default, and the
// functions' code beside it.
func TestHTTPAPIExample(t *testing.T) {
	path := filepath.Join("..", "..", "examples", "http-api", "tollgate.yaml")
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.HTTPAPIs) != 1 {
		t.Fatalf("httpApis: %d", len(cfg.HTTPAPIs))
	}
	api, err := cfg.buildHTTPAPI(&cfg.HTTPAPIs[0], madeUpIDs{cfg.Region})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for i := range api.Routes {
		r := &api.Routes[i]
		keys = append(keys, r.Key())
		if r.Authorizer != nil {
			keys[len(keys)-1] += " " + string(r.Authorizer.Type)
		}
	}
	if diff := cmp.Diff([]string{"GET /items REQUEST", "POST /items REQUEST", "GET /items/{id} JWT", "ANY /public/{proxy+}"}, keys); diff != "" {
		t.Errorf("routes (-want +got):\n%s", diff)
	}
	if api.CORS == nil || len(api.Stages) != 2 || api.Stages[0].Name != "$default" || api.Stages[1].Name != "dev" {
		t.Errorf("CORS %v, stages %+v", api.CORS, api.Stages)
	}
	if a := api.Routes[0].Authorizer; !a.SimpleResponses || a.PayloadFormatVersion != "2.0" {
		t.Errorf("the Lambda authorizer: %+v", a)
	}
	if a := api.Routes[2].Authorizer; a.JWT.Issuers[0].PoolID == "" || len(a.JWT.Issuers[0].Audiences) != 1 {
		t.Errorf("the JWT authorizer: %+v", a.JWT)
	}
	for _, fn := range cfg.Functions {
		if fi, err := os.Stat(filepath.Join(fn.Code, "index.mjs")); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("function %s's handler module: %v", fn.ID, err)
		}
	}
}

// generateClientKeys gives the clients of cfg that declare no keys what
// `tollgate dev` would generate for them: a P-256 public key as the JWKS of
// a private_key_jwt client, a self-signed certificate in x5c for a
// self_signed_tls_client_auth client, and the default certificate name of
// a tls_client_auth client.
func generateClientKeys(t *testing.T, cfg *Config) error {
	t.Helper()
	for pi := range cfg.UserPools {
		for ci := range cfg.UserPools[pi].Clients {
			cl := &cfg.UserPools[pi].Clients[ci]
			what := cl.NeedsGeneratedKeys()
			if what == GenerateCACertificate {
				cl.SetDefaultTLSName()
				continue
			}
			if what == "" {
				continue
			}
			key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				return err
			}
			jwk := jose.JSONWebKey{Key: key.Public(), Algorithm: "ES256", Use: "sig"}
			if what == GenerateSelfSignedCertificate {
				tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cl.ID},
					NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
				der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
				if err != nil {
					return err
				}
				cert, err := x509.ParseCertificate(der)
				if err != nil {
					return err
				}
				jwk.Certificates = []*x509.Certificate{cert}
			}
			set, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{jwk}})
			if err != nil {
				return err
			}
			if err := cl.SetJWKS(set); err != nil {
				return err
			}
		}
	}
	return nil
}
