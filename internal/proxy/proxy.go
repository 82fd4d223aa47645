package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/headerpolicy"
)

// Options configure a Proxy.
type Options struct {
	// Transport carries the requests of every integration; nil means
	// NewTransport(). Share one: its idle connections are the pool.
	Transport *http.Transport
	// BufferPool lends the buffers that copy bodies; nil means
	// NewBufferPool().
	BufferPool httputil.BufferPool
	// Logger receives upstream failures (warn), configuration mistakes
	// found at request time (error) and clients that went away (debug);
	// nil means slog.Default().
	Logger *slog.Logger
}

// Proxy builds the handlers of HTTP_PROXY integrations. All handlers of a
// Proxy share its transport and buffer pool. It is safe for concurrent use.
type Proxy struct {
	transport *http.Transport
	pool      httputil.BufferPool
	log       *slog.Logger
}

// New returns a Proxy.
func New(opts Options) *Proxy {
	p := &Proxy{transport: opts.Transport, pool: opts.BufferPool, log: opts.Logger}
	if p.transport == nil {
		p.transport = NewTransport()
	}
	if p.pool == nil {
		p.pool = NewBufferPool()
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	return p
}

// CloseIdleConnections closes the transport's idle upstream connections,
// for shutdown.
func (p *Proxy) CloseIdleConnections() { p.transport.CloseIdleConnections() }

var _ gateway.Integrations = (*Proxy)(nil)

// Integration returns the HTTP_PROXY integration of route on api, for the
// gateway: a Proxy is the gateway.Integrations of HTTP_PROXY routes. All
// that differs between a REST API's route and an HTTP API's is decided
// here, once per route; a request pays for none of it. The URI is parsed
// here too; an unusable URI is an error: not http or https, no host,
// credentials or a fragment, a placeholder outside the path or in an
// unknown syntax ("{proxy+}", "${stageVariables.x}", unbalanced braces),
// or a "." or ".." segment.
//
// For each request the handler forwards the method, the body, the headers
// (less hop-by-hop ones and the names the package reserves) and the query
// string (after the URI's own query, if it has one) to the URI with its
// placeholders replaced by the invocation's path parameters. The Host
// header is the upstream's. It sets X-Forwarded-For, X-Forwarded-Host and
// X-Forwarded-Proto afresh (a client's are dropped) and the X-Tollgate-*
// headers from the invocation (the gateway's decision).
//
// On an HTTP API (api.IsHTTP()) the route's integration also decides:
//
//   - the method sent upstream: the integration's Method (IntegrationMethod),
//     or the request's when it is "" or "ANY";
//   - the path of the $default route: the URI's path (without its trailing
//     slash) followed by the request's whole path as sent, a named stage's
//     segment included (Invocation.RawPath), so that a URI without
//     placeholders is the only kind a $default route accepts;
//   - the headers an HTTP API adds: Forwarded (RFC 7239) and Via, and no
//     X-Amzn-Apigateway-Api-Id; the upstream's response headers are not
//     remapped to x-amzn-Remapped-*;
//   - the timeout: tollgate.DefaultHTTPIntegrationTimeout (30 s) when the
//     integration's is zero.
//
// The package documentation gives the sources of these rules.
//
// The upstream's answer, 5xx included, is passed through as it is:
// status, headers and a streamed body (flushed at once for
// text/event-stream and bodies of unknown length). The integration's
// timeout (tollgate.DefaultIntegrationTimeout when zero on a REST API)
// bounds the whole exchange, body included: if it runs out before the
// response headers, the client gets the API's integration timeout answer
// (REST 504, HTTP API 503, written by Invocation.WriteResponse); after
// them, the connection is aborted, as nothing else can be said. A client
// that goes away is not answered either. Aborting is
// panic(http.ErrAbortHandler), which net/http handles quietly, as
// ReverseProxy itself does: middleware that recovers panics must re-panic
// that one. Protocol upgrades (WebSocket) are not proxied, as API
// Gateway's REST and HTTP APIs do not proxy them: the upstream sees a
// plain request.
func (p *Proxy) Integration(api *tollgate.RestAPI, route *tollgate.Route) (gateway.Integration, error) {
	in := route.Integration
	if in.Type != tollgate.IntegrationHTTPProxy {
		return nil, fmt.Errorf("proxy: integration type %q is not %s", in.Type, tollgate.IntegrationHTTPProxy)
	}
	t, err := parseTemplate(in.URI)
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	if in.Timeout < 0 {
		return nil, fmt.Errorf("proxy: integration timeout %s is negative", in.Timeout)
	}
	h := &handler{p: p, tmpl: t, timeout: in.Timeout, upstream: t.scheme + "://" + t.host}
	if api != nil && api.IsHTTP() {
		h.forHTTPAPI(route)
	}
	if h.timeout == 0 {
		h.timeout = tollgate.DefaultIntegrationTimeout
	}
	h.rp = &httputil.ReverseProxy{
		Rewrite:      h.rewrite,
		Transport:    p.transport,
		BufferPool:   p.pool,
		ErrorHandler: h.fail,
		// ReverseProxy logs only copy errors here (fail handles the
		// rest); ServeHTTP logs the aborted exchange with its cause.
		ErrorLog: slog.NewLogLogger(p.log.Handler(), slog.LevelDebug),
	}
	if !h.http {
		h.rp.ModifyResponse = remapResponse
	}
	return h, nil
}

// forHTTPAPI sets what an HTTP API's route changes in h: the method, the
// $default route's full path, the headers and the default timeout. The
// route is one apigw.Check accepted (gateway.New runs it before it builds
// integrations): its method is an HTTP method, and a $default route's URI
// has no placeholders.
func (h *handler) forHTTPAPI(route *tollgate.Route) {
	h.http = true
	if m := route.Integration.Method; m != "" && m != "ANY" {
		h.method = m
	}
	if route.IsDefault() {
		h.fullPath = true
		h.prefix = strings.TrimSuffix(h.tmpl.static, "/")
	}
	if h.timeout == 0 {
		h.timeout = tollgate.DefaultHTTPIntegrationTimeout
	}
}

// handler serves one integration.
type handler struct {
	p        *Proxy
	tmpl     *template
	timeout  time.Duration
	upstream string // scheme://host, for logs (never the path or query)
	rp       *httputil.ReverseProxy

	// http is set for an HTTP API's route: Forwarded and Via are sent,
	// X-Amzn-Apigateway-Api-Id is not, the answer's headers are not
	// remapped.
	http bool
	// method is the method sent upstream; "" sends the request's.
	method string
	// fullPath is set for an HTTP API's $default route: the upstream path
	// is prefix, the URI's path without its trailing slash, followed by
	// the request's path as sent (Invocation.RawPath).
	fullPath bool
	prefix   string
}

// errTimedOut is the cause of a call's context when the integration's
// timeout ran out.
var errTimedOut = errors.New("integration timeout")

// call is one proxied request. It is the context of the request handed to
// the ReverseProxy, so that Rewrite and the error handler find it without
// another allocation.
type call struct {
	context.Context // the integration's deadline, under the client's context
	in              *http.Request
	inv             *gateway.Invocation
	path            string // the upstream path, percent-encoded
	// gone is set by fail when the client went away; ServeHTTP then
	// aborts the response.
	gone bool
	// bodyErr is the first error reading the client's body. The
	// transport reads the body on its own goroutine, which may outlive
	// RoundTrip, hence the atomic.
	bodyErr atomic.Pointer[error]
}

type callKey struct{}

func (c *call) Value(key any) any {
	if key == (callKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// body records why reading the client's body failed, so that a broken
// upload or an oversized body is not blamed on the upstream.
type body struct {
	io.ReadCloser
	c *call
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		b.c.bodyErr.CompareAndSwap(nil, &err)
	}
	return n, err
}

// Serve proxies r: gateway.Integration.
func (h *handler) Serve(w http.ResponseWriter, r *http.Request, inv *gateway.Invocation) {
	path, err := h.path(inv)
	if err != nil {
		if errors.Is(err, errDotSegment) {
			h.p.log.Info("proxy: refused a path with a dot segment",
				"request_id", inv.RequestID, "upstream", h.upstream)
			inv.WriteResponse(w, gateway.ResponseMissingAuthenticationToken)
			return
		}
		// The route and its URI disagree: a configuration mistake.
		h.p.log.Error("proxy: cannot build the upstream URL",
			"request_id", inv.RequestID, "upstream", h.upstream, "error", err)
		inv.WriteResponse(w, gateway.ResponseIntegrationFailure)
		return
	}
	ctx, cancel := context.WithTimeoutCause(r.Context(), h.timeout, errTimedOut)
	defer cancel()
	c := &call{Context: ctx, in: r, inv: inv, path: path}
	out := r.WithContext(c)
	if r.Body != nil && r.Body != http.NoBody {
		out.Body = &body{ReadCloser: r.Body, c: c}
	}
	defer func() {
		if v := recover(); v != nil {
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) && !c.gone {
				h.logAborted(c)
			}
			panic(v)
		}
	}()
	h.rp.ServeHTTP(w, out)
	if c.gone {
		// Nobody is left to answer. Returning would make net/http send
		// (and access logs record) an empty 200; abort, as ReverseProxy
		// does when the upstream fails mid-body.
		panic(http.ErrAbortHandler)
	}
}

// path returns the upstream path of inv, percent-encoded.
func (h *handler) path(inv *gateway.Invocation) (string, error) {
	if !h.fullPath {
		return h.tmpl.path(inv)
	}
	raw := inv.RawPath
	if raw == "" {
		raw = inv.Path // the same on the $default stage
	}
	return joinPath(h.prefix, raw)
}

// rewrite turns the inbound request into the upstream request. The
// ReverseProxy has already removed hop-by-hop headers and the client's
// Forwarded and X-Forwarded-{For,Host,Proto}.
func (h *handler) rewrite(pr *httputil.ProxyRequest) {
	c, _ := pr.In.Context().Value(callKey{}).(*call)
	out := pr.Out
	u := out.URL
	u.Scheme, u.Host, u.Opaque, u.User = h.tmpl.scheme, h.tmpl.host, "", nil
	u.Fragment, u.RawFragment, u.ForceQuery = "", "", false
	setPath(u, c.path)
	if q := h.tmpl.query; q != "" {
		if client := h.tmpl.withoutFixed(u.RawQuery); client == "" {
			u.RawQuery = q
		} else {
			u.RawQuery = q + "&" + client
		}
	}
	out.Host = "" // send the upstream's host
	if h.method != "" {
		out.Method = h.method
	}

	dropForged(out.Header)
	// Request trailers are not passed on (API Gateway has none): a
	// Trailer declaration would otherwise announce names, X-Tollgate-*
	// among them, that the upstream would take for the gateway's.
	out.Trailer = nil
	if _, ok := out.Header["Upgrade"]; ok {
		delete(out.Header, "Upgrade")
		delete(out.Header, "Connection")
	}
	setXForwarded(out.Header, pr.In)
	if h.http {
		setForwarded(out.Header, pr.In, c.inv)
	}
	if name := setDecision(out.Header, c.inv); name != "" {
		h.p.log.Warn("proxy: header left out: its value has control characters or bytes beyond ASCII",
			"request_id", c.inv.RequestID, "header", name)
	}
}

// remapResponse renames the upstream's Date, Server, request ids and the
// like to x-amzn-Remapped-*, as API Gateway does, so that the client sees
// one x-amzn-RequestId: the gateway's. Content-Length is copied, not
// moved: the answer is streamed with the upstream's length. The new names
// are canonical, as ReverseProxy's copy into the answer makes them anyway.
func remapResponse(res *http.Response) error {
	headerpolicy.RemapResponseCanonical(res.Header)
	return nil
}

// withoutFixed returns a client's raw query without the parameters whose
// names the URI's query fixes: an upstream that takes the last value of a
// parameter would otherwise read the client's.
func (t *template) withoutFixed(raw string) string {
	if raw == "" || len(t.fixed) == 0 {
		return raw
	}
	var b strings.Builder
	for part := range strings.SplitSeq(raw, "&") {
		name, _, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil && t.fixed[n] || t.fixed[name] {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(part)
	}
	return b.String()
}

// setPath sets a URL's path from its percent-encoded form. RawPath is kept
// so that the upstream sees exactly that form: Go would otherwise
// re-escape sub-delimiters such as '!' and '*'.
func setPath(u *url.URL, raw string) {
	p := raw
	if hasPercent(raw) {
		var err error
		if p, err = url.PathUnescape(raw); err != nil {
			p = raw // expand writes only valid escapes
		}
	}
	u.Path, u.RawPath = p, raw
}

func hasPercent(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			return true
		}
	}
	return false
}

