package function_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/function"
)

// The invocation's Lambda-Runtime-Trace-Id (the runtime's _X_AMZN_TRACE_ID)
// continues the Root of the request's X-Amzn-Trace-Id, with a Parent of
// its own, as Lambda continues API Gateway's trace; without one it starts a
// Root (contract §6: runtimes set _X_AMZN_TRACE_ID from the header).
func TestRuntimeTraceID(t *testing.T) {
	needProgram(t, "node")
	dir := code(t, map[string]string{"index.mjs": `export const handler = async () => process.env._X_AMZN_TRACE_ID;`})
	r, _ := runner(t, function.Options{}, &tollgate.Function{Name: "f", Runtime: "nodejs22.x", Handler: "index.handler", CodeDir: dir})
	root := "Root=1-5759e988-bd862e3fe1be46a994272793"
	res, err := r.Invoke(function.WithTraceID(context.Background(), root+";Sampled=1"), "f", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Trim(string(res.Payload), `"`)
	if !regexp.MustCompile(`^` + root + `;Parent=[0-9a-f]{16};Sampled=0$`).MatchString(got) {
		t.Errorf("_X_AMZN_TRACE_ID = %q, want the caller's Root with a Parent", got)
	}
	res = invoke(t, r, "f", `{}`)
	if got := strings.Trim(string(res.Payload), `"`); !regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`).MatchString(got) || strings.HasPrefix(got, root) {
		t.Errorf("_X_AMZN_TRACE_ID without a caller's = %q", got)
	}
}
