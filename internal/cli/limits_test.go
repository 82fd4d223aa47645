package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/limit/limittest"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// TestRedisFlags: --redis takes redis:// and rediss:// URLs and yields
// the host the log may show; other schemes, hosts missing, unknown
// failure modes and non-positive timeouts are refused with exit 2, and no
// answer repeats the URL's password.
func TestRedisFlags(t *testing.T) {
	const secret = "s3cr3t-pw"
	for _, c := range []struct {
		url, failure string
		timeout      time.Duration
		host, err    string
	}{
		{"", "open", time.Second, "", ""},
		{"redis://:" + secret + "@cache.internal:6380/0", "closed", 100 * time.Millisecond, "cache.internal:6380", ""},
		{"rediss://user:" + secret + "@cache.internal", "open", 100 * time.Millisecond, "cache.internal:6379", ""},
		{"http://:" + secret + "@cache.internal:6379", "open", time.Second, "", `scheme "http"`},
		{"redis://:" + secret + "@/0", "open", time.Second, "", "no host"},
		{"redis://:" + secret + "@h:6379/%zz", "open", time.Second, "", "not a URL"},
		{"", "sometimes", time.Second, "", `--redis-failure "sometimes"`},
		{"", "open", 0, "", "--redis-timeout 0s"},
	} {
		f := limitFlags{redisURL: c.url, redisPrefix: "tollgate:", redisFailure: c.failure, redisTimeout: c.timeout}
		host, err := f.check()
		if c.err == "" {
			if err != nil || host != c.host {
				t.Errorf("%q: host %q, %v; want %q", c.url, host, err, c.host)
			}
			continue
		}
		var code exitError
		if err == nil || !strings.Contains(err.Error(), c.err) || !errors.As(err, &code) || code != 2 {
			t.Errorf("%q %s %s: %v; want exit 2 with %q", c.url, c.failure, c.timeout, err, c.err)
		} else if strings.Contains(err.Error(), secret) {
			t.Errorf("%q: the error shows the password: %v", c.url, err)
		}
	}
}

// TestOpenLimitersLogsMode: without --redis the log says limits are
// counted in this process only; with it, where they are shared, naming the
// host and never the password.
func TestOpenLimitersLogsMode(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	l, err := openLimiters(limitFlags{redisPrefix: "tollgate:", redisFailure: "open", redisTimeout: time.Second}, log)
	if err != nil {
		t.Fatal(err)
	}
	if l.shared != nil || !l.failOpen || !strings.Contains(buf.String(), "limits counted in this process only") {
		t.Errorf("without --redis: shared %v, fail open %v, log %q", l.shared, l.failOpen, buf.String())
	}
	if err := l.Close(); err != nil {
		t.Error(err)
	}
	buf.Reset()
	l, err = openLimiters(limitFlags{redisURL: "redis://:pw-secret@127.0.0.1:6379", redisPrefix: "tollgate:", redisFailure: "closed", redisTimeout: time.Second}, log)
	if err != nil {
		// The Redis limiter is not bound in this build: its error names
		// the host alone.
		if strings.Contains(err.Error(), "pw-secret") || !strings.Contains(err.Error(), "127.0.0.1:6379") {
			t.Errorf("error %q", err)
		}
		return
	}
	defer l.Close()
	if l.shared == nil || l.failOpen || !strings.Contains(buf.String(), "limits shared through redis at 127.0.0.1:6379") || strings.Contains(buf.String(), "pw-secret") {
		t.Errorf("with --redis: shared %v, fail open %v, log %q", l.shared, l.failOpen, buf.String())
	}
}

// devAPIKeyConfig is an API with GET /items requiring a key of plan Basic.
func devAPIKeyConfig(value, source string) *config.Config {
	return &config.Config{
		RestAPIs: []config.RestAPI{{ID: "Api", APIKeySourceType: source, Resources: []config.Resource{
			{Path: "/items/{id}", Methods: []config.Method{{HTTPMethod: "GET", APIKeyRequired: true}}},
			{Path: "/items", Methods: []config.Method{{HTTPMethod: "POST", APIKeyRequired: true}, {HTTPMethod: "GET", APIKeyRequired: true}}},
		}}},
		APIKeys:    []config.APIKey{{ID: "PartnerKey", Value: value}},
		UsagePlans: []config.UsagePlan{{ID: "Basic", APIStages: []config.PlanAPIStage{{API: "Api"}}, APIKeys: []string{"PartnerKey"}}},
	}
}

