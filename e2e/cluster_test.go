package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// propagationTarget is the product's target for a change made on one node
// (a revocation, a client or secret deletion, a key rotation) to be
// enforced by every node, at the 99th percentile.
const propagationTarget = 100 * time.Millisecond

// changesPerKind is how many changes of each kind TestClusterPropagation
// makes. With 30, the nearest-rank p99 is the slowest of them.
const changesPerKind = 30

var reServingOn = regexp.MustCompile(`Tollgate is serving on (\S+) `)

// cluster is three `tollgate serve` nodes on one PostgreSQL database (a
// schema of the test's own) with the same config and master key, behind a
// real nginx whose URL is every node's public URL.
type cluster struct {
	env   []string // the master key and the database, for the nodes and the CLI
	dir   string
	nodes []*proc
	urls  []string // each node's own base URL
	lb    string   // nginx's base URL
	pool  string   // the config's pool id
	// partner is the config's client; it introspects every token (RFC
	// 7662 §2.1: the caller authenticates, and may ask about any token of
	// its pool).
	partnerID, partnerSecret string
	api                      []*cip.Client // the management API of each node
	keyID, keySecret         string        // the management API's access key
	apiURL                   string        // the gateway route's path: /apis/{id}/prod/ping
	http                     *http.Client
}

