package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
)

// TestOutputsIssuerFromStore: a pool's ProviderURL (its issuer,
// https://cognito-idp.{region}.amazonaws.com/{poolId} on AWS: the
// AWS::Cognito::UserPool return values) maps to the issuer every node of
// the store issues, once one is stored, not to outputs' own --public-url.
func TestOutputsIssuerFromStore(t *testing.T) {
	f := newCLIFixture(t)
	tpl := filepath.Join(t.TempDir(), "stack.yaml")
	if err := os.WriteFile(tpl, []byte(`Resources:
  Pool:
    Type: AWS::Cognito::UserPool
    Properties: {UserPoolName: p}
Outputs:
  Issuer: {Value: !GetAtt Pool.ProviderURL}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := f.run(t, "outputs", "--template", tpl, "--public-url", "http://127.0.0.1:9999")
	if code != 0 || !strings.Contains(stdout, "http://127.0.0.1:9999/") {
		t.Fatalf("outputs with no stored issuer: exit %d: %s%s", code, stdout, stderr)
	}
	st, err := sqlstore.Open(t.Context(), f.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.PutSetting(t.Context(), tollgate.SettingIssuerURL, []byte("https://auth.example.com")); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = f.run(t, "outputs", "--template", tpl, "--public-url", "http://127.0.0.1:9999")
	if code != 0 || !strings.Contains(stdout, "https://auth.example.com/") || strings.Contains(stdout, "127.0.0.1:9999") {
		t.Errorf("outputs with a stored issuer: exit %d: %s%s", code, stdout, stderr)
	}
}
