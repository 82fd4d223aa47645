package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
)

// poolsCreate creates a pool through the console and returns its id.
func (e *poolsEnv) poolsCreate(name string) string {
	e.t.Helper()
	status, loc, body := e.post("/pools", url.Values{"name": {name}, "region": {"eu-west-1"}, "signing_algorithm": {"RS256"}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/pools/eu-west-1_") {
		e.t.Fatalf("create pool %s: %d to %q: %s", name, status, loc, poolsAlert(body))
	}
	return strings.TrimPrefix(loc, "/pools/")
}

func TestPoolsEmptyState(t *testing.T) {
	e := newPoolsTestConsole(t)
	status, body := e.get("/pools")
	if status != http.StatusOK {
		t.Fatalf("GET /pools: %d", status)
	}
	for _, want := range []string{"No user pools yet", `href="/console/pools/new"`, ">Create pool<"} {
		if !strings.Contains(body, want) {
			t.Errorf("empty pools page lacks %q", want)
		}
	}
	if strings.Contains(body, `<table id="pools">`) {
		t.Error("empty pools page shows a table")
	}
}

func TestPoolsCreate(t *testing.T) {
	e := newPoolsTestConsole(t)
	status, form := e.get("/pools/new")
	if status != http.StatusOK || !strings.Contains(form, `value="us-east-1"`) || !strings.Contains(form, `<label for="pool-name">Name</label>`) {
		t.Fatalf("GET /pools/new: %d, want a form with Name and Region us-east-1", status)
	}

	page := e.changed("/pools", url.Values{"name": {"partners"}, "region": {"eu-west-1"}, "signing_algorithm": {"ES256"}, "access_token_type": {"at+jwt"}}, "")
	pools, err := e.Domain.ListPools(context.Background())
	if err != nil || len(pools) != 1 {
		t.Fatalf("pools after create: %v %v", pools, err)
	}
	p := pools[0]
	if p.Name != "partners" || p.Region != "eu-west-1" || p.OAuth.SigningAlgorithm != tollgate.AlgES256 || !p.OAuth.AccessTokenJWT {
		t.Errorf("created pool %+v, want partners in eu-west-1, ES256, at+jwt", p)
	}
	for _, want := range []string{
		"<h1>partners</h1>", p.ID, "http://tollgate.test/" + p.ID, "http://tollgate.test/oauth2/token",
		"http://tollgate.test/" + p.ID + "/.well-known/jwks.json", "Pool partners created",
		">Resource servers<", ">App clients<", ">Signing keys<", ">Domains<", ">Settings<",
		`href="/console/pools/` + p.ID + `/clients/new"`, "No resource servers yet",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("pool page lacks %q", want)
		}
	}
	_, list := e.get("/pools")
	if !strings.Contains(list, `href="/console/pools/`+p.ID+`">partners</a>`) || !strings.Contains(list, "by hand") {
		t.Error("pools list does not show the new pool")
	}

	// Refusals keep the input and say why.
	for _, tc := range []struct {
		form   url.Values
		status int
		msg    string
	}{
		{url.Values{"name": {"other"}, "region": {"Mars-1"}}, http.StatusBadRequest, `"Mars-1" is not a region name`},
		{url.Values{"name": {"partners"}, "region": {"us-east-1"}}, http.StatusConflict, `a pool named "partners" already exists`},
		{url.Values{"name": {""}, "region": {"us-east-1"}}, http.StatusBadRequest, "A pool needs a name."},
	} {
		status, _, body := e.post("/pools", tc.form)
		if status != tc.status || !strings.Contains(poolsAlert(body), tc.msg) {
			t.Errorf("create %v: %d %q, want %d %q", tc.form, status, poolsAlert(body), tc.status, tc.msg)
		}
		if !strings.Contains(body, `value="`+tc.form.Get("region")+`"`) {
			t.Errorf("create %v: the form lost the region", tc.form)
		}
	}
}

