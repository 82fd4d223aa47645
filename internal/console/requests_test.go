package console_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/reqlog"
)

// requestsRows returns the request ids of the page's #requests table's
// rows, in order (the tests record the request id in Path).
func requestsRows(t *testing.T, body string) []string {
	t.Helper()
	i := strings.Index(body, `<table id="requests">`)
	if i < 0 {
		return nil
	}
	table := body[i : i+strings.Index(body[i:], "</table>")]
	var out []string
	for _, m := range regexp.MustCompile(`/r/([a-z0-9-]+)</td>`).FindAllStringSubmatch(table, -1) {
		out = append(out, m[1])
	}
	return out
}

// requestsFixture is a console whose log holds seven requests of two
// clients of pool shop, of no client and of an unknown one; each
// request's id is its name, also recorded in its Path.
func requestsFixture(t *testing.T) (f *dashFixture, billing, reports *tollgate.Client) {
	t.Helper()
	f = newDashFixture(t)
	cs := f.pool("shop", "billing", "reports")
	billing, reports = cs["billing"], cs["reports"]
	f.backend.apis = []console.API{{RestAPI: &tollgate.RestAPI{ID: "a1b2c3d4e5", Name: "orders",
		Stages: []tollgate.Stage{{Name: "prod"}},
		Routes: []tollgate.Route{{Method: "GET", ResourcePath: "/items/{id}"}, {Method: "POST", ResourcePath: "/items"}}}}}
	add := func(id string, ago time.Duration, e reqlog.Entry) {
		e.Path, e.Method, e.RequestID = "/r/"+id, "GET", id
		if e.Route != "" {
			e.Kind, e.API, e.Stage = "gateway", "a1b2c3d4e5", "prod"
		}
		f.record(1, ago, e)
	}
	add("b-ok", 9*time.Minute, reqlog.Entry{ClientID: billing.ID, Route: "GET /items/{id}", Status: 200})
	add("b-scope", 8*time.Minute, reqlog.Entry{ClientID: billing.ID, Route: "POST /items", Status: 403, Reason: "insufficient_scope"})
	add("r-ok", 7*time.Minute, reqlog.Entry{ClientID: reports.ID, Route: "GET /items/{id}", Status: 200})
	add("anon", 6*time.Minute, reqlog.Entry{Route: "GET /items/{id}", Status: 401, Reason: "missing_token"})
	add("r-500", 5*time.Minute, reqlog.Entry{ClientID: reports.ID, Route: "POST /items", Status: 502, Reason: "integration_error"})
	add("tok", 4*time.Minute, reqlog.Entry{ClientID: billing.ID, Kind: "token", Status: 200})
	add("other", 3*time.Minute, reqlog.Entry{ClientID: "ghost", Route: "GET /old", Status: 404, Reason: "no_route"})
	return f, billing, reports
}

