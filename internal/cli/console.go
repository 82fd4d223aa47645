package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/server"
	"github.com/tollgate/tollgate/internal/vault"
)

// consoleFlags are the admin console's flags, of serve and dev.
type consoleFlags struct {
	// where is --console: "admin" (on the admin listener), "main" (on a
	// path of the main listeners), "off", or "" (admin when there is an
	// admin listener; otherwise main for dev and off for serve).
	where       string
	path        string
	sessionTTL  time.Duration
	idleTimeout time.Duration
	// dev: signed in by the link dev prints.
	dev bool
	// linkToken is the token of dev's sign-in link, made at start
	// (devCommand).
	linkToken string
}

func (f *consoleFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.where, "console", "", "where the admin console is served: admin (on --admin-listen), main (on --listen's and --tls-listen's listeners, at --console-path), or off (default: admin when --admin-listen is given; otherwise main for dev and off for serve)")
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
	if !strings.HasPrefix(f.path, "/") || f.path == "/" || strings.ContainsAny(f.path, "?#{} ") {
		return reported(2, "--console-path %q: want a path like /console", f.path)
	}
	if f.sessionTTL <= 0 || f.idleTimeout <= 0 {
		return reported(2, "--console-session-ttl, --console-idle-timeout: want positive durations, e.g. 8h and 1h")
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
	}
	if f.dev {
		id, _, err := svc.FirstAccessKey(ctx, "tollgate dev")
		if err != nil {
			return fmt.Errorf("console: %w", err)
		}
		copts.LinkToken, copts.LinkActor = f.linkToken, id
	}
	opts.ConsolePath = copts.Path
	opts.ConsoleOnMain = f.where == "main"
	opts.Console = func(b console.Backend) (http.Handler, error) {
		copts.Backend = b
		return console.New(copts)
	}
	return nil
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
}
