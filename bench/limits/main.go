// Command limits measures what API keys and usage plans cost the gateway
// and how closely nodes sharing Redis hold a plan's throttle. It drives
// the real binary with wrk (and nginx, for the cluster) over loopback and
// stops by itself, every process it started with it.
//
// The gateway phase runs `tollgate dev` on a REST API with two MOCK
// methods, /open (no key) and /keyed (apiKeyRequired, the key in a usage
// plan with a throttle and a day's quota far above what the machine can
// send, so every request is admitted and the limits' bookkeeping is what
// is measured), once with local limits and once with --redis, and prints
// wrk's throughput and p50/p99 latency per method and the server's CPU
// time per request.
//
// The cluster phase starts three `tollgate serve` nodes on one PostgreSQL
// database (a schema of its own, dropped afterwards) behind nginx (round
// robin, kept-alive connections), with one key whose plan throttles it
// to -rate requests/s with a burst of -burst, drives far more than that
// through nginx with wrk for -cluster-duration, and counts the 200s and
// 429s: once with --redis (the nodes count together) and once without
// (each node counts alone).
package main

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/bench/internal/pgschema"
	"github.com/tollgate/tollgate/bench/internal/procstat"
)

// keyValue is the benchmark's API key: fixed, so that wrk can send it.
const keyValue = "bench-limits-key-00000000000000000001"

// status.lua counts wrk's responses by status; summary.lua only reads
// wrk's own summary (no Lua per response, so it takes no CPU from the
// server). Both print one "RESULT" line.
//
//go:embed status.lua
var statusLua string

//go:embed summary.lua
var summaryLua string

type options struct {
	bin, wrk, nginx   string
	redis, dsn, phase string
	duration, clDur   time.Duration
	connections       []int
	clCon, threads    int
	rate              float64
	burst             int
}

func main() {
	var o options
	dsn := os.Getenv("TOLLGATE_BENCH_DSN")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/test"
	}
	flag.StringVar(&o.bin, "tollgate", "tollgate", "the tollgate binary")
	flag.StringVar(&o.wrk, "wrk", "wrk", "the wrk binary")
	flag.StringVar(&o.nginx, "nginx", "nginx", "the nginx binary")
	flag.StringVar(&o.redis, "redis", "redis://127.0.0.1:6379/0", "Redis URL the nodes share")
	flag.StringVar(&o.dsn, "dsn", dsn, "PostgreSQL database of the cluster phase, in a schema of its own (env TOLLGATE_BENCH_DSN)")
	flag.StringVar(&o.phase, "phase", "all", "gateway, cluster or all")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "wrk's run per target in the gateway phase")
	conns := flag.String("connections", "1,16", "wrk's connections in the gateway phase, a run per number: 1 shows the added latency without queueing, more the throughput")
	flag.IntVar(&o.threads, "threads", 2, "wrk's threads")
	flag.DurationVar(&o.clDur, "cluster-duration", 30*time.Second, "wrk's run through nginx in the cluster phase")
	flag.IntVar(&o.clCon, "cluster-connections", 32, "wrk's connections in the cluster phase")
	flag.Float64Var(&o.rate, "rate", 200, "the key's throttle in the cluster phase, requests/s")
	flag.IntVar(&o.burst, "burst", 20, "the key's burst in the cluster phase")
	flag.Parse()
	for c := range strings.SplitSeq(*conns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			log.Fatalf("-connections %q: want positive numbers separated by commas", *conns)
		}
		o.connections = append(o.connections, n)
	}
	if o.phase != "gateway" && o.phase != "cluster" && o.phase != "all" {
		log.Fatalf("-phase %q: want gateway, cluster or all", o.phase)
	}
	dir, err := os.MkdirTemp("", "tollgate-limits-")
	if err != nil {
		log.Fatal(err)
	}
	b := &bench{o: o, dir: dir, redisPID: redisPID(o.redis)}
	err = b.run()
	b.stopAll()
	if b.dropSchema != nil {
		b.dropSchema()
	}
	_ = os.RemoveAll(dir)
	if err != nil {
		log.Fatal(err)
	}
}

type bench struct {
	o          options
	redisPID   int // Redis's process, when it runs here, for its CPU time
	dir        string
	procs      []*exec.Cmd
	logs       map[*exec.Cmd]string // each tollgate process's log file
	dropSchema func()
}

func (b *bench) run() error {
	if b.o.phase != "cluster" {
		if err := b.gateway(); err != nil {
			return err
		}
	}
	if b.o.phase != "gateway" {
		return b.cluster()
	}
	return nil
}

var apiID = tollgate.RestAPIID("LimitsApi")

