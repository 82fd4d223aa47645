package console

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/reqlog"
)

// routesRequests registers the recent requests view.
func (c *Console) routesRequests() {
	c.handle("GET /requests", c.requestsPage)
}

// requestsShown bounds the rows of the requests view.
const requestsShown = 200

// requestsNoClient is the client filter's value for requests without a verified
// client (reqlog's ClientID "").
const requestsNoClient = "-"

// logNames names what the log records by id: clients (with their
// pool), API keys and APIs. It is read for each page from the domain and the
// Backend; nothing is cached across requests.
type logNames struct {
	pools   []*tollgate.UserPool
	clients map[string]logClient
	// order is the known clients' ids sorted by name.
	order   []string
	apis    []API
	api     map[string]string // API id → name
	apiKeys map[string]string // API key id → name
}

type logClient struct {
	Name, PoolID, PoolName string
}

func (c *Console) trafficNames(ctx context.Context) (*logNames, error) {
	all, err := c.listPoolClients(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := c.opts.Domain.ListAPIKeys(ctx)
	if err != nil {
		return nil, err
	}
	d := &logNames{clients: map[string]logClient{}, api: map[string]string{}, apiKeys: make(map[string]string, len(keys))}
	for _, k := range keys {
		d.apiKeys[k.ID] = k.Name
	}
	for _, pc := range all {
		d.pools = append(d.pools, pc.Pool)
		for _, cl := range pc.Clients {
			d.clients[cl.ID] = logClient{Name: cl.Name, PoolID: pc.Pool.ID, PoolName: pc.Pool.Name}
			d.order = append(d.order, cl.ID)
		}
	}
	sort.SliceStable(d.order, func(i, j int) bool {
		a, b := d.clients[d.order[i]], d.clients[d.order[j]]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.PoolName < b.PoolName
	})
	if c.opts.Backend != nil {
		d.apis = c.opts.Backend.ConsoleAPIs()
	}
	for _, a := range d.apis {
		if a.RestAPI != nil {
			d.api[a.ID] = a.Name
		}
	}
	return d, nil
}

// clientName is how the console names the client id of the log.
func (d *logNames) clientName(id string) string {
	switch id {
	case "":
		return "No verified client"
	case reqlog.OtherClients:
		return "Other clients"
	}
	if k, ok := d.clients[id]; ok {
		return k.Name
	}
	return id
}

// apiName is the name of the API id, or the id when it is unknown.
func (d *logNames) apiName(id string) string {
	if n, ok := d.api[id]; ok && n != "" {
		return n
	}
	return id
}

// requestRow is an entry of the log as a table shows it.
type requestRow struct {
	reqlog.Entry
	ClientName string
	// ClientKnown is whether ClientID is a client of a pool here.
	ClientKnown bool
	// APIKeyName names APIKeyID when the key is known here (APIKeyKnown).
	APIKeyName  string
	APIKeyKnown bool
	// Where is the route (API · stage · route), or what else was called.
	Where     string
	LatencyMS string
}

func (d *logNames) row(e reqlog.Entry) requestRow {
	r := requestRow{Entry: e, ClientName: d.clientName(e.ClientID)}
	_, r.ClientKnown = d.clients[e.ClientID]
	if e.APIKeyID != "" {
		r.APIKeyName, r.APIKeyKnown = d.apiKeys[e.APIKeyID]
	}
	switch {
	case e.Route != "":
		parts := []string{d.apiName(e.API)}
		if e.Stage != "" {
			parts = append(parts, e.Stage)
		}
		r.Where = strings.Join(append(parts, e.Route), " · ")
	case e.API != "":
		r.Where = d.apiName(e.API) + " · no route"
	case e.Kind == "token":
		r.Where = "OAuth endpoint"
	default:
		r.Where = "—"
	}
	r.LatencyMS = dashMS(e.Latency.Seconds() * 1000)
	return r
}

func (d *logNames) rows(es []reqlog.Entry) []requestRow {
	out := make([]requestRow, len(es))
	for i, e := range es {
		out[i] = d.row(e)
	}
	return out
}

// filterOption is an <filterOption> of a filter.
type filterOption struct {
	Value, Text string
	Selected    bool
}

// requestsQuery is the page's query: its filters and auto-refresh.
type requestsQuery struct {
	// ID is one request's id (?id=REQID): the view shows that request.
	ID                    string
	Client, Route, Status string
	// APIKey is an API key's id (?apikey=ID): the requests that
	// presented it.
	APIKey  string
	Refresh bool
}

type requestsData struct {
	requestsQuery
	Clients, Routes []filterOption
	Statuses        []filterOption
	Rows            []requestRow
	// Matched is how many kept requests match; Rows holds the newest
	// requestsShown of them.
	Matched, Kept int
	Filtered      bool
	// APIKeyName names the APIKey filter's key ("" when unknown).
	APIKeyName string
	// Chart is the chosen client's series, when a client is chosen.
	Chart *chart
	// RefreshURL toggles auto-refresh, keeping the filters.
	RefreshURL string
	ClearURL   string
}

var requestsStatuses = []filterOption{
	{Value: "", Text: "Any status"},
	{Value: "2xx", Text: "2xx (allowed)"},
	{Value: "4xx", Text: "4xx"},
	{Value: "5xx", Text: "5xx"},
	{Value: "refused", Text: "Refused (4xx or 5xx)"},
}

// filter is the reqlog filter of the query; ok is false for a status
// the page does not know.
func (q requestsQuery) filter() (f reqlog.Filter, ok bool) {
	f.RequestID, f.APIKeyID = q.ID, q.APIKey
	if q.Client != requestsNoClient {
		f.ClientID = q.Client
	}
	f.Route = q.Route
	switch q.Status {
	case "":
	case "2xx":
		f.StatusClass = 2
	case "4xx":
		f.StatusClass = 4
	case "5xx":
		f.StatusClass = 5
	case "refused":
		f.RefusedOnly = true
	default:
		return f, false
	}
	return f, true
}

// matching returns the log's entries the query selects, newest first.
func (q requestsQuery) matching(log *reqlog.Log) []reqlog.Entry {
	f, _ := q.filter()
	out := log.Recent(f)
	if q.Client == requestsNoClient {
		kept := out[:0]
		for _, e := range out {
			if e.ClientID == "" {
				kept = append(kept, e)
			}
		}
		out = kept
	}
	return out
}

func (c *Console) requestsPage(w http.ResponseWriter, r *http.Request) {
	d, err := c.trafficNames(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	v := r.URL.Query()
	q := requestsQuery{ID: v.Get("id"), Client: v.Get("client"), Route: v.Get("route"), Status: v.Get("status"), APIKey: v.Get("apikey"), Refresh: v.Get("refresh") != ""}
	var notice string
	if _, ok := q.filter(); !ok {
		notice = "Status " + strconv.Quote(q.Status) + " is not one of the filter's (2xx, 4xx, 5xx, refused): every status is shown."
		q.Status = ""
	}
	data := requestsData{requestsQuery: q, Filtered: q.ID != "" || q.Client != "" || q.Route != "" || q.Status != "" || q.APIKey != ""}
	data.APIKeyName = d.apiKeys[q.APIKey]
	log := c.opts.Backend.Requests()
	all := log.Recent(reqlog.Filter{})
	matched := q.matching(log)
	data.Kept, data.Matched = len(all), len(matched)
	data.Rows = d.rows(matched[:min(len(matched), requestsShown)])
	data.Clients = requestsClientOptions(d, all, q.Client)
	data.Routes = requestsRouteOptions(d, all, q.Route)
	for _, o := range requestsStatuses {
		o.Selected = o.Value == q.Status
		data.Statuses = append(data.Statuses, o)
	}
	if q.Client != "" {
		data.Chart = c.requestsChart(d, log, q.Client)
	}
	toggled := q
	toggled.Refresh = !q.Refresh
	data.RefreshURL = c.requestsURL(toggled)
	data.ClearURL = c.requestsURL(requestsQuery{Refresh: q.Refresh})
	c.render(w, r, http.StatusOK, "requests", Page{Title: "Requests", Nav: "requests", Error: notice, Data: data})
}

// requestsChart is the chart of the client filter's value, client.
func (c *Console) requestsChart(d *logNames, log *reqlog.Log, client string) *chart {
	if client == requestsNoClient {
		client = ""
	}
	now := c.opts.Now()
	points := chartEmptyPoints(now)
	for _, s := range log.Series(now) {
		if s.ClientID == client {
			points = s.Points
		}
	}
	ch := newChart(d.clientName(client), points, chartLarge)
	return &ch
}

// requestsURL is the requests view of q.
func (c *Console) requestsURL(q requestsQuery) string {
	v := url.Values{}
	for k, s := range map[string]string{"id": q.ID, "client": q.Client, "route": q.Route, "status": q.Status, "apikey": q.APIKey} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.Refresh {
		v.Set("refresh", "10")
	}
	u := c.opts.Path + "/requests"
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	return u
}

// requestsClientOptions are the Client filter's options: the known clients by
// name, then clients seen in the log that are not (any more) known.
func requestsClientOptions(d *logNames, seen []reqlog.Entry, selected string) []filterOption {
	out := []filterOption{{Value: "", Text: "All clients"}, {Value: requestsNoClient, Text: "No verified client"}}
	for _, id := range d.order {
		k := d.clients[id]
		out = append(out, filterOption{Value: id, Text: k.Name + " (" + id + ") · " + k.PoolName})
	}
	unknown := map[string]bool{}
	for _, e := range seen {
		if _, ok := d.clients[e.ClientID]; !ok && e.ClientID != "" {
			unknown[e.ClientID] = true
		}
	}
	if selected != "" && selected != requestsNoClient {
		if _, ok := d.clients[selected]; !ok {
			unknown[selected] = true
		}
	}
	for _, id := range dashSortedKeys(unknown) {
		out = append(out, filterOption{Value: id, Text: id + " (unknown client)"})
	}
	for i := range out {
		out[i].Selected = out[i].Value == selected
	}
	return out
}

// requestsRouteOptions are the Route filter's options: the APIs' routes, then
// routes seen in the log that no API in service has. A value is the API
// id, a space and the route ("GET /items/{id}"), as reqlog.Filter takes.
func requestsRouteOptions(d *logNames, seen []reqlog.Entry, selected string) []filterOption {
	out := []filterOption{{Value: "", Text: "All routes"}}
	have := map[string]bool{"": true}
	for _, a := range d.apis {
		if a.RestAPI == nil {
			continue
		}
		for _, rt := range a.Routes {
			v := a.ID + " " + rt.Method + " " + rt.ResourcePath
			if !have[v] {
				have[v] = true
				out = append(out, filterOption{Value: v, Text: d.apiName(a.ID) + " · " + rt.Method + " " + rt.ResourcePath})
			}
		}
	}
	extra := map[string]string{}
	for _, e := range seen {
		if e.Route == "" {
			continue
		}
		if v := e.API + " " + e.Route; !have[v] {
			extra[v] = d.apiName(e.API) + " · " + e.Route
		}
	}
	if selected != "" && !have[selected] {
		if _, ok := extra[selected]; !ok {
			extra[selected] = selected
		}
	}
	for _, v := range dashSortedKeys(extra) {
		out = append(out, filterOption{Value: v, Text: extra[v]})
	}
	for i := range out {
		out[i].Selected = out[i].Value == selected
	}
	return out
}

func dashSortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// dashMS formats a latency in milliseconds: "0.4", "12", "1520".
func dashMS(ms float64) string {
	if ms < 10 {
		return strconv.FormatFloat(ms, 'f', 1, 64)
	}
	return strconv.FormatFloat(ms, 'f', 0, 64)
}
