package gateway

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate"
)

// CORS response headers (the Fetch standard's CORS protocol; the
// CorsConfiguration fields of an HTTP API, apigw-beyond §4.5).
const (
	headerOrigin               = "Origin"
	headerRequestMethod        = "Access-Control-Request-Method"
	headerRequestHeaders       = "Access-Control-Request-Headers"
	headerAllowOrigin          = "Access-Control-Allow-Origin"
	headerAllowCredentials     = "Access-Control-Allow-Credentials"
	headerExposeHeaders        = "Access-Control-Expose-Headers"
	headerAllowMethods         = "Access-Control-Allow-Methods"
	headerAllowHeaders         = "Access-Control-Allow-Headers"
	headerMaxAge               = "Access-Control-Max-Age"
	accessControlPrefix        = "Access-Control-"
	corsWildcard               = "*"
	preflightStatus            = http.StatusNoContent
	maxRequestedHeadersChecked = 64 // Access-Control-Request-Headers entries read; more refuses the preflight
)

// cors is an HTTP API's CORS configuration, compiled once when the
// gateway is built: what a request's Origin, method and headers are
// checked against, and the header values of the answers, shared by every
// request (header values are never modified in place).
//
// API Gateway answers a preflight request (OPTIONS with Origin and
// Access-Control-Request-Method) of an API with a CORS configuration
// itself, before authorizers, unless an OPTIONS route or only the $default
// route takes it (routesPreflight), and adds the configured headers
// to every other answer of the API, ignoring its integrations' own
// Access-Control-* headers (http-api-cors.md; apigw-beyond §4.5).
type cors struct {
	anyOrigin bool
	origins   map[string]bool // exact origins, lowercase
	anyMethod bool
	methods   map[string]bool // as configured, uppercase
	anyHeader bool
	headers   map[string]bool // lowercase

	// The answers' header values; nil for a header not sent.
	allowOrigin  []string // "*" for any origin without credentials; else the Origin is echoed
	credentials  []string
	expose       []string
	allowMethods []string
	allowHeaders []string
	maxAge       []string
}

// newCORS compiles c; nil for nil.
func newCORS(c *tollgate.CORSConfiguration) *cors {
	if c == nil {
		return nil
	}
	x := &cors{origins: map[string]bool{}, methods: map[string]bool{}, headers: map[string]bool{}}
	for _, o := range c.AllowOrigins {
		if o == corsWildcard {
			x.anyOrigin = true
			continue
		}
		x.origins[strings.ToLower(strings.TrimSuffix(o, "/"))] = true
	}
	for _, m := range c.AllowMethods {
		if m == corsWildcard {
			x.anyMethod = true
			continue
		}
		x.methods[strings.ToUpper(m)] = true
	}
	for _, h := range c.AllowHeaders {
		if h == corsWildcard {
			x.anyHeader = true
			continue
		}
		x.headers[strings.ToLower(h)] = true
	}
	// The Fetch standard takes "*" literally in a credentialed answer, so
	// with credentials the origin, method and headers are echoed instead.
	if x.anyOrigin && !c.AllowCredentials {
		x.allowOrigin = []string{corsWildcard}
	}
	if c.AllowCredentials {
		x.credentials = []string{"true"}
	}
	if len(c.ExposeHeaders) > 0 {
		x.expose = []string{strings.Join(c.ExposeHeaders, ",")}
	}
	if len(c.AllowMethods) > 0 && (!x.anyMethod || !c.AllowCredentials) {
		x.allowMethods = []string{strings.Join(c.AllowMethods, ",")}
		if x.anyMethod {
			x.allowMethods = []string{corsWildcard}
		}
	}
	if len(c.AllowHeaders) > 0 && (!x.anyHeader || !c.AllowCredentials) {
		x.allowHeaders = []string{strings.Join(c.AllowHeaders, ",")}
		if x.anyHeader {
			x.allowHeaders = []string{corsWildcard}
		}
	}
	if c.MaxAge != nil {
		x.maxAge = []string{strconv.Itoa(*c.MaxAge)}
	}
	return x
}