// config is the REST API, the key and its plan; quota 0 is none.
func config(rate float64, burst, quota int) string {
	q := ""
	if quota > 0 {
		q = fmt.Sprintf("\n    quota: {limit: %d, period: DAY}", quota)
	}
	return fmt.Sprintf(`region: us-east-1
restApis:
  - id: LimitsApi
    deployOptions: {stageName: prod}
    apiKeySourceType: HEADER
    resources:
      - path: /open
        methods:
          - httpMethod: GET
            integration: {type: MOCK, statusCode: 200}
      - path: /keyed
        methods:
          - httpMethod: GET
            apiKeyRequired: true
            integration: {type: MOCK, statusCode: 200}
apiKeys:
  - id: BenchKey
    apiKeyName: bench
    value: %s
usagePlans:
  - id: BenchPlan
    name: bench
    throttle: {rateLimit: %s, burstLimit: %d}%s
    apiStages:
      - api: LimitsApi
    apiKeys: [BenchKey]
`, keyValue, strconv.FormatFloat(rate, 'f', -1, 64), burst, q)
}

// result is one wrk run.
type result struct {
	requests         int64
	seconds          float64
	p50, p99         time.Duration
	non2xx, sockErrs int64
	statuses         map[int]int64
	cpu              time.Duration // the server's, during the run
	redisCPU         time.Duration // Redis's, during the run (0 unknown)
}

func (r result) rate() float64 { return float64(r.requests) / r.seconds }

// gateway measures /open and /keyed with local limits, then with Redis.
func (b *bench) gateway() error {
	cfg := filepath.Join(b.dir, "gateway.yaml")
	if err := os.WriteFile(cfg, []byte(config(1e6, 100000, 1e9)), 0o600); err != nil {
		return err
	}
	var rows []row
	for _, m := range []struct {
		mode  string
		extra []string
	}{{"local", nil}, {"Redis", []string{"--redis", b.o.redis}}} {
		r, err := b.measureDev(cfg, m.mode, m.extra)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	fmt.Printf("\nGateway, MOCK integration, wrk -d%v per row after 1 s of warm-up, one run each\n\n", b.o.duration)
	fmt.Println("| connections | limits | method | req/s | p50 | p99 | non-2xx | Tollgate CPU µs/request | Redis CPU µs/request |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %d | %s | %s | %.0f | %v | %v | %d | %.1f | %.1f |\n", r.conns, r.mode, r.target, r.r.rate(), r.r.p50, r.r.p99, r.r.non2xx,
			float64(r.r.cpu.Microseconds())/float64(r.r.requests), float64(r.r.redisCPU.Microseconds())/float64(r.r.requests))
	}
	fmt.Println()
	for _, conns := range b.o.connections {
		var local, redis result
		for _, r := range rows {
			if r.conns == conns && r.target == "key required" {
				if r.mode == "local" {
					local = r.r
				} else {
					redis = r.r
				}
			}
		}
		fmt.Printf("%d connections: Redis adds to a key-required request p50 %v, p99 %v, %.1f µs of server CPU; throughput %.0f%% of local limits'\n",
			conns, redis.p50-local.p50, redis.p99-local.p99,
			float64(redis.cpu.Microseconds())/float64(redis.requests)-float64(local.cpu.Microseconds())/float64(local.requests),
			100*redis.rate()/local.rate())
	}
	return nil
}

// row is one wrk run of the gateway phase.
type row struct {
	conns        int
	mode, target string
	r            result
}

// measureDev runs tollgate dev with the extra flags (--redis or none) and
// measures each method at each number of connections.
func (b *bench) measureDev(cfg, mode string, extra []string) ([]row, error) {
	args := append([]string{"dev", "--config", cfg, "--data", filepath.Join(b.dir, "dev-"+mode), "--listen", "127.0.0.1:0", "--log-level", "warn"}, extra...)
	cmd, addr, err := b.start(args, nil)
	if err != nil {
		return nil, err
	}
	defer b.stop(cmd)
	base := "http://" + addr + "/apis/" + apiID + "/prod"
	var rows []row
	for _, conns := range b.o.connections {
		for _, target := range []struct{ path, header, name string }{
			{"/open", "", "keyless"},
			{"/keyed", "x-api-key: " + keyValue, "key required"},
		} {
			// A second's warm-up: connections, caches, the key's lookup.
			if _, err := b.wrk(base+target.path, target.header, summaryLua, time.Second, conns, cmd.Process.Pid); err != nil {
				return nil, err
			}
			r, err := b.wrk(base+target.path, target.header, summaryLua, b.o.duration, conns, cmd.Process.Pid)
			if err != nil {
				return nil, err
			}
			if r.non2xx > 0 || r.sockErrs > 0 {
				// The plan's limits admit everything: say so, with what
				// the server logged (at warn and above), and go on.
				out, _ := os.ReadFile(b.logs[cmd])
				fmt.Fprintf(os.Stderr, "limits: %s, %s limits, %d connections: %d non-2xx answers and %d socket errors; tollgate logged:\n%s\n", target.name, mode, conns, r.non2xx, r.sockErrs, out)
			}
			rows = append(rows, row{conns, mode, target.name, r})
		}
	}
	return rows, nil
}

