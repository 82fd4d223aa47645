package cli

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/function"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/replay"
	"github.com/tollgate/tollgate/internal/server"
	"github.com/tollgate/tollgate/internal/template"
	"github.com/tollgate/tollgate/internal/vault"
)

// serveFlags are the flags serve and dev share.
type serveFlags struct {
	listen, tlsListen, adminListen, publicURL, baseDomain string
	issuerURL                                             string
	pollInterval                                          time.Duration
	storeOutage                                           string        // --store-outage
	staleAfter                                            time.Duration // --store-outage-bound
	functionIdle                                          time.Duration
	// functionUser is --function-user (see functionUser).
	functionUser string
	// echoMissing answers a function whose interpreter (node, python3) is
	// not on this machine with the built-in echo runtime (tollgate.EchoRuntime) instead of
	// refusing to start (dev).
	echoMissing bool
	// privateJWKS lets jwks_uri be fetched from loopback and private
	// addresses (dev).
	privateJWKS bool
	// prune is --prune: the config may delete objects of its own that
	// hold secrets (config.ApplyOptions.Prune).
	prune bool
	// verifyCacheSize is --verify-cache-size; 0 turns the cache off.
	verifyCacheSize byteSize
	shutdownTimeout time.Duration
	// limits are where limits are counted (--redis).
	limits limitFlags
	// maxPlanKeys is --max-plan-key-labels.
	maxPlanKeys int
	// reload is what SIGHUP applies again: the --config or --template the
	// command was given (neither: SIGHUP does nothing), and whether a
	// change to it does the same (dev).
	reload reloadSource
	// mtls are the mutual-TLS listener's and the trusted proxy's flags.
	mtls mtlsFlags
	// replayCacheSize is --replay-cache-size.
	replayCacheSize    int
	replayCacheSizeEnv string
	// console is the admin console's flags (console.go).
	console consoleFlags
}

// mtlsFlags are where client certificates come from (RFC 8705): the
// mTLS listener, or a trusted TLS-terminating proxy's header.
type mtlsFlags struct {
	listen, certFile, keyFile, clientCAFile string
	trustedProxies                          []string
	clientCertHeader                        string
	// proxies are trustedProxies parsed (check).
	proxies []netip.Prefix
}

// DefaultReplayCacheSize is how many one-time identifiers (DPoP proofs'
// and client assertions' jti) a node remembers without --redis.
const DefaultReplayCacheSize = replay.DefaultMaxEntries

