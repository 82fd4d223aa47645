package cognitoapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/cognitoapi"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// TestConcurrentCreateUserPoolClientKeepsTheQuota has several
// CreateUserPoolClient calls race for the last place of a pool one client
// short of Cognito's 1,000: exactly one gets it, the others get
// LimitExceededException, and the pool ends at 1,000.
func TestConcurrentCreateUserPoolClientKeepsTheQuota(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// A handler of its own, without the fixture's OnChange counter, which
	// is not for concurrent calls.
	srv := httptest.NewServer(cognitoapi.New(cognitoapi.Options{Store: f.st, Vault: f.vault,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	api := f.sdk(f.key.ID, f.secret, "eu-west-1")

	pool := try(api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("full")})).must(t, "CreateUserPool").UserPool
	try(api.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: pool.Id, Identifier: aws.String("api"), Name: aws.String("api"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("read")}}})).must(t, "CreateResourceServer")
	storetest.FillPool(t, f.st, *pool.Id, tollgate.MaxClientsPerPool-1)

	const callers = 6
	errs := storetest.Race(callers, func(i int) error {
		_, err := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: pool.Id, ClientName: aws.String(fmt.Sprint("racer-", i)), GenerateSecret: true,
			AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{"client_credentials"},
			AllowedOAuthScopes: []string{"api/read"},
		})
		return err
	})
	created := storetest.Winners(errs, func(i int, err error) {
		wantAPIError(t, fmt.Sprint("caller ", i), err, "LimitExceededException",
			fmt.Sprintf("User pool %s already has the maximum number of app clients (%d).", *pool.Id, tollgate.MaxClientsPerPool))
	})
	clients, err := f.st.ListClients(ctx, *pool.Id)
	if err != nil || created != 1 || len(clients) != tollgate.MaxClientsPerPool {
		t.Errorf("%d calls created a client and the pool has %d (%v); want 1 and %d", created, len(clients), err, tollgate.MaxClientsPerPool)
	}
}

// TestConcurrentCreatesHaveOneWinner has CreateResourceServer calls with one
// identifier, then CreateUserPoolDomain calls with different prefixes for
// one pool, race: exactly one of each wins, and the others get the answers
// a create refused on its read gets (InvalidParameterException "… already
// exists in user pool …"; "User pool already has a domain configured.",
// aws/aws-cdk#10062), decided in the store's inserting transaction.
func TestConcurrentCreatesHaveOneWinner(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	srv := httptest.NewServer(cognitoapi.New(cognitoapi.Options{Store: f.st, Vault: f.vault,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	api := f.sdk(f.key.ID, f.secret, "eu-west-1")
	pool := try(api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("raced")})).must(t, "CreateUserPool").UserPool

	const callers = 8
	errs := storetest.Race(callers, func(i int) error {
		_, err := api.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: pool.Id, Identifier: aws.String("api"), Name: aws.String(fmt.Sprint("racer-", i))})
		return err
	})
	won := storetest.Winners(errs, func(i int, err error) {
		wantAPIError(t, fmt.Sprint("CreateResourceServer caller ", i), err, "InvalidParameterException",
			fmt.Sprintf("api already exists in user pool %s.", *pool.Id))
	})
	if won != 1 {
		t.Errorf("%d CreateResourceServer calls won, want 1", won)
	}

	errs = storetest.Race(callers, func(i int) error {
		_, err := api.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: pool.Id, Domain: aws.String(fmt.Sprint("racer-", i))})
		return err
	})
	won = storetest.Winners(errs, func(i int, err error) {
		wantAPIError(t, fmt.Sprint("CreateUserPoolDomain caller ", i), err, "InvalidParameterException", "User pool already has a domain configured.")
	})
	domains, err := f.st.ListDomains(ctx, *pool.Id)
	if err != nil || won != 1 || len(domains) != 1 {
		t.Errorf("%d CreateUserPoolDomain calls won and the pool has %d domains (%v); want 1 and 1", won, len(domains), err)
	}
}
