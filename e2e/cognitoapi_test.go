package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/tollgate/tollgate/internal/awstest"
	"github.com/tollgate/tollgate/internal/propagation"
)

// accessKey creates a management API access key in dev's data directory
// with `tollgate access-keys create --json`.
func accessKey(t *testing.T, dataDir string) (id, secret string) {
	t.Helper()
	out, errOut, code := run(t, nil, "--data", dataDir, "access-keys", "create", "--json", "--description", "e2e")
	if code != 0 {
		t.Fatalf("access-keys create: exit %d: %s", code, errOut)
	}
	var k struct {
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string
	}
	if err := json.Unmarshal([]byte(out), &k); err != nil {
		t.Fatalf("access-keys create --json: %v\n%s", err, out)
	}
	if len(k.AccessKeyID) != 20 || !strings.HasPrefix(k.AccessKeyID, "AKIA") || len(k.SecretAccessKey) != 40 {
		t.Fatalf("access key %q / secret of %d characters: not AWS-shaped", k.AccessKeyID, len(k.SecretAccessKey))
	}
	return k.AccessKeyID, k.SecretAccessKey
}

// cognitoClient is the AWS SDK's client of the management API at endpoint
// (propagation.NewCognito: no retries, awstest's HTTP client).
var cognitoClient = propagation.NewCognito

func wantAPIError(t *testing.T, what string, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Errorf("%s: got %v, want %s with %q", what, err, code, msg)
	}
}

// TestCognitoAPIWithSDK manages pools and clients of a running dev server
// with the AWS SDK for Go v2, gets tokens for the clients it made and calls
// the seed API with one; what the config declares stays read-only.
func TestCognitoAPIWithSDK(t *testing.T) {
	dir := t.TempDir()
	p, d := startDev(t, dir)
	apiURL := reAPIURL.FindStringSubmatch(p.Output())[1]
	base := strings.TrimSuffix(d.TokenURL, "/oauth2/token")
	id, secret := accessKey(t, dir)
	c := cognitoClient(base, id, secret)
	ctx := ctxTimeout(t)

	// A pool of its own, with a resource server and an M2M client.
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("inventory")})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	poolID := *pool.UserPool.Id
	if !strings.HasPrefix(poolID, "us-east-1_") {
		t.Errorf("pool id %q is not in the signing region", poolID)
	}
	_, err = c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
		UserPoolId: &poolID, Identifier: aws.String("inventory"), Name: aws.String("Inventory"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("Read stock")}},
	})
	if err != nil {
		t.Fatalf("CreateResourceServer: %v", err)
	}
	created, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: &poolID, ClientName: aws.String("stock-sync"), GenerateSecret: true,
		AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthScopes: []string{"inventory/read"},
	})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	cl := created.UserPoolClient
	tok := getToken(t, d.TokenURL, *cl.ClientId, *cl.ClientSecret)
	claims, all, _ := verify(t, base+"/"+poolID, tok)
	if all["client_id"] != *cl.ClientId || all["scope"] != "inventory/read" || claims.TokenUse != "access" {
		t.Errorf("token claims %v", all)
	}

	// The seed pool is declared in the config: readable, not writable.
	seed, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &d.PoolID})
	if err != nil || *seed.UserPool.Id != d.PoolID {
		t.Fatalf("DescribeUserPool of the seed pool: %v", err)
	}
	_, err = c.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: &d.PoolID, ClientId: &d.ClientID})
	wantAPIError(t, "DeleteUserPoolClient of a declared client", err, "InvalidParameterException", "is declared in a config file or template (as \"UserPool/ThirdPartyAppClient\" in config seed)")

	// A client added by hand to the seed pool calls the seed API at once.
	extra, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: &d.PoolID, ClientName: aws.String("by-sdk"), GenerateSecret: true,
		AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthScopes: []string{"default/default"},
	})
	if err != nil {
		t.Fatalf("CreateUserPoolClient in the seed pool: %v", err)
	}
	ec := extra.UserPoolClient
	seedTok := getToken(t, d.TokenURL, *ec.ClientId, *ec.ClientSecret)
	resp, body := call(t, "GET", apiURL+"stock", "Bearer "+seedTok, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), *ec.ClientId) {
		t.Errorf("seed API with the new client's token: %s %s", resp.Status, body)
	}

	// Deleting the client refuses its secret at once.
	if _, err := c.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: &d.PoolID, ClientId: ec.ClientId}); err != nil {
		t.Fatalf("DeleteUserPoolClient: %v", err)
	}
	resp, body = postForm(t, d.TokenURL, url.Values{"grant_type": {"client_credentials"}, "client_id": {*ec.ClientId}, "client_secret": {*ec.ClientSecret}}, "", "")
	if resp.StatusCode == http.StatusOK || !strings.Contains(string(body), "invalid_client") {
		t.Errorf("token for a deleted client: %s %s", resp.Status, body)
	}

	// Unsigned and wrongly signed calls are refused.
	req, _ := http.NewRequest("POST", base+"/", strings.NewReader(`{"MaxResults":10}`))
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.ListUserPools")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 400 || string(b) != `{"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"}` {
		t.Errorf("unsigned call: %s %s", r.Status, b)
	}
	// A captured DescribeUserPool whose X-Amz-Target was not signed cannot
	// be replayed as a DeleteUserPool: the signature must cover it
	// (InvalidSignatureException, AWS's wording for a required header left
	// unsigned: "'Host' must be a 'SignedHeader' in the AWS Authorization."
	// in mhart/dynalite's index.js, the same for other headers in
	// dacut/scratchstack-aws-signature's tests).
	replay := signedWithout(t, base+"/", `{"UserPoolId":"`+poolID+`"}`, id, secret, "X-Amz-Target", "AWSCognitoIdentityProviderService.DeleteUserPool")
	r, err = http.DefaultClient.Do(replay)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 400 || string(b) != `{"__type":"InvalidSignatureException","message":"'x-amz-target' must be a 'SignedHeader' in the AWS Authorization."}` {
		t.Errorf("DeleteUserPool with an unsigned X-Amz-Target: %s %s", r.Status, b)
	}
	if _, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID}); err != nil {
		t.Errorf("the pool is gone after a refused replay: %v", err)
	}
	// A call signed for another region does not see the seed pool, as
	// Cognito's regional endpoints do not.
	euClient := cip.New(cip.Options{Region: "eu-west-1", BaseEndpoint: aws.String(base),
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, ""), HTTPClient: awstest.HTTPClient(), RetryMaxAttempts: 1})
	_, err = euClient.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &d.PoolID})
	wantAPIError(t, "DescribeUserPool signed for another region", err, "ResourceNotFoundException", "User pool "+d.PoolID+" does not exist.")
	if list, err := euClient.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)}); err != nil || len(list.UserPools) != 0 {
		t.Errorf("ListUserPools signed for another region: %v %v", list, err)
	}
	_, err = cognitoClient(base, id, strings.Repeat("x", 40)).ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})
	wantAPIError(t, "wrong secret", err, "InvalidSignatureException", "signature we calculated does not match")

	// A deleted access key is refused at once.
	if _, errOut, code := run(t, nil, "--data", dir, "access-keys", "delete", id); code != 0 {
		t.Fatalf("access-keys delete: %s", errOut)
	}
	_, err = c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})
	wantAPIError(t, "deleted access key", err, "UnrecognizedClientException", "security token included in the request is invalid")
}

