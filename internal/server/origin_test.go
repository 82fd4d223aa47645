package server

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
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
