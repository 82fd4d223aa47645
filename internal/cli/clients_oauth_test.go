package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

const edJWKS = `{"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}` // RFC 8037 §A.2

// TestOAuthFlags checks the flags of the OAuth 2 extensions on pools and
// clients, and that describe shows them only when set.
func TestOAuthFlags(t *testing.T) {
	f := newCLIFixture(t)
	ctx := t.Context()
	st, pools := f.createPool(t, "plain")
	if code, stdout, _ := f.run(t, "pools", "describe", "plain", "--json"); code != 0 || strings.Contains(stdout, `"OAuth"`) {
		t.Errorf("describe of a Cognito pool shows OAuth (exit %d):\n%s", code, stdout)
	}
	if code, _, stderr := f.run(t, "pools", "create", "ext", "--signing-algorithm", "ES256", "--access-token-type", "at+jwt", "--dpop", "--mtls"); code != 0 {
		t.Fatalf("pools create with OAuth flags: exit %d: %s", code, stderr)
	}
	ext, err := st.ListPools(ctx)
	if err != nil || len(ext) != 2 {
		t.Fatalf("pools %v, %v", ext, err)
	}
	p := ext[0] // by name: ext, plain
	if p.Name != "ext" || p.OAuth.SigningAlgorithm != tollgate.AlgES256 || !p.OAuth.AccessTokenJWT || p.OAuth.DPoP == nil || !p.OAuth.MTLS {
		t.Errorf("pool created with flags: %+v", p.OAuth)
	}
	code, stdout, _ := f.run(t, "pools", "describe", "ext", "--json")
	if code != 0 || !strings.Contains(stdout, `"SigningAlgorithm": "ES256"`) || !strings.Contains(stdout, `"AccessTokenType": "at+jwt"`) {
		t.Errorf("describe of the pool (exit %d):\n%s", code, stdout)
	}
	// describe's text names them too; a Cognito pool's shows none.
	code, stdout, _ = f.run(t, "pools", "describe", "ext")
	for _, want := range []string{"Signing:    ES256\n", "Beyond Cognito: RFC 9068 access tokens (typ at+jwt); DPoP (proofs ES256 ES384 ES512 RS256 PS256 EdDSA, at most 1m0s old); mutual TLS\n"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("describe's text lacks %q (exit %d):\n%s", want, code, stdout)
		}
	}
	if code, stdout, _ := f.run(t, "pools", "describe", "plain"); code != 0 || strings.Contains(stdout, "Beyond Cognito") || strings.Contains(stdout, "Signing:") {
		t.Errorf("describe's text of a Cognito pool (exit %d):\n%s", code, stdout)
	}
	if code, _, stderr := f.run(t, "pools", "update", "ext", "--dpop=false", "--signing-algorithm", "EdDSA"); code != 0 {
		t.Fatalf("pools update: exit %d: %s", code, stderr)
	}
	if got, err := st.GetPool(ctx, p.ID); err != nil || got.OAuth.DPoP != nil || got.OAuth.SigningAlgorithm != tollgate.AlgEdDSA || !got.OAuth.MTLS {
		t.Errorf("pool after update: %+v, %v", got.OAuth, err)
	}
	_ = pools

	now := time.Now()
	rs := &tollgate.ResourceServer{PoolID: p.ID, Identifier: "api", Name: "api", Scopes: []tollgate.Scope{{Name: "read"}}, CreatedAt: now, UpdatedAt: now}
	if err := st.PutResourceServer(ctx, rs); err != nil {
		t.Fatal(err)
	}
	jwks := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(jwks, []byte(edJWKS), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := f.run(t, "clients", "create", "--pool", "ext", "--name", "jwt", "--scopes", "api/read",
		"--auth-method", "private_key_jwt", "--jwks-file", jwks, "--dpop-bound", "--json")
	if code != 0 {
		t.Fatalf("clients create with private_key_jwt: exit %d: %s", code, stderr)
	}
	var view clientView
	if err := json.Unmarshal([]byte(stdout), &view); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	var compact bytes.Buffer
	if view.OAuth != nil {
		_ = json.Compact(&compact, view.OAuth.JWKS)
	}
	if view.OAuth == nil || view.OAuth.TokenEndpointAuthMethod != tollgate.AuthPrivateKeyJWT || !view.OAuth.DPoPBoundAccessTokens ||
		compact.String() != `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}` || len(view.Secrets) != 0 {
		t.Errorf("created client: %+v, OAuth %+v", view, view.OAuth)
	}
	code, stdout, _ = f.run(t, "clients", "describe", view.ClientID)
	for _, want := range []string{"Auth method: private_key_jwt\n", "Tokens bound to: DPoP\n"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("clients describe's text lacks %q (exit %d):\n%s", want, code, stdout)
		}
	}

	code, _, stderr = f.run(t, "clients", "update", view.ClientID, "--auth-method", "tls_client_auth", "--tls-subject-dn", "CN=jwt,O=Example",
		"--jwks-uri", "", "--certificate-bound", "--dpop-bound=false")
	if code != 0 {
		t.Fatalf("clients update to tls_client_auth: exit %d: %s", code, stderr)
	}
	c, err := st.GetClient(ctx, view.ClientID)
	want := tollgate.ClientOAuth{AuthMethod: tollgate.AuthTLSClient, TLS: tollgate.TLSClientAuth{SubjectDN: "CN=jwt,O=Example"}, CertificateBound: true}
	if err != nil || c.OAuth != want || len(c.AllowedOAuthScopes) != 1 {
		t.Errorf("client after update: %+v, %v; want %+v", c.OAuth, err, want)
	}

	code, _, stderr = f.run(t, "clients", "create", "--pool", "ext", "--name", "bad", "--scopes", "api/read", "--auth-method", "private_key_jwt")
	if code == 0 || !strings.Contains(stderr, "private_key_jwt needs the client's public keys") {
		t.Errorf("clients create of private_key_jwt without keys: exit %d, %q", code, stderr)
	}
	code, stdout, _ = f.run(t, "clients", "create", "--pool", "plain", "--name", "cognito", "--scopes", "api/read", "--json")
	if strings.Contains(stdout, `"OAuth"`) {
		t.Errorf("a Cognito client's JSON shows OAuth (exit %d):\n%s", code, stdout)
	}
}
