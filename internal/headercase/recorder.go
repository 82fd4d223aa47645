package headercase

import (
	"bytes"
	"sync"
)

// Bounds on what one connection keeps. net/http refuses a head larger
// than MaxHeaderBytes+4096 (20 KiB for Tollgate) long before maxHead, and
// reads at most its 4 KiB buffer ahead of the request it serves: with
// Handler taking the heads, the queue holds at most what fits in 4 KiB
// (some 230 of the smallest requests) and one large head. Going beyond a
// bound means nobody takes the heads (no Handler), and the connection
// stops recording instead of growing.
const (
	maxHead        = 64 << 10 // request line and names of one head
	maxQueued      = 256      // heads recorded and not yet taken
	maxQueuedBytes = 64 << 10 // their bytes
)

// net/http's limits on a chunked body (net/http/internal/chunked.go and
// transfer.go). A chunk line net/http refuses makes the body fail, and
// net/http may then keep the connection, reading the next request from
// wherever it stopped; so the recorder must give up at or before every
// point where net/http fails, and these are a little below net/http's.
const (
	maxChunkLine  = 4000     // net/http: the line and CRLF fit its 4096-byte buffer
	maxTrailer    = 4000     // net/http: the trailer section fits the same buffer
	maxExcess     = 16 << 10 // net/http: "chunked encoding contains too much non-data"
	excessPerLine = 16       // overhead net/http allows per chunk
)

type state uint8

const (
	stLineStart    state = iota // before a request line
	stRequestLine               // in the request line
	stFieldStart                // at the start of a header line
	stFieldName                 // in a field name
	stFieldValue                // in a field value
	stHeadEnd                   // read the CR of the empty line ending the head
	stBody                      // in a Content-Length body
	stChunkLine                 // in a chunk-size line
	stChunkData                 // in chunk data
	stChunkEnd                  // at the CRLF after chunk data
	stTrailerStart              // at the start of a trailer line
	stTrailerName               // in a trailer field name
	stTrailerValue              // in a trailer field value
	stTrailerLF                 // read the CR ending a trailer line
	stTrailerEnd                // read the CR of the empty line ending the trailer section
	stStopped                   // out of step or out of HTTP/1.x: records nothing more
)

// fieldKind says which header fields the recorder reads the value of: those
// that frame the body, and Upgrade, after which the bytes are no longer
// HTTP/1.x.
type fieldKind uint8

const (
	fieldOther fieldKind = iota
	fieldContentLength
	fieldTransferEncoding
	fieldUpgrade
)

// chunkPhase is where in a chunk-size line the recorder is: the hex size,
// white space after it, or an extension (RFC 9112 §7.1.1).
type chunkPhase uint8

const (
	phaseSize chunkPhase = iota
	phaseSpace
	phaseExt
)

// head is one recorded request: s holds "method SP request-target", then
// the field names as sent, each preceded by its length (see nextName);
// line is the length of the first part.
type head struct {
	s    string
	line int
}

// matches reports whether h is the head of a request with this method and
// request-target, as net/http reports them (Request.Method, RequestURI).
func (h head) matches(method, target string) bool {
	return h.line == len(method)+1+len(target) &&
		h.s[:len(method)] == method && h.s[len(method)] == ' ' &&
		h.s[len(method)+1:h.line] == target
}

// names returns the field names part of h.
func (h head) names() string { return h.s[h.line:] }

// nextName splits the first name off a list of names. Each is preceded by
// its length in one byte, or 255 and two bytes (big-endian) for a name of
// 255 bytes or more, so that a lookup skips names without scanning them.
func nextName(s string) (name, rest string) {
	n, i := int(s[0]), 1
	if n == 255 {
		n, i = int(s[1])<<8|int(s[2]), 3
	}
	return s[i : i+n], s[i+n:]
}

