package proxy

import (
	"go/parser"
	gotoken "go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the package doc's promise: besides the standard
// library, proxy imports the root package, gateway (the Integration it
// implements, the Invocation it is handed, the gateway responses it
// writes) and headerpolicy only.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(gotoken.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(strings.SplitN(p, "/", 2)[0], ".") && p != "github.com/tollgate/tollgate" && p != "github.com/tollgate/tollgate/internal/apigw" && p != "github.com/tollgate/tollgate/internal/gateway" && p != "github.com/tollgate/tollgate/internal/headerpolicy" {
				t.Errorf("%s imports %s", name, p)
			}
		}
	}
}
