package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/vault"
)

// TestConsolePassword: `tollgate console password` sets the admin
// password from a file's first line, and refuses a short one.
func TestConsolePassword(t *testing.T) {
	f := newCLIFixture(t)
	dir := t.TempDir()
	short := filepath.Join(dir, "short")
	good := filepath.Join(dir, "good")
	if err := os.WriteFile(short, []byte("tooshort\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, []byte("a long admin passphrase\r\nsecond line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := f.run(t, "console", "password", "--password-file", short); code == 0 || !strings.Contains(stderr, "at least 12 characters") {
		t.Fatalf("short: exit %d: %s", code, stderr)
	}
	if code, stdout, stderr := f.run(t, "console", "password", "--password-file", good); code != 0 || strings.Contains(stdout+stderr, "passphrase") {
		t.Fatalf("good: exit %d: %s %s", code, stdout, stderr)
	}
	st, err := sqlstore.Open(t.Context(), f.db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	var v *vault.Vault
	ok, _, err := domain.New(st, v, nil).CheckAdminPassword(t.Context(), "a long admin passphrase")
	if err != nil || !ok {
		t.Fatalf("check: %v %v", ok, err)
	}
}

func TestReadPassword(t *testing.T) {
	for in, want := range map[string]string{"pw\n": "pw", "pw\r\n": "pw", "pw": "pw", "a b\nc": "a b"} {
		got, err := readPassword(strings.NewReader(in), "")
		if err != nil || got != want {
			t.Errorf("readPassword(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := readPassword(strings.NewReader("\n"), ""); err == nil {
		t.Error("empty password read")
	}
}
