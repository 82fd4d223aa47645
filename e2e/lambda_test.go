package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/tollgate/tollgate/internal/function/functest"
)

// lambdaConfig is a stack whose API is served by functions: a Node.js
// handler, a Go handler built with aws-lambda-go, and handlers that fail
// in each way a function can.
const lambdaConfig = `
region: us-east-1
userPools:
  - id: Pool
    resourceServers:
      - id: Rs
        identifier: api
        userPoolResourceServerName: API
        scopes:
          - {scopeName: read, scopeDescription: Read}
    clients:
      - id: App
        userPoolClientName: app
        generateSecret: true
        oAuth:
          flows: {clientCredentials: true}
          scopes: [api/read]
functions:
  - {id: NodeEcho, runtime: nodejs22.x, handler: index.handler, code: node, timeout: 10s}
  - {id: GoEcho, functionName: go-echo, runtime: provided.al2023, code: go, timeout: 10s}
  - {id: Failing, runtime: nodejs20.x, handler: fail.handler, code: node, timeout: 1s}
  - {id: Slow, runtime: nodejs20.x, handler: fail.slow, code: node, timeout: 5s}
restApis:
  - id: Api
    authorizers:
      - {id: Auth, cognitoUserPools: [Pool]}
    resources:
      - path: /node/{proxy+}
        methods:
          - httpMethod: ANY
            authorizer: Auth
            authorizationScopes: [api/read]
            integration: {type: AWS_PROXY, function: NodeEcho}
      - path: /go/{id}
        methods:
          - httpMethod: POST
            authorizer: Auth
            authorizationScopes: [api/read]
            integration: {type: AWS_PROXY, function: GoEcho}
      - path: /fail/{how}
        methods:
          - httpMethod: GET
            integration: {type: AWS_PROXY, function: Failing}
      - path: /slow
        methods:
          - httpMethod: GET
            integration: {type: AWS_PROXY, function: Slow, timeout: 1s}
`

const nodeEcho = `
export const handler = async (event, context) => ({
  statusCode: 200,
  headers: {"Content-Type": "application/json", "X-Function": context.functionName},
  body: JSON.stringify({event, requestId: context.awsRequestId, pid: process.pid}),
});
`

const nodeFail = `
exports.handler = async (event) => {
  switch (event.pathParameters && event.pathParameters.how) {
  case "throw": throw new Error("handler threw");
  case "crash": process.exit(7);
  case "hang": await new Promise(() => setInterval(() => {}, 1000)); break;
  case "malformed": return {statusCode: 200, wrongValue: 1};
  case "status": return {statusCode: "201", body: "created", multiValueHeaders: {"X-Multi": ["a", "b"]}};
  }
  return {statusCode: 200, body: "fine"};
};
exports.slow = async () => { await new Promise((r) => setTimeout(r, 3000)); return {statusCode: 200}; };
`

// writeLambdaStack writes the config, the Node code and the Go function
// (built here from examples/go-function, as a provided.al2023 bootstrap).
func writeLambdaStack(t *testing.T) string {
	t.Helper()
	needProgram(t, "node")
	dir := t.TempDir()
	files := map[string]string{
		"tollgate.yaml":     lambdaConfig,
		"node/index.mjs":    nodeEcho,
		"node/fail.js":      nodeFail,
		"node/package.json": `{"type":"commonjs"}`,
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "go", "bootstrap"), "../examples/go-function")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the Go function: %v\n%s", err, out)
	}
	return dir
}

