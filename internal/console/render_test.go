package console

import (
	"net/http"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

// ago counts from the console's clock (Page.Now), not the machine's.
func TestRenderAgo(t *testing.T) {
	now := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Time{}, "never"},
		{now.Add(-3 * time.Second), "just now"},
		{now.Add(-3 * time.Minute), "3 min ago"},
		{now.Add(-5 * time.Hour), "5 h ago"},
		{now.Add(-72 * time.Hour), "3 days ago"},
		{now.Add(10 * time.Minute), "in 10 min"},
	} {
		if got := ago(now, tc.t); got != tc.want {
			t.Errorf("ago(%v): %q, want %q", now.Sub(tc.t), got, tc.want)
		}
	}
}

// A browser that reloads the page a change rendered (the created client,
// a refused form) sends GET to a path that takes only changes: it goes
// back to the page the change came from, never a 404 or 405.
func TestRenderReloadOfChange(t *testing.T) {
	e := newPoolsTestConsole(t)
	id := e.poolsCreate("partners")
	for path, want := range map[string]string{
		"/pools/" + id + "/clients":                 "/clients?pool=" + id,
		"/pools/" + id + "/delete":                  "/pools/" + id,
		"/pools/" + id + "/resource-servers":        "/pools/" + id,
		"/pools/" + id + "/resource-servers/delete": "/pools/" + id,
		"/pools/" + id + "/domains":                 "/pools/" + id,
		"/pools/" + id + "/domains/delete":          "/pools/" + id,
		"/pools/" + id + "/keys/rotate":             "/pools/" + id,
		"/clients/c%2F1/secrets":                    "/clients/c%2F1",
		"/clients/c1/delete":                        "/clients/c1",
		"/clients/c1/secrets/s1/delete":             "/clients/c1",
		"/api-keys/k1/enable":                       "/api-keys/k1",
		"/api-keys/k1/disable":                      "/api-keys/k1",
		"/api-keys/k1/delete":                       "/api-keys/k1",
		"/api-keys/k1/plans":                        "/api-keys/k1",
		"/pools":                                    "",
		"/api-keys":                                 "",
	} {
		resp := e.do(http.MethodGet, path, nil)
		_ = e.read(resp)
		switch {
		case want == "" && resp.StatusCode != http.StatusOK:
			t.Errorf("GET %s: %d, want 200", path, resp.StatusCode)
		case want != "" && (resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console"+want):
			t.Errorf("GET %s: %d to %q, want 303 to /console%s", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
}

// The pool page says when a young next key may sign, and that Force
// rotates now.
func TestRenderPoolsNextKeyFrom(t *testing.T) {
	now := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	young := []tollgate.SigningKey{{State: tollgate.KeyActive, CreatedAt: now.Add(-time.Hour)}, {State: tollgate.KeyNext, CreatedAt: now.Add(-time.Minute)}}
	from, in := poolsNextKeyFrom(young, now)
	if !from.Equal(now.Add(-time.Minute+domain.PublishLead)) || in != "in "+roughly(domain.PublishLead-time.Minute) {
		t.Errorf("young next key: %v %q", from, in)
	}
	old := []tollgate.SigningKey{{State: tollgate.KeyNext, CreatedAt: now.Add(-domain.PublishLead)}}
	if from, in := poolsNextKeyFrom(old, now); !from.IsZero() || in != "" {
		t.Errorf("next key old enough: %v %q", from, in)
	}
	if from, in := poolsNextKeyFrom(nil, now); !from.IsZero() || in != "" {
		t.Errorf("no keys: %v %q", from, in)
	}
}