// TestCognitoAPIWithAWSCLI drives the API with the AWS CLI, as a user would
// with --endpoint-url, gets a token for the client it made and calls the
// seed API with a client it added to the seed pool. It fails rather than
// skips without the CLI when CI is set (.ci/run installs it).
func TestCognitoAPIWithAWSCLI(t *testing.T) {
	awsPath := needProgram(t, "aws")
	dir := t.TempDir()
	p, d := startDev(t, dir)
	apiURL := reAPIURL.FindStringSubmatch(p.Output())[1]
	base := strings.TrimSuffix(d.TokenURL, "/oauth2/token")
	id, secret := accessKey(t, dir)
	home := t.TempDir()
	env := []string{
		"HOME=" + home, "AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_ACCESS_KEY_ID=" + id, "AWS_SECRET_ACCESS_KEY=" + secret, "AWS_DEFAULT_REGION=eu-central-1", "AWS_PAGER=",
	}
	for _, kv := range os.Environ() { // none of the machine's AWS settings
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	awsCLI := func(args ...string) (map[string]any, string, error) {
		t.Helper()
		cmd := exec.Command(awsPath, append(append([]string{"cognito-idp"}, args...), "--endpoint-url", base, "--output", "json")...)
		cmd.Env = env
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		out := map[string]any{}
		if s := strings.TrimSpace(stdout.String()); s != "" {
			if jerr := json.Unmarshal([]byte(s), &out); jerr != nil {
				t.Fatalf("aws %s: output is not JSON: %v\n%s", args[0], jerr, s)
			}
		}
		return out, stderr.String(), err
	}
	mustCLI := func(args ...string) map[string]any {
		t.Helper()
		out, stderr, err := awsCLI(args...)
		if err != nil {
			t.Fatalf("aws cognito-idp %s: %v\n%s", strings.Join(args, " "), err, stderr)
		}
		return out
	}
	get := func(m map[string]any, path ...string) string {
		var v any = m
		for _, p := range path {
			v = v.(map[string]any)[p]
		}
		s, _ := v.(string)
		return s
	}

	poolID := get(mustCLI("create-user-pool", "--pool-name", "cli-pool"), "UserPool", "Id")
	if !strings.HasPrefix(poolID, "eu-central-1_") {
		t.Fatalf("pool id %q", poolID)
	}
	mustCLI("create-resource-server", "--user-pool-id", poolID, "--identifier", "reports", "--name", "Reports",
		"--scopes", "ScopeName=read,ScopeDescription=Read reports")
	cl := mustCLI("create-user-pool-client", "--user-pool-id", poolID, "--client-name", "cli-client", "--generate-secret",
		"--allowed-o-auth-flows", "client_credentials", "--allowed-o-auth-scopes", "reports/read",
		"--allowed-o-auth-flows-user-pool-client", "--access-token-validity", "15", "--token-validity-units", "AccessToken=minutes")
	clientID := get(cl, "UserPoolClient", "ClientId")
	desc := mustCLI("describe-user-pool-client", "--user-pool-id", poolID, "--client-id", clientID)
	clientSecret := get(desc, "UserPoolClient", "ClientSecret")
	if clientSecret == "" || clientSecret != get(cl, "UserPoolClient", "ClientSecret") {
		t.Fatalf("describe-user-pool-client: secret %q", clientSecret)
	}
	resp, body := postForm(t, d.TokenURL, url.Values{"grant_type": {"client_credentials"}, "scope": {"reports/read"}}, clientID, clientSecret)
	var tr tokenResponse
	if resp.StatusCode != 200 || json.Unmarshal(body, &tr) != nil || tr.ExpiresIn != 900 {
		t.Fatalf("token: %s %s", resp.Status, body)
	}
	_, all, _ := verify(t, base+"/"+poolID, tr.AccessToken)
	if all["client_id"] != clientID || all["scope"] != "reports/read" {
		t.Errorf("claims %v", all)
	}

	// The CLI's region (eu-central-1) sees its own pools only; the seed
	// pool is in us-east-1.
	list := mustCLI("list-user-pools", "--max-results", "10")
	if pools, _ := list["UserPools"].([]any); len(pools) != 1 || pools[0].(map[string]any)["Id"] != poolID {
		t.Errorf("list-user-pools: %v", list)
	}
	list = mustCLI("list-user-pools", "--max-results", "10", "--region", "us-east-1")
	if pools, _ := list["UserPools"].([]any); len(pools) != 1 || pools[0].(map[string]any)["Id"] != d.PoolID {
		t.Errorf("list-user-pools --region us-east-1: %v", list)
	}
	mustCLI("create-user-pool-domain", "--user-pool-id", poolID, "--domain", "cli-reports")
	if got := get(mustCLI("describe-user-pool-domain", "--domain", "cli-reports"), "DomainDescription", "UserPoolId"); got != poolID {
		t.Errorf("describe-user-pool-domain: pool %q", got)
	}

	// AWS's errors, as the CLI prints them.
	_, stderr, err := awsCLI("describe-user-pool", "--user-pool-id", "eu-central-1_nope")
	if err == nil || !strings.Contains(stderr, "ResourceNotFoundException") || !strings.Contains(stderr, "User pool eu-central-1_nope does not exist.") {
		t.Errorf("describe-user-pool of an unknown pool: %v %s", err, stderr)
	}
	_, stderr, err = awsCLI("delete-user-pool", "--user-pool-id", poolID)
	if err == nil || !strings.Contains(stderr, "InvalidParameterException") || !strings.Contains(stderr, "domain configured") {
		t.Errorf("delete-user-pool with a domain: %v %s", err, stderr)
	}

	// A client added to the seed pool (in us-east-1) calls the seed API
	// through the gateway with its token.
	seedCl := mustCLI("create-user-pool-client", "--region", "us-east-1", "--user-pool-id", d.PoolID, "--client-name", "cli-seed",
		"--generate-secret", "--allowed-o-auth-flows", "client_credentials", "--allowed-o-auth-scopes", "default/default",
		"--allowed-o-auth-flows-user-pool-client")
	seedID, seedSecret := get(seedCl, "UserPoolClient", "ClientId"), get(seedCl, "UserPoolClient", "ClientSecret")
	seedTok := getToken(t, d.TokenURL, seedID, seedSecret)
	resp, body = call(t, "GET", apiURL+"stock", "Bearer "+seedTok, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), seedID) {
		t.Errorf("seed API with the CLI client's token: %s %s", resp.Status, body)
	}
	mustCLI("delete-user-pool-client", "--region", "us-east-1", "--user-pool-id", d.PoolID, "--client-id", seedID)

	mustCLI("delete-user-pool-domain", "--user-pool-id", poolID, "--domain", "cli-reports")
	mustCLI("delete-user-pool-client", "--user-pool-id", poolID, "--client-id", clientID)
	mustCLI("delete-resource-server", "--user-pool-id", poolID, "--identifier", "reports")
	mustCLI("delete-user-pool", "--user-pool-id", poolID)
}

// signedWithout signs a JSON 1.1 POST with the SDK's signer, then sets a
// header the signature does not cover, as a replay of a call from a signer
// that left it out would carry.
func signedWithout(t *testing.T, u, body, id, secret, header, value string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("POST", u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	sum := sha256.Sum256([]byte(body))
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: id, SecretAccessKey: secret},
		req, hex.EncodeToString(sum[:]), "cognito-idp", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(header, value)
	return req
}
