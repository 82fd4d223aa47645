package e2e

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/limit/limittest"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// Limits of redisLimitsConfig: the throttle's burst, the quota and the
// token quota each node would admit alone.
const (
	redisBurst      = 6
	redisQuota      = 5
	redisTokenQuota = 4
)

// redisLimitsConfig is an API whose GET /throttled and GET /counted
// require a key: ThrottleKey's plan throttles it to a burst of
// redisBurst refilled once in 1000 s (no refill during a test),
// QuotaKey's plan allows redisQuota requests a day; GET /open requires
// none. The client Metered may have redisTokenQuota tokens an hour.
//
// No CLI flag sets the limiter's Redis key prefix: the tests' counters are
// kept apart by their names, which hold the ids of the keys, plans and
// clients, generated anew in each test's database. The keys expire
// (limit.Redis sets an expiry on each).
var redisLimitsConfig = fmt.Sprintf(`region: us-east-1
userPools:
  - id: Pool
    resourceServers:
      - identifier: api
        userPoolResourceServerName: API
        scopes: [{scopeName: read, scopeDescription: Read}]
    clients:
      - id: Metered
        generateSecret: true
        oAuth: {flows: {clientCredentials: true}, scopes: [api/read]}
        tokenLimits: {perHour: %[3]d}
restApis:
  - id: Api
    deployOptions: {stageName: prod}
    resources:
      - path: /throttled
        methods:
          - {httpMethod: GET, apiKeyRequired: true, integration: {type: MOCK, body: '{"ok":true}'}}
      - path: /counted
        methods:
          - {httpMethod: GET, apiKeyRequired: true, integration: {type: MOCK, body: '{"ok":true}'}}
      - path: /open
        methods:
          - {httpMethod: GET, integration: {type: MOCK, body: '{"ok":true}'}}
apiKeys:
  - {id: ThrottleKey, apiKeyName: throttle, value: e2e-redis-throttle-key-0123}
  - {id: QuotaKey, apiKeyName: quota, value: e2e-redis-quota-key-0123456}
usagePlans:
  - id: Throttled
    throttle: {rateLimit: 0.001, burstLimit: %[1]d}
    apiStages: [{api: Api}]
    apiKeys: [ThrottleKey]
  - id: Quota
    quota: {limit: %[2]d, period: DAY}
    apiStages: [{api: Api}]
    apiKeys: [QuotaKey]
`, redisBurst, redisQuota, redisTokenQuota)

// Values of redisLimitsConfig's keys.
const (
	throttleKeyValue = "e2e-redis-throttle-key-0123"
	redisQuotaValue  = "e2e-redis-quota-key-0123456"
)

// limitNodes is three `tollgate serve` nodes on one PostgreSQL database
// (a schema of the test's own) with redisLimitsConfig, the same master
// key and the extra flags (--redis …).
type limitNodes struct {
	env      []string
	dir      string
	nodes    []*proc
	urls     []string // each node's base URL
	clientID string
	secret   string
}

func startLimitNodes(t *testing.T, extra ...string) *limitNodes {
	t.Helper()
	key, _, code := run(t, nil, "master-key", "new")
	if code != 0 {
		t.Fatal("master-key new failed")
	}
	n := &limitNodes{
		env: []string{"TOLLGATE_MASTER_KEY=" + strings.TrimSpace(key), "TOLLGATE_DATABASE=" + storetest.PostgresDSN(t)},
		dir: t.TempDir(),
	}
	cfg := filepath.Join(n.dir, "limits.yaml")
	writeFile(t, cfg, redisLimitsConfig)
	args := append([]string{"serve", "--config", cfg, "--listen", "127.0.0.1:0", "--data", n.dir, "--log-level", "warn"}, extra...)
	nodes := make([]*proc, 3)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Go(func() { nodes[i] = start(t, n.env, `^Tollgate is serving on`, args...) })
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	n.nodes = nodes
	for _, p := range nodes {
		n.urls = append(n.urls, "http://"+reServingOn.FindStringSubmatch(p.Output())[1])
	}
	// The config's one client (partnerCreds reads any config's only one).
	n.clientID, n.secret, _ = partnerCreds(t, n.env, "--data", n.dir)
	return n
}

// spread sends total requests to path with the key, node after node, and
// returns how many were admitted (200). Any answer but 200 and want must
// be a refusal of status refused.
func (n *limitNodes) spread(t *testing.T, path, keyValue string, total, refused int) int {
	t.Helper()
	admitted := 0
	for i := range total {
		u := n.urls[i%len(n.urls)] + "/apis/" + tollgate.RestAPIID("Api") + "/prod" + path
		resp, body := call(t, "GET", u, "", map[string]string{"x-api-key": keyValue})
		switch resp.StatusCode {
		case http.StatusOK:
			admitted++
		case refused:
		default:
			t.Fatalf("GET %s on node %d: %s %s, want 200 or %d", path, i%len(n.urls), resp.Status, body, refused)
		}
	}
	return admitted
}

// tokens asks for total tokens, node after node, and returns how many
// were issued; the others must be refused 429.
func (n *limitNodes) tokens(t *testing.T, total int) int {
	t.Helper()
	issued := 0
	for i := range total {
		resp, body := tokenAnswer(t, n.urls[i%len(n.urls)]+"/oauth2/token", n.clientID, n.secret)
		switch resp.StatusCode {
		case http.StatusOK:
			issued++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("token on node %d: %s %s", i%len(n.urls), resp.Status, body)
		}
	}
	return issued
}

