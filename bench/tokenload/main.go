// Command tokenload measures Tollgate's token endpoint over loopback next to
// the raw RS256 signing rate of the same machine, in one run.
//
// It first signs Cognito-shaped claims with a 2048-bit RSA key on every core
// for -sign-duration (the floor: no token endpoint can beat it), then drives
// POST /oauth2/token with -concurrency keep-alive connections for -duration
// (with a minimal HTTP/1.1 client by default, -client nethttp for net/http),
// and prints both rates, their ratio, and latency percentiles. It sends
// traffic only to the URL it is given, and stops by itself.
package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate/bench/internal/procstat"
)

func main() {
	tokenURL := flag.String("url", "", "token endpoint, e.g. http://127.0.0.1:8080/oauth2/token")
	clientID := flag.String("client-id", "", "client id")
	secret := flag.String("client-secret", "", "client secret")
	duration := flag.Duration("duration", 10*time.Second, "how long to drive the token endpoint")
	signDuration := flag.Duration("sign-duration", 5*time.Second, "how long to measure raw RS256 signing; 0 skips it and the comparisons with it (for pools signing with ES256 or EdDSA)")
	concurrency := flag.Int("concurrency", 4*runtime.NumCPU(), "concurrent connections")
	serverPID := flag.Int("server-pid", 0, "pid of the server, to report its CPU time per token (Linux)")
	clientKind := flag.String("client", "raw", "load client: raw (a minimal HTTP/1.1 client, so that the load generator takes little CPU from the server) or nethttp (net/http, as a typical Go caller)")
	flag.Parse()
	if *tokenURL == "" || *clientID == "" || *secret == "" {
		fmt.Fprintln(os.Stderr, "usage: tokenload -url URL -client-id ID -client-secret SECRET")
		os.Exit(2)
	}
	u, err := url.Parse(*tokenURL)
	if err != nil || !isLoopback(u.Hostname()) {
		fmt.Fprintln(os.Stderr, "tokenload: -url must be a loopback URL (127.0.0.0/8, ::1 or localhost)")
		os.Exit(2)
	}

	signRate, perSig := measureSigning(*signDuration)

	cpu0 := cpuTime(*serverPID)
	drive := driveRaw
	switch *clientKind {
	case "raw":
	case "nethttp":
		drive = driveNetHTTP
	default:
		fmt.Fprintln(os.Stderr, "tokenload: -client must be raw or nethttp")
		os.Exit(2)
	}
	rate, lat, errs := drive(*tokenURL, *clientID, *secret, *duration, *concurrency)
	cpu1 := cpuTime(*serverPID)
	fmt.Printf("token endpoint (%s client, %d connections, %s): %.0f tokens/s, %d errors\n", *clientKind, *concurrency, *duration, rate, errs)
	if *serverPID > 0 && len(lat) > 0 {
		perToken := (cpu1 - cpu0) / time.Duration(len(lat))
		if signRate > 0 {
			fmt.Printf("server CPU per token %s; one raw signature costs %s of CPU: signing is %.0f%% of the server's work per token\n",
				perToken.Round(time.Microsecond), perSig.Round(time.Microsecond), 100*float64(perSig)/float64(perToken))
		} else {
			fmt.Printf("server CPU per token %s\n", perToken.Round(time.Microsecond))
		}
	}
	fmt.Printf("latency p50 %s  p90 %s  p99 %s  max %s\n", pct(lat, 50), pct(lat, 90), pct(lat, 99), pct(lat, 100))
	if signRate > 0 {
		fmt.Printf("ratio token endpoint / raw signing: %.1f%%\n", 100*rate/signRate)
	}
	if errs > 0 {
		os.Exit(1)
	}
}

// measureSigning measures raw RS256 signing for d and prints its rate; 0
// skips it (both results are then 0).
func measureSigning(d time.Duration) (float64, time.Duration) {
	if d <= 0 {
		return 0, 0
	}
	signRate, perSig := rawSignRate(d)
	fmt.Printf("raw RS256 signing (2048-bit, %d cores): %.0f signatures/s\n", runtime.NumCPU(), signRate)
	return signRate, perSig
}