// recorder follows the HTTP/1.x framing of the bytes a connection reads and
// queues the head of each request. Reads and takes come from different
// goroutines (net/http reads a byte in the background while a handler
// runs), so mu guards everything.
type recorder struct {
	mu sync.Mutex

	// cur is the names of the request being served, set by Handler and
	// read by Names on the goroutine serving it (not under mu).
	cur Sent

	st   state
	last byte   // previous byte of the current line, for CR checks across reads
	buf  []byte // the head being read: request line, then names
	line int    // length of "method SP request-target" in buf

	// The head being read.
	nameStart  int // where the current field name starts in buf
	kind       fieldKind
	val        [32]byte // the value of a framing field, leading white space skipped
	valLen     int
	http10     bool
	post       bool
	tunnel     bool // CONNECT or Upgrade: the bytes after this head are not HTTP/1.x
	clSeen     bool
	clBad      bool
	cl         int64
	clRaw      [32]byte // first Content-Length value, for comparing repeats
	clRawLen   int
	teCount    int
	teBad      bool
	skipCRLF   int    // CR or LF net/http skips before the next request line
	remaining  uint64 // bytes left in a Content-Length body or a chunk
	chunkPhase chunkPhase
	chunkLen   int // bytes of the chunk-size line, CRLF excluded
	hexDigits  int
	excess     int64
	trailerLen int
	chunkEndCR bool // read the CR after chunk data

	queue      []head
	queueFirst int
	queueBytes int
}

// feed follows p, the next bytes read from the connection.
func (r *recorder) feed(p []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(p) > 0 && r.st != stStopped {
		p = p[r.step(p):]
	}
}

// step consumes a prefix of p in the current state and returns its length.
func (r *recorder) step(p []byte) int {
	switch r.st {
	case stLineStart:
		return r.lineStart(p[0])
	case stRequestLine:
		return r.requestLine(p)
	case stFieldStart:
		return r.fieldStart(p[0])
	case stFieldName:
		return r.fieldName(p)
	case stFieldValue:
		return r.fieldValue(p)
	case stHeadEnd:
		if p[0] != '\n' {
			r.stop()
			return 1
		}
		r.endHead()
		return 1
	case stBody:
		n := uint64(len(p))
		n = min(n, r.remaining)
		r.remaining -= n
		if r.remaining == 0 {
			r.st = stLineStart
		}
		return int(n) //nolint:gosec // n <= len(p)
	case stChunkLine:
		return r.chunkLine(p)
	case stChunkData:
		n := min(uint64(len(p)), r.remaining)
		r.remaining -= n
		if r.remaining == 0 {
			r.st, r.chunkEndCR = stChunkEnd, false
		}
		return int(n) //nolint:gosec // n <= len(p)
	case stChunkEnd:
		r.chunkEnd(p[0])
		return 1
	default:
		return r.trailer(p)
	}
}

// stop ends recording for the connection: what it reads next is not
// HTTP/1.x, or not HTTP/1.x that the recorder is sure net/http frames the
// same way. Heads already queued stay: they belong to requests before this
// point, which net/http has read the same way.
func (r *recorder) stop() {
	r.st = stStopped
	r.buf = nil
}

// abandon stops recording and drops the queue: the recorder can no longer
// tell which request a queued head belongs to.
func (r *recorder) abandon() {
	r.stop()
	clear(r.queue)
	r.queue, r.queueFirst, r.queueBytes = nil, 0, 0
}

// lineStart skips the CR and LF bytes net/http skips after a POST (its
// conn.readRequest discards up to four, for old clients that send CRLF
// after a body; RFC 9112 §2.2), then starts the request line.
func (r *recorder) lineStart(c byte) int {
	if r.skipCRLF > 0 && (c == '\r' || c == '\n') {
		r.skipCRLF--
		return 1
	}
	r.skipCRLF = 0
	r.st = stRequestLine
	r.buf = r.buf[:0]
	return 0
}

// requestLine collects the request line up to its LF.
func (r *recorder) requestLine(p []byte) int {
	i := bytes.IndexByte(p, '\n')
	seg := p
	if i >= 0 {
		seg = p[:i]
	}
	if len(r.buf)+len(seg) > maxHead {
		r.stop()
		return len(p)
	}
	r.buf = append(r.buf, seg...)
	if i < 0 {
		return len(p)
	}
	r.endRequestLine()
	return i + 1
}

