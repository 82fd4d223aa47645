package console_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// Creating a client shows its secret once, the one the store keeps; its
// page never shows it again.
func TestClientsCreateShowsSecretOnce(t *testing.T) {
	e := newClientsTestConsole(t)
	status, body := e.get("/pools/" + e.pool.ID + "/clients/new")
	if status != http.StatusOK {
		t.Fatalf("new client form: %d", status)
	}
	for _, want := range []string{`<label for="client-name">Name</label>`, `>orders/read</label>`, `>orders/write</label>`,
		`Generate a client secret`, `>Access token validity</label>`, `>Access token validity unit</label>`, `client_credentials`,
		`>Create client</button>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the form lacks %s", want)
		}
	}

	c, secret := e.create("billing", "orders/read", "orders/write")
	if c.Name != "billing" || !slices.Equal(c.AllowedOAuthScopes, []string{"orders/read", "orders/write"}) ||
		!slices.Equal(c.AllowedOAuthFlows, []string{tollgate.FlowClientCredentials}) {
		t.Errorf("stored client: %+v", c)
	}
	if len(c.Secrets) != 1 {
		t.Fatalf("stored %d secrets, want 1", len(c.Secrets))
	}
	stored, err := e.Domain.Reveal(c, c.Secrets[0])
	if err != nil || stored != secret {
		t.Errorf("the page showed %q, the store keeps %q (%v)", secret, stored, err)
	}
	if c.AccessTokenValidity != (tollgate.Validity{Value: 60, Unit: tollgate.Minutes}) {
		t.Errorf("access token validity %v", c.AccessTokenValidity)
	}

	// The created page: the secret, its copy button, the curl line.
	_, body, _ = e.post("/pools/"+e.pool.ID+"/clients", clientsNewForm("shipping", "orders/read"))
	for _, want := range []string{`data-copy="#client-secret">Copy secret</button>`, `<pre id="curl-token">`,
		"http://tollgate.test:8080/oauth2/token", "grant_type=client_credentials", "scope=orders/read", "not shown again", "Go to the client"} {
		if !strings.Contains(body, want) {
			t.Errorf("the created page lacks %s", want)
		}
	}

	for _, p := range []string{"/clients/" + c.ID, "/clients", "/clients?pool=" + e.pool.ID} {
		status, body := e.get(p)
		if status != http.StatusOK {
			t.Errorf("%s: %d", p, status)
		}
		if strings.Contains(body, secret) {
			t.Errorf("%s shows the client's secret", p)
		}
		if !strings.Contains(body, c.ID) {
			t.Errorf("%s lacks the client's id", p)
		}
	}
	_, body = e.get("/clients/" + c.ID)
	for _, want := range []string{"<h1>billing</h1>", ">Secrets</h2>", c.Secrets[0].ID, ">Scopes and flows</h2>", ">Token validity</h2>",
		">Delete client</button>", ">Add secret</button>", ">Save</button>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the client's page lacks %s", want)
		}
	}
	if strings.Contains(body, "Delete secret") {
		t.Error("the client's page offers to delete its only secret")
	}
}

// Rotation: a second secret is shown once; the first can then go; a third
// is refused; the last cannot be deleted.
func TestClientsSecretRotation(t *testing.T) {
	e := newClientsTestConsole(t)
	c, first := e.create("billing", "orders/read")
	firstID := c.Secrets[0].ID

	status, body, _ := e.post("/clients/"+c.ID+"/secrets/"+firstID+"/delete", nil)
	if status != http.StatusBadRequest || !strings.Contains(body, "only secret") {
		t.Errorf("deleting the only secret: %d\n%s", status, body)
	}
	if n := len(e.client(c.ID).Secrets); n != 1 {
		t.Fatalf("%d secrets after the refused delete", n)
	}

	e.Advance(time.Second) // the secrets are listed oldest first
	status, body, _ = e.post("/clients/"+c.ID+"/secrets", nil)
	if status != http.StatusOK {
		t.Fatalf("add secret: %d\n%s", status, body)
	}
	m := clientsSecretPattern.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "Copy secret") || !strings.Contains(body, "Rotate: give the new secret to the client, then delete the old one") {
		t.Fatalf("the added secret's page:\n%s", body)
	}
	second := m[1]
	c = e.client(c.ID)
	if len(c.Secrets) != 2 {
		t.Fatalf("%d secrets after adding one", len(c.Secrets))
	}
	if got, _ := e.Domain.Reveal(c, c.Secrets[1]); got != second || second == first {
		t.Errorf("the page showed %q, the store keeps %q", second, got)
	}
	_, page := e.get("/clients/" + c.ID)
	if strings.Count(page, ">Delete secret</button>") != 2 || strings.Contains(page, second) || strings.Contains(page, first) {
		t.Errorf("the page with two secrets:\n%s", page)
	}

	status, body, _ = e.post("/clients/"+c.ID+"/secrets", nil)
	if status != http.StatusConflict || !strings.Contains(body, "already has 2 secrets") || clientsSecretPattern.MatchString(body) {
		t.Errorf("a third secret: %d\n%s", status, body)
	}

	status, _, loc := e.post("/clients/"+c.ID+"/secrets/"+firstID+"/delete", nil)
	if status != http.StatusSeeOther || loc != "/console/clients/"+c.ID {
		t.Errorf("delete the first secret: %d → %q", status, loc)
	}
	c = e.client(c.ID)
	if len(c.Secrets) != 1 || c.Secrets[0].ID == firstID {
		t.Errorf("secrets after the delete: %+v", c.Secrets)
	}
	status, _, _ = e.post("/clients/"+c.ID+"/secrets/nosuchsecret/delete", nil)
	if status != http.StatusNotFound {
		t.Errorf("delete an unknown secret: %d", status)
	}
}

// Saving the form changes scopes, flows and validities and keeps the rest.
func TestClientsEdit(t *testing.T) {
	e := newClientsTestConsole(t)
	c, _ := e.create("billing", "orders/read")
	form := clientsNewForm("", "orders/write")
	form.Del("name")
	form.Del("generate_secret")
	form.Set("access_validity", "2")
	form.Set("access_validity_unit", "hours")
	status, _, loc := e.post("/clients/"+c.ID, form)
	if status != http.StatusSeeOther || loc != "/console/clients/"+c.ID {
		t.Fatalf("save: %d → %q", status, loc)
	}
	got := e.client(c.ID)
	if !slices.Equal(got.AllowedOAuthScopes, []string{"orders/write"}) || got.Name != "billing" ||
		got.AccessTokenValidity != (tollgate.Validity{Value: 2, Unit: tollgate.Hours}) || len(got.Secrets) != 1 || got.Secrets[0].ID != c.Secrets[0].ID {
		t.Errorf("after save: %+v", got)
	}
	_, page := e.get("/clients/" + c.ID)
	if !strings.Contains(page, "Saved") {
		t.Error("no flash after the save")
	}
}

// A refused form is shown again as typed, with why.
func TestClientsRefusedForms(t *testing.T) {
	e := newClientsTestConsole(t)
	c, _ := e.create("billing", "orders/read")
	for _, tc := range []struct {
		name   string
		path   string
		form   func() url.Values
		status int
		want   []string
	}{
		{"validity out of bounds", "/clients/" + c.ID, func() url.Values {
			f := clientsNewForm("", "orders/read")
			f.Set("access_validity", "3")
			f.Set("access_validity_unit", "days")
			return f
		}, http.StatusBadRequest, []string{"access token validity must be between 5 minutes and 1 day", `value="3"`, `<option value="days" selected>`}},
		{"validity not a number", "/pools/" + e.pool.ID + "/clients", func() url.Values {
			f := clientsNewForm("new-one", "orders/read")
			f.Set("access_validity", "soon")
			return f
		}, http.StatusBadRequest, []string{"Access token validity must be a whole number", `value="soon"`, `value="new-one"`}},
		{"unknown scope", "/clients/" + c.ID, func() url.Values {
			return clientsNewForm("", "orders/read", "orders/delete")
		}, http.StatusBadRequest, []string{`scope &#34;orders/delete&#34; is not a scope of any resource server`}},
		{"no scope", "/pools/" + e.pool.ID + "/clients", func() url.Values {
			return clientsNewForm("scopeless")
		}, http.StatusBadRequest, []string{"Choose at least one scope", `value="scopeless"`}},
		{"no secret", "/pools/" + e.pool.ID + "/clients", func() url.Values {
			f := clientsNewForm("public", "orders/read")
			f.Del("generate_secret")
			return f
		}, http.StatusBadRequest, []string{"A client without a secret cannot use client_credentials"}},
		{"name taken", "/pools/" + e.pool.ID + "/clients", func() url.Values {
			return clientsNewForm("billing", "orders/read")
		}, http.StatusConflict, []string{"billing"}},
		{"another flow", "/pools/" + e.pool.ID + "/clients", func() url.Values {
			f := clientsNewForm("coder", "orders/read")
			f.Set("flow", "code")
			return f
		}, http.StatusBadRequest, []string{"client_credentials flow only"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := e.post(tc.path, tc.form())
			if status != tc.status {
				t.Errorf("status %d, want %d", status, tc.status)
			}
			if !strings.Contains(body, `class="alert"`) {
				t.Error("no alert")
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("the page lacks %s\n%s", w, body)
				}
			}
		})
	}
	got := e.client(c.ID)
	if !slices.Equal(got.AllowedOAuthScopes, []string{"orders/read"}) || got.AccessTokenValidity != tollgate.DefaultAccessTokenValidity {
		t.Errorf("a refused form changed the client: %+v", got)
	}
	if cs, _ := e.Domain.ListClients(context.Background(), e.pool.ID); len(cs) != 1 {
		t.Errorf("%d clients after refused creates", len(cs))
	}
}