// cpuTime returns the CPU time a process has used; 0 if unknown.
func cpuTime(pid int) time.Duration {
	d, _ := procstat.CPU(pid) // 0 when unknown: the figure is then left out
	return d
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.")
}

// rawSignRate signs a typical claims payload on every core for d.
// It returns the rate and the CPU time of one signature, the latter from
// this process's own CPU time: unlike cores / rate, it holds when other work
// shares the machine.
func rawSignRate(d time.Duration) (float64, time.Duration) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	payload := []byte(`eyJraWQiOiJrIiwiYWxnIjoiUlMyNTYifQ.eyJzdWIiOiI2cnVwYjI1NnFuMTJ0anU4Mm9jYzllcHBxciIsInRva2VuX3VzZSI6ImFjY2VzcyIsInNjb3BlIjoiZGVmYXVsdC9kZWZhdWx0IiwiYXV0aF90aW1lIjoxNzAwMDAwMDAwLCJpc3MiOiJodHRwOi8vMTI3LjAuMC4xOjgwODAvdXMtZWFzdC0xX0FCQ0RFRkdISSIsImV4cCI6MTcwMDAwMzYwMCwiaWF0IjoxNzAwMDAwMDAwLCJ2ZXJzaW9uIjoyLCJqdGkiOiI1ZDkyY2EyOS02NzdlLTQwZDktYTA3NC0yZDg2ZmJjYjQwMjMiLCJjbGllbnRfaWQiOiI2cnVwYjI1NnFuMTJ0anU4Mm9jYzllcHBxciJ9`)
	var n atomic.Int64
	cpu0 := cpuTime(os.Getpid())
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	start := time.Now()
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				h := sha256.Sum256(payload)
				if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, h[:]); err != nil {
					panic(err)
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	rate := float64(n.Load()) / time.Since(start).Seconds()
	return rate, (cpuTime(os.Getpid()) - cpu0) / time.Duration(max(n.Load(), 1))
}

// driveNetHTTP posts token requests on c connections for d with net/http.
func driveNetHTTP(tokenURL, clientID, secret string, d time.Duration, c int) (float64, []time.Duration, int64) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c, MaxConnsPerHost: c}, Timeout: 10 * time.Second}
	body := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}}.Encode()
	return onConns(c, d, func(deadline time.Time, errs *atomic.Int64) []time.Duration {
		var lats []time.Duration
		for time.Now().Before(deadline) {
			t0 := time.Now()
			if err := postToken(client, tokenURL, body); err != nil {
				errs.Add(1)
				continue
			}
			lats = append(lats, time.Since(t0))
		}
		return lats
	})
}

// postToken posts one token request and checks that the answer is a token.
func postToken(client *http.Client, tokenURL, body string) error {
	resp, err := client.Post(tokenURL, "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tr)
	if _, cerr := io.Copy(io.Discard, resp.Body); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		return err
	case resp.StatusCode != http.StatusOK || tr.AccessToken == "":
		return fmt.Errorf("token: %s", resp.Status)
	}
	return nil
}

// onConns runs conn on c goroutines, each its own connection, until d has
// passed, and returns the rate of good answers, their latencies (sorted)
// and the number of failures that conn counted in errs.
func onConns(c int, d time.Duration, conn func(deadline time.Time, errs *atomic.Int64) []time.Duration) (float64, []time.Duration, int64) {
	var errs atomic.Int64
	lats := make([][]time.Duration, c)
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range c {
		wg.Go(func() { lats[i] = conn(deadline, &errs) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(lats...)
	slices.Sort(all)
	return float64(len(all)) / elapsed.Seconds(), all, errs.Load()
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted) - 1) * p / 100
	return sorted[i].Round(time.Microsecond)
}
