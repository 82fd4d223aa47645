package cognitoapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/awstest"
	"github.com/tollgate/tollgate/internal/cognitoapi"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
	"github.com/tollgate/tollgate/internal/vault"
)

type fixture struct {
	st      *sqlstore.Store
	vault   *vault.Vault
	client  *cip.Client
	url     string
	key     *tollgate.AccessKey
	secret  string
	changes int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	f := &fixture{st: st, vault: v}
	var err error
	if f.key, f.secret, err = domain.New(st, v, nil).CreateAccessKey(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	h := cognitoapi.New(cognitoapi.Options{Store: st, Vault: v, OnChange: func(context.Context) { f.changes++ },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !cognitoapi.Owns(r) {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	f.client = f.sdk(f.key.ID, f.secret, "eu-west-1")
	return f
}

func (f *fixture) sdk(id, secret, region string) *cip.Client {
	return cip.New(cip.Options{
		Region:       region,
		BaseEndpoint: aws.String(f.url),
		Credentials:  credentials.NewStaticCredentialsProvider(id, secret, ""),
		HTTPClient:   awstest.HTTPClient(), RetryMaxAttempts: 1,
	})
}

// wantAPIError fails unless err is the API error code, with a message
// containing msg.
func wantAPIError(t *testing.T, what string, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Errorf("%s: got %v, want %s", what, err, code)
		return
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Errorf("%s: got %s: %q, want %s with %q", what, ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

type result[T any] struct {
	v   T
	err error
}

func try[T any](v T, err error) result[T] { return result[T]{v, err} }

// must returns the result, or fails the test now.
func (r result[T]) must(t *testing.T, what string) T {
	t.Helper()
	if r.err != nil {
		t.Fatalf("%s: %v", what, r.err)
	}
	return r.v
}

func TestLifecycle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.client

	pool := try(c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("orders")})).must(t, "CreateUserPool").UserPool
	if !strings.HasPrefix(*pool.Id, "eu-west-1_") || *pool.Name != "orders" || pool.CreationDate == nil ||
		*pool.Arn != "arn:aws:cognito-idp:eu-west-1:000000000000:userpool/"+*pool.Id || pool.MfaConfiguration != types.UserPoolMfaTypeOff {
		t.Errorf("CreateUserPool: pool %+v", pool)
	}
	if time.Since(*pool.CreationDate) > time.Minute {
		t.Errorf("CreationDate %s: not now", pool.CreationDate)
	}
	got := try(c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: pool.Id})).must(t, "DescribeUserPool").UserPool
	if *got.Id != *pool.Id || *got.Name != "orders" {
		t.Errorf("DescribeUserPool: %+v", got)
	}
	_, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("orders")})
	wantAPIError(t, "CreateUserPool with a taken name", err, "InvalidParameterException", "already exists")
	try(c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("billing")})).must(t, "CreateUserPool")

	// ListUserPools pages.
	page1 := try(c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)})).must(t, "ListUserPools")
	if len(page1.UserPools) != 1 || *page1.UserPools[0].Name != "billing" || page1.NextToken == nil {
		t.Errorf("ListUserPools page 1: %+v", page1)
	}
	page2 := try(c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1), NextToken: page1.NextToken})).must(t, "ListUserPools")
	if len(page2.UserPools) != 1 || *page2.UserPools[0].Name != "orders" || page2.NextToken != nil {
		t.Errorf("ListUserPools page 2: %+v", page2)
	}

	// Resource servers.
	rs := try(c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
		UserPoolId: pool.Id, Identifier: aws.String("orders-api"), Name: aws.String("Orders API"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("Read orders")}, {ScopeName: aws.String("write"), ScopeDescription: aws.String("Write orders")}},
	})).must(t, "CreateResourceServer").ResourceServer
	if *rs.Identifier != "orders-api" || len(rs.Scopes) != 2 || *rs.UserPoolId != *pool.Id {
		t.Errorf("CreateResourceServer: %+v", rs)
	}
	_, err = c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: pool.Id, Identifier: aws.String("orders-api"), Name: aws.String("Again")})
	wantAPIError(t, "CreateResourceServer twice", err, "InvalidParameterException", "already exists")
	rs = try(c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{
		UserPoolId: pool.Id, Identifier: aws.String("orders-api"), Name: aws.String("Orders"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("Read")}, {ScopeName: aws.String("admin"), ScopeDescription: aws.String("Administer")}},
	})).must(t, "UpdateResourceServer").ResourceServer
	if *rs.Name != "Orders" || *rs.Scopes[1].ScopeName != "admin" {
		t.Errorf("UpdateResourceServer: %+v", rs)
	}
	rss := try(c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: pool.Id, MaxResults: aws.Int32(10)})).must(t, "ListResourceServers")
	if len(rss.ResourceServers) != 1 {
		t.Errorf("ListResourceServers: %+v", rss.ResourceServers)
	}
	try(c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: pool.Id, Identifier: aws.String("orders-api")})).must(t, "DescribeResourceServer")

	// An M2M client, as the AWS CLI or CDK creates one.
	client := try(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: pool.Id, ClientName: aws.String("worker"), GenerateSecret: true,
		AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthScopes: []string{"orders-api/read"}, AccessTokenValidity: aws.Int32(30),
		TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes},
	})).must(t, "CreateUserPoolClient").UserPoolClient
	if len(*client.ClientId) != 26 || len(*client.ClientSecret) != tollgate.ClientSecretLength || *client.AccessTokenValidity != 30 ||
		client.TokenValidityUnits.AccessToken != types.TimeUnitsTypeMinutes || client.TokenValidityUnits.IdToken != types.TimeUnitsTypeMinutes ||
		*client.IdTokenValidity != 60 || client.RefreshTokenValidity != 30 || client.TokenValidityUnits.RefreshToken != types.TimeUnitsTypeDays ||
		!*client.AllowedOAuthFlowsUserPoolClient || !*client.EnableTokenRevocation || client.PreventUserExistenceErrors != "LEGACY" {
		t.Errorf("CreateUserPoolClient: %+v", client)
	}
	stored := try(f.st.GetClient(ctx, *client.ClientId)).must(t, "GetClient")
	if !bytes.Equal(f.vault.HashSecret(stored.ID, *client.ClientSecret), stored.Secrets[0].Hash) {
		t.Error("the returned secret does not authenticate the stored client")
	}
	if stored.AccessTokenValidity != (tollgate.Validity{Value: 30, Unit: tollgate.Minutes}) {
		t.Errorf("stored access token validity %s", stored.AccessTokenValidity)
	}
	desc := try(c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: pool.Id, ClientId: client.ClientId})).must(t, "DescribeUserPoolClient").UserPoolClient
	if *desc.ClientSecret != *client.ClientSecret || desc.AllowedOAuthScopes[0] != "orders-api/read" {
		t.Errorf("DescribeUserPoolClient: %+v", desc)
	}
	list := try(c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: pool.Id})).must(t, "ListUserPoolClients")
	if len(list.UserPoolClients) != 1 || *list.UserPoolClients[0].ClientName != "worker" {
		t.Errorf("ListUserPoolClients: %+v", list.UserPoolClients)
	}

	// Update resets what it omits; the name is kept.
	upd := try(c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
		UserPoolId: pool.Id, ClientId: client.ClientId,
		AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthScopes: []string{"orders-api/read", "orders-api/admin"},
	})).must(t, "UpdateUserPoolClient").UserPoolClient
	if *upd.ClientName != "worker" || *upd.AccessTokenValidity != 60 || len(upd.AllowedOAuthScopes) != 2 {
		t.Errorf("UpdateUserPoolClient: %+v", upd)
	}

	// Secrets: add one, a third is refused, delete the first.
	added := try(c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: pool.Id, ClientId: client.ClientId})).must(t, "AddUserPoolClientSecret").ClientSecretDescriptor
	if added.ClientSecretValue == nil || added.ClientSecretId == nil || added.ClientSecretCreateDate == nil {
		t.Errorf("AddUserPoolClientSecret: %+v", added)
	}
	_, err = c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: pool.Id, ClientId: client.ClientId})
	wantAPIError(t, "AddUserPoolClientSecret beyond two", err, "LimitExceededException", "maximum number of client secrets")
	secrets := try(c.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: pool.Id, ClientId: client.ClientId})).must(t, "ListUserPoolClientSecrets").ClientSecrets
	if len(secrets) != 2 || secrets[0].ClientSecretValue != nil {
		t.Errorf("ListUserPoolClientSecrets: %+v", secrets)
	}
	try(c.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: pool.Id, ClientId: client.ClientId, ClientSecretId: secrets[0].ClientSecretId})).must(t, "DeleteUserPoolClientSecret")
	_, err = c.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: pool.Id, ClientId: client.ClientId, ClientSecretId: secrets[1].ClientSecretId})
	wantAPIError(t, "DeleteUserPoolClientSecret of the last secret", err, "InvalidParameterException", "only secret")
	desc = try(c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: pool.Id, ClientId: client.ClientId})).must(t, "DescribeUserPoolClient").UserPoolClient
	if *desc.ClientSecret != *added.ClientSecretValue {
		t.Error("after deleting the first secret, DescribeUserPoolClient does not show the second")
	}
	custom := "custom_secret_of_thirty_two_chars"
	added = try(c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: pool.Id, ClientId: client.ClientId, ClientSecret: &custom})).must(t, "AddUserPoolClientSecret (custom)").ClientSecretDescriptor
	if added.ClientSecretValue != nil {
		t.Error("a custom secret is echoed")
	}

	// Domains.
	try(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: pool.Id, Domain: aws.String("orders-auth")})).must(t, "CreateUserPoolDomain")
	dd := try(c.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("orders-auth")})).must(t, "DescribeUserPoolDomain").DomainDescription
	if *dd.UserPoolId != *pool.Id || dd.Status != types.DomainStatusTypeActive {
		t.Errorf("DescribeUserPoolDomain: %+v", dd)
	}
	dd = try(c.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("nope")})).must(t, "DescribeUserPoolDomain of an unknown domain").DomainDescription
	if dd.UserPoolId != nil {
		t.Errorf("DescribeUserPoolDomain of an unknown domain: %+v", dd)
	}
	got = try(c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: pool.Id})).must(t, "DescribeUserPool").UserPool
	if got.Domain == nil || *got.Domain != "orders-auth" {
		t.Errorf("DescribeUserPool after CreateUserPoolDomain: Domain %v", got.Domain)
	}
	_, err = c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: pool.Id, Domain: aws.String("orders-auth2")})
	wantAPIError(t, "a second prefix domain", err, "InvalidParameterException", "already has a domain")
	_, err = c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: pool.Id})
	wantAPIError(t, "DeleteUserPool with a domain", err, "InvalidParameterException", "domain configured")
	try(c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: pool.Id, Domain: aws.String("orders-auth")})).must(t, "DeleteUserPoolDomain")

	// Deletions.
	try(c.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: pool.Id, Identifier: aws.String("orders-api")})).must(t, "DeleteResourceServer")
	try(c.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: pool.Id, ClientId: client.ClientId})).must(t, "DeleteUserPoolClient")
	_, err = c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: pool.Id, ClientId: client.ClientId})
	wantAPIError(t, "DescribeUserPoolClient after delete", err, "ResourceNotFoundException", "does not exist")
	try(c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: pool.Id})).must(t, "DeleteUserPool")
	_, err = c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: pool.Id})
	wantAPIError(t, "DescribeUserPool after delete", err, "ResourceNotFoundException", "does not exist")
	if f.changes < 10 {
		t.Errorf("OnChange ran %d times, want once per write", f.changes)
	}
}

func TestErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.client
	pool := try(c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("p")})).must(t, "CreateUserPool").UserPool
	try(c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
		UserPoolId: pool.Id, Identifier: aws.String("api"), Name: aws.String("API"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("Read")}},
	})).must(t, "CreateResourceServer")
	cc := []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}
	for _, tt := range []struct {
		name      string
		call      func() error
		code, msg string
	}{
		{"unknown pool", func() error {
			_, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String("eu-west-1_nope")})
			return err
		}, "ResourceNotFoundException", "User pool eu-west-1_nope does not exist."},
		{"pool name pattern", func() error {
			_, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bad/name")})
			return err
		}, "InvalidParameterException", `1 validation error detected: Value 'bad/name' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+`},
		{"OAuth without flows", func() error {
			_, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.Id, ClientName: aws.String("c"), GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true})
			return err
		}, "InvalidParameterException", "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows."},
		{"client_credentials without a secret", func() error {
			_, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.Id, ClientName: aws.String("c"), AllowedOAuthFlows: cc, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthScopes: []string{"api/read"}})
			return err
		}, "InvalidOAuthFlowException", "client_credentials flow can not be selected if client does not have a client secret."},
		{"code flow", func() error {
			_, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.Id, ClientName: aws.String("c"), GenerateSecret: true, AllowedOAuthFlows: []types.OAuthFlowType{"code"}, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthScopes: []string{"api/read"}})
			return err
		}, "InvalidOAuthFlowException", "client_credentials flow only"},
		{"unknown scope", func() error {
			_, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.Id, ClientName: aws.String("c"), GenerateSecret: true, AllowedOAuthFlows: cc, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthScopes: []string{"api/write"}})
			return err
		}, "ScopeDoesNotExistException", "Invalid scope requested: api/write"},
		{"validity out of range", func() error {
			_, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.Id, ClientName: aws.String("c"), AccessTokenValidity: aws.Int32(48)})
			return err
			// Cognito's text: aws-samples/cloudfront-authorization-at-edge#144
			// (an UpdateUserPoolClient stack trace), awsdocs/aws-cloudformation-user-guide#828.
		}, "InvalidParameterException", "Invalid range for token validity."},
		{"custom secret too short", func() error {
			_, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.Id, ClientName: aws.String("c"), GenerateSecret: true, ClientSecret: aws.String("short")})
			return err
		}, "InvalidParameterException", "Member must have length greater than or equal to 24"},
		{"unknown client", func() error {
			_, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: pool.Id, ClientId: aws.String("abc")})
			return err
		}, "ResourceNotFoundException", "User pool client abc does not exist."},
		{"custom domain", func() error {
			_, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: pool.Id, Domain: aws.String("auth.example.com"), CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String("arn:aws:acm:us-east-1:1:certificate/x")}})
			return err
		}, "InvalidParameterException", "certificate files"},
		{"reserved domain word", func() error {
			_, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: pool.Id, Domain: aws.String("my-cognito")})
			return err
			// aws-amplify/amplify-cli#3854.
		}, "InvalidParameterException", "Domain cannot contain reserved word: cognito"},
		{"bad pagination token", func() error {
			_, err := c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(5), NextToken: aws.String("garbage")})
			return err
		}, "InvalidParameterException", "Invalid pagination token."},
		{"unknown access key", func() error {
			_, err := f.sdk("AKIAAAAAAAAAAAAAAAAA", f.secret, "eu-west-1").ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(5)})
			return err
		}, "UnrecognizedClientException", "The security token included in the request is invalid."},
		{"wrong secret", func() error {
			_, err := f.sdk(f.key.ID, strings.Repeat("a", 40), "eu-west-1").ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(5)})
			return err
		}, "InvalidSignatureException", "The request signature we calculated does not match"},
	} {
		t.Run(tt.name, func(t *testing.T) { wantAPIError(t, tt.name, tt.call(), tt.code, tt.msg) })
	}
}

