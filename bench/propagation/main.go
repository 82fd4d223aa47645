// Command propagation measures how long a change made on one of several
// `tollgate serve` nodes sharing one PostgreSQL database takes to be
// enforced by the others: revocations, client deletions, secret deletions
// and key rotations (internal/propagation says what enforced means for
// each). It starts the nodes on loopback ports in a schema of its own,
// which it drops when done, makes -changes changes of each kind, each on
// the next node in turn (key rotations with the CLI), polls every node
// without pause from the change's acknowledgement until it enforces it,
// and prints p50/p90/p99/max of the delays per kind.
//
//	go build -o /tmp/tollgate ./cmd/tollgate
//	go run ./bench/propagation -tollgate /tmp/tollgate [-dsn postgres://…] [-changes 30]
//
// bench/propagation.sh does both.
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
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/tollgate/tollgate/bench/internal/pgschema"
	"github.com/tollgate/tollgate/internal/propagation"
)

type options struct {
	tollgate, dsn, kinds string
	nodes, changes       int
	pollInterval         time.Duration
}

func main() {
	var o options
	dsn := os.Getenv("TOLLGATE_BENCH_DSN")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/test"
	}
	flag.StringVar(&o.tollgate, "tollgate", "", "the tollgate binary (required)")
	flag.StringVar(&o.dsn, "dsn", dsn, "PostgreSQL database the nodes share, in a schema of the benchmark's own (env TOLLGATE_BENCH_DSN)")
	flag.IntVar(&o.nodes, "nodes", 3, "how many nodes")
	flag.IntVar(&o.changes, "changes", 30, "how many changes of each kind")
	flag.StringVar(&o.kinds, "kinds", "", "the kinds to measure, comma-separated (default all: revocation, client deletion, secret deletion, key rotation)")
	flag.DurationVar(&o.pollInterval, "poll-interval", 0, "the nodes' --poll-interval (default theirs)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "propagation:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.tollgate == "" || o.nodes < 2 || o.changes < 1 {
		return errors.New("-tollgate is required, -nodes at least 2 and -changes at least 1")
	}
	kinds, err := chosen(o.kinds)
	if err != nil {
		return err
	}
	ctx := context.Background()
	dsn, drop, err := pgschema.Create(ctx, o.dsn, "propagation")
	if err != nil {
		return err
	}
	defer drop()
	dir, err := os.MkdirTemp("", "tollgate-propagation-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b := &bench{bin: o.tollgate, dir: dir}
	defer b.stop()
	c, err := b.start(ctx, dsn, o)
	if err != nil {
		return err
	}
	fmt.Printf("%d nodes on PostgreSQL, %d changes of each kind; delay from the change's acknowledgement until a node enforces it:\n", o.nodes, o.changes)
	for _, k := range kinds {
		samples, err := c.Measure(ctx, k, o.changes, nil)
		if err != nil {
			return err
		}
		report(k.Name, samples)
	}
	return nil
}

// chosen returns the kinds a -kinds list names.
func chosen(list string) ([]propagation.Kind, error) {
	if list == "" {
		return propagation.Kinds, nil
	}
	var kinds []propagation.Kind
	for _, name := range strings.Split(list, ",") {
		found := false
		for _, k := range propagation.Kinds {
			if k.Name == strings.TrimSpace(name) {
				kinds, found = append(kinds, k), true
			}
		}
		if !found {
			return nil, fmt.Errorf("-kinds: no kind %q", name)
		}
	}
	return kinds, nil
}

// report prints a kind's delays: on the node the change was made on, on
// each other node, and until every node enforced it.
func report(kind string, samples []propagation.Sample) {
	var own, others, all []time.Duration
	for _, s := range samples {
		for node, d := range s.Delays {
			if node == s.Node {
				own = append(own, d)
			} else {
				others = append(others, d)
			}
		}
		all = append(all, s.All())
	}
	fmt.Printf("%s\n  the node it was made on: %v\n  each other node:         %v\n  every node:              %v\n",
		kind, propagation.Summarize(own), propagation.Summarize(others), propagation.Summarize(all))
}

// bench runs the nodes and the CLI.
type bench struct {
	bin, dir string
	env      []string
	nodes    []*exec.Cmd
}

var reServing = regexp.MustCompile(`^Tollgate is serving on (\S+) `)

// start starts the nodes, reads the config's pool and client with the CLI,
// makes an access key, and returns the cluster to measure.
func (b *bench) start(ctx context.Context, dsn string, o options) (*propagation.Cluster, error) {
	key, err := b.cli(ctx, "master-key", "new")
	if err != nil {
		return nil, err
	}
	b.env = append(os.Environ(), "TOLLGATE_MASTER_KEY="+strings.TrimSpace(key), "TOLLGATE_DATABASE="+dsn)
	cfg := filepath.Join(b.dir, "bench.yaml")
	if err := os.WriteFile(cfg, []byte(propagation.Config), 0o600); err != nil {
		return nil, err
	}
	// One public URL for all, so that every node's tokens have the same
	// issuer; nothing listens there.
	args := []string{"serve", "--config", cfg, "--listen", "127.0.0.1:0", "--data", b.dir, "--public-url", "http://cluster.localhost", "--log-level", "warn"}
	if o.pollInterval > 0 {
		args = append(args, "--poll-interval", o.pollInterval.String())
	}
	c := &propagation.Cluster{}
	for range o.nodes {
		addr, err := b.node(args)
		if err != nil {
			return nil, err
		}
		c.Nodes = append(c.Nodes, "http://"+addr)
	}
	c.HTTP = &http.Client{Timeout: 10 * time.Second}
	c.RoutePath = propagation.RoutePath
	pool, err := b.objects(ctx, c)
	if err != nil {
		return nil, err
	}
	var k struct {
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string
	}
	if err := b.cliJSON(ctx, &k, "access-keys", "create", "--json"); err != nil {
		return nil, err
	}
	c.Admin = propagation.NewAdmin(c.Nodes, k.AccessKeyID, k.SecretAccessKey, pool, propagation.Scope, func(ctx context.Context) error {
		_, err := b.cli(ctx, "keys", "rotate", pool, "--force", "--retire-now")
		return err
	})
	return c, nil
}

// objects finds the config's client, which introspects, and its pool.
func (b *bench) objects(ctx context.Context, c *propagation.Cluster) (pool string, err error) {
	var clients []struct {
		ClientID string `json:"ClientId"`
		PoolID   string `json:"UserPoolId"`
	}
	if err := b.cliJSON(ctx, &clients, "clients", "list", "--json"); err != nil {
		return "", err
	}
	if len(clients) != 1 {
		return "", fmt.Errorf("%d clients after the nodes applied the config, want 1", len(clients))
	}
	var desc struct{ ClientSecret string }
	if err := b.cliJSON(ctx, &desc, "clients", "describe", clients[0].ClientID, "--show-secret", "--json"); err != nil {
		return "", err
	}
	c.IntrospectorID, c.IntrospectorSecret = clients[0].ClientID, desc.ClientSecret
	return clients[0].PoolID, nil
}

// node starts one node and returns its address once it serves. Its logs
// go to a file in the benchmark's directory, shown if it fails to start.
func (b *bench) node(args []string) (string, error) {
	logs, err := os.CreateTemp(b.dir, "node-*.log")
	if err != nil {
		return "", err
	}
	defer logs.Close()
	cmd := exec.Command(b.bin, args...)
	cmd.Env, cmd.Stderr = b.env, logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM} // gone with the benchmark, however it ends
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	b.nodes = append(b.nodes, cmd)
	deadline := time.AfterFunc(time.Minute, func() { _ = cmd.Process.Kill() }) // its output then ends: reported below
	defer deadline.Stop()
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if m := reServing.FindStringSubmatch(sc.Text()); m != nil {
			go func() { _, _ = io.Copy(io.Discard, stdout) }() // keeps the pipe drained
			return m[1], nil
		}
	}
	_, _ = logs.Seek(0, io.SeekStart) // a failure leaves the message without the logs
	text, _ := io.ReadAll(logs)
	return "", fmt.Errorf("node %d did not start: %s", len(b.nodes)-1, text)
}

// stop stops the nodes with SIGTERM and waits for them.
func (b *bench) stop() {
	for _, cmd := range b.nodes {
		_ = cmd.Process.Signal(syscall.SIGTERM) // it may have exited already
	}
	for _, cmd := range b.nodes {
		_ = cmd.Wait() // stopped: its status says nothing about the figures
	}
}

// cli runs a tollgate command on the nodes' database and returns its
// output.
func (b *bench) cli(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, b.bin, append(args, "--data", b.dir)...)
	cmd.Env = b.env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("tollgate %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

// cliJSON runs a command with --json and decodes its output into v.
func (b *bench) cliJSON(ctx context.Context, v any, args ...string) error {
	out, err := b.cli(ctx, args...)
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(out), v)
}
