package server

import (
	"crypto/tls"
	"fmt"
	"strings"
	"sync"
)

// certCache holds the parsed certificates of custom domains (the pools' and
// the APIs'), loaded on first use and dropped when the catalog reloads (so
// a renewed certificate file is picked up after the config is applied again
// or a domain changes).
type certCache struct {
	mu    sync.Mutex
	certs map[string]*tls.Certificate // by cert file + key file
}

func (c *certCache) reset() {
	c.mu.Lock()
	c.certs = nil
	c.mu.Unlock()
}

func (c *certCache) get(certFile, keyFile string) (*tls.Certificate, error) {
	k := certFile + "\x00" + keyFile
	c.mu.Lock()
	defer c.mu.Unlock()
	if cert, ok := c.certs[k]; ok {
		return cert, nil
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	if c.certs == nil {
		c.certs = map[string]*tls.Certificate{}
	}
	c.certs[k] = &cert
	return &cert, nil
}

// apiCertFiles returns the certificate and key files of an API's custom
// domain name, if host is one that has a certificate.
func (s *Server) apiCertFiles(host string) (certFile, keyFile string, ok bool) {
	f, ok := s.dep.Load().certFiles[strings.ToLower(strings.TrimSuffix(host, "."))]
	return f[0], f[1], ok
}

// getCertificate picks the certificate of the custom domain named by SNI: a
// user pool's domain or an API's custom domain name.
func (s *Server) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := hello.ServerName
	certFile, keyFile, ok := s.apiCertFiles(name)
	if !ok {
		d, found := s.catalog.DomainForHost(name)
		if !found || !d.Custom || d.CertFile == "" {
			return nil, fmt.Errorf("no certificate for %q", name)
		}
		certFile, keyFile = d.CertFile, d.KeyFile
	}
	cert, err := s.certs.get(certFile, keyFile)
	if err != nil {
		s.opts.Logger.Error("load certificate", "domain", name, "err", err)
		return nil, fmt.Errorf("no certificate for %q", name)
	}
	return cert, nil
}
