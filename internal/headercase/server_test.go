package headercase_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/headercase"
)

// echo answers with what a handler sees of the request: method, path,
// protocol, whether names were recorded, the TLS server name, the body's
// length, then each header as "canonical=as sent", Host last.
func echo(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	names := headercase.Names(r)
	tlsName := "none"
	if r.TLS != nil {
		tlsName = r.TLS.ServerName
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s recorded=%v tls=%s body=%d", r.Method, r.URL.Path, r.Proto, names.Recorded(), tlsName, len(body))
	for _, k := range slices.Sorted(maps.Keys(r.Header)) {
		fmt.Fprintf(&b, "|%s=%s", k, names.Name(k))
	}
	fmt.Fprintf(&b, "|Host=%s", names.Name("Host"))
	_, _ = io.WriteString(w, b.String())
}

// serve serves h, wrapped by headercase.Handler, on ln until the test ends.
func serve(t *testing.T, ln net.Listener, h http.HandlerFunc, configure ...func(*http.Server)) string {
	t.Helper()
	srv := &http.Server{
		Handler:        headercase.Handler(h),
		ConnContext:    headercase.ConnContext,
		MaxHeaderBytes: 16 << 10,
	}
	for _, c := range configure {
		c(srv)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return ln.Addr().String()
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// exchange writes raw on a new connection to addr and returns the bodies
// of the n responses read back.
func exchange(t *testing.T, addr, raw string, n int) []string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // a hung test fails instead of stalling
	go func() { _, _ = io.WriteString(c, raw) }()       // while the responses are read: both may fill a buffer
	return readBodies(t, bufio.NewReader(c), n)
}

func readBodies(t *testing.T, br *bufio.Reader, n int) []string {
	t.Helper()
	var out []string
	for range n {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("response %d: %v", len(out), err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("response %d: %v", len(out), err)
		}
		out = append(out, string(b))
	}
	return out
}

func TestPipelined(t *testing.T) {
	addr := serve(t, headercase.Listen(listen(t)), echo)
	raw := "GET /a HTTP/1.1\r\nhost: x\r\nx-MiXeD: 1\r\ncontent-type: text/plain\r\nX-MIXED: 2\r\n\r\n" +
		"POST /b HTTP/1.1\r\nHOST: x\r\nContent-length: 5\r\nX-ONE: 1\r\n\r\nhello\r\n" +
		"POST /c HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\nx-two: 2\r\n\r\n" +
		"5;ext=1\r\nhello\r\n3\r\nabc\r\n0\r\nx-trailer: t\r\n\r\n" +
		"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n" +
		"GET /d HTTP/1.1\r\nhOsT: x\r\nx-three: 3\r\n\r\n"
	want := []string{
		"GET /a HTTP/1.1 recorded=true tls=none body=0|Content-Type=content-type|X-Mixed=x-MiXeD|Host=host",
		"POST /b HTTP/1.1 recorded=true tls=none body=5|Content-Length=Content-length|X-One=X-ONE|Host=HOST",
		"POST /c HTTP/1.1 recorded=true tls=none body=8|X-Two=x-two|Host=Host",
		"", // net/http answers OPTIONS * itself
		"GET /d HTTP/1.1 recorded=true tls=none body=0|X-Three=x-three|Host=hOsT",
	}
	if got := exchange(t, addr, raw, len(want)); !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestPipelinedMany sends hundreds of requests with random casing and
// framing on one connection, written in pieces of random sizes, and
// checks that each handler sees its own request's names.
func TestPipelinedMany(t *testing.T) {
	addr := serve(t, headercase.Listen(listen(t)), echo)
	rng := mrand.New(mrand.NewPCG(1, 2))
	var raw strings.Builder
	var want []string
	for i := range 400 {
		r, w := genRequest(rng, i)
		raw.WriteString(r)
		want = append(want, w)
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(60 * time.Second))
	go func() {
		for s := raw.String(); s != ""; {
			n := min(len(s), 1+rng.IntN(700))
			if _, err := io.WriteString(c, s[:n]); err != nil {
				return // the reader reports the failure
			}
			s = s[n:]
		}
	}()
	got := readBodies(t, bufio.NewReader(c), len(want))
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("request %d: got\n%s\nwant\n%s", i, got[i], want[i])
		}
	}
}

// TestPipelinedTiny: the smallest requests, hundreds at once, all fit the
// recorder's queue while net/http reads ahead of the handlers.
func TestPipelinedTiny(t *testing.T) {
	addr := serve(t, headercase.Listen(listen(t)), echo)
	var raw strings.Builder
	for i := range 600 {
		fmt.Fprintf(&raw, "GET /%d HTTP/1.1\r\nhOST: x\r\n\r\n", i)
	}
	for i, got := range exchange(t, addr, raw.String(), 600) {
		if want := fmt.Sprintf("GET /%d HTTP/1.1 recorded=true tls=none body=0|Host=hOST", i); got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	}
}

var namePool = []string{"x-mixed", "content-type", "accept", "x-amz-date", "user-agent",
	"authorization", "x-api-key", "if-none-match", "x_underscore", "accept-encoding"}

// genRequest returns a request with names in random casing and a body of
// random framing, and the answer echo gives to it.
func genRequest(rng *mrand.Rand, i int) (raw, want string) {
	if i%37 == 36 {
		return "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", ""
	}
	method := []string{"GET", "POST", "PUT"}[rng.IntN(3)]
	var head strings.Builder
	fmt.Fprintf(&head, "%s /r/%d HTTP/1.1\r\n", method, i)
	sent := map[string]string{}
	add := func(name, value string) {
		fmt.Fprintf(&head, "%s: %s\r\n", name, value)
		if k := http.CanonicalHeaderKey(name); sent[k] == "" {
			sent[k] = name
		}
	}
	add(randomCase(rng, "host"), "example.test")
	for range 1 + rng.IntN(9) {
		add(randomCase(rng, namePool[rng.IntN(len(namePool))]), "v")
	}
	var body string
	n := 0
	switch rng.IntN(3) {
	case 1:
		n = rng.IntN(300)
		add(randomCase(rng, "content-length"), fmt.Sprint(n))
		body = strings.Repeat("b", n)
	case 2:
		add(randomCase(rng, "transfer-encoding"), "chunked")
		body, n = genChunked(rng)
		delete(sent, "Transfer-Encoding") // net/http consumes it
	}
	if method == "POST" && rng.IntN(3) == 0 {
		body += "\r\n" // tolerated after a POST
	}
	host := sent["Host"]
	delete(sent, "Host")
	want = fmt.Sprintf("%s /r/%d HTTP/1.1 recorded=true tls=none body=%d", method, i, n)
	for _, k := range slices.Sorted(maps.Keys(sent)) {
		want += "|" + k + "=" + sent[k]
	}
	return head.String() + "\r\n" + body, want + "|Host=" + host
}

// genChunked returns a chunked body with random extensions and trailers,
// and the length of its data.
func genChunked(rng *mrand.Rand) (string, int) {
	var b strings.Builder
	n := 0
	for range rng.IntN(4) {
		size := 1 + rng.IntN(200)
		n += size
		fmt.Fprintf(&b, "%x", size)
		if rng.IntN(2) == 0 {
			b.WriteString(`;name="quoted;value"`)
		}
		b.WriteString("\r\n" + strings.Repeat("c", size) + "\r\n")
	}
	b.WriteString("0\r\n")
	if rng.IntN(2) == 0 {
		b.WriteString("X-Checksum: abc\r\nx-other: 1\r\n")
	}
	b.WriteString("\r\n")
	return b.String(), n
}

func randomCase(rng *mrand.Rand, s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' && rng.IntN(2) == 0 {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// TestExpectContinue: the client sends the body only after 100 Continue,
// which net/http sends when the handler reads the body.
func TestExpectContinue(t *testing.T) {
	addr := serve(t, headercase.Listen(listen(t)), echo)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	_, _ = io.WriteString(c, "PUT /e HTTP/1.1\r\nHost: x\r\nexpect: 100-continue\r\ncontent-LENGTH: 4\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusContinue {
		t.Fatalf("got %v, %v; want 100 Continue", resp, err)
	}
	_, _ = io.WriteString(c, "body"+"GET /next HTTP/1.1\r\nHost: x\r\nx-after: 1\r\n\r\n")
	want := []string{
		"PUT /e HTTP/1.1 recorded=true tls=none body=4|Content-Length=content-LENGTH|Expect=expect|Host=Host",
		"GET /next HTTP/1.1 recorded=true tls=none body=0|X-After=x-after|Host=Host",
	}
	if got := readBodies(t, br, 2); !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestFallback: what the recorder does not follow gives canonical names
// from there on, never another request's names.
func TestFallback(t *testing.T) {
	addr := serve(t, headercase.Listen(listen(t)), echo)
	tests := []struct {
		name string
		raw  string
		want []string
	}{
		{"obsolete line folding",
			"GET /1 HTTP/1.1\r\nHost: x\r\nx-a: 1\r\n\r\n" +
				"GET /2 HTTP/1.1\r\nHost: x\r\nx-b: 1\r\n folded\r\n\r\n" +
				"GET /3 HTTP/1.1\r\nHost: x\r\nx-c: 1\r\n\r\n",
			[]string{
				"GET /1 HTTP/1.1 recorded=true tls=none body=0|X-A=x-a|Host=Host",
				"GET /2 HTTP/1.1 recorded=false tls=none body=0|X-B=X-B|Host=Host",
				"GET /3 HTTP/1.1 recorded=false tls=none body=0|X-C=X-C|Host=Host",
			}},
		{"bare LF",
			"GET /1 HTTP/1.1\nhost: x\nx-a: 1\n\n",
			[]string{"GET /1 HTTP/1.1 recorded=false tls=none body=0|X-A=X-A|Host=Host"}},
		{"upgrade not taken",
			"GET /1 HTTP/1.1\r\nHost: x\r\nupgrade: websocket\r\n\r\n" +
				"GET /2 HTTP/1.1\r\nHost: x\r\nx-b: 1\r\n\r\n",
			[]string{
				"GET /1 HTTP/1.1 recorded=true tls=none body=0|Upgrade=upgrade|Host=Host",
				"GET /2 HTTP/1.1 recorded=false tls=none body=0|X-B=X-B|Host=Host",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exchange(t, addr, tt.raw, len(tt.want)); !slices.Equal(got, tt.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestHandlerSkipsNothing: handlers that never call Names leave the next
// request's names in place, because Handler takes every head.
func TestHandlerSkipsNothing(t *testing.T) {
	addr := serve(t, headercase.Listen(listen(t)), func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ignore" {
			return
		}
		echo(w, r)
	})
	raw := "GET /ignore HTTP/1.1\r\nHost: x\r\nx-first: 1\r\n\r\n" +
		"GET /ignore HTTP/1.1\r\nHost: x\r\nx-first: 1\r\n\r\n" +
		"GET /seen HTTP/1.1\r\nHost: x\r\nx-third: 1\r\n\r\n"
	got := exchange(t, addr, raw, 3)
	if want := "GET /seen HTTP/1.1 recorded=true tls=none body=0|X-Third=x-third|Host=Host"; got[2] != want {
		t.Errorf("got %s, want %s", got[2], want)
	}
}

// TestGoClient: Go's HTTP/1.1 client writes header keys as they are in
// Request.Header, so a non-canonical key reaches the handler as is.
func TestGoClient(t *testing.T) {
	addr := serve(t, headercase.Listen(listen(t)), echo)
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	for i := range 3 { // on one kept-alive connection
		req, _ := http.NewRequest("POST", "http://"+addr+"/go", strings.NewReader("abc"))
		req.Header["x-MiXeD"] = []string{fmt.Sprint(i)}
		req.Header["content-type"] = []string{"text/plain"}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := "POST /go HTTP/1.1 recorded=true tls=none body=3|Accept-Encoding=Accept-Encoding|Content-Length=Content-Length|" +
			"Content-Type=content-type|User-Agent=User-Agent|X-Mixed=x-MiXeD|Host=Host"
		if string(body) != want {
			t.Errorf("got  %s\nwant %s", body, want)
		}
	}
}

// TestH2C: HTTP/2 with prior knowledge on the plain listener passes
// through the recorder, which steps aside; names are lower case.
func TestH2C(t *testing.T) {
	addr := serve(t, headercase.Listen(listen(t)), echo, func(s *http.Server) {
		s.Protocols = new(http.Protocols)
		s.Protocols.SetHTTP1(true)
		s.Protocols.SetUnencryptedHTTP2(true)
	})
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	defer tr.CloseIdleConnections()
	for range 2 {
		req, _ := http.NewRequest("GET", "http://"+addr+"/h2c", nil)
		req.Header.Set("X-MiXeD", "1")
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := "GET /h2c HTTP/2.0 recorded=true tls=none body=0|Accept-Encoding=accept-encoding|User-Agent=user-agent|X-Mixed=x-mixed|Host=host"
		if string(body) != want {
			t.Errorf("got  %s\nwant %s", body, want)
		}
	}
	got := exchange(t, addr, "GET /h1 HTTP/1.1\r\nHost: x\r\nx-MiXeD: 1\r\n\r\n", 1)
	if want := "GET /h1 HTTP/1.1 recorded=true tls=none body=0|X-Mixed=x-MiXeD|Host=Host"; got[0] != want {
		t.Errorf("HTTP/1.1 beside h2c: got %s, want %s", got[0], want)
	}
}

// TestNamesOutsideServer: without a recorded head Names falls back to
// canonical names, and lower case for HTTP/2.
func TestNamesOutsideServer(t *testing.T) {
	r, _ := http.NewRequest("GET", "http://x/", nil)
	if n := headercase.Names(r); n.Name("Content-Type") != "Content-Type" || n.Recorded() {
		t.Errorf("HTTP/1.1 without a recorder: %q, recorded %v", n.Name("Content-Type"), n.Recorded())
	}
	r.ProtoMajor = 2
	if got := headercase.Names(r).Name("X-Amz-Date"); got != "x-amz-date" {
		t.Errorf("HTTP/2: %q", got)
	}
}

// testCert returns a certificate for localhost and 127.0.0.1 and a pool
// that trusts it.
func testCert(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// serveTLS serves echo on a ListenTLS listener choosing its certificate by
// SNI, as Tollgate's TLS listener does.
func serveTLS(t *testing.T) (string, *x509.CertPool) {
	cert, pool := testCert(t)
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
		return &cert, nil
	}}
	return serve(t, headercase.ListenTLS(listen(t), cfg), echo), pool
}

func TestTLS(t *testing.T) {
	addr, pool := serveTLS(t)
	_, port, _ := net.SplitHostPort(addr)

	t.Run("HTTP/2", func(t *testing.T) {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
		defer tr.CloseIdleConnections()
		req, _ := http.NewRequest("GET", "https://localhost:"+port+"/h2", nil)
		req.Header.Set("X-MiXeD", "1")
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := "GET /h2 HTTP/2.0 recorded=true tls=localhost body=0|Accept-Encoding=accept-encoding|User-Agent=user-agent|X-Mixed=x-mixed|Host=host"
		if string(body) != want {
			t.Errorf("got  %s\nwant %s", body, want)
		}
	})
	for _, alpn := range [][]string{{"http/1.1"}, nil} {
		t.Run(fmt.Sprintf("HTTP/1.1 ALPN %q", alpn), func(t *testing.T) {
			c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "localhost", NextProtos: alpn})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(20 * time.Second))
			_, _ = io.WriteString(c, "GET /1 HTTP/1.1\r\nhost: localhost\r\nx-MiXeD: 1\r\n\r\n"+
				"POST /2 HTTP/1.1\r\nHOST: localhost\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")
			want := []string{
				"GET /1 HTTP/1.1 recorded=true tls=localhost body=0|X-Mixed=x-MiXeD|Host=host",
				"POST /2 HTTP/1.1 recorded=true tls=localhost body=2|Host=HOST",
			}
			if got := readBodies(t, bufio.NewReader(c), 2); !slices.Equal(got, want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestTLSSlowClient: a client that connects and never starts its
// handshake does not hold up the next one.
func TestTLSSlowClient(t *testing.T) {
	addr, pool := serveTLS(t)
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost"}}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 20 * time.Second}).Get("https://" + addr + "/after")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// TestTLSPlainHTTP: plain HTTP sent to the TLS port is answered as
// http.Server answers it.
func TestTLSPlainHTTP(t *testing.T) {
	addr, _ := serveTLS(t)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	b, _ := io.ReadAll(c)
	if !strings.Contains(string(b), "Client sent an HTTP request to an HTTPS server.") {
		t.Errorf("got %q", b)
	}
}

// TestTLSClose: Close ends the handshakes in progress and the hand-overs
// nobody accepts, returns once the listener's goroutines have ended, and
// Accept then fails.
func TestTLSClose(t *testing.T) {
	cert, pool := testCert(t)
	ln := headercase.ListenTLS(listen(t), &tls.Config{Certificates: []tls.Certificate{cert}})
	addr := ln.Addr().String()
	silent, err := net.Dial("tcp", addr) // never starts its handshake
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	partial, err := net.Dial("tcp", addr) // stops inside its ClientHello
	if err != nil {
		t.Fatal(err)
	}
	defer partial.Close()
	_, _ = partial.Write([]byte{22, 3, 1, 0, 200, 1})
	done, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "localhost"}) // never accepted
	if err != nil {
		t.Fatal(err)
	}
	defer done.Close()

	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ln.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if stacks := allStacks(); strings.Contains(stacks, "(*tlsListener)") {
		t.Errorf("listener goroutines left after Close:\n%s", stacks)
	}
	for _, c := range []net.Conn{silent, partial} {
		_ = c.SetReadDeadline(time.Now().Add(20 * time.Second)) // a failure, not the expected end
		if _, err := c.Read(make([]byte, 1)); err == nil || isTimeout(err) {
			t.Errorf("read on a connection whose handshake was pending: %v, want it closed", err)
		}
	}
	if c, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v, %v", c, err)
	}
}

func allStacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestTLSHandshakeTimeout: a client that never finishes its handshake is
// disconnected after the timeout, and the listener goes on serving. The
// timeout is long enough for the real handshake that follows to finish
// on a busy machine under the race detector.
func TestTLSHandshakeTimeout(t *testing.T) {
	cert, pool := testCert(t)
	ln := headercase.ListenTLSTimeout(listen(t), &tls.Config{Certificates: []tls.Certificate{cert}}, time.Second)
	addr := serve(t, ln, echo)
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	_ = idle.SetReadDeadline(time.Now().Add(20 * time.Second)) // a failure, not the expected end
	if _, err := idle.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Fatalf("read on a connection that never handshakes: %v, want it closed by the server", err)
	}
	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}