// A client a config declares shows no settings form and refuses changes
// with the domain's message.
func TestClientsReadOnly(t *testing.T) {
	e := newClientsTestConsole(t)
	ctx := context.Background()
	now := time.Now().UTC()
	declared := &tollgate.Client{ID: tollgate.NewClientID(), PoolID: e.pool.ID, Name: "declared", Secrets: []tollgate.ClientSecret{},
		AllowedOAuthFlows: []string{tollgate.FlowClientCredentials}, AllowedOAuthScopes: []string{"orders/read"},
		AccessTokenValidity: tollgate.DefaultAccessTokenValidity, IDTokenValidity: tollgate.DefaultIDTokenValidity,
		RefreshTokenValidity: tollgate.DefaultRefreshTokenValidity, ConfigKey: "config:orders/App", CreatedAt: now, UpdatedAt: now}
	if err := e.Store.CreateClient(ctx, declared); err != nil {
		t.Fatal(err)
	}
	status, page := e.get("/clients/" + declared.ID)
	if status != http.StatusOK {
		t.Fatalf("page: %d", status)
	}
	if !strings.Contains(page, tollgate.DeclaredIn(declared.ConfigKey)) && !strings.Contains(page, `config &#34;orders&#34;`) {
		t.Errorf("the page does not say where the client is declared:\n%s", page)
	}
	if strings.Contains(page, ">Save</button>") || strings.Contains(page, ">Delete client</button>") {
		t.Error("a declared client's page offers to change it")
	}
	for _, p := range []string{"/clients/" + declared.ID, "/clients/" + declared.ID + "/delete"} {
		status, body, _ := e.post(p, clientsNewForm("", "orders/write"))
		if status != http.StatusConflict || !strings.Contains(body, "change it there") {
			t.Errorf("POST %s: %d\n%s", p, status, body)
		}
	}
	if got := e.client(declared.ID); !slices.Equal(got.AllowedOAuthScopes, []string{"orders/read"}) {
		t.Errorf("the declared client changed: %+v", got)
	}
	_, list := e.get("/clients")
	if !strings.Contains(list, "declared") {
		t.Error("the list lacks the declared client")
	}
}

