package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
)

// TestPoolOAuthView: describe shows the settings only the config file
// sets (resource indicators, the registration policy), in JSON and in
// text, and nothing for a Cognito pool.
func TestPoolOAuthView(t *testing.T) {
	if v := newPoolOAuthView(tollgate.PoolOAuth{}); v != nil {
		t.Errorf("a Cognito pool's view: %+v", v)
	}
	o := tollgate.PoolOAuth{ResourceIndicators: true, Registration: &tollgate.RegistrationPolicy{
		Scopes: []string{"api/read"}, InitialAccessScope: "api/register", MaxClients: 5}}
	b, err := json.Marshal(newPoolOAuthView(o))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"SigningAlgorithm":"RS256","ResourceIndicators":true,"Registration":{"Scopes":["api/read"],"InitialAccessScope":"api/register","MaxClients":5}}`
	if string(b) != want {
		t.Errorf("JSON view\n got %s\nwant %s", b, want)
	}
	text := strings.Join(poolExtensions(o), "; ")
	if want := "resource indicators; registration (methods private_key_jwt, scopes api/read, initial access token with api/register)"; text != want {
		t.Errorf("text\n got %s\nwant %s", text, want)
	}
}
