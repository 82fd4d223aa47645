package lambdaproxy

import (
	"net/http/httptest"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
)

// FuzzProxyResult feeds arbitrary function results to the response
// mapping: it never panics, and what it accepts is answered with a valid
// status.
func FuzzProxyResult(f *testing.F) {
	for _, s := range []string{
		`{"statusCode":200}`, `{"statusCode":"201","body":"x"}`, `null`, `"s"`, ``,
		`{"headers":{"a":true,"b":1.5,"c":null},"multiValueHeaders":{"a":["x",2]}}`,
		`{"isBase64Encoded":true,"body":"aGk=","headers":{"Content-Type":"image/png"}}`,
		`{"statusCode":200,"wrongValue":1}`, `{"multiValueHeaders":{"x":"v"}}`, `{"headers":{"x\r\n":"v\n"}}`,
	} {
		f.Add([]byte(s))
	}
	api := &tollgate.RestAPI{BinaryMediaTypes: []string{"image/png"}}
	f.Fuzz(func(t *testing.T, payload []byte) {
		res, err := parseProxyResult(payload)
		if err != nil {
			return
		}
		if res.status < 100 || res.status > 599 {
			t.Fatalf("accepted status %d", res.status)
		}
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept", "image/png")
		res.write(w, r, &gateway.Invocation{API: api}, false)
		if w.Code < 100 || w.Code > 599 {
			t.Fatalf("answered %d", w.Code)
		}
	})
}

// FuzzHTTPResult feeds arbitrary function results to payload 2.0's
// response mapping: it never panics, and what it accepts is answered with
// a valid status.
func FuzzHTTPResult(f *testing.F) {
	for _, s := range []string{
		`{"statusCode":200}`, `{"statusCode":"201","body":"x","cookies":["a=1","b=2"]}`, `null`, `"s"`, ``, `1.5e3`,
		`{"body":"hi"}`, `{"statusCode":null,"body":"hi"}`, `[1,2]`, ` {"a":1} `, `{"statusCode":200,"cookies":"a=1"}`,
		`{"statusCode":200,"headers":{"a":true,"b":1.5,"c":null},"multiValueHeaders":{"a":["x",2]}}`,
		`{"statusCode":200,"isBase64Encoded":true,"body":"aGk="}`, `{"statusCode":200,"isBase64Encoded":true,"body":"!"}`,
		`{"statusCode":700}`, `{"statusCode":200,"headers":{"x\r\n":"v\n"}}`, `{"statusCode":200}{}`,
	} {
		f.Add([]byte(s))
	}
	api := &tollgate.RestAPI{Protocol: tollgate.ProtocolHTTP}
	f.Fuzz(func(t *testing.T, payload []byte) {
		res, err := parseHTTPResult(payload)
		if err != nil {
			return
		}
		if res.status < 100 || res.status > 599 {
			t.Fatalf("accepted status %d", res.status)
		}
		w := httptest.NewRecorder()
		res.write(w, httptest.NewRequest("GET", "/", nil), &gateway.Invocation{API: api}, true)
		if w.Code < 100 || w.Code > 599 {
			t.Fatalf("answered %d", w.Code)
		}
	})
}
