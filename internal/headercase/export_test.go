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

// Recorded reports whether the names come from what the client sent (or
// from HTTP/2, whose names are all lower case) rather than falling back to
// canonical names.
func (s Sent) Recorded() bool { return s.mode != modeCanonical }