func TestPoolsUpdateAndDelete(t *testing.T) {
	e := newPoolsTestConsole(t)
	ctx := context.Background()
	id := e.poolsCreate("partners")
	page := e.changed("/pools/"+id, url.Values{"signing_algorithm": {"EdDSA"}, "access_token_type": {"at+jwt"}, "mtls": {"on"}}, "/pools/"+id)
	if !strings.Contains(page, "Settings of partners saved.") {
		t.Error("no flash after saving settings")
	}
	p, err := e.Domain.GetPool(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if p.OAuth.SigningAlgorithm != tollgate.AlgEdDSA || !p.OAuth.AccessTokenJWT || !p.OAuth.MTLS || p.OAuth.DPoP != nil {
		t.Errorf("pool OAuth after update %+v", p.OAuth)
	}
	status, _, body := e.post("/pools/"+id, url.Values{"signing_algorithm": {"HS256"}})
	if status != http.StatusBadRequest || !strings.Contains(poolsAlert(body), `invalid signing algorithm "HS256"`) {
		t.Errorf("bad algorithm: %d %q", status, poolsAlert(body))
	}

	// A pool with a domain is not deleted: the domain goes first.
	page = e.changed("/pools/"+id+"/domains", url.Values{"prefix": {"partners-auth"}}, "/pools/"+id)
	if !strings.Contains(page, "partners-auth") {
		t.Error("pool page does not list the new domain")
	}
	status, _, body = e.post("/pools/"+id+"/domains", url.Values{"prefix": {"Bad_Prefix"}})
	if status != http.StatusBadRequest || !strings.Contains(poolsAlert(body), "invalid domain prefix") || !strings.Contains(body, `value="Bad_Prefix"`) {
		t.Errorf("bad prefix: %d %q", status, poolsAlert(body))
	}
	status, _, body = e.post("/pools/"+id+"/delete", nil)
	if status != http.StatusBadRequest || !strings.Contains(poolsAlert(body), "has a domain (partners-auth): delete it first") {
		t.Errorf("delete with a domain: %d %q", status, poolsAlert(body))
	}
	e.changed("/pools/"+id+"/domains/delete", url.Values{"domain": {"partners-auth"}}, "/pools/"+id)
	page = e.changed("/pools/"+id+"/delete", nil, "/pools")
	if !strings.Contains(page, "Pool partners ("+id+") deleted.") || !strings.Contains(page, "No user pools yet") {
		t.Error("pools page after delete lacks the flash or the empty state")
	}
	if _, err := e.Domain.GetPool(ctx, id); !tollgate.IsNotFound(err) {
		t.Errorf("pool after delete: %v", err)
	}
	if status, _ := e.get("/pools/" + id); status != http.StatusNotFound {
		t.Errorf("deleted pool's page: %d", status)
	}
}

// poolsRSIdent is the resource server the resource server tests add.
const poolsRSIdent = "https://api.example.com:8443/v1"

// poolsWithRS returns a console with a pool (its id) that has resource
// server poolsRSIdent with scopes read and write, and the pool page the
// form's POST led to.
func poolsWithRS(t *testing.T) (*poolsEnv, string, string) {
	t.Helper()
	e := newPoolsTestConsole(t)
	id := e.poolsCreate("partners")
	page := e.changed("/pools/"+id+"/resource-servers", url.Values{
		"identifier": {poolsRSIdent}, "name": {"Orders API"}, "scopes": {"read Read orders\r\n\r\nwrite  Create and change orders\r\n"},
	}, "/pools/"+id)
	return e, id, page
}

func TestPoolsResourceServers(t *testing.T) {
	e := newPoolsTestConsole(t)
	id := e.poolsCreate("other")
	status, form := e.get("/pools/" + id + "/resource-servers/new")
	for _, want := range []string{`<label for="rs-identifier">Identifier</label>`, `<label for="rs-name">Name</label>`, `<label for="rs-scopes">Scopes</label>`, ">Add resource server</button>"} {
		if status != http.StatusOK || !strings.Contains(form, want) {
			t.Errorf("resource server form: %d, lacks %q", status, want)
		}
	}

	e, id, page := poolsWithRS(t)
	ctx := context.Background()
	const ident = poolsRSIdent
	rs, err := e.Domain.GetResourceServer(ctx, id, ident)
	if err != nil {
		t.Fatal(err)
	}
	want := []tollgate.Scope{{Name: "read", Description: "Read orders"}, {Name: "write", Description: "Create and change orders"}}
	if rs.Name != "Orders API" || len(rs.Scopes) != 2 || rs.Scopes[0] != want[0] || rs.Scopes[1] != want[1] {
		t.Errorf("resource server %+v, want Orders API with %v", rs, want)
	}
	for _, s := range []string{"Resource server " + ident + " added with 2 scopes.", "Read orders", "Create and change orders",
		"/resource-servers/edit?identifier=https%3a%2f%2fapi.example.com%3a8443%2fv1"} {
		if !strings.Contains(page, s) {
			t.Errorf("pool page lacks %q", s)
		}
	}

	page = e.changed("/pools/"+id+"/resource-servers/delete", url.Values{"identifier": {ident}}, "/pools/"+id)
	if !strings.Contains(page, "Resource server "+ident+" deleted.") {
		t.Error("no flash after deleting a resource server")
	}
	if _, err := e.Domain.GetResourceServer(ctx, id, ident); !tollgate.IsNotFound(err) {
		t.Errorf("resource server after delete: %v", err)
	}
}

// Refusals re-render the form with the input and the domain's reason.
func TestPoolsResourceServersRefused(t *testing.T) {
	e, id, _ := poolsWithRS(t)
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		msg    string
	}{
		{"bad identifier", url.Values{"identifier": {"has space"}, "scopes": {"read x"}}, http.StatusBadRequest, `invalid identifier "has space"`},
		{"duplicate scope", url.Values{"identifier": {"orders"}, "scopes": {"read one\nread two"}}, http.StatusBadRequest, `scope "read" is defined twice`},
		{"bad scope", url.Values{"identifier": {"orders"}, "scopes": {"a/b slash"}}, http.StatusBadRequest, `invalid scope name "a/b"`},
		{"exists", url.Values{"identifier": {poolsRSIdent}, "scopes": {"read x"}}, http.StatusConflict, "already exists"},
		{"too many scopes", url.Values{"identifier": {"orders"}, "scopes": {poolsScopes(tollgate.MaxScopesPerServer + 1)}}, http.StatusBadRequest, "at most"},
	} {
		status, _, body := e.post("/pools/"+id+"/resource-servers", tc.form)
		if status != tc.status || !strings.Contains(poolsAlert(body), tc.msg) {
			t.Errorf("%s: %d %q, want %d %q", tc.name, status, poolsAlert(body), tc.status, tc.msg)
		}
		if !strings.Contains(poolsUnescape(body), `value="`+tc.form.Get("identifier")+`"`) || !strings.Contains(body, strings.SplitN(tc.form.Get("scopes"), "\n", 2)[0]) {
			t.Errorf("%s: the form lost the input", tc.name)
		}
	}

	// Limit of resource servers per pool.
	for i := 1; i < tollgate.MaxResourceServersPerPool; i++ {
		if _, _, body := e.post("/pools/"+id+"/resource-servers", url.Values{"identifier": {"rs" + strings.Repeat("x", i)}}); poolsAlert(body) != "" {
			t.Fatalf("resource server %d: %s", i, poolsAlert(body))
		}
	}
	status, _, body := e.post("/pools/"+id+"/resource-servers", url.Values{"identifier": {"one-too-many"}})
	if status != http.StatusConflict || !strings.Contains(poolsAlert(body), "resource servers, the most a pool may have") || !strings.Contains(body, `value="one-too-many"`) {
		t.Errorf("over the limit: %d %q", status, poolsAlert(body))
	}
}

