package domain_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

const edJWKS = `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}` // RFC 8037 §A.2

func TestClientOAuth(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	spec := m2m("jwt")
	spec.OAuth = &tollgate.ClientOAuth{AuthMethod: tollgate.AuthPrivateKeyJWT, JWKS: edJWKS, RequireDPoP: true, Registered: t0}
	c, plain, err := f.svc.CreateClient(ctx, f.pool.ID, spec, domain.SecretChoice{})
	if err != nil {
		t.Fatalf("CreateClient of a private_key_jwt client without a secret: %v", err)
	}
	if plain != "" || len(c.Secrets) != 0 {
		t.Errorf("the private_key_jwt client got a secret")
	}
	want := tollgate.ClientOAuth{AuthMethod: tollgate.AuthPrivateKeyJWT, JWKS: edJWKS, RequireDPoP: true}
	if diff := cmp.Diff(want, c.OAuth); diff != "" {
		t.Errorf("created client's OAuth (-want +got), Registered never from the spec:\n%s", diff)
	}

	// An update without OAuth (Cognito's UpdateUserPoolClient) keeps it.
	next, err := f.svc.UpdateClient(ctx, c, domain.ClientSpec{OAuthFlows: []string{tollgate.FlowClientCredentials}, Scopes: []string{"api/write"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, next.OAuth); diff != "" {
		t.Errorf("OAuth after an update leaving it out (-want +got):\n%s", diff)
	}
	stored, err := f.st.GetClient(ctx, c.ID)
	if err != nil || stored.OAuth != want {
		t.Errorf("stored OAuth = %+v, %v; want %+v", stored.OAuth, err, want)
	}

	// Changing the method to a secret's needs a secret for client_credentials.
	_, err = f.svc.UpdateClient(ctx, next, domain.ClientSpec{OAuthFlows: []string{tollgate.FlowClientCredentials}, Scopes: []string{"api/read"},
		OAuth: &tollgate.ClientOAuth{AuthMethod: tollgate.AuthClientSecretBasic}})
	wantCause(t, "UpdateClient to a secret's method without a secret", err, tollgate.KindInvalid, domain.ErrSecretRequired)

	for _, bad := range []tollgate.ClientOAuth{
		{AuthMethod: tollgate.AuthPrivateKeyJWT},
		{AuthMethod: tollgate.AuthPrivateKeyJWT, JWKS: `{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`},
		{AuthMethod: tollgate.AuthPrivateKeyJWT, JWKSURI: "http://client.example/jwks"},
		{AuthMethod: tollgate.AuthTLSClient},
		{AuthMethod: "client_secret_jwt"},
		{JWKS: edJWKS},
	} {
		spec := m2m("bad")
		spec.OAuth = &bad
		_, _, err := f.svc.CreateClient(ctx, f.pool.ID, spec, domain.SecretChoice{})
		wantCause(t, "CreateClient with "+bad.AuthMethod, err, tollgate.KindInvalid, domain.ErrBadOAuth)
	}
}

func TestPoolOAuth(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	o := tollgate.PoolOAuth{SigningAlgorithm: tollgate.AlgEdDSA, MTLS: true, DPoP: &tollgate.DPoPPolicy{MaxAge: time.Minute}}
	p, err := f.svc.CreatePoolWith(ctx, "ext", "eu-west-1", domain.PoolSpec{OAuth: &o})
	if err != nil {
		t.Fatal(err)
	}
	// UpdatePool without OAuth (Cognito's UpdateUserPool) keeps it.
	up, err := f.svc.UpdatePool(ctx, p, domain.PoolSpec{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(o, up.OAuth); diff != "" {
		t.Errorf("OAuth after UpdatePool leaving it out (-want +got):\n%s", diff)
	}
	_, err = f.svc.UpdatePool(ctx, p, domain.PoolSpec{OAuth: &tollgate.PoolOAuth{SigningAlgorithm: "HS256"}})
	wantCause(t, "UpdatePool to HS256", err, tollgate.KindInvalid, domain.ErrBadOAuth)
}
