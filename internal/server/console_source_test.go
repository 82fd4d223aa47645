package server

import (
	"context"
	"net/http"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// Without a console nothing reads the log of recent requests: the server
// keeps none. With one, the console's APIs say where they come from.
func TestConsoleRequestsAndAPISource(t *testing.T) {
	ctx := context.Background()
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	api := &tollgate.RestAPI{ID: "sourceapi1", Name: "orders", Region: "us-east-1", Stages: []tollgate.Stage{{Name: "prod"}},
		Routes: []tollgate.Route{{ResourcePath: "/orders", Method: "GET", Integration: tollgate.Integration{Type: tollgate.IntegrationMock}}}}

	off, err := New(ctx, Options{Store: st, Vault: v, APIs: []*tollgate.RestAPI{api}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(off.Close)
	if off.Requests() != nil {
		t.Error("a server without a console keeps a log of recent requests")
	}

	handler := func(console.Backend) (http.Handler, error) { return http.NotFoundHandler(), nil }
	on, err := New(ctx, Options{Store: st, Vault: v, APIs: []*tollgate.RestAPI{api}, Console: handler, ConsoleOnMain: true,
		ConsoleAPISource: "config file apis.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(on.Close)
	if on.Requests() == nil {
		t.Error("a server with a console keeps no log of recent requests")
	}
	apis := on.ConsoleAPIs()
	if len(apis) != 1 || apis[0].Source != "config file apis.yaml" {
		t.Errorf("console APIs: %+v", apis)
	}
}