func TestConfigOwnedObjectsAreReadOnly(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.client
	now := time.Now().UTC()
	p := &tollgate.UserPool{ID: tollgate.NewPoolID("eu-west-1"), Name: "declared", Region: "eu-west-1", ConfigKey: "UserPool", CreatedAt: now, UpdatedAt: now}
	rs := &tollgate.ResourceServer{PoolID: p.ID, Identifier: "default", Name: "Default", Scopes: []tollgate.Scope{{Name: "default", Description: "d"}}, ConfigKey: "UserPool/Default", CreatedAt: now, UpdatedAt: now}
	cl := &tollgate.Client{ID: tollgate.NewClientID(), PoolID: p.ID, Name: "app", Secrets: []tollgate.ClientSecret{}, AllowedOAuthFlows: []string{}, AllowedOAuthScopes: []string{},
		AccessTokenValidity: tollgate.DefaultAccessTokenValidity, IDTokenValidity: tollgate.DefaultIDTokenValidity, RefreshTokenValidity: tollgate.DefaultRefreshTokenValidity,
		ConfigKey: "UserPool/App", CreatedAt: now, UpdatedAt: now}
	d := &tollgate.Domain{Domain: "declared-auth", PoolID: p.ID, ConfigKey: "UserPool/Domain", CreatedAt: now}
	for _, err := range []error{f.st.CreatePool(ctx, p), f.st.PutResourceServer(ctx, rs), f.st.CreateClient(ctx, cl), f.st.PutDomain(ctx, d)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name, key string
		call      func() error
	}{
		{"DeleteUserPoolDomain", "UserPool/Domain", func() error {
			_, err := c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: &p.ID, Domain: &d.Domain})
			return err
		}},
		{"DeleteUserPool", "UserPool", func() error {
			if err := f.st.DeleteDomain(ctx, d.Domain, tollgate.AnyOwner); err != nil {
				return err
			}
			_, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &p.ID})
			return err
		}},
		{"UpdateResourceServer", "UserPool/Default", func() error {
			_, err := c.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: &p.ID, Identifier: &rs.Identifier, Name: aws.String("x")})
			return err
		}},
		{"DeleteResourceServer", "UserPool/Default", func() error {
			_, err := c.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: &p.ID, Identifier: &rs.Identifier})
			return err
		}},
		{"UpdateUserPoolClient", "UserPool/App", func() error {
			_, err := c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: &p.ID, ClientId: &cl.ID})
			return err
		}},
		{"DeleteUserPoolClient", "UserPool/App", func() error {
			_, err := c.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: &p.ID, ClientId: &cl.ID})
			return err
		}},
	} {
		wantAPIError(t, tt.name, tt.call(), "InvalidParameterException", `declared in a config file or template (as "`+tt.key+`" in the config file) and is read-only`)
	}
	// A template's objects name their stack.
	sp := &tollgate.UserPool{ID: tollgate.NewPoolID("eu-west-1"), Name: "stacked", Region: "eu-west-1", ConfigKey: "stack:Orders/Pool", CreatedAt: now, UpdatedAt: now}
	if err := f.st.CreatePool(ctx, sp); err != nil {
		t.Fatal(err)
	}
	_, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &sp.ID})
	wantAPIError(t, "DeleteUserPool of a stack's pool", err, "InvalidParameterException", `declared in a config file or template (as "Pool" in stack Orders) and is read-only through this API: change the template and deploy it again.`)
	// Objects added by hand to a declared pool are the API's to manage.
	try(c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: &p.ID, Identifier: aws.String("extra"), Name: aws.String("Extra")})).must(t, "CreateResourceServer in a declared pool")
	try(c.DeleteResourceServer(ctx, &cip.DeleteResourceServerInput{UserPoolId: &p.ID, Identifier: aws.String("extra")})).must(t, "DeleteResourceServer")
}

