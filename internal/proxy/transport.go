package proxy

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httputil"
	"sync"
	"time"
)

// Transport tuning. Upstreams are few and hot: keep many idle connections
// to each so that a burst does not pay for new TCP (and TLS) handshakes.
const (
	maxIdleConns        = 1024
	maxIdleConnsPerHost = 256
	idleConnTimeout     = 90 * time.Second
	dialTimeout         = 10 * time.Second
	keepAlive           = 30 * time.Second
	tlsHandshakeTimeout = 10 * time.Second
)

// NewTransport returns the transport Tollgate shares among all HTTP_PROXY
// integrations:
//
//   - up to 256 idle keep-alive connections per upstream host (1024 in all),
//     closed after 90 s unused;
//   - dials bounded by 10 s (and by the integration's timeout, which the
//     request's context carries), TCP keep-alive every 30 s, TLS handshakes
//     bounded by 10 s, TLS 1.2 at least;
//   - HTTP/1.1 only (ForceAttemptHTTP2 false): upstreams are plain HTTP/1
//     services, and one HTTP/2 connection per host would serialize load on
//     one socket;
//   - no ResponseHeaderTimeout: each integration bounds the whole exchange
//     with its own timeout instead;
//   - no transparent compression (DisableCompression): a proxy passes
//     Accept-Encoding and Content-Encoding through untouched;
//   - no proxy from the environment (HTTP_PROXY): upstreams are reached
//     directly.
func NewTransport() *http.Transport {
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: keepAlive}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     false,
		MaxIdleConns:          maxIdleConns,
		MaxIdleConnsPerHost:   maxIdleConnsPerHost,
		IdleConnTimeout:       idleConnTimeout,
		TLSHandshakeTimeout:   tlsHandshakeTimeout,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		ExpectContinueTimeout: 1 * time.Second,
		DisableCompression:    true,
	}
}

// BufferSize is the size of the buffers BufferPool hands out: the size
// io.Copy uses, and what httputil.ReverseProxy allocates per request when
// it has no pool.
const BufferSize = 32 << 10

// BufferPool is an httputil.BufferPool of BufferSize buffers over a
// sync.Pool. It stores array pointers, so Get and Put do not allocate.
// The zero value is ready to use.
type BufferPool struct {
	pool sync.Pool
}

var _ httputil.BufferPool = (*BufferPool)(nil)

// NewBufferPool returns an empty pool.
func NewBufferPool() *BufferPool { return &BufferPool{} }

// Get returns a buffer of BufferSize bytes.
func (p *BufferPool) Get() []byte {
	if b, ok := p.pool.Get().(*[BufferSize]byte); ok {
		return b[:]
	}
	return new([BufferSize]byte)[:]
}

// Put returns a buffer obtained from Get. Buffers of another capacity are
// dropped.
func (p *BufferPool) Put(b []byte) {
	if cap(b) != BufferSize {
		return
	}
	p.pool.Put((*[BufferSize]byte)(b[:BufferSize]))
}