// endRequestLine checks the request line the way net/http splits it
// (method, request-target and version separated by single spaces) and
// keeps "method SP request-target" for matching. It stops on anything but
// HTTP/1.1 and HTTP/1.0: a bare LF (net/http accepts it, this does not
// follow it), the h2c preface "PRI * HTTP/2.0" (RFC 9113 §3.4), a request
// net/http refuses.
func (r *recorder) endRequestLine() {
	line := r.buf
	if len(line) == 0 || line[len(line)-1] != '\r' {
		r.stop()
		return
	}
	line = line[:len(line)-1]
	sp1 := bytes.IndexByte(line, ' ')
	if sp1 < 0 {
		r.stop()
		return
	}
	sp2 := bytes.IndexByte(line[sp1+1:], ' ')
	if sp2 < 0 {
		r.stop()
		return
	}
	sp2 += sp1 + 1
	switch string(line[sp2+1:]) {
	case "HTTP/1.1":
		r.http10 = false
	case "HTTP/1.0":
		r.http10 = true
	default:
		r.stop()
		return
	}
	method := line[:sp1]
	r.post, r.tunnel = string(method) == "POST", string(method) == "CONNECT"
	r.buf = line[:sp2]
	r.line = sp2
	r.clSeen, r.clBad, r.cl, r.clRawLen = false, false, 0, 0
	r.teCount, r.teBad = 0, false
	r.st = stFieldStart
}

// fieldStart begins a header line, or ends the head on an empty line. A
// line starting with white space is obsolete line folding (RFC 9112 §5.2),
// or on the first line an error: the recorder stops on both.
func (r *recorder) fieldStart(c byte) int {
	switch c {
	case '\r':
		r.st = stHeadEnd
		return 1
	case '\n', ' ', '\t':
		r.stop()
		return 1
	}
	r.buf = append(r.buf, 0) // the name's length, set at its end
	r.nameStart = len(r.buf)
	r.st = stFieldName
	return 0
}

// fieldName collects a field name up to its colon. A name must be a token
// (RFC 9110 §5.1); net/http refuses a request with any other name.
func (r *recorder) fieldName(p []byte) int {
	i := 0
	for i < len(p) && isToken(p[i]) {
		i++
	}
	if len(r.buf)+i+2 > maxHead {
		r.stop()
		return len(p)
	}
	r.buf = append(r.buf, p[:i]...)
	if i == len(p) {
		return i
	}
	name := r.buf[r.nameStart:]
	if p[i] != ':' || len(name) == 0 {
		r.stop()
		return len(p)
	}
	r.kind = kindOf(name)
	if r.kind == fieldUpgrade {
		r.tunnel = true
	}
	r.setNameLength()
	r.valLen, r.last = 0, ':'
	r.st = stFieldValue
	return i + 1
}

// setNameLength writes the length of the name just read before it (see
// nextName).
func (r *recorder) setNameLength() {
	n := len(r.buf) - r.nameStart
	if n < 255 {
		r.buf[r.nameStart-1] = byte(n) //nolint:gosec // n < 255
		return
	}
	r.buf[r.nameStart-1] = 255
	r.buf = append(r.buf, 0, 0)
	copy(r.buf[r.nameStart+2:], r.buf[r.nameStart:r.nameStart+n])
	// n < maxHead (64 KiB): two bytes hold it.
	r.buf[r.nameStart], r.buf[r.nameStart+1] = byte(n>>8), byte(n) //nolint:gosec // n < 1<<16
}

// kindOf says whether the recorder needs the value of the field name.
func kindOf(name []byte) fieldKind {
	switch {
	case len(name) == len("content-length") && equalFold(name, "content-length"):
		return fieldContentLength
	case len(name) == len("transfer-encoding") && equalFold(name, "transfer-encoding"):
		return fieldTransferEncoding
	case len(name) == len("upgrade") && equalFold(name, "upgrade"):
		return fieldUpgrade
	}
	return fieldOther
}

// fieldValue skips a field value up to its LF, keeping the value of
// Content-Length and Transfer-Encoding. Other values are not looked at: a
// value net/http refuses makes it refuse the request and close the
// connection, so nothing after it is read.
func (r *recorder) fieldValue(p []byte) int {
	i := bytes.IndexByte(p, '\n')
	seg := p
	if i >= 0 {
		seg = p[:i]
	}
	if r.kind == fieldContentLength || r.kind == fieldTransferEncoding {
		r.keepValue(seg)
	}
	if len(seg) > 0 {
		r.last = seg[len(seg)-1]
	}
	if i < 0 {
		return len(p)
	}
	if r.last != '\r' {
		r.stop() // bare LF
		return len(p)
	}
	r.endValue()
	r.st = stFieldStart
	return i + 1
}

