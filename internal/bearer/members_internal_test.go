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

// readString and readInt read what json.Unmarshal reads, and refuse what
// it refuses.
func FuzzReadClaim(f *testing.F) {
	for _, s := range []string{`"a"`, `"a\"b"`, `"\u00e9"`, "\"\xff\"", `null`, `1`, `-0`, `1.5`, `1e3`, `9223372036854775808`, `"1"`, `[]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(`{"v":`+s+`}`), &m) != nil || len(m) != 1 {
			return
		}
		v := m["v"]
		var gs, ws string
		if got, want := readString(v, &gs), json.Unmarshal(v, &ws) == nil; got != want || gs != ws {
			t.Fatalf("readString(%s) = %v %q, json %v %q", v, got, gs, want, ws)
		}
		var gi, wi int64
		if got, want := readInt(v, &gi), json.Unmarshal(v, &wi) == nil; got != want || gi != wi {
			t.Fatalf("readInt(%s) = %v %d, json %v %d", v, got, gi, want, wi)
		}
	})
}