// startCluster starts the nodes at once (they apply the same config to one
// database, racing), then nginx in front of them. The nodes keep the
// default --poll-interval: what they learn from each other within less
// than that comes from the store's notifications, not from polling.
func startCluster(t *testing.T) *cluster {
	t.Helper()
	needProgram(t, "nginx")
	dsn := storetest.PostgresDSN(t)
	key, _, code := run(t, nil, "master-key", "new")
	if code != 0 {
		t.Fatal("master-key new failed")
	}
	c := &cluster{
		env:  []string{"TOLLGATE_MASTER_KEY=" + strings.TrimSpace(key), "TOLLGATE_DATABASE=" + dsn},
		dir:  t.TempDir(),
		http: &http.Client{Timeout: 10 * time.Second},
	}
	cfg := filepath.Join(c.dir, "cluster.yaml")
	writeFile(t, cfg, "userPools:\n"+partnerPool("api/read", "read")+`restApis:
  - id: Api
    authorizers: [{id: Auth, cognitoUserPools: [Pool]}]
    resources:
      - path: /{proxy+}
        methods:
          - {httpMethod: ANY, authorizer: Auth, authorizationScopes: [api/read], integration: {type: MOCK}}
`)
	lbAddr := freeAddr(t)
	c.lb = "http://" + lbAddr
	c.apiURL = "/apis/" + tollgate.RestAPIID("Api") + "/prod/ping"
	args := []string{"serve", "--config", cfg, "--listen", "127.0.0.1:0", "--data", c.dir, "--public-url", c.lb, "--log-level", "warn"}
	c.nodes = make([]*proc, 3)
	var wg sync.WaitGroup
	for i := range c.nodes {
		wg.Go(func() { c.nodes[i] = start(t, c.env, `^Tollgate is serving on`, args...) })
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	var upstream strings.Builder
	upstream.WriteString("  upstream tollgate {\n")
	for _, n := range c.nodes {
		addr := reServingOn.FindStringSubmatch(n.Output())[1]
		c.urls = append(c.urls, "http://"+addr)
		// One failure takes a node out for 30 s; a refused connection is
		// retried on the next node (the request was not sent), whatever
		// its method.
		fmt.Fprintf(&upstream, "    server %s max_fails=1 fail_timeout=30s;\n", addr)
	}
	upstream.WriteString("    keepalive 16;\n  }")
	runNginx(t, lbAddr, upstream.String(), `    location / {
      proxy_pass http://tollgate;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_connect_timeout 1s;
    }`)
	c.readConfigObjects(t)
	return c
}

// readConfigObjects finds the config's pool and client with the CLI, and
// makes an access key for the management API.
func (c *cluster) readConfigObjects(t *testing.T) {
	t.Helper()
	var clients []struct {
		ClientID string `json:"ClientId"`
		PoolID   string `json:"UserPoolId"`
	}
	out, stderr, code := run(t, c.env, "clients", "list", "--json", "--data", c.dir)
	if code != 0 {
		t.Fatalf("clients list: %s", stderr)
	}
	if unmarshal(t, out, &clients); len(clients) != 1 {
		t.Fatalf("clients after three nodes applied the same config: %s", out)
	}
	c.partnerID, c.pool = clients[0].ClientID, clients[0].PoolID
	out, stderr, code = run(t, c.env, "clients", "describe", c.partnerID, "--show-secret", "--json", "--data", c.dir)
	if code != 0 {
		t.Fatalf("clients describe: %s", stderr)
	}
	var desc struct{ ClientSecret string }
	unmarshal(t, out, &desc)
	c.partnerSecret = desc.ClientSecret
	out, stderr, code = run(t, c.env, "access-keys", "create", "--json", "--data", c.dir)
	if code != 0 {
		t.Fatalf("access-keys create: %s", stderr)
	}
	var k struct {
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string
	}
	unmarshal(t, out, &k)
	c.keyID, c.keySecret = k.AccessKeyID, k.SecretAccessKey
	for _, u := range c.urls {
		c.api = append(c.api, cognitoClient(u, c.keyID, c.keySecret))
	}
}

// token asks base's token endpoint for a token (client_secret_post). It
// returns the token, or "" and the OAuth error code of a refusal.
func (c *cluster) token(base, id, secret string) (tok, refusal string, err error) {
	resp, err := c.http.PostForm(base+"/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}})
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return "", "", fmt.Errorf("token endpoint: %s: %w", resp.Status, err)
	}
	if resp.StatusCode == http.StatusOK && body.AccessToken != "" {
		return body.AccessToken, "", nil
	}
	if body.Error == "" {
		return "", "", fmt.Errorf("token endpoint: %s without an error code", resp.Status)
	}
	return "", body.Error, nil
}

// refused reports whether base's token endpoint refuses the credentials as
// RFC 6749 §5.2's invalid_client; any other answer but a token is an error.
func (c *cluster) refused(base, id, secret string) (bool, error) {
	_, refusal, err := c.token(base, id, secret)
	if err != nil || refusal == "" {
		return false, err
	}
	if refusal != "invalid_client" {
		return false, fmt.Errorf("token endpoint refused with %s, want invalid_client", refusal)
	}
	return true, nil
}

// gateway calls the API's authorized route on base with tok and returns the
// status: 200 (MOCK) or 401.
func (c *cluster) gateway(base, tok string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, base+c.apiURL, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body) // drained for the connection's reuse; the status is the answer
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusUnauthorized {
		return 0, fmt.Errorf("gateway: %s", resp.Status)
	}
	return resp.StatusCode, nil
}