// Edit: the identifier is a query parameter; its slashes and colons
// survive.
func TestPoolsResourceServersEdit(t *testing.T) {
	e, id, _ := poolsWithRS(t)
	editPath := "/pools/" + id + "/resource-servers/edit?identifier=" + url.QueryEscape(poolsRSIdent)
	status, form := e.get(editPath)
	if status != http.StatusOK || !strings.Contains(form, "read Read orders\nwrite Create and change orders") || !strings.Contains(form, ">Save resource server</button>") {
		t.Fatalf("edit form: %d\n%s", status, form)
	}
	e.changed(editPath, url.Values{"name": {"Orders"}, "scopes": {"read Read orders\nadmin Everything"}}, "/pools/"+id)
	rs, err := e.Domain.GetResourceServer(context.Background(), id, poolsRSIdent)
	if err != nil || rs.Name != "Orders" || len(rs.Scopes) != 2 || rs.Scopes[1].Name != "admin" {
		t.Errorf("after edit: %+v %v", rs, err)
	}
	status, _, body := e.post(editPath, url.Values{"name": {"Orders"}, "scopes": {"x one\nx two"}})
	if status != http.StatusBadRequest || !strings.Contains(poolsAlert(body), `scope "x" is defined twice`) || !strings.Contains(body, "x two") {
		t.Errorf("refused edit: %d %q", status, poolsAlert(body))
	}
}

// poolsScopes is n scopes, one a line.
func poolsScopes(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("s" + strings.Repeat("x", i) + " d\n")
	}
	return b.String()
}