// Every change is audited with the operator of the session.
func TestClientsAuditActor(t *testing.T) {
	e := newClientsTestConsole(t)
	c, _ := e.create("billing", "orders/read")
	e.post("/clients/"+c.ID+"/secrets", nil)
	e.post("/clients/"+c.ID+"/delete", nil)
	seen := map[string]bool{}
	for _, ev := range e.events() {
		a, _ := ev["action"].(string)
		if !strings.HasPrefix(a, "client.") {
			continue
		}
		seen[a] = true
		if ev["actor"] != "console:"+e.AccessKeyID {
			t.Errorf("%s by %v", a, ev["actor"])
		}
	}
	for _, a := range []string{"client.create", "client.secret.add", "client.delete"} {
		if !seen[a] {
			t.Errorf("no %s event", a)
		}
	}
	if _, err := e.Domain.GetClient(context.Background(), c.ID); tollgate.KindOf(err) != tollgate.KindNotFound {
		t.Errorf("the client was not deleted: %v", err)
	}
}

// A client's name is text wherever it shows.
func TestClientsEscaping(t *testing.T) {
	e := newClientsTestConsole(t)
	const evil = `<img src=x onerror=alert(1)>`
	status, body, _ := e.post("/pools/"+e.pool.ID+"/clients", clientsNewForm(evil, "orders/read"))
	if status != http.StatusOK {
		t.Fatalf("create: %d", status)
	}
	m := clientsIDPattern.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no client id")
	}
	pages := []string{body}
	for _, p := range []string{"/clients", "/clients/" + m[1]} {
		_, b := e.get(p)
		pages = append(pages, b)
	}
	for i, b := range pages {
		if strings.Contains(b, evil) || !strings.Contains(b, "&lt;img src=x onerror=alert(1)&gt;") {
			t.Errorf("page %d does not escape the name", i)
		}
	}
}