// allowed reports whether a request's Origin is allowed. An Origin of
// several values, or none, is not.
func (c *cors) allowed(origin []string) bool {
	if len(origin) != 1 || origin[0] == "" {
		return false
	}
	if c.anyOrigin {
		return true
	}
	o := origin[0]
	if c.origins[o] {
		return true
	}
	// Browsers send scheme and host in lowercase; a client may not.
	return hasUpper(o) && c.origins[strings.ToLower(o)]
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// isPreflight reports whether r is a CORS preflight request: OPTIONS with
// Origin and Access-Control-Request-Method.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && len(r.Header[headerOrigin]) > 0 && len(r.Header[headerRequestMethod]) > 0
}

// preflight answers a preflight request: 204 No Content, with the
// configured Access-Control-Allow-* headers when its origin, method and
// headers are allowed, and none otherwise, which the browser takes for a
// refusal. The status is unverified (apigw-beyond §4.5: "Preflight status
// U (204 expected)"); 204 is what an API Gateway v2 emulator's end-to-end
// suite asserts for a preflight ("the invoke response status will be
// 204", code search: "API Gateway V2 CORS Preflight") and what the Fetch
// standard's examples use; a browser accepts any 2xx.
func (c *cors) preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	origin := r.Header[headerOrigin]
	method := r.Header[headerRequestMethod]
	if c.allowed(origin) && len(method) == 1 && (c.anyMethod || c.methods[method[0]]) && c.headersAllowed(r.Header[headerRequestHeaders]) {
		c.setOrigin(h, origin[0])
		setIf(h, headerAllowMethods, c.allowMethods)
		setIf(h, headerAllowHeaders, c.allowHeaders)
		if c.credentials != nil {
			// Credentialed: "*" is literal, so what was asked is echoed.
			if c.anyMethod {
				h[headerAllowMethods] = method
			}
			if requested := r.Header[headerRequestHeaders]; c.anyHeader && len(requested) > 0 {
				h[headerAllowHeaders] = []string{strings.Join(requested, ",")}
			}
		}
		setIf(h, headerMaxAge, c.maxAge)
	}
	h[headerContentLength] = zeroLength
	w.WriteHeader(preflightStatus)
}

var zeroLength = []string{"0"}

// headersAllowed reports whether every header a preflight asks for
// (Access-Control-Request-Headers: comma-separated names, in one or more
// fields) is allowed.
func (c *cors) headersAllowed(requested []string) bool {
	if c.anyHeader {
		return true
	}
	n := 0
	for _, v := range requested {
		for name := range strings.SplitSeq(v, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if n++; n > maxRequestedHeadersChecked {
				return false
			}
			if !c.headers[name] && !c.headers[strings.ToLower(name)] {
				return false
			}
		}
	}
	return true
}

// setOrigin sets Access-Control-Allow-Origin (and -Credentials) for an
// allowed origin.
func (c *cors) setOrigin(h http.Header, origin string) {
	if c.allowOrigin != nil {
		h[headerAllowOrigin] = c.allowOrigin
	} else {
		h[headerAllowOrigin] = []string{origin}
	}
	setIf(h, headerAllowCredentials, c.credentials)
}

// answer readies the headers of an answer other than a preflight's, just
// before they go out: it drops every Access-Control-* header the
// integration set, which API Gateway ignores, and, when the request's
// origin is allowed (origin non-empty), sets Access-Control-Allow-Origin,
// -Allow-Credentials and -Expose-Headers.
func (c *cors) answer(h http.Header, origin string) {
	for k := range h {
		if len(k) >= len(accessControlPrefix) && strings.EqualFold(k[:len(accessControlPrefix)], accessControlPrefix) {
			delete(h, k)
		}
	}
	if origin == "" {
		return
	}
	c.setOrigin(h, origin)
	setIf(h, headerExposeHeaders, c.expose)
}

func setIf(h http.Header, k string, v []string) {
	if v != nil {
		h[k] = v
	}
}