// TestRedisLimitsCountedOnce runs three nodes sharing Redis (--redis) and
// three that do not, each set on its own database, and sends each limit
// three times its size spread evenly over the nodes: with Redis the nodes
// together admit exactly the limit (a plan's throttle burst, a plan's
// daily quota, a client's hourly token quota); without, each node admits
// its own share, three times the limit in all. After the nodes stop,
// `tollgate usage` shows each key's admitted requests, counted once.
func TestRedisLimitsCountedOnce(t *testing.T) {
	redisURL := limittest.RedisURL(t)
	for _, c := range []struct {
		name  string
		flags []string
		times int // how many times each limit the nodes admit together
	}{
		{"shared through redis", []string{"--redis", redisURL, "--redis-failure", "closed", "--redis-timeout", "5s"}, 1},
		{"each node alone", nil, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Quotas of a day and of an hour are counted: one window each.
			clearOfHourTurn(t, 3*time.Minute)
			n := startLimitNodes(t, c.flags...)
			if got, want := n.spread(t, "/throttled", throttleKeyValue, 3*redisBurst, http.StatusTooManyRequests), c.times*redisBurst; got != want {
				t.Errorf("a plan's throttle of burst %d: %d of %d requests over 3 nodes admitted, want %d", redisBurst, got, 3*redisBurst, want)
			}
			if got, want := n.spread(t, "/counted", redisQuotaValue, 3*redisQuota, http.StatusTooManyRequests), c.times*redisQuota; got != want {
				t.Errorf("a plan's quota of %d: %d of %d requests over 3 nodes admitted, want %d", redisQuota, got, 3*redisQuota, want)
			}
			// The nodes' recorders flush at shutdown: the store holds
			// the admitted requests of all three, once each.
			day := time.Now().UTC().Format(time.DateOnly)
			issued := n.tokens(t, 3*redisTokenQuota)
			if want := c.times * redisTokenQuota; issued != want {
				t.Errorf("a token quota of %d an hour: %d of %d tokens over 3 nodes issued, want %d", redisTokenQuota, issued, 3*redisTokenQuota, want)
			}
			for _, p := range n.nodes {
				p.stop()
			}
			keys := listAPIKeys(t, n.env, "--data", n.dir)
			for _, k := range []struct {
				name string
				want int
			}{{"throttle", c.times * redisBurst}, {"quota", c.times * redisQuota}} {
				key := keys[k.name]
				if len(key.UsagePlans) != 1 {
					t.Fatalf("key %s: %+v", k.name, key)
				}
				if got := usageOf(t, n.env, key.UsagePlans[0], day, day, "--data", n.dir).used(key.ID); got != k.want {
					t.Errorf("usage of key %s over the 3 nodes: %d, want the %d admitted", k.name, got, k.want)
				}
			}
		})
	}
}

// TestRedisUnreachable starts a node whose --redis names a closed port:
// with --redis-failure open it serves a plan's method and issues a quota's
// client a token as if no limit applied; with closed it answers 503 at the
// gateway (API Gateway's DEFAULT_5XX body) and 503 temporarily_unavailable
// (RFC 6749 §4.1.2.1) at the token endpoint. A method no limit applies to
// is served either way.
func TestRedisUnreachable(t *testing.T) {
	closed := "redis://" + freeAddr(t) + "/0"
	for _, policy := range []string{"open", "closed"} {
		t.Run(policy, func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(dir, "limits.yaml")
			writeFile(t, cfg, redisLimitsConfig)
			key, _, _ := run(t, nil, "master-key", "new")
			env := []string{"TOLLGATE_MASTER_KEY=" + strings.TrimSpace(key)}
			p := start(t, env, `^Tollgate is serving on`, "serve", "--config", cfg, "--data", dir, "--listen", "127.0.0.1:0",
				"--redis", closed, "--redis-failure", policy, "--redis-timeout", "1s")
			base := "http://" + reServingOn.FindStringSubmatch(p.Output())[1]
			api := base + "/apis/" + tollgate.RestAPIID("Api") + "/prod"
			clientID, secret, _ := partnerCreds(t, env, "--data", dir)

			resp, body := call(t, "GET", api+"/throttled", "", map[string]string{"x-api-key": throttleKeyValue})
			tresp, tbody := tokenAnswer(t, base+"/oauth2/token", clientID, secret)
			if policy == "open" {
				if resp.StatusCode != http.StatusOK {
					t.Errorf("a plan's method, failing open: %s %s, want 200", resp.Status, body)
				}
				if tresp.StatusCode != http.StatusOK {
					t.Errorf("a token of a client with quotas, failing open: %s %s, want 200", tresp.Status, tbody)
				}
			} else {
				// The REST gateway's DEFAULT_5XX answer as gateway's
				// response table gives it: 503 {"message":"Service
				// Unavailable"}, ServiceUnavailableException.
				wantAnswer(t, "a plan's method, failing closed", resp, body, http.StatusServiceUnavailable, `{"message":"Service Unavailable"}`, "ServiceUnavailableException")
				if code, _ := oauthErrorOf(t, "a token, failing closed", tbody); tresp.StatusCode != http.StatusServiceUnavailable || code != "temporarily_unavailable" {
					t.Errorf("a token of a client with quotas, failing closed: %s %s, want 503 temporarily_unavailable", tresp.Status, tbody)
				}
			}
			if resp, body := call(t, "GET", api+"/open", "", nil); resp.StatusCode != http.StatusOK {
				t.Errorf("a method without limits: %s %s, want 200", resp.Status, body)
			}
		})
	}
}
