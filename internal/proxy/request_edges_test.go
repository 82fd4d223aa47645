package proxy_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A parameter the integration URI fixes keeps the URI's value: the
// client's parameters of that name are not sent, so an upstream that takes
// the last value cannot be steered.
func TestFixedQueryParameters(t *testing.T) {
	f := newFixture(t)
	up, seenCh := recorder(t)
	srv := f.front(f.handler(up.URL+"/v1/{proxy}?tenant=acme&v=2", 0), decision{})
	for target, want := range map[string]string{
		"/prod/x":                          "/v1/x?tenant=acme&v=2",
		"/prod/x?tenant=evil":              "/v1/x?tenant=acme&v=2",
		"/prod/x?a=1&tenant=evil&b=2":      "/v1/x?tenant=acme&v=2&a=1&b=2",
		"/prod/x?%74enant=evil&v&page=3":   "/v1/x?tenant=acme&v=2&page=3",
		"/prod/x?tenants=ok&x%3Dtenant=ok": "/v1/x?tenant=acme&v=2&tenants=ok&x%3Dtenant=ok",
	} {
		resp, _ := get(t, newRequest(t, "GET", srv.URL+target, nil))
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %s", target, resp.Status)
		}
		if got := (<-seenCh).RequestURI; got != want {
			t.Errorf("%s reached the upstream as %s, want %s", target, got, want)
		}
	}
}

// A client's Trailer declaration and trailer values never reach the
// upstream: API Gateway has no trailers, and the names could be
// X-Tollgate-* or Authorization.
func TestRequestTrailersNotForwarded(t *testing.T) {
	f := newFixture(t)
	var got http.Header
	var gotTrailer http.Header
	done := make(chan struct{})
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		got, gotTrailer = r.Header.Clone(), r.Trailer.Clone()
		close(done)
	})
	srv := f.front(f.handler(up+"/{proxy}", 0), decision{ClientID: "verified"})
	c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, "POST /prod/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"+
		"Trailer: X-Tollgate-Client-Id, Authorization\r\nConnection: close\r\n\r\n"+
		"3\r\nabc\r\n0\r\nX-Tollgate-Client-Id: forged\r\nAuthorization: Bearer unverified\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	<-done
	if v := got.Get("X-Tollgate-Client-Id"); v != "verified" || got.Get("Trailer") != "" || len(gotTrailer) != 0 {
		t.Errorf("upstream saw X-Tollgate-Client-Id %q, Trailer %q, trailers %v", v, got.Get("Trailer"), gotTrailer)
	}
}

func newUpstream(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
