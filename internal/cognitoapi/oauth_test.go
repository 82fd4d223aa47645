package cognitoapi_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/tollgate/tollgate"
)

// TestUpdatesKeepOAuth: UpdateUserPool and UpdateUserPoolClient replace
// what Cognito knows of a pool and a client, and keep Tollgate's
// extensions beyond Cognito, which Cognito's API does not show.
func TestUpdatesKeepOAuth(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.client
	pool := try(c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("ext")})).must(t, "CreateUserPool").UserPool
	try(c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: pool.Id, Identifier: aws.String("api"), Name: aws.String("api"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("read")}}})).must(t, "CreateResourceServer")
	cl := try(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.Id, ClientName: aws.String("m2m"), GenerateSecret: true,
		AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}, AllowedOAuthScopes: []string{"api/read"},
		AllowedOAuthFlowsUserPoolClient: true})).must(t, "CreateUserPoolClient").UserPoolClient

	poolOAuth := tollgate.PoolOAuth{SigningAlgorithm: tollgate.AlgES256, MTLS: true, DPoP: &tollgate.DPoPPolicy{}}
	p, err := f.st.GetPool(ctx, *pool.Id)
	if err != nil {
		t.Fatal(err)
	}
	p.OAuth = poolOAuth
	if err := f.st.UpdatePool(ctx, p, tollgate.AnyOwner); err != nil {
		t.Fatal(err)
	}
	clientOAuth := tollgate.ClientOAuth{RequireDPoP: true, CertificateBound: true}
	stored, err := f.st.GetClient(ctx, *cl.ClientId)
	if err != nil {
		t.Fatal(err)
	}
	stored.OAuth = clientOAuth
	if err := f.st.UpdateClient(ctx, stored, tollgate.AnyOwner); err != nil {
		t.Fatal(err)
	}

	try(c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: pool.Id})).must(t, "UpdateUserPool")
	upd := try(c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: pool.Id, ClientId: cl.ClientId,
		AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}, AllowedOAuthScopes: []string{"api/read"},
		AllowedOAuthFlowsUserPoolClient: true})).must(t, "UpdateUserPoolClient").UserPoolClient
	if *upd.ClientSecret != *cl.ClientSecret || len(upd.AllowedOAuthScopes) != 1 {
		t.Errorf("UpdateUserPoolClient answered %+v", upd)
	}
	if p, err := f.st.GetPool(ctx, *pool.Id); err != nil || p.OAuth.SigningAlgorithm != tollgate.AlgES256 || !p.OAuth.MTLS || p.OAuth.DPoP == nil {
		t.Errorf("pool OAuth after UpdateUserPool = %+v, %v; want %+v", p.OAuth, err, poolOAuth)
	}
	if got, err := f.st.GetClient(ctx, *cl.ClientId); err != nil || got.OAuth != clientOAuth {
		t.Errorf("client OAuth after UpdateUserPoolClient = %+v, %v; want %+v", got.OAuth, err, clientOAuth)
	}
}
