package gateway

import (
	"bytes"
	"strings"
)

// normalizePath returns the path after the stage (raw, percent-encoded) as
// the gateway routes it and hands it to integrations, or ok false when the
// path is ambiguous and must be refused.
//
// A run of slashes right after the stage counts as one, as on API Gateway
// ("/prod//x" has the path "/x"); slashes further on are kept as sent.
// Percent-encoded unreserved characters are decoded (RFC 3986 §6.2.2.2:
// "%61dmin" and "admin" are the same path), so that a route's literal path
// parts cannot be dodged by spelling them differently, and the integration
// gets exactly the path that was matched and authorized.
//
// A path is ambiguous when some upstream could resolve it to a place the
// matched route does not grant: one of its segments is a dot segment
// ("." or ".."; RFC 3986 §5.2.4) once decoded as lenient servers do —
// percent-decoding repeated (double encoding: %252e), '\' and an encoded
// '/' or '\' taken as separators (%2F, %5C), ";params" cut off (Tomcat's
// "..;"), overlong UTF-8 and fullwidth forms of '.' and '/' folded — or it
// holds a NUL byte. Clients remove dot segments before sending, so only a
// crafted request has them; refusing is safer than resolving, since
// "/public/..%2Fadmin" matches "/public/{proxy+}" but an upstream that
// decodes %2F serves it from /admin.
func normalizePath(rest string) (string, bool) {
	if len(rest) > 1 && rest[1] == '/' {
		i := 1
		for i < len(rest) && rest[i] == '/' {
			i++
		}
		rest = rest[i-1:]
	}
	if strings.IndexByte(rest, '%') < 0 && strings.IndexByte(rest, '.') < 0 && strings.IndexByte(rest, '\\') < 0 {
		return rest, true
	}
	rest = decodeUnreserved(rest)
	if ambiguousPath(rest) {
		return "", false
	}
	return rest, true
}

// decodeUnreserved decodes the percent-encoded unreserved characters of p
// (ALPHA, DIGIT, "-", ".", "_", "~") and leaves every other escape as sent.
func decodeUnreserved(p string) string {
	i := strings.IndexByte(p, '%')
	if i < 0 {
		return p
	}
	var b []byte
	for ; i < len(p); i++ {
		if p[i] != '%' || i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
			if b != nil {
				b = append(b, p[i])
			}
			continue
		}
		c := unhex(p[i+1])<<4 | unhex(p[i+2])
		if !unreserved(c) {
			if b != nil {
				b = append(b, p[i:i+3]...)
			}
			i += 2
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(p)), p[:i]...)
		}
		b = append(b, c)
		i += 2
	}
	if b == nil {
		return p
	}
	return string(b)
}

// maxDecodeRounds bounds how often ambiguousPath percent-decodes: a path
// still holding escapes after that many rounds is refused.
const maxDecodeRounds = 4

// ambiguousPath reports whether lenient decoding of p (see normalizePath)
// yields a dot segment or a NUL byte.
func ambiguousPath(p string) bool {
	v := []byte(p)
	for round := 0; ; round++ {
		if hasDotOrNUL(v) {
			return true
		}
		if bytes.IndexByte(v, '%') < 0 {
			return false
		}
		next, changed := percentDecode(v)
		if !changed {
			return false
		}
		if round == maxDecodeRounds {
			return true
		}
		v = next
	}
}

// hasDotOrNUL splits v at '/' and '\' (and the overlong and fullwidth
// forms of both) and reports whether a segment, its ";params" cut off, is
// "." or "..", or v holds a NUL byte.
func hasDotOrNUL(v []byte) bool {
	dots, other := 0, false
	for i := 0; i <= len(v); i++ {
		sep, width := true, 1
		if i < len(v) {
			sep, width = separator(v[i:])
		}
		if sep {
			if !other && (dots == 1 || dots == 2) {
				return true
			}
			dots, other = 0, false
			i += width - 1
			continue
		}
		if v[i] == 0 {
			return true
		}
		if other {
			continue
		}
		if d, w := dot(v[i:]); d {
			dots++
			i += w - 1
			continue
		}
		if v[i] == ';' && dots > 0 {
			// "..;x" is ".." to servlet containers: skip to the separator.
			for i+1 < len(v) {
				if s, _ := separator(v[i+1:]); s {
					break
				}
				i++
			}
			continue
		}
		other = true
	}
	return false
}

// separator reports whether b starts with a path separator as some server
// reads it, and its length: '/', '\', overlong UTF-8 "/" (C0 AF) and "\"
// (C1 9C), and the fullwidth solidus and reverse solidus (U+FF0F, U+FF3C).
func separator(b []byte) (bool, int) {
	switch {
	case b[0] == '/' || b[0] == '\\':
		return true, 1
	case len(b) >= 2 && (b[0] == 0xC0 && b[1] == 0xAF || b[0] == 0xC1 && b[1] == 0x9C):
		return true, 2
	case len(b) >= 3 && b[0] == 0xEF && (b[1] == 0xBC && b[2] == 0x8F || b[1] == 0xBC && b[2] == 0xBC):
		return true, 3
	}
	return false, 1
}

// dot reports whether b starts with a '.' as some server reads it, and its
// length: '.', overlong UTF-8 (C0 AE, E0 80 AE) and the fullwidth full
// stop (U+FF0E).
func dot(b []byte) (bool, int) {
	switch {
	case b[0] == '.':
		return true, 1
	case len(b) >= 2 && b[0] == 0xC0 && b[1] == 0xAE:
		return true, 2
	case len(b) >= 3 && (b[0] == 0xE0 && b[1] == 0x80 && b[2] == 0xAE || b[0] == 0xEF && b[1] == 0xBC && b[2] == 0x8E):
		return true, 3
	}
	return false, 1
}

// percentDecode decodes every valid escape of v once; '+' is left alone
// (it is a space only in queries).
func percentDecode(v []byte) ([]byte, bool) {
	out := make([]byte, 0, len(v))
	changed := false
	for i := 0; i < len(v); i++ {
		if v[i] == '%' && i+2 < len(v) && isHex(v[i+1]) && isHex(v[i+2]) {
			out = append(out, unhex(v[i+1])<<4|unhex(v[i+2]))
			i += 2
			changed = true
			continue
		}
		out = append(out, v[i])
	}
	return out, changed
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
