package cli

import (
	"bufio"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/server"
	"github.com/tollgate/tollgate/internal/vault"
)

// consoleFlags are the admin console's flags, of serve and dev.
type consoleFlags struct {
	// where is --console: "admin" (on the admin listener), "main" (on a
	// path of the main listeners), "off", or "" (admin when there is an
	// admin listener, which dev makes itself: devAdminListen; otherwise
	// off for serve, and main for a dev that could make none).
	where       string
	path        string
	sessionTTL  time.Duration
	idleTimeout time.Duration
	// dev: signed in by the link dev prints.
	dev bool
	// linkToken is the token of dev's sign-in link, made at start
	// (devCommand).
	linkToken string
	// setup is the token of the link that sets the first admin
	// password, made at start when none is set (consoleOptions); a
	// pointer, so that the copies of the flags the server's start makes
	// share it.
	setup *string
	// flags are the command's flags: --config, --template, --stack and
	// --stack-name say where the APIs in service come from (apiSource).
	flags *pflag.FlagSet
}

func (f *consoleFlags) register(cmd *cobra.Command) {
	f.setup = new(string)
	fs := cmd.Flags()
	f.flags = fs
	fs.StringVar(&f.where, "console", "", "where the admin console is served: admin (on --admin-listen), main (on --listen's and --tls-listen's listeners, at --console-path), or off (default: admin when --admin-listen is given, and for dev, which then listens beside --listen on its port + 1; otherwise off for serve). main shares an origin with the APIs' path-style URLs: an API's HTML answer could act in the console with a signed-in operator's session, so use it only with APIs whose answers you trust")
	fs.StringVar(&f.path, "console-path", console.DefaultPath, "path of the admin console")
	fs.DurationVar(&f.sessionTTL, "console-session-ttl", console.DefaultSessionTTL, "how long a console session lasts from sign-in")
	fs.DurationVar(&f.idleTimeout, "console-idle-timeout", console.DefaultIdleTimeout, "how long an unused console session lasts")
}

// check settles where the console is served.
func (f *consoleFlags) check(adminListen string) error {
	switch f.where {
	case "":
		switch {
		case adminListen != "":
			f.where = "admin"
		case f.dev:
			f.where = "main"
		default:
			f.where = "off"
		}
	case "admin":
		if adminListen == "" {
			return reported(2, "--console admin: give --admin-listen too, or --console main to serve it on a path of the main listener")
		}
	case "main", "off":
	default:
		return reported(2, "--console %q: want admin, main or off", f.where)
	}
	if f.where == "off" {
		return nil
	}
	if err := checkConsolePath(f.path); err != nil {
		return err
	}
	if f.sessionTTL <= 0 || f.idleTimeout <= 0 {
		return reported(2, "--console-session-ttl, --console-idle-timeout: want positive durations, e.g. 8h and 1h")
	}
	return nil
}

// reservedPaths are served by Tollgate itself on the main listeners: a
// console there would hide them (or be hidden by the gateway).
var reservedPaths = []string{"/oauth2", "/apis", "/restapis", "/.well-known", "/healthz", "/readyz", "/metrics", "/2015-03-31"}

// checkConsolePath refuses a --console-path that is not a clean absolute
// path of its own: "/", a query or fragment, dot segments, or one of
// reservedPaths or below it.
func checkConsolePath(p string) error {
	clean := strings.TrimSuffix(p, "/")
	if !strings.HasPrefix(p, "/") || clean == "" || strings.ContainsAny(p, "?#{}% \t") || path.Clean(clean) != clean {
		return reported(2, "--console-path %q: want a clean path of its own, like /console", p)
	}
	for _, r := range reservedPaths {
		if strings.EqualFold(clean, r) || strings.HasPrefix(strings.ToLower(clean), r+"/") {
			return reported(2, "--console-path %q: %s is Tollgate's own; choose another path, like /console", p, r)
		}
	}
	return nil
}

