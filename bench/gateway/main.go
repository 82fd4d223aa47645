// Command gateway measures what Tollgate's gateway costs on top of a plain
// reverse proxy, in one run, against the same trivial upstream:
//
//  1. direct: the load generator calls the upstream itself;
//  2. bare: through a bare httputil.ReverseProxy (Rewrite with SetURL and
//     SetXForwarded, a tuned transport with MaxIdleConnsPerHost at least
//     the load's connections, a 32 KiB buffer pool), the fair baseline;
//  3. tollgate: through Tollgate's gateway with a valid access token (the
//     route "/{proxy+}" ANY, the Cognito authorizer asking for
//     default/default, an HTTP_PROXY integration to the upstream), when
//     -tollgate-url is given;
//  4. tollgate-http: the same request through an HTTP API of the same
//     Tollgate (the route "ANY /{proxy+}", a JWT authorizer trusting the
//     same pool and asking for the same scope, an HTTP_PROXY integration to
//     the same upstream), when -http-api-url is given.
//
// Each target gets -connections keep-alive connections for -warmup, then
// for -duration, in turn (and -rounds times over, interleaved, to spread
// the machine's drift over all targets). It prints requests/s, latency
// percentiles, errors and, from /proc/<pid>/stat, the CPU time each
// process spent per request. A request counts only when it is a 200 that
// carries the upstream's marker header, so a gateway answering 401 or 403
// fast cannot look good.
//
// The upstream and the bare proxy each run as a child process (this same
// binary with -role upstream or -role bare-proxy), so that targets 2 and 3
// have the same shape — load generator, proxy process, upstream process —
// and each proxy's CPU can be read on its own; in-process, the bare proxy
// would share the load generator's scheduler and garbage collector while
// Tollgate would not. -upstream points at an upstream started elsewhere
// (bench/gateway.sh starts one before Tollgate, whose config names it).
//
// Only loopback targets are accepted ("localhost" and "*.localhost" are
// dialled on 127.0.0.1), and every part stops by itself: the load after
// its fixed durations, children when the load generator exits (and after
// -max-lifetime in any case).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tollgate/tollgate/bench/internal/procstat"
)

// markerHeader is set by the upstream on every answer.
const markerHeader = "X-Bench-Upstream"

type flags struct {
	role         string
	listen       string
	upstream     string
	upstreamPID  int
	tollgateURL  string
	httpAPIURL   string
	tollgatePID  int
	token        string
	tokenURL     string
	clientID     string
	clientSecret string
	path         string
	connections  int
	duration     time.Duration
	warmup       time.Duration
	rounds       int
	maxLifetime  time.Duration
	lifeline     bool
}

func main() {
	var f flags
	flag.StringVar(&f.role, "role", "load", "load | upstream | bare-proxy (the last two are started by load itself, or by a script)")
	flag.StringVar(&f.listen, "listen", "127.0.0.1:0", "roles upstream and bare-proxy: loopback address to listen on")
	flag.StringVar(&f.upstream, "upstream", "", "upstream base URL (default: start one); role bare-proxy: the URL to proxy to")
	flag.IntVar(&f.upstreamPID, "upstream-pid", 0, "pid of the -upstream process, for CPU accounting")
	flag.StringVar(&f.tollgateURL, "tollgate-url", "", "Tollgate invoke URL of the benchmark route, e.g. http://{apiId}.execute-api.us-east-1.localhost:8080/prod/bench")
	flag.StringVar(&f.httpAPIURL, "http-api-url", "", "Tollgate URL of the benchmark route of an HTTP API (JWT authorizer, HTTP_PROXY), e.g. http://127.0.0.1:8080/apis/{apiId}/bench; needs -tollgate-url's token")
	flag.IntVar(&f.tollgatePID, "tollgate-pid", 0, "pid of the tollgate process, for CPU accounting")
	flag.StringVar(&f.token, "token", "", "access token for -tollgate-url (or use -token-url, -client-id, -client-secret)")
	flag.StringVar(&f.tokenURL, "token-url", "", "token endpoint to get an access token from with client_credentials")
	flag.StringVar(&f.clientID, "client-id", "", "client id for -token-url")
	flag.StringVar(&f.clientSecret, "client-secret", "", "client secret for -token-url")
	flag.StringVar(&f.path, "path", "/bench", "path requested from the upstream and the bare proxy")
	flag.IntVar(&f.connections, "connections", 16, "concurrent keep-alive connections per target")
	flag.DurationVar(&f.duration, "duration", 10*time.Second, "measured time per target and round")
	flag.DurationVar(&f.warmup, "warmup", 1*time.Second, "unmeasured load before each measurement")
	flag.IntVar(&f.rounds, "rounds", 1, "how many times to measure every target, interleaved")
	flag.DurationVar(&f.maxLifetime, "max-lifetime", 30*time.Minute, "roles upstream and bare-proxy: exit after this long regardless")
	flag.BoolVar(&f.lifeline, "lifeline", false, "roles upstream and bare-proxy: exit when standard input closes (set by the load generator)")
	flag.Parse()

	var err error
	switch f.role {
	case "upstream":
		err = serve(f, upstreamHandler())
	case "bare-proxy":
		var h http.Handler
		if h, err = bareProxy(f.upstream, f.connections); err == nil {
			err = serve(f, h)
		}
	case "load":
		err = load(f)
	default:
		err = fmt.Errorf("unknown -role %q", f.role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

// upstreamHandler is the trivial upstream: it reads the request and
// answers 200 with three bytes and a marker header.
func upstreamHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // a broken upload ends the same way
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set(markerHeader, "1")
		_, _ = io.WriteString(w, "ok\n")
	})
}

