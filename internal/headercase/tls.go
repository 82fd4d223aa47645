package headercase

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// HandshakeTimeout bounds a TLS handshake on a ListenTLS listener, as
// http.Server.TLSHandshakeTimeout would if net/http did the handshake.
const HandshakeTimeout = 10 * time.Second

// ListenTLS returns a TLS listener like tls.NewListener(ln, cfg) whose
// HTTP/1.1 connections record header names as Listen's do. net/http
// recognizes a TLS connection by its type (*tls.Conn) for HTTP/2 and
// Request.TLS, so a wrapped one would lose both; instead the listener
// completes each handshake itself, in a goroutine of its own so a slow
// client never holds up Accept, and returns the *tls.Conn unwrapped when
// ALPN chose h2 (names are lower case there anyway). An HTTP/1.1
// connection is wrapped in a recorder that reports the TLS state to
// net/http, which sets Request.TLS from it.
//
// cfg is cloned; without NextProtos it offers "h2" and "http/1.1". Close
// closes ln, ends the handshakes in progress and returns once every
// goroutine of the listener has ended.
func ListenTLS(ln net.Listener, cfg *tls.Config) net.Listener {
	return listenTLS(ln, cfg, HandshakeTimeout)
}

func listenTLS(ln net.Listener, cfg *tls.Config, timeout time.Duration) *tlsListener {
	if cfg = cfg.Clone(); cfg == nil {
		cfg = &tls.Config{} // fails every handshake for want of a certificate, as tls.NewListener would
	}
	if len(cfg.NextProtos) == 0 {
		cfg.NextProtos = []string{"h2", "http/1.1"}
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &tlsListener{
		ln: ln, cfg: cfg, timeout: timeout, ctx: ctx, cancel: cancel,
		conns: make(chan net.Conn), errs: make(chan error), acceptDone: make(chan struct{}),
	}
	l.wg.Add(1)
	go l.acceptLoop()
	return l
}

type tlsListener struct {
	ln      net.Listener
	cfg     *tls.Config
	timeout time.Duration

	ctx    context.Context // canceled by Close: ends handshakes and hand-overs
	cancel context.CancelFunc
	wg     sync.WaitGroup // the accept loop and the handshakes

	conns      chan net.Conn // handshaken connections, to Accept
	errs       chan error    // temporary accept errors, to Accept
	acceptDone chan struct{} // closed when the accept loop has ended, after acceptErr is set
	acceptErr  error

	closeOnce sync.Once
	closeErr  error
}

// acceptLoop accepts connections and starts their handshakes until ln
// fails for good. Temporary errors go to Accept, whose caller backs off
// (http.Server does) before this loop can hand over the next.
func (l *tlsListener) acceptLoop() {
	defer l.wg.Done()
	for {
		c, err := l.ln.Accept()
		if err == nil {
			l.wg.Add(1)
			go l.handshake(c)
			continue
		}
		if isTemporary(err) {
			select {
			case l.errs <- err:
				continue
			case <-l.ctx.Done():
			}
		}
		l.acceptErr = err
		close(l.acceptDone)
		return
	}
}

// isTemporary reports the errors http.Server retries Accept after (EMFILE
// and the like report Temporary).
func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// handshake completes the TLS handshake of c and hands the connection to
// Accept.
func (l *tlsListener) handshake(c net.Conn) {
	defer l.wg.Done()
	tc := tls.Server(c, l.cfg)
	ctx, cancel := context.WithTimeout(l.ctx, l.timeout)
	err := tc.HandshakeContext(ctx) // closes c when ctx ends first
	cancel()
	if err != nil {
		l.refusePlainHTTP(err)
		c.Close()
		return
	}
	var out net.Conn = tc
	if tc.ConnectionState().NegotiatedProtocol != "h2" {
		out = &tlsConn{conn: &conn{Conn: tc}, tls: tc}
	}
	select {
	case l.conns <- out:
	case <-l.ctx.Done():
		c.Close()
	}
}

// refusePlainHTTP answers a client that spoke plain HTTP to the TLS port
// as http.Server does when it runs the handshake.
func (l *tlsListener) refusePlainHTTP(err error) {
	var re tls.RecordHeaderError
	if !errors.As(err, &re) || re.Conn == nil || !looksLikeHTTP(re.RecordHeader) {
		return
	}
	// Best effort: the connection is closed after this either way.
	_ = re.Conn.SetWriteDeadline(time.Now().Add(l.timeout))
	_, _ = io.WriteString(re.Conn, "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n")
}

// looksLikeHTTP reports whether a TLS record header is the start of an
// HTTP/1.x request (net/http's tlsRecordHeaderLooksLikeHTTP).
func looksLikeHTTP(hdr [5]byte) bool {
	switch string(hdr[:]) {
	case "GET /", "HEAD ", "POST ", "PUT /", "OPTIO":
		return true
	}
	return false
}

func (l *tlsListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case err := <-l.errs:
		return nil, err
	case <-l.acceptDone:
		return nil, l.acceptErr
	}
}

// Close closes the listener and the connections still in their handshake,
// and waits for the listener's goroutines to end. Connections already
// returned by Accept are the caller's.
func (l *tlsListener) Close() error {
	l.closeOnce.Do(func() {
		l.cancel()
		l.closeErr = l.ln.Close()
		l.wg.Wait()
	})
	return l.closeErr
}

func (l *tlsListener) Addr() net.Addr { return l.ln.Addr() }
