package headercase

import (
	"net/http"
	"strings"
)

// Sent maps a request's canonical header names (the keys of
// Request.Header) to the names as the client sent them. The zero Sent
// knows nothing and returns canonical names.
type Sent struct {
	names string // the names as sent, in the order sent (see nextName)
	mode  mode
}

type mode uint8

const (
	modeCanonical mode = iota // nothing recorded
	modeRecorded
	modeLower // HTTP/2 and later: lower case by protocol
)

// Name returns the name the client sent for the canonical name (as a key of
// Request.Header, or "Host"), as spelt the first time it occurred; the
// lower-case name for HTTP/2; canonical itself when the name was not
// recorded.
func (s Sent) Name(canonical string) string {
	switch s.mode {
	case modeLower:
		return strings.ToLower(canonical)
	case modeCanonical:
		return canonical
	}
	for rest := s.names; rest != ""; {
		var name string
		name, rest = nextName(rest)
		if len(name) == len(canonical) && equalFoldString(name, canonical) {
			return name
		}
	}
	return canonical
}

// Handler returns h preceded by taking the recorded names of each HTTP/1.x
// request for Names. Wrap the server's whole handler with it: it must see
// every request the server hands to a handler, in order, whatever h does
// with them. The names are kept on the connection's recorder (net/http
// serves an HTTP/1.x connection's requests one at a time), so taking them
// costs no allocation and no copy of the request.
func Handler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor == 1 {
			if rec, ok := r.Context().Value(connKey{}).(*recorder); ok {
				rec.cur = Sent{}
				if names, ok := rec.take(r.Method, r.RequestURI); ok {
					rec.cur = Sent{names: names, mode: modeRecorded}
				}
			}
		}
		h.ServeHTTP(w, r)
	})
}

// Names returns the header names of r as sent: recorded for an HTTP/1.x
// request served through Handler, lower case for HTTP/2, canonical
// otherwise. It may be called any number of times, on the goroutine that
// serves r (the names are the connection's current request's).
func Names(r *http.Request) Sent {
	if r.ProtoMajor >= 2 {
		return Sent{mode: modeLower}
	}
	if rec, ok := r.Context().Value(connKey{}).(*recorder); ok {
		return rec.cur
	}
	return Sent{}
}

// equalFoldString reports whether a and b, of equal length, are equal
// ignoring ASCII case (field names are ASCII tokens).
func equalFoldString(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
