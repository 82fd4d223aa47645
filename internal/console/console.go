// Package console is Tollgate's admin console: server-rendered pages
// (html/template, embedded, no build step, no CDN) for pools and their
// resource servers and scopes, app clients and their secrets, signing
// keys, REST and HTTP APIs, API keys and usage plans, recent requests and
// a "try it" panel. It is a front end like the CLI and the management
// API: every read and write goes through domain.Service, never the store,
// and every change is audited with the operator who made it
// ("console:{access key id}" or "console:admin"). What only the running
// server knows (its APIs, its recent requests, a token and a call made
// through it) comes from the Backend the server gives.
//
// Security: sessions are cookies sealed with the master key (vault),
// HttpOnly, SameSite=Strict, Secure over HTTPS; every change needs the
// session's CSRF token and a same-origin request; pages carry a strict
// Content-Security-Policy with no inline script or style.
package console

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/reqlog"
	"github.com/tollgate/tollgate/internal/vault"
)

// Options configure a Console.
type Options struct {
	Domain  *domain.Service
	Backend Backend
	// Vault seals session cookies and flash messages.
	Vault *vault.Vault
	// Audit receives sign-ins, sign-outs and try-it calls (changes are
	// recorded by Domain).
	Audit *audit.Sink
	// Path is where the console is mounted, e.g. "/console" (no
	// trailing slash).
	Path string
	// LinkToken, if set, is the token of a sign-in link
	// ({Path}/signin/link?token=…) that signs in as LinkActor, an access
	// key id: what `tollgate dev` prints. Valid while the process runs.
	LinkToken string
	LinkActor string
	// SetupToken, if set, opens {Path}/setup?token=… to set the admin
	// password when none is set: what `serve` prints at its first start.
	SetupToken string
	// SessionTTL bounds a session's life from sign-in (DefaultSessionTTL
	// when 0); IdleTimeout ends a session unused that long
	// (DefaultIdleTimeout when 0).
	SessionTTL  time.Duration
	IdleTimeout time.Duration
	// SecureCookies makes the session cookie Secure with the __Secure-
	// prefix even on plain HTTP requests: for a console behind a proxy
	// that ends TLS (the public URL is https). Requests over TLS get them
	// anyway.
	SecureCookies bool
	Now           func() time.Time
	Logger        *slog.Logger
}

// Defaults of Options.
const (
	DefaultSessionTTL  = 8 * time.Hour
	DefaultIdleTimeout = time.Hour
	DefaultPath        = "/console"
)

// Backend is what the console needs of the running server.
type Backend interface {
	// PublicURL is the base URL clients reach the server at.
	PublicURL() string
	// Issuer returns the issuer URL of the pool id.
	Issuer(poolID string) string
	// Requests is this node's log of recent requests.
	Requests() *reqlog.Log
	// ConsoleAPIs returns the REST and HTTP APIs in service.
	ConsoleAPIs() []API
	// Try gets a token for a client and calls a route with it, through
	// the server's own token endpoint and gateway.
	Try(ctx context.Context, req TryRequest) TryResult
}

// API is an API in service, as the console shows it.
type API struct {
	*tollgate.RestAPI
	// BaseURLs are the URLs its stages are reached at here, by stage name.
	BaseURLs map[string]string
	// Source is where the APIs in service come from, in words:
	// `config "seed" (embedded in tollgate dev)`, `config file PATH` or
	// `stack NAME (PATH)`; "" when the server was not told.
	Source string
}

// TryRequest is a "try it" call: a token for ClientID (with Secret,
// for Scope), then Method Path of API's Stage with it.
type TryRequest struct {
	ClientID, Secret string
	Scope            string // space-separated; "" for all the client's
	APIID, Stage     string
	Method, Path     string // Path below the stage, e.g. "/items/1"
	// Route is the key of the declared route the call is meant for
	// ("GET /items/{id}"), to explain the gateway's decision.
	Route string
	Body  string
}

// TryStep is one HTTP exchange of a try.
type TryStep struct {
	Method, URL string
	Status      int
	Header      http.Header
	Body        string
	// Truncated is set when Body is only the first part of the answer's.
	Truncated bool
	Err       string // the exchange failed before an answer
}

// TryResult is what a try did and why.
type TryResult struct {
	Token TryStep
	// AccessToken is the token the first step got, "" when none.
	AccessToken string
	// Claims are its claims, decoded for display.
	Claims map[string]any
	Call   TryStep
	// Decision is the gateway's record of the call: route, client,
	// status, and the reason of a refusal.
	Decision reqlog.Entry
	// Verdict says the decision in words: "Allowed: …", "Refused
	// (reason): …", or "Not called: …" when no call was made.
	Verdict string
}

// Console serves the admin console.
type Console struct {
	opts Options
	mux  *http.ServeMux
	tmpl *templates
	log  *slog.Logger
	// guard is the sign-in's in-memory state: attempt counts per
	// (identity, address) and per address, and the password checks'
	// slots (auth_guard.go). Signed-out sessions are the domain's.
	guard *guard
}

// New returns the console; mount it at opts.Path:
// mux.Handle(opts.Path+"/", c).
func New(opts Options) (*Console, error) {
	if opts.Path == "" {
		opts.Path = DefaultPath
	}
	opts.Path = strings.TrimSuffix(opts.Path, "/")
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = DefaultSessionTTL
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	t, err := loadTemplates()
	if err != nil {
		return nil, err
	}
	c := &Console{opts: opts, mux: http.NewServeMux(), tmpl: t, log: opts.Logger, guard: newGuard()}
	c.routes()
	return c, nil
}

// ServeHTTP serves a request under the console's path.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	secureHeaders(w.Header())
	if r.URL.Path == c.opts.Path {
		http.Redirect(w, r, c.opts.Path+"/", http.StatusFound)
		return
	}
	http.StripPrefix(c.opts.Path, c.mux).ServeHTTP(w, r)
}

// routes registers every page. Each area of the console registers its
// own (pools.go, clients.go, …).
func (c *Console) routes() {
	c.mux.Handle("GET /static/", staticHandler())
	c.routesAuth()
	c.routesHome()
	c.routesPools()
	c.routesClients()
	c.routesAPIs()
	c.routesAPIKeys()
	c.routesRequests()
	c.routesTry()
	c.mux.HandleFunc("/", c.page(func(w http.ResponseWriter, r *http.Request) {
		c.notFound(w, r)
	}))
}

// page wraps a handler of a signed-in page: no session, the sign-in page;
// a change (any method but GET and HEAD), the CSRF check first. The
// handler's context carries the operator as the audit actor.
func (c *Console) page(h http.HandlerFunc) http.HandlerFunc {
	return c.requireSession(h)
}

// handle registers a signed-in page.
func (c *Console) handle(pattern string, h http.HandlerFunc) {
	c.mux.HandleFunc(pattern, c.page(h))
}
