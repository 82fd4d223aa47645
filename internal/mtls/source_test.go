package mtls_test

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/mtls"
)

// clientCertHeader is RFC 9440 §2.2's Client-Cert: ":" base64(DER) ":".
func clientCertHeader(c *x509.Certificate) string {
	return ":" + base64.StdEncoding.EncodeToString(c.Raw) + ":"
}

// escapedPEM is nginx's $ssl_client_escaped_cert: the PEM, URL-encoded
// (ngx_escape_uri with NGX_ESCAPE_URI_COMPONENT escapes "+", "/", "=" and
// the newlines).
func escapedPEM(c *x509.Certificate) string {
	esc := url.QueryEscape(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})))
	return strings.ReplaceAll(esc, "+", "%20") // nginx escapes a space as %20
}

func TestSourceChain(t *testing.T) {
	p := newPKI(t)
	proxyCert := issue(t, certSpec{subject: pkix.Name{CommonName: "proxy"}}, nil).cert
	src := &mtls.Source{
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("fd00::/8")},
		Header:         "Client-Cert",
	}
	tests := []struct {
		name   string
		remote string
		tls    []*x509.Certificate
		header []string
		want   *x509.Certificate
		err    bool
	}{
		{name: "direct TLS", remote: "192.0.2.1:5000", tls: []*x509.Certificate{p.dn.cert, p.inter.cert}, want: p.dn.cert},
		{name: "direct, no certificate", remote: "192.0.2.1:5000", tls: []*x509.Certificate{}},
		{name: "plain HTTP", remote: "192.0.2.1:5000"},
		{name: "untrusted address, spoofed header ignored", remote: "192.0.2.1:5000", header: []string{clientCertHeader(p.dn.cert)}},
		{name: "untrusted address, spoofed header beside a real certificate", remote: "192.0.2.1:5000",
			tls: []*x509.Certificate{p.email.cert}, header: []string{clientCertHeader(p.dn.cert)}, want: p.email.cert},
		{name: "untrusted address, malformed header ignored", remote: "192.0.2.1:5000", header: []string{":!!:"}},
		{name: "trusted proxy, RFC 9440", remote: "10.1.2.3:5000", tls: []*x509.Certificate{proxyCert}, header: []string{clientCertHeader(p.dn.cert)}, want: p.dn.cert},
		{name: "trusted proxy, RFC 9440 with parameters", remote: "10.1.2.3:5000", header: []string{clientCertHeader(p.dn.cert) + ";x=1"}, want: p.dn.cert},
		{name: "trusted proxy over IPv6", remote: "[fd00::1]:5000", header: []string{clientCertHeader(p.dn.cert)}, want: p.dn.cert},
		{name: "trusted proxy, IPv4-mapped", remote: "[::ffff:10.1.2.3]:5000", header: []string{clientCertHeader(p.dn.cert)}, want: p.dn.cert},
		{name: "trusted proxy, escaped PEM", remote: "10.1.2.3:5000", header: []string{escapedPEM(p.uriSAN.cert)}, want: p.uriSAN.cert},
		{name: "trusted proxy, PEM with + unescaped", remote: "10.1.2.3:5000",
			header: []string{strings.ReplaceAll(escapedPEM(p.uriSAN.cert), "%2B", "+")}, want: p.uriSAN.cert},
		{name: "trusted proxy, no header: not the proxy's own certificate", remote: "10.1.2.3:5000", tls: []*x509.Certificate{proxyCert}},
		{name: "trusted proxy, empty header", remote: "10.1.2.3:5000", header: []string{""}},
		{name: "trusted proxy, malformed base64", remote: "10.1.2.3:5000", header: []string{":!!:"}, err: true},
		{name: "trusted proxy, unterminated", remote: "10.1.2.3:5000", header: []string{":MIIB"}, err: true},
		{name: "trusted proxy, not a certificate", remote: "10.1.2.3:5000", header: []string{":aGVsbG8=:"}, err: true},
		{name: "trusted proxy, inner list", remote: "10.1.2.3:5000", header: []string{clientCertHeader(p.dn.cert) + ", " + clientCertHeader(p.email.cert)}, err: true},
		{name: "trusted proxy, sent twice", remote: "10.1.2.3:5000", header: []string{clientCertHeader(p.dn.cert), clientCertHeader(p.email.cert)}, err: true},
		{name: "trusted proxy, garbage", remote: "10.1.2.3:5000", header: []string{"hello"}, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tt.remote
			r.TLS = nil
			if tt.tls != nil {
				r.TLS = &tls.ConnectionState{PeerCertificates: tt.tls}
			}
			for _, v := range tt.header {
				r.Header.Add("Client-Cert", v)
			}
			got, err := src.Certificate(r)
			if (err != nil) != tt.err {
				t.Fatalf("Certificate error = %v, want error %v", err, tt.err)
			}
			if got != tt.want && (got == nil || tt.want == nil || !got.Equal(tt.want)) {
				t.Errorf("Certificate = %v, want %v", name(got), name(tt.want))
			}
			chain, err := src.Chain(r)
			if tt.want != nil && (err != nil || len(chain) == 0 || !chain[0].Equal(tt.want)) {
				t.Errorf("Chain = %d certificates, %v; want %v first", len(chain), err, name(tt.want))
			}
		})
	}
}

