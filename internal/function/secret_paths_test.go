package function

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// Path tricks on the Runtime API, sent as raw request targets (no client
// cleans them): a prefix of the secret, a doubled or encoded slash, dot
// segments, another case, an absolute URL, the asterisk form. Only a path
// that starts with /SECRET/ as it is reaches the API.
func TestRequireSecretRefusesPathTricks(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	var reached atomic.Pointer[string] // set by the server's goroutine
	h := requireSecret(secret, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Store(&r.URL.Path) }), func(*http.Request) {})
	srv := httptest.NewServer(h)
	defer srv.Close()
	next := "/2018-06-01/runtime/invocation/next"
	for _, target := range []string{
		next, "/" + secret, "/" + secret[:63] + next, "//" + secret + next, "/%2F" + secret + next,
		"/" + strings.ToUpper(secret) + next, "/." + "/" + secret + next, "/x/../" + secret + next,
		"*", "http://127.0.0.1/" + secret[:10] + next,
		"/" + secret + "x" + next, "/" + secret[1:] + "0" + next,
	} {
		reached.Store(nil)
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write([]byte("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")); err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		c.Close()
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		if p := reached.Load(); p != nil || resp.StatusCode != 403 {
			t.Errorf("%s: %d, reached the API (%v)", target, resp.StatusCode, p != nil)
		}
	}
}
