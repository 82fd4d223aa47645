package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
)

// TestLambdaAuthorizerWiring: a TOKEN authorizer naming no function of the
// config is refused with the config; one naming a function runs it on the
// server's function runner (the built-in echo, whose Lambda proxy answer
// is no policy: 500 {"message":null}, AuthorizerConfigurationException,
// apigw-beyond §1.5), and a request without its token is 401 without it.
func TestLambdaAuthorizerWiring(t *testing.T) {
	route := func(fn string) tollgate.Route {
		return tollgate.Route{Method: "GET", ResourcePath: "/guarded",
			Authorizer:  &tollgate.Authorizer{Name: "tokenAuth", Type: tollgate.AuthorizerToken, Function: fn, ResultTTL: tollgate.DefaultAuthorizerResultTTL},
			Integration: tollgate.Integration{Type: tollgate.IntegrationMock}}
	}
	s := newReloadServer(t, reloadAPI(), nil)
	fns := []*tollgate.Function{{Name: "echo", Runtime: tollgate.EchoRuntime}}
	if _, err := s.Reload(reloadAPI(route("missing")), fns); err == nil || !strings.Contains(err.Error(), `authorizer tokenAuth: no function is named "missing"`) {
		t.Fatalf("reload with a missing authorizer function: %v", err)
	}
	if _, err := s.Reload(reloadAPI(route("echo")), fns); err != nil {
		t.Fatal(err)
	}
	if code := get(s, "/guarded"); code != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", code)
	}
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/apis/"+reloadAPIID+"/prod/guarded", nil)
	r.Header.Set("Authorization", "tok")
	s.Handler().ServeHTTP(w, r)
	if w.Code != http.StatusInternalServerError || w.Body.String() != `{"message":null}` || w.Header().Get("X-Amzn-Errortype") != "AuthorizerConfigurationException" {
		t.Errorf("with a token: %d %s %q", w.Code, w.Body, w.Header().Get("X-Amzn-Errortype"))
	}
}