// TestProtocol checks what the SDKs do not show: the wire shape of errors,
// unsigned calls, and inputs the SDKs would refuse before sending.
func TestProtocol(t *testing.T) {
	f := newFixture(t)
	const prefix = "AWSCognitoIdentityProviderService."
	for _, tt := range []struct {
		name, target, body string
		unsigned           bool
		status             int
		want               string
	}{
		{"unsigned", prefix + "ListUserPools", `{"MaxResults":1}`, true, 400,
			`{"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"}`},
		{"missing MaxResults", prefix + "ListUserPools", `{}`, false, 400,
			`{"__type":"InvalidParameterException","message":"1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null"}`},
		// '' breaks both the length and the pattern of identifier, and AWS
		// reports both (Cognito's InitiateAuth with ClientId "": "2 validation
		// errors detected: Value '' at 'clientId' … length …; Value '' at
		// 'clientId' … pattern …"); validation_test.go has the sources.
		{"four violations", prefix + "CreateResourceServer", `{"UserPoolId":"x","Identifier":""}`, false, 400,
			`{"__type":"InvalidParameterException","message":"4 validation errors detected: Value 'x' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+; Value '' at 'identifier' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '' at 'identifier' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\x21\\x23-\\x5B\\x5D-\\x7E]+; Value null at 'name' failed to satisfy constraint: Member must not be null"}`},
		{"unknown operation", prefix + "AdminCreateUser", `{}`, false, 400,
			`{"__type":"UnknownOperationException","message":"Tollgate does not implement the operation AdminCreateUser."}`},
		{"not JSON", prefix + "ListUserPools", `{"MaxResults":`, false, 400,
			`{"__type":"SerializationException","message":"The request body is not valid JSON."}`},
		{"wrong type", prefix + "ListUserPools", `{"MaxResults":"ten"}`, false, 400,
			`{"__type":"SerializationException","message":"Unexpected value for member MaxResults: want int."}`},
		{"empty body", prefix + "ListUserPools", ``, false, 400,
			`{"__type":"InvalidParameterException","message":"1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null"}`},
	} {
		call := f.raw
		if tt.unsigned {
			call = f.rawUnsigned
		}
		resp, b := call(t, tt.target, tt.body)
		if resp.StatusCode != tt.status || string(b) != tt.want {
			t.Errorf("%s: %d %s\nwant %d %s", tt.name, resp.StatusCode, b, tt.status, tt.want)
		}
		if resp.Header.Get("x-amzn-ErrorType") == "" || resp.Header.Get("x-amzn-RequestId") == "" || resp.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
			t.Errorf("%s: headers %v", tt.name, resp.Header)
		}
	}
}