// active asks base's introspection endpoint (RFC 7662), as the partner
// client, whether tok is active.
func (c *cluster) active(base, tok string) (bool, error) {
	resp, err := c.http.PostForm(base+"/oauth2/introspect", url.Values{"token": {tok}, "client_id": {c.partnerID}, "client_secret": {c.partnerSecret}})
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	var body struct {
		Active *bool `json:"active"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK || body.Active == nil {
		return false, fmt.Errorf("introspection: %s (%v)", resp.Status, err)
	}
	return *body.Active, nil
}

// accepted reports whether tok passes the gateway and introspection on
// base; rejected whether both refuse it. A mixed answer is neither.
func (c *cluster) accepted(base, tok string) (accepted, rejected bool, err error) {
	status, err := c.gateway(base, tok)
	if err != nil {
		return false, false, err
	}
	active, err := c.active(base, tok)
	if err != nil {
		return false, false, err
	}
	return status == http.StatusOK && active, status == http.StatusUnauthorized && !active, nil
}

// mustToken gets a token from base or fails the test.
func (c *cluster) mustToken(t *testing.T, base, id, secret string) string {
	t.Helper()
	tok, refusal, err := c.token(base, id, secret)
	if err != nil || tok == "" {
		t.Fatalf("token from %s: %s %v", base, refusal, err)
	}
	return tok
}

// mustAccept fails the test unless every node (and nginx) lets tok through
// the gateway and introspects it as active.
func (c *cluster) mustAccept(t *testing.T, tok string) {
	t.Helper()
	for _, base := range append([]string{c.lb}, c.urls...) {
		if ok, _, err := c.accepted(base, tok); !ok {
			t.Fatalf("%s does not accept the token (gateway and introspection): %v", base, err)
		}
	}
}

// kidOf returns the kid of a token's JOSE header.
func kidOf(tok string) string {
	head, _, _ := strings.Cut(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return ""
	}
	var h struct{ Kid string }
	if json.Unmarshal(b, &h) != nil {
		return ""
	}
	return h.Kid
}

// TestClusterTokensWorkEverywhere: a token from nginx or from any node
// passes every node's gateway and introspection, and carries nginx's URL
// as its issuer, published by every node.
func TestClusterTokensWorkEverywhere(t *testing.T) {
	c := startCluster(t)
	for _, from := range append([]string{c.lb}, c.urls...) {
		tok := c.mustToken(t, from, c.partnerID, c.partnerSecret)
		c.mustAccept(t, tok)
		claims, _, _ := verify(t, c.lb+"/"+c.pool, tok)
		if claims.ClientID != c.partnerID || claims.Scope != "api/read" {
			t.Errorf("token from %s: claims %+v", from, claims)
		}
	}
}

// change is one change whose propagation is measured: before it, every
// node must accept what it takes away; make makes it on one node (or with
// the CLI) and returns once it is acknowledged; enforced reports whether a
// node enforces it; after, if set, checks what must still hold once every
// node does.
type change struct {
	make     func()
	enforced func(base string) (bool, error)
	after    func()
}

// TestClusterPropagation measures, for each kind of change made on one
// node (rotating over the three) or with the CLI, the delay from the
// moment the change is acknowledged until every node enforces it, and
// requires the p99 over changesPerKind changes to be within
// propagationTarget (100 ms): that is the product's target for several
// nodes on one PostgreSQL database, measured here end to end through real
// processes. The nodes keep the default 1 s poll interval, so only the
// store's change notifications can meet it.
//
// Each node is polled without pause by its own goroutine from the
// acknowledgement on, and the delay is taken when a probe first sees the
// change enforced: a sleep would only round the figure up to its own
// length. A probe's own latency (a millisecond or two on loopback) counts
// against the target. Enforced means:
//
//   - revocation (RFC 7009 §2.1, at /oauth2/revoke): the gateway answers
//     401 and introspection active=false (RFC 7662 §2.2);
//   - client deletion (DeleteUserPoolClient): the token endpoint refuses
//     its secret with invalid_client (RFC 6749 §5.2) and its token
//     introspects as inactive. The gateway verifies tokens offline, as API
//     Gateway's Cognito authorizer does, so it accepts the token until exp;
//   - secret deletion (DeleteUserPoolClientSecret): the token endpoint
//     refuses the deleted secret with invalid_client, the other still works;
//   - key rotation (`tollgate keys rotate --force --retire-now`, the answer
//     to a leaked key): tokens signed with the retired key are refused by
//     the gateway and introspection, and the token endpoint signs with
//     another key. A rotation without --retire-now keeps the retired key
//     published, and its tokens valid, until they expire.
func TestClusterPropagation(t *testing.T) {
	c := startCluster(t)
	for _, kind := range []struct {
		name    string
		prepare func(t *testing.T, node int) change
	}{
		{"revocation", c.revocation},
		{"client deletion", c.clientDeletion},
		{"secret deletion", c.secretDeletion},
		{"key rotation", c.keyRotation},
	} {
		t.Run(kind.name, func(t *testing.T) {
			delays := make([]time.Duration, 0, changesPerKind)
			for i := range changesPerKind {
				ch := kind.prepare(t, i%len(c.urls))
				ch.make()
				delays = append(delays, c.awaitEnforced(t, time.Now(), ch.enforced))
				if t.Failed() {
					return
				}
				if ch.after != nil {
					ch.after()
				}
			}
			q := quantiles(delays)
			t.Logf("%s, %d changes, delay until every node enforces it: p50 %v, p90 %v, p99 %v, max %v", kind.name, len(delays), q[0], q[1], q[2], q[3])
			if q[2] > propagationTarget {
				t.Errorf("%s: p99 %v is over the %v target", kind.name, q[2], propagationTarget)
			}
		})
	}
}

// quantiles returns the nearest-rank p50, p90, p99 and max of ds.
func quantiles(ds []time.Duration) [4]time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := func(p int) time.Duration { return s[max(0, (p*len(s)+99)/100-1)] }
	return [4]time.Duration{rank(50), rank(90), rank(99), s[len(s)-1]}
}

// awaitEnforced polls every node, each in its own goroutine and without
// pause, until enforced holds there, and returns the delay from ack until
// the last node did. A probe's error, or a node that does not enforce the
// change within 20 s, fails the test.
func (c *cluster) awaitEnforced(t *testing.T, ack time.Time, enforced func(base string) (bool, error)) time.Duration {
	t.Helper()
	delays := make([]time.Duration, len(c.urls))
	var wg sync.WaitGroup
	for i, base := range c.urls {
		wg.Go(func() {
			for {
				ok, err := enforced(base)
				now := time.Now()
				switch {
				case err != nil:
					t.Errorf("node %d: %v", i, err)
					return
				case ok:
					delays[i] = now.Sub(ack)
					return
				case now.Sub(ack) > 20*time.Second:
					t.Errorf("node %d does not enforce the change 20 s after it was acknowledged", i)
					return
				}
			}
		})
	}
	wg.Wait()
	return slices.Max(delays)
}

// revocation: a fresh token of the partner that every node accepts,
// revoked at node.
func (c *cluster) revocation(t *testing.T, node int) change {
	tok := c.mustToken(t, c.urls[node], c.partnerID, c.partnerSecret)
	c.mustAccept(t, tok)
	return change{
		make: func() {
			resp, body := postForm(t, c.urls[node]+"/oauth2/revoke", url.Values{"token": {tok}, "client_id": {c.partnerID}, "client_secret": {c.partnerSecret}}, "", "")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("revoke: %s %s", resp.Status, body)
			}
		},
		enforced: func(base string) (bool, error) {
			_, rejected, err := c.accepted(base, tok)
			return rejected, err
		},
	}
}

// newClient creates a client with a secret through node's management API.
func (c *cluster) newClient(t *testing.T, node int, name string) (id, secret string) {
	t.Helper()
	out, err := c.api[node].CreateUserPoolClient(ctxTimeout(t), &cip.CreateUserPoolClientInput{
		UserPoolId: &c.pool, ClientName: aws.String(name), GenerateSecret: true,
		AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthScopes: []string{"api/read"},
	})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	return *out.UserPoolClient.ClientId, *out.UserPoolClient.ClientSecret
}

// clientDeletion: a client whose secret works at every node and whose
// token every node introspects as active, deleted at node.
func (c *cluster) clientDeletion(t *testing.T, node int) change {
	id, secret := c.newClient(t, node, fmt.Sprintf("doomed-%d", time.Now().UnixNano()))
	tok := c.mustToken(t, c.urls[node], id, secret)
	for _, base := range c.urls {
		c.mustToken(t, base, id, secret)
		if active, err := c.active(base, tok); !active {
			t.Fatalf("%s: the new client's token is not active: %v", base, err)
		}
	}
	return change{
		make: func() {
			if _, err := c.api[node].DeleteUserPoolClient(ctxTimeout(t), &cip.DeleteUserPoolClientInput{UserPoolId: &c.pool, ClientId: &id}); err != nil {
				t.Fatalf("DeleteUserPoolClient: %v", err)
			}
		},
		enforced: func(base string) (bool, error) {
			refused, err := c.refused(base, id, secret)
			if !refused {
				return false, err
			}
			active, err := c.active(base, tok)
			return !active, err
		},
	}
}

// secretDeletion: a client with two secrets, both working at every node;
// the first is deleted at node. Once every node refuses it, the second
// must still work everywhere.
func (c *cluster) secretDeletion(t *testing.T, node int) change {
	ctx := ctxTimeout(t)
	id, old := c.newClient(t, node, fmt.Sprintf("rotating-%d", time.Now().UnixNano()))
	added, err := c.api[node].AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: &c.pool, ClientId: &id})
	if err != nil {
		t.Fatalf("AddUserPoolClientSecret: %v", err)
	}
	newer := *added.ClientSecretDescriptor.ClientSecretValue
	listed, err := c.api[node].ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: &c.pool, ClientId: &id})
	if err != nil || len(listed.ClientSecrets) != 2 {
		t.Fatalf("ListUserPoolClientSecrets: %v (%d secrets)", err, len(listed.ClientSecrets))
	}
	oldID := listed.ClientSecrets[0].ClientSecretId
	if *oldID == *added.ClientSecretDescriptor.ClientSecretId {
		oldID = listed.ClientSecrets[1].ClientSecretId
	}
	for _, base := range c.urls {
		c.mustToken(t, base, id, old)
		c.mustToken(t, base, id, newer)
	}
	return change{
		make: func() {
			if _, err := c.api[node].DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: &c.pool, ClientId: &id, ClientSecretId: oldID}); err != nil {
				t.Fatalf("DeleteUserPoolClientSecret: %v", err)
			}
		},
		enforced: func(base string) (bool, error) { return c.refused(base, id, old) },
		after: func() {
			for _, base := range c.urls {
				c.mustToken(t, base, id, newer)
			}
		},
	}
}

// keyRotation: a token every node accepts, signed with the pool's active
// key, which the CLI then retires at once.
func (c *cluster) keyRotation(t *testing.T, node int) change {
	tok := c.mustToken(t, c.urls[node], c.partnerID, c.partnerSecret)
	c.mustAccept(t, tok)
	kid := kidOf(tok)
	return change{
		make: func() {
			if _, stderr, code := run(t, c.env, "keys", "rotate", c.pool, "--force", "--retire-now", "--data", c.dir); code != 0 {
				t.Fatalf("keys rotate: exit %d: %s", code, stderr)
			}
		},
		enforced: func(base string) (bool, error) {
			_, rejected, err := c.accepted(base, tok)
			if !rejected {
				return false, err
			}
			fresh, _, err := c.token(base, c.partnerID, c.partnerSecret)
			return fresh != "" && kidOf(fresh) != kid, err
		},
	}
}

// failoverWindow is how long after a node is killed requests through
// nginx may fail: those in flight to the dead node, and those nginx sends
// on its kept-alive connections to it before it marks the node down.
const failoverWindow = 2 * time.Second

// TestClusterNodeKilled kills one node with SIGKILL while load runs
// through nginx: token requests, gateway calls and client creations
// through the management API. Every creation that was acknowledged is
// stored (listed afterwards through a surviving node), and the two other
// nodes keep serving: a request through nginx may fail only if it started
// within failoverWindow of the kill, never before it or after that window.
func TestClusterNodeKilled(t *testing.T) {
	c := startCluster(t)
	tok := c.mustToken(t, c.lb, c.partnerID, c.partnerSecret)
	lbAPI := cognitoClient(c.lb, c.keyID, c.keySecret)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var mu sync.Mutex
	var created []string
	create := func() error {
		out, err := lbAPI.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: &c.pool, ClientName: aws.String(fmt.Sprintf("load-%d", time.Now().UnixNano())), GenerateSecret: true,
			AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}, AllowedOAuthFlowsUserPoolClient: true,
			AllowedOAuthScopes: []string{"api/read"},
		})
		if err != nil {
			return err
		}
		mu.Lock()
		created = append(created, *out.UserPoolClient.ClientId)
		mu.Unlock()
		return nil
	}
	work := []func() error{
		func() error {
			_, refusal, err := c.token(c.lb, c.partnerID, c.partnerSecret)
			if err == nil && refusal != "" {
				err = errors.New("token endpoint refused: " + refusal)
			}
			return err
		},
		func() error {
			status, err := c.gateway(c.lb, tok)
			if err == nil && status != http.StatusOK {
				err = fmt.Errorf("gateway answered %d", status)
			}
			return err
		},
		create, create,
	}
	l := newLoad(len(work))
	for _, w := range work {
		l.wg.Go(func() { l.run(w) })
	}
	l.warm.Wait()
	l.killedAt = time.Now()
	close(l.killed)
	c.nodes[2].kill(t)
	l.wg.Wait()
	for _, f := range l.failures {
		t.Errorf("a request through nginx failed %v after the kill: %v", f.at.Sub(l.killedAt).Round(time.Millisecond), f.err)
	}
	for _, f := range l.tolerated {
		t.Logf("tolerated: a request through nginx started %v after the kill failed: %v", f.at.Sub(l.killedAt).Round(time.Millisecond), f.err)
	}
	t.Logf("%d requests through nginx failed within %v of the kill; %d clients created", len(l.tolerated), failoverWindow, len(created))

	stored := map[string]bool{}
	for page := cip.NewListUserPoolClientsPaginator(c.api[0], &cip.ListUserPoolClientsInput{UserPoolId: &c.pool, MaxResults: aws.Int32(60)}); page.HasMorePages(); {
		out, err := page.NextPage(ctxTimeout(t))
		if err != nil {
			t.Fatalf("ListUserPoolClients through a surviving node: %v", err)
		}
		for _, d := range out.UserPoolClients {
			stored[*d.ClientId] = true
		}
	}
	for _, id := range created {
		if !stored[id] {
			t.Errorf("client %s was acknowledged but is not stored", id)
		}
	}
}

// load is the load of TestClusterNodeKilled: workers that each repeat one
// request until the node is killed and they have succeeded afterSuccesses
// times past failoverWindow.
type load struct {
	wg, warm  sync.WaitGroup // warm: each worker has succeeded warmSuccesses times
	killed    chan struct{}  // closed as the node is killed; killedAt is set before
	killedAt  time.Time
	mu        sync.Mutex
	failures  []failure // failures that count
	tolerated []failure // failures within failoverWindow of the kill
}

type failure struct {
	at  time.Time
	err error
}

const (
	warmSuccesses  = 10
	afterSuccesses = 20
)

func newLoad(workers int) *load {
	l := &load{killed: make(chan struct{})}
	l.warm.Add(workers)
	return l
}

// run repeats w. A failure of a request that started before the kill
// (in flight when it came) or within failoverWindow after it is tolerated.
// Any other failure ends the worker, as does one
// minute past the kill without afterSuccesses successes.
func (l *load) run(w func() error) {
	var warmed sync.Once
	defer warmed.Do(l.warm.Done) // a worker that gave up before warming up
	for n, after := 0, 0; after < afterSuccesses; {
		started := time.Now()
		err := w()
		killed := false
		select {
		case <-l.killed:
			killed = true
		default:
		}
		switch {
		case err == nil:
			if n++; n == warmSuccesses {
				warmed.Do(l.warm.Done)
			}
			if killed && started.After(l.killedAt.Add(failoverWindow)) {
				after++
			}
		case killed && started.Before(l.killedAt.Add(failoverWindow)):
			l.mu.Lock()
			l.tolerated = append(l.tolerated, failure{started, err})
			l.mu.Unlock()
		default:
			l.fail(started, err)
			return
		}
		if killed && time.Since(l.killedAt) > time.Minute {
			l.fail(started, fmt.Errorf("only %d successes in the minute after the kill", after))
			return
		}
	}
}

func (l *load) fail(at time.Time, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures = append(l.failures, failure{at, err})
}

// kill ends the node with SIGKILL, as a crash would, and waits for it;
// the test's cleanup then expects nothing more of its exit.
func (p *proc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
	var ee *exec.ExitError
	if !errors.As(p.waitErr, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the node did not die of SIGKILL: %v", p.waitErr)
	}
	p.waitErr = nil
}