// cluster measures three nodes behind nginx, with and without Redis.
func (b *bench) cluster() error {
	dsn, drop, err := pgschema.Create(context.Background(), b.o.dsn, "limits")
	if err != nil {
		return err
	}
	b.dropSchema = drop
	key, err := exec.Command(b.o.bin, "master-key", "new").Output()
	if err != nil {
		return fmt.Errorf("master-key new: %w", err)
	}
	env := append(os.Environ(), "TOLLGATE_MASTER_KEY="+strings.TrimSpace(string(key)), "TOLLGATE_DATABASE="+dsn)
	cfg := filepath.Join(b.dir, "cluster.yaml")
	if err := os.WriteFile(cfg, []byte(config(b.o.rate, b.o.burst, 0)), 0o600); err != nil {
		return err
	}
	lbAddr, err := freeAddr()
	if err != nil {
		return err
	}
	fmt.Printf("\nThree nodes behind nginx (round robin), one key throttled to %g requests/s, burst %d; wrk -t%d -c%d -d%v through nginx\n\n",
		b.o.rate, b.o.burst, b.o.threads, b.o.clCon, b.o.clDur)
	fmt.Println("| counting | sent/s | admitted (200) | 429 | other | admitted/s | admitted/s ÷ N | (admitted − burst·nodes counting)/s ÷ N |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, m := range []struct {
		mode   string
		bursts int // how many bursts the nodes admit: one each when they count alone
		extra  []string
	}{{"one Redis", 1, []string{"--redis", b.o.redis}}, {"each node alone", 3, nil}} {
		if err := b.measureCluster(cfg, lbAddr, env, m.mode, m.bursts, m.extra); err != nil {
			return err
		}
	}
	return nil
}

// measureCluster runs three nodes with the extra flags (--redis or none)
// behind nginx and prints the row of what they admitted.
func (b *bench) measureCluster(cfg, lbAddr string, env []string, mode string, bursts int, extra []string) error {
	args := append([]string{"serve", "--config", cfg, "--listen", "127.0.0.1:0", "--data", b.dir, "--public-url", "http://" + lbAddr, "--log-level", "warn"}, extra...)
	// One after the other: the first applies the config, the others find
	// it applied.
	var addrs []string
	for range 3 {
		cmd, addr, err := b.start(args, env)
		if err != nil {
			return err
		}
		defer b.stop(cmd)
		addrs = append(addrs, addr)
	}
	lb, err := b.startNginx(lbAddr, addrs)
	if err != nil {
		return err
	}
	defer b.stop(lb)
	r, err := b.wrk("http://"+lbAddr+"/apis/"+apiID+"/prod/keyed", "x-api-key: "+keyValue, statusLua, b.o.clDur, b.o.clCon, 0)
	if err != nil {
		return err
	}
	ok, refused := r.statuses[200], r.statuses[429]
	perSec := float64(ok) / r.seconds
	net := (float64(ok) - float64(bursts*b.o.burst)) / r.seconds
	fmt.Printf("| %s | %.0f | %d | %d | %d | %.1f | %.1f%% | %.1f%% |\n", mode, r.rate(), ok, refused, r.requests-ok-refused, perSec, 100*perSec/b.o.rate, 100*net/b.o.rate)
	return nil
}

// serve says "Tollgate is serving on ADDR (…", dev "Tollgate dev is running on http://ADDR (…".
var reServing = regexp.MustCompile(`^Tollgate (?:dev )?is (?:serving|running) on (?:http://)?(\S+) `)

// start starts tollgate with args and returns once it serves, with its
// address. Its logs go to a file, shown if it fails to start.
func (b *bench) start(args, env []string) (*exec.Cmd, string, error) {
	logs, err := os.CreateTemp(b.dir, "tollgate-*.log")
	if err != nil {
		return nil, "", err
	}
	defer logs.Close()
	cmd := exec.Command(b.o.bin, args...)
	cmd.Env, cmd.Stderr = env, logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM} // gone with the benchmark, however it ends
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	b.procs = append(b.procs, cmd)
	if b.logs == nil {
		b.logs = map[*exec.Cmd]string{}
	}
	b.logs[cmd] = logs.Name()
	found := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			if m := reServing.FindStringSubmatch(s.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		close(found)
	}()
	select {
	case addr, ok := <-found:
		if ok {
			return cmd, addr, nil
		}
	case <-time.After(60 * time.Second):
	}
	b.stop(cmd)
	out, _ := os.ReadFile(logs.Name())
	return nil, "", fmt.Errorf("tollgate %s did not start:\n%s", args[0], out)
}