// TestDomainErrors checks Cognito's answers to CreateUserPoolDomain calls
// it refuses, exactly; each row names its source.
func TestDomainErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.client
	pool := func(name string) *string {
		return try(c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String(name)})).must(t, "CreateUserPool").UserPool.Id
	}
	owner, other := pool("owner"), pool("other")
	try(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: owner, Domain: aws.String("taken-auth")})).must(t, "CreateUserPoolDomain")
	const invalidPrefix = `The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. ` +
		`Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`
	for _, tt := range []struct {
		name   string
		poolID *string
		domain string
		want   string
	}{
		// CloudFormation events quoting Cognito: aws-samples/websocket-chat-application#56,
		// aws-samples/amazon-elasticsearch-service-with-cognito#7, aws-samples/aws-cdk-examples#402.
		{"another pool's domain", other, "taken-auth", "Domain already associated with another user pool."},
		// pulumi/pulumi-aws#998, hashicorp/terraform-provider-aws#45551: creating the
		// domain a pool already has.
		{"the pool's own domain again", owner, "taken-auth", "Domain already exists."},
		// aws/aws-cdk#10062: a second prefix domain for a pool.
		{"a pool that has a domain", owner, "second-auth", "User pool already has a domain configured."},
		// mineiros-io/terraform-aws-cognito-user-pool#69: Cognito's own check of
		// DomainType's pattern, an InvalidParameterException, not a validation error.
		{"upper case", other, "My-auth", invalidPrefix},
		{"leading hyphen", other, "-auth", invalidPrefix},
		{"trailing hyphen", other, "auth-", invalidPrefix},
		{"underscore", other, "my_auth", invalidPrefix},
		{"a host name without CustomDomainConfig", other, "auth.example.com", invalidPrefix},
		// aws-solutions/content-analysis-on-aws#8 (CloudTrail: "Domain cannot contain
		// reserved word: aws"), aws-amplify/amplify-cli#3854 (": cognito"); the
		// developer guide lists aws, amazon and cognito.
		{"aws", other, "my-aws-auth", "Domain cannot contain reserved word: aws"},
		{"amazon", other, "amazon-login", "Domain cannot contain reserved word: amazon"},
		{"cognito", other, "newcognito", "Domain cannot contain reserved word: cognito"},
		{"two reserved words", other, "amazoncognito", "Domain cannot contain reserved word: amazon"},
		// The API reference's length constraint (1-63), in the validation form.
		{"too long", other, strings.Repeat("a", 64),
			"1 validation error detected: Value '" + strings.Repeat("a", 64) + "' at 'domain' failed to satisfy constraint: Member must have length less than or equal to 63"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: tt.poolID, Domain: aws.String(tt.domain)})
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterException" || ae.ErrorMessage() != tt.want {
				t.Errorf("got %v\nwant InvalidParameterException: %s", err, tt.want)
			}
		})
	}
	// Nothing was written; the longest prefix is taken.
	if d := try(c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: other})).must(t, "DescribeUserPool").UserPool.Domain; d != nil {
		t.Errorf("the refused calls gave the other pool domain %q", *d)
	}
	try(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: other, Domain: aws.String(strings.Repeat("a", 63))})).must(t, "CreateUserPoolDomain of 63 characters")
}

