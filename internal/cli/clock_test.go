package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/vault"
)

// TestCommandsUseAppClock checks that what the administration commands
// stamp with the time comes from the app's clock, not from time.Now, on a
// real SQLite store in a temp dir.
func TestCommandsUseAppClock(t *testing.T) {
	at := time.Date(2031, time.March, 4, 5, 6, 7, 0, time.UTC)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "master.key")
	if err := os.WriteFile(keyFile, []byte(vault.EncodeKey(vault.NewKey())), 0o600); err != nil {
		t.Fatal(err)
	}
	global := []string{"--data", filepath.Join(dir, "data"), "--master-key-file", keyFile}
	run := func(t *testing.T, args ...string) string {
		t.Helper()
		var stdout, stderr strings.Builder
		a := newApp(&stdout, &stderr)
		a.now = func() time.Time { return at }
		if code := a.run(t.Context(), append(append([]string{}, global...), args...)); code != 0 {
			t.Fatalf("tollgate %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
		}
		return stdout.String()
	}
	run(t, "pools", "create", "orders")

	tests := []struct {
		name string
		args []string
		date func(out []byte) (time.Time, error)
	}{
		{"pool CreationDate", []string{"pools", "list", "--json"}, func(out []byte) (time.Time, error) {
			var pools []struct{ CreationDate time.Time }
			if err := json.Unmarshal(out, &pools); err != nil || len(pools) != 1 {
				return time.Time{}, fmt.Errorf("want one pool, got %s (%w)", out, err)
			}
			return pools[0].CreationDate, nil
		}},
		{"access key CreateDate", []string{"access-keys", "create", "--json"}, func(out []byte) (time.Time, error) {
			var key struct{ CreateDate time.Time }
			err := json.Unmarshal(out, &key)
			return key.CreateDate, err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.date([]byte(run(t, tt.args...)))
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(at) {
				t.Errorf("got %s, want the app's clock, %s", got, at)
			}
		})
	}
}
