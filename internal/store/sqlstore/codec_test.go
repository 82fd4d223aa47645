package sqlstore

import (
	"encoding/json"
	"slices"
	"testing"
)

// FuzzDecodeStrings holds decodeStrings' fast path to encoding/json: where
// it decodes, it decodes the same strings, and anything it does not take
// still decodes as encoding/json does.
func FuzzDecodeStrings(f *testing.F) {
	for _, s := range []string{`[]`, `["a"]`, `["api/read","api/write"]`, `["a", "b"]`, `["a\"b"]`, `["\u00e9"]`,
		`["é"]`, `[""]`, `["a",]`, `[`, `null`, `["a""b"]`, `["a"`, `"a"]`, `[1]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want []string
		jsonErr := json.Unmarshal([]byte(s), &want)
		if got, ok := decodePlainStrings(s); ok {
			if jsonErr != nil {
				t.Fatalf("%q: fast path decoded %q, encoding/json refuses it: %v", s, got, jsonErr)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%q: fast path %q, encoding/json %q", s, got, want)
			}
		}
		got, err := decodeStrings(s)
		if (err != nil) != (jsonErr != nil) {
			t.Fatalf("%q: decodeStrings error %v, encoding/json %v", s, err, jsonErr)
		}
		if err == nil && want != nil && !slices.Equal(got, want) {
			t.Fatalf("%q: decodeStrings %q, encoding/json %q", s, got, want)
		}
	})
}
