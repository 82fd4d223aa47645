package claimsheader_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/claimsheader"
)

// TestEncode checks the header's JSON for each case, byte for byte, and
// that it means what encoding/json's encoding of the same claims means
// (decoded back, in order): the two differ in bytes only where JSON allows
// it (encoding/json escapes <, >, &, U+2028 and U+2029, and writes \b, \f
// and lower-case hex, where Encode writes those as they are or as \u00XX),
// and for nil claims, which Encode writes as {}.
func TestEncode(t *testing.T) {
	many := map[string]string{}
	var manyJSON []string
	for i := range 20 { // more than Encode's 16 keys on the stack
		k := fmt.Sprintf("k%02d", i)
		many[k] = fmt.Sprint(i)
		manyJSON = append(manyJSON, fmt.Sprintf(`"%s":"%d"`, k, i))
	}
	for _, tc := range []struct {
		name   string
		claims map[string]string
		want   string // the JSON inside the base64url
	}{
		{"nil", nil, `{}`},
		{"empty", map[string]string{}, `{}`},
		{"one", map[string]string{"sub": "abc"}, `{"sub":"abc"}`},
		{"empty key and value", map[string]string{"": ""}, `{"":""}`},
		{"keys sorted",
			map[string]string{"token_use": "access", "scope": "default/default", "client_id": "c1", "iss": "https://issuer", "exp": "1700000000", "Z": "upper first"},
			`{"Z":"upper first","client_id":"c1","exp":"1700000000","iss":"https://issuer","scope":"default/default","token_use":"access"}`},
		{"keys sorted by bytes", map[string]string{"é": "1", "z": "2", "a": "3"}, `{"a":"3","z":"2","é":"1"}`},
		{"more keys than fit on the stack", many, "{" + strings.Join(manyJSON, ",") + "}"},
		{"quotes and backslashes", map[string]string{`k"\`: `say "hi" \o/`}, `{"k\"\\":"say \"hi\" \\o/"}`},
		{"control characters",
			map[string]string{"c": "\n\r\t\x00\x01\x08\x0c\x1b\x1f\x7f"},
			`{"c":"\n\r\t\u0000\u0001\u0008\u000C\u001B\u001F` + "\x7f" + `"}`},
		{"control characters in a key", map[string]string{"a\nb": "v"}, `{"a\nb":"v"}`},
		{"HTML characters", map[string]string{"html": `<a href='x'>&amp;</a>`}, `{"html":"<a href='x'>&amp;</a>"}`},
		{"line and paragraph separators", map[string]string{"s": "a\u2028b\u2029c"}, "{\"s\":\"a\u2028b\u2029c\"}"},
		{"multibyte UTF-8", map[string]string{"name": "Zoë €5 😀"}, `{"name":"Zoë €5 😀"}`},
		{"invalid UTF-8", map[string]string{"v": "a\xffb"}, `{"v":"a\ufffdb"}`},
		{"truncated sequence", map[string]string{"v": "\xe2\x82"}, `{"v":"\ufffd\ufffd"}`},
		{"encoded surrogate", map[string]string{"v": "\xed\xa0\x80"}, `{"v":"\ufffd\ufffd\ufffd"}`},
		{"overlong encoding", map[string]string{"v": "\xc0\xaf"}, `{"v":"\ufffd\ufffd"}`},
		{"invalid UTF-8 in a key", map[string]string{"k\xfe": "v"}, `{"k\ufffd":"v"}`},
		{"U+FFFD itself", map[string]string{"v": "\ufffd"}, "{\"v\":\"\ufffd\"}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := claimsheader.Encode(tc.claims)
			raw, err := base64.RawURLEncoding.Strict().DecodeString(got)
			if err != nil {
				t.Fatalf("Encode = %q, not unpadded base64url: %v", got, err)
			}
			if string(raw) != tc.want {
				t.Errorf("JSON\n got %s\nwant %s", raw, tc.want)
			}
			sameAsEncodingJSON(t, tc.claims, raw)
		})
	}
}

// FuzzEncode checks that Encode means what json.Marshal and
// base64.RawURLEncoding would give: canonical unpadded base64url of valid
// JSON whose members, decoded, are json.Marshal's, in the same order.
func FuzzEncode(f *testing.F) {
	f.Add("sub", "abc", "scope", "default/default", "token_use", "access")
	f.Add("", "", "a", "\x00\x1f\x7f", "b", `"\`)
	f.Add("html", "<script>&</script>", "sep", "\u2028\u2029", "é", "😀")
	f.Add("k\xff", "a\xffb", "k\xfe", "\xe2\x82", "\xed\xa0\x80", "\xc0\xaf")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3, v3 string) {
		claims := map[string]string{k1: v1, k2: v2, k3: v3}
		got := claimsheader.Encode(claims)
		raw, err := base64.RawURLEncoding.Strict().DecodeString(got)
		if err != nil {
			t.Fatalf("Encode = %q, not unpadded base64url: %v", got, err)
		}
		if canonical := base64.RawURLEncoding.EncodeToString(raw); got != canonical {
			t.Fatalf("Encode = %q, want %q", got, canonical)
		}
		if !json.Valid(raw) {
			t.Fatalf("invalid JSON %q", raw)
		}
		sameAsEncodingJSON(t, claims, raw)
	})
}

// sameAsEncodingJSON checks that the JSON object raw has the members of
// json.Marshal(claims), decoded, in the same order. (Distinct keys that are
// invalid UTF-8 may become the same key: both list it twice.)
func sameAsEncodingJSON(t *testing.T, claims map[string]string, raw []byte) {
	t.Helper()
	if claims == nil {
		claims = map[string]string{} // Encode(nil) is {}, where json.Marshal gives null
	}
	want, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	if w, g := members(t, want), members(t, raw); !slices.Equal(g, w) {
		t.Errorf("members of %s\n got %q\nwant %q (from json.Marshal: %s)", raw, g, w, want)
	}
}

// members decodes a JSON object of strings into its keys and values, in
// order: key, value, key, value...
func members(t *testing.T, data []byte) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(data)))
	var out []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("decode %s: %v", data, err)
		}
		switch tok := tok.(type) {
		case json.Delim:
		case string:
			out = append(out, tok)
		default:
			t.Fatalf("decode %s: unexpected %v", data, tok)
		}
	}
	return out
}

// BenchmarkEncode encodes an access token's claims, as the gateway does once
// per verified token, beside json.Marshal with base64, which gives the same
// claims in other bytes.
func BenchmarkEncode(b *testing.B) {
	claims := map[string]string{
		"sub": "3n4b5urk1ft4fl3mg5e62d9ado", "client_id": "3n4b5urk1ft4fl3mg5e62d9ado",
		"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab12Cd34E", "token_use": "access",
		"scope": "default/default", "auth_time": "1700000000", "exp": "1700003600", "iat": "1700000000",
		"jti": "8c0b7f2e-4c8e-4b43-9d0e-0a6b1f0c9d51", "version": "2",
	}
	b.Run("Encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			claimsheader.Encode(claims)
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			j, _ := json.Marshal(claims)
			base64.RawURLEncoding.EncodeToString(j)
		}
	})
}

func ExampleEncode() {
	v := claimsheader.Encode(map[string]string{"sub": "c1", "scope": "default/default"})
	fmt.Println(v)
	j, _ := base64.RawURLEncoding.DecodeString(v)
	fmt.Println(string(j))
	// Output:
	// eyJzY29wZSI6ImRlZmF1bHQvZGVmYXVsdCIsInN1YiI6ImMxIn0
	// {"scope":"default/default","sub":"c1"}
}
