package propagation

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/tollgate/tollgate/internal/awstest"
)

// Admin makes the changes that are not OAuth requests: clients and their
// secrets through a node's Cognito management API (the AWS SDK, signed
// with an access key), and key rotation.
type Admin struct {
	api   []*cip.Client // by node
	pool  string
	scope string
	// Rotate retires the pool's active key at once: `tollgate keys rotate
	// POOL --force --retire-now`, which has no API.
	Rotate func(ctx context.Context) error
	n      atomic.Int64 // makes client names unique
}

// NewAdmin returns an Admin for the nodes, each given by its base URL,
// whose clients are created in pool with the one scope given.
func NewAdmin(nodes []string, accessKeyID, secretAccessKey, pool, scope string, rotate func(context.Context) error) *Admin {
	a := &Admin{pool: pool, scope: scope, Rotate: rotate}
	for _, base := range nodes {
		a.api = append(a.api, NewCognito(base, accessKeyID, secretAccessKey))
	}
	return a
}

// NewCognito returns an AWS SDK client of the management API at base,
// which never retries (a retried creation would create twice).
func NewCognito(base, accessKeyID, secretAccessKey string) *cip.Client {
	return cip.New(cip.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(base),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKeyID, secretAccessKey, ""),
		HTTPClient:   awstest.HTTPClient(), RetryMaxAttempts: 1,
	})
}

// CreateClient creates a client credentials client with a secret through
// node, named prefix and a number.
func (a *Admin) CreateClient(ctx context.Context, node int, prefix string) (id, secret string, err error) {
	out, err := a.api[node].CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: &a.pool, ClientName: aws.String(fmt.Sprintf("%s-%d", prefix, a.n.Add(1))), GenerateSecret: true,
		AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthScopes: []string{a.scope},
	})
	if err != nil {
		return "", "", fmt.Errorf("CreateUserPoolClient: %w", err)
	}
	return *out.UserPoolClient.ClientId, *out.UserPoolClient.ClientSecret, nil
}

// DeleteClient deletes a client through node.
func (a *Admin) DeleteClient(ctx context.Context, node int, id string) error {
	if _, err := a.api[node].DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: &a.pool, ClientId: &id}); err != nil {
		return fmt.Errorf("DeleteUserPoolClient: %w", err)
	}
	return nil
}

// AddSecret gives a client of one secret a second through node, and
// returns it with the id of the first.
func (a *Admin) AddSecret(ctx context.Context, node int, id string) (secret, firstID string, err error) {
	added, err := a.api[node].AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: &a.pool, ClientId: &id})
	if err != nil {
		return "", "", fmt.Errorf("AddUserPoolClientSecret: %w", err)
	}
	listed, err := a.api[node].ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: &a.pool, ClientId: &id})
	if err != nil {
		return "", "", fmt.Errorf("ListUserPoolClientSecrets: %w", err)
	}
	for _, s := range listed.ClientSecrets {
		if *s.ClientSecretId != *added.ClientSecretDescriptor.ClientSecretId {
			return *added.ClientSecretDescriptor.ClientSecretValue, *s.ClientSecretId, nil
		}
	}
	return "", "", errors.New("ListUserPoolClientSecrets: the first secret is not listed")
}

// DeleteSecret deletes a client's secret through node.
func (a *Admin) DeleteSecret(ctx context.Context, node int, id, secretID string) error {
	_, err := a.api[node].DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: &a.pool, ClientId: &id, ClientSecretId: &secretID})
	if err != nil {
		return fmt.Errorf("DeleteUserPoolClientSecret: %w", err)
	}
	return nil
}
