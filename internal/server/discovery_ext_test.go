package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
)

// TestDiscoveryUndeclaredPool checks that a pool declaring nothing beyond
// Cognito gets today's document byte for byte: the members of Cognito's
// (contract §1.4) that are true of Tollgate, none of the extensions'.
func TestDiscoveryUndeclaredPool(t *testing.T) {
	const want = `{"issuer":"http://127.0.0.1:8080/us-east-1_abcdefghi",` +
		`"authorization_endpoint":"http://127.0.0.1:8080/oauth2/authorize",` +
		`"token_endpoint":"http://127.0.0.1:8080/oauth2/token",` +
		`"jwks_uri":"http://127.0.0.1:8080/us-east-1_abcdefghi/.well-known/jwks.json",` +
		`"revocation_endpoint":"http://127.0.0.1:8080/oauth2/revoke",` +
		`"introspection_endpoint":"http://127.0.0.1:8080/oauth2/introspect",` +
		`"response_types_supported":[],"grant_types_supported":["client_credentials"],` +
		`"scopes_supported":["default/default"],"subject_types_supported":["public"],` +
		`"id_token_signing_alg_values_supported":["RS256"],` +
		`"token_endpoint_auth_methods_supported":["client_secret_basic","client_secret_post"],` +
		`"revocation_endpoint_auth_methods_supported":["client_secret_basic","client_secret_post"],` +
		`"introspection_endpoint_auth_methods_supported":["client_secret_basic","client_secret_post"]}`
	for _, c := range []capabilities{
		{},
		{oauth: tollgate.PoolOAuth{SigningAlgorithm: tollgate.AlgRS256}},
		{mtlsBase: "https://127.0.0.1:8443", registrationEndpoint: "http://127.0.0.1:8080/us-east-1_abcdefghi/oauth2/register"},
	} {
		doc := newMetadata("http://127.0.0.1:8080/us-east-1_abcdefghi", "http://127.0.0.1:8080", []string{"default/default"})
		c.apply(&doc)
		got, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%+v:\n got %s\nwant %s", c, got, want)
		}
	}
}

