package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

const envConfig = `
region: us-east-1
functions:
  - {id: Env, runtime: nodejs20.x, handler: index.env, code: %[1]s, timeout: 10s}
restApis:
  - id: Api
    resources:
      - path: /env
        methods:
          - {httpMethod: GET, integration: {type: AWS_PROXY, function: Env}}
`

// An operator who ran `tollgate access-keys create`, pasted the export
// line it prints and started Tollgate from that shell must not hand every
// function (user code, maybe hostile) that Tollgate access key: with it
// the management API (client secrets in the clear) and the Invoke API are
// open. Functions get placeholder credentials, as Lambda always sets its
// role's, which Tollgate's APIs refuse.
func TestFunctionsNeverGetTollgatesAWSCredentials(t *testing.T) {
	needProgram(t, "node")
	data := t.TempDir()
	code, _ := filepath.Abs("testdata/hostile")
	cfg := filepath.Join(t.TempDir(), "tollgate.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(envConfig, code)), 0o644); err != nil {
		t.Fatal(err)
	}
	first := start(t, nil, `^Stop with Ctrl-C`, "dev", "--data", data, "--listen", "127.0.0.1:0", "--config", cfg)
	first.stop() // dev made the master key; the operator now makes a key and exports it
	id, secret := accessKey(t, data)
	p := start(t, []string{"AWS_ACCESS_KEY_ID=" + id, "AWS_SECRET_ACCESS_KEY=" + secret, "AWS_SESSION_TOKEN=tok"},
		`^Stop with Ctrl-C`, "dev", "--data", data, "--listen", "127.0.0.1:0", "--config", cfg)
	api := reAPIURL.FindStringSubmatch(p.Output())[1]
	status, body := httpGet(t, api+"env")
	var env map[string]string
	if status != 200 || json.Unmarshal(body, &env) != nil {
		t.Fatalf("env: %d %s", status, body)
	}
	for k, v := range env {
		if strings.Contains(v, id) || strings.Contains(v, secret) {
			t.Errorf("the function's %s holds Tollgate's access key", k)
		}
	}
	fnID, fnSecret := env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
	if !strings.HasPrefix(fnID, "ASIA") || fnSecret == "" || env["AWS_SESSION_TOKEN"] == "" {
		t.Errorf("the function's access key id is %q, want a placeholder (ASIA…) with a secret and a session token, as Lambda's", fnID)
	}
	endpoint := strings.TrimSuffix(reTokenURL.FindStringSubmatch(p.Output())[1], "/oauth2/token")
	_, err := cognitoClient(endpoint, fnID, fnSecret).ListUserPools(context.Background(), &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})
	wantAPIError(t, "the management API with the function's credentials", err, "UnrecognizedClientException", "")
}
