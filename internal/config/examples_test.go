package config

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// examplePaths returns every examples/*/tollgate.yaml in the module.
func examplePaths(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "..", "examples", "*", "tollgate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no examples found")
	}
	return paths
}

// TestExamples keeps the examples users copy valid.
func TestExamples(t *testing.T) {
	for _, path := range examplePaths(t) {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			cfg, err := Load(path)
			if err != nil {
				t.Fatalf("%s:\n%v", path, err)
			}
			if len(cfg.UserPools) == 0 {
				t.Errorf("%s declares no user pool", path)
			}
		})
	}
}

// TestSeedExample checks that the seed example is the article's stack.
func TestSeedExample(t *testing.T) {
	got, err := Load(filepath.Join("..", "..", "examples", "seed", "tollgate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := Parse("seed.yaml", []byte(seedYAML))
	if err != nil {
		t.Fatal(err)
	}
	got.File = want.File
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("seed example (-article +example):\n%s", diff)
	}
}
