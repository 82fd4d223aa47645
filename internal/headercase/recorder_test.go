package headercase

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// recordAll feeds stream to a new recorder in pieces of the sizes next
// returns, taking every queued head after each piece as a server would,
// and returns the heads as "method target|name,name" and whether the
// recorder stopped.
func recordAll(t testing.TB, stream []byte, next func() int) ([]string, bool) {
	var r recorder
	var heads []string
	for len(stream) > 0 {
		n := min(max(next(), 1), len(stream))
		r.feed(stream[:n])
		stream = stream[n:]
		checkBounds(t, &r)
		heads = append(heads, drain(&r)...)
	}
	return heads, r.st == stStopped
}

// drain takes every queued head.
func drain(r *recorder) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, h := range r.queue[r.queueFirst:] {
		out = append(out, h.s[:h.line]+"|"+strings.Join(splitNames(h.names()), ","))
	}
	clear(r.queue)
	r.queue, r.queueFirst, r.queueBytes = r.queue[:0], 0, 0
	return out
}

// splitNames returns the names of an encoded list.
func splitNames(s string) []string {
	var out []string
	for s != "" {
		var name string
		name, s = nextName(s)
		out = append(out, name)
	}
	return out
}

// checkBounds fails if the recorder keeps more than its bounds allow.
func checkBounds(t testing.TB, r *recorder) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) > maxHead || len(r.queue)-r.queueFirst > maxQueued || r.queueBytes > maxQueuedBytes {
		t.Fatalf("recorder beyond its bounds: head %d bytes, %d queued, %d queued bytes",
			len(r.buf), len(r.queue)-r.queueFirst, r.queueBytes)
	}
}

func whole() int  { return 1 << 30 }
func single() int { return 1 }

const (
	getA  = "GET /a HTTP/1.1\r\nhost: x\r\nx-MiXeD: 1\r\ncontent-type: text/plain\r\n\r\n"
	headA = "GET /a|host,x-MiXeD,content-type"
	getB  = "GET /b?q=1 HTTP/1.1\r\nHOST: x\r\n\r\n"
	headB = "GET /b?q=1|HOST"
)