// keepValue appends seg to the value being kept, skipping leading white
// space as net/http does. A value too long for val is marked by valLen
// beyond it.
func (r *recorder) keepValue(seg []byte) {
	for _, c := range seg {
		if r.valLen == 0 && (c == ' ' || c == '\t') {
			continue
		}
		if r.valLen < len(r.val) {
			r.val[r.valLen] = c
		}
		r.valLen++
	}
}

// endValue applies a Content-Length or Transfer-Encoding value with
// net/http's rules (net/http/transfer.go): Content-Length must be decimal
// digits, repeats must equal the first; Transfer-Encoding must occur once
// and be "chunked" (on HTTP/1.1; HTTP/1.0 ignores it).
func (r *recorder) endValue() {
	if r.kind != fieldContentLength && r.kind != fieldTransferEncoding {
		return
	}
	bad := r.valLen > len(r.val)
	v := r.val[:min(r.valLen, len(r.val))]
	if len(v) > 0 {
		v = v[:len(v)-1] // the CR, checked by the caller
	}
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	if r.kind == fieldTransferEncoding {
		r.teCount++
		r.teBad = r.teBad || bad || !equalFold(v, "chunked")
		return
	}
	switch {
	case bad:
		r.clBad = true
	case r.clSeen:
		r.clBad = r.clBad || !bytes.Equal(v, r.clRaw[:r.clRawLen])
	default:
		r.clSeen = true
		r.clRawLen = copy(r.clRaw[:], v)
		n, ok := parseDecimal(v)
		r.cl, r.clBad = n, !ok
	}
}

