package limit_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/internal/limit"
)

// refusedURL returns the URL of a port where nothing listens.
func refusedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "redis://" + addr + "/0"
}

// The child's half of TestRedisClientLogQuiet: with TOLLGATE_REDISLOG_CHILD
// set to "limit", a Take through limit.NewRedis against a refused port;
// set to "raw", a go-redis client's ping, as the control that the client
// does write to stderr by default.
func TestRedisClientLogChild(t *testing.T) {
	mode, url := os.Getenv("TOLLGATE_REDISLOG_CHILD"), os.Getenv("TOLLGATE_REDISLOG_URL")
	if mode == "" {
		return // run by TestRedisClientLogQuiet only
	}
	ctx := context.Background()
	switch mode {
	case "limit":
		r, err := limit.NewRedis(url, limit.RedisOptions{Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if _, err := r.Take(ctx, time.Now(), []limit.Check{{Key: "k", Rate: limit.Rate{PerSecond: 1, Burst: 1}}}); err == nil {
			t.Fatal("a Take against a refused port succeeded")
		}
	case "raw":
		o, _ := redis.ParseURL(url)
		o.MaxRetries, o.DialerRetries = -1, 1
		c := redis.NewClient(o)
		defer c.Close()
		_ = c.Ping(ctx).Err()
	}
}

// A refused dial writes nothing to stderr (go-redis's default logger
// writes a plain-text line per failed dial, which breaks a JSON log). The
// client's logger is process-wide, so each case runs in a child process.
func TestRedisClientLogQuiet(t *testing.T) {
	url := refusedURL(t)
	run := func(mode string) string {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRedisClientLogChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "TOLLGATE_REDISLOG_CHILD="+mode, "TOLLGATE_REDISLOG_URL="+url)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s: %v\n%s%s", mode, err, stdout.String(), stderr.String())
		}
		return stderr.String()
	}
	if got := run("raw"); !strings.Contains(got, "redis") {
		t.Fatalf("control: go-redis wrote %q to stderr; the test cannot tell quiet from loud", got)
	}
	if got := run("limit"); got != "" {
		t.Errorf("NewRedis: stderr %q, want nothing", got)
	}
}

// Given a Logger, the client's lines reach it at debug level.
func TestRedisClientLogForwarded(t *testing.T) {
	var buf syncBuffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r, err := limit.NewRedis(refusedURL(t), limit.RedisOptions{Timeout: time.Second, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Take(context.Background(), time.Now(), []limit.Check{{Key: "k", Rate: limit.Rate{PerSecond: 1, Burst: 1}}}); err == nil {
		t.Fatal("a Take against a refused port succeeded")
	}
	if got := buf.String(); !strings.Contains(got, "level=DEBUG") || !strings.Contains(got, "redis client:") {
		t.Errorf("log %q: want the client's line at debug", got)
	}
}

// syncBuffer is a bytes.Buffer safe for the client's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