// bufferPool is the buffer pool a careful engineer gives a ReverseProxy:
// without one it allocates 32 KiB per request.
type bufferPool struct{ p sync.Pool }

func (b *bufferPool) Get() []byte {
	if p, ok := b.p.Get().(*[32 << 10]byte); ok {
		return p[:]
	}
	return new([32 << 10]byte)[:]
}

func (b *bufferPool) Put(p []byte) {
	if cap(p) == 32<<10 {
		b.p.Put((*[32 << 10]byte)(p[:32<<10]))
	}
}

// bareProxy is the baseline: what thirty lines of net/http/httputil give.
func bareProxy(upstream string, connections int) (http.Handler, error) {
	target, err := loopbackURL(upstream)
	if err != nil {
		return nil, fmt.Errorf("-upstream: %w", err)
	}
	idle := max(2*connections, 256)
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.SetXForwarded()
		},
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        idle,
			MaxIdleConnsPerHost: idle,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
		BufferPool: &bufferPool{},
	}, nil
}

// serve runs a child role: it prints its URL on the first line of standard
// output and serves until it is told to stop or -max-lifetime passes.
func serve(f flags, h http.Handler) error {
	if !isLoopbackHostPort(f.listen) {
		return fmt.Errorf("-listen %q is not a loopback address", f.listen)
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	fmt.Printf("Listening on http://%s\n", ln.Addr())
	os.Stdout.Sync()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, f.maxLifetime)
	defer cancel()
	if f.lifeline {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin) // returns when the parent goes away
			cancel()
		}()
	}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// child is a process started with another role.
type child struct {
	cmd   *exec.Cmd
	stdin io.Closer
	url   string
}

// startChild runs this binary with args and reads the URL it prints.
func startChild(args ...string) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, append(args, "-lifeline")...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, stdin: stdin}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		c.stop()
		return nil, fmt.Errorf("%v: no address printed: %w", args, err)
	}
	c.url = strings.TrimSpace(strings.TrimPrefix(line, "Listening on "))
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return c, nil
}

func (c *child) pid() int { return c.cmd.Process.Pid }

func (c *child) stop() {
	// Best effort on the way out: the child may be gone already, and its
	// exit status (killed by the signal) says nothing.
	_ = c.stdin.Close()
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	_ = c.cmd.Wait()
}

// target is one way of reaching the upstream.
type target struct {
	name   string
	url    string
	header http.Header
	pids   map[string]int // process role → pid, for CPU accounting
}

// result is one measurement of one target.
type result struct {
	target  string
	rate    float64
	lat     []time.Duration // sorted
	errors  int64
	lastErr string
	cpu     map[string]time.Duration // process role → CPU time per request
}

