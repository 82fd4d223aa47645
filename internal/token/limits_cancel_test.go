package token_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/limit/limittest"
	"github.com/tollgate/tollgate/internal/token"
)

// contextFreeClients looks clients up as the server's catalog does: in
// memory, whatever the request's context.
type contextFreeClients struct{ token.Clients }

func (c contextFreeClients) GetClient(_ context.Context, id string) (*tollgate.Client, error) {
	return c.Clients.GetClient(context.Background(), id)
}

// A caller that hangs up is no outage of the shared limiter: its request
// is not decided by the local fallback (which holds none of Redis's locks),
// so a locked id gets no token by cancelling its request (fail open).
func TestCancelledRequestStaysLocked(t *testing.T) {
	env := newLimitsEnv(t, tollgate.TokenLimits{Lockout: lockout3}, true)
	var b [6]byte
	_, _ = rand.Read(b[:])
	red, err := limit.NewRedis(limittest.RedisURL(t), limit.RedisOptions{Prefix: "tollgate-test-" + hex.EncodeToString(b[:]) + ":"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = red.Close() })
	f := env.f
	env.ep = token.New(token.Options{
		Clients: contextFreeClients{env.clients}, Signer: f.signer, Keys: f.signer, Revocations: f.st, Vault: f.vault,
		Issuer:  func(_ *http.Request, poolID string) string { return issuer(poolID) },
		Limiter: red, LimiterFailOpen: true, LocalLimiter: limit.NewLocal(limit.LocalOptions{}),
		PoolLimits: func(id string) (tollgate.TokenLimits, bool) { l, ok := env.pools[id]; return l, ok },
		Now:        time.Now,
	})
	m2m := env.f.m2m
	// A token first, as a running server has its signing keys at hand.
	if a := env.basicToken("", m2m.ID, m2m.secret()); a.status != http.StatusOK {
		t.Fatalf("a token: %+v", a)
	}
	for range 3 {
		if a := env.basicToken("", m2m.ID, wrongSecret); a.status != http.StatusUnauthorized {
			t.Fatalf("a wrong secret: %+v", a)
		}
	}
	env.ep.WaitStrikes()
	if a := env.basicToken("", m2m.ID, m2m.secret()); a.status != http.StatusUnauthorized {
		t.Fatalf("the right secret of a locked id: %+v", a)
	}
	r := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader(form("grant_type", "client_credentials")))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Authorization", basic(m2m.ID, m2m.secret()))
	ctx, cancel := context.WithCancel(r.Context())
	cancel()
	w := httptest.NewRecorder()
	env.ep.ServeToken(w, r.WithContext(ctx))
	if w.Code == http.StatusOK {
		t.Errorf("a cancelled request of a locked id got a token: %d %s", w.Code, w.Body)
	}
}

// Once WaitStrikes has begun (the server shutting down), a handler that
// outlived the grace counts its failure itself, before it returns.
func TestStrikeInlineAfterWaitStrikes(t *testing.T) {
	env := newLimitsEnv(t, tollgate.TokenLimits{Lockout: lockout3}, false)
	env.ep.WaitStrikes()
	m2m := env.f.m2m
	if a := env.basicToken("", m2m.ID, wrongSecret); a.status != http.StatusUnauthorized {
		t.Fatalf("a wrong secret: %+v", a)
	}
	if _, strikes := env.lim.calls(); strikes != 1 {
		t.Errorf("%d strikes when the handler returned, want 1 (counted inline)", strikes)
	}
}
