package tollgate

import (
	"slices"
	"strings"
	"testing"
)

// TestRuntimeTable checks that each row of the runtime table is whole and
// says the same as its id: one row per id, the id begins with its family,
// the interpreted families name an interpreter and the version the id
// names, and the OS-only family neither.
func TestRuntimeTable(t *testing.T) {
	want := []string{
		"nodejs18.x", "nodejs20.x", "nodejs22.x",
		"python3.9", "python3.10", "python3.11", "python3.12", "python3.13",
		"provided.al2", "provided.al2023",
	}
	if got := RuntimeIDs(); !slices.Equal(got, want) {
		t.Errorf("RuntimeIDs() = %q, want %q", got, want)
	}
	echo, ok := LookupRuntime(EchoRuntime)
	if !ok || echo.Family != BuiltinFamily || echo.Interpreter != "" || echo.Handler != HandlerIgnored || (&Function{Runtime: EchoRuntime}).OSOnly() {
		t.Errorf("%s: %+v, %v", EchoRuntime, echo, ok)
	}
	seen := map[string]bool{}
	for _, id := range RuntimeIDs() {
		if seen[id] {
			t.Errorf("%s: two rows", id)
		}
		seen[id] = true
		rt, ok := LookupRuntime(id)
		if !ok || rt.ID != id {
			t.Fatalf("LookupRuntime(%q) = %+v, %v", id, rt, ok)
		}
		if !strings.HasPrefix(id, string(rt.Family)) {
			t.Errorf("%s: family %q is not its prefix", id, rt.Family)
		}
		osOnly := (&Function{Runtime: id}).OSOnly()
		switch rt.Family {
		case NodeJSFamily:
			if rt.Interpreter != "node" || rt.VersionPrefix != "v" || "nodejs"+rt.Version+".x" != id || rt.Handler != HandlerModuleExport || osOnly {
				t.Errorf("%s: %+v (OSOnly %v)", id, rt, osOnly)
			}
		case PythonFamily:
			if rt.Interpreter != "python3" || rt.VersionPrefix != "Python " || "python"+rt.Version != id || rt.Handler != HandlerModuleExport || osOnly {
				t.Errorf("%s: %+v (OSOnly %v)", id, rt, osOnly)
			}
		case OSOnlyFamily:
			if rt.Interpreter != "" || rt.Version != "" || rt.VersionPrefix != "" || rt.Handler != HandlerIgnored || !osOnly {
				t.Errorf("%s: %+v (OSOnly %v)", id, rt, osOnly)
			}
		default:
			t.Errorf("%s: unknown family %q", id, rt.Family)
		}
	}
	for _, id := range []string{"", "nodejs16.x", "python3", "provided", "provided.al2024", "java21"} {
		if rt, ok := LookupRuntime(id); ok {
			t.Errorf("LookupRuntime(%q) = %+v, want none", id, rt)
		}
		if (&Function{Runtime: id}).OSOnly() {
			t.Errorf("%q: OSOnly", id)
		}
	}
}
