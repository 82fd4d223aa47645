package function_test

import (
	"context"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/function"
)

// BenchmarkInvokeWarm is one warm invocation of a Node.js function: the
// hand-off to the instance, the Runtime API exchange (next, response) and
// the handler's round trip through node. Run with -cpu 1 and 2.
func BenchmarkInvokeWarm(b *testing.B) {
	needProgram(b, "node")
	dir := b.TempDir()
	writeFile(b, dir, "index.mjs", `export const handler = async (e) => ({statusCode: 200, body: e.path});`)
	r, _ := runner(b, function.Options{}, &tollgate.Function{Name: "f", Runtime: "nodejs22.x", Handler: "index.handler", CodeDir: dir})
	payload := []byte(`{"path":"/bench","httpMethod":"GET","headers":{"Accept":"*/*"}}`)
	if _, err := r.Invoke(context.Background(), "f", payload); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := r.Invoke(context.Background(), "f", payload)
			if err != nil || res.FunctionError != "" {
				b.Fatalf("%v %s", err, res.Payload)
			}
		}
	})
}
