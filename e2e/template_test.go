package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/function/functest"
)

// cdkOut is the cloud assembly examples/cdk/synth.sh wrote with aws-cdk-lib.
const cdkOut = "../examples/cdk/cdk.out"

var reLocalAPI = regexp.MustCompile(`(?m)^\s+NewRestApiEndpoint\w+ \(here\) = (\S+)`)

// TestCDKAssembly runs the committed cdk.out as it is: a token from the
// pool it declares calls the API it declares, which runs its Node.js
// function from the assembly's asset; running it again keeps every id and
// secret.
func TestCDKAssembly(t *testing.T) {
	needProgram(t, "node")
	data := t.TempDir()
	p, d := startDev(t, data, "--template", cdkOut)
	var apiURL string
	functest.Eventually(t, "the outputs", func() bool {
		m := reLocalAPI.FindStringSubmatch(p.Output())
		if m != nil {
			apiURL = m[1]
		}
		return m != nil
	})
	out := p.Output()
	for _, want := range []string{"ClientId = " + d.ClientID, "UserPoolId = " + d.PoolID, "TokenUrl (here) = " + d.TokenURL} {
		if !strings.Contains(out, want) {
			t.Errorf("outputs lack %q:\n%s", want, out)
		}
	}
	logs := p.Logs()
	for _, want := range []string{
		"not applicable: ProxyLambdaServiceRole8B09BC27 (AWS::IAM::Role)",
		"(AWS::Lambda::Permission)", "(AWS::Route53::RecordSet)",
		"not applicable: BootstrapVersion (parameter AWS::SSM::Parameter::Value<String>)",
		"not applicable: CheckBootstrapVersion (rule)",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, logs)
		}
	}

	token := getToken(t, d.TokenURL, d.ClientID, d.ClientSecret)
	call := func(auth string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodGet, apiURL+"hello/world", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if code, body := call(""); code != http.StatusUnauthorized {
		t.Errorf("without a token: %d %s, want 401", code, body)
	}
	code, body := call("Bearer " + token)
	if code != http.StatusOK {
		t.Fatalf("with a token: %d %s\n%s", code, body, p.Logs())
	}
	var got struct{ Message, Path, Method, ClientID, Scope string }
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if got.Message != "hello from the CDK stack" || got.Path != "/hello/world" || got.ClientID != d.ClientID || got.Scope != "default/default" {
		t.Errorf("function answered %+v", got)
	}
	p.stop()

	// Deploying again keeps ids and secrets.
	p2, d2 := startDev(t, data, "--template", cdkOut)
	if d2.ClientID != d.ClientID || d2.ClientSecret != d.ClientSecret || d2.PoolID != d.PoolID {
		t.Errorf("second run: pool %s client %s, want %s %s and the same secret", d2.PoolID, d2.ClientID, d.PoolID, d.ClientID)
	}
	p2.stop()

	// A changed template updates in place; a resource removed is deleted.
	changed := copyAssembly(t)
	tf := filepath.Join(changed, "OAuthApiStack.template.json")
	b, err := os.ReadFile(tf)
	if err != nil {
		t.Fatal(err)
	}
	var tmpl map[string]any
	if err := json.Unmarshal(b, &tmpl); err != nil {
		t.Fatal(err)
	}
	res := tmpl["Resources"].(map[string]any)
	delete(res, "UserPoolUserPoolCustomDomainC7FF9DF9")
	delete(res, "UserPoolCustomDomainAliasRecord52FDE2F6")
	res["UserPoolThirdPartyAppClient75B55233"].(map[string]any)["Properties"].(map[string]any)["ClientName"] = "Renamed"
	b, _ = json.Marshal(tmpl)
	if err := os.WriteFile(tf, b, 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, exit := run(t, nil, "outputs", "--data", data, "--template", changed, "--json")
	if exit != 0 {
		t.Fatalf("outputs: exit %d\n%s", exit, stderr)
	}
	for _, want := range []string{"updated client stack:OAuthApiStack/UserPool6BA7E5F2/UserPoolThirdPartyAppClient75B55233 (" + d.ClientID + "): userPoolClientName", "deleted domain"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	var outs []struct{ Key, Value string }
	if err := json.Unmarshal([]byte(stdout), &outs); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	found := false
	for _, o := range outs {
		if o.Key == "ClientId" {
			found = o.Value == d.ClientID
		}
	}
	if !found {
		t.Errorf("outputs --json: %s, want ClientId %s", stdout, d.ClientID)
	}
}

// copyAssembly copies the committed cdk.out to a temporary directory.
func copyAssembly(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(cdkOut, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(cdkOut, p)
		if e.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestTemplateProblems: a template with what Tollgate cannot run is
// refused before anything starts, every problem at its place.
func TestTemplateProblems(t *testing.T) {
	f := filepath.Join(t.TempDir(), "stack.yaml")
	text := `Parameters:
  Prefix: {Type: String}
Resources:
  Pool: {Type: AWS::Cognito::UserPool}
  Table:
    Type: AWS::DynamoDB::Table
  Queue:
    Type: AWS::SQS::Queue
`
	if err := os.WriteFile(f, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := run(t, nil, "serve", "--data", t.TempDir(), "--template", f)
	if code != 2 {
		t.Fatalf("exit %d, want 2\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "parameter Prefix has no default") {
		t.Errorf("stderr lacks the parameter problem:\n%s", stderr)
	}
	_, stderr, code = run(t, nil, "serve", "--data", t.TempDir(), "--template", f, "--parameter", "Prefix=x")
	for _, want := range []string{
		f + ":6:11: Resources.Table.Type: Table (AWS::DynamoDB::Table) is not supported",
		f + ":8:11: Resources.Queue.Type: Queue (AWS::SQS::Queue) is not supported",
		"nothing was started",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	// In the order of the file, and without a redundant exit status.
	if table, queue := strings.Index(stderr, "Resources.Table.Type"), strings.Index(stderr, "Resources.Queue.Type"); table > queue {
		t.Errorf("problems out of file order:\n%s", stderr)
	}
	if strings.Contains(stderr, "exit status") {
		t.Errorf("stderr repeats the exit status:\n%s", stderr)
	}
}

// stackTemplate is a small stack: a pool, a resource server and a client
// whose name and a function-free API refer to the pool's id.
const stackTemplate = `Resources:
  Pool:
    Type: AWS::Cognito::UserPool
    Properties: {UserPoolName: !Sub '${AWS::StackName}-pool'}
  Server:
    Type: AWS::Cognito::UserPoolResourceServer
    Properties: {UserPoolId: !Ref Pool, Identifier: api, Name: api, Scopes: [{ScopeName: read, ScopeDescription: read}]}
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Pool
      ClientName: !Sub '${Pool}-client'
      GenerateSecret: true
      AllowedOAuthFlows: [client_credentials]
      AllowedOAuthFlowsUserPoolClient: true
      AllowedOAuthScopes: [!Sub '${Server}/read']
Outputs:
  PoolId: {Value: !Ref Pool}
  ClientId: {Value: !Ref Client}
  ClientName: {Value: !GetAtt Client.Name}
`

// deployOutputs deploys a template with `tollgate outputs` and returns its
// outputs by key.
func deployOutputs(t *testing.T, data string, args ...string) map[string]string {
	t.Helper()
	stdout, stderr, exit := run(t, nil, append([]string{"outputs", "--data", data, "--master-key-file", filepath.Join(data, "master.key"), "--json"}, args...)...)
	if exit != 0 {
		t.Fatalf("outputs %v: exit %d\n%s", args, exit, stderr)
	}
	var outs []struct{ Key, Value string }
	if err := json.Unmarshal([]byte(stdout), &outs); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	m := map[string]string{}
	for _, o := range outs {
		m[o.Key] = o.Value
	}
	return m
}

// TestTemplateStacksAreIndependent: deploying a second stack to the same
// data directory leaves the first one's pool and client alone, and
// references to a pool resolve to its id in resource properties too.
func TestTemplateStacksAreIndependent(t *testing.T) {
	data, dir := t.TempDir(), t.TempDir()
	a, b := filepath.Join(dir, "first.yaml"), filepath.Join(dir, "second.yaml")
	key, _, code := run(t, nil, "master-key", "new")
	if code != 0 {
		t.Fatal("master-key new failed")
	}
	// Where dev looks for it, so that dev and outputs share the store.
	if err := os.WriteFile(filepath.Join(data, "master.key"), []byte(key), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{a, b} {
		if err := os.WriteFile(f, []byte(stackTemplate), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	outA := deployOutputs(t, data, "--template", a)
	if outA["ClientName"] != outA["PoolId"]+"-client" || !strings.HasPrefix(outA["PoolId"], "us-east-1_") {
		t.Errorf("the client's name is %q, want the pool's id %s and -client", outA["ClientName"], outA["PoolId"])
	}
	outB := deployOutputs(t, data, "--template", b)
	if outB["PoolId"] == outA["PoolId"] || outB["ClientId"] == outA["ClientId"] {
		t.Errorf("the second stack took the first one's objects: %v %v", outA, outB)
	}
	// The same file under another stack name is another stack as well.
	outC := deployOutputs(t, data, "--template", b, "--stack-name", "third")
	if outC["PoolId"] == outB["PoolId"] {
		t.Errorf("--stack-name third deployed over stack second: %v %v", outB, outC)
	}

	// The first stack is intact: deploying it again keeps its ids, and its
	// client gets a token.
	p, d := startDev(t, data, "--template", a)
	defer p.stop()
	if d.PoolID != outA["PoolId"] || d.ClientID != outA["ClientId"] {
		t.Fatalf("first stack deployed again: pool %s client %s, want %s %s", d.PoolID, d.ClientID, outA["PoolId"], outA["ClientId"])
	}
	getToken(t, d.TokenURL, d.ClientID, d.ClientSecret)
	stdout, _, exit := run(t, nil, "pools", "list", "--data", data)
	if exit != 0 || strings.Count(stdout, "-pool") != 3 {
		t.Errorf("pools list: exit %d, want the three stacks' pools:\n%s", exit, stdout)
	}
}