// TestRequestsAPIKey: a request that presented an API key names it (a
// link to the key when it is known here, its id when not), alone or
// beside the verified client; ?apikey= selects its requests, kept by the
// other filters, and the key's page links there.
func TestRequestsAPIKey(t *testing.T) {
	f, billing, _ := requestsFixture(t)
	key, _, err := f.Domain.CreateAPIKey(context.Background(), domain.APIKeySpec{Name: "partner <b>", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	add := func(id string, ago time.Duration, e reqlog.Entry) {
		e.Path, e.Method, e.RequestID, e.Kind, e.API, e.Stage = "/r/"+id, "GET", id, "gateway", "a1b2c3d4e5", "prod"
		f.record(1, ago, e)
	}
	add("k-only", 2*time.Minute, reqlog.Entry{APIKeyID: key.ID, Route: "GET /items/{id}", Status: 200})
	add("k-client", 90*time.Second, reqlog.Entry{APIKeyID: key.ID, ClientID: billing.ID, Route: "GET /items/{id}", Status: 429, Reason: "quota_exceeded"})
	add("k-gone", time.Minute, reqlog.Entry{APIKeyID: "gonekey001", Route: "GET /items/{id}", Status: 403, Reason: "api_key_invalid"})
	for _, tc := range []struct{ query, want string }{
		{"apikey=" + key.ID, "k-client k-only"},
		{"apikey=" + key.ID + "&status=4xx", "k-client"},
		{"apikey=gonekey001", "k-gone"},
		{"apikey=nokey00001", ""},
	} {
		if got := strings.Join(requestsRows(t, f.page("/console/requests?"+tc.query)), " "); got != tc.want {
			t.Errorf("?%s: rows %q, want %q", tc.query, got, tc.want)
		}
	}
	body := f.page("/console/requests")
	link := `<span class="hint">API key</span> <a href="/console/api-keys/` + key.ID + `">partner &lt;b&gt;</a>`
	for _, want := range []string{
		link,
		`<a href="/console/clients/` + billing.ID + `">billing</a><br><code class="dash-id hide-sm">` + billing.ID + `</code><br>` + link,
		`<span class="hint">API key</span> <code class="dash-id">gonekey001</code>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("requests page lacks %s", want)
		}
	}
	body = f.page("/console/requests?status=4xx&apikey=" + key.ID)
	for _, want := range []string{
		`Showing the requests that presented the API key <a href="/console/api-keys/` + key.ID + `">partner &lt;b&gt;</a> (<code>` + key.ID + `</code>). <a href="/console/requests">Show all</a>`,
		`<input type="hidden" name="apikey" value="` + key.ID + `">`,
		`href="/console/requests?apikey=` + key.ID + `&amp;refresh=10&amp;status=4xx"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("filtered by key: page lacks %s", want)
		}
	}
	// A hostile value is shown escaped, never as markup or a link.
	body = f.page("/console/requests?apikey=" + url.QueryEscape(`"><script>x</script>`))
	if strings.Contains(body, "<script>x") || !strings.Contains(body, `the API key <code>&#34;&gt;&lt;script&gt;x&lt;/script&gt;</code>.`) ||
		!strings.Contains(body, `name="apikey" value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"`) {
		t.Errorf("a hostile apikey value is not shown escaped")
	}
	if body := f.page("/console/api-keys/" + key.ID); !strings.Contains(body, `<a href="/console/requests?apikey=`+key.ID+`">Recent requests with this key</a>`) {
		t.Errorf("the key's page does not link to its requests")
	}
}

func TestRequestsFilters(t *testing.T) {
	f, billing, reports := requestsFixture(t)
	for _, tc := range []struct {
		query string
		want  string
	}{
		{"", "other tok r-500 anon r-ok b-scope b-ok"},
		{"client=" + billing.ID, "tok b-scope b-ok"},
		{"client=-", "anon"},
		{"client=ghost", "other"},
		{"route=" + url.QueryEscape("a1b2c3d4e5 GET /items/{id}"), "anon r-ok b-ok"},
		{"status=2xx", "tok r-ok b-ok"},
		{"status=4xx", "other anon b-scope"},
		{"status=5xx", "r-500"},
		{"status=refused", "other r-500 anon b-scope"},
		{"status=refused&client=" + reports.ID, "r-500"},
		{"status=bogus", "other tok r-500 anon r-ok b-scope b-ok"},
		{"id=anon", "anon"},
		{"id=nothing", ""},
	} {
		body := f.page("/console/requests?" + tc.query)
		if got := strings.Join(requestsRows(t, body), " "); got != tc.want {
			t.Errorf("?%s: rows %q, want %q", tc.query, got, tc.want)
		}
	}
}

// TestRequestsOne: ?id= shows one request, with a way back to all.
func TestRequestsOne(t *testing.T) {
	f, _, _ := requestsFixture(t)
	body := f.page("/console/requests?id=anon")
	if !strings.Contains(body, `Showing the request <code>anon</code> only. <a href="/console/requests">Show all</a>`) {
		t.Errorf("one request's page: no Show all link")
	}
	if strings.Contains(f.page("/console/requests"), "Show all") {
		t.Errorf("Show all without an id")
	}
}

func TestRequestsFilterForm(t *testing.T) {
	f, billing, _ := requestsFixture(t)
	body := f.page("/console/requests?status=4xx&client=" + billing.ID)
	for _, want := range []string{
		`<label for="f-client">Client</label>`, `<label for="f-route">Route</label>`, `<label for="f-status">Status</label>`,
		`<option value="` + billing.ID + `" selected>billing (` + billing.ID + `) · shop</option>`,
		`<option value="ghost">ghost (unknown client)</option>`,
		`<option value="a1b2c3d4e5 POST /items">orders · POST /items</option>`,
		`<option value="a1b2c3d4e5 GET /old">orders · GET /old</option>`,
		`<option value="4xx" selected>`,
		`>Filter</button>`,
		`aria-label="Requests and refusals per minute for billing, last hour: 3 requests, 1 refused"`,
		"Clear filters", `aria-current="page">Requests`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("filtered page lacks %s", want)
		}
	}
}

