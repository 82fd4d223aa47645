package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/limit/limittest"
	"github.com/tollgate/tollgate/internal/token"
)

// `clients unlock` ends a client's lockout in the Redis the nodes share
// (the key the token endpoint strikes), and says when it was not locked.
func TestClientsUnlock(t *testing.T) {
	url := limittest.RedisURL(t)
	f := newCLIFixture(t)
	ctx := context.Background()
	st, pools := f.createPool(t, "orders")
	now := time.Now()
	c := &tollgate.Client{ID: tollgate.NewClientID(), PoolID: pools[0].ID, Name: "partner", CreatedAt: now, UpdatedAt: now}
	if err := st.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "tollgate-test-" + hex.EncodeToString(b[:]) + ":"
	r, err := limit.NewRedis(url, limit.RedisOptions{Prefix: prefix, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	key := token.LockoutKey(c.ID)
	lo := limit.Lockout{MaxFailures: 1, Window: time.Minute, Duration: time.Hour}
	if until, err := r.Strike(ctx, time.Now(), key, lo); err != nil || until.IsZero() {
		t.Fatalf("strike: %v %v", until, err)
	}
	locked := []limit.Check{{Key: key, Locked: true}}
	if res, err := r.Take(ctx, time.Now(), locked); err != nil || res.Allowed() {
		t.Fatalf("before unlock: %+v %v", res, err)
	}

	if code, _, stderr := f.run(t, "clients", "unlock", c.ID); code == 0 || !strings.Contains(stderr, "--redis is required") {
		t.Errorf("without --redis: exit %d, %q", code, stderr)
	}
	code, stdout, stderr := f.run(t, "clients", "unlock", c.ID, "--redis", url, "--redis-prefix", prefix)
	if code != 0 || stdout != "client "+c.ID+" unlocked\n" {
		t.Fatalf("unlock: exit %d, %q %q", code, stdout, stderr)
	}
	if res, err := r.Take(ctx, time.Now(), locked); err != nil || !res.Allowed() {
		t.Errorf("after unlock: %+v %v", res, err)
	}
	if _, stdout, _ := f.run(t, "clients", "unlock", c.ID, "--redis", url, "--redis-prefix", prefix); !strings.Contains(stdout, "was not locked out") {
		t.Errorf("unlock again: %q", stdout)
	}
	if code, _, _ := f.run(t, "clients", "unlock", tollgate.NewClientID(), "--redis", url, "--redis-prefix", prefix); code == 0 {
		t.Error("unlock of an unknown client: exit 0")
	}
}
