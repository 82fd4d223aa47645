package server

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/tollgate/tollgate/internal/headercase"
	"github.com/tollgate/tollgate/internal/mtls"
)

// mtlsState is the mutual-TLS side of the server (RFC 8705): the listener
// that asks clients for a certificate, the client CAs tls_client_auth
// clients chain to, and where request certificates are read from.
type mtlsState struct {
	ln        net.Listener
	clientCAs *x509.CertPool
	source    *mtls.Source
}

// initMTLS reads the mTLS options: the client CA file, and the trusted
// proxies' certificate header. It runs in New, before the token endpoint
// and the gateway that use them are built.
func (s *Server) initMTLS() error {
	o := s.opts
	if o.MTLSListen != "" && (o.MTLSCertFile == "" || o.MTLSKeyFile == "") {
		return errors.New("server: the mTLS listener needs a certificate and its key")
	}
	if o.ClientCertHeader != "" && len(o.TrustedProxies) == 0 {
		s.opts.Logger.Warn("the client certificate header is only read from trusted proxies, and none are set: it is never read",
			"header", o.ClientCertHeader)
	}
	s.mtls.source = &mtls.Source{TrustedProxies: o.TrustedProxies, Header: o.ClientCertHeader}
	if o.MTLSClientCAFile == "" {
		return nil
	}
	pemBytes, err := os.ReadFile(o.MTLSClientCAFile)
	if err != nil {
		return fmt.Errorf("server: client CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		return fmt.Errorf("server: client CA file %s holds no PEM certificate", o.MTLSClientCAFile)
	}
	s.mtls.clientCAs = pool
	return nil
}

// listenMTLS binds the mTLS listener, if one is configured. It serves the
// main handler, as the TLS listener does, over TLS 1.2 or later with
// HTTP/1.1 and HTTP/2, and asks every client for a certificate without
// verifying it or refusing a handshake without one: which certificate is
// acceptable depends on the client (tls_client_auth or
// self_signed_tls_client_auth, RFC 8705 §2) or on the token (§3), which the
// token endpoint and the gateway check. The TLS stack still checks that a
// client holds the key of the certificate it sends (its CertificateVerify).
func (s *Server) listenMTLS() error {
	if s.opts.MTLSListen == "" {
		return nil
	}
	certFile, keyFile := s.opts.MTLSCertFile, s.opts.MTLSKeyFile
	if _, err := s.certs.get(certFile, keyFile); err != nil {
		return fmt.Errorf("mTLS listener certificate: %w", err)
	}
	ln, err := net.Listen("tcp", s.opts.MTLSListen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.opts.MTLSListen, err)
	}
	s.mtls.ln = headercase.ListenTLS(ln, &tls.Config{
		MinVersion: tls.VersionTLS12,
		ClientAuth: tls.RequestClientCert,
		// Loaded through the certificate cache, so that a renewed file is
		// picked up when the catalog reloads.
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			cert, err := s.certs.get(certFile, keyFile)
			if err != nil {
				s.opts.Logger.Error("load the mTLS listener's certificate", "err", err)
				return nil, errors.New("no certificate")
			}
			return cert, nil
		},
	})
	return nil
}

// ClientCertSource returns where the token endpoint and the gateway read a
// request's client certificate: its TLS connection, or the header of a
// trusted proxy (Options.TrustedProxies, Options.ClientCertHeader).
func (s *Server) ClientCertSource() *mtls.Source { return s.mtls.source }

// MTLSClientCAs returns the CAs tls_client_auth clients' certificates must
// chain to (Options.MTLSClientCAFile), or nil if none are configured.
func (s *Server) MTLSClientCAs() *x509.CertPool { return s.mtls.clientCAs }

// MTLSAddr returns the mTLS listener's address, or "" if there is none.
func (s *Server) MTLSAddr() string {
	if s.mtls.ln == nil {
		return ""
	}
	return s.mtls.ln.Addr().String()
}

// MTLSBase returns "https://host:port" of the mTLS listener once bound
// (the base of the mtls_endpoint_aliases of RFC 8705 §5), or "" if there
// is none.
func (s *Server) MTLSBase() string {
	if s.mtls.ln == nil {
		return ""
	}
	return "https://" + reachableAddr(s.mtls.ln.Addr())
}