// fail is the ReverseProxy's error handler: the round trip failed before
// any response was written. out is the outbound request.
func (h *handler) fail(w http.ResponseWriter, out *http.Request, err error) {
	c, _ := out.Context().Value(callKey{}).(*call)
	if c == nil {
		// Not a request Serve prepared; cannot happen.
		h.p.log.Error("proxy: error without a call", "error", err)
		gateway.WriteResponse(w, gateway.ResponseIntegrationFailure)
		return
	}
	answer, gone := h.classify(c)
	attrs := []any{"request_id", c.inv.RequestID, "upstream", h.upstream, "error", redact(err)}
	if gone {
		h.p.log.Debug("proxy: client went away", attrs...)
		c.gone = true
		return
	}
	switch answer {
	case gateway.ResponseIntegrationTimeout:
		h.p.log.Warn("proxy: integration timed out before the response headers", append(attrs, slog.Int64("timeout_ms", h.timeout.Milliseconds()))...)
	case gateway.ResponseRequestTooLarge:
		h.p.log.Info("proxy: request body over the limit", attrs...)
	default:
		h.p.log.Warn("proxy: upstream failed", attrs...)
	}
	c.inv.WriteResponse(w, answer)
}

// classify tells why a call failed, as the gateway response the client
// gets (Invocation.WriteResponse renders it as the API's kind answers it):
// the integration's timeout ran out before the response headers
// (ResponseIntegrationTimeout: REST 504, HTTP API 503), the client's body
// went over the gateway's limit (413), or the upstream could not be
// reached, answered with something that is not HTTP, or broke off
// (ResponseIntegrationFailure: REST 502, HTTP API 500). gone means the
// client went away (or broke its upload): no one is left to answer.
func (h *handler) classify(c *call) (answer gateway.ResponseType, gone bool) {
	if errors.Is(context.Cause(c), errTimedOut) {
		return gateway.ResponseIntegrationTimeout, false
	}
	if c.in.Context().Err() != nil {
		return 0, true
	}
	if bodyErr := c.bodyErr.Load(); bodyErr != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(*bodyErr, &tooLarge) {
			return gateway.ResponseRequestTooLarge, false
		}
		return 0, true
	}
	return gateway.ResponseIntegrationFailure, false
}

// logAborted logs an exchange the ReverseProxy aborted after the response
// headers were sent.
func (h *handler) logAborted(c *call) {
	attrs := []any{"request_id", c.inv.RequestID, "upstream", h.upstream}
	switch {
	case errors.Is(context.Cause(c), errTimedOut):
		h.p.log.Warn("proxy: timeout while streaming the response; connection aborted", attrs...)
	case c.in.Context().Err() != nil:
		h.p.log.Debug("proxy: client went away while streaming the response", attrs...)
	default:
		h.p.log.Warn("proxy: upstream broke off the response; connection aborted", attrs...)
	}
}

// redact drops the URL from a transport error: its query may hold
// secrets, and the upstream is logged on its own.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