func (f *serveFlags) register(cmd *cobra.Command, defaultListen string) {
	fs := cmd.Flags()
	fs.StringVar(&f.listen, "listen", defaultListen, "HTTP listen address (host:port; port 0 picks a free one)")
	fs.StringVar(&f.adminListen, "admin-listen", "", "admin listen address for /metrics, /healthz and /readyz (keep it private)")
	fs.StringVar(&f.tlsListen, "tls-listen", "", "HTTPS listen address for custom domains (certificates chosen by SNI)")
	fs.StringVar(&f.publicURL, "public-url", "", "base URL clients reach this server at (default http://{listen address})")
	fs.StringVar(&f.issuerURL, "issuer-url", "", "base of every pool's issuer, {issuer-url}/{poolId}, stored for every node sharing the store; a different one replaces it (default: the stored one, else --public-url, stored by the first node given one, else http://{listen address})")
	fs.StringVar(&f.baseDomain, "base-domain", "localhost", "parent domain of prefix domains: {prefix}.auth.{region}.{base-domain}")
	fs.DurationVar(&f.pollInterval, "poll-interval", time.Second, "how often to look for changes made by other processes (CLI, other nodes); on PostgreSQL they are also told at once (LISTEN/NOTIFY)")
	fs.StringVar(&f.storeOutage, "store-outage", server.OutageServe, "when the store cannot be read for longer than --store-outage-bound: serve (from the last known state; revocations made elsewhere meanwhile are not seen) or refuse (503 on authorized gateway routes and the OAuth endpoints)")
	fs.DurationVar(&f.staleAfter, "store-outage-bound", server.DefaultStaleAfter, "how old the last confirmed view of the store may grow before --store-outage=refuse refuses")
	fs.DurationVar(&f.functionIdle, "function-idle-timeout", function.DefaultIdleTimeout, "how long an unused Lambda function instance is kept warm")
	fs.BoolVar(&f.prune, "prune", false, "with --config: delete what the config no longer declares even when it holds secrets (clients with secrets, pools with clients); without it such a start is refused and what would go is listed")
	f.verifyCacheSize = gateway.DefaultCacheBytes
	fs.Var(&f.verifyCacheSize, "verify-cache-size", "memory the gateway's cache of verified tokens may hold, e.g. 64MiB or 1GiB; 0 verifies every request's token anew")
	fs.DurationVar(&f.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long requests in flight may take to finish once asked to stop (SIGTERM, Ctrl-C); then their connections are closed")
	f.limits.register(cmd)
	fs.IntVar(&f.maxPlanKeys, "max-plan-key-labels", server.DefaultMaxPlanKeyLabels, "how many API keys get a key label of their own in tollgate_usage_plan_requests_total; further keys are counted as key=\"other\"")
	fs.StringVar(&f.mtls.listen, "mtls-listen", os.Getenv("TOLLGATE_MTLS_LISTEN"), "HTTPS listen address that asks clients for a certificate (RFC 8705 mutual TLS): the same endpoints and APIs as --listen, where tls_client_auth and self_signed_tls_client_auth clients get tokens and certificate-bound tokens are presented; pools with mtls advertise it as mtls_endpoint_aliases (env TOLLGATE_MTLS_LISTEN)")
	fs.StringVar(&f.mtls.certFile, "mtls-cert", os.Getenv("TOLLGATE_MTLS_CERT"), "PEM certificate (chain) of the --mtls-listen listener (env TOLLGATE_MTLS_CERT)")
	fs.StringVar(&f.mtls.keyFile, "mtls-key", os.Getenv("TOLLGATE_MTLS_KEY"), "PEM private key of --mtls-cert (env TOLLGATE_MTLS_KEY)")
	fs.StringVar(&f.mtls.clientCAFile, "mtls-client-ca", os.Getenv("TOLLGATE_MTLS_CLIENT_CA"), "PEM file of the CA certificates trusted to issue tls_client_auth clients' certificates (RFC 8705 §2.1); in dev it replaces the dev CA (env TOLLGATE_MTLS_CLIENT_CA)")
	fs.StringSliceVar(&f.mtls.trustedProxies, "trusted-proxy", splitList([]string{os.Getenv("TOLLGATE_TRUSTED_PROXY")}), "address range (CIDR, or one IP) of a TLS-terminating proxy whose --client-cert-header and X-Forwarded-Proto/Host are believed; repeatable. Requests from elsewhere never have them read (env TOLLGATE_TRUSTED_PROXY, comma-separated)")
	fs.StringVar(&f.mtls.clientCertHeader, "client-cert-header", os.Getenv("TOLLGATE_CLIENT_CERT_HEADER"), "request header in which a --trusted-proxy passes the client's certificate: Client-Cert (RFC 9440), or e.g. X-SSL-Client-Cert holding nginx's $ssl_client_escaped_cert (env TOLLGATE_CLIENT_CERT_HEADER)")
	f.console.register(cmd)
	f.replayCacheSizeEnv = os.Getenv("TOLLGATE_REPLAY_CACHE_SIZE")
	fs.IntVar(&f.replayCacheSize, "replay-cache-size", 0, fmt.Sprintf("how many DPoP proofs' and client assertions' jti this node remembers until they expire, without --redis (with it, Redis remembers them for every node); when full, new ones are refused until some expire (default %d, env TOLLGATE_REPLAY_CACHE_SIZE)", DefaultReplayCacheSize))
	fs.StringVar(&f.functionUser, "function-user", os.Getenv("TOLLGATE_FUNCTION_USER"), "who Lambda functions run as when Tollgate runs as root: a user, a uid, or a range FIRST-LAST of unused uids above 65535 for one uid per instance, FIRST reserved for the group that reads code copies (default "+defaultFunctionUser+"; without root, Tollgate's own user) (env TOLLGATE_FUNCTION_USER)")
}

func (a *app) serveCommand() *cobra.Command {
	var f serveFlags
	var configPath string
	var tf templateFlags
	var outputsJSON bool
	cmd := &cobra.Command{
		Use:   "serve [--config FILE | --template PATH]",
		Short: "Run the server on the store, applying a config file first if one is given",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			var cfg *config.Config
			var stack *stackRun
			switch {
			case configPath != "" && tf.path != "":
				return fmt.Errorf("--config and --template exclude each other: %w", exitError(2))
			case configPath != "":
				var err error
				if cfg, err = a.loadConfig(configPath); err != nil {
					return err
				}
			case tf.path != "":
				var err error
				if stack, err = a.loadTemplate(tf); err != nil {
					return err
				}
			}
			v, err := a.openVault()
			if err != nil {
				return err
			}
			f.reload = reloadSource{configPath: configPath, template: tf}
			return a.runServer(ctx, cfg, stack, v, f, func(srv *server.Server, _ *config.Config, res *config.Result, _ tollgate.Store, _ *vault.Vault) {
				if stack != nil {
					_ = printOutputs(output{a.stdout, outputsJSON}, stack.plan.Outputs(res, endpointsOf(srv)))
				}
				// Named, never shown (serve's output lands in logs); with
				// --json, on stderr, so that stdout stays one JSON document.
				if outputsJSON {
					nameNewAPIKeys(a.stderr, newAPIKeys(res))
				} else {
					nameNewAPIKeys(a.stdout, newAPIKeys(res))
				}
				fmt.Fprintf(a.stdout, "Tollgate is serving on %s (public URL %s)\n", srv.Addr(), srv.PublicURL())
				if t := srv.TLSAddr(); t != "" {
					fmt.Fprintf(a.stdout, "HTTPS for custom domains on %s\n", t)
				}
				if t := srv.AdminAddr(); t != "" {
					fmt.Fprintf(a.stdout, "Admin (metrics, health) on %s\n", t)
				}
				if t := srv.MTLSAddr(); t != "" {
					fmt.Fprintf(a.stdout, "Mutual TLS (RFC 8705) on %s (%s)\n", t, srv.MTLSBase())
				}
				printConsole(a.stdout, srv, &f.console)
			})
		},
	}
	f.register(cmd, "127.0.0.1:8080")
	cmd.Flags().StringVar(&configPath, "config", "", "config file to apply before serving (see examples/)")
	tf.register(cmd)
	cmd.Flags().BoolVar(&outputsJSON, "json", false, "print the template's outputs as JSON")
	return cmd
}

