package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/replay"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// TestRequestOriginHosts: the origin the token endpoint and the gateway
// check a DPoP proof's htu against (RFC 9449 §4.3 item 9) and a client
// assertion's audience (RFC 7523 §3 item 3) is the request's host only
// when the server answers for it; a Host naming another server, as one
// forwarding a victim's token and proof would send (RFC 9449 §11.1), maps
// to the public URL's origin, so that the proof's htu does not match.
func TestRequestOriginHosts(t *testing.T) {
	ctx := context.Background()
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	now := time.Now().UTC()
	pool := &tollgate.UserPool{ID: "us-east-1_originPl1", Name: "p", Region: "us-east-1", CreatedAt: now, UpdatedAt: now}
	if err := st.CreatePool(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if err := st.PutDomain(ctx, &tollgate.Domain{Domain: "pfx", PoolID: pool.ID, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	apis := reloadAPI()
	apis[0].DomainNames = []tollgate.APIDomain{{DomainName: "api.shop.example", Stage: "prod"}}
	f := newMTLSFixture(t)
	const public = "https://tollgate.example.com"
	s := startMTLSServer(t, f, st, Options{Store: st, Vault: v, APIs: apis, BaseDomain: "tollgate.test", PublicURL: public,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, nil)
	_, plainPort, _ := strings.Cut(s.Addr(), ":")
	execHost := reloadAPIID + ".execute-api.us-east-1.tollgate.test"
	for _, tt := range []struct {
		name, remote, host, fwdHost string
		tls                         bool
		want                        string
	}{
		{"public URL's host", "192.0.2.1:1", "tollgate.example.com", "", false, public},
		{"public URL's host with its default port", "192.0.2.1:1", "TOLLGATE.example.com:443", "", true, public},
		{"pool auth domain", "192.0.2.1:1", "pfx.auth.us-east-1.tollgate.test", "", true, "https://pfx.auth.us-east-1.tollgate.test"},
		{"execute-api host", "192.0.2.1:1", execHost + ":8443", "", true, "https://" + execHost + ":8443"},
		{"API custom domain", "192.0.2.1:1", "api.shop.example", "", true, "https://api.shop.example"},
		{"mTLS listener", "127.0.0.1:1", s.MTLSAddr(), "", true, s.MTLSBase()},
		{"loopback on the plain listener's port", "127.0.0.1:1", "localhost:" + plainPort, "", false, "http://localhost:" + plainPort},
		{"forged Host", "192.0.2.1:1", "rs.attacker.example", "", true, public},
		{"forged Host on a path-style URL's port", "192.0.2.1:1", "rs.attacker.example:" + plainPort, "", false, public},
		{"loopback on a port the server does not listen on", "127.0.0.1:1", "localhost:1", "", false, public},
		{"execute-api of another base domain", "192.0.2.1:1", reloadAPIID + ".execute-api.us-east-1.other.test", "", true, public},
		{"forwarded host of a trusted proxy naming an API", "10.1.2.3:1", "internal:8080", "api.shop.example", false, "http://api.shop.example"},
		{"forwarded host of a trusted proxy naming another server", "10.1.2.3:1", "tollgate.example.com", "rs.attacker.example", false, public},
		{"forwarded host of an untrusted client", "192.0.2.1:1", "tollgate.example.com", "api.shop.example", false, public},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/oauth2/token", nil)
			r.RemoteAddr, r.Host = tt.remote, tt.host
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if tt.fwdHost != "" {
				r.Header.Set("X-Forwarded-Host", tt.fwdHost)
			}
			if got := s.externalURL()(r); got != tt.want {
				t.Errorf("origin = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestDPoPProofForForgedHost: a DPoP proof made for another server (its
// htu names that server) is refused at the token endpoint even when the
// request forwarding it names that server in Host (RFC 9449 §4.3 item 9,
// §11.1); the proof for this server's URL is accepted (token_type DPoP,
// RFC 9449 §5).
func TestDPoPProofForForgedHost(t *testing.T) {
	ctx := context.Background()
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	now := time.Now().UTC()
	pool := &tollgate.UserPool{ID: "us-east-1_dpopHost1", Name: "p", Region: "us-east-1", CreatedAt: now, UpdatedAt: now,
		OAuth: tollgate.PoolOAuth{DPoP: &tollgate.DPoPPolicy{}}}
	if err := st.CreatePool(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if err := st.PutResourceServer(ctx, &tollgate.ResourceServer{PoolID: pool.ID, Identifier: "api", Name: "api",
		Scopes: []tollgate.Scope{{Name: "read", Description: "read"}}, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	client, secret, err := domain.New(st, v, time.Now).CreateClient(ctx, pool.ID, domain.ClientSpec{Name: "c",
		OAuthFlows: []string{tollgate.FlowClientCredentials}, Scopes: []string{"api/read"}}, domain.SecretChoice{Generate: true})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(ctx, Options{Store: st, Vault: v, Replay: replay.NewLocal(100), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	s.publicURL = "http://tollgate.example"
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	proof := func(htu string) string {
		t.Helper()
		opts := (&jose.SignerOptions{}).WithType("dpop+jwt").WithHeader("jwk", jose.JSONWebKey{Key: &key.PublicKey})
		sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, opts)
		if err != nil {
			t.Fatal(err)
		}
		claims, _ := json.Marshal(map[string]any{"jti": rand.Text(), "htm": "POST", "htu": htu, "iat": time.Now().Unix()})
		jws, err := sig.Sign(claims)
		if err != nil {
			t.Fatal(err)
		}
		out, err := jws.CompactSerialize()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, tt := range []struct {
		name, host, htu string
		want            int
	}{
		{"proof for another server, forwarded with its Host", "rs.attacker.example", "http://rs.attacker.example/oauth2/token", http.StatusBadRequest},
		{"proof for this server", "tollgate.example", "http://tollgate.example/oauth2/token", http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader("grant_type=client_credentials&scope=api%2Fread"))
			r.Host = tt.host
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.SetBasicAuth(client.ID, secret)
			r.Header.Set("DPoP", proof(tt.htu))
			w := httptest.NewRecorder()
			s.Handler().ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Fatalf("%d %s, want %d", w.Code, w.Body, tt.want)
			}
			var body map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if tt.want == http.StatusOK && body["token_type"] != "DPoP" {
				t.Errorf("token_type = %v, want DPoP", body["token_type"])
			}
			if tt.want != http.StatusOK && body["error"] != "invalid_dpop_proof" {
				t.Errorf("error = %v, want invalid_dpop_proof", body["error"])
			}
		})
	}
}
