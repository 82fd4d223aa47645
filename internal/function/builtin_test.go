package function_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/function"
)

// TestEchoRuntime: a function on the built-in echo runtime runs in
// process, without code, and answers a Lambda proxy event with a 200 whose
// JSON body is that event; a payload that is not JSON is a function error.
func TestEchoRuntime(t *testing.T) {
	r, err := function.New(function.Options{Functions: []*tollgate.Function{{Name: "echo", Runtime: tollgate.EchoRuntime, Region: "us-east-1"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	if !r.Has("echo") {
		t.Fatal("the echo function is not there")
	}
	res, err := r.Invoke(context.Background(), "echo", []byte(`{"path":"/hello","headers":{"a":"b"}}`))
	if err != nil || res.FunctionError != "" || res.RequestID == "" {
		t.Fatalf("invoke: %+v, %v", res, err)
	}
	var out struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
	}
	if err := json.Unmarshal(res.Payload, &out); err != nil {
		t.Fatalf("payload %s: %v", res.Payload, err)
	}
	want := "{\n  \"path\": \"/hello\",\n  \"headers\": {\n    \"a\": \"b\"\n  }\n}\n"
	if out.StatusCode != 200 || out.Headers["Content-Type"] != "application/json" || out.Body != want {
		t.Errorf("answer %+v", out)
	}
	res, err = r.Invoke(context.Background(), "echo", []byte(`not json`))
	if err != nil || res.FunctionError != "Unhandled" {
		t.Errorf("a payload that is not JSON: %+v, %v", res, err)
	}
	if st := r.Stats("echo"); st.Invocations != 2 || st.Instances != 0 {
		t.Errorf("stats %+v", st)
	}
}