// endpointsOf says where srv serves a template's pools and APIs.
func endpointsOf(srv *server.Server) template.Endpoints {
	return template.Endpoints{PublicURL: srv.PublicURL(), Issuer: srv.Issuer}
}

// loadConfig loads and validates a config file; problems are printed one a
// line (file:line:col: path: message) and the command fails with exit 2.
func (a *app) loadConfig(path string) (*config.Config, error) {
	return a.loadConfigWith(path, nil)
}

// loadConfigWith is loadConfig with config.LoadWith's prepare step.
func (a *app) loadConfigWith(path string, prepare func(*config.Config) error) (*config.Config, error) {
	cfg, err := config.LoadWith(path, prepare)
	if err != nil {
		var probs config.Problems
		if errors.As(err, &probs) {
			fmt.Fprintln(a.stderr, probs.Error())
			return nil, reported(2, "%s: %d problem(s); nothing was started", path, len(probs))
		}
		return nil, err
	}
	return cfg, nil
}

// reportedError is an error whose message is all the user needs: it
// carries the exit code without printing "exit status N" after it.
type reportedError struct {
	msg  string
	code exitError
}

func (e *reportedError) Error() string { return e.msg }
func (e *reportedError) Unwrap() error { return e.code }

func reported(code int, format string, args ...any) error {
	return &reportedError{msg: fmt.Sprintf(format, args...), code: exitError(code)}
}

