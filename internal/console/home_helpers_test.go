package console_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/reqlog"
)

// dashBackend is a Backend whose requests are a log the test fills.
type dashBackend struct {
	log  *reqlog.Log
	apis []console.API
}

func (b *dashBackend) PublicURL() string          { return "http://127.0.0.1:1" }
func (b *dashBackend) Issuer(pool string) string  { return "http://127.0.0.1:1/" + pool }
func (b *dashBackend) Requests() *reqlog.Log      { return b.log }
func (b *dashBackend) ConsoleAPIs() []console.API { return b.apis }
func (b *dashBackend) Try(context.Context, console.TryRequest) console.TryResult {
	return console.TryResult{}
}

// dashFixture is a signed-in console, its clock fixed at dashNow.
type dashFixture struct {
	*console.TestEnv
	t       *testing.T
	backend *dashBackend
	client  *http.Client
}

var dashNow = time.Date(2026, 12, 6, 12, 30, 20, 0, time.UTC)

func newDashFixture(t *testing.T) *dashFixture {
	t.Helper()
	b := &dashBackend{log: reqlog.New(0)}
	env, c := console.NewTestEnv(t, b, dashNow)
	c.CheckRedirect = nil // the pages are read after their redirects
	return &dashFixture{TestEnv: env, t: t, backend: b, client: c}
}

// get returns the status and body of the console's page p.
func (f *dashFixture) get(p string) (int, string) {
	f.t.Helper()
	resp, err := f.client.Get(f.Server.URL + p)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// page gets p and fails unless it is 200.
func (f *dashFixture) page(p string) string {
	f.t.Helper()
	status, body := f.get(p)
	if status != http.StatusOK {
		f.t.Fatalf("GET %s: %d\n%s", p, status, body)
	}
	if strings.Contains(body, " style=") {
		f.t.Errorf("GET %s: an inline style attribute", p)
	}
	return body
}

// pool creates a pool with a resource server "orders" and a client of
// each name; it returns the clients by name.
func (f *dashFixture) pool(name string, clients ...string) map[string]*tollgate.Client {
	f.t.Helper()
	ctx := context.Background()
	p, err := f.Domain.CreatePoolWith(ctx, name, "eu-west-1", domain.PoolSpec{})
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]*tollgate.Client{}
	for _, n := range clients {
		c, _, err := f.Domain.CreateClient(ctx, p.ID, domain.ClientSpec{Name: n}, domain.SecretChoice{Generate: true})
		if err != nil {
			f.t.Fatal(err)
		}
		out[n] = c
	}
	return out
}

// record adds n requests of client with status, ago before now.
func (f *dashFixture) record(n int, ago time.Duration, e reqlog.Entry) {
	e.Time = f.Now().Add(-ago)
	if e.Method == "" {
		e.Method, e.Path, e.Kind = "GET", "/prod/items/1", "gateway"
	}
	for range n {
		f.backend.log.Record(e)
	}
}