// TestDevAPIKeyLines: a method requiring a key gets a curl line with a
// key this run knows (the config's value, or one the apply generated), a
// placeholder and the hint to make one otherwise, and nothing when the
// key comes from an authorizer; new keys are printed once with their id.
func TestDevAPIKeyLines(t *testing.T) {
	const url = "http://127.0.0.1:8080/apis/api/prod/"
	for _, c := range []struct {
		name, value, source string
		created             []newAPIKey
		want                []string
	}{
		{"config value", "cfg-value-0123456789ab", "", nil,
			[]string{"Call /items with an API key:\n\ncurl -H 'x-api-key: cfg-value-0123456789ab' " + url + "items\n"}},
		{"generated", "", "HEADER", []newAPIKey{{LogicalID: "PartnerKey", KeyID: "abc1234567", Value: "gen0123456789abcdefghij"}},
			[]string{"API key PartnerKey (id abc1234567): gen0123456789abcdefghij — shown once\n", "curl -H 'x-api-key: gen0123456789abcdefghij' " + url + "items\n"}},
		{"unknown", "", "", nil,
			[]string{"tollgate api-keys create --usage-plan Basic\n", "  curl -H 'x-api-key: YOUR_API_KEY' " + url + "items\n"}},
		{"quote", "it's-0123456789abcdefgh", "", nil,
			[]string{`curl -H 'x-api-key: it'\''s-0123456789abcdefgh' ` + url + "items\n"}},
	} {
		var stdout, stderr strings.Builder
		a := newApp(&stdout, &stderr)
		cfg := devAPIKeyConfig(c.value, c.source)
		printNewAPIKeys(a.stdout, c.created)
		m, ok := firstAPIKeyMethod(cfg, &cfg.RestAPIs[0], c.created)
		if !ok {
			t.Fatalf("%s: no method requiring a key", c.name)
		}
		a.printAPIKeyCall(url, m, "")
		for _, w := range c.want {
			if !strings.Contains(stdout.String(), w) {
				t.Errorf("%s: output lacks %q:\n%s", c.name, w, stdout.String())
			}
		}
	}
	cfg := devAPIKeyConfig("", "AUTHORIZER")
	if _, ok := firstAPIKeyMethod(cfg, &cfg.RestAPIs[0], nil); ok {
		t.Error("a method whose key an authorizer names got a line")
	}
}

// TestShellQuote: sh reads a quoted value back unchanged.
func TestShellQuote(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"plain0123456789abcdefg", `it's "quoted" $HOME \n` + "`x`"} {
		out, err := exec.Command(sh, "-c", "printf %s "+shellQuote(v)).Output()
		if err != nil || string(out) != v {
			t.Errorf("%q came back %q, %v", v, out, err)
		}
	}
}

// serve names the API keys an apply generated and never prints their
// values; dev prints each once.
func TestPrintNewAPIKeysServeHidesValues(t *testing.T) {
	keys := []newAPIKey{{LogicalID: "PartnerKey", KeyID: "abc1234567", Value: "gen0123456789abcdefghij"}}
	var serve, dev strings.Builder
	nameNewAPIKeys(&serve, keys)
	printNewAPIKeys(&dev, keys)
	if s := serve.String(); strings.Contains(s, keys[0].Value) || !strings.Contains(s, "PartnerKey (id abc1234567)") || !strings.Contains(s, "tollgate api-keys create") {
		t.Errorf("serve prints %q", s)
	}
	if !strings.Contains(dev.String(), keys[0].Value) {
		t.Errorf("dev prints %q", dev.String())
	}
}

// --redis-prefix takes 1 to maxRedisPrefix printable characters.
func TestRedisPrefixFlag(t *testing.T) {
	for prefix, ok := range map[string]bool{
		"tollgate-staging:":                   true,
		strings.Repeat("p", maxRedisPrefix):   true,
		"":                                    false,
		"two words:":                          false,
		"tab\t:":                              false,
		"é:":                                  false,
		strings.Repeat("p", maxRedisPrefix+1): false,
	} {
		f := limitFlags{redisURL: "redis://cache.internal", redisPrefix: prefix, redisFailure: "open", redisTimeout: time.Second}
		_, err := f.check()
		var code exitError
		if ok && err != nil || !ok && (!errors.As(err, &code) || code != 2 || !strings.Contains(err.Error(), "--redis-prefix")) {
			t.Errorf("--redis-prefix %q: %v", prefix, err)
		}
	}
}

