package headercase

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"testing"
)

// FuzzRecorder reads arbitrary byte streams through a recording connection
// in pieces of random sizes. The bytes must come out unchanged, the
// recorder must stay within its bounds and queue the same heads however
// the stream is split, and every head it queues must be the request
// net/http reads at that place.
func FuzzRecorder(f *testing.F) {
	for _, tt := range recorderCases {
		f.Add([]byte(tt.stream), uint64(1))
	}
	f.Add([]byte(getA+"POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nab\r\n0\r\nT: 1\r\n\r\n\r\n"+getB), uint64(7))
	f.Fuzz(func(t *testing.T, stream []byte, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, seed>>32))
		pieces := func() int { return 1 + rng.IntN(64) }
		c := &conn{Conn: &scriptConn{data: stream, next: pieces}}
		var out []byte
		var heads []string
		buf := make([]byte, 128)
		for {
			n, err := c.Read(buf[:1+rng.IntN(len(buf))])
			out = append(out, buf[:n]...)
			checkBounds(t, &c.rec)
			heads = append(heads, drain(&c.rec)...)
			if errors.Is(err, io.EOF) {
				break
			}
		}
		if !bytes.Equal(out, stream) {
			t.Fatalf("read %q through the recorder, want %q", out, stream)
		}
		bytewise, stopped := recordAll(t, stream, single)
		if !slices.Equal(heads, bytewise) || stopped != (c.rec.st == stStopped) {
			t.Fatalf("split at random: %q stopped %v; byte by byte: %q stopped %v",
				heads, c.rec.st == stStopped, bytewise, stopped)
		}
		checkNetHTTP(t, stream, heads)
	})
}

// scriptConn is a connection that reads data in pieces of the sizes next
// returns.
type scriptConn struct {
	net.Conn
	data []byte
	next func() int
}

func (c *scriptConn) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.next())], c.data)
	c.data = c.data[n:]
	return n, nil
}

// fragments are pieces of HTTP/1.x streams, valid and not, that
// TestRecorderAgainstNetHTTP strings together.
var fragments = []string{
	"GET /x HTTP/1.1\r\n", "POST /p HTTP/1.1\r\n", "PUT /u?q HTTP/1.0\r\n", "OPTIONS * HTTP/1.1\r\n",
	"Host: x\r\n", "host: x\r\n", "x-MiXeD: 1\r\n", "content-length: 3\r\n", "Content-Length: 0\r\n",
	"Transfer-Encoding: chunked\r\n", "transfer-encoding: CHUNKED \r\n", "Expect: 100-continue\r\n",
	"Connection: keep-alive\r\n", " folded\r\n", "Upgrade: ws\r\n", "\r\n", "\r\n", "\r\n",
	"abc", "3;e=1\r\nabc\r\n", "3 \r\nabc\r\n", "0\r\n\r\n", "0\r\nT: 1\r\n\r\n", "0\r\nT:\t\x80\r\n\r\n",
	"\n", "\r", " ", ":", ";", "\t", "1", "a",
}

// TestRecorderAgainstNetHTTP strings fragments together at random, splits
// the stream at random, and checks the recorder against net/http on each:
// the same heads however it is split, and only heads net/http reads there.
func TestRecorderAgainstNetHTTP(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var b []byte
		for range 3 + rng.IntN(30) {
			b = append(b, fragments[rng.IntN(len(fragments))]...)
		}
		heads, stopped := recordAll(t, b, func() int { return 1 + rng.IntN(16) })
		bytewise, bytewiseStopped := recordAll(t, b, single)
		if !slices.Equal(heads, bytewise) || stopped != bytewiseStopped {
			t.Fatalf("%q: split at random %q %v; byte by byte %q %v", b, heads, stopped, bytewise, bytewiseStopped)
		}
		checkNetHTTP(t, b, heads)
	}
}
