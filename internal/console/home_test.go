package console_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/reqlog"
)

func TestHomeGetStarted(t *testing.T) {
	f := newDashFixture(t)
	body := f.page("/console/")
	for _, want := range []string{
		"<h1>Overview</h1>", "Get started", `href="/console/pools/new"`, `href="/console/try"`,
		"No requests yet on this node", "numbers are this node", `aria-current="page">Overview`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("overview without pools lacks %q", want)
		}
	}
	if strings.Contains(body, "<svg") {
		t.Errorf("a chart without traffic")
	}
}

func TestHomeNumbersAndTopClients(t *testing.T) {
	f := newDashFixture(t)
	cs := f.pool("shop", "billing", "reports")
	f.pool("partners", "acme")
	f.backend.apis = []console.API{{RestAPI: &tollgate.RestAPI{ID: "a1b2c3d4e5", Name: "orders"}}}
	billing, reports := cs["billing"], cs["reports"]
	f.record(5, 2*time.Minute, reqlog.Entry{ClientID: billing.ID, Status: 200})
	f.record(2, 3*time.Minute, reqlog.Entry{ClientID: billing.ID, Status: 403, Reason: "insufficient_scope", Detail: "the token lacks a scope the route requires (orders/write)"})
	f.record(3, 10*time.Minute, reqlog.Entry{ClientID: reports.ID, Status: 200})
	f.record(1, 5*time.Minute, reqlog.Entry{Status: 401, Reason: "missing_token", Detail: "no token"})
	f.record(4, 2*time.Hour, reqlog.Entry{ClientID: reports.ID, Status: 500}) // outside the hour
	for i := range 7 {                                                        // 7 unknown clients, one request each
		f.record(1, time.Minute, reqlog.Entry{ClientID: fmt.Sprintf("zz%024d", i), Status: 200})
	}
	body := f.page("/console/")

	stat := func(id string) string {
		m := regexp.MustCompile(`id="` + id + `">([^<]*)<`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no #%s", id)
		}
		return m[1]
	}
	// Last hour: 5+2+3+1+7 = 18 requests, 3 refused.
	if got := stat("stat-requests"); got != "18" {
		t.Errorf("requests %s, want 18", got)
	}
	if got := stat("stat-refusals"); got != "3" {
		t.Errorf("refusals %s, want 3", got)
	}
	if got := stat("stat-rate"); got != "16.7%" {
		t.Errorf("rate %s, want 16.7%%", got)
	}
	for _, want := range []string{
		`<span class="n">2</span><span class="l">Pools</span>`,
		`<span class="n">3</span><span class="l">App clients</span>`,
		`<span class="n">1</span><span class="l">APIs</span>`,
		`aria-label="Requests and refusals per minute for all clients, last hour: 18 requests, 3 refused"`,
		`aria-label="Requests and refusals per minute for billing, last hour: 7 requests, 2 refused"`,
		`aria-label="Requests and refusals per minute for reports, last hour: 3 requests, 0 refused"`,
		`aria-label="Requests and refusals per minute for No verified client, last hour: 1 request, 1 refused"`,
		`<a href="/console/requests?client=` + billing.ID + `">billing</a>`,
		`<a href="/console/requests?client=-">No verified client</a>`,
		`<span class="hint">API key or anonymous calls, and refusals before a client was verified</span>`,
		"And 4 more clients",
		"the token lacks a scope the route requires (orders/write)",
		"<code>missing_token</code>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("overview lacks %s", want)
		}
	}
	// billing first (most requests), then reports; 6 small multiples.
	if i, j := strings.Index(body, ">billing</a>"), strings.Index(body, ">reports</a>"); i < 0 || j < i {
		t.Errorf("billing (7) is not charted before reports (3)")
	}
	if n := strings.Count(body, `<figure class="dash-multiple">`); n != 6 {
		t.Errorf("%d small multiples, want 6", n)
	}
	if strings.Contains(body, "Get started") {
		t.Errorf("get started with pools")
	}
	// Recent refusals are the log's last ones, older than the hour too.
	refused := body[strings.Index(body, `id="recent-refused"`):]
	if n := strings.Count(refused, "<tr>") - 1; n != 7 {
		t.Errorf("%d recent refusals, want 7 (3 in the hour and 4 older)", n)
	}
}

func TestHomeEscapes(t *testing.T) {
	f := newDashFixture(t)
	f.pool("shop")
	f.record(1, time.Minute, reqlog.Entry{ClientID: `<script>x</script>`, Status: 403,
		Path: `/prod/<img src=x onerror=alert(1)>`, Method: "GET", Reason: "<b>r</b>", Detail: `"><svg onload=alert(2)>`})
	body := f.page("/console/")
	for _, bad := range []string{"<script>x", "<img src=x", "<b>r</b>", "<svg onload"} {
		if strings.Contains(body, bad) {
			t.Errorf("unescaped %q", bad)
		}
	}
	if !strings.Contains(body, "&lt;script&gt;x&lt;/script&gt;") {
		t.Errorf("the client id is not shown escaped")
	}
}