func TestRequestsPage(t *testing.T) {
	f, billing, _ := requestsFixture(t)
	body := f.page("/console/requests")
	for _, want := range []string{
		`orders · prod · POST /items`, `<code>integration_error</code>`, `<span class="status s5">502</span>`,
		`<span class="status s4">403</span>`, `<a href="/console/clients/` + billing.ID + `">billing</a>`,
		"OAuth endpoint", `data-ago`, "7 requests",
		`<th scope="col">Time</th><th scope="col">Method</th><th scope="col">Path</th><th scope="col">Route</th><th scope="col">Client or API key</th><th scope="col">Status</th><th scope="col">Reason</th>`,
		`href="/console/requests?refresh=10"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("requests page lacks %s", want)
		}
	}
	if strings.Contains(body, "data-refresh") || strings.Contains(body, "<svg") {
		t.Errorf("auto-refresh or a chart without asking")
	}
	body = f.page("/console/requests?refresh=10&status=4xx")
	if !strings.Contains(body, `data-refresh="10"`) || !strings.Contains(body, `href="/console/requests?status=4xx"`) ||
		!strings.Contains(body, `<input type="hidden" name="refresh" value="10">`) {
		t.Errorf("auto-refresh on: no data-refresh, or its toggle loses the filters")
	}
}

func TestRequestsEmpty(t *testing.T) {
	f := newDashFixture(t)
	body := f.page("/console/requests")
	if !strings.Contains(body, "No requests yet on this node") || !strings.Contains(body, `href="/console/try"`) {
		t.Errorf("no empty state without requests")
	}
	if strings.Contains(body, `<table id="requests">`) {
		t.Errorf("an empty table")
	}
	f.record(1, time.Minute, reqlog.Entry{Status: 200})
	body = f.page("/console/requests?status=5xx")
	if !strings.Contains(body, "No request matches") || !strings.Contains(body, `href="/console/requests">Clear filters`) {
		t.Errorf("no empty state of the filter")
	}
}

func TestRequestsLimit(t *testing.T) {
	f := newDashFixture(t)
	for i := range 250 {
		f.record(1, time.Duration(250-i)*time.Second, reqlog.Entry{Method: "GET", Path: fmt.Sprintf("/r/n%d", i), Status: 200})
	}
	body := f.page("/console/requests")
	rows := requestsRows(t, body)
	if len(rows) != 200 || rows[0] != "n249" || rows[199] != "n50" {
		t.Errorf("%d rows from %v, want the newest 200", len(rows), rows[:1])
	}
	if !strings.Contains(body, "Showing the newest 200 of 250 matching") {
		t.Errorf("no note of how many matched")
	}
}

func TestRequestsEscapes(t *testing.T) {
	f := newDashFixture(t)
	f.record(1, time.Minute, reqlog.Entry{Method: "GET", Path: `/p/"><script>alert(1)</script>`, Status: 403,
		ClientID: `c"><img src=x>`, API: "x<b>", Route: "GET /<i>", Reason: `<u>why</u>`, Detail: `<svg onload=alert(2)>`})
	for _, p := range []string{"/console/requests", "/console/requests?client=" + url.QueryEscape(`c"><img src=x>`)} {
		body := f.page(p)
		for _, bad := range []string{"<script>alert", "<img src=x>", "<b>", "<i>", "<u>why", "<svg onload"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s: unescaped %q", p, bad)
			}
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: the path is not shown escaped", p)
		}
	}
}
