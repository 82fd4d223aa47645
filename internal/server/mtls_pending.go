package server

import (
	"crypto/x509"

	"github.com/tollgate/tollgate/internal/mtls"
)

// MTLSBase returns the scheme and host of the mTLS listener's endpoints,
// "" while the server has no mTLS listener.
func (s *Server) MTLSBase() string { return "" }

// ClientCertSource returns where requests' client certificates come
// from, nil while the server has no mTLS listener nor trusted proxy.
func (s *Server) ClientCertSource() *mtls.Source { return nil }

// MTLSClientCAs returns the trust anchors of tls_client_auth clients, nil
// while none are configured.
func (s *Server) MTLSClientCAs() *x509.CertPool { return nil }