// TestDiscoveryCapabilities checks that a pool's document lists exactly
// what the pool supports, under the registered member names.
func TestDiscoveryCapabilities(t *testing.T) {
	const (
		issuer = "http://127.0.0.1:8080/us-east-1_abcdefghi"
		base   = "http://127.0.0.1:8080"
		mtls   = "https://127.0.0.1:8443"
		reg    = base + "/us-east-1_abcdefghi/oauth2/register"
	)
	secrets := []any{"client_secret_basic", "client_secret_post"}
	assertionAlgs := []any{"RS256", "PS256", "ES256", "ES384", "ES512", "EdDSA"}
	for _, tc := range []struct {
		name string
		c    capabilities
		want map[string]any // members beyond Cognito's, and those that change
	}{
		{
			name: "a client with keys in a pool declaring nothing (RFC 7523 §2.2)",
			c:    capabilities{clientMethods: []string{tollgate.AuthPrivateKeyJWT}},
			want: map[string]any{
				"token_endpoint_auth_methods_supported":            append(secrets, "private_key_jwt"),
				"token_endpoint_auth_signing_alg_values_supported": assertionAlgs,
			},
		},
		{
			name: "ES256 keys: OIDC Discovery §3 keeps RS256 first",
			c:    capabilities{oauth: tollgate.PoolOAuth{SigningAlgorithm: tollgate.AlgES256}},
			want: map[string]any{"id_token_signing_alg_values_supported": []any{"RS256", "ES256"}},
		},
		{
			name: "DPoP with the default algorithms (RFC 9449 §5.1)",
			c:    capabilities{oauth: tollgate.PoolOAuth{DPoP: &tollgate.DPoPPolicy{}}},
			want: map[string]any{"dpop_signing_alg_values_supported": []any{"ES256", "ES384", "ES512", "RS256", "PS256", "EdDSA"}},
		},
		{
			name: "DPoP with named algorithms",
			c:    capabilities{oauth: tollgate.PoolOAuth{DPoP: &tollgate.DPoPPolicy{Algorithms: []string{"EdDSA"}}}},
			want: map[string]any{"dpop_signing_alg_values_supported": []any{"EdDSA"}},
		},
		{
			name: "mTLS with its listener (RFC 8705 §2, §3.3, §5)",
			c:    capabilities{oauth: tollgate.PoolOAuth{MTLS: true}, mtlsBase: mtls},
			want: map[string]any{
				"token_endpoint_auth_methods_supported":      append(secrets, "tls_client_auth", "self_signed_tls_client_auth"),
				"tls_client_certificate_bound_access_tokens": true,
				"mtls_endpoint_aliases": map[string]any{
					"token_endpoint":         mtls + "/oauth2/token",
					"revocation_endpoint":    mtls + "/oauth2/revoke",
					"introspection_endpoint": mtls + "/oauth2/introspect",
				},
			},
		},
		{
			name: "mTLS behind a proxy: no listener, no aliases",
			c:    capabilities{oauth: tollgate.PoolOAuth{MTLS: true}},
			want: map[string]any{
				"token_endpoint_auth_methods_supported":      append(secrets, "tls_client_auth", "self_signed_tls_client_auth"),
				"tls_client_certificate_bound_access_tokens": true,
			},
		},
		{
			name: "registration with the default policy: private_key_jwt (RFC 7591 §3, RFC 8414 §2)",
			c:    capabilities{oauth: tollgate.PoolOAuth{Registration: &tollgate.RegistrationPolicy{}}, registrationEndpoint: reg},
			want: map[string]any{
				"token_endpoint_auth_methods_supported":            append(secrets, "private_key_jwt"),
				"token_endpoint_auth_signing_alg_values_supported": assertionAlgs,
				"registration_endpoint":                            reg,
			},
		},
		{
			name: "registration of secret clients only",
			c: capabilities{oauth: tollgate.PoolOAuth{Registration: &tollgate.RegistrationPolicy{AuthMethods: []string{"client_secret_basic"}}},
				registrationEndpoint: reg},
			want: map[string]any{"registration_endpoint": reg},
		},
		{
			name: "everything, each method once",
			c: capabilities{
				oauth: tollgate.PoolOAuth{SigningAlgorithm: tollgate.AlgEdDSA, AccessTokenJWT: true, MTLS: true,
					DPoP:         &tollgate.DPoPPolicy{Algorithms: []string{"ES256"}},
					Registration: &tollgate.RegistrationPolicy{AuthMethods: []string{"private_key_jwt", "tls_client_auth"}}},
				clientMethods:        []string{tollgate.AuthPrivateKeyJWT, tollgate.AuthTLSClient},
				mtlsBase:             mtls,
				registrationEndpoint: reg,
			},
			want: map[string]any{
				"token_endpoint_auth_methods_supported":            append(secrets, "private_key_jwt", "tls_client_auth", "self_signed_tls_client_auth"),
				"token_endpoint_auth_signing_alg_values_supported": assertionAlgs,
				"id_token_signing_alg_values_supported":            []any{"RS256", "EdDSA"},
				"dpop_signing_alg_values_supported":                []any{"ES256"},
				"tls_client_certificate_bound_access_tokens":       true,
				"mtls_endpoint_aliases": map[string]any{
					"token_endpoint":         mtls + "/oauth2/token",
					"revocation_endpoint":    mtls + "/oauth2/revoke",
					"introspection_endpoint": mtls + "/oauth2/introspect",
				},
				"registration_endpoint": reg,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plain := decodeDoc(t, newMetadata(issuer, base, nil))
			doc := newMetadata(issuer, base, nil)
			tc.c.apply(&doc)
			got := decodeDoc(t, doc)
			want := plain
			for k, v := range tc.want {
				want[k] = v
				// The revocation and introspection endpoints authenticate
				// clients as the token endpoint does: the same methods and
				// algorithms (RFC 8414 §2, RFC 7009 §2.1, RFC 7662 §2.1).
				if rest, ok := strings.CutPrefix(k, "token_endpoint_auth_"); ok {
					want["revocation_endpoint_auth_"+rest] = v
					want["introspection_endpoint_auth_"+rest] = v
				}
			}
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(want)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("\n got %s\nwant %s", gotJSON, wantJSON)
			}
		})
	}
}

func decodeDoc(t *testing.T, m metadata) map[string]any {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}