// raw sends body to the API as target, signed for us-east-1, and returns
// the response with its body read.
func (f *fixture) raw(t *testing.T, target, body string) (*http.Response, []byte) {
	t.Helper()
	req := f.rawRequest(target, body)
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: f.key.ID, SecretAccessKey: f.secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "cognito-idp", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return send(t, req)
}

// rawUnsigned is raw without a signature.
func (f *fixture) rawUnsigned(t *testing.T, target, body string) (*http.Response, []byte) {
	t.Helper()
	return send(t, f.rawRequest(target, body))
}

func (f *fixture) rawRequest(target, body string) *http.Request {
	req, _ := http.NewRequest("POST", f.url+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	return req
}

// send sends req and returns the response with its body read.
func send(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// TestEveryViolationReported sends requests that break several constraints
// of their operation's shape, as the SDKs would not send them, and checks
// that the answer reports all of them, in the model's member order, in
// AWS's words (validation_test.go cites the sources of each form).
func TestEveryViolationReported(t *testing.T) {
	f := newFixture(t)
	const prefix = "AWSCognitoIdentityProviderService."
	for _, tt := range []struct {
		name, op, body string
		want           string
	}{
		{"the issue's example", "CreateUserPoolClient", `{"UserPoolId":"us-east-1_abc","ClientName":"x/y","AccessTokenValidity":0}`,
			`2 validation errors detected: Value 'x/y' at 'clientName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+; ` +
				`Value '0' at 'accessTokenValidity' failed to satisfy constraint: Member must have value greater than or equal to 1`},
		{"every kind of constraint", "CreateUserPoolClient",
			`{"ClientName":"","ClientSecret":"short","RefreshTokenValidity":-1,"TokenValidityUnits":{"AccessToken":"weeks"},` +
				`"ExplicitAuthFlows":["ALLOW_MAGIC"],"AllowedOAuthFlows":["password"],"AuthSessionValidity":2}`,
			`9 validation errors detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null; ` +
				`Value '' at 'clientName' failed to satisfy constraint: Member must have length greater than or equal to 1; ` +
				`Value '' at 'clientName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+; ` +
				`Value at 'clientSecret' failed to satisfy constraint: Member must have length greater than or equal to 24; ` +
				`Value '-1' at 'refreshTokenValidity' failed to satisfy constraint: Member must have value greater than or equal to 0; ` +
				`Value 'weeks' at 'tokenValidityUnits.accessToken' failed to satisfy constraint: Member must satisfy enum value set: [seconds, minutes, hours, days]; ` +
				`Value '[ALLOW_MAGIC]' at 'explicitAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: ` +
				`[ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY, USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_CUSTOM_AUTH, ALLOW_USER_PASSWORD_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_AUTH]]; ` +
				`Value '[password]' at 'allowedOAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [implicit, client_credentials, code]]; ` +
				`Value '2' at 'authSessionValidity' failed to satisfy constraint: Member must have value greater than or equal to 3`},
		{"update", "UpdateUserPoolClient", `{"UserPoolId":"us-east-1_abc","ClientId":"a-b","IdTokenValidity":86401}`,
			`2 validation errors detected: Value 'a-b' at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+]+; ` +
				`Value '86401' at 'idTokenValidity' failed to satisfy constraint: Member must have value less than or equal to 86400`},
		{"nextToken before maxResults, as in the model", "ListUserPools", `{"MaxResults":0,"NextToken":""}`,
			`3 validation errors detected: Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1; ` +
				`Value '' at 'nextToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [\S]+; ` +
				`Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1`},
		{"pool enums", "CreateUserPool", `{"PoolName":"p","DeletionProtection":"SOMETIMES","MfaConfiguration":"MAYBE"}`,
			`2 validation errors detected: Value 'SOMETIMES' at 'deletionProtection' failed to satisfy constraint: Member must satisfy enum value set: [ACTIVE, INACTIVE]; ` +
				`Value 'MAYBE' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]`},
		{"scopes", "UpdateResourceServer", `{"UserPoolId":"us-east-1_abc","Identifier":"api","Name":"API","Scopes":[{"ScopeName":"a/b"},{"ScopeDescription":""}]}`,
			`4 validation errors detected: Value 'a/b' at 'scopes.1.member.scopeName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+; ` +
				`Value null at 'scopes.1.member.scopeDescription' failed to satisfy constraint: Member must not be null; ` +
				`Value null at 'scopes.2.member.scopeName' failed to satisfy constraint: Member must not be null; ` +
				`Value '' at 'scopes.2.member.scopeDescription' failed to satisfy constraint: Member must have length greater than or equal to 1`},
		{"secret id", "DeleteUserPoolClientSecret", `{"UserPoolId":"us-east-1_abc","ClientId":"abc","ClientSecretId":""}`,
			`1 validation error detected: Value '' at 'clientSecretId' failed to satisfy constraint: Member must have length greater than or equal to 1`},
		// DomainType's pattern is Cognito's own check (TestDomainErrors):
		// '' breaks only the length.
		{"domain", "CreateUserPoolDomain", `{"Domain":"","UserPoolId":"bad"}`,
			`2 validation errors detected: Value '' at 'domain' failed to satisfy constraint: Member must have length greater than or equal to 1; ` +
				`Value 'bad' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+`},
		{"custom domain without a certificate", "CreateUserPoolDomain", `{"Domain":"auth.example.com","UserPoolId":"us-east-1_abc","CustomDomainConfig":{}}`,
			`1 validation error detected: Value null at 'customDomainConfig.certificateArn' failed to satisfy constraint: Member must not be null`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, b := f.raw(t, prefix+tt.op, tt.body)
			var got struct{ Type, Message string }
			got.Type = resp.Header.Get("x-amzn-ErrorType")
			if err := json.Unmarshal(b, &struct {
				Message *string `json:"message"`
			}{&got.Message}); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if resp.StatusCode != 400 || got.Type != "InvalidParameterException" || got.Message != tt.want {
				t.Errorf("%d %s: %s\nwant 400 InvalidParameterException: %s", resp.StatusCode, got.Type, got.Message, tt.want)
			}
		})
	}
}

// TestRegions checks that, as Cognito's regional endpoints do, a call signed
// for one region sees only that region's pools: ListUserPools lists them,
// and a pool, its clients, resource servers and domain of another region do
// not exist for it.
func TestRegions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	eu, us := f.client, f.sdk(f.key.ID, f.secret, "us-east-1")
	euPool := try(eu.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("eu-pool")})).must(t, "CreateUserPool in eu-west-1").UserPool
	usPool := try(us.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("us-pool")})).must(t, "CreateUserPool in us-east-1").UserPool
	if !strings.HasPrefix(*usPool.Id, "us-east-1_") || !strings.HasSuffix(*usPool.Arn, ":userpool/"+*usPool.Id) || !strings.Contains(*usPool.Arn, ":us-east-1:") {
		t.Errorf("pool created with a us-east-1 signature: %s %s", *usPool.Id, *usPool.Arn)
	}
	try(eu.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: euPool.Id, Domain: aws.String("eu-auth")})).must(t, "CreateUserPoolDomain")
	client := try(eu.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: euPool.Id, ClientName: aws.String("c")})).must(t, "CreateUserPoolClient").UserPoolClient

	for _, tt := range []struct {
		c    *cip.Client
		want string
	}{{eu, "eu-pool"}, {us, "us-pool"}} {
		list := try(tt.c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})).must(t, "ListUserPools")
		if len(list.UserPools) != 1 || *list.UserPools[0].Name != tt.want {
			t.Errorf("ListUserPools signed for the region of %s: %+v", tt.want, list.UserPools)
		}
	}
	_, err := us.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: euPool.Id})
	wantAPIError(t, "DescribeUserPool of another region's pool", err, "ResourceNotFoundException", "User pool "+*euPool.Id+" does not exist.")
	_, err = us.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: euPool.Id})
	wantAPIError(t, "DeleteUserPool of another region's pool", err, "ResourceNotFoundException", "does not exist")
	_, err = us.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: euPool.Id, ClientId: client.ClientId})
	wantAPIError(t, "DescribeUserPoolClient in another region's pool", err, "ResourceNotFoundException", "does not exist")
	_, err = us.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: euPool.Id, Identifier: aws.String("x"), Name: aws.String("X")})
	wantAPIError(t, "CreateResourceServer in another region's pool", err, "ResourceNotFoundException", "does not exist")
	dd := try(us.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("eu-auth")})).must(t, "DescribeUserPoolDomain").DomainDescription
	if dd.UserPoolId != nil {
		t.Errorf("DescribeUserPoolDomain of another region's domain: %+v", dd)
	}
	dd = try(eu.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("eu-auth")})).must(t, "DescribeUserPoolDomain").DomainDescription
	if dd.UserPoolId == nil || *dd.UserPoolId != *euPool.Id {
		t.Errorf("DescribeUserPoolDomain in its region: %+v", dd)
	}
	try(eu.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: euPool.Id})).must(t, "DescribeUserPool in its region")
}

