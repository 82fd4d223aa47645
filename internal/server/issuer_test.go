package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// TestIssuerBase follows the issuer base across nodes started one after
// another on one store: none stored without an explicit URL, the first
// --public-url stored and kept, an explicit --issuer-url stored and
// replacing another, and every later node using the stored one.
func TestIssuerBase(t *testing.T) {
	ctx := context.Background()
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	for _, step := range []struct {
		name                 string
		publicURL, issuerURL string
		want, stored         string // stored "": none
	}{
		{"no URL: the derived public URL, not stored", "", "", "", ""},
		{"the first --public-url is stored", "https://a.example/", "", "https://a.example", "https://a.example"},
		{"another node's --public-url keeps it", "https://b.example", "", "https://a.example", "https://a.example"},
		{"no URL: the stored one", "", "", "https://a.example", "https://a.example"},
		{"an explicit --issuer-url replaces it", "https://b.example", "https://auth.example/base/", "https://auth.example/base", "https://auth.example/base"},
		{"the same --issuer-url again", "", "https://auth.example/base", "https://auth.example/base", "https://auth.example/base"},
		{"--public-url does not replace it", "https://c.example", "", "https://auth.example/base", "https://auth.example/base"},
	} {
		t.Run(step.name, func(t *testing.T) {
			s, err := New(ctx, Options{Store: st, Vault: v, PublicURL: step.publicURL, IssuerURL: step.issuerURL,
				Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Listen(); err != nil {
				t.Fatal(err)
			}
			defer s.closeListeners()
			want := step.want
			if want == "" {
				want = s.PublicURL()
			}
			if got := s.Issuer("us-east-1_abc"); got != want+"/us-east-1_abc" {
				t.Errorf("Issuer = %q, want %q", got, want+"/us-east-1_abc")
			}
			stored, err := st.GetSetting(ctx, tollgate.SettingIssuerURL)
			switch {
			case step.stored == "" && !tollgate.IsNotFound(err):
				t.Errorf("stored issuer URL %q, %v; want none", stored, err)
			case step.stored != "" && string(stored) != step.stored:
				t.Errorf("stored issuer URL %q, %v; want %q", stored, err, step.stored)
			}
		})
	}
}

func TestIssuerURLRefused(t *testing.T) {
	for _, bad := range []string{"auth.example.com", "ftp://auth.example", "https://", "https://auth.example/?x=1", "https://auth.example/#f", "https://u:p@auth.example", "https://auth.example/?"} {
		if err := checkIssuerURL(bad); err == nil {
			t.Errorf("checkIssuerURL(%q) accepted", bad)
		}
	}
	for _, good := range []string{"", "https://auth.example", "http://127.0.0.1:8080", "https://auth.example/tenant"} {
		if err := checkIssuerURL(good); err != nil {
			t.Errorf("checkIssuerURL(%q): %v", good, err)
		}
	}
}

// TestDiscoveryNamesTheStoredIssuer: the discovery document's issuer is
// the tokens' iss, the stored one (OpenID Connect Discovery 1.0 §4.3: it
// must be identical to the iss of the tokens), while its endpoints are on
// the URL this node answers at.
func TestDiscoveryNamesTheStoredIssuer(t *testing.T) {
	ctx := context.Background()
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	now := time.Now().UTC()
	pool := &tollgate.UserPool{ID: "us-east-1_abcdefghi", Name: "p", Region: "us-east-1", CreatedAt: now, UpdatedAt: now}
	if err := st.CreatePool(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if err := st.PutSetting(ctx, tollgate.SettingIssuerURL, []byte("https://auth.example")); err != nil {
		t.Fatal(err)
	}
	s, err := New(ctx, Options{Store: st, Vault: v, PublicURL: "http://127.0.0.1:8081", Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	defer s.closeListeners()
	r := httptest.NewRequest(http.MethodGet, "/"+pool.ID+"/.well-known/openid-configuration", nil)
	r.SetPathValue("pool", pool.ID)
	w := httptest.NewRecorder()
	s.serveMetadata(w, r)
	var doc metadata
	if err := json.NewDecoder(w.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Issuer != "https://auth.example/"+pool.ID || doc.Issuer != s.Issuer(pool.ID) {
		t.Errorf("issuer = %q, want the stored one, %q", doc.Issuer, "https://auth.example/"+pool.ID)
	}
	if doc.TokenEndpoint != "http://127.0.0.1:8081/oauth2/token" {
		t.Errorf("token_endpoint = %q, want this node's", doc.TokenEndpoint)
	}
}
