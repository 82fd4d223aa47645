package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/examples"
)

// A config's name is what keeps its objects apart from other configs' in
// one store: written, it is checked; left out, it comes from the file.
func TestParseName(t *testing.T) {
	checkProblems(t, "orders.yaml", "name: orders-prod.v2\nuserPools: []\n")
	checkProblems(t, "orders.yaml", "name: a/b # want name: invalid config name \"a/b\"\nuserPools: []\n")
	checkProblems(t, "orders.yaml", "name: \"stack:x\" # want name: invalid config name\nuserPools: []\n")
	checkProblems(t, "orders.yaml", "name: -lead # want name: want a letter or digit\nuserPools: []\n")
	checkProblems(t, "orders.yaml", "name: "+strings.Repeat("n", 129)+" # want name: at most 128\nuserPools: []\n")
	checkProblems(t, "orders.yaml", "name: [a] # want name: want a string\nuserPools: []\n")

	cfg, err := Parse("orders.yaml", []byte("name: billing\nuserPools: []\n"))
	if err != nil || cfg.Name != "billing" {
		t.Errorf("Name = %q, %v; want the name written, billing", cfg.Name, err)
	}
}

func TestNameOf(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ file, want string }{
		{"orders.yaml", "orders"},
		{"/etc/tollgate/orders.prod.yml", "orders.prod"},
		{"/srv/My Config (2).yaml", "My-Config--2-"},
		{"/srv/.hidden.yaml", "hidden"},
		{"/srv/ünï.yaml", "n--"},
		{"/srv/" + strings.Repeat("x", 200) + ".yaml", strings.Repeat("x", 128)},
		{"/srv/.yaml", "config"},
		// tollgate.yaml is every example's name, and the docs': such a
		// file is named after its directory.
		{"/home/ann/orders/tollgate.yaml", "orders"},
		{"../../examples/multi-api/tollgate.yml", "multi-api"},
		{"tollgate.yaml", filepath.Base(wd)},
		{"/tollgate.yaml", "tollgate"},
		{"", ""},
	} {
		if got := NameOf(tt.file); got != tt.want {
			t.Errorf("NameOf(%q) = %q, want %q", tt.file, got, tt.want)
		}
		if got := NameOf(tt.file); tt.file != "" && !NamePattern.MatchString(got) {
			t.Errorf("NameOf(%q) = %q, which is not a valid name", tt.file, got)
		}
	}
}

// `tollgate dev` without --config runs the embedded seed under the name
// of examples/seed/tollgate.yaml: "seed", wherever it runs. Its objects in
// a data directory carry that name, so it must not change.
func TestSeedName(t *testing.T) {
	cfg, err := Parse(examples.SeedPath, examples.Seed)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Name != "seed" {
		t.Errorf("the embedded seed is named %q, want seed", cfg.Name)
	}
}
