package e2e

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/vault"
)

// ownedConfig declares one pool with the given clients, each with a
// generated secret and the client_credentials flow.
func ownedConfig(pool string, clients ...string) string {
	src := "userPools:\n  - id: " + pool + "\n    resourceServers:\n      - identifier: api\n        scopes: [{scopeName: read, scopeDescription: Read}]\n    clients:\n"
	for _, c := range clients {
		src += "      - id: " + c + "\n        generateSecret: true\n        oAuth: {flows: {clientCredentials: true}, scopes: [api/read]}\n"
	}
	return src
}

// devClients returns the client ids and secrets dev printed, in order.
func devClients(t *testing.T, out string) (ids, secrets []string) {
	t.Helper()
	for _, m := range reClientID.FindAllStringSubmatch(out, -1) {
		ids = append(ids, m[1])
	}
	for _, m := range reSecret.FindAllStringSubmatch(out, -1) {
		secrets = append(secrets, m[1])
	}
	if len(ids) == 0 || len(ids) != len(secrets) {
		t.Fatalf("dev output: %d client ids, %d secrets:\n%s", len(ids), len(secrets), out)
	}
	return ids, secrets
}

// runToExit runs a tollgate command that must exit by itself; a command
// that serves instead is killed after a minute and fails the test.
func runToExit(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("tollgate %s did not exit within a minute:\n%s%s", strings.Join(args, " "), out.String(), errOut.String())
	}
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// TestConfigsShareADataDirectory runs two configs, one after the other, in
// one data directory: each owns its objects, so the second leaves the
// first's pool, client ids and secrets alone, and the first runs again
// with the same ones. Removing a client with a secret from a config is
// refused and listed without --prune, and done with it.
func TestConfigsShareADataDirectory(t *testing.T) {
	data, files := t.TempDir(), t.TempDir()
	alpha, beta := filepath.Join(files, "alpha.yaml"), filepath.Join(files, "beta.yaml")
	writeFile(t, alpha, ownedConfig("AlphaPool", "Main", "Extra"))
	writeFile(t, beta, ownedConfig("BetaPool", "Main"))

	p, a := startDev(t, data, "--config", alpha)
	aIDs, aSecrets := devClients(t, p.Output())
	p.stop()

	p, b := startDev(t, data, "--config", beta)
	bBase := strings.TrimSuffix(b.TokenURL, "/oauth2/token")
	claims, _, _ := verify(t, bBase+"/"+a.PoolID, getToken(t, b.TokenURL, a.ClientID, a.ClientSecret))
	if claims.ClientID != a.ClientID {
		t.Errorf("alpha's client after running beta: token for %q", claims.ClientID)
	}
	p.stop()

	p, again := startDev(t, data, "--config", alpha)
	if again.PoolID != a.PoolID || again.ClientID != a.ClientID || again.ClientSecret != a.ClientSecret {
		t.Errorf("alpha after beta: pool %s client %s, want pool %s client %s and the same secret", again.PoolID, again.ClientID, a.PoolID, a.ClientID)
	}
	p.stop()

	// Extra leaves alpha: refused, and listed, without --prune.
	writeFile(t, alpha, ownedConfig("AlphaPool", "Main"))
	stdout, stderr, code := runToExit(t, "dev", "--data", data, "--listen", "127.0.0.1:0", "--config", alpha)
	if code == 0 || strings.Contains(stdout, "Stop with Ctrl-C") {
		t.Fatalf("dev without --prune: exit %d\n%s", code, stdout)
	}
	for _, want := range []string{`config "alpha"`, "delete client config:alpha/AlphaPool/Extra (" + aIDs[1] + ") with 1 secret", "--prune"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("dev without --prune: stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, aSecrets[1]) {
		t.Error("the refusal shows the client's secret")
	}

	p, pruned := startDev(t, data, "--config", alpha, "--prune")
	getToken(t, pruned.TokenURL, a.ClientID, a.ClientSecret)
	getToken(t, pruned.TokenURL, b.ClientID, b.ClientSecret)
	resp, body := postForm(t, pruned.TokenURL, url.Values{"grant_type": {"client_credentials"}}, aIDs[1], aSecrets[1])
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "invalid_client") {
		t.Errorf("the pruned client: %s %s, want 401 invalid_client", resp.Status, body)
	}
	if logs := p.Logs(); !strings.Contains(logs, "config pruned") || !strings.Contains(logs, aIDs[1]) {
		t.Errorf("the prune is not logged:\n%s", logs)
	}
}

