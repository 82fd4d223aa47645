package headerpolicy

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// TraceID is the name of the trace header API Gateway passes to
// integrations and returns on Lambda and MOCK answers.
const TraceID = "X-Amzn-Trace-Id"

// dropped are the request headers API Gateway never passes to an
// integration, proxy integrations included: framing and hop-by-hop headers
// and a few it keeps for itself. Source: LocalStack's header_utils.py
// (DROPPED_FROM_REQUEST_COMMON), built from its AWS-validated snapshots
// (localstack/localstack:localstack-core/localstack/services/apigateway/
// next_gen/execute_api/header_utils.py). Keep-Alive and
// Proxy-Connection are hop-by-hop (RFC 9110 §7.6.1) and never reach an
// integration either.
var dropped = [...]string{
	"Connection",
	"Content-Length",
	"Content-Md5",
	"Expect",
	"Max-Forwards",
	"Proxy-Authenticate",
	"Server",
	"Te",
	"Transfer-Encoding",
	"Trailer",
	"Upgrade",
	"Www-Authenticate",
	"Keep-Alive",
	"Proxy-Connection",
}

// remapped are the integration response headers a proxy integration's
// answer carries to the client as x-amzn-Remapped-{Name}, so that the
// gateway's own Date, Server, Content-Length and request ids are the only
// ones (LocalStack's REMAPPED_FROM_INTEGRATION_RESPONSE_COMMON and the
// HTTP_PROXY integration's x-amzn-RequestId, same source as dropped), by
// canonical name, with the name each is sent under (built once: this runs
// on every proxied answer).
var remapped = map[string]string{
	"Connection":       RemappedPrefix + "Connection",
	"Content-Length":   RemappedPrefix + "Content-Length",
	"Date":             RemappedPrefix + "Date",
	"Server":           RemappedPrefix + "Server",
	"X-Amzn-Requestid": RemappedPrefix + "x-amzn-RequestId",
	"X-Amz-Apigw-Id":   RemappedPrefix + "x-amz-apigw-id",
}

// RemappedPrefix starts the name a remapped header is given.
const RemappedPrefix = "x-amzn-Remapped-"

// Dropped reports whether API Gateway drops a request header before any
// integration. Names compare case-insensitively: net/http canonicalizes
// what it parses, but a header map built in code need not be.
func Dropped(name string) bool {
	for _, d := range dropped {
		if len(d) == len(name) && strings.EqualFold(d, name) {
			return true
		}
	}
	return false
}

// Reserved reports whether a request header name is one of Tollgate's
// own: X-Tollgate-*, ASCII case-insensitively and with '_' for '-', since
// CGI-style upstreams (PHP, WSGI, Rack, nginx's underscores_in_headers)
// read X_Tollgate_Client_Id as the same variable.
func Reserved(name string) bool {
	const p = "x-tollgate-"
	if len(name) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := name[i]
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case c == '_':
			c = '-'
		}
		if c != p[i] {
			return false
		}
	}
	return true
}

// StripRequest removes from h what no integration may see: the headers
// API Gateway drops and a caller's copies of Tollgate's reserved ones.
func StripRequest(h http.Header) {
	for k := range h {
		if Dropped(k) || Reserved(k) {
			delete(h, k)
		}
	}
}

// RemapResponse renames, in h, the integration's response headers that API
// Gateway remaps: each value moves to x-amzn-Remapped-{Name}, except
// Content-Length, which stays as well (an HTTP_PROXY answer is streamed
// with the upstream's length) and is only copied.
func RemapResponse(h http.Header) { remap(h, remapped) }

// RemapResponseCanonical is RemapResponse with the new names in canonical
// form (X-Amzn-Remapped-Date, X-Amzn-Remapped-X-Amzn-Requestid): the form
// net/http's Header.Add gives them anyway, as ReverseProxy does when it
// copies an upstream's answer into the client's. With the names already
// canonical, that copy does not build each one again per response.
func RemapResponseCanonical(h http.Header) { remap(h, remappedCanonical) }

// remap renames h's headers by names (remapped or remappedCanonical),
// Content-Length copied rather than moved.
func remap(h http.Header, names map[string]string) {
	for k, vs := range h {
		name, ok := names[k]
		if !ok {
			continue
		}
		h[name] = vs
		if k == "Content-Length" {
			continue
		}
		delete(h, k)
	}
}

// remappedCanonical is remapped with the new names canonicalized.
var remappedCanonical = func() map[string]string {
	m := make(map[string]string, len(remapped))
	for k, v := range remapped {
		m[k] = http.CanonicalHeaderKey(v)
	}
	return m
}()

// RemappedName returns the name a function's or upstream's response
// header is sent under: x-amzn-Remapped-{Name} for the remapped ones, and
// name itself otherwise.
func RemappedName(name string) string {
	if n, ok := remapped[http.CanonicalHeaderKey(name)]; ok {
		return n
	}
	return name
}

// NewTraceID returns a fresh X-Ray trace header value,
// "Root=1-{8 hex digits of the Unix time}-{24 random hex digits}", the
// format API Gateway generates (AWS X-Ray docs, "Tracing header";
// e.g. Root=1-5759e988-bd862e3fe1be46a994272793).
func NewTraceID(now time.Time) string {
	var rnd [TraceRandomLen]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		panic("headerpolicy: crypto/rand failed: " + err.Error())
	}
	var b [TraceIDLen]byte
	PutTraceID(b[:], now, &rnd)
	return string(b[:])
}

// TraceIDLen is the length of a trace header value NewTraceID makes, and
// TraceRandomLen the number of random bytes it takes.
const (
	TraceIDLen     = 7 + 8 + 1 + 24
	TraceRandomLen = 12
)

// PutTraceID writes into b (TraceIDLen bytes) the trace header value
// NewTraceID makes of now and the random bytes rnd, for a caller that
// builds it in a buffer of its own (one allocation, one read of the
// random source, for several ids).
func PutTraceID(b []byte, now time.Time, rnd *[TraceRandomLen]byte) {
	copy(b, "Root=1-")
	// The 32-bit Unix time as 8 hex digits, written in place.
	ts := uint32(now.Unix()) //nolint:gosec // X-Ray's epoch field is the low 32 bits
	for i := 14; i >= 7; i-- {
		b[i] = hexDigits[ts&0xf]
		ts >>= 4
	}
	b[15] = '-'
	hex.Encode(b[16:TraceIDLen], rnd[:])
}

const hexDigits = "0123456789abcdef"

// ValidTraceID reports whether a caller's X-Amzn-Trace-Id is one to pass
// on: it starts with a well-formed Root ("Root=1-" 8 hex "-" 24 hex) and
// is at most 256 visible ASCII characters (Parent=…;Sampled=…; and the
// like may follow). Anything else is replaced by a fresh one.
func ValidTraceID(v string) bool {
	const root = len("Root=1-") + 8 + 1 + 24
	if len(v) < root || len(v) > 256 || v[:7] != "Root=1-" || v[15] != '-' {
		return false
	}
	for i := 7; i < root; i++ {
		if i == 15 {
			continue
		}
		if !isHex(v[i]) {
			return false
		}
	}
	if len(v) > root && v[root] != ';' {
		return false
	}
	for i := root; i < len(v); i++ {
		if c := v[i]; c < '!' || c > '~' {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
