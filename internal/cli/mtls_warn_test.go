package cli

import (
	"bytes"
	"log/slog"
	"net/netip"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/config"
)

// TestWarnUnreachableMTLSClients: serve says at start which declared
// clients cannot authenticate with its flags (RFC 8705 needs a client
// certificate on the request, and tls_client_auth trust anchors), rather
// than leaving each refusal's cause to the per-request log.
func TestWarnUnreachableMTLSClients(t *testing.T) {
	cfg := &config.Config{UserPools: []config.UserPool{{ID: "Pool", MTLS: true, Clients: []config.Client{
		{ID: "Pki", TokenEndpointAuthMethod: "tls_client_auth"},
		{ID: "Self", UserPoolClientName: "self-signed", TokenEndpointAuthMethod: "self_signed_tls_client_auth"},
		{ID: "Secret", GenerateSecret: true},
	}}}}
	for _, tc := range []struct {
		name  string
		flags mtlsFlags
		want  []string // substrings, one line each
	}{
		{"no certificate source", mtlsFlags{}, []string{
			`which no request can carry`, `client=Pki`, `client=self-signed`,
		}},
		{"a listener without trust anchors", mtlsFlags{listen: "127.0.0.1:0"}, []string{`give --mtls-client-ca`, `client=Pki`}},
		{"a proxy without its header is no source", mtlsFlags{proxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, clientCAFile: "ca.pem"},
			[]string{`which no request can carry`}},
		{"everything given", mtlsFlags{listen: "127.0.0.1:0", clientCAFile: "ca.pem"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			tc.flags.warnUnreachable(cfg, slog.New(slog.NewTextHandler(&buf, nil)))
			out := buf.String()
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("log lacks %q:\n%s", w, out)
				}
			}
			if tc.want == nil && out != "" {
				t.Errorf("warned with every flag given:\n%s", out)
			}
			if strings.Contains(out, "client=Secret") {
				t.Errorf("warned about a secret client:\n%s", out)
			}
		})
	}
}
