// Command cacheload measures the memory the gateway's verification cache
// takes under a stream of distinct tokens: it mints tokens one after the
// other with the client credentials grant and sends each, once, through
// the gateway, and at each checkpoint (a number of distinct tokens sent)
// prints the Tollgate process's resident set size (VmRSS of
// /proc/PID/status) and, with -metrics, the cache's gauges and the Go
// heap from the admin listener.
//
// A request counts only when it is a 200 that carries the upstream's
// marker header (bench/gateway's upstream), so every token was verified
// and went through the integration, where the claims header is built.
// Only loopback URLs are accepted.
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
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// markerHeader is what bench/gateway's upstream sets on every answer.
const markerHeader = "X-Bench-Upstream"

type flags struct {
	apiURL, tokenURL, clientID, clientSecret, metricsURL string
	pid, concurrency                                     int
	checkpoints                                          []int
}

func main() {
	var f flags
	var points string
	flag.StringVar(&f.apiURL, "api-url", "", "gateway URL each token is sent to (loopback)")
	flag.StringVar(&f.tokenURL, "token-url", "", "token endpoint (loopback)")
	flag.StringVar(&f.clientID, "client-id", "", "client id")
	flag.StringVar(&f.clientSecret, "client-secret", "", "client secret")
	flag.StringVar(&f.metricsURL, "metrics", "", "the admin listener's /metrics URL (loopback), to print the cache's gauges and the Go heap")
	flag.IntVar(&f.pid, "pid", 0, "the Tollgate process to sample")
	flag.IntVar(&f.concurrency, "concurrency", 4, "requests in flight")
	flag.StringVar(&points, "checkpoints", "10000,50000,100000,200000", "distinct tokens at which to sample, ascending")
	flag.Parse()
	err := parse(&f, points)
	if err == nil {
		err = run(context.Background(), f)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cacheload:", err)
		os.Exit(1)
	}
}

func parse(f *flags, points string) error {
	if f.apiURL == "" || f.tokenURL == "" {
		return errors.New("-api-url and -token-url are required")
	}
	for _, u := range []string{f.apiURL, f.tokenURL, f.metricsURL} {
		if err := loopback(u); u != "" && err != nil {
			return err
		}
	}
	if f.pid <= 0 || f.clientID == "" || f.clientSecret == "" || f.concurrency <= 0 {
		return errors.New("-pid, -client-id, -client-secret and a positive -concurrency are required")
	}
	for p := range strings.SplitSeq(points, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n <= 0 {
			return fmt.Errorf("-checkpoints: %q is not a positive number", p)
		}
		f.checkpoints = append(f.checkpoints, n)
	}
	if !slices.IsSorted(f.checkpoints) {
		return errors.New("-checkpoints must ascend")
	}
	return nil
}

func loopback(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	ip := net.ParseIP(u.Hostname())
	if u.Scheme != "http" || (u.Hostname() != "localhost" && !strings.HasSuffix(u.Hostname(), ".localhost") && (ip == nil || !ip.IsLoopback())) {
		return fmt.Errorf("%q is not an http URL on a loopback address", s)
	}
	return nil
}

// run sends distinct tokens until the last checkpoint, sampling at each.
func run(ctx context.Context, f flags) error {
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 2 * f.concurrency, DialContext: loopbackDialer},
	}
	last := f.checkpoints[len(f.checkpoints)-1]
	var sent atomic.Int64
	var failed atomic.Value
	samples := make(chan int, len(f.checkpoints))
	var wg sync.WaitGroup
	start := time.Now()
	fmt.Printf("%9s %9s %10s %12s %12s %12s\n", "tokens", "seconds", "VmRSS MiB", "cache MiB", "entries", "heap MiB")
	for range f.concurrency {
		wg.Go(func() {
			for failed.Load() == nil {
				n := int(sent.Add(1))
				if n > last {
					return
				}
				if err := once(ctx, client, f); err != nil {
					failed.Store(err)
					return
				}
				if slices.Contains(f.checkpoints, n) {
					samples <- n
				}
			}
		})
	}
	go func() { wg.Wait(); close(samples) }()
	for n := range samples {
		sample(client, f, n, time.Since(start))
	}
	if err, ok := failed.Load().(error); ok {
		return err
	}
	return nil
}

// loopbackDialer dials "localhost" and names under it on 127.0.0.1, as
// browsers do (RFC 6761 §6.3), without asking a resolver.
func loopbackDialer(ctx context.Context, network, addr string) (net.Conn, error) {
	if host, port, err := net.SplitHostPort(addr); err == nil && (host == "localhost" || strings.HasSuffix(host, ".localhost")) {
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	return (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, network, addr)
}

// once mints a token and sends it through the gateway.
func once(ctx context.Context, client *http.Client, f flags) error {
	tok, err := mint(ctx, client, f)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.apiURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body) // drained for the connection's reuse
	if resp.StatusCode != http.StatusOK || resp.Header.Get(markerHeader) == "" {
		return fmt.Errorf("gateway: status %d without the upstream's answer", resp.StatusCode)
	}
	return nil
}

func mint(ctx context.Context, client *http.Client, f flags) (string, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {f.clientID}, "client_secret": {f.clientSecret}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&tr); err != nil {
		return "", fmt.Errorf("token endpoint: status %d: %w", resp.StatusCode, err)
	}
	if tr.AccessToken == "" {
		return "", fmt.Errorf("token endpoint: status %d: no access token", resp.StatusCode)
	}
	return tr.AccessToken, nil
}

// sample prints one checkpoint's line.
func sample(client *http.Client, f flags, n int, elapsed time.Duration) {
	rss, err := vmRSS(f.pid)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cacheload:", err)
	}
	m := metrics(client, f.metricsURL)
	mib := func(v float64) string {
		if v < 0 {
			return "-"
		}
		return strconv.FormatFloat(v/(1<<20), 'f', 1, 64)
	}
	entries := "-"
	if e := m["tollgate_gateway_verification_cache_entries"]; e >= 0 {
		entries = strconv.FormatFloat(e, 'f', 0, 64)
	}
	fmt.Printf("%9d %9.1f %10s %12s %12s %12s\n", n, elapsed.Seconds(), mib(float64(rss)), mib(m["tollgate_gateway_verification_cache_bytes"]), entries, mib(m["go_memstats_heap_alloc_bytes"]))
}

// vmRSS returns the process's resident set size in bytes.
func vmRSS(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS in /proc/PID/status")
}

// metrics reads the gauges cacheload prints; a missing one is -1.
func metrics(client *http.Client, u string) map[string]float64 {
	out := map[string]float64{"tollgate_gateway_verification_cache_bytes": -1, "tollgate_gateway_verification_cache_entries": -1, "go_memstats_heap_alloc_bytes": -1}
	if u == "" {
		return out
	}
	resp, err := client.Get(u)
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if _, want := out[name]; ok && want {
			if v, err := strconv.ParseFloat(val, 64); err == nil {
				out[name] = v
			}
		}
	}
	return out
}