func load(f flags) error {
	switch {
	case f.connections < 1 || f.connections > 1024:
		return errors.New("-connections must be within 1..1024")
	case f.duration <= 0 || f.warmup < 0 || f.rounds < 1:
		return errors.New("-duration must be positive, -warmup not negative, -rounds at least 1")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	targets, stopChildren, err := startTargets(ctx, f)
	defer stopChildren()
	if err != nil {
		return err
	}
	total := time.Duration(f.rounds*len(targets)) * (f.duration + f.warmup)
	if total > 30*time.Minute {
		return fmt.Errorf("the run would take %s; keep it under 30 minutes", total)
	}
	client := newClient(f.connections)
	for _, t := range targets {
		if err := probe(ctx, client, t); err != nil {
			return err
		}
	}

	fmt.Printf("gateway load: %d connections, %s per target after %s warm-up, %d round(s), %d cores (GOMAXPROCS %d)\n",
		f.connections, f.duration, f.warmup, f.rounds, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	fmt.Println("The load generator, the proxy and the upstream share these cores with each other and with whatever")
	fmt.Println("else runs here: compare targets within one run, not figures across runs or machines.")
	fmt.Println()
	byTarget, failed, err := runRounds(ctx, client, targets, f)
	if err != nil {
		return err
	}
	if f.rounds > 1 {
		fmt.Println("\nmedians over rounds:")
		printHeader()
		for _, t := range targets {
			printRow(median(byTarget[t.name]), t.name)
		}
	}
	compare(byTarget)
	if failed {
		return errors.New("some requests failed (see the errors column)")
	}
	return nil
}

// startTargets starts the upstream (unless -upstream names one) and the
// bare proxy, and returns the targets to measure: direct, bare, and
// tollgate when -tollgate-url is set. stop stops the children it started;
// call it even on error.
func startTargets(ctx context.Context, f flags) (targets []target, stop func(), err error) {
	var children []*child
	stop = func() {
		for _, c := range slices.Backward(children) {
			c.stop()
		}
	}
	upstream, upstreamPID := f.upstream, f.upstreamPID
	if upstream == "" {
		up, err := startChild("-role", "upstream")
		if err != nil {
			return nil, stop, fmt.Errorf("start upstream: %w", err)
		}
		children = append(children, up)
		upstream, upstreamPID = up.url, up.pid()
	}
	if _, err := loopbackURL(upstream); err != nil {
		return nil, stop, fmt.Errorf("-upstream: %w", err)
	}
	bare, err := startChild("-role", "bare-proxy", "-upstream", upstream, "-connections", strconv.Itoa(f.connections))
	if err != nil {
		return nil, stop, fmt.Errorf("start bare proxy: %w", err)
	}
	children = append(children, bare)

	self := os.Getpid()
	targets = []target{
		{name: "direct", url: upstream + f.path, pids: map[string]int{"upstream": upstreamPID, "loadgen": self}},
		{name: "bare", url: bare.url + f.path, pids: map[string]int{"proxy": bare.pid(), "upstream": upstreamPID, "loadgen": self}},
	}
	if f.tollgateURL == "" {
		return targets, stop, nil
	}
	if _, err := loopbackURL(f.tollgateURL); err != nil {
		return nil, stop, fmt.Errorf("-tollgate-url: %w", err)
	}
	token := f.token
	if token == "" {
		if token, err = fetchToken(ctx, f.tokenURL, f.clientID, f.clientSecret); err != nil {
			return nil, stop, err
		}
	}
	tollgate := func(name, u string) target {
		return target{
			name:   name,
			url:    u,
			header: http.Header{"Authorization": {"Bearer " + token}},
			pids:   map[string]int{"proxy": f.tollgatePID, "upstream": upstreamPID, "loadgen": self},
		}
	}
	targets = append(targets, tollgate("tollgate", f.tollgateURL))
	if f.httpAPIURL != "" {
		if _, err := loopbackURL(f.httpAPIURL); err != nil {
			return nil, stop, fmt.Errorf("-http-api-url: %w", err)
		}
		targets = append(targets, tollgate("tollgate-http", f.httpAPIURL))
	}
	return targets, stop, nil
}

// runRounds measures every target, round after round, printing a row for
// each measurement. failed tells whether any request failed.
func runRounds(ctx context.Context, client *http.Client, targets []target, f flags) (byTarget map[string][]result, failed bool, err error) {
	printHeader()
	byTarget = map[string][]result{}
	for round := 1; round <= f.rounds; round++ {
		for _, t := range targets {
			if ctx.Err() != nil {
				return nil, false, ctx.Err()
			}
			drive(ctx, client, t, f.connections, f.warmup) // warm-up: open the connections, grow the heaps
			r := measure(ctx, client, t, f.connections, f.duration)
			name := t.name
			if f.rounds > 1 {
				name = fmt.Sprintf("%s #%d", name, round)
			}
			printRow(r, name)
			byTarget[t.name] = append(byTarget[t.name], r)
			failed = failed || r.errors > 0
		}
	}
	return byTarget, failed, nil
}

// newClient keeps exactly one keep-alive connection per worker and dials
// only loopback addresses.
func newClient(connections int) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				host, port, err := net.SplitHostPort(addr)
				if err != nil {
					return nil, err
				}
				if host == "localhost" || strings.HasSuffix(host, ".localhost") {
					host = "127.0.0.1"
				}
				if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
					return nil, fmt.Errorf("refusing to dial %s: not loopback", addr)
				}
				return dialer.DialContext(ctx, network, net.JoinHostPort(host, port))
			},
			MaxConnsPerHost:     connections,
			MaxIdleConnsPerHost: connections,
			DisableCompression:  true,
		},
		Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// probe sends one request and explains what is wrong if it is not the