// parseDecimal parses a Content-Length as strconv.ParseUint(v, 10, 63)
// does for net/http.
func parseDecimal(v []byte) (int64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		if n > (1<<63-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// endHead queues the head just read and sets up reading its body, or stops
// where net/http would refuse the framing or the connection leaves
// HTTP/1.x.
func (r *recorder) endHead() {
	chunked := false
	if r.teCount > 0 && !r.http10 {
		if r.teCount != 1 || r.teBad {
			r.stop()
			return
		}
		chunked = true
	}
	if r.clBad {
		r.stop()
		return
	}
	r.push(head{s: string(r.buf), line: r.line})
	if r.st == stStopped {
		return
	}
	if r.tunnel {
		r.stop()
		return
	}
	r.skipCRLF = 0
	if r.post {
		r.skipCRLF = 4
	}
	switch {
	case chunked:
		r.excess = 0
		r.startChunk()
	case r.cl > 0:
		r.remaining, r.st = uint64(r.cl), stBody
	default:
		r.st = stLineStart
	}
	if cap(r.buf) > 4<<10 {
		r.buf = nil // do not keep a rare large head's buffer for the connection's life
	}
}

// push queues h, or abandons the connection's queue when nobody takes
// heads.
func (r *recorder) push(h head) {
	if len(r.queue)-r.queueFirst >= maxQueued || r.queueBytes+len(h.s) > maxQueuedBytes {
		r.abandon()
		return
	}
	r.queue = append(r.queue, h)
	r.queueBytes += len(h.s)
}

// take returns the names of the request with this method and
// request-target: the first queued head that matches it. Heads before it
// are of requests net/http answered without calling the handler (OPTIONS
// *). No match while still recording means the recorder is out of step:
// it abandons the connection rather than guess.
func (r *recorder) take(method, target string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.queueFirst < len(r.queue) {
		h := r.queue[r.queueFirst]
		r.queue[r.queueFirst] = head{}
		r.queueFirst++
		r.queueBytes -= len(h.s)
		if r.queueFirst == len(r.queue) {
			r.queue, r.queueFirst = r.queue[:0], 0
		}
		if h.matches(method, target) {
			return h.names(), true
		}
	}
	if r.st != stStopped {
		r.abandon()
	}
	return "", false
}

// startChunk starts a chunk-size line.
func (r *recorder) startChunk() {
	r.st = stChunkLine
	r.chunkPhase, r.chunkLen, r.hexDigits, r.remaining = phaseSize, 0, 0, 0
	r.last = 0
}

// chunkLine reads a chunk-size line (RFC 9112 §7.1: chunk-size
// [chunk-ext] CRLF) as net/http does: up to 16 hex digits, then white
// space or ';' and an extension it ignores; CR only before the LF.
func (r *recorder) chunkLine(p []byte) int {
	for i, c := range p {
		if r.last == '\r' {
			if c != '\n' {
				r.stop()
				return len(p)
			}
			r.endChunkLine()
			return i + 1
		}
		r.last = c
		switch c {
		case '\r':
			continue
		case '\n':
			r.stop()
			return len(p)
		}
		r.chunkLen++
		if r.chunkLen > maxChunkLine || !r.chunkByte(c) {
			r.stop()
			return len(p)
		}
	}
	return len(p)
}

// chunkByte takes one byte of a chunk-size line other than CR and LF and
// reports whether net/http would accept it there.
func (r *recorder) chunkByte(c byte) bool {
	switch r.chunkPhase {
	case phaseSize:
		if d, ok := hexValue(c); ok {
			if r.hexDigits == 16 {
				return false
			}
			r.remaining = r.remaining<<4 | uint64(d)
			r.hexDigits++
			return true
		}
		switch c {
		case ';':
			r.chunkPhase = phaseExt
		case ' ', '\t':
			r.chunkPhase = phaseSpace
		default:
			return false
		}
		return r.hexDigits > 0
	case phaseSpace:
		return c == ' ' || c == '\t'
	}
	return true
}

// endChunkLine starts the chunk's data, or the trailer section after the
// last chunk, applying net/http's limit on non-data bytes.
func (r *recorder) endChunkLine() {
	if r.hexDigits == 0 || r.remaining >= 1<<62 {
		r.stop()
		return
	}
	r.excess += int64(r.chunkLen) + 2
	r.excess -= excessPerLine + 2*int64(r.remaining)
	r.excess = max(r.excess, 0)
	if r.excess > maxExcess {
		r.stop()
		return
	}
	if r.remaining == 0 {
		r.st, r.trailerLen = stTrailerStart, 0
		return
	}
	r.st = stChunkData
}

// chunkEnd checks the CRLF that ends chunk data.
func (r *recorder) chunkEnd(c byte) {
	switch {
	case !r.chunkEndCR && c == '\r':
		r.chunkEndCR = true
	case r.chunkEndCR && c == '\n':
		r.startChunk()
	default:
		r.stop()
	}
}

// trailer reads the trailer section (RFC 9112 §7.1.2), stricter than
// net/http: CRLF line ends, token names, no folding, at most maxTrailer
// bytes. Its names are not recorded: they are not in Request.Header.
func (r *recorder) trailer(p []byte) int {
	for i, c := range p {
		r.trailerLen++
		if r.trailerLen > maxTrailer || !r.trailerByte(c) {
			r.stop()
			return len(p)
		}
		if r.st == stLineStart {
			return i + 1
		}
	}
	return len(p)
}

// trailerByte takes one byte of the trailer section and reports whether it
// is allowed there.
func (r *recorder) trailerByte(c byte) bool {
	switch r.st {
	case stTrailerStart:
		switch {
		case c == '\r':
			r.st = stTrailerEnd
		case isToken(c):
			r.st = stTrailerName
		default:
			return false
		}
	case stTrailerName:
		switch {
		case c == ':':
			r.st = stTrailerValue
		case !isToken(c):
			return false
		}
	case stTrailerValue:
		switch {
		case c == '\r':
			r.st = stTrailerLF
		case !isValueByte(c):
			return false
		}
	case stTrailerLF:
		if c != '\n' {
			return false
		}
		r.st = stTrailerStart
	case stTrailerEnd:
		if c != '\n' {
			return false
		}
		r.st = stLineStart
	}
	return true
}

// tokenTable marks the bytes of a token (RFC 9110 §5.6.2), the bytes
// net/http allows in a field name.
var tokenTable = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

func isToken(c byte) bool { return tokenTable[c] }

// isValueByte reports whether c may appear in a field value (RFC 9110
// §5.5: VCHAR, obs-text, SP and HTAB).
func isValueByte(c byte) bool {
	return c == ' ' || c == '\t' || (c >= 0x21 && c != 0x7f)
}

func hexValue(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// equalFold reports whether b equals the lower-case ASCII string lower,
// ignoring ASCII case.
func equalFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
