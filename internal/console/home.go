package console

import (
	"fmt"
	"net/http"

	"github.com/tollgate/tollgate/internal/reqlog"
)

// routesHome registers the overview.
func (c *Console) routesHome() {
	c.handle("GET /{$}", c.home)
}

// homeTopClients is how many clients the overview charts one by one.
const homeTopClients = 6

// homeData is the overview: what is configured, and this node's traffic
// of the last hour.
type homeData struct {
	Pools, Clients, APIs int
	// FirstPoolID is a pool to add a resource server to ("" when none).
	FirstPoolID string
	// Requests and Refusals are this node's, over the last hour.
	Requests, Refusals int
	RefusalRate        string
	All                chart
	Top                []homeClient
	// MoreClients is how many more clients sent requests.
	MoreClients int
	Refused     []requestRow
}

// homeClient is one of the small multiples.
type homeClient struct {
	ID, Name string
	Known    bool
	PoolName string
	// Filter is the requests view's client filter value for it.
	Filter string
	// Note says what a series that is no client holds.
	Note  string
	Chart chart
}

// homeNoClientNote says what the series of requests without a verified
// client holds.
const homeNoClientNote = "API key or anonymous calls, and refusals before a client was verified"

func (c *Console) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := c.trafficNames(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data := homeData{Pools: len(d.pools), Clients: len(d.clients), APIs: len(d.apis)}
	if len(d.pools) > 0 {
		data.FirstPoolID = d.pools[0].ID
	}
	now := c.opts.Now()
	log := c.opts.Backend.Requests()
	series := log.Series(now)
	data.All = newChart("all clients", chartSum(series, now), chartLarge)
	data.Requests, data.Refusals = data.All.Requests, data.All.Refusals
	data.RefusalRate = homeRate(data.Refusals, data.Requests)
	for i, s := range series {
		if i == homeTopClients {
			data.MoreClients = len(series) - i
			break
		}
		hc := homeClient{ID: s.ClientID, Name: d.clientName(s.ClientID), Filter: s.ClientID}
		if k, ok := d.clients[s.ClientID]; ok {
			hc.Known, hc.PoolName = true, k.PoolName
		}
		switch s.ClientID {
		case "":
			hc.Filter, hc.Note = requestsNoClient, homeNoClientNote
		case reqlog.OtherClients:
			hc.Filter = ""
		}
		hc.Chart = newChart(hc.Name, s.Points, chartSmall)
		data.Top = append(data.Top, hc)
	}
	data.Refused = d.rows(log.Recent(reqlog.Filter{RefusedOnly: true, Limit: 10}))
	c.render(w, r, http.StatusOK, "home", Page{Title: "Overview", Nav: "home", Data: data})
}

// homeRate is refusals as a share of requests: "12.5%", "—" without
// requests.
func homeRate(refusals, requests int) string {
	if requests == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", float64(refusals)*100/float64(requests))
}
