// Command lambda measures the Lambda proxy integration's warm-invoke
// overhead: in one run it drives, through the same Tollgate gateway and
// authorizer, a route served by a Node.js Lambda function (AWS_PROXY) and a
// route served by the same handler logic in a Node.js HTTP server
// (HTTP_PROXY); then, through an HTTP API of the same Tollgate with a JWT
// authorizer on the same pool, the same function with payload format 1.0
// and with 2.0. It prints requests/s, latency percentiles and Tollgate's
// CPU time per request of each. Every request goes to 127.0.0.1; the run
// stops by itself.
//
//	bench/lambda.sh [-duration 10s -connections 4]
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate/bench/internal/procstat"
)

// handler is the logic both targets run: a small JSON answer derived from
// the request.
const handlerJS = `
export function answer(path, query) {
  return {statusCode: 200, headers: {"Content-Type": "application/json"}, body: JSON.stringify({path, n: Number(query.n || 0) + 1})};
}
`

const lambdaJS = `
import {answer} from "./logic.mjs";
export const handler = async (event) => answer(event.rawPath ?? event.path, event.queryStringParameters || {});
`

const upstreamJS = `
import http from "node:http";
import {answer} from "./logic.mjs";
const srv = http.createServer((req, res) => {
  const u = new URL(req.url, "http://x");
  const a = answer(u.pathname, Object.fromEntries(u.searchParams));
  res.writeHead(a.statusCode, a.headers);
  res.end(a.body);
});
srv.keepAliveTimeout = 60000;
srv.listen(0, "127.0.0.1", () => console.log("Listening on http://127.0.0.1:" + srv.address().port));
setTimeout(() => process.exit(0), Number(process.env.MAX_LIFETIME_MS || 1800000)).unref();
`

func main() {
	bin := flag.String("tollgate", "", "path of the tollgate binary")
	duration := flag.Duration("duration", 10*time.Second, "measured time per target")
	warmup := flag.Duration("warmup", 2*time.Second, "unmeasured load before each measurement")
	connections := flag.Int("connections", 4, "concurrent keep-alive connections")
	flag.Parse()
	if err := run(*bin, *duration, *warmup, *connections); err != nil {
		fmt.Fprintln(os.Stderr, "lambda:", err)
		os.Exit(1)
	}
}

func run(bin string, duration, warmup time.Duration, connections int) error {
	if bin == "" {
		return errors.New("-tollgate is required")
	}
	dir, err := os.MkdirTemp("", "tollgate-lambda-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	code := filepath.Join(dir, "fn")
	if err := writeCode(code); err != nil {
		return err
	}

	up, upOut, err := startProc(exec.Command("node", filepath.Join(code, "upstream.mjs")), `^Listening on (\S+)`)
	if err != nil {
		return fmt.Errorf("node upstream: %w", err)
	}
	defer stopProc(up)

	cfgPath := filepath.Join(dir, "tollgate.yaml")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf(configYAML, connections, upOut[1])), 0o644); err != nil {
		return err
	}
	tg, out, err := startProc(exec.Command(bin, "dev", "--config", cfgPath, "--data", filepath.Join(dir, "data"),
		"--listen", "127.0.0.1:0", "--log-level", "warn"), `^Stop with Ctrl-C`)
	if err != nil {
		return fmt.Errorf("tollgate: %w", err)
	}
	defer stopProc(tg)
	dev, err := parseDevOutput(out[0])
	if err != nil {
		return err
	}
	token, err := fetchToken(dev.tokenURL, dev.clientID, dev.secret)
	if err != nil {
		return err
	}
	compare(dev, token, tg.Process.Pid, connections, duration, warmup)
	return nil
}

// configYAML is the benchmark's Tollgate config; its arguments are the
// function's reserved concurrency and the upstream's URL.
const configYAML = `region: us-east-1
userPools:
  - id: Pool
    resourceServers:
      - {id: Rs, identifier: bench, userPoolResourceServerName: bench, scopes: [{scopeName: read, scopeDescription: read}]}
    clients:
      - {id: Client, generateSecret: true, oAuth: {flows: {clientCredentials: true}, scopes: [bench/read]}}
functions:
  - {id: Fn, runtime: nodejs22.x, handler: index.handler, code: fn, timeout: 10s, reservedConcurrency: %d}
restApis:
  - id: BenchApi
    authorizers: [{id: Auth, cognitoUserPools: [Pool]}]
    resources:
      - path: /lambda/{proxy+}
        methods: [{httpMethod: GET, authorizer: Auth, authorizationScopes: [bench/read], integration: {type: AWS_PROXY, function: Fn}}]
      - path: /http/{proxy+}
        methods: [{httpMethod: GET, authorizer: Auth, authorizationScopes: [bench/read], integration: {type: HTTP_PROXY, uri: "%s/http/{proxy}"}}]
httpApis:
  - id: BenchHttpApi
    authorizers: [{id: Auth, type: JWT, userPool: Pool, userPoolClients: [Client]}]
    routes:
      - {path: "/v1/{proxy+}", methods: [GET], authorizer: Auth, authorizationScopes: [bench/read], integration: {type: AWS_PROXY, function: Fn, payloadFormatVersion: "1.0"}}
      - {path: "/v2/{proxy+}", methods: [GET], authorizer: Auth, authorizationScopes: [bench/read], integration: {type: AWS_PROXY, function: Fn, payloadFormatVersion: "2.0"}}
`