func TestPoolsReadOnly(t *testing.T) {
	e := newPoolsTestConsole(t)
	ctx := context.Background()
	now := time.Now().UTC()
	p := &tollgate.UserPool{ID: tollgate.NewPoolID("us-east-1"), Name: "seeded", Region: "us-east-1", ConfigKey: "config:seed/UserPool", CreatedAt: now, UpdatedAt: now}
	if err := e.Store.CreatePool(ctx, p); err != nil {
		t.Fatal(err)
	}
	rs := &tollgate.ResourceServer{PoolID: p.ID, Identifier: "default", Name: "Default", Scopes: []tollgate.Scope{{Name: "read"}},
		ConfigKey: "config:seed/UserPool/ResourceServer", CreatedAt: now, UpdatedAt: now}
	if err := e.Store.CreateResourceServer(ctx, rs); err != nil {
		t.Fatal(err)
	}
	status, page := e.get("/pools/" + p.ID)
	if status != http.StatusOK {
		t.Fatalf("declared pool's page: %d", status)
	}
	if !strings.Contains(poolsUnescape(page), `Declared in config "seed" (as "UserPool"): change this pool's settings there`) {
		t.Error("declared pool's page does not say where to change it")
	}
	for _, absent := range []string{">Delete pool<", ">Save settings<", `action="/console/pools/` + p.ID + `"`, "resource-servers/edit?identifier=default", `name="identifier" value="default"`} {
		if strings.Contains(page, absent) {
			t.Errorf("declared pool's page has %q", absent)
		}
	}
	_, list := e.get("/pools")
	if !strings.Contains(list, `config &#34;seed&#34; (as &#34;UserPool&#34;)`) {
		t.Error("pools list has no declared-in badge")
	}

	// Changes are refused by the domain, with its message.
	for _, tc := range []struct {
		path string
		form url.Values
	}{
		{"/pools/" + p.ID, url.Values{"signing_algorithm": {"ES256"}}},
		{"/pools/" + p.ID + "/delete", nil},
		{"/pools/" + p.ID + "/resource-servers/delete", url.Values{"identifier": {"default"}}},
		{"/pools/" + p.ID + "/resource-servers/edit?identifier=default", url.Values{"scopes": {"write"}}},
	} {
		status, _, body := e.post(tc.path, tc.form)
		if status != http.StatusConflict || !strings.Contains(poolsAlert(body), `is declared in config "seed"`) {
			t.Errorf("POST %s: %d %q, want 409 and the read-only message", tc.path, status, poolsAlert(body))
		}
	}
	if status, body := e.get("/pools/" + p.ID + "/resource-servers/edit?identifier=default"); status != http.StatusConflict || !strings.Contains(body, "change it there") {
		t.Errorf("edit form of a declared resource server: %d", status)
	}
	got, err := e.Domain.GetPool(ctx, p.ID)
	if err != nil || got.OAuth.SigningAlgorithm != "" {
		t.Errorf("declared pool changed: %+v %v", got, err)
	}
}

