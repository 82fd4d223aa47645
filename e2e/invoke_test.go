package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"

	"github.com/tollgate/tollgate/internal/awstest"
)

// reInvoke is dev's `aws lambda invoke` line: the credentials and region it
// needs, then the command on the next line.
var reInvoke = regexp.MustCompile(`(?m)^\s+Invoke:\s+(AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+) AWS_DEFAULT_REGION=(\S+) AWS_PAGER="" \\\n\s+aws lambda invoke .*)$`)

// invokeLine is what dev printed to invoke a function.
type invokeLine struct {
	Line, KeyID, Secret, Region string
}

func parseInvokeLine(t *testing.T, out string) invokeLine {
	t.Helper()
	m := reInvoke.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("dev printed no `aws lambda invoke` line with credentials:\n%s", out)
	}
	return invokeLine{m[1], m[2], m[3], m[4]}
}

func lambdaClient(endpoint, region, id, secret string) *lambda.Client {
	return lambda.New(lambda.Options{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(id, secret, ""),
		HTTPClient:   awstest.HTTPClient(), RetryMaxAttempts: 1,
	})
}

// wantRefused checks an SDK error: Lambda's error code, message and HTTP
// status.
func wantRefused(t *testing.T, what string, err error, status int, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	var re *awshttp.ResponseError
	if !errors.As(err, &ae) || !errors.As(err, &re) || re.HTTPStatusCode() != status || ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Errorf("%s: got %v, want %d %s with %q", what, err, status, code, msg)
	}
}

