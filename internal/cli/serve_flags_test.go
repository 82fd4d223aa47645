package cli

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/replay"
	"github.com/tollgate/tollgate/internal/server"
)

// TestServeFlagsMTLS checks the validation of the mTLS, trusted proxy and
// replay cache flags: each mistake refused with a message naming the flag.
func TestServeFlagsMTLS(t *testing.T) {
	// A real certificate and key, and a CA file, from dev's generator.
	d := newDevCredentials(t.TempDir(), "localhost", nil)
	d.listener = true
	if err := d.prepare(mustParseEmptyConfig(t)); err != nil {
		t.Fatal(err)
	}
	cert, key, ca := d.path(devServerCert), d.path(devServerKey), d.path(devCACert)
	junk := filepath.Join(t.TempDir(), "junk.pem")
	if err := os.WriteFile(junk, []byte("not PEM"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		set     func(*serveFlags)
		wantErr string // "" for none
	}{
		{"nothing", func(*serveFlags) {}, ""},
		{"listener with its files", func(f *serveFlags) {
			f.mtls = mtlsFlags{listen: "127.0.0.1:0", certFile: cert, keyFile: key, clientCAFile: ca}
		}, ""},
		{"listener without a certificate", func(f *serveFlags) { f.mtls.listen = "127.0.0.1:0" }, "--mtls-listen 127.0.0.1:0 needs --mtls-cert and --mtls-key"},
		{"listener with a key that is not the certificate's", func(f *serveFlags) { f.mtls = mtlsFlags{listen: ":0", certFile: cert, keyFile: junk} }, "--mtls-cert"},
		{"client CA file without certificates", func(f *serveFlags) {
			f.mtls = mtlsFlags{listen: ":0", certFile: cert, keyFile: key, clientCAFile: junk}
		}, "no PEM certificate"},
		{"certificate without a listener", func(f *serveFlags) { f.mtls.certFile = cert }, "--mtls-cert is for --mtls-listen"},
		{"client CA without a listener", func(f *serveFlags) { f.mtls.clientCAFile = ca }, "--mtls-client-ca is for --mtls-listen"},
		{"proxies and header", func(f *serveFlags) {
			f.mtls.trustedProxies, f.mtls.clientCertHeader = []string{"10.0.0.0/8", "192.168.1.7", "::1"}, "Client-Cert"
		}, ""},
		{"a proxy that is no address", func(f *serveFlags) { f.mtls.trustedProxies = []string{"proxy.local"} }, `--trusted-proxy "proxy.local"`},
		{"a header without a trusted proxy", func(f *serveFlags) { f.mtls.clientCertHeader = "X-SSL-Client-Cert" }, "needs --trusted-proxy"},
		{"a header that is no header name", func(f *serveFlags) {
			f.mtls.trustedProxies, f.mtls.clientCertHeader = []string{"10.0.0.1"}, "Client Cert"
		}, "--client-cert-header"},
		{"a negative replay cache", func(f *serveFlags) { f.replayCacheSize = -1 }, "--replay-cache-size -1"},
		{"a replay cache size from the environment", func(f *serveFlags) { f.replayCacheSizeEnv = "12" }, ""},
		{"a bad replay cache size in the environment", func(f *serveFlags) { f.replayCacheSizeEnv = "many" }, "TOLLGATE_REPLAY_CACHE_SIZE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := serveFlags{maxPlanKeys: 1, shutdownTimeout: time.Second, storeOutage: server.OutageServe, staleAfter: server.DefaultStaleAfter}
			tc.set(&f)
			err := f.check()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
			}
		})
	}

	f := serveFlags{maxPlanKeys: 1, shutdownTimeout: time.Second, storeOutage: server.OutageServe, staleAfter: server.DefaultStaleAfter}
	f.mtls.trustedProxies = []string{"10.1.2.3/8", "192.168.1.7"}
	if err := f.check(); err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32")}
	if !slices.Equal(f.mtls.proxies, want) {
		t.Errorf("proxies %v, want %v", f.mtls.proxies, want)
	}
	if f.replayCacheSize != replay.DefaultMaxEntries {
		t.Errorf("replay cache size %d, want the default %d", f.replayCacheSize, replay.DefaultMaxEntries)
	}
}

// TestServeRefusesMTLSListenWithoutCertificate checks the command line:
// serve does not start an mTLS listener it has no certificate for.
func TestServeRefusesMTLSListenWithoutCertificate(t *testing.T) {
	fx := newCLIFixture(t)
	code, _, stderr := fx.run(t, "serve", "--listen", "127.0.0.1:0", "--mtls-listen", "127.0.0.1:0")
	if code != 2 || !strings.Contains(stderr, "--mtls-listen 127.0.0.1:0 needs --mtls-cert and --mtls-key") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