func TestPoolsRotateKeys(t *testing.T) {
	e := newPoolsTestConsole(t)
	id := e.poolsCreate("partners")
	_, page := e.get("/pools/" + id)
	if !strings.Contains(page, "No keys yet") || !strings.Contains(page, ">Rotate keys</button>") || !strings.Contains(page, "Retire the old key at once (leaked key)") {
		t.Error("pool page without keys: no empty state or rotate form")
	}
	// A pool with no keys gets its first keys, rotated at once.
	page = e.changed("/pools/"+id+"/keys/rotate", nil, "/pools/"+id)
	keys, err := e.Domain.ListSigningKeys(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var active, next string
	for _, k := range keys {
		switch k.State {
		case tollgate.KeyActive:
			active = k.KID
		case tollgate.KeyNext:
			next = k.KID
		}
	}
	if active == "" || next == "" || !strings.Contains(page, "Keys rotated: "+active+" signs now.") {
		t.Fatalf("after the first rotation: active %q next %q; flash missing", active, next)
	}
	if !strings.Contains(page, `id="rotate-when">The next key can sign from <time`) || !strings.Contains(page, "Force rotates now.") ||
		!strings.Contains(page, "Force: rotate now, even if the next key is young") {
		t.Error("the pool page does not say when the young next key can sign")
	}

	// The next key is too young: refused, saying when, the form kept.
	status, _, body := e.post("/pools/"+id+"/keys/rotate", url.Values{"retire_now": {"on"}})
	msg := poolsAlert(body)
	if status != http.StatusConflict || !strings.Contains(msg, "the next key "+next+" was published") || !strings.Contains(msg, "may start signing from") || !strings.Contains(msg, "Force rotates now") {
		t.Errorf("young next key: %d %q", status, msg)
	}
	if !strings.Contains(body, `id="rotate-retire" name="retire_now" value="on" checked`) {
		t.Error("refused rotation lost the form's input")
	}

	page = e.changed("/pools/"+id+"/keys/rotate", url.Values{"force": {"on"}}, "/pools/"+id)
	keys, err = e.Domain.ListSigningKeys(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var retired tollgate.SigningKey
	for _, k := range keys {
		if k.KID == active {
			retired = k
		}
	}
	if retired.State != tollgate.KeyRetired || retired.ExpiresAt.IsZero() {
		t.Fatalf("the old active key %+v, want retired", retired)
	}
	at := retired.ExpiresAt.UTC().Format("2006-01-02 15:04:05 UTC")
	if !strings.Contains(page, "Keys rotated: "+next+" signs now. The old key "+active+" retires at "+at+".") {
		t.Errorf("flash of a forced rotation missing in\n%s", page)
	}
	if !strings.Contains(page, "Retires at "+at) {
		t.Error("keys table lacks the retired key's retire time")
	}
}

func TestPoolsAuditActor(t *testing.T) {
	e := newPoolsTestConsole(t)
	id := e.poolsCreate("audited")
	e.post("/pools/"+id+"/resource-servers", url.Values{"identifier": {"bad id"}})
	var created, refused bool
	for _, ev := range e.Audit.Events(t, "") {
		if ev.Actor != "console:"+e.AccessKeyID {
			t.Errorf("event %s by %q, want console:%s", ev.Action, ev.Actor, e.AccessKeyID)
		}
		created = created || ev.Action == "pool.create" && ev.Outcome == audit.Success
		refused = refused || ev.Action == "resource_server.create" && ev.Outcome != audit.Success
	}
	if !created || !refused {
		t.Errorf("audit stream lacks the pool's creation or the refused resource server:\n%s", e.Audit.Text(t))
	}
}

func TestPoolsCSRF(t *testing.T) {
	e := newPoolsTestConsole(t)
	id := e.poolsCreate("guarded")
	for _, p := range []string{"/pools", "/pools/" + id, "/pools/" + id + "/delete", "/pools/" + id + "/resource-servers",
		"/pools/" + id + "/resource-servers/delete", "/pools/" + id + "/keys/rotate", "/pools/" + id + "/domains"} {
		resp := e.do(http.MethodPost, p, url.Values{"name": {"x"}, "identifier": {"x"}, "prefix": {"x"}})
		e.read(resp)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without the CSRF token: %d, want 403", p, resp.StatusCode)
		}
	}
	pools, _ := e.Domain.ListPools(context.Background())
	rss, _ := e.Domain.ListResourceServers(context.Background(), id)
	if len(pools) != 1 || len(rss) != 0 {
		t.Errorf("refused changes were made: %d pools, %d resource servers", len(pools), len(rss))
	}
}

func TestPoolsParseScopes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []tollgate.Scope
	}{
		{"", nil},
		{"\n  \n", nil},
		{"read", []tollgate.Scope{{Name: "read"}}},
		{"read Read  orders \r\nwrite\tChange orders\n", []tollgate.Scope{{Name: "read", Description: "Read  orders"}, {Name: "write", Description: "Change orders"}}},
	} {
		got := poolsParseScopes(tc.in)
		if len(got) != len(tc.want) {
			t.Errorf("poolsParseScopes(%q) = %v, want %v", tc.in, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("poolsParseScopes(%q)[%d] = %+v, want %+v", tc.in, i, got[i], tc.want[i])
			}
		}
		if back := poolsParseScopes(poolsFormatScopes(got)); len(back) != len(got) {
			t.Errorf("format then parse of %v gives %v", got, back)
		}
	}
}

// TestPoolsPagesEscapeAndNoInlineStyle: what an operator typed is
// escaped, and no page has a style attribute (the CSP refuses them).
func TestPoolsPagesEscapeAndNoInlineStyle(t *testing.T) {
	e := newPoolsTestConsole(t)
	id := e.poolsCreate(`<b>pool</b>`)
	e.changed("/pools/"+id+"/resource-servers", url.Values{"identifier": {"api"}, "name": {"<i>API</i>"}, "scopes": {"read <script>x</script>"}}, "/pools/"+id)
	for _, p := range []string{"/pools", "/pools/new", "/pools/" + id, "/pools/" + id + "/resource-servers/new", "/pools/" + id + "/resource-servers/edit?identifier=api"} {
		status, body := e.get(p)
		if status != http.StatusOK {
			t.Errorf("GET %s: %d", p, status)
		}
		for _, bad := range []string{"<b>pool</b>", "<i>API</i>", "<script>x", " style="} {
			if strings.Contains(body, bad) {
				t.Errorf("GET %s has %q", p, bad)
			}
		}
		if n := strings.Count(body, "<h1"); n != 1 {
			t.Errorf("GET %s has %d h1, want 1", p, n)
		}
	}
}
