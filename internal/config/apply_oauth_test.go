package config_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
)

// oauthSeed declares a pool with extensions beyond Cognito, a
// private_key_jwt client and a Cognito one.
const oauthSeed = `userPools:
  - id: Pool
    signingAlgorithm: ES256
    dpop: {maxAge: 30s}
    resourceServers:
      - identifier: orders
        scopes: [{scopeName: read, scopeDescription: Read}]
    clients:
      - id: Jwt
        tokenEndpointAuthMethod: private_key_jwt
        jwksUri: https://client.example/jwks.json
        dpopBoundAccessTokens: true
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}
      - id: Cognito
        generateSecret: true
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}
`

func TestApplyOAuth(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		ctx := context.Background()
		v := newVault(t)
		res := apply(t, st, v, oauthSeed, t0)
		poolID, _ := res.PoolID("Pool")
		jwtID, _ := res.ClientID("Pool", "Jwt")
		cognitoID, _ := res.ClientID("Pool", "Cognito")
		p, err := st.GetPool(ctx, poolID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tollgate.PoolOAuth{SigningAlgorithm: tollgate.AlgES256, DPoP: &tollgate.DPoPPolicy{MaxAge: 30 * time.Second}}, p.OAuth); diff != "" {
			t.Errorf("created pool's OAuth (-want +got):\n%s", diff)
		}
		jwt, err := st.GetClient(ctx, jwtID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tollgate.ClientOAuth{AuthMethod: tollgate.AuthPrivateKeyJWT, JWKSURI: "https://client.example/jwks.json", RequireDPoP: true}, jwt.OAuth); diff != "" {
			t.Errorf("created client's OAuth (-want +got):\n%s", diff)
		}
		if len(jwt.Secrets) != 0 {
			t.Errorf("the private_key_jwt client has %d secrets, want none", len(jwt.Secrets))
		}
		if c, err := st.GetClient(ctx, cognitoID); err != nil || c.OAuth != (tollgate.ClientOAuth{}) {
			t.Errorf("the Cognito client's OAuth = %+v, %v; want zero", c.OAuth, err)
		}
		checkChanges(t, apply(t, st, v, oauthSeed, t0))

		// A dynamically registered client has no ConfigKey: apply leaves
		// it alone, and its Registered time survives.
		registered := &tollgate.Client{ID: tollgate.NewClientID(), PoolID: poolID, Name: "registered",
			AllowedOAuthFlows: []string{tollgate.FlowClientCredentials}, AllowedOAuthScopes: []string{"orders/read"},
			AccessTokenValidity: tollgate.DefaultAccessTokenValidity, IDTokenValidity: tollgate.DefaultIDTokenValidity,
			RefreshTokenValidity: tollgate.DefaultRefreshTokenValidity,
			OAuth:                tollgate.ClientOAuth{AuthMethod: tollgate.AuthPrivateKeyJWT, JWKSURI: "https://r.example/jwks", Registered: t0},
			Secrets:              []tollgate.ClientSecret{}, CreatedAt: t0, UpdatedAt: t0}
		if err := st.CreateClient(ctx, registered); err != nil {
			t.Fatal(err)
		}

		changed := strings.NewReplacer(
			"signingAlgorithm: ES256", "signingAlgorithm: EdDSA\n    accessTokenType: at+jwt\n    resourceIndicators: true",
			"jwksUri: https://client.example/jwks.json\n        dpopBoundAccessTokens: true",
			"jwks: {keys: [{kty: OKP, crv: Ed25519, x: 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo}]}",
		).Replace(oauthSeed)
		res = prune(t, st, v, changed, t1)
		checkChanges(t, res,
			"updated pool config:orders/Pool: signingAlgorithm, accessTokenType, resourceIndicators",
			"updated client config:orders/Pool/Jwt: jwks, jwksUri, dpopBoundAccessTokens",
		)
		if p, err := st.GetPool(ctx, poolID); err != nil || p.OAuth.SigningAlgorithm != tollgate.AlgEdDSA || !p.OAuth.AccessTokenJWT || !p.OAuth.ResourceIndicators {
			t.Errorf("updated pool's OAuth = %+v, %v", p.OAuth, err)
		}
		jwt, err = st.GetClient(ctx, jwtID)
		if err != nil {
			t.Fatal(err)
		}
		want := tollgate.ClientOAuth{AuthMethod: tollgate.AuthPrivateKeyJWT,
			JWKS: `{"keys":[{"crv":"Ed25519","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`}
		if diff := cmp.Diff(want, jwt.OAuth); diff != "" {
			t.Errorf("updated client's OAuth (-want +got):\n%s", diff)
		}
		got, err := st.GetClient(ctx, registered.ID)
		if err != nil {
			t.Fatalf("the registered client is gone after apply: %v", err)
		}
		if diff := cmp.Diff(registered.OAuth, got.OAuth); diff != "" {
			t.Errorf("the registered client's OAuth changed (-want +got):\n%s", diff)
		}

		// Changing a client's method from private_key_jwt to
		// tls_client_auth updates it in place.
		mtls := strings.NewReplacer(
			"    dpop: {maxAge: 30s}", "    dpop: {maxAge: 30s}\n    mtls: true",
			"tokenEndpointAuthMethod: private_key_jwt\n        jwks: {keys: [{kty: OKP, crv: Ed25519, x: 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo}]}",
			"tokenEndpointAuthMethod: tls_client_auth\n        tlsClientAuth: {subjectDn: \"CN=jwt,O=Example\"}",
		).Replace(changed)
		res = apply(t, st, v, mtls, t1.Add(time.Hour))
		checkChanges(t, res,
			"updated pool config:orders/Pool: mtls",
			"updated client config:orders/Pool/Jwt: tokenEndpointAuthMethod, jwks, tlsClientAuth",
		)
		if c, err := st.GetClient(ctx, jwtID); err != nil || c.OAuth.AuthMethod != tollgate.AuthTLSClient || c.OAuth.TLS.SubjectDN != "CN=jwt,O=Example" {
			t.Errorf("client after changing its method: %+v, %v", c.OAuth, err)
		}
	})
}
