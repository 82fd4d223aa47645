package proxy

import (
	"encoding/base64"
	"net"
	"net/http"
	"strings"

	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/headerpolicy"
)

// Headers the proxy sends upstream with the authorizer's decision. Any
// header of the client's whose name starts with X-Tollgate- is removed
// first, so an upstream can trust them.
const (
	// HeaderClientID is the access token's client_id.
	HeaderClientID = "X-Tollgate-Client-Id"
	// HeaderScopes is the access token's scopes, space-separated as in its
	// scope claim (all of them, not only those the route asks for).
	HeaderScopes = "X-Tollgate-Scopes"
	// HeaderClaims is every claim of the access token as a JSON object of
	// strings (API Gateway's requestContext.authorizer.claims), encoded in
	// unpadded base64url (RFC 4648 §5): header-safe whatever the claims
	// hold, and decoded in one line by any language.
	HeaderClaims = "X-Tollgate-Claims"
	// HeaderRequestID is the gateway's request id, the one its access log
	// and its x-amzn-RequestId response header carry.
	HeaderRequestID = "X-Tollgate-Request-Id"
	// HeaderStage is the name of the stage the request came in on.
	HeaderStage = "X-Tollgate-Stage"
	// HeaderPrincipalID is the principalId a Lambda (TOKEN or REQUEST)
	// authorizer allowed the request with ($context.authorizer.principalId):
	// as it is when it is visible ASCII and spaces (none first or last,
	// which HTTP would trim) and does not start with PrincipalIDEncoded;
	// otherwise (non-ASCII, control characters) PrincipalIDEncoded and the
	// unpadded base64url (RFC 4648 §5) of its UTF-8 bytes.
	HeaderPrincipalID = "X-Tollgate-Principal-Id"
	// HeaderAuthorizerContext is a Lambda authorizer's context as a JSON
	// object of strings ($context.authorizer.{key}: numbers and booleans
	// stringified, null values left out), keys sorted, in unpadded
	// base64url like HeaderClaims.
	HeaderAuthorizerContext = "X-Tollgate-Authorizer-Context"
)

// PrincipalIDEncoded starts an X-Tollgate-Principal-Id that is encoded:
// "b64:" then the principalId in unpadded base64url, e.g. "b64:w6l0w6k"
// for "été". A principalId sent as it is never starts with it.
const PrincipalIDEncoded = "b64:"

// HeaderAPIID names the API to the upstream, as API Gateway's REST APIs
// do; HTTP APIs do not send it.
const HeaderAPIID = "X-Amzn-Apigateway-Api-Id"

// ViaHTTPAPI is the Via header an HTTP API adds to the request it sends
// upstream, as API Gateway's HTTP APIs write it.
const ViaHTTPAPI = "HTTP/1.1 AmazonAPIGateway"

// via and the X-Forwarded-Proto values are shared by every request:
// net/http and httputil replace header values, never modify them in place,
// and a capacity of one makes an append copy them.
var (
	via        = []string{ViaHTTPAPI}
	protoHTTP  = []string{"http"}
	protoHTTPS = []string{"https"}
)

// setXForwarded sets X-Forwarded-For (the client's address; none when it
// is unknown), X-Forwarded-Host (the Host it asked for) and
// X-Forwarded-Proto, the client's having been dropped (ReverseProxy,
// dropForged), as httputil.ProxyRequest.SetXForwarded sets them, in one
// allocation rather than three.
func setXForwarded(h http.Header, in *http.Request) {
	ip, _, err := net.SplitHostPort(in.RemoteAddr)
	v := []string{ip, in.Host}
	if err == nil {
		h["X-Forwarded-For"] = v[0:1:1]
	}
	h["X-Forwarded-Host"] = v[1:2:2]
	if in.TLS == nil {
		h["X-Forwarded-Proto"] = protoHTTP[:1:1]
	} else {
		h["X-Forwarded-Proto"] = protoHTTPS[:1:1]
	}
}

// setForwarded sets the headers an HTTP API adds to the request it sends
// upstream (proxy's package documentation gives the capture they follow):
// Forwarded, which replaces the client's (dropForged removed it), e.g.
// "for=198.51.100.7;host=\"127.0.0.1:8080\";proto=http", and Via:
// HTTP/1.1 AmazonAPIGateway, appended to the client's (RFC 9110 §7.6.3).
// The Forwarded value is held by the invocation's slot 0, which
// X-Amzn-Apigateway-Api-Id, not sent on an HTTP API, leaves free.
func setForwarded(h http.Header, in *http.Request, inv *gateway.Invocation) {
	if v, ok := h["Via"]; ok {
		h["Via"] = append(v[:len(v):len(v)], ViaHTTPAPI)
	} else {
		h["Via"] = via[:1:1]
	}
	h["Forwarded"] = inv.HeaderValue(0, forwardedValue(in))
}

