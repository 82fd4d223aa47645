package function

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
)

// TestLaunchers checks that every interpreted family of the runtime table
// has a launcher that ships a bootstrap, and the OS-only family none (it
// runs the code directory's bootstrap).
func TestLaunchers(t *testing.T) {
	families := map[tollgate.RuntimeFamily]bool{}
	for _, id := range tollgate.RuntimeIDs() {
		rt, _ := tollgate.LookupRuntime(id)
		families[rt.Family] = true
		l, ok := launchers[rt.Family]
		switch {
		case rt.Family == tollgate.OSOnlyFamily:
			if ok {
				t.Errorf("%s: the OS-only family has a launcher", id)
			}
		case !ok:
			t.Errorf("%s: no launcher for family %q", id, rt.Family)
		case l.bootstrap == "" || len(l.content) == 0 || l.interpreter == nil || l.env == nil:
			t.Errorf("%s: launcher of family %q is not whole", id, rt.Family)
		}
	}
	for f := range launchers {
		if !families[f] {
			t.Errorf("launcher for family %q, which no runtime has", f)
		}
	}
}

// TestRuntimeForUnknown checks that a runtime outside the table is refused.
func TestRuntimeForUnknown(t *testing.T) {
	r := &Runner{}
	for _, id := range []string{"nodejs16.x", "python3.8", "provided.al2024", "java21"} {
		if _, err := r.runtimeFor(&tollgate.Function{Name: "f", Runtime: id}, t.TempDir()); err == nil {
			t.Errorf("runtime %s: no error", id)
		}
	}
}

// TestRuntimeForInterpreted checks what starts an instance of each
// interpreted family: the configured interpreter, its flags and the
// shipped bootstrap, AWS_EXECUTION_ENV and the family's variables.
func TestRuntimeForInterpreted(t *testing.T) {
	bin := t.TempDir()
	fake := func(name, version string) string {
		p := filepath.Join(bin, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\necho '"+version+"'\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	node, py := fake("node", "v22.1.0"), fake("python3", "Python 3.12.3")
	var log bytes.Buffer
	rtDir, code := t.TempDir(), "/code"
	r := &Runner{rtDir: rtDir, opts: Options{Node: node, Python: py, Logger: slog.New(slog.NewTextHandler(&log, nil))}}
	for _, tc := range []struct {
		runtime string
		want    runtime
		warn    bool
	}{
		{"nodejs22.x", runtime{
			argv:         []string{node, "--enable-source-maps", filepath.Join(rtDir, "node.mjs")},
			executionEnv: "AWS_Lambda_nodejs22.x",
			env:          []string{"NODE_PATH=/code/node_modules"},
		}, false},
		{"nodejs20.x", runtime{
			argv:         []string{node, "--enable-source-maps", filepath.Join(rtDir, "node.mjs")},
			executionEnv: "AWS_Lambda_nodejs20.x",
			env:          []string{"NODE_PATH=/code/node_modules"},
		}, true},
		{"python3.12", runtime{
			argv:         []string{py, "-u", filepath.Join(rtDir, "python.py")},
			executionEnv: "AWS_Lambda_python3.12",
			env:          []string{"PYTHONPATH=/code", "PYTHONDONTWRITEBYTECODE=1"},
		}, false},
		{"python3.9", runtime{
			argv:         []string{py, "-u", filepath.Join(rtDir, "python.py")},
			executionEnv: "AWS_Lambda_python3.9",
			env:          []string{"PYTHONPATH=/code", "PYTHONDONTWRITEBYTECODE=1"},
		}, true},
	} {
		log.Reset()
		got, err := r.runtimeFor(&tollgate.Function{Name: "f", Runtime: tc.runtime}, code)
		if err != nil {
			t.Fatalf("%s: %v", tc.runtime, err)
		}
		if !reflect.DeepEqual(*got, tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.runtime, *got, tc.want)
		}
		if warned := strings.Contains(log.String(), "version differs"); warned != tc.warn {
			t.Errorf("%s: version warning %v, want %v: %s", tc.runtime, warned, tc.warn, log.String())
		}
	}
}