// TestLambdaProxyAPI runs functions behind the gateway with the real
// binary, called by a golang.org/x/oauth2 client: the Node and Go handlers
// see API Gateway's event and their answers are mapped back; each way a
// function fails gives API Gateway's answer.
func TestLambdaProxyAPI(t *testing.T) {
	dir := writeLambdaStack(t)
	p, d := startDev(t, t.TempDir(), "--config", filepath.Join(dir, "tollgate.yaml"))
	m := reAPIURL.FindStringSubmatch(p.Output())
	if m == nil {
		t.Fatalf("no API URL:\n%s", p.Output())
	}
	apiURL := m[1]
	cc := clientcredentials.Config{ClientID: d.ClientID, ClientSecret: d.ClientSecret, TokenURL: d.TokenURL}
	client := cc.Client(ctxTimeout(t))

	// Node.js: the event as the handler received it.
	resp, err := client.Get(apiURL + "node/a/b?q=1&q=2")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Function") != "NodeEcho" || resp.Header.Get("x-amzn-RequestId") == "" {
		t.Fatalf("node: %s %v %s", resp.Status, resp.Header, body)
	}
	var node struct {
		Event     events.APIGatewayProxyRequest
		RequestID string
	}
	if err := json.Unmarshal(body, &node); err != nil {
		t.Fatalf("node body %s: %v", body, err)
	}
	ev := node.Event
	claims := ev.RequestContext.Authorizer["claims"].(map[string]any)
	if ev.Path != "/node/a/b" || ev.PathParameters["proxy"] != "a/b" || ev.Resource != "/node/{proxy+}" ||
		ev.RequestContext.Path != "/prod/node/a/b" || ev.QueryStringParameters["q"] != "2" ||
		len(ev.MultiValueQueryStringParameters["q"]) != 2 || claims["client_id"] != d.ClientID || claims["scope"] != "api/read" ||
		!strings.HasPrefix(ev.Headers["Authorization"], "Bearer ") || node.RequestID == "" {
		t.Errorf("node event: %+v (request id %q)", ev, node.RequestID)
	}

	// Go (aws-lambda-go, provided.al2023): a POST body round-trips, and the
	// response's multiValueHeaders come back.
	resp, err = client.Post(apiURL+"go/42", "application/json", strings.NewReader(`{"order":42}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	var goReply struct {
		Event        events.APIGatewayProxyRequest
		AwsRequestID string
		FunctionName string
		HasDeadline  bool
	}
	if err := json.Unmarshal(body, &goReply); err != nil || resp.StatusCode != 200 {
		t.Fatalf("go: %s %s (%v)", resp.Status, body, err)
	}
	if g := goReply.Event; g.Body != `{"order":42}` || g.HTTPMethod != "POST" || g.PathParameters["id"] != "42" ||
		goReply.FunctionName != "go-echo" || goReply.AwsRequestID == "" || !goReply.HasDeadline ||
		strings.Join(resp.Header.Values("X-Multi"), ",") != "a,b" {
		t.Errorf("go reply %+v, headers %v", goReply, resp.Header)
	}

	internal := `{"message": "Internal server error"}`
	for _, tc := range []struct {
		path   string
		status int
		body   string
	}{
		{"fail/ok", 200, "fine"},
		{"fail/status", 201, "created"},
		{"fail/throw", 502, internal},
		{"fail/crash", 502, internal},
		{"fail/malformed", 502, internal},
		{"fail/hang", 502, internal}, // the function's 1 s timeout is shorter than the integration's 29 s
		{"fail/ok", 200, "fine"},     // a new instance after the crash and the timeout
		{"slow", 504, `{"message": "Endpoint request timed out"}`},
	} {
		resp, body := call(t, "GET", apiURL+tc.path, "", nil)
		if resp.StatusCode != tc.status || string(body) != tc.body {
			t.Errorf("%s: %s %s, want %d %s", tc.path, resp.Status, body, tc.status, tc.body)
		}
	}
	// Function output reaches the log with the function's name.
	functest.Eventually(t, "the crash logged", func() bool {
		return regexp.MustCompile(`"function":"Failing"`).MatchString(p.Logs())
	})
}

// TestInvokeAPI calls functions through the Lambda Invoke API with the
// AWS SDK for Go v2, as `aws lambda invoke --endpoint-url` does, signed with
// the access key dev prints.
func TestInvokeAPI(t *testing.T) {
	dir := writeLambdaStack(t)
	p, d := startDev(t, t.TempDir(), "--config", filepath.Join(dir, "tollgate.yaml"))
	base := strings.TrimSuffix(d.TokenURL, "/oauth2/token")
	key := parseInvokeLine(t, p.Output())
	client := lambdaClient(base, key.Region, key.KeyID, key.Secret)
	ctx := context.Background()

	out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("go-echo"),
		Payload: []byte(`{"httpMethod":"PUT","path":"/direct","body":"hi"}`)})
	if err != nil {
		t.Fatal(err)
	}
	var res events.APIGatewayProxyResponse
	if err := json.Unmarshal(out.Payload, &res); err != nil || out.StatusCode != 200 || out.FunctionError != nil || res.StatusCode != 200 ||
		!strings.Contains(res.Body, `"httpMethod":"PUT"`) || aws.ToString(out.ExecutedVersion) != "$LATEST" {
		t.Fatalf("invoke go-echo: %+v payload %s (%v)", out, out.Payload, err)
	}

	// By ARN, a function error is a 200 with FunctionError.
	out, err = client.Invoke(ctx, &lambda.InvokeInput{
		FunctionName: aws.String("arn:aws:lambda:us-east-1:000000000000:function:Failing"),
		Payload:      []byte(`{"pathParameters":{"how":"throw"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "handler threw") {
		t.Errorf("invoke Failing: %+v %s", out, out.Payload)
	}

	// An unknown function is the SDK's ResourceNotFoundException, a 404
	// naming the version looked for ({"Message":"Function not found:
	// arn:aws:lambda:…:function:NAME:…","Type":"User"}, aarondfrancis/sidecar#23;
	// $LATEST without a qualifier: LocalStack, lambda_service.py, invoke).
	_, err = client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("nope"), Payload: []byte(`{}`)})
	var nf *types.ResourceNotFoundException
	if !errorsAs(err, &nf) {
		t.Errorf("unknown function: %v", err)
	}
	wantRefused(t, "unknown function", err, 404, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope:$LATEST")
	// An asynchronous invocation is accepted at once.
	ev, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("NodeEcho"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{}`)})
	if err != nil || ev.StatusCode != http.StatusAccepted {
		t.Errorf("Event invocation: %+v %v", ev, err)
	}
}

func errorsAs[T error](err error, target *T) bool { return errors.As(err, target) }

// TestInvokeAWSCLI runs the `aws lambda invoke` line dev prints, as
// printed, on a machine without AWS settings, then the CLI with a payload,
// and with a wrong secret, refused. It fails rather than skips without the
// CLI when CI is set (.ci/run installs it).
func TestInvokeAWSCLI(t *testing.T) {
	awsPath := needProgram(t, "aws")
	needProgram(t, "node") // ProxyLambda is a Node.js function
	p, d := startDev(t, t.TempDir())
	base := strings.TrimSuffix(d.TokenURL, "/oauth2/token")
	key := parseInvokeLine(t, p.Output())
	env := cliEnv(t)

	// The line as printed, run by a shell in an empty directory.
	work := t.TempDir()
	sh := exec.Command("sh", "-c", key.Line)
	sh.Dir, sh.Env = work, env
	meta, err := sh.CombinedOutput()
	b, _ := os.ReadFile(filepath.Join(work, "out.json"))
	var res events.APIGatewayProxyResponse
	if err != nil || json.Unmarshal(b, &res) != nil || res.StatusCode != 200 || !strings.Contains(string(meta), `"StatusCode": 200`) {
		t.Fatalf("dev's line %q: %v\n%s\nwrote %s", key.Line, err, meta, b)
	}

	invoke := func(secret string, args ...string) ([]byte, []byte, error) {
		out := filepath.Join(t.TempDir(), "out.json")
		args = append([]string{"lambda", "invoke", "--endpoint-url", base, "--function-name", "ProxyLambda"}, args...)
		if v, _ := exec.Command(awsPath, "--version").CombinedOutput(); strings.HasPrefix(string(v), "aws-cli/2") {
			args = append(args, "--cli-binary-format", "raw-in-base64-out")
		}
		cmd := exec.Command(awsPath, append(args, out)...)
		cmd.Env = append(env, "AWS_ACCESS_KEY_ID="+key.KeyID, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_DEFAULT_REGION="+key.Region)
		meta, err := cmd.CombinedOutput()
		b, _ := os.ReadFile(out)
		return meta, b, err
	}
	meta, b, err = invoke(key.Secret, "--payload", `{"path":"/from-cli"}`)
	if err != nil || json.Unmarshal(b, &res) != nil || res.StatusCode != 200 || !strings.Contains(res.Body, "/from-cli") {
		t.Errorf("aws lambda invoke --payload: %v\n%s\nwrote %s", err, meta, b)
	}
	// botocore prints AWS's error code and message.
	meta, _, err = invoke(strings.Repeat("x", 40), "--payload", `{}`)
	if err == nil || !strings.Contains(string(meta), "InvalidSignatureException") || !strings.Contains(string(meta), "signature we calculated does not match") {
		t.Errorf("aws lambda invoke with a wrong secret: %v\n%s", err, meta)
	}
}

// TestDevWithoutNode: on a machine without node, dev still serves the seed
// stack's API, with the echo backend answering for the Node.js function.
func TestDevWithoutNode(t *testing.T) {
	p := start(t, []string{"PATH=" + t.TempDir()}, `^Stop with Ctrl-C`,
		"dev", "--data", t.TempDir(), "--listen", "127.0.0.1:0")
	d := parseDev(t, p.Output())
	// The note goes to stderr before the server starts; stdout's line may
	// be read first.
	functest.Eventually(t, "the note about the echo backend", func() bool {
		return strings.Contains(p.Logs(), "node is not installed, so function ProxyLambda (nodejs22.x) is answered by the built-in echo backend")
	})
	m := reAPIURL.FindStringSubmatch(p.Output())
	tok := getToken(t, d.TokenURL, d.ClientID, d.ClientSecret)
	resp, body := call(t, "GET", m[1]+"hello/world", "Bearer "+tok, nil)
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(body, &ev); err != nil || resp.StatusCode != 200 || ev.PathParameters["proxy"] != "hello/world" ||
		ev.RequestContext.Authorizer["claims"].(map[string]any)["client_id"] != d.ClientID {
		t.Errorf("echo: %s %s", resp.Status, body)
	}
}
