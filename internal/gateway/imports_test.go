package gateway_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the package doc's promise: beyond the standard library,
// the gateway imports the root package, bearer, oauth2, jwks,
// claimsheader, headerpolicy, limit, replay, dpop, mtls, x/text/unicode/norm,
// x/time/rate and x/sync/singleflight, and reaches the store, the signer, the server, the config
// and the integrations only through its own interfaces.
func TestImports(t *testing.T) {
	allowed := map[string]bool{
		"github.com/tollgate/tollgate":                       true,
		"github.com/tollgate/tollgate/internal/apigw":        true,
		"github.com/tollgate/tollgate/internal/bearer":       true,
		"github.com/tollgate/tollgate/internal/oauth2":       true,
		"github.com/tollgate/tollgate/internal/jwks":         true,
		"github.com/tollgate/tollgate/internal/claimsheader": true,
		"github.com/tollgate/tollgate/internal/headerpolicy": true,
		"github.com/tollgate/tollgate/internal/limit":        true,
		"github.com/tollgate/tollgate/internal/replay":       true,
		"github.com/tollgate/tollgate/internal/dpop":         true,
		"github.com/tollgate/tollgate/internal/mtls":         true,
		"golang.org/x/time/rate":                             true,
		"golang.org/x/sync/singleflight":                     true,
		"golang.org/x/text/unicode/norm":                     true,
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(strings.SplitN(p, "/", 2)[0], ".") && !allowed[p] {
				t.Errorf("%s imports %s", name, p)
			}
		}
	}
}
