package gateway

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/tollgate/tollgate/internal/apigw"
)

// normalizePath returns the path after the stage (raw, percent-encoded) as
// the gateway routes it and hands it to integrations; lenient, the same
// path as the most lenient upstream would read it, for the gateway to check
// that this reading selects no route the request is not authorized for;
// and ok false when the path is ambiguous and must be refused.
//
// A run of slashes right after the stage counts as one, as on API Gateway
// ("/prod//x" has the path "/x"); slashes further on are kept as sent.
// Percent-encoded unreserved characters are decoded (RFC 3986 §6.2.2.2:
// "%61dmin" and "admin" are the same path), so that a route's literal path
// parts cannot be dodged by spelling them differently, and the integration
// gets exactly the path that was matched and authorized.
//
// The lenient reading (lenientPath) decodes every escape, repeatedly
// (double encoding), takes '\' and an encoded '/' or '\' as separators,
// folds Unicode compatibility forms (NFKC: fullwidth '．', '‥', …) and
// best-fit slashes, and cuts ";params", "?…" and "#…" off each segment, as
// servlet containers, IIS, and servers that decode before they route do.
// A path is ambiguous when that reading has a dot segment (RFC 3986
// §5.2.4; also "..." or ". .", which Windows trims to ".."), a NUL byte,
// bytes that are not UTF-8 (overlong forms of '.' and '/'), an IIS "%u"
// escape, or escapes nested deeper than maxDecodeRounds. Clients remove dot
// segments before sending, so only a crafted request has them; refusing is
// safer than resolving, since "/public/..%2Fadmin" matches
// "/public/{proxy+}" but an upstream that decodes %2F serves it from
// /admin.
func normalizePath(rest string) (path, lenient string, ok bool) {
	if len(rest) > 1 && rest[1] == '/' {
		i := 1
		for i < len(rest) && rest[i] == '/' {
			i++
		}
		rest = rest[i-1:]
	}
	if plainPath(rest) {
		return rest, rest, true
	}
	rest = decodeUnreserved(rest)
	lenient, ok = lenientPath(rest)
	if !ok {
		return "", "", false
	}
	return rest, lenient, true
}

// plainPath reports whether every reading of p is p itself: no escapes,
// dots, backslashes, parameters or bytes beyond ASCII.
func plainPath(p string) bool {
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '%', c == '.', c == '\\', c == ';', c >= utf8.RuneSelf:
			return false
		}
	}
	return true
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
		if p[i] != '%' || i+2 >= len(p) || !apigw.IsHex(p[i+1]) || !apigw.IsHex(p[i+2]) {
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

// maxDecodeRounds bounds how often lenientPath percent-decodes: a path
// still holding escapes after that many rounds is refused.
const maxDecodeRounds = 4

// bestFit maps the characters IIS's and .NET's best-fit conversions read
// as '/' or '\' but NFKC leaves alone.
var bestFit = strings.NewReplacer("\u2215", "/", "\u2044", "/", "\u29f8", "/", "\u2216", "/", "\u29f9", "/", "\\", "/")

// lenientPath returns p as the most lenient upstream reads it (see
// normalizePath), segments without their parameters, or ok false when
// that reading is ambiguous.
func lenientPath(p string) (string, bool) {
	v := p
	for round := 0; strings.IndexByte(v, '%') >= 0; round++ {
		if round == maxDecodeRounds || iisEscape(v) {
			return "", false
		}
		next := percentDecode(v)
		if next == v {
			break
		}
		v = next
	}
	if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
		return "", false
	}
	if !isASCII(v) {
		v = norm.NFKC.String(v)
	}
	v = bestFit.Replace(v)
	segs := strings.Split(v, "/")
	for i, s := range segs {
		if j := strings.IndexAny(s, ";?#"); j >= 0 {
			s = s[:j]
			segs[i] = s
		}
		if dotSegment(s) {
			return "", false
		}
	}
	return strings.Join(segs, "/"), true
}

// dotSegment reports whether a segment is "." or "..", or a run of dots and
// spaces that Windows trims to one ("...", ".. ").
func dotSegment(s string) bool {
	dots := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '.':
			dots++
		case ' ':
		default:
			return false
		}
	}
	return dots > 0
}

// iisEscape reports whether v holds a "%uXXXX" escape, which IIS decodes.
func iisEscape(v string) bool {
	for i := strings.IndexByte(v, '%'); i >= 0 && i+5 < len(v); {
		if (v[i+1] == 'u' || v[i+1] == 'U') && apigw.IsHex(v[i+2]) && apigw.IsHex(v[i+3]) && apigw.IsHex(v[i+4]) && apigw.IsHex(v[i+5]) {
			return true
		}
		j := strings.IndexByte(v[i+1:], '%')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// percentDecode decodes every valid escape of v once; '+' is left alone
// (it is a space only in queries).
func percentDecode(v string) string {
	out := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == '%' && i+2 < len(v) && apigw.IsHex(v[i+1]) && apigw.IsHex(v[i+2]) {
			out = append(out, unhex(v[i+1])<<4|unhex(v[i+2]))
			i += 2
			continue
		}
		out = append(out, v[i])
	}
	return string(out)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
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