// startNginx runs nginx on addr, round robin over the nodes.
func (b *bench) startNginx(addr string, nodes []string) (*exec.Cmd, error) {
	dir, err := os.MkdirTemp(b.dir, "nginx-")
	if err != nil {
		return nil, err
	}
	var up strings.Builder
	for _, n := range nodes {
		fmt.Fprintf(&up, "    server %s;\n", n)
	}
	conf := fmt.Sprintf(`pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
worker_processes 1;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path %[1]s; proxy_temp_path %[1]s; fastcgi_temp_path %[1]s; uwsgi_temp_path %[1]s; scgi_temp_path %[1]s;
  upstream tollgate {
%[2]s    keepalive 64;
  }
  server {
    listen %[3]s;
    location / {
      proxy_pass http://tollgate;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
    }
  }
}
`, dir, up.String(), addr)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(b.o.nginx, "-p", dir, "-c", path, "-g", "daemon off;")
	// Its own process group, so that stopping it stops its worker; gone
	// with the benchmark, however it ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	b.procs = append(b.procs, cmd)
	for range 100 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return cmd, nil
		}
		time.Sleep(50 * time.Millisecond) // polling for a port to open: no event to wait on
	}
	b.stop(cmd)
	return nil, errors.New("nginx did not start listening on " + addr)
}

// wrk runs wrk against url and reads the script's RESULT line. With pid,
// the result holds that process's CPU time during the run.
func (b *bench) wrk(target, header, script string, d time.Duration, connections, pid int) (result, error) {
	path := filepath.Join(b.dir, "script.lua")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		return result{}, err
	}
	args := []string{"-t", strconv.Itoa(min(b.o.threads, connections)), "-c", strconv.Itoa(connections), "-d", fmt.Sprintf("%ds", int(d.Seconds())), "-s", path}
	if header != "" {
		args = append(args, "-H", header)
	}
	args = append(args, target)
	var before, redisBefore time.Duration
	if pid > 0 {
		before, _ = procstat.CPU(pid)
	}
	if b.redisPID > 0 {
		redisBefore, _ = procstat.CPU(b.redisPID)
	}
	out, err := exec.Command(b.o.wrk, args...).CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %w\n%s", err, out)
	}
	var r result
	if pid > 0 {
		after, _ := procstat.CPU(pid)
		r.cpu = after - before
	}
	if b.redisPID > 0 {
		after, _ := procstat.CPU(b.redisPID)
		r.redisCPU = after - redisBefore
	}
	return r, parseResult(string(out), &r)
}

// parseResult reads "RESULT k=v …" from wrk's output.
func parseResult(out string, r *result) error {
	for line := range strings.SplitSeq(out, "\n") {
		rest, ok := strings.CutPrefix(line, "RESULT ")
		if !ok {
			continue
		}
		r.statuses = map[int]int64{}
		for f := range strings.FieldsSeq(rest) {
			k, v, _ := strings.Cut(f, "=")
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("wrk's result %q: %w", f, err)
			}
			switch {
			case k == "requests":
				r.requests = n
			case k == "duration_us":
				r.seconds = float64(n) / 1e6
			case k == "p50_us":
				r.p50 = time.Duration(n) * time.Microsecond
			case k == "p99_us":
				r.p99 = time.Duration(n) * time.Microsecond
			case k == "non2xx":
				r.non2xx = n
			case k == "socket_errors":
				r.sockErrs = n
			case strings.HasPrefix(k, "status_"):
				s, err := strconv.Atoi(strings.TrimPrefix(k, "status_"))
				if err != nil {
					return fmt.Errorf("wrk's result %q: %w", f, err)
				}
				r.statuses[s] = n
			}
		}
		if r.seconds == 0 {
			return errors.New("wrk's result has no duration")
		}
		return nil
	}
	return fmt.Errorf("no RESULT line in wrk's output:\n%s", out)
}

// redisPID returns the process id Redis at url reports (INFO server), if
// it is on this machine's loopback and redis-cli is here to ask; else 0.
func redisPID(redisURL string) int {
	u, err := url.Parse(redisURL)
	if err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost") {
		return 0
	}
	out, err := exec.Command("redis-cli", "-u", redisURL, "info", "server").Output()
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(out), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "process_id:"); ok {
			pid, _ := strconv.Atoi(v)
			return pid
		}
	}
	return 0
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// stop ends one process this benchmark started (nginx with its group).
func (b *bench) stop(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil || cmd.ProcessState != nil {
		return
	}
	if cmd.SysProcAttr != nil && cmd.SysProcAttr.Setpgid {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	} else {
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// stopAll stops whatever is still running.
func (b *bench) stopAll() {
	for _, c := range b.procs {
		b.stop(c)
	}
}
