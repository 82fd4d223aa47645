package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

const reloadAPIID = "reloadapi1"

// reloadAPI is an API with GET /ping (MOCK 204) and the extra routes.
func reloadAPI(extra ...tollgate.Route) []*tollgate.RestAPI {
	routes := append([]tollgate.Route{{Method: "GET", ResourcePath: "/ping",
		Integration: tollgate.Integration{Type: tollgate.IntegrationMock, MockStatus: http.StatusNoContent}}}, extra...)
	return []*tollgate.RestAPI{{ID: reloadAPIID, Name: "reload", Region: "us-east-1", Stages: []tollgate.Stage{{Name: "prod"}}, Routes: routes}}
}

// mockRoute is GET path answered by a MOCK with status.
func mockRoute(path string, status int) tollgate.Route {
	return tollgate.Route{Method: "GET", ResourcePath: path, Integration: tollgate.Integration{Type: tollgate.IntegrationMock, MockStatus: status}}
}

func newReloadServer(t *testing.T, apis []*tollgate.RestAPI, fns []*tollgate.Function) *Server {
	t.Helper()
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	s, err := New(context.Background(), Options{Store: st, Vault: v, APIs: apis, Functions: fns, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// get serves GET path (under the API's prod stage) and returns the status.
func get(s *Server, path string) int {
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/apis/"+reloadAPIID+"/prod"+path, nil))
	return w.Code
}

// TestReloadUnderConcurrentRequests: requests served while the config is
// reloaded again and again are all answered by one config or the next,
// never refused for the swap, and after the last reload its routes are
// the ones served (run with -race).
func TestReloadUnderConcurrentRequests(t *testing.T) {
	s := newReloadServer(t, reloadAPI(), nil)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if code := get(s, "/ping"); code != http.StatusNoContent {
					errs <- fmt.Sprintf("GET /ping during reloads: %d", code)
					return
				}
			}
		}()
	}
	const reloads = 50
	for i := range reloads {
		fns := []*tollgate.Function{{Name: fmt.Sprintf("fn%d", i), Runtime: tollgate.EchoRuntime}}
		if _, err := s.Reload(reloadAPI(mockRoute(fmt.Sprintf("/gen%d", i), http.StatusAccepted)), fns); err != nil {
			t.Fatalf("reload %d: %v", i, err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if code := get(s, fmt.Sprintf("/gen%d", reloads-1)); code != http.StatusAccepted {
		t.Errorf("the last reload's route: %d, want 202", code)
	}
	if code := get(s, "/gen0"); code != http.StatusForbidden {
		t.Errorf("a route reloaded away: %d, want 403 (Missing Authentication Token)", code)
	}
}

// TestReloadWaitsForInFlightRequests: a request in flight when the config
// is reloaded finishes on the deployment it started on, which is closed
// only once that request has ended.
func TestReloadWaitsForInFlightRequests(t *testing.T) {
	arrived, proceed := make(chan struct{}), make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(arrived)
		<-proceed
		_, _ = io.WriteString(w, "slow answer") // the test reads it
	}))
	defer upstream.Close()
	slow := tollgate.Route{Method: "GET", ResourcePath: "/slow", Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: upstream.URL}}
	s := newReloadServer(t, reloadAPI(slow), nil)
	old := s.dep.Load()

	done := make(chan *httptest.ResponseRecorder)
	go func() {
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/apis/"+reloadAPIID+"/prod/slow", nil))
		done <- w
	}()
	<-arrived
	if _, err := s.Reload(reloadAPI(), nil); err != nil {
		t.Fatal(err)
	}
	if code := get(s, "/slow"); code != http.StatusForbidden {
		t.Errorf("GET /slow after the reload that removed it: %d, want 403", code)
	}
	select {
	case <-old.drained:
		t.Fatal("the old deployment was drained with a request in flight")
	default:
	}
	close(proceed)
	w := <-done
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "slow answer") {
		t.Errorf("the request in flight during the reload: %d %q", w.Code, w.Body)
	}
	<-old.drained // closed once that request ended
}

// TestReloadRefusedKeepsRunning: a config that cannot be served (an
// AWS_PROXY route naming no function) is refused whole and the running
// one stays; the Invoke API follows the functions of each reload.
func TestReloadRefusedKeepsRunning(t *testing.T) {
	s := newReloadServer(t, reloadAPI(), nil)
	main := s.withInvokeAPI(s.Handler(), "main") // as Serve's main listener
	invoke := func() int {
		w := httptest.NewRecorder()
		main.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/2015-03-31/functions/echo/invocations", strings.NewReader("{}")))
		return w.Code
	}
	lambda := tollgate.Route{Method: "GET", ResourcePath: "/fn", Integration: tollgate.Integration{Type: tollgate.IntegrationAWSProxy, Function: "missing"}}
	if _, err := s.Reload(reloadAPI(lambda), nil); err == nil || !strings.Contains(err.Error(), `no function is named "missing"`) {
		t.Fatalf("reload with a missing function: %v", err)
	}
	if code := get(s, "/ping"); code != http.StatusNoContent {
		t.Errorf("after a refused reload GET /ping: %d, want 204", code)
	}
	if code := invoke(); code != http.StatusNotFound {
		t.Errorf("Invoke API without functions: %d, want 404", code)
	}
	sum, err := s.Reload(reloadAPI(), []*tollgate.Function{{Name: "echo", Runtime: tollgate.EchoRuntime}})
	if err != nil {
		t.Fatal(err)
	}
	if sum != (ReloadSummary{APIs: 1, Routes: 1, Functions: 1}) {
		t.Errorf("summary %+v", sum)
	}
	// Unsigned: Lambda's 403 (the Invoke API is served now).
	if code := invoke(); code != http.StatusForbidden {
		t.Errorf("Invoke API with a function, unsigned: %d, want 403", code)
	}
}