// TestInvokeAPIRequiresSigV4 calls the Invoke API on the main listener (a
// loopback address) and on the admin listener: a call signed with
// Tollgate's access key runs the function; unsigned, unknown-key,
// wrong-secret, wrong-service and partly signed calls get Lambda's
// refusals on both, and a deleted key stops working at once.
func TestInvokeAPIRequiresSigV4(t *testing.T) {
	needProgram(t, "node")
	dir := t.TempDir()
	p, d := startDev(t, dir, "--admin-listen", "127.0.0.1:0")
	admin := regexp.MustCompile(`Admin \(metrics, health\) on (\S+)`).FindStringSubmatch(p.Output())
	if admin == nil {
		t.Fatalf("no admin address printed:\n%s", p.Output())
	}
	key := parseInvokeLine(t, p.Output())
	mainURL := strings.TrimSuffix(d.TokenURL, "/oauth2/token")
	if !strings.HasPrefix(mainURL, "http://127.0.0.1:") {
		t.Fatalf("the main listener %s is not on loopback: the unsigned calls below would not be loopback calls", mainURL)
	}
	ctx := ctxTimeout(t)
	in := &lambda.InvokeInput{FunctionName: aws.String("ProxyLambda"), Payload: []byte(`{"path":"/signed"}`)}
	for _, base := range []string{mainURL, "http://" + admin[1]} {
		// Any region name is accepted, as by the management API.
		for _, region := range []string{key.Region, "eu-west-3"} {
			out, err := lambdaClient(base, region, key.KeyID, key.Secret).Invoke(ctx, in)
			if err != nil || out.StatusCode != 200 || out.FunctionError != nil || !strings.Contains(string(out.Payload), "/signed") {
				t.Fatalf("%s, %s: signed invoke: %v %+v", base, region, err, out)
			}
		}
		checkUnsigned(t, base)
		// 403 with AWS's codes and messages: UnrecognizedClientException
		// (iann0036/iamlive#58, a Lambda call) and InvalidSignatureException
		// (erlcloud/erlcloud#690, an Invoke).
		_, err := lambdaClient(base, key.Region, "AKIAAAAAAAAAAAAAAAAA", key.Secret).Invoke(ctx, in)
		wantRefused(t, base+": unknown key", err, 403, "UnrecognizedClientException", "The security token included in the request is invalid.")
		_, err = lambdaClient(base, key.Region, key.KeyID, strings.Repeat("x", 40)).Invoke(ctx, in)
		wantRefused(t, base+": wrong secret", err, 403, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided.")
		checkSignedRaw(t, base, key)
	}

	if _, errOut, code := run(t, nil, "--data", dir, "access-keys", "delete", key.KeyID); code != 0 {
		t.Fatalf("access-keys delete: %s", errOut)
	}
	_, err := lambdaClient(mainURL, key.Region, key.KeyID, key.Secret).Invoke(ctx, in)
	wantRefused(t, "deleted key", err, 403, "UnrecognizedClientException", "The security token included in the request is invalid.")
}

// checkUnsigned posts an unsigned invocation: Lambda's 403
// MissingAuthenticationTokenException, "Missing Authentication Token"
// (brefphp/bref#1250, POST …/2015-03-31/functions/…/invocations), with the
// front end's body, a lower-case "message" only (erlcloud/erlcloud#690).
func checkUnsigned(t *testing.T, base string) {
	t.Helper()
	resp, body := call(t, "POST", base+"/2015-03-31/functions/ProxyLambda/invocations", "", nil)
	if resp.StatusCode != 403 || resp.Header.Get("X-Amzn-ErrorType") != "MissingAuthenticationTokenException" ||
		string(body) != `{"message":"Missing Authentication Token"}` {
		t.Errorf("%s: unsigned invoke: %s %v %s", base, resp.Status, resp.Header, body)
	}
}

// checkSignedRaw signs invocations by hand with the SDK's signer: signed
// for another service, or with an x-amz-* header added after signing (a
// captured call replayed as another invocation type), they are refused.
func checkSignedRaw(t *testing.T, base string, key invokeLine) {
	t.Helper()
	dryRun := map[string]string{"X-Amz-Invocation-Type": "DryRun"}
	sign := func(service string, before, after map[string]string) *http.Request {
		body := `{}`
		req, _ := http.NewRequest("POST", base+"/2015-03-31/functions/ProxyLambda/invocations", strings.NewReader(body))
		for k, v := range before {
			req.Header.Set(k, v)
		}
		sum := sha256.Sum256([]byte(body))
		err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key.KeyID, SecretAccessKey: key.Secret},
			req, hex.EncodeToString(sum[:]), service, key.Region, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range after {
			req.Header.Set(k, v)
		}
		return req
	}
	for _, tc := range []struct {
		name    string
		req     *http.Request
		status  int
		errType string
		msg     string
	}{
		{"DryRun, signed", sign("lambda", dryRun, nil), 204, "", ""},
		// The SDK's signer leaves User-Agent unsigned
		// (aws/signer/internal/v4/headers.go, IgnoredHeaders).
		{"User-Agent added after signing", sign("lambda", dryRun, map[string]string{"User-Agent": "curl/8"}), 204, "", ""},
		{"signed for another service", sign("cognito-idp", dryRun, nil), 403, "InvalidSignatureException", `{"message":"Credential should be scoped to correct service: 'lambda'. "}`},
		{"invocation type changed after signing", sign("lambda", dryRun, map[string]string{"X-Amz-Invocation-Type": "Event"}), 403, "InvalidSignatureException",
			`{"message":"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}`},
		// The message AWS gives for a required header left unsigned ("'Host'
		// must be a 'SignedHeader' in the AWS Authorization.", in
		// mhart/dynalite's index.js; for other headers, in
		// dacut/scratchstack-aws-signature's tests).
		{"invocation type added after signing", sign("lambda", nil, dryRun), 403, "InvalidSignatureException",
			`{"message":"'x-amz-invocation-type' must be a 'SignedHeader' in the AWS Authorization."}`},
	} {
		resp, err := http.DefaultClient.Do(tc.req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("X-Amzn-ErrorType") != tc.errType || tc.msg != "" && string(b) != tc.msg {
			t.Errorf("%s: %s: %s %s %s", base, tc.name, resp.Status, resp.Header.Get("X-Amzn-ErrorType"), b)
		}
	}
}

// cliEnv is the environment of an AWS CLI run on a machine without AWS
// settings: the test machine's own (profiles, keys, region) are left out.
func cliEnv(t *testing.T) []string {
	t.Helper()
	home := t.TempDir()
	env := []string{"HOME=" + home, "AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"), "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	return env
}