// forwardedValue is the Forwarded element of in (RFC 7239 §4): the
// client's address (§6: an IPv6 address bracketed and quoted, "unknown"
// when there is none), the Host it asked for (quoted when it is not a
// token, as "host:port" is not; left out when it cannot be quoted) and the
// protocol it used.
func forwardedValue(in *http.Request) string {
	proto := "http"
	if in.TLS != nil {
		proto = "https"
	}
	node := "unknown"
	if ip, _, err := net.SplitHostPort(in.RemoteAddr); err == nil && ip != "" && validHeaderValue(ip) && !strings.ContainsAny(ip, `"\ `) {
		node = ip
		if strings.IndexByte(ip, ':') >= 0 {
			node = `"[` + ip + `]"`
		}
	}
	switch host := in.Host; {
	case host != "" && isToken(host):
		return "for=" + node + ";host=" + host + ";proto=" + proto
	case host != "" && validHeaderValue(host) && !strings.ContainsAny(host, `"\`):
		return "for=" + node + `;host="` + host + `";proto=` + proto
	default:
		return "for=" + node + ";proto=" + proto
	}
}

// isToken reports whether s is an RFC 9110 §5.6.2 token.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return s != ""
}

// dropForged removes the headers a client must not be able to set: every
// X-Tollgate-* header, the forwarding headers (X-Forwarded-*, Forwarded,
// X-Real-Ip), X-Amzn-Apigateway-Api-Id, and the same names spelt with '_'
// for '-', which CGI-style upstreams (PHP, WSGI, Rack, nginx's
// underscores_in_headers) read as the same variable. The proxy then sets
// the forwarding headers itself, and the API id on a REST API (an HTTP
// API sends none, so a client's would otherwise reach the upstream as if
// API Gateway had sent it).
func dropForged(h http.Header) {
	for k := range h {
		if forged(k) {
			delete(h, k)
		}
	}
}

// forged reports whether a header name is reserved to the proxy.
func forged(k string) bool {
	return headerpolicy.Reserved(k) || hasPrefixFold(k, "x-forwarded-") ||
		equalFold(k, "forwarded") || equalFold(k, "x-real-ip") ||
		equalFold(k, "x-amzn-apigateway-api-id")
}

// hasPrefixFold compares ASCII case-insensitively, with '_' matching '-'.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && equalFold(s[:len(prefix)], prefix)
}

// equalFold compares s with a lower-case name, ASCII case-insensitively,
// with '_' matching '-'.
func equalFold(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		} else if c == '_' {
			c = '-'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// setDecision sets X-Amzn-Apigateway-Api-Id and the X-Tollgate-* headers
// from the gateway's decision. It returns the name of a header it left out
// because its value could not be sent (a control character or a byte
// beyond ASCII in a claim-derived value), or "". The scopes and the claims header are
// computed once per verified token (gateway.Invocation), and the values
// are held by the invocation (Invocation.HeaderValue), so a request costs
// no allocation here beyond the header map's growth. The claims header and
// the authorizer context header are unpadded base64url
// (claimsheader.Encode, once per verified token or authorizer answer),
// valid by construction: their hundreds of bytes are not scanned again.
func setDecision(h http.Header, inv *gateway.Invocation) (dropped string) {
	if inv.API != nil && !inv.API.IsHTTP() {
		dropped = setValue(h, inv, 0, HeaderAPIID, inv.API.ID, dropped)
	}
	dropped = setValue(h, inv, 1, HeaderClientID, inv.ClientID, dropped)
	dropped = setValue(h, inv, 2, HeaderScopes, inv.ScopeList(), dropped)
	dropped = setValue(h, inv, 3, HeaderClaims, inv.ClaimsHeader(), dropped)
	dropped = setValue(h, inv, 4, HeaderRequestID, inv.RequestID, dropped)
	if inv.Stage != nil {
		dropped = setValue(h, inv, 5, HeaderStage, inv.Stage.Name, dropped)
	}
	dropped = setValue(h, inv, 6, HeaderPrincipalID, principalHeader(inv.PrincipalID), dropped)
	dropped = setValue(h, inv, 7, HeaderAuthorizerContext, inv.AuthorizerContextHeader(), dropped)
	return dropped
}

// setValue sets the canonical header name to v, held in the invocation's
// slot i, unless v is empty; a value with control characters or bytes
// beyond ASCII is left out and its name returned, otherwise dropped is
// returned as it is.
func setValue(h http.Header, inv *gateway.Invocation, i int, name, v, dropped string) string {
	if v == "" {
		return dropped
	}
	if name != HeaderClaims && name != HeaderAuthorizerContext && !validHeaderValue(v) {
		return name
	}
	h[name] = inv.HeaderValue(i, v)
	return dropped
}

// principalHeader is the X-Tollgate-Principal-Id value of the principal
// id p: p, or p encoded (PrincipalIDEncoded) when p would not arrive as
// it is.
func principalHeader(p string) string {
	if validHeaderValue(p) && !strings.HasPrefix(p, PrincipalIDEncoded) &&
		(p == "" || p[0] != ' ' && p[0] != '\t' && p[len(p)-1] != ' ' && p[len(p)-1] != '\t') {
		return p
	}
	return PrincipalIDEncoded + base64.RawURLEncoding.EncodeToString([]byte(p))
}

// validHeaderValue reports whether v is visible ASCII, spaces and tabs
// (RFC 9110 §5.5 field-value without obs-text).
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if (c < ' ' && c != '\t') || c >= 0x7f {
			return false
		}
	}
	return true
}