// A template's stack keeps CloudFormation's semantics, deleting what the
// template drops: --prune means nothing there, and is refused rather than
// ignored.
func TestPruneIsForConfigs(t *testing.T) {
	_, stderr, code := runToExit(t, "dev", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--template", cdkOut, "--prune")
	if code != 2 || !strings.Contains(stderr, "--prune is for --config") {
		t.Errorf("dev --template --prune: exit %d\n%s", code, stderr)
	}
}

// TestSeedDataFromBeforeConfigNames starts dev on a data directory written
// as an older Tollgate left it, with bare logical ids as ConfigKeys: dev
// adopts the seed's objects and prints the same pool, client id and
// secret, which get tokens.
func TestSeedDataFromBeforeConfigNames(t *testing.T) {
	data := t.TempDir()
	pool, clientID, secret := writeOldSeed(t, data)

	p, d := startDev(t, data)
	if d.PoolID != pool || d.ClientID != clientID || d.ClientSecret != secret {
		t.Errorf("dev on old data: pool %s client %s, want pool %s client %s and the same secret", d.PoolID, d.ClientID, pool, clientID)
	}
	claims, _, _ := verify(t, d.Issuer, getToken(t, d.TokenURL, clientID, secret))
	if claims.ClientID != clientID {
		t.Errorf("token for %q", claims.ClientID)
	}
	if logs := p.Logs(); !strings.Contains(logs, "adopted client config:seed/UserPool/ThirdPartyAppClient ("+clientID+")") {
		t.Errorf("the adoption is not logged:\n%s", logs)
	}
}

// writeOldSeed writes the seed's pool, resource server, client (with a
// secret sealed under the data directory's master key) and domain the way
// dev did before config files had names, and returns the ids and secret.
func writeOldSeed(t *testing.T, data string) (poolID, clientID, secret string) {
	t.Helper()
	ctx := context.Background()
	key, _, err := vault.LoadOrCreateKeyFile(filepath.Join(data, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.New(key)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.Open(ctx, filepath.Join(data, "tollgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	p := &tollgate.UserPool{ID: tollgate.NewPoolID("us-east-1"), Name: "UserPool", Region: "us-east-1", ConfigKey: "UserPool", CreatedAt: now, UpdatedAt: now}
	c := &tollgate.Client{ID: tollgate.NewClientID(), PoolID: p.ID, Name: "ThirdPartyClientName",
		AllowedOAuthFlows: []string{tollgate.FlowClientCredentials}, AllowedOAuthScopes: []string{"default/default"},
		AccessTokenValidity: tollgate.DefaultAccessTokenValidity, IDTokenValidity: tollgate.DefaultIDTokenValidity,
		RefreshTokenValidity: tollgate.Validity{Value: 5, Unit: tollgate.Days}, ConfigKey: "UserPool/ThirdPartyAppClient", CreatedAt: now, UpdatedAt: now}
	secret = tollgate.NewClientSecret()
	hash, sealed := v.ProtectSecret(c.ID, secret)
	c.Secrets = []tollgate.ClientSecret{{ID: tollgate.NewSecretID(), Hash: hash, Sealed: sealed, CreatedAt: now}}
	for _, err := range []error{
		st.CreatePool(ctx, p),
		st.PutResourceServer(ctx, &tollgate.ResourceServer{PoolID: p.ID, Identifier: "default", Name: "Custom default resource server",
			Scopes: []tollgate.Scope{{Name: "default", Description: "Custom default scope"}}, ConfigKey: "UserPool/ResourceServer", CreatedAt: now, UpdatedAt: now}),
		st.CreateClient(ctx, c),
		st.PutDomain(ctx, &tollgate.Domain{Domain: "tollgate-seed", PoolID: p.ID, ConfigKey: "UserPool/UserPoolDomain", CreatedAt: now}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return p.ID, c.ID, secret
}