// The list's empty states say what to do next.
func TestClientsEmptyStates(t *testing.T) {
	e := newClientsTestConsole(t)
	_, body := e.get("/clients")
	if !strings.Contains(body, "No app clients yet") || !strings.Contains(body, `href="/console/pools/`+e.pool.ID+`/clients/new"`) {
		t.Errorf("empty list with a pool:\n%s", body)
	}
	if err := e.Domain.DeletePool(context.Background(), e.pool); err != nil {
		t.Fatal(err)
	}
	_, body = e.get("/clients")
	if !strings.Contains(body, "No app clients yet") || !strings.Contains(body, "Create a pool first") {
		t.Errorf("empty list without a pool:\n%s", body)
	}
	if status, _ := e.get("/pools/nosuchpool/clients/new"); status != http.StatusNotFound {
		t.Errorf("new client in an unknown pool: %d", status)
	}
	if status, _ := e.get("/clients/nosuchclient"); status != http.StatusNotFound {
		t.Errorf("unknown client: %d", status)
	}
}

// Changes need the session's CSRF token.
func TestClientsCSRF(t *testing.T) {
	e := newClientsTestConsole(t)
	form := clientsNewForm("billing", "orders/read")
	form.Set("csrf", "forged")
	status, _, _ := e.post("/pools/"+e.pool.ID+"/clients", form)
	if status != http.StatusForbidden {
		t.Errorf("forged CSRF token: %d", status)
	}
	if cs, _ := e.Domain.ListClients(context.Background(), e.pool.ID); len(cs) != 0 {
		t.Errorf("a forged form created %d clients", len(cs))
	}
}

// The list filters by pool; "Create client" asks for the pool when there
// are several.
func TestClientsPoolFilter(t *testing.T) {
	e := newClientsTestConsole(t)
	ctx := context.Background()
	a, _ := e.create("in-orders", "orders/read")
	other, err := e.Domain.CreatePool(ctx, "payments", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	_, body := e.get("/clients?pool=" + other.ID)
	if strings.Contains(body, a.ID) || !strings.Contains(body, "No app clients yet") ||
		!strings.Contains(body, `href="/console/pools/`+other.ID+`/clients/new"`) {
		t.Errorf("payments' clients:\n%s", body)
	}
	_, body = e.get("/clients?pool=" + e.pool.ID)
	if !strings.Contains(body, a.ID) || !strings.Contains(body, `<option value="`+e.pool.ID+`" selected>`) {
		t.Errorf("orders' clients:\n%s", body)
	}
	_, body = e.get("/clients")
	if !strings.Contains(body, `href="/console/clients/new"`) {
		t.Error("with two pools, Create client does not ask for the pool")
	}
	status, body := e.get("/clients/new")
	if status != http.StatusOK || !strings.Contains(body, "Create client in payments") || !strings.Contains(body, "Create client in orders") {
		t.Errorf("choose a pool: %d\n%s", status, body)
	}
}