// runServer opens the store, applies cfg or deploys stack (if either),
// starts the server and calls ready, with the config applied, once it
// listens, then serves until ctx ends. SIGHUP (and, for dev, a change to
// the file: f.reload.watch) applies the config or template again and puts
// it in service without a restart (reload.go). Every way out, a failed
// start included, removes what the server made (its runtime directory).
func (a *app) runServer(ctx context.Context, cfg *config.Config, stack *stackRun, v *vault.Vault, f serveFlags, ready func(*server.Server, *config.Config, *config.Result, tollgate.Store, *vault.Vault)) error {
	if stack != nil && f.prune {
		return fmt.Errorf("--prune is for --config: a template's stack deletes what the template drops, as a stack update does: %w", exitError(2))
	}
	if err := f.check(); err != nil {
		return err
	}
	// From here on SIGHUP reloads, however early it comes; before, it
	// ends the process, which has made nothing yet.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	log := a.logger()
	fnUser, err := functionUser(f.functionUser, log)
	if err != nil {
		return err
	}
	lim, err := openLimiters(f.limits, log)
	if err != nil {
		return err
	}
	defer lim.Close()
	st, err := a.openStoreFor(ctx, v)
	if err != nil {
		return err
	}
	defer st.Close()
	ap, err := a.apply(ctx, st, v, cfg, stack, f, log)
	if err != nil {
		return a.pruneRefused(err)
	}
	opts := server.Options{
		Store: st, Vault: v, APIs: ap.apis, Functions: ap.fns, FunctionIdleTimeout: f.functionIdle, FunctionUser: fnUser,
		Listen: f.listen, TLSListen: f.tlsListen, AdminListen: f.adminListen, PublicURL: f.publicURL, IssuerURL: f.issuerURL, BaseDomain: f.baseDomain,
		PollInterval: f.pollInterval, StoreOutage: f.storeOutage, StaleAfter: f.staleAfter,
		VerifyCacheBytes: cmp.Or(int64(f.verifyCacheSize), -1), ShutdownTimeout: f.shutdownTimeout, Logger: log, Now: a.now, Audit: a.audit,
		Usage: newUsageRecorder(st, log), MaxPlanKeyLabels: f.maxPlanKeys,
		MTLSListen: f.mtls.listen, MTLSCertFile: f.mtls.certFile, MTLSKeyFile: f.mtls.keyFile, MTLSClientCAFile: f.mtls.clientCAFile,
		TrustedProxies: f.mtls.proxies, ClientCertHeader: f.mtls.clientCertHeader, AllowPrivateJWKSURI: f.privateJWKS,
	}
	lim.options(&opts)
	opts.Replay = newReplayCache(lim, f, a.now)
	srv, err := a.newServer(ctx, opts, &f.console, st, v)
	if err != nil {
		return err
	}
	defer srv.Close() // after a failed Listen; Serve cleans up itself
	if err := srv.Listen(); err != nil {
		return err
	}
	ready(srv, ap.cfg, ap.res, st, v)
	f.mtls.warnUnreachable(ap.cfg, log)
	log.Info("serving", "addr", srv.Addr(), "public_url", srv.PublicURL(), "tls_addr", srv.TLSAddr(), "mtls_addr", srv.MTLSAddr())
	rl := &reloader{a: a, st: st, v: v, f: f, srv: srv, log: log, running: ap}
	stopReloads := rl.run(ctx, hup)
	err = srv.Serve(ctx)
	stopReloads()
	log.Info("stopped")
	return err
}

// newServer builds the server of opts with the console of cf.
func (a *app) newServer(ctx context.Context, opts server.Options, cf *consoleFlags, st tollgate.Store, v *vault.Vault) (*server.Server, error) {
	if err := a.consoleOptions(ctx, &opts, cf, st, v); err != nil {
		return nil, err
	}
	return server.New(ctx, opts)
}

