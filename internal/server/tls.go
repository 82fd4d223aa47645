package server

import (
	"crypto/tls"
	"fmt"
	"sync"
)

// certCache holds the parsed certificates of custom domains, loaded on first
// use and dropped when the catalog reloads (so a renewed certificate file is
// picked up after the config is applied again or a domain changes).
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

// getCertificate picks the certificate of the custom domain named by SNI.
func (s *Server) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	d, ok := s.catalog.DomainForHost(hello.ServerName)
	if !ok || !d.Custom || d.CertFile == "" {
		return nil, fmt.Errorf("no certificate for %q", hello.ServerName)
	}
	cert, err := s.certs.get(d.CertFile, d.KeyFile)
	if err != nil {
		s.opts.Logger.Error("load certificate", "domain", d.Domain, "err", err)
		return nil, fmt.Errorf("no certificate for %q", hello.ServerName)
	}
	return cert, nil
}
