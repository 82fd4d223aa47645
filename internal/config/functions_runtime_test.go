package config

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tollgate/tollgate"
)

// TestRuntimesAreTheTable checks that the runtimes the config accepts are
// exactly the rows of the domain's runtime table: every id of the table
// parses, with a handler when its rule wants one and without when it does
// not, and ids that are not in the table are refused.
func TestRuntimesAreTheTable(t *testing.T) {
	if diff := cmp.Diff(tollgate.RuntimeIDs(), Runtimes); diff != "" {
		t.Errorf("config.Runtimes is not the runtime table (-table +config):\n%s", diff)
	}
	for _, id := range Runtimes {
		rt, ok := tollgate.LookupRuntime(id)
		if !ok {
			t.Errorf("config accepts %q, which is not in the runtime table", id)
			continue
		}
		src := fmt.Sprintf("functions:\n  - {id: F, runtime: %s, handler: index.handler, code: .}\n", id)
		if _, err := Parse("test.yaml", []byte(src)); err != nil {
			t.Errorf("runtime %s: %v", id, err)
		}
		src = fmt.Sprintf("functions:\n  - {id: F, runtime: %s, code: .}\n", id)
		_, err := Parse("test.yaml", []byte(src))
		switch rt.Handler {
		case tollgate.HandlerModuleExport:
			if err == nil || !strings.Contains(err.Error(), "handler is required") {
				t.Errorf("runtime %s without a handler: %v, want handler is required", id, err)
			}
		case tollgate.HandlerIgnored:
			if err != nil {
				t.Errorf("runtime %s without a handler: %v", id, err)
			}
			if !(&Function{Runtime: id}).OSOnly() {
				t.Errorf("runtime %s: OSOnly is false", id)
			}
		default:
			t.Errorf("runtime %s: no handler rule", id)
		}
	}
	for _, id := range []string{
		"nodejs16.x", "nodejs22", "nodejs", "NODEJS22.X", "python3.8", "python3.14", "python3", "python",
		"provided", "provided.", "provided.al2024", "java21", "go1.x", "nodejs22.x ",
	} {
		if _, ok := tollgate.LookupRuntime(id); ok {
			t.Errorf("%q is in the runtime table", id)
		}
		src := fmt.Sprintf("functions:\n  - {id: F, runtime: %q, handler: index.handler, code: .}\n", id)
		if _, err := Parse("test.yaml", []byte(src)); err == nil || !strings.Contains(err.Error(), "unsupported runtime") {
			t.Errorf("runtime %q: %v, want unsupported runtime", id, err)
		}
		if (&Function{Runtime: id}).OSOnly() {
			t.Errorf("runtime %q: OSOnly is true", id)
		}
	}
}

// TestBuiltinRuntimeRefused: the built-in echo runtime is in the runtime
// table for `dev`'s own use, but a config naming it is refused exactly as
// a config naming an unknown runtime is.
func TestBuiltinRuntimeRefused(t *testing.T) {
	if rt, ok := tollgate.LookupRuntime(tollgate.EchoRuntime); !ok || rt.Family != tollgate.BuiltinFamily {
		t.Fatalf("the runtime table has no built-in %s: %+v", tollgate.EchoRuntime, rt)
	}
	parse := func(id string) string {
		src := fmt.Sprintf("functions:\n  - {id: F, runtime: %q, handler: index.handler, code: .}\n", id)
		_, err := Parse("test.yaml", []byte(src))
		if err == nil {
			t.Fatalf("runtime %q accepted", id)
		}
		return err.Error()
	}
	got := parse(tollgate.EchoRuntime)
	want := strings.ReplaceAll(parse("tollgate.unknown"), `"tollgate.unknown"`, `"`+tollgate.EchoRuntime+`"`)
	if got != want {
		t.Errorf("runtime %s: %s\nwant what an unknown runtime gets: %s", tollgate.EchoRuntime, got, want)
	}
	_, offered, _ := strings.Cut(got, "want one of")
	if !strings.Contains(got, `unsupported runtime "tollgate.echo"`) || strings.Contains(offered, tollgate.EchoRuntime) {
		t.Errorf("runtime %s: %s, want it refused and not offered", tollgate.EchoRuntime, got)
	}
}