// newReplayCache returns the cache of DPoP proofs' and client assertions'
// jti: in the limiter's Redis, under --redis-prefix, when limits are
// shared there (a proof replayed to another node is refused too), else in
// this process (--replay-cache-size).
func newReplayCache(lim *limiters, f serveFlags, now func() time.Time) replay.Cache {
	if r, ok := lim.shared.(*limit.Redis); ok {
		c := replay.NewRedis(r.Client(), f.limits.redisPrefix+"j:")
		c.Now = now
		return c
	}
	c := replay.NewLocal(f.replayCacheSize)
	c.Now = now
	return c
}

// check validates the flags runServer checks before it opens anything.
func (f *serveFlags) check() error {
	if f.maxPlanKeys <= 0 {
		return reported(2, "--max-plan-key-labels %d: want a positive number, e.g. %d", f.maxPlanKeys, server.DefaultMaxPlanKeyLabels)
	}
	if f.shutdownTimeout <= 0 {
		return reported(2, "--shutdown-timeout %s: want a positive duration, e.g. 10s", f.shutdownTimeout)
	}
	poll := f.pollInterval
	if poll <= 0 {
		poll = time.Second // the catalog's default
	}
	if err := server.CheckOutage(f.storeOutage, f.staleAfter, poll); err != nil {
		return reported(2, "--store-outage, --store-outage-bound: %v", err)
	}
	if err := f.checkReplayCacheSize(); err != nil {
		return err
	}
	if err := f.console.check(f.adminListen); err != nil {
		return err
	}
	return f.mtls.check()
}

// checkReplayCacheSize settles --replay-cache-size: the flag, else
// TOLLGATE_REPLAY_CACHE_SIZE, else DefaultReplayCacheSize.
func (f *serveFlags) checkReplayCacheSize() error {
	if f.replayCacheSize == 0 && f.replayCacheSizeEnv != "" {
		n, err := strconv.Atoi(f.replayCacheSizeEnv)
		if err != nil {
			return reported(2, "TOLLGATE_REPLAY_CACHE_SIZE %q: want a positive number, e.g. %d", f.replayCacheSizeEnv, DefaultReplayCacheSize)
		}
		f.replayCacheSize = n
	} else if f.replayCacheSize == 0 {
		f.replayCacheSize = DefaultReplayCacheSize
	}
	if f.replayCacheSize <= 0 {
		return reported(2, "--replay-cache-size %d: want a positive number, e.g. %d", f.replayCacheSize, DefaultReplayCacheSize)
	}
	return nil
}

// check validates the mTLS flags: the listener needs its certificate and
// key, which must load, and its client CA file must hold certificates;
// the certificate flags are for the listener; a trusted proxy is an
// address range; the header is a header name, and read only from a
// trusted proxy.
// warnUnreachable logs, at start, the config's clients that cannot
// authenticate with these flags: mutual-TLS clients when no request can
// carry a client certificate (no --mtls-listen, no --trusted-proxy with a
// --client-cert-header), tls_client_auth clients without trust anchors
// (--mtls-client-ca). Their token requests would fail one by one with
// the cause only in the log.
func (f *mtlsFlags) warnUnreachable(cfg *config.Config, log *slog.Logger) {
	if cfg == nil {
		return
	}
	certs := f.listen != "" || len(f.proxies) > 0 && f.clientCertHeader != ""
	for _, p := range cfg.UserPools {
		for _, c := range p.Clients {
			name := cmp.Or(c.UserPoolClientName, c.ID)
			switch m := c.TokenEndpointAuthMethod; {
			case (m == tollgate.AuthTLSClient || m == tollgate.AuthSelfSignedTLSClient || c.TLSClientCertificateBoundAccessTokens) && !certs:
				log.Warn("a client needs a TLS client certificate, which no request can carry: give --mtls-listen, or --trusted-proxy and --client-cert-header",
					"pool", p.ID, "client", name)
			case m == tollgate.AuthTLSClient && f.clientCAFile == "":
				log.Warn("a tls_client_auth client cannot authenticate without trust anchors: give --mtls-client-ca",
					"pool", p.ID, "client", name)
			}
		}
	}
}

