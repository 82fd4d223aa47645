package bearer

import (
	"encoding/json"
	"strings"
	"testing"
)

// countMembers must count what a JSON tokenizer sees as the object's
// members, whatever the strings and nesting hold.
func FuzzCountMembers(f *testing.F) {
	for _, s := range []string{`{}`, ` { } `, `{"a":1}`, `{"a":1,"a":2}`, `{"a\"":",","b":[1,{"c":2,"d":3}],"e":{}}`, `{"\\":"\\\\","x":"}"}`, "{\"a\" : 1 ,\n\"b\":\"\\u0022,\"}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(s), &m) != nil || m == nil {
			return
		}
		d := json.NewDecoder(strings.NewReader(s))
		if _, err := d.Token(); err != nil { // {
			t.Fatal(err)
		}
		n := 0
		for d.More() {
			if _, err := d.Token(); err != nil { // the name
				t.Fatal(err)
			}
			var v json.RawMessage
			if err := d.Decode(&v); err != nil {
				t.Fatal(err)
			}
			n++
		}
		if got := countMembers([]byte(s)); got != n {
			t.Fatalf("countMembers(%q) = %d, want %d", s, got, n)
		}
	})
}