// recorderCases are streams a connection may read, with the heads the
// recorder must queue and whether it must stop. They seed the fuzz target.
var recorderCases = []struct {
	name    string
	stream  string
	heads   []string
	stopped bool
}{
	{"one request", getA, []string{headA}, false},
	{"pipelined", getA + getB, []string{headA, headB}, false},
	{"a name of 300 bytes", "GET /l HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("x-Long", 50) + ": 1\r\nX: 2\r\n\r\n",
		[]string{"GET /l|Host," + strings.Repeat("x-Long", 50) + ",X"}, false},
	{"content-length body", "POST /p HTTP/1.1\r\nHost: x\r\ncontent-LENGTH: 5\r\n\r\nhello" + getB,
		[]string{"POST /p|Host,content-LENGTH", headB}, false},
	{"equal content-lengths", "PUT /p HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\ncontent-length:  2 \r\n\r\nhi" + getB,
		[]string{"PUT /p|Host,Content-Length,content-length", headB}, false},
	{"chunked with extensions and trailers",
		"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n" +
			"5;name=value\r\nhello\r\nA \t\r\n0123456789\r\n0\r\nx-trailer: t\r\nX-Other:\r\n\r\n" + getB,
		[]string{"POST /c|Host,Transfer-Encoding", headB}, false},
	{"chunked without trailers", "POST /c HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + getB,
		[]string{"POST /c|Host,transfer-encoding", headB}, false},
	{"CRLF after a POST body", "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nz\r\n\r\n" + getB,
		[]string{"POST /p|Host,Content-Length", headB}, false},
	{"CRLF after a GET", getA + "\r\n" + getB, []string{headA}, true},
	{"HTTP/1.0 ignores transfer-encoding", "POST /o HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc" + getB,
		[]string{"POST /o|Transfer-Encoding,Content-Length", headB}, false},
	{"expect 100-continue", "PUT /e HTTP/1.1\r\nHost: x\r\nexpect: 100-continue\r\nContent-Length: 1\r\n\r\nq" + getB,
		[]string{"PUT /e|Host,expect,Content-Length", headB}, false},
	{"OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n" + getB, []string{"OPTIONS *|Host", headB}, false},
	{"obsolete line folding", getA + "GET /f HTTP/1.1\r\nHost: x\r\nx-a: 1\r\n  more\r\n\r\n" + getB, []string{headA}, true},
	{"leading white space", "GET /f HTTP/1.1\r\n Host: x\r\n\r\n", nil, true},
	{"bare LF in the request line", "GET / HTTP/1.1\nHost: x\r\n\r\n", nil, true},
	{"bare LF in a field", "GET / HTTP/1.1\r\nHost: x\n\r\n", nil, true},
	{"bare LF ending the head", "GET / HTTP/1.1\r\nHost: x\r\n\n", nil, true},
	// A CR inside a value: net/http refuses the request and closes the
	// connection, so whatever the recorder makes of it is never used.
	{"CR inside a value", "GET / HTTP/1.1\r\nHost: x\r\r\n\r\n", []string{"GET /|Host"}, false},
	{"space in a name", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", nil, true},
	{"empty name", "GET / HTTP/1.1\r\n: x\r\n\r\n", nil, true},
	{"upgrade", "GET /ws HTTP/1.1\r\nHost: x\r\nupgrade: websocket\r\nConnection: upgrade\r\n\r\n" + getB,
		[]string{"GET /ws|Host,upgrade,Connection"}, true},
	{"connect", "CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n" + getB, []string{"CONNECT x:443|Host"}, true},
	{"h2c preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", nil, true},
	{"HTTP/1.2", "GET / HTTP/1.2\r\nHost: x\r\n\r\n", nil, true},
	{"two transfer-encodings", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", nil, true},
	{"gzip, chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", nil, true},
	{"different content-lengths", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 02\r\n\r\n", nil, true},
	{"signed content-length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +2\r\n\r\n", nil, true},
	{"empty content-length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", nil, true},
	{"content-length too large", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 9223372036854775808\r\n\r\n", nil, true},
	{"space before an extension", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1 ;e\r\nx\r\n0\r\n\r\n" + getB,
		[]string{"POST /|Host,Transfer-Encoding"}, true},
	{"bare LF in a chunk line", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\nx\r\n0\r\n\r\n" + getB,
		[]string{"POST /|Host,Transfer-Encoding"}, true},
	{"17 hex digits", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000001\r\nx\r\n0\r\n\r\n" + getB,
		[]string{"POST /|Host,Transfer-Encoding"}, true},
	{"chunk data too long", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\n" + getB,
		[]string{"POST /|Host,Transfer-Encoding"}, true},
	{"folded trailer", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\n 2\r\n\r\n" + getB,
		[]string{"POST /|Host,Transfer-Encoding"}, true},
	{"too much chunk overhead",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
			strings.Repeat("1;"+strings.Repeat("e", 2000)+"\r\nx\r\n", 10) + "0\r\n\r\n" + getB,
		[]string{"POST /|Host,Transfer-Encoding"}, true},
}

func TestRecorder(t *testing.T) {
	for _, tt := range recorderCases {
		t.Run(tt.name, func(t *testing.T) {
			for _, split := range []func() int{whole, single} {
				heads, stopped := recordAll(t, []byte(tt.stream), split)
				if !slices.Equal(heads, tt.heads) || stopped != tt.stopped {
					t.Errorf("heads %q stopped %v, want %q stopped %v", heads, stopped, tt.heads, tt.stopped)
				}
			}
			checkNetHTTP(t, []byte(tt.stream), tt.heads)
		})
	}
}

// TestRecorderTake: a head is taken by the request it belongs to; the
// heads of requests net/http answered itself are skipped; a request that
// was never recorded stops the connection instead of taking another's
// names.
func TestRecorderTake(t *testing.T) {
	var r recorder
	r.feed([]byte("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n" + getA + getB))
	if names, ok := r.take("GET", "/a"); !ok || !slices.Equal(splitNames(names), []string{"host", "x-MiXeD", "content-type"}) {
		t.Errorf("take GET /a = %q, %v", splitNames(names), ok)
	}
	if _, ok := r.take("GET", "/elsewhere"); ok {
		t.Error("took a head for a request that was not recorded")
	}
	if r.st != stStopped || len(r.queue) != 0 {
		t.Errorf("after a mismatch: state %d, %d queued; want stopped and empty", r.st, len(r.queue))
	}
	r.feed([]byte(getB))
	if _, ok := r.take("GET", "/b?q=1"); ok {
		t.Error("recorded after stopping")
	}
}

// TestRecorderQueueBound: heads nobody takes are dropped, and recording
// stops, once maxQueued are waiting.
func TestRecorderQueueBound(t *testing.T) {
	var r recorder
	for range maxQueued + 1 {
		r.feed([]byte(getB))
	}
	if r.st != stStopped || len(r.queue) != 0 {
		t.Errorf("state %d, %d queued; want stopped and empty", r.st, len(r.queue))
	}
}

// checkNetHTTP reads stream as net/http's server would and fails if a
// recorded head differs from the request net/http read at its place, or
// if a head was recorded after a body net/http failed to read (net/http
// may keep such a connection and read a request from wherever it stopped).
func checkNetHTTP(t testing.TB, stream []byte, heads []string) {
	t.Helper()
	reqs, failedBody := readLikeServer(stream)
	for i := 0; i < len(heads) && i < len(reqs); i++ {
		if got := headKeys(heads[i]); got != reqs[i] {
			t.Fatalf("head %d is %q, net/http read %q", i, got, reqs[i])
		}
	}
	if failedBody >= 0 && len(heads) > failedBody+1 {
		t.Fatalf("recorded %d heads; net/http failed on the body of request %d", len(heads), failedBody)
	}
}

// readLikeServer reads the requests of stream as http.Server does, up to
// where it would close the connection, and returns each as
// "method target|canonical names", and the index of the request whose
// body net/http failed to read, or -1.
func readLikeServer(stream []byte) ([]string, int) {
	br := bufio.NewReader(bytes.NewReader(stream))
	var out []string
	lastPOST := false
	for {
		if lastPOST { // conn.readRequest's tolerance for CRLF after a POST body
			peek, _ := br.Peek(4)
			n := 0
			for n < len(peek) && (peek[n] == '\r' || peek[n] == '\n') {
				n++
			}
			_, _ = br.Discard(n)
		}
		req, err := http.ReadRequest(br)
		if err != nil {
			return out, -1
		}
		keys := make([]string, 0, len(req.Header))
		for k := range req.Header {
			if !ignoredKey(k) {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		out = append(out, req.Method+" "+req.RequestURI+"|"+strings.Join(keys, ","))
		if _, err := io.Copy(io.Discard, req.Body); err != nil {
			return out, len(out) - 1
		}
		if serverCloses(req) {
			return out, -1
		}
		lastPOST = req.Method == "POST"
	}
}

// serverCloses reports whether http.Server closes the connection after req
// (or refuses it, or hands the connection to the handler).
func serverCloses(req *http.Request) bool {
	if req.Close || req.ProtoMajor != 1 || req.Method == "CONNECT" || req.Header.Get("Upgrade") != "" {
		return true
	}
	if req.ProtoMinor >= 1 && len(req.Header["Host"]) == 0 {
		return true
	}
	if e := req.Header.Get("Expect"); e != "" && !strings.EqualFold(e, "100-continue") {
		return true
	}
	for k := range req.Header {
		for i := 0; i < len(k); i++ {
			if !isToken(k[i]) {
				return true
			}
		}
	}
	return false
}

// headKeys turns a recorded head into readLikeServer's form.
func headKeys(h string) string {
	line, names, _ := strings.Cut(h, "|")
	var keys []string
	for n := range strings.SplitSeq(names, ",") {
		k := http.CanonicalHeaderKey(n)
		if n != "" && !ignoredKey(k) && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return line + "|" + strings.Join(keys, ",")
}

// ignoredKey reports the names net/http's request reader adds or removes
// (Host moves to Request.Host, the framing fields are consumed,
// Cache-Control is added for Pragma: no-cache), which the comparison
// leaves out.
func ignoredKey(k string) bool {
	switch k {
	case "Host", "Content-Length", "Transfer-Encoding", "Cache-Control":
		return true
	}
	return false
}
