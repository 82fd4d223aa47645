package headercase

import (
	"context"
	"crypto/tls"
	"io"
	"net"
)

// Listen returns a listener whose connections record the header names of
// the HTTP/1.x requests read from them. Serve it with an http.Server whose
// ConnContext is ConnContext and whose Handler is wrapped by Handler.
func Listen(ln net.Listener) net.Listener { return listener{ln} }

type listener struct{ net.Listener }

func (l listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &conn{Conn: c}, nil
}

// conn passes the bytes it reads through unchanged and shows them to its
// recorder. It is not a *tls.Conn, so net/http serves it as HTTP/1.x (or
// h2c with prior knowledge, which the recorder steps aside for).
type conn struct {
	net.Conn
	rec recorder
}

func (c *conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.rec.feed(p[:n])
	}
	return n, err
}

// CloseWrite half-closes the connection, as net/http does before closing
// one on which the client may still be sending (it asserts this method).
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ReadFrom keeps the sendfile/splice path net/http takes for a bare TCP
// connection (it asserts io.ReaderFrom on the connection).
func (c *conn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(writerOnly{c.Conn}, r)
}

// writerOnly hides every method but Write, so that io.Copy does not call
// ReadFrom again.
type writerOnly struct{ io.Writer }

// tlsConn is a recording conn over a TLS connection that negotiated
// HTTP/1.1. net/http fills Request.TLS from ConnectionState when the
// connection is not a *tls.Conn (its connectionStater check).
type tlsConn struct {
	*conn
	tls *tls.Conn
}

func (c *tlsConn) ConnectionState() tls.ConnectionState { return c.tls.ConnectionState() }

type connKey struct{}

// ConnContext is for http.Server.ConnContext: it keeps the connection's
// recorder in the context of its requests, where Handler finds it. A
// connection Listen or ListenTLS did not wrap (HTTP/2 over TLS) is left
// alone.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	switch c := c.(type) {
	case *conn:
		return context.WithValue(ctx, connKey{}, &c.rec)
	case *tlsConn:
		return context.WithValue(ctx, connKey{}, &c.rec)
	}
	return ctx
}
