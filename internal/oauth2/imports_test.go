package oauth2

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the package doc's promise: the standard library and
// google/uuid only, so that every adapter speaking OAuth 2 can import it.
func TestImports(t *testing.T) {
	for path, file := range packageImports(t, ".") {
		if strings.Contains(strings.SplitN(path, "/", 2)[0], ".") && path != "github.com/google/uuid" {
			t.Errorf("%s imports %s", file, path)
		}
	}
}

// packageImports returns the imports of the non-test Go files in dir.
func packageImports(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			out[p] = name
		}
	}
	return out
}