func name(c *x509.Certificate) string {
	if c == nil {
		return "none"
	}
	return c.Subject.String()
}

func TestSourceNoHeaderConfigured(t *testing.T) {
	p := newPKI(t)
	// Trusted proxies but no header: the connection's certificate counts
	// (a TCP proxy passing TLS through).
	src := &mtls.Source{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "10.0.0.1:1"
	r.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{p.dn.cert}}
	r.Header.Set("Client-Cert", clientCertHeader(p.email.cert))
	if got, err := src.Certificate(r); err != nil || !got.Equal(p.dn.cert) {
		t.Errorf("Certificate = %v, %v; want the connection's", name(got), err)
	}
	var zero *mtls.Source
	if got, err := zero.Certificate(r); err != nil || !got.Equal(p.dn.cert) {
		t.Errorf("nil Source: Certificate = %v, %v; want the connection's", name(got), err)
	}
}

func TestSourceExternalURL(t *testing.T) {
	src := &mtls.Source{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}}
	tests := []struct {
		name   string
		remote string
		tls    bool
		host   string
		hdr    map[string]string
		want   string
	}{
		{"plain", "192.0.2.1:1", false, "localhost:8080", nil, "http://localhost:8080"},
		{"TLS", "192.0.2.1:1", true, "api.example.com", nil, "https://api.example.com"},
		{"untrusted forwarded headers ignored", "192.0.2.1:1", false, "localhost:8080",
			map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}, "http://localhost:8080"},
		{"trusted proxy", "10.1.0.9:1", false, "tollgate:8080",
			map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "api.example.com"}, "https://api.example.com"},
		{"trusted proxy, first values", "10.1.0.9:1", false, "tollgate:8080",
			map[string]string{"X-Forwarded-Proto": "HTTPS, http", "X-Forwarded-Host": "api.example.com:8443 , tollgate"}, "https://api.example.com:8443"},
		{"trusted proxy, proto only", "10.1.0.9:1", false, "api.example.com",
			map[string]string{"X-Forwarded-Proto": "https"}, "https://api.example.com"},
		{"trusted proxy, bad values", "10.1.0.9:1", true, "api.example.com",
			map[string]string{"X-Forwarded-Proto": "gopher", "X-Forwarded-Host": "a/b"}, "https://api.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr, r.Host, r.TLS = tt.remote, tt.host, nil
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			for k, v := range tt.hdr {
				r.Header.Set(k, v)
			}
			if got := src.ExternalURL(r); got != tt.want {
				t.Errorf("ExternalURL = %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzParseHeader(f *testing.F) {
	c := issue(f, certSpec{subject: pkix.Name{CommonName: "client"}, dns: []string{"client.example.com"}}, nil).cert
	for _, s := range []string{
		clientCertHeader(c), clientCertHeader(c) + ";a=1", escapedPEM(c), "", ":", "::", ":=:", "%", "%zz",
		"-----BEGIN CERTIFICATE-----", ":" + base64.RawStdEncoding.EncodeToString(c.Raw) + ":",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		cert, err := mtls.ParseHeader([]string{v})
		if err == nil && cert != nil {
			// What parses is a certificate whose DER round-trips.
			again, err := mtls.ParseHeader([]string{clientCertHeader(cert)})
			if err != nil || !again.Equal(cert) {
				t.Fatalf("re-encoded certificate does not parse back: %v", err)
			}
		}
		if err != nil && cert != nil {
			t.Fatal("both a certificate and an error")
		}
	})
}
