// Package headercase recovers the header names of an HTTP request as the
// client spelt them, which net/http throws away: its server canonicalizes
// every name (content-type becomes Content-Type) before a handler runs.
// API Gateway passes a Lambda proxy integration the names in the caller's
// casing, and handlers written for it read event.headers['content-type'].
//
// HTTP/1.x: Listen (and ListenTLS for a connection that did not negotiate
// h2) wraps each connection in one whose Read hands the bytes to net/http
// unchanged while a small incremental parser follows the HTTP/1.1 framing
// (RFC 9112: request line, header fields, a body delimited by
// Content-Length or the chunked transfer coding with its extensions and
// trailer section, then the next request of a persistent or pipelined
// connection). For each request it keeps the request line and the field
// names, never values or bodies, in a per-connection FIFO. net/http serves
// the requests of a connection one after the other, so Handler, wrapping
// the server's handler, takes the head of every request in order and
// stores it in the request's context, where Names finds it.
//
// The parser only records what it is sure net/http reads the same way. It
// follows net/http's own rules where they differ from the RFC (the CR/LF
// it skips after a POST, how it limits chunk lines and trailers), and on
// anything else it does not follow exactly (obsolete line folding, a bare
// LF, a transfer coding net/http refuses, an Upgrade or CONNECT, the h2c
// preface "PRI * HTTP/2.0") it stops recording for the rest of the
// connection: later requests get canonical names, never another request's.
// A head is matched to its request by method and request-target, so a
// request net/http answers without calling the handler (OPTIONS *) cannot
// shift the ones after it.
//
// HTTP/2: names are lower case by protocol (RFC 9113 §8.2.2), so Names
// lowercases the canonical name and nothing is recorded. ListenTLS does the
// TLS handshake itself, off the accept loop, and returns the *tls.Conn
// as is when ALPN chose h2 so that net/http serves HTTP/2 natively; an
// HTTP/1.1 connection is wrapped, and the wrapper's ConnectionState makes
// net/http fill Request.TLS as it does for a *tls.Conn.
//
// It imports only the standard library and nothing of this module.
package headercase
