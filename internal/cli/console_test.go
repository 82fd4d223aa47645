package cli

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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

// TestConsoleFlagsCheck: where the console goes by default, and every bad
// --console, --console-path or duration refused with the flag's name.
func TestConsoleFlagsCheck(t *testing.T) {
	ok := consoleFlags{path: "/console", sessionTTL: time.Hour, idleTimeout: time.Hour}
	for _, tc := range []struct {
		name        string
		f           consoleFlags
		adminListen string
		dev         bool
		where       string // "" : refused
		refusal     string
	}{
		{name: "serve without an admin listener: off", f: ok, where: "off"},
		{name: "serve with one: admin", f: ok, adminListen: "127.0.0.1:9090", where: "admin"},
		{name: "dev: main", f: ok, dev: true, where: "main"},
		{name: "admin without a listener", f: with(ok, func(f *consoleFlags) { f.where = "admin" }), refusal: "--admin-listen"},
		{name: "unknown place", f: with(ok, func(f *consoleFlags) { f.where = "side" }), refusal: `--console "side"`},
		{name: "off skips the rest", f: consoleFlags{where: "off", path: "bad"}, where: "off"},
		{name: "relative path", f: with(ok, func(f *consoleFlags) { f.where, f.path = "main", "console" }), refusal: "--console-path"},
		{name: "root", f: with(ok, func(f *consoleFlags) { f.where, f.path = "main", "/" }), refusal: "--console-path"},
		{name: "dot segments", f: with(ok, func(f *consoleFlags) { f.where, f.path = "main", "/a/../console" }), refusal: "--console-path"},
		{name: "a query", f: with(ok, func(f *consoleFlags) { f.where, f.path = "main", "/console?x" }), refusal: "--console-path"},
		{name: "the token endpoint's", f: with(ok, func(f *consoleFlags) { f.where, f.path = "main", "/oauth2" }), refusal: "/oauth2 is Tollgate's own"},
		{name: "below the gateway's", f: with(ok, func(f *consoleFlags) { f.where, f.path = "main", "/APIs/console" }), refusal: "/apis is Tollgate's own"},
		{name: "a trailing slash is fine", f: with(ok, func(f *consoleFlags) { f.where, f.path = "main", "/admin/" }), where: "main"},
		{name: "no session TTL", f: with(ok, func(f *consoleFlags) { f.where, f.sessionTTL = "main", 0 }), refusal: "--console-session-ttl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			f.dev = tc.dev
			err := f.check(tc.adminListen)
			switch {
			case tc.where != "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.where != "" && f.where != tc.where:
				t.Errorf("--console settled as %q, want %q", f.where, tc.where)
			case tc.where == "" && (err == nil || !strings.Contains(err.Error(), tc.refusal)):
				t.Errorf("error %v, want one saying %q", err, tc.refusal)
			}
		})
	}
}

func with(f consoleFlags, change func(*consoleFlags)) consoleFlags {
	change(&f)
	return f
}

// TestDevConsoleListener: dev serves the console on a listener of its own
// beside --listen's (port + 1, or any free port when that one is taken or
// --listen's is 0), unless --console or --admin-listen says otherwise.
func TestDevConsoleListener(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port //nolint:forcetypeassert // a TCP listener's
	for _, tc := range []struct {
		name, listen, where, adminListen string
		want                             string
	}{
		{name: "beside a port 0", listen: "127.0.0.1:0", want: "127.0.0.1:0"},
		{name: "the next port taken", listen: "127.0.0.1:" + strconv.Itoa(port-1), want: "127.0.0.1:0"},
		{name: "--console main", listen: "127.0.0.1:0", where: "main", want: ""},
		{name: "--console off", listen: "127.0.0.1:0", where: "off", want: ""},
		{name: "--admin-listen", listen: "127.0.0.1:0", adminListen: "127.0.0.1:9090", want: "127.0.0.1:9090"},
		{name: "a bad --listen", listen: "nonsense", want: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := serveFlags{listen: tc.listen, adminListen: tc.adminListen}
			f.console.where = tc.where
			f.forDev()
			if f.adminListen != tc.want {
				t.Errorf("admin listener %q, want %q", f.adminListen, tc.want)
			}
		})
	}
	// A free next port is taken: find one, free it, and ask for the port
	// before it.
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	next := probe.Addr().(*net.TCPAddr).Port //nolint:forcetypeassert // a TCP listener's
	probe.Close()
	f := serveFlags{listen: "127.0.0.1:" + strconv.Itoa(next-1)}
	f.console.path, f.console.sessionTTL, f.console.idleTimeout = "/console", time.Hour, time.Hour
	f.forDev()
	if err := f.console.check(f.adminListen); err != nil || f.console.where != "admin" {
		t.Fatalf("dev's console: %q, %v; want admin", f.console.where, err)
	}
	if want := "127.0.0.1:" + strconv.Itoa(next); f.adminListen != want {
		t.Errorf("admin listener %q, want %s, the port after --listen's", f.adminListen, want)
	}
}
