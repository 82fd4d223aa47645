package tollgate_test

import (
	"errors"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/tollgate/tollgate"

// allowedImports lists, for each package, the packages of this module its
// non-test files may import. Dependencies point inward: the root package is
// the domain and imports only the standard library; adapters import the root
// and a few leaf packages, never each other; only the wiring packages
// (server, cli) combine adapters. A package missing from this table fails
// the test, so a new package must state its place.
var allowedImports = map[string][]string{
	".":                          {},
	"cmd/tollgate":               {"internal/cli"},
	"examples":                   {},
	"internal/vault":             {},
	"internal/apigw":             {"."},
	"internal/bearer":            {},
	"internal/oauth2":            {},
	"internal/sigv4":             {},
	"internal/audit":             {},
	"internal/audit/audittest":   {"internal/audit"},
	"internal/cognitoapi":        {".", "internal/audit", "internal/domain", "internal/sigv4", "internal/vault"},
	"internal/domain":            {".", "internal/audit", "internal/config", "internal/signer", "internal/vault"},
	"internal/catalog":           {"."},
	"internal/signer":            {".", "internal/audit", "internal/bearer", "internal/vault"},
	"internal/token":             {".", "internal/audit", "internal/bearer", "internal/dpop", "internal/limit", "internal/mtls", "internal/oauth2", "internal/replay", "internal/vault"},
	"internal/replay":            {},
	"internal/replay/replaytest": {"internal/replay", "internal/limit/limittest"},
	"internal/dpop":              {"internal/replay"},
	"internal/mtls":              {"."},
	"internal/registration":      {".", "internal/audit", "internal/oauth2"},
	"internal/limit":             {},
	"internal/limit/limittest":   {"internal/limit"},
	"internal/usage":             {"."},
	"internal/reqlog":            {},
	"internal/console":           {".", "internal/audit", "internal/buildinfo", "internal/domain", "internal/reqlog", "internal/vault"},
	"internal/config":            {".", "internal/apigw", "internal/vault"},
	"internal/template":          {".", "internal/apigw", "internal/config"},
	"internal/store/sqlstore":    {"."},
	"internal/store/storetest":   {".", "internal/vault"},
	"internal/gateway":           {".", "internal/apigw", "internal/bearer", "internal/oauth2", "internal/jwks", "internal/claimsheader", "internal/headerpolicy", "internal/limit", "internal/dpop", "internal/mtls", "internal/replay"},
	"internal/jwks":              {".", "internal/apigw", "internal/bearer"},
	"internal/proxy":             {".", "internal/apigw", "internal/gateway", "internal/headerpolicy"},
	"internal/lambdaproxy":       {".", "internal/gateway", "internal/headerpolicy", "internal/headercase"},
	"internal/headerpolicy":      {"internal/apigw"},
	"internal/claimsheader":      {},
	"internal/headercase":        {},
	"internal/buildinfo":         {},
	"internal/function":          {"."},
	"examples/go-function":       {},
	"internal/server":            {"*"},
	"internal/cli":               {"*"},
	"bench/tokenload":            {"bench/internal/procstat"},
	"bench/gateway":              {"*"},
	"bench/lambda":               {"bench/internal/procstat"},
	"bench/internal/procstat":    {},
	"bench/propagation":          {".", "internal/propagation", "bench/internal/pgschema"},
	"bench/cacheload":            {},
	"bench/limitload":            {"internal/limit"},
	"bench/limits":               {".", "bench/internal/procstat", "bench/internal/pgschema"},
	"bench/internal/pgschema":    {},

	// Test helpers shared by the function runner's tests and e2e.
	"internal/function/functest": {},
	// Test helpers of the tests that drive Tollgate with the AWS SDK.
	"internal/awstest": {},
	// Propagation across nodes, measured by e2e and bench/propagation.
	"internal/propagation": {".", "internal/awstest"},
}

// allowedModules lists, for each package, the third-party modules its
// non-test files may import (by module path); a package not listed may
// import the standard library only, unless it is a wiring package ("*" in
// allowedImports). The root package imports the standard library only.
var allowedModules = map[string][]string{
	"examples/go-function":       {"github.com/aws/aws-lambda-go"},
	"internal/awstest":           {},
	"internal/domain":            {"golang.org/x/crypto"},
	"internal/propagation":       {"github.com/aws/aws-sdk-go-v2"},
	"bench/internal/pgschema":    {"github.com/jackc/pgx/v5"},
	"internal/bearer":            {"github.com/go-jose/go-jose/v4"},
	"internal/signer":            {"github.com/go-jose/go-jose/v4"},
	"internal/oauth2":            {"github.com/google/uuid"},
	"internal/token":             {"github.com/google/uuid", "github.com/go-jose/go-jose/v4", "golang.org/x/sync"},
	"internal/replay":            {"github.com/redis/go-redis/v9"},
	"internal/replay/replaytest": {"github.com/redis/go-redis/v9"},
	"internal/dpop":              {"github.com/go-jose/go-jose/v4"},
	"internal/mtls":              {"github.com/go-jose/go-jose/v4"},
	"internal/registration":      {"github.com/go-jose/go-jose/v4"},
	"internal/function":          {"github.com/google/uuid", "golang.org/x/sys"},
	"internal/gateway":           {"golang.org/x/sync", "golang.org/x/text", "golang.org/x/time"},
	"internal/config":            {"github.com/goccy/go-yaml", "github.com/go-jose/go-jose/v4"},
	"internal/limit":             {"github.com/redis/go-redis/v9"},
	"internal/limit/limittest":   {},
	"internal/template":          {"github.com/goccy/go-yaml"},
	"internal/store/sqlstore":    {"github.com/jackc/pgx/v5", "github.com/pressly/goose/v3", "modernc.org/sqlite"},
	"internal/store/storetest":   {"github.com/google/go-cmp", "github.com/jackc/pgx/v5"},
}

// moduleAllowed reports whether package rel may import imp, a package of
// another module.
func moduleAllowed(rel, imp string) bool {
	if contains(allowedImports[rel], "*") {
		return true
	}
	for _, m := range allowedModules[rel] {
		if imp == m || strings.HasPrefix(imp, m+"/") {
			return true
		}
	}
	return false
}

func TestImportRules(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			var noGo *build.NoGoError
			if errors.As(err, &noGo) {
				return nil
			}
			return err
		}
		rel := filepath.ToSlash(path)
		if rel == "e2e" {
			return nil // tests only
		}
		allowed, ok := allowedImports[rel]
		if !ok {
			t.Errorf("package %s is not in allowedImports: add it with the module packages it may import", rel)
			return nil
		}
		if pkg.Doc == "" && pkg.Name != "main" {
			t.Errorf("package %s has no package doc (a doc.go saying what it owns and must not import)", rel)
		}
		for _, imp := range pkg.Imports {
			if imp != module && !strings.HasPrefix(imp, module+"/") {
				if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") && !moduleAllowed(rel, imp) {
					t.Errorf("%s imports %s: add its module to allowedModules if it belongs there", rel, imp)
				}
				continue
			}
			target := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
			if target == "" {
				target = "."
			}
			if !contains(allowed, "*") && !contains(allowed, target) {
				t.Errorf("%s imports %s, which its place in the architecture does not allow", rel, target)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// frontEnds are the packages that change the domain only through
// internal/domain: they may use the root's types, but never name the
// Store, so every read and write goes through domain.Service's rules and
// audit.
var frontEnds = []string{"internal/console"}

func TestFrontEndsNeverTouchTheStore(t *testing.T) {
	for _, dir := range frontEnds {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			root := ""
			for _, imp := range file.Imports {
				if imp.Path.Value == `"`+module+`"` {
					root = "tollgate"
					if imp.Name != nil {
						root = imp.Name.Name
					}
				}
			}
			if root == "" {
				continue
			}
			ast.Inspect(file, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == root && (sel.Sel.Name == "Store" || strings.HasSuffix(sel.Sel.Name, "Store")) {
					t.Errorf("%s: %s names %s.%s: a front end reads and writes through domain.Service", fset.Position(sel.Pos()), dir, root, sel.Sel.Name)
				}
				return true
			})
		}
	}
}
