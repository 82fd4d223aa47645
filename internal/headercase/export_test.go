package headercase

import (
	"crypto/tls"
	"net"
	"time"
)

// ListenTLSTimeout is ListenTLS with another handshake timeout, for tests.
func ListenTLSTimeout(ln net.Listener, cfg *tls.Config, timeout time.Duration) net.Listener {
	return listenTLS(ln, cfg, timeout)
}