func (f *mtlsFlags) check() error {
	if f.listen == "" {
		for _, fl := range []struct{ name, value string }{{"--mtls-cert", f.certFile}, {"--mtls-key", f.keyFile}, {"--mtls-client-ca", f.clientCAFile}} {
			if fl.value != "" {
				return reported(2, "%s is for --mtls-listen, which is not given", fl.name)
			}
		}
	} else {
		if f.certFile == "" || f.keyFile == "" {
			return reported(2, "--mtls-listen %s needs --mtls-cert and --mtls-key: the listener's certificate and its key (tollgate dev makes them)", f.listen)
		}
		if _, err := tls.LoadX509KeyPair(f.certFile, f.keyFile); err != nil {
			return reported(2, "--mtls-cert %s, --mtls-key %s: %v", f.certFile, f.keyFile, err)
		}
		if f.clientCAFile != "" {
			b, err := os.ReadFile(f.clientCAFile)
			if err != nil {
				return reported(2, "--mtls-client-ca: %v", err)
			}
			if !x509.NewCertPool().AppendCertsFromPEM(b) {
				return reported(2, "--mtls-client-ca %s: no PEM certificate in it", f.clientCAFile)
			}
		}
	}
	f.proxies = f.proxies[:0]
	for _, s := range f.trustedProxies {
		s = strings.TrimSpace(s)
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return reported(2, "--trusted-proxy %q: want an address range such as 10.0.0.0/8 or one address", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		f.proxies = append(f.proxies, p.Masked())
	}
	if h := f.clientCertHeader; h != "" {
		if !validHeaderName(h) {
			return reported(2, "--client-cert-header %q: want a header name such as Client-Cert", h)
		}
		if len(f.proxies) == 0 {
			return reported(2, "--client-cert-header %s needs --trusted-proxy: the header is read only from the proxies that set it, never from clients", h)
		}
	}
	return nil
}

// validHeaderName reports whether s is an HTTP field name (RFC 9110 §5.1,
// a token).
func validHeaderName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && strings.IndexByte("!#$%&'*+-.^_`|~", c) < 0 {
			return false
		}
	}
	return s != ""
}

// applied is what a config or a template put in the store, and what the
// server serves of it.
type applied struct {
	cfg  *config.Config
	res  *config.Result
	apis []*tollgate.RestAPI
	fns  []*tollgate.Function
}

// apply applies cfg or deploys stack (if either) and builds the APIs and
// functions the server serves: at start and at each reload.
func (a *app) apply(ctx context.Context, st tollgate.Store, v *vault.Vault, cfg *config.Config, stack *stackRun, f serveFlags, log *slog.Logger) (*applied, error) {
	ap := &applied{cfg: cfg}
	var err error
	if stack != nil {
		if ap.res, err = a.deployStack(ctx, st, v, stack, log); err != nil {
			return nil, err
		}
		ap.cfg = stack.plan.Config
	} else if cfg != nil {
		if ap.res, err = a.applyConfig(ctx, st, v, cfg, config.ApplyOptions{Prune: f.prune}, log); err != nil {
			return nil, err
		}
	}
	if ap.cfg != nil {
		if ap.apis, err = ap.cfg.BuildRestAPIs(ap.res); err != nil {
			return nil, err
		}
		ap.fns = ap.cfg.BuildFunctions()
		if f.echoMissing {
			ap.fns = a.echoMissing(ap.fns)
		}
	}
	return ap, nil
}

// echoMissing returns the functions with those whose interpreter is not
// on this machine moved to the built-in echo runtime
// (tollgate.EchoRuntime), and says so for each.
func (a *app) echoMissing(fns []*tollgate.Function) []*tollgate.Function {
	out := make([]*tollgate.Function, len(fns))
	for i, fn := range fns {
		out[i] = fn
		rt, ok := tollgate.LookupRuntime(fn.Runtime)
		if !ok || rt.Interpreter == "" {
			continue // an OS-only runtime runs the code's own bootstrap
		}
		if _, err := exec.LookPath(rt.Interpreter); err != nil {
			echo := *fn
			echo.Runtime = tollgate.EchoRuntime
			out[i] = &echo
			fmt.Fprintf(a.stderr, "note: %s is not installed, so function %s (%s) is answered by the built-in echo backend, which shows the event the function would get\n", rt.Interpreter, fn.Name, fn.Runtime)
		}
	}
	return out
}