// upstream's answer.
func probe(ctx context.Context, client *http.Client, t target) error {
	ok, status, body, err := once(ctx, client, t)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", t.name, t.url, err)
	}
	if !ok {
		return fmt.Errorf("%s: %s answered %d %q, not the upstream's 200 with %s", t.name, t.url, status, body, markerHeader)
	}
	return nil
}

// once sends one GET and reports whether the upstream answered it.
func once(ctx context.Context, client *http.Client, t target) (ok bool, status int, body string, err error) {
	req, err := http.NewRequestWithContext(ctx, "GET", t.url, nil)
	if err != nil {
		return false, 0, "", err
	}
	for k, v := range t.header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, 0, "", err
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	_, _ = io.Copy(io.Discard, resp.Body) // drain, so the connection is reused
	resp.Body.Close()
	if err != nil {
		return false, resp.StatusCode, "", err
	}
	return resp.StatusCode == 200 && resp.Header.Get(markerHeader) == "1", resp.StatusCode, string(b), nil
}

// drive runs the load for d and returns the latencies of the requests the
// upstream answered, the number of failures and the last failure seen.
// Requests in flight at the deadline are let finish (and counted), so that
// no connection is torn down between warm-up and measurement; ctx only
// interrupts the run.
func drive(ctx context.Context, client *http.Client, t target, connections int, d time.Duration) (lat []time.Duration, errs int64, lastErr string, elapsed time.Duration) {
	var nerr atomic.Int64
	var mu sync.Mutex
	lats := make([][]time.Duration, connections)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for i := range connections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := make([]time.Duration, 0, 4096)
			for ctx.Err() == nil && time.Now().Before(deadline) {
				t0 := time.Now()
				ok, status, _, err := once(ctx, client, t)
				if !ok {
					if ctx.Err() != nil {
						break // interrupted: not the target's failure
					}
					nerr.Add(1)
					mu.Lock()
					if err != nil {
						lastErr = err.Error()
					} else {
						lastErr = fmt.Sprintf("status %d", status)
					}
					mu.Unlock()
					continue
				}
				l = append(l, time.Since(t0))
			}
			lats[i] = l
		}()
	}
	wg.Wait()
	elapsed = time.Since(start)
	all := slices.Concat(lats...)
	slices.Sort(all)
	return all, nerr.Load(), lastErr, elapsed
}

// measure drives t for d and reads the CPU time its processes spent.
func measure(ctx context.Context, client *http.Client, t target, connections int, d time.Duration) result {
	before := map[string]time.Duration{}
	for role, pid := range t.pids {
		if c, err := procstat.CPU(pid); err == nil {
			before[role] = c
		}
	}
	lat, errs, lastErr, elapsed := drive(ctx, client, t, connections, d)
	r := result{target: t.name, lat: lat, errors: errs, lastErr: lastErr, rate: float64(len(lat)) / elapsed.Seconds(), cpu: map[string]time.Duration{}}
	for role, pid := range t.pids {
		b, ok := before[role]
		a, err := procstat.CPU(pid)
		if !ok || err != nil || len(lat) == 0 {
			continue
		}
		r.cpu[role] = (a - b) / time.Duration(len(lat))
	}
	return r
}

// fetchToken gets an access token with the client credentials grant.
func fetchToken(ctx context.Context, tokenURL, clientID, secret string) (string, error) {
	if tokenURL == "" || clientID == "" || secret == "" {
		return "", errors.New("-tollgate-url needs -token, or -token-url with -client-id and -client-secret")
	}
	if _, err := loopbackURL(tokenURL); err != nil {
		return "", fmt.Errorf("-token-url: %w", err)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}}
	req, err := http.NewRequestWithContext(ctx, "POST", tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := newClient(1).Do(req)
	if err != nil {
		return "", fmt.Errorf("token request: %w", err)
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&tr); err != nil {
		return "", fmt.Errorf("token request: status %d: %w", resp.StatusCode, err)
	}
	if tr.AccessToken == "" {
		return "", fmt.Errorf("token request: status %d, error %q", resp.StatusCode, tr.Error)
	}
	return tr.AccessToken, nil
}

