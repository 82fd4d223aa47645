package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/mtls"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// testCert issues a certificate for tmpl, signed by parent (self-signed
// when parent is nil).
func testCert(t *testing.T, tmpl *x509.Certificate, parent *tls.Certificate) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	tmpl.BasicConstraintsValid = true
	signer, parentCert := any(key), tmpl
	if parent != nil {
		signer, parentCert = parent.PrivateKey, parent.Leaf
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// mtlsFixture is a CA, the mTLS listener's certificate files, and a
// client certificate.
type mtlsFixture struct {
	ca, client        tls.Certificate
	certFile, keyFile string
	caFile            string
	roots             *x509.CertPool
}

func newMTLSFixture(t *testing.T) mtlsFixture {
	t.Helper()
	var f mtlsFixture
	f.ca = testCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "Test CA"}, IsCA: true, KeyUsage: x509.KeyUsageCertSign}, nil)
	server := testCert(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}, &f.ca)
	f.client = testCert(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: "client"}, DNSNames: []string{"client.example.com"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}, &f.ca)
	dir := t.TempDir()
	keyDER, err := x509.MarshalPKCS8PrivateKey(server.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	f.certFile, f.keyFile, f.caFile = filepath.Join(dir, "server.crt.pem"), filepath.Join(dir, "server.key.pem"), filepath.Join(dir, "ca.crt.pem")
	for file, block := range map[string]*pem.Block{
		f.certFile: {Type: "CERTIFICATE", Bytes: server.Certificate[0]},
		f.keyFile:  {Type: "PRIVATE KEY", Bytes: keyDER},
		f.caFile:   {Type: "CERTIFICATE", Bytes: f.ca.Certificate[0]},
	} {
		if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	f.roots = x509.NewCertPool()
	f.roots.AddCert(f.ca.Leaf)
	return f
}

// startMTLSServer starts a server with an mTLS listener on loopback;
// handler, if not nil, replaces its handler. Serve runs until the test
// ends.
func startMTLSServer(t *testing.T, f mtlsFixture, st tollgate.Store, opts Options, handler http.Handler) *Server {
	t.Helper()
	opts.Listen, opts.MTLSListen = "127.0.0.1:0", "127.0.0.1:0"
	opts.MTLSCertFile, opts.MTLSKeyFile, opts.MTLSClientCAFile = f.certFile, f.keyFile, f.caFile
	opts.Logger = slog.New(slog.DiscardHandler)
	s, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if handler != nil {
		s.handler = handler
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s
}

// mtlsClient returns a client of the listener: HTTP/2 or HTTP/1.1, with
// the client certificate or none.
func mtlsClient(f mtlsFixture, h2 bool, cert *tls.Certificate) *http.Client {
	cfg := &tls.Config{RootCAs: f.roots, MinVersion: tls.VersionTLS12}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	tr := &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: h2}
	if !h2 {
		tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	}
	return &http.Client{Transport: tr}
}

func TestMTLSListenerClientCertificate(t *testing.T) {
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	f := newMTLSFixture(t)
	var s *Server
	// The handler tells what the server's certificate source finds.
	s = startMTLSServer(t, f, st, Options{Store: st, Vault: v}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cert, err := s.ClientCertSource().Certificate(r)
		switch {
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadRequest)
		case cert == nil:
			io.WriteString(w, r.Proto+" none")
		default:
			io.WriteString(w, r.Proto+" "+mtls.Thumbprint(cert))
		}
	}))
	if s.MTLSBase() != "https://"+s.MTLSAddr() {
		t.Errorf("MTLSBase = %q, want https://%s", s.MTLSBase(), s.MTLSAddr())
	}
	if err := mtls.CheckPKI(f.client.Leaf, nil, s.MTLSClientCAs(), tollgate.TLSClientAuth{SANDNS: "client.example.com"}, time.Now()); err != nil {
		t.Errorf("the client certificate does not chain to MTLSClientCAs: %v", err)
	}
	thumb := mtls.Thumbprint(f.client.Leaf)
	for _, tt := range []struct {
		name string
		h2   bool
		cert *tls.Certificate
		want string
	}{
		{"HTTP/1.1 with a certificate", false, &f.client, "HTTP/1.1 " + thumb},
		{"HTTP/2 with a certificate", true, &f.client, "HTTP/2.0 " + thumb},
		// RequestClientCert: a client without one still completes the
		// handshake (RFC 8705 §2: what is acceptable depends on the client).
		{"HTTP/1.1 without a certificate", false, nil, "HTTP/1.1 none"},
		{"HTTP/2 without a certificate", true, nil, "HTTP/2.0 none"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := mtlsClient(f, tt.h2, tt.cert)
			defer c.CloseIdleConnections()
			resp, err := c.Get(s.MTLSBase() + "/whoami")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || string(body) != tt.want {
				t.Errorf("GET = %d %q, want 200 %q", resp.StatusCode, body, tt.want)
			}
		})
	}
	t.Run("plain listener", func(t *testing.T) {
		resp, err := http.Get("http://" + s.Addr() + "/whoami")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if string(body) != "HTTP/1.1 none" {
			t.Errorf("GET = %q, want no certificate", body)
		}
	})
}

