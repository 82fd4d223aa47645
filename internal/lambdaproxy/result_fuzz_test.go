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
	fuzzResult(f, parseProxyResult, &tollgate.RestAPI{BinaryMediaTypes: []string{"image/png"}},
		`{"statusCode":200}`, `{"statusCode":"201","body":"x"}`, `null`, `"s"`, ``,
		`{"headers":{"a":true,"b":1.5,"c":null},"multiValueHeaders":{"a":["x",2]}}`,
		`{"isBase64Encoded":true,"body":"aGk=","headers":{"Content-Type":"image/png"}}`,
		`{"statusCode":200,"wrongValue":1}`, `{"multiValueHeaders":{"x":"v"}}`, `{"headers":{"x\r\n":"v\n"}}`,
	)
}

// FuzzHTTPResult does the same to payload 2.0's response mapping.
func FuzzHTTPResult(f *testing.F) {
	fuzzResult(f, parseHTTPResult, &tollgate.RestAPI{Protocol: tollgate.ProtocolHTTP},
		`{"statusCode":200}`, `{"statusCode":"201","body":"x","cookies":["a=1","b=2"]}`, `null`, `"s"`, ``, `1.5e3`,
		`{"body":"hi"}`, `{"statusCode":null,"body":"hi"}`, `[1,2]`, ` {"a":1} `, `{"statusCode":200,"cookies":"a=1"}`,
		`{"statusCode":200,"headers":{"a":true,"b":1.5,"c":null},"multiValueHeaders":{"a":["x",2]}}`,
		`{"statusCode":200,"isBase64Encoded":true,"body":"aGk="}`, `{"statusCode":200,"isBase64Encoded":true,"body":"!"}`,
		`{"statusCode":700}`, `{"statusCode":200,"headers":{"x\r\n":"v\n"}}`, `{"statusCode":200}{}`,
	)
}

// fuzzResult fuzzes parse and the answer it makes on api from the seeds.
func fuzzResult(f *testing.F, parse func([]byte) (*proxyResult, error), api *tollgate.RestAPI, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		res, err := parse(payload)
		if err != nil {
			return
		}
		if res.status < 100 || res.status > 599 {
			t.Fatalf("accepted status %d", res.status)
		}
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept", "image/png")
		inv := &gateway.Invocation{API: api}
		res.write(w, r, inv, kindOf(inv))
		if w.Code < 100 || w.Code > 599 {
			t.Fatalf("answered %d", w.Code)
		}
	})
}