// loopbackURL parses an http URL whose host is a loopback address,
// "localhost" or a name under "localhost".
func loopbackURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" || !isLoopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("%q is not an http URL on a loopback address (127.0.0.0/8, ::1, localhost, *.localhost)", s)
	}
	return u, nil
}

func isLoopbackHostPort(hp string) bool {
	host, _, err := net.SplitHostPort(hp)
	return err == nil && isLoopbackHost(host)
}

func isLoopbackHost(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func printHeader() {
	fmt.Printf("%-17s %8s %9s %9s %9s %9s %6s   %-22s\n", "", "", "", "", "", "", "", "CPU µs/request")
	fmt.Printf("%-17s %8s %9s %9s %9s %9s %6s   %6s %8s %7s\n", "target", "req/s", "p50", "p90", "p99", "max", "errors", "proxy", "upstream", "loadgen")
}

// printRow prints one measurement under a name ("bare", "bare #2").
func printRow(r result, name string) {
	cpu := func(role string) string {
		c, ok := r.cpu[role]
		if !ok {
			return "-"
		}
		return strconv.FormatFloat(float64(c)/float64(time.Microsecond), 'f', 1, 64)
	}
	fmt.Printf("%-17s %8.0f %9s %9s %9s %9s %6d   %6s %8s %7s\n", name, r.rate,
		pct(r.lat, 50), pct(r.lat, 90), pct(r.lat, 99), pct(r.lat, 100), r.errors,
		cpu("proxy"), cpu("upstream"), cpu("loadgen"))
	if r.errors > 0 {
		fmt.Printf("%17s last error: %s\n", "", r.lastErr)
	}
}

// median picks, for each figure, its median over rounds.
func median(rs []result) result {
	m := result{target: rs[0].target, cpu: map[string]time.Duration{}}
	mid := func(xs []float64) float64 { slices.Sort(xs); return xs[len(xs)/2] }
	var rates []float64
	for _, r := range rs {
		rates = append(rates, r.rate)
		m.errors += r.errors
	}
	m.rate = mid(rates)
	// Latency percentiles: those of the round whose p50 is the median.
	sorted := slices.Clone(rs)
	slices.SortFunc(sorted, func(a, b result) int { return int(pctDur(a.lat, 50) - pctDur(b.lat, 50)) })
	m.lat = sorted[len(sorted)/2].lat
	for _, role := range []string{"proxy", "upstream", "loadgen"} {
		var xs []float64
		for _, r := range rs {
			if c, ok := r.cpu[role]; ok {
				xs = append(xs, float64(c))
			}
		}
		if len(xs) > 0 {
			m.cpu[role] = time.Duration(mid(xs))
		}
	}
	return m
}

// compare prints Tollgate against the bare proxy, and Tollgate's HTTP API
// against its REST API.
func compare(by map[string][]result) {
	compareTwo(by, "tollgate", "bare", "tollgate vs bare proxy")
	compareTwo(by, "tollgate-http", "tollgate", "HTTP API (JWT) vs REST API (Cognito)")
}

// compareTwo prints target a's medians relative to target b's.
func compareTwo(by map[string][]result, a, b, title string) {
	ar, br := by[a], by[b]
	if len(ar) == 0 || len(br) == 0 {
		return
	}
	am, bm := median(ar), median(br)
	fmt.Printf("\n%s: %.0f%% of the rate; p50 %+.0f µs, p99 %+.0f µs", title,
		100*am.rate/bm.rate,
		float64(pctDur(am.lat, 50)-pctDur(bm.lat, 50))/1e3,
		float64(pctDur(am.lat, 99)-pctDur(bm.lat, 99))/1e3)
	ac, ok1 := am.cpu["proxy"]
	bc, ok2 := bm.cpu["proxy"]
	if ok1 && ok2 {
		fmt.Printf("; proxy CPU %.1f vs %.1f µs/request", float64(ac)/1e3, float64(bc)/1e3)
	}
	fmt.Println()
}

func pctDur(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[(len(sorted)-1)*p/100]
}

func pct(sorted []time.Duration, p int) string {
	if len(sorted) == 0 {
		return "-"
	}
	return pctDur(sorted, p).Round(time.Microsecond).String()
}