// TestShapes checks members and defaults of Cognito's responses that
// Tollgate only stores or shows: auth flows, a refresh token validity of 0,
// custom secrets, a pool's schema and message defaults, a domain's
// distribution.
func TestShapes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.client
	pool := try(c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("shapes")})).must(t, "CreateUserPool").UserPool
	names := map[string]types.SchemaAttributeType{}
	for _, a := range pool.SchemaAttributes {
		names[*a.Name] = a
	}
	if sub := names["sub"]; sub.Required == nil || !*sub.Required || *sub.Mutable || sub.AttributeDataType != types.AttributeDataTypeString ||
		*sub.StringAttributeConstraints.MinLength != "1" || len(pool.SchemaAttributes) != 20 ||
		names["email_verified"].AttributeDataType != types.AttributeDataTypeBoolean || names["updated_at"].AttributeDataType != types.AttributeDataTypeNumber {
		t.Errorf("SchemaAttributes: %d attributes, sub %+v", len(pool.SchemaAttributes), names["sub"])
	}
	if pool.VerificationMessageTemplate == nil || pool.VerificationMessageTemplate.DefaultEmailOption != types.DefaultEmailOptionTypeConfirmWithCode ||
		pool.EmailConfiguration == nil || pool.EmailConfiguration.EmailSendingAccount != types.EmailSendingAccountTypeCognitoDefault {
		t.Errorf("VerificationMessageTemplate %+v, EmailConfiguration %+v", pool.VerificationMessageTemplate, pool.EmailConfiguration)
	}

	// ExplicitAuthFlows: Cognito's default when omitted, kept when given.
	def := []types.ExplicitAuthFlowsType{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}
	cl := try(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.Id, ClientName: aws.String("a"), RefreshTokenValidity: 0})).must(t, "CreateUserPoolClient").UserPoolClient
	if !slices.Equal(cl.ExplicitAuthFlows, def) {
		t.Errorf("ExplicitAuthFlows of a new client: %v, want %v", cl.ExplicitAuthFlows, def)
	}
	given := []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
	upd := try(c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: pool.Id, ClientId: cl.ClientId, ExplicitAuthFlows: given})).must(t, "UpdateUserPoolClient").UserPoolClient
	desc := try(c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: pool.Id, ClientId: cl.ClientId})).must(t, "DescribeUserPoolClient").UserPoolClient
	if !slices.Equal(upd.ExplicitAuthFlows, given) || !slices.Equal(desc.ExplicitAuthFlows, given) {
		t.Errorf("ExplicitAuthFlows after update: %v, described %v, want %v", upd.ExplicitAuthFlows, desc.ExplicitAuthFlows, given)
	}
	upd = try(c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: pool.Id, ClientId: cl.ClientId})).must(t, "UpdateUserPoolClient").UserPoolClient
	if !slices.Equal(upd.ExplicitAuthFlows, def) {
		t.Errorf("ExplicitAuthFlows after an update without them: %v, want the default", upd.ExplicitAuthFlows)
	}
	_, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.Id, ClientName: aws.String("b"), ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_MAGIC"}})
	// A list's member is reported with the whole list (aws/aws-cdk#31795;
	// LocalStack's Lambda provider for enum lists).
	wantAPIError(t, "an unknown auth flow", err, "InvalidParameterException", "1 validation error detected: Value '[ALLOW_MAGIC]' at 'explicitAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ADMIN_NO_SRP_AUTH, ")

	// A refresh token validity of 0 is Cognito's default, 30 days.
	if cl.RefreshTokenValidity != 30 || cl.TokenValidityUnits.RefreshToken != types.TimeUnitsTypeDays {
		t.Errorf("RefreshTokenValidity 0: got %d %s", cl.RefreshTokenValidity, cl.TokenValidityUnits.RefreshToken)
	}
	upd = try(c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: pool.Id, ClientId: cl.ClientId, RefreshTokenValidity: 0,
		TokenValidityUnits: &types.TokenValidityUnitsType{RefreshToken: types.TimeUnitsTypeHours}})).must(t, "UpdateUserPoolClient with RefreshTokenValidity 0").UserPoolClient
	if upd.RefreshTokenValidity != 30 || upd.TokenValidityUnits.RefreshToken != types.TimeUnitsTypeDays {
		t.Errorf("RefreshTokenValidity 0 on update: got %d %s", upd.RefreshTokenValidity, upd.TokenValidityUnits.RefreshToken)
	}

	// A custom secret is the client's secret; with GenerateSecret it is refused.
	secret := "my_own_secret_of_thirty_two_chars"
	_, err = c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.Id, ClientName: aws.String("c"), GenerateSecret: true, ClientSecret: &secret})
	wantAPIError(t, "GenerateSecret with ClientSecret", err, "InvalidParameterException", "You cannot specify both GenerateSecret as true and provide a ClientSecret value.")
	own := try(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.Id, ClientName: aws.String("c"), ClientSecret: &secret})).must(t, "CreateUserPoolClient with a ClientSecret").UserPoolClient
	if own.ClientSecret == nil || *own.ClientSecret != secret {
		t.Errorf("a client created with a ClientSecret has secret %v", own.ClientSecret)
	}

	// A domain's description names a distribution.
	try(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: pool.Id, Domain: aws.String("shapes-auth")})).must(t, "CreateUserPoolDomain")
	dd := try(c.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("shapes-auth")})).must(t, "DescribeUserPoolDomain").DomainDescription
	if dd.CloudFrontDistribution == nil || *dd.CloudFrontDistribution != "shapes-auth.auth.eu-west-1.amazoncognito.com" {
		t.Errorf("CloudFrontDistribution %v", dd.CloudFrontDistribution)
	}
}