// TOLLGATE_REDIS gives --redis its default, so that a URL with a password
// need not be an argument (ps shows arguments); the flag's help says so,
// and --redis-prefix defaults to limit.DefaultPrefix.
func TestRedisURLFromEnv(t *testing.T) {
	const url = "redis://:env-secret@cache.internal:6379/0"
	t.Setenv("TOLLGATE_REDIS", url)
	var f limitFlags
	cmd := &cobra.Command{Use: "x"}
	f.register(cmd)
	if err := cmd.ParseFlags(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.check(); err != nil || f.redisURL != url || f.redisPrefix != "tollgate:" {
		t.Errorf("redis %q, prefix %q", f.redisURL, f.redisPrefix)
	}
	fl := cmd.Flags().Lookup("redis")
	if !strings.Contains(fl.Usage, "TOLLGATE_REDIS") {
		t.Errorf("--redis help %q does not name TOLLGATE_REDIS", fl.Usage)
	}
	// The help prints the default: an env URL's password would show in
	// --help, so the flag's default is checked not to be quoted there.
	var help strings.Builder
	cmd.SetOut(&help)
	_ = cmd.Help()
	if strings.Contains(help.String(), "env-secret") {
		t.Errorf("--help shows the env URL's password:\n%s", help.String())
	}
	if err := cmd.ParseFlags([]string{"--redis", "redis://other:6379"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.check(); err != nil || f.redisURL != "redis://other:6379" {
		t.Errorf("--redis over the env: %q, %v", f.redisURL, err)
	}
	if !slices.Contains(secretEnv, "TOLLGATE_REDIS") {
		t.Error("TOLLGATE_REDIS is not removed from the environment (secretEnv)")
	}
}

// --redis-prefix separates deployments sharing one Redis: the same key
// under two prefixes is two buckets, under one prefix one.
func TestRedisPrefixSeparates(t *testing.T) {
	url := limittest.RedisURL(t)
	open := func(prefix string) limit.Limiter {
		l, err := openLimiters(limitFlags{redisURL: url, redisPrefix: prefix, redisFailure: "closed", redisTimeout: time.Second}, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = l.Close() })
		return l.shared
	}
	run := rand.Text()
	a, b, a2 := open("tollgate-clitest:"+run+":a:"), open("tollgate-clitest:"+run+":b:"), open("tollgate-clitest:"+run+":a:")
	// One request per hour: the test cannot outlast a cell. The keys
	// expire with it (plus the limiter's grace).
	check := []limit.Check{{Key: "stage:api1:prod", Rate: limit.Rate{PerSecond: 1.0 / 3600, Burst: 1}}}
	now := time.Now()
	take := func(l limit.Limiter) bool {
		r, err := l.Take(context.Background(), now, check)
		if err != nil {
			t.Fatal(err)
		}
		return r.Allowed()
	}
	if !take(a) {
		t.Fatal("first take refused")
	}
	if take(a2) {
		t.Error("the same prefix: a second bucket")
	}
	if !take(b) {
		t.Error("another prefix shares the bucket")
	}
}

// dev prefers an enabled key for its curl line; with only a disabled key
// known it says so instead of printing a line that answers 403.
func TestDevAPIKeyLineDisabledKey(t *testing.T) {
	const url = "http://127.0.0.1:8080/apis/x/prod/"
	no, yes := false, true
	for _, c := range []struct {
		name string
		keys []config.APIKey
		want string
		not  string
	}{
		{"only disabled", []config.APIKey{{ID: "DevKey", Value: "dev-key-0123456789abcdef", Enabled: &no}},
			"API key DevKey is disabled", "x-api-key: dev-key"},
		{"an enabled one after", []config.APIKey{{ID: "DevKey", Value: "dev-key-0123456789abcdef", Enabled: &no}, {ID: "OnKey", Value: "on-key-0123456789abcdef", Enabled: &yes}},
			"curl -H 'x-api-key: on-key-0123456789abcdef' " + url + "items\n", "dev-key"},
	} {
		var stdout, stderr strings.Builder
		a := newApp(&stdout, &stderr)
		cfg := devAPIKeyConfig("", "")
		cfg.APIKeys = c.keys
		cfg.UsagePlans[0].APIKeys = nil
		for _, k := range c.keys {
			cfg.UsagePlans[0].APIKeys = append(cfg.UsagePlans[0].APIKeys, k.ID)
		}
		m, ok := firstAPIKeyMethod(cfg, &cfg.RestAPIs[0], nil)
		if !ok {
			t.Fatalf("%s: no method requiring a key", c.name)
		}
		a.printAPIKeyCall(url, m, "")
		if out := stdout.String(); !strings.Contains(out, c.want) || strings.Contains(out, c.not) {
			t.Errorf("%s: output\n%s\nwant %q, not %q", c.name, out, c.want, c.not)
		}
	}
}

// The token line calls a real method of the API: its first GET or ANY
// method with a Cognito authorizer and no key, greedy parameters filled.
func TestTokenMethodPath(t *testing.T) {
	cognito := []config.Authorizer{{ID: "Pool", CognitoUserPools: []string{"P"}}, {ID: "Fn", Type: "TOKEN"}}
	for _, c := range []struct {
		name      string
		resources []config.Resource
		want      string
	}{
		{"seed's proxy", []config.Resource{{Path: "/{proxy+}", Methods: []config.Method{{HTTPMethod: "ANY", Authorizer: "Pool"}}}}, "/hello/world"},
		{"a literal path", []config.Resource{
			{Path: "/open", Methods: []config.Method{{HTTPMethod: "GET"}}},
			{Path: "/lambda", Methods: []config.Method{{HTTPMethod: "GET", Authorizer: "Fn"}}},
			{Path: "/keyed", Methods: []config.Method{{HTTPMethod: "GET", Authorizer: "Pool", APIKeyRequired: true}}},
			{Path: "/posts", Methods: []config.Method{{HTTPMethod: "POST", Authorizer: "Pool"}}},
			{Path: "/pets/{id}", Methods: []config.Method{{HTTPMethod: "GET", Authorizer: "Pool"}}},
		}, "/pets/example"},
		{"none", []config.Resource{{Path: "/open", Methods: []config.Method{{HTTPMethod: "GET"}}}}, ""},
	} {
		api := &config.RestAPI{ID: "Api", Authorizers: cognito, Resources: c.resources}
		got, ok := tokenMethodPath(api)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%s: %q, %v; want %q", c.name, got, ok, c.want)
		}
	}
}

// TestOpenLimitersPingsRedis: a Redis that does not answer is named in a
// WARN saying what requests get meanwhile, and the server opens all the
// same; one that answers draws no warning. The URL's database is logged.
func TestOpenLimitersPingsRedis(t *testing.T) {
	for _, c := range []struct {
		url, failure, want, db string
		warn                   bool
	}{
		{"redis://:pw-secret@127.0.0.1:1/3", redisFailClosed, "requests with shared limits get 503", "3", true},
		{"redis://:pw-secret@127.0.0.1:1", redisFailOpen, "each node counts alone", "", true},
		{"redis://127.0.0.1:6379/2", redisFailClosed, "limits shared through redis at 127.0.0.1:6379", "2", false},
	} {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, nil))
		l, err := openLimiters(limitFlags{redisURL: c.url, redisPrefix: "tollgate-ping:", redisFailure: c.failure, redisTimeout: time.Second}, log)
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		text := buf.String()
		if strings.Contains(text, "level=WARN") != c.warn || !strings.Contains(text, c.want) || strings.Contains(text, "pw-secret") {
			t.Errorf("%s: log %q", c.url, text)
		}
		if c.warn && !strings.Contains(text, "redis at 127.0.0.1:1 does not answer") {
			t.Errorf("%s: the warning does not name the host: %q", c.url, text)
		}
		if c.db == "" && strings.Contains(text, "redis_db=") || c.db != "" && !strings.Contains(text, "redis_db="+c.db) {
			t.Errorf("%s: the database is not logged: %q", c.url, text)
		}
		if err := l.Close(); err != nil {
			t.Error(err)
		}
	}
}

// dev names each usage plan's id, which api-keys create --usage-plan and
// usage --plan take.
func TestPrintUsagePlans(t *testing.T) {
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	cfg := devAPIKeyConfig("cfg-value-0123456789ab", "")
	for _, r := range cfg.RestAPIs[0].Resources {
		for i := range r.Methods {
			r.Methods[i].Integration = &config.Integration{Type: "MOCK"}
		}
	}
	cfg.Name = "seed"
	res, err := config.Apply(context.Background(), st, v, cfg, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	id, ok := res.UsagePlanID("Basic")
	if !ok {
		t.Fatal("the apply made no plan Basic")
	}
	var out strings.Builder
	printUsagePlans(&out, cfg, res)
	if want := "Usage plan Basic: " + id + "\n"; out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
	out.Reset()
	printUsagePlans(&out, cfg, nil)
	if out.Len() != 0 {
		t.Errorf("nothing applied, printed %q", out.String())
	}
}