// options sets the server's console options: the console over the
// domain, sealed with v.
func (a *app) consoleOptions(ctx context.Context, opts *server.Options, f *consoleFlags, st tollgate.Store, v *vault.Vault) error {
	if f.where == "off" {
		return nil
	}
	svc := a.domain(st, v)
	copts := console.Options{
		Domain: svc, Vault: v, Audit: a.audit, Path: strings.TrimSuffix(f.path, "/"),
		SessionTTL: f.sessionTTL, IdleTimeout: f.idleTimeout, Now: a.now, Logger: opts.Logger,
		// Behind a proxy that ends TLS the requests are plain HTTP, but
		// the browser's are HTTPS: the cookies must be Secure anyway.
		SecureCookies: strings.HasPrefix(strings.ToLower(opts.PublicURL), "https://"),
	}
	set, err := svc.AdminPasswordSet(ctx)
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	if !set && f.setup != nil {
		*f.setup = randomLinkToken()
		copts.SetupToken = *f.setup
	}
	if f.dev {
		id, _, err := svc.FirstAccessKey(ctx, "tollgate dev")
		if err != nil {
			return fmt.Errorf("console: %w", err)
		}
		copts.LinkToken, copts.LinkActor = f.linkToken, id
	}
	opts.ConsolePath = copts.Path
	opts.ConsoleAPISource = f.apiSource()
	opts.ConsoleOnMain = f.where == "main"
	opts.Console = func(b console.Backend) (http.Handler, error) {
		copts.Backend = b
		return console.New(copts)
	}
	return nil
}

// apiSource says where the APIs the server serves come from, as the
// console shows it (server.Options.ConsoleAPISource): the --template's
// stack, the --config file, or dev's embedded seed.
func (f *consoleFlags) apiSource() string {
	flag := func(name string) string {
		if f.flags == nil {
			return ""
		}
		if fl := f.flags.Lookup(name); fl != nil {
			return fl.Value.String()
		}
		return ""
	}
	if t := flag("template"); t != "" {
		name := cmp.Or(flag("stack-name"), flag("stack"))
		if name == "" {
			if st, err := os.Stat(t); err == nil && !st.IsDir() {
				// The template file's name, as template.Deploy names it.
				name, _, _ = strings.Cut(filepath.Base(t), ".")
			}
		}
		if name == "" {
			return "stack in " + t
		}
		return "stack " + name + " (" + t + ")"
	}
	if c := flag("config"); c != "" {
		return "config file " + c
	}
	if f.dev {
		return `config "seed" (embedded in tollgate dev)`
	}
	return ""
}

func randomLinkToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// printConsole prints where the console is, and for dev its sign-in
// link.
func printConsole(w interface{ Write([]byte) (int, error) }, srv *server.Server, f *consoleFlags) {
	u := srv.ConsoleURL()
	if u == "" {
		return
	}
	fmt.Fprintf(w, "Console:        %s\n", u)
	if f.linkToken != "" {
		fmt.Fprintf(w, "  sign in:      %ssignin/link?token=%s\n", u, f.linkToken)
	}
	if f.setup != nil && *f.setup != "" {
		// Once, at the first start: the link is good until a password is
		// set or the process ends.
		fmt.Fprintf(w, "  set the admin password (once): %ssetup?token=%s\n", u, *f.setup)
	}
}

// consoleCommand is `tollgate console`: the admin console's settings.
func (a *app) consoleCommand() *cobra.Command {
	return group("console", "Manage the admin console (served by serve and dev)", a.consolePassword())
}

// consolePassword sets or resets the admin console's password.
func (a *app) consolePassword() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "password [--password-file FILE]",
		Short: "Set or reset the admin console's password (read from standard input, or --password-file); sessions signed in with the old one end",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			pw, err := readPassword(cmd.InOrStdin(), file)
			if err != nil {
				return err
			}
			return a.onStoreAndVault(func(ctx context.Context, s *session, _ []string) error {
				if err := s.svc.SetAdminPassword(ctx, pw); err != nil {
					return err
				}
				fmt.Fprintln(a.stdout, "The admin console's password is set: sign in with it as admin.")
				return nil
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&file, "password-file", "", "file whose first line is the new password (default: standard input)")
	return cmd
}

// readPassword reads the first line of file, or of in when file is "",
// without its line ending.
func readPassword(in io.Reader, file string) (string, error) {
	if file != "" {
		f, err := os.Open(file) //nolint:gosec // the operator names their own file
		if err != nil {
			return "", err
		}
		defer f.Close()
		in = f
	}
	line, err := bufio.NewReader(io.LimitReader(in, domain.AdminPasswordMaxBytes+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", reported(2, "no password given: write it on standard input, or give --password-file")
	}
	return line, nil
}