// TestMTLSListenerServesTheMainHandler: the mTLS listener answers as the
// plain one does, pool endpoints and gateway paths alike.
func TestMTLSListenerServesTheMainHandler(t *testing.T) {
	ctx := context.Background()
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	now := time.Now().UTC()
	pool := &tollgate.UserPool{ID: "us-east-1_mtlsPool1", Name: "p", Region: "us-east-1", CreatedAt: now, UpdatedAt: now}
	if err := st.CreatePool(ctx, pool); err != nil {
		t.Fatal(err)
	}
	f := newMTLSFixture(t)
	s := startMTLSServer(t, f, st, Options{Store: st, Vault: v, PublicURL: "http://127.0.0.1:8081"}, nil)
	c := mtlsClient(f, true, &f.client)
	defer c.CloseIdleConnections()
	get := func(c *http.Client, url string) (int, string) {
		t.Helper()
		resp, err := c.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(body)
	}
	for _, path := range []string{
		"/" + pool.ID + "/.well-known/openid-configuration",
		"/" + pool.ID + "/.well-known/jwks.json",
		"/oauth2/token",
		"/apis/nothere/prod/pets",
		"/no/such/path",
	} {
		plainCode, plainBody := get(http.DefaultClient, "http://"+s.Addr()+path)
		code, body := get(c, s.MTLSBase()+path)
		if strings.HasSuffix(path, "openid-configuration") && code != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", path, code)
		}
		if code != plainCode || body != plainBody {
			t.Errorf("GET %s over mTLS = %d %q, want %d %q as on the plain listener", path, code, body, plainCode, plainBody)
		}
	}
}

func TestMTLSOptionsRefused(t *testing.T) {
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(bad, []byte("not PEM"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, opts := range map[string]Options{
		"listener without a certificate": {MTLSListen: "127.0.0.1:0"},
		"client CA file missing":         {MTLSClientCAFile: filepath.Join(dir, "missing.pem")},
		"client CA file not PEM":         {MTLSClientCAFile: bad},
	} {
		opts.Store, opts.Vault, opts.Logger = st, v, slog.New(slog.DiscardHandler)
		if _, err := New(context.Background(), opts); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	s, err := New(context.Background(), Options{Store: st, Vault: v, Listen: "127.0.0.1:0", MTLSListen: "127.0.0.1:0",
		MTLSCertFile: bad, MTLSKeyFile: bad, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err == nil || errors.Is(err, net.ErrClosed) {
		s.closeListeners()
		t.Errorf("Listen with an unreadable certificate = %v, want an error", err)
	}
	if s.MTLSBase() != "" {
		t.Errorf("MTLSBase = %q without a listener", s.MTLSBase())
	}
}
