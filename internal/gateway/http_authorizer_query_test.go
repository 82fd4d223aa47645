package gateway

import (
	"net/url"
	"testing"
)

// TestScanQuery: the one-pass read of a query string source.
func TestScanQuery(t *testing.T) {
	for _, c := range []struct {
		raw       string
		v         string
		n         int
		ambiguous bool
	}{
		{"", "", 0, false},
		{"token=a", "a", 1, false},
		{"x=1&token=a+b%21&y", "a b!", 1, false},
		{"t%6Fken=a", "a", 1, false},
		{"token", "", 1, false},
		{"token=a&token=b", "b", 2, false},
		{"x=1;y=2", "", 0, false},
		{"x=%zz", "", 0, false},
		{"x=1;token=FORGED&token=VALID", "", 0, true},
		{"token=VALID&x=1;token=FORGED", "", 1, true},
		{"token=a;x=1", "", 0, true},
		{"token=%zz", "", 0, true},
		{"token=a&x=%zz", "", 1, true},
		{"tok%zzen=a&token=b", "", 1, true},
	} {
		v, n, amb := scanQuery(c.raw, "token")
		if amb != c.ambiguous || (!amb && (v != c.v || n != c.n)) {
			t.Errorf("%q: %q %d %v, want %q %d %v", c.raw, v, n, amb, c.v, c.n, c.ambiguous)
		}
	}
}

// FuzzScanQuery: when scanQuery finds a query unambiguous, it reads the
// parameter as url.ParseQuery does (its last value, its count), and
// ParseQuery reported no error on a query naming it.
func FuzzScanQuery(f *testing.F) {
	for _, s := range []string{"token=a", "x=1;token=b&token=c", "token=%zz", "a=%41&token=b+c&token=d", "t%6fken=1", "&&token&="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, n, amb := scanQuery(raw, "token")
		if amb {
			return
		}
		q, err := url.ParseQuery(raw)
		vs := q["token"]
		if n != len(vs) || (n > 0 && v != vs[n-1]) {
			t.Fatalf("%q: %q %d, ParseQuery %q", raw, v, n, vs)
		}
		if n > 0 && err != nil {
			t.Fatalf("%q: ParseQuery %v on a query naming the key", raw, err)
		}
	})
}
