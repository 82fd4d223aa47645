package headercase

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// typical is a request with ten header fields, as a browser or SDK sends.
const typical = "POST /prod/orders/42?expand=items HTTP/1.1\r\n" +
	"host: abc123.execute-api.localhost\r\n" +
	"user-agent: aws-sdk-js/3.500.0 ua/2.0 os/linux lang/js md/nodejs#20.11.0\r\n" +
	"accept: application/json\r\n" +
	"accept-encoding: gzip, deflate, br\r\n" +
	"content-type: application/json\r\n" +
	"content-length: 2\r\n" +
	"authorization: Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJ4In0.c2lnbmF0dXJl\r\n" +
	"x-amz-date: 20260101T000000Z\r\n" +
	"x-request-id: 5f2b7c1e-8d3a-4e6f-9b0a-1c2d3e4f5a6b\r\n" +
	"X-Custom-Header: value\r\n" +
	"\r\n{}"

// BenchmarkOverhead is what recording adds to one request: following its
// bytes, taking its head in Handler (with the request's new context), and
// looking up every name as a Lambda event is built.
func BenchmarkOverhead(b *testing.B) {
	var rec recorder
	req := httptest.NewRequest("POST", "/prod/orders/42?expand=items", nil)
	req.RequestURI = "/prod/orders/42?expand=items"
	req.Header = http.Header{}
	for _, k := range []string{"User-Agent", "Accept", "Accept-Encoding", "Content-Type", "Content-Length",
		"Authorization", "X-Amz-Date", "X-Request-Id", "X-Custom-Header"} {
		req.Header[k] = []string{"v"}
	}
	req = req.WithContext(context.WithValue(req.Context(), connKey{}, &rec))
	var sink string
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		names := Names(r)
		for k := range r.Header {
			sink = names.Name(k)
		}
		sink = names.Name("Host")
	}))
	raw := []byte(typical)
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		rec.feed(raw)
		h.ServeHTTP(nil, req)
	}
	if sink != "host" {
		b.Fatalf("Host is %q", sink)
	}
}

// BenchmarkLoopback is a whole request through a loopback server, with
// and without recording, on a kept-alive connection.
func BenchmarkLoopback(b *testing.B) {
	for _, tt := range []struct {
		name   string
		wrap   func(net.Listener) net.Listener
		server func(*http.Server)
	}{
		{"plain", func(ln net.Listener) net.Listener { return ln }, func(*http.Server) {}},
		{"recorded", Listen, func(s *http.Server) { s.Handler, s.ConnContext = Handler(s.Handler), ConnContext }},
	} {
		b.Run(tt.name, func(b *testing.B) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				names, n := Names(r), 0
				for k := range r.Header {
					n += len(names.Name(k))
				}
				w.Header()["X-Name-Bytes"] = []string{strconv.Itoa(n)}
			})}
			tt.server(srv)
			go func() { _ = srv.Serve(tt.wrap(ln)) }()
			defer srv.Close()
			benchClient(b, ln.Addr().String())
		})
	}
}

// benchClient sends the typical request over and over on one connection.
func benchClient(b *testing.B, addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	resp := make([]byte, 4096)
	raw := []byte(typical)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Write(raw); err != nil {
			b.Fatal(err)
		}
		n, err := c.Read(resp)
		if err != nil {
			b.Fatal(err)
		}
		if !strings.HasPrefix(string(resp[:n]), "HTTP/1.1 200") || !strings.HasSuffix(string(resp[:n]), "\r\n\r\n") {
			b.Fatalf("response %q", resp[:n])
		}
	}
}