// applyConfig reconciles the store with the config (domain.Service.Apply,
// which applies again after a conflict with another node) and logs what
// changed.
func (a *app) applyConfig(ctx context.Context, st tollgate.Store, v *vault.Vault, cfg *config.Config, opts config.ApplyOptions, log *slog.Logger) (*config.Result, error) {
	res, err := a.domain(st, v).Apply(ctx, cfg, opts)
	if err != nil {
		return nil, err
	}
	for _, line := range res.Changes {
		log.Info("config applied", "config", cfg.Name, "change", line.String())
	}
	for _, p := range res.Pruned {
		log.Warn("config pruned (--prune)", "config", cfg.Name, "deleted", p.String())
	}
	for _, k := range res.Kept {
		log.Warn("kept a pool declared by a config file before config files had names; applying the config that declares it adopts it",
			"config", cfg.Name, "pool", k.ID, "as", k.Key)
	}
	return res, nil
}

// pruneRefused prints a refused prune as a list, with what to do, and
// fails with exit 1; other errors pass through.
func (a *app) pruneRefused(err error) error {
	var pe *config.PruneError
	if !errors.As(err, &pe) {
		return err
	}
	fmt.Fprintln(a.stderr, pe)
	return reported(1, "nothing was started: declare them again in %s, or run again with --prune to delete them", cmp.Or(pe.File, "the config"))
}

func (a *app) validateCommand() *cobra.Command {
	var tf templateFlags
	var dev bool
	cmd := &cobra.Command{
		Use:   "validate FILE | validate --template FILE|cdk.out",
		Short: "Check a config file, a CloudFormation template or a cdk.out without starting anything; every problem is reported with file:line:column",
		Long: "validate checks what serve would run, as serve checks it before it starts: a config file, or with --template " +
			"(or given a cdk.out directory or a .json template) a CloudFormation template, resolved and mapped as serve maps it.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			what := tf.path
			switch {
			case tf.path != "" && len(args) > 0:
				return reported(2, "give a config file or --template, not both")
			case tf.path == "" && len(args) == 0:
				return reported(2, "nothing to check: give a config file, or --template FILE|cdk.out")
			case tf.path == "" && looksLikeTemplate(args[0]):
				tf.path, what = args[0], args[0]
			}
			if tf.path != "" {
				if _, err := a.loadTemplate(tf); err != nil {
					return err
				}
			} else {
				what = args[0]
				load := a.loadConfig
				if dev {
					load = a.loadConfigAsDev
				}
				if _, err := load(what); err != nil {
					return err
				}
			}
			_, err := fmt.Fprintf(a.stdout, "%s: ok\n", what)
			return err
		},
	}
	tf.register(cmd)
	cmd.Flags().BoolVar(&dev, "dev", false, "check the config as 'tollgate dev' runs it: clients whose keys or certificates dev generates (private_key_jwt or self_signed_tls_client_auth without keys, tls_client_auth) are checked with throw-away ones")
	return cmd
}

// loadConfigAsDev loads a config file as dev would: the keys and
// certificates dev generates for clients are made in a temporary
// directory, removed once the config is checked, so that nothing is
// written to the data directory.
func (a *app) loadConfigAsDev(path string) (*config.Config, error) {
	tmp, err := os.MkdirTemp("", "tollgate-validate-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	return a.loadConfigWith(path, newDevCredentials(tmp, "localhost", a.now).prepare)
}

// looksLikeTemplate reports whether a path validate is given is a cdk.out
// directory or a JSON CloudFormation template rather than a config file
// (YAML); a YAML template needs --template.
func looksLikeTemplate(path string) bool {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return true
	}
	return strings.HasSuffix(path, ".json") || strings.HasSuffix(path, ".template")
}