// writeCode writes the function's code and the upstream server to dir.
func writeCode(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, src := range map[string]string{"logic.mjs": handlerJS, "index.mjs": lambdaJS, "upstream.mjs": upstreamJS} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// devOutput is what `tollgate dev` prints that the benchmark uses.
type devOutput struct {
	tokenURL, clientID, secret, api string
	httpAPI                         string // "" when dev printed no HTTP API
}

// parseDevOutput reads the token URL, the client's credentials and the
// API's URL from what `tollgate dev` printed.
func parseDevOutput(text string) (devOutput, error) {
	find := func(re string) string {
		m := regexp.MustCompile(re).FindStringSubmatch(text)
		if m == nil {
			return ""
		}
		return m[1]
	}
	d := devOutput{
		tokenURL: find(`(?m)^Token URL:\s+(\S+)`),
		clientID: find(`(?m)Client id:\s+(\S+)`),
		secret:   find(`(?m)Client secret:\s+(\S+)`),
		api:      find(`(?m)API URL:\s+(\S+)`),
		httpAPI:  find(`(?m)^HTTP API BenchHttpApi: \S+\n(?:.*\n)*?\s+API URL:\s+(\S+)`),
	}
	if d.tokenURL == "" || d.clientID == "" || d.secret == "" || d.api == "" {
		return devOutput{}, fmt.Errorf("unexpected dev output:\n%s", text)
	}
	return d, nil
}

// compare drives the routes of the REST API and, when dev printed it, of
// the HTTP API in turn and prints a table of their rates, latencies and
// Tollgate's CPU time per request (the gateway's share, event and result
// included; the function's processes are not Tollgate's and not counted).
func compare(dev devOutput, token string, tollgatePID, connections int, duration, warmup time.Duration) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: connections * 2, MaxConnsPerHost: connections * 2}}
	type target struct{ name, url string }
	targets := []target{
		{"HTTP_PROXY to a Node.js server", dev.api + "http/item?n=1"},
		{"AWS_PROXY to a Node.js function", dev.api + "lambda/item?n=1"},
	}
	if dev.httpAPI != "" {
		targets = append(targets,
			target{"HTTP API, AWS_PROXY payload 1.0", dev.httpAPI + "v1/item?n=1"},
			target{"HTTP API, AWS_PROXY payload 2.0", dev.httpAPI + "v2/item?n=1"})
	}
	fmt.Printf("%d connections, %s per target, after %s of warm-up\n\n", connections, duration, warmup)
	fmt.Printf("| %-33s | %8s | %8s | %8s | %6s | %19s |\n|---|---|---|---|---|---|\n", "integration", "req/s", "p50", "p99", "errors", "Tollgate CPU µs/req")
	var rates []float64
	for _, t := range targets {
		drive(client, t.url, token, connections, warmup)
		before, err1 := procstat.CPU(tollgatePID)
		r := drive(client, t.url, token, connections, duration)
		after, err2 := procstat.CPU(tollgatePID)
		cpu := "-"
		if err1 == nil && err2 == nil && r.count > 0 {
			cpu = fmt.Sprintf("%.1f", float64(after-before)/float64(r.count)/float64(time.Microsecond))
		}
		rates = append(rates, r.rate)
		fmt.Printf("| %-33s | %8.0f | %8s | %8s | %6d | %19s |\n", t.name, r.rate, r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.errors, cpu)
	}
	if rates[0] > 0 {
		fmt.Printf("\nAWS_PROXY / HTTP_PROXY throughput: %.0f%%\n", 100*rates[1]/rates[0])
	}
	if len(rates) == 4 && rates[2] > 0 {
		fmt.Printf("HTTP API payload 2.0 / 1.0 throughput: %.0f%%\n", 100*rates[3]/rates[2])
	}
}

type result struct {
	count    int
	rate     float64
	p50, p99 time.Duration
	errors   int64
}

// drive sends GETs on connections goroutines for d and returns the rate of
// 200 answers and their latency percentiles.
func drive(client *http.Client, u, token string, connections int, d time.Duration) result {
	var mu sync.Mutex
	var lat []time.Duration
	var errs atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range connections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for ctx.Err() == nil {
				req, _ := http.NewRequest("GET", u, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					errs.Add(1)
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	r := result{count: len(lat), rate: float64(len(lat)) / elapsed.Seconds(), errors: errs.Load()}
	if n := len(lat); n > 0 {
		r.p50, r.p99 = lat[n*50/100], lat[min(n*99/100, n-1)]
	}
	return r
}

func fetchToken(tokenURL, id, secret string) (string, error) {
	resp, err := http.PostForm(tokenURL, url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
		return "", fmt.Errorf("token: %s: %w", resp.Status, err)
	}
	if tr.AccessToken == "" {
		return "", fmt.Errorf("token: %s: no access_token", resp.Status)
	}
	return tr.AccessToken, nil
}

// startProc starts cmd and waits (30 s at most) for a stdout line matching
// ready; it returns all stdout so far and the line's submatches.
func startProc(cmd *exec.Cmd, ready string) (*exec.Cmd, []string, error) {
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	re := regexp.MustCompile(ready)
	found := make(chan []string, 1)
	go func() {
		var all strings.Builder
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			all.WriteString(sc.Text() + "\n")
			if m := re.FindStringSubmatch(sc.Text()); m != nil && !sent {
				sent = true
				m[0] = all.String()
				found <- m
			}
		}
	}()
	select {
	case m := <-found:
		return cmd, m, nil
	case <-time.After(30 * time.Second):
		stopProc(cmd)
		return nil, nil, errors.New("not ready within 30 s")
	}
}

// stopProc interrupts cmd and waits for it, killing it after 10 s. Its
// errors are ignored: the process may have exited already, and its exit
// status after the interrupt says nothing about the measurement.
func stopProc(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
	}
}
