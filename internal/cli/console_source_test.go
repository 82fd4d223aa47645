package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"
)

// The console says where the APIs in service come from: the template's
// stack, the config file, or dev's embedded seed.
func TestConsoleAPISource(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "shop.template.json")
	if err := os.WriteFile(file, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		dev  bool
		args []string
		want string
	}{
		{true, nil, `config "seed" (embedded in tollgate dev)`},
		{false, nil, ""},
		{true, []string{"--config", "apis.yaml"}, "config file apis.yaml"},
		{false, []string{"--config", "/etc/tollgate.yaml"}, "config file /etc/tollgate.yaml"},
		{false, []string{"--template", file}, "stack shop (" + file + ")"},
		{true, []string{"--template", dir, "--stack", "Shop"}, "stack Shop (" + dir + ")"},
		{false, []string{"--template", dir, "--stack", "Shop", "--stack-name", "ShopProd"}, "stack ShopProd (" + dir + ")"},
		{false, []string{"--template", dir}, "stack in " + dir},
	} {
		var f consoleFlags
		var tf templateFlags
		var config string
		cmd := &cobra.Command{Use: "serve"}
		f.register(cmd)
		tf.register(cmd)
		cmd.Flags().StringVar(&config, "config", "", "")
		if err := cmd.Flags().Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		f.dev = tc.dev
		if got := f.apiSource(); got != tc.want {
			t.Errorf("%v (dev %v): %q, want %q", tc.args, tc.dev, got, tc.want)
		}
	}
}
