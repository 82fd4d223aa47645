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
