package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/catalog"
	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/function"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/headercase"
	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/proxy"
	"github.com/tollgate/tollgate/internal/registration"
	"github.com/tollgate/tollgate/internal/replay"
	"github.com/tollgate/tollgate/internal/reqlog"
	"github.com/tollgate/tollgate/internal/signer"
	"github.com/tollgate/tollgate/internal/token"
	"github.com/tollgate/tollgate/internal/vault"
)

// Options configure a Server.
type Options struct {
	Store tollgate.Store
	Vault *vault.Vault
	// APIs are the REST APIs the gateway serves (from the config).
	APIs []*tollgate.RestAPI
	// Functions are the Lambda functions that AWS_PROXY integrations
	// name; the server runs them (internal/function) and serves the Lambda
	// Invoke API for them on every listener, SigV4-verified with the store's
	// access keys (invoke.go).
	Functions []*tollgate.Function
	// FunctionIdleTimeout is how long an unused function instance is kept
	// warm (default function.DefaultIdleTimeout).
	FunctionIdleTimeout time.Duration
	// FunctionUser, if set, is who function processes run as (see
	// function.Options.User); nil, Tollgate's own user.
	FunctionUser *function.User

	// Listen is the plain HTTP address, e.g. "127.0.0.1:8080" (port 0
	// picks a free port; Addr tells which).
	Listen string
	// AdminListen, if set, is the address of the admin listener: Prometheus
	// metrics at /metrics, and /healthz and /readyz. Keep it private.
	AdminListen string
	// TLSListen, if set, is an HTTPS address that serves custom domains with
	// their own certificates, chosen by SNI.
	TLSListen string
	// MTLSListen, if set, is the address of the mutual-TLS listener
	// (RFC 8705): the same handler as Listen's, over TLS with the
	// certificate MTLSCertFile and key MTLSKeyFile, asking clients for a
	// certificate (mtls.go). MTLSClientCAFile holds the PEM CAs that
	// tls_client_auth clients' certificates chain to.
	MTLSListen                string
	MTLSCertFile, MTLSKeyFile string
	MTLSClientCAFile          string
	// TrustedProxies are the addresses of TLS-terminating proxies whose
	// ClientCertHeader (RFC 9440 Client-Cert, or nginx's escaped PEM) and
	// X-Forwarded-Proto/-Host are believed; never a client's.
	TrustedProxies   []netip.Prefix
	ClientCertHeader string
	// AllowPrivateJWKSURI lets clients' jwks_uri be fetched from loopback
	// and private addresses (token.Options.AllowPrivateJWKSURI): dev.
	AllowPrivateJWKSURI bool
	// PublicURL is the base URL clients reach the server at. Default
	// "http://" + the listen address (127.0.0.1 when it listens on all
	// interfaces).
	PublicURL string
	// IssuerURL is the base of every pool's issuer ({IssuerURL}/{poolId}),
	// kept in the store (tollgate.SettingIssuerURL) so that every node
	// sharing it issues and accepts one iss, whatever URL it answers on
	// (see issuerBase). Read once, in New: a change takes effect on each
	// node at its restart.
	IssuerURL string
	// BaseDomain is the parent of prefix domains (default "localhost").
	BaseDomain string
	// PollInterval is how often changes made by other processes are looked
	// for (default one second); on PostgreSQL they are also told at once
	// (LISTEN/NOTIFY), and the poll is the fallback.
	PollInterval time.Duration
	// StoreOutage is OutageServe (the default) or OutageRefuse: what the
	// server does when its catalog has not been confirmed current for
	// longer than StaleAfter (default DefaultStaleAfter); see outage.go.
	StoreOutage string
	StaleAfter  time.Duration
	// ShutdownTimeout bounds how long in-flight requests may finish after
	// the context ends (default 10 s).
	ShutdownTimeout time.Duration
	// VerifyCacheBytes bounds the memory of the gateway's verification
	// cache (gateway.CacheOptions.Bytes): 0 means gateway.DefaultCacheBytes,
	// a negative value caches nothing.
	VerifyCacheBytes int64
	// GCPercent is the garbage collector's target percentage while Serve
	// runs, when the GOGC environment variable is not set (GOGC wins):
	// 0 means DefaultGCPercent, a negative value leaves the runtime's
	// setting (100) alone. Serve restores the previous setting on return.
	GCPercent int
	// Limiter, if set, counts limits for every node sharing it
	// (limit.Redis, --redis): the gateway's throttles and usage plans
	// (gateway.Options.Limiter) and the token endpoint's quotas and
	// lockouts. Nil: each node counts alone, the gateway in itself and the
	// token endpoint in LocalLimiter. The caller closes it after Serve.
	Limiter limit.Limiter
	// LimiterFailOpen serves requests when Limiter fails (unreachable,
	// timed out), with the gateway's local limits still applied; otherwise
	// they are answered 503 (--redis-failure). /readyz does not follow
	// Limiter in either mode: every node shares it, so taking nodes out of
	// a load balancer would not bring it back, and tollgate_limiter_errors_total
	// shows the outage.
	LimiterFailOpen bool
	// LocalLimiter (limit.Local) counts in this process: the gateway's
	// usage plans when Limiter is nil, and what Limiter would have counted
	// while it fails with LimiterFailOpen; the token endpoint's limits too
	// unless TokenLocalLimiter is set. Nil with Limiter nil: the token
	// endpoint enforces no TokenLimits.
	LocalLimiter limit.Limiter
	// TokenLocalLimiter, if set, counts the token endpoint's quotas and
	// lockouts in this process in place of LocalLimiter, so that a flood
	// of one kind of request cannot evict the other's counters: when
	// Limiter is nil, and while Limiter fails with LimiterFailOpen.
	TokenLocalLimiter limit.Limiter
	// Usage, if set, records what usage plans admitted (internal/usage),
	// run and flushed by Serve; the server's, kept across reloads.
	Usage UsageRecorder
	// MaxPlanKeyLabels bounds the key label of
	// tollgate_usage_plan_requests_total: keys beyond the first
	// MaxPlanKeyLabels seen are counted as key="other". 0 means
	// DefaultMaxPlanKeyLabels.
	MaxPlanKeyLabels int
	// Replay remembers the one-time identifiers of DPoP proofs and client
	// assertions until they expire, for the token endpoint and the
	// gateway: replay.Redis on the limiter's Redis (every node refuses a
	// proof another node saw), else replay.Local. Nil: requests needing it
	// are refused, never accepted unchecked.
	Replay replay.Cache
	// Audit, if set, receives the audit events of the management API's
	// writes and of refused authentications (token endpoint, management
	// and Invoke APIs); tollgate_audit_events_total counts them.
	Audit *audit.Sink
	// Console, if set, builds the admin console's handler (internal/console)
	// over the server (its console.Backend); the server mounts it at
	// ConsolePath (console.DefaultPath when "") on the admin listener, or
	// on the main listeners when ConsoleOnMain (console.go).
	Console       func(console.Backend) (http.Handler, error)
	ConsolePath   string
	ConsoleOnMain bool
	// ConsoleAPISource says where the APIs in service come from, for the
	// console (console.API.Source): `config file PATH`, `stack NAME
	// (PATH)`, …; "" when unknown.
	ConsoleAPISource string
	Now              func() time.Time
	Logger           *slog.Logger
}

// Server serves the auth endpoints of every pool in the store.
type Server struct {
	opts    Options
	catalog *catalog.Catalog
	signer  *signer.Signer
	token   *token.Endpoint
	handler http.Handler
	// registration serves dynamic client registration (oauthext.go).
	registration *registration.Handler

	metrics   *metrics
	gwCache   *gateway.Cache
	gwMetrics *gatewayMetrics
	proxy     *proxy.Proxy
	fnMetrics *functionMetrics
	// planMetrics observe usage plans' decisions; limiterErrors count the
	// shared or local limiter's errors by component; tokenMetrics the token
	// endpoint's lockouts and quota refusals.
	planMetrics   *planMetrics
	limiterErrors *prometheus.CounterVec
	tokenMetrics  *tokenMetrics
	// quotaUsage is what the store's usage records say of quota windows,
	// for a gateway counting locally; the server's, kept across reloads.
	quotaUsage *quotaUsage

	// dep is the deployment in service: the gateway and the function
	// runner, swapped by Reload (reload.go).
	dep      atomic.Pointer[deployment]
	reloadMu sync.Mutex      // serializes Reload, Serve's start and stop
	runCtx   context.Context // Serve's; nil before it runs
	stopped  bool            // Serve has returned, or Close ran
	stopping chan struct{}   // closed when Serve returns
	fatal    chan error      // a reason to stop serving (fail)
	retiring sync.WaitGroup  // retired deployments not yet closed

	ln, tlsLn, adminLn net.Listener
	mtls               mtlsState
	publicURL          string
	// issuer is the base of the pools' issuers (issuerBase); empty until
	// Listen when it is the public URL.
	issuer string

	// console is the admin console's handler (nil without one); requests
	// is this node's log of recent requests it shows (console.go).
	console  http.Handler
	requests *reqlog.Log
	certs    certCache
}

// New builds a server on the store. It loads the catalog but does not listen.
func New(ctx context.Context, opts Options) (*Server, error) {
	if opts.Store == nil || opts.Vault == nil {
		return nil, errors.New("server: Store and Vault are required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 10 * time.Second
	}
	mt, mtlsErr := loadMTLS(opts)
	if err := errors.Join(checkOutage(&opts), mtlsErr); err != nil {
		return nil, err
	}
	s := &Server{opts: opts, metrics: newMetrics(), stopping: make(chan struct{}), fatal: make(chan error, 1), mtls: mt}
	var err error
	if s.issuer, err = issuerBase(ctx, opts); err != nil {
		return nil, err
	}
	s.metrics.observeAudit(opts.Audit)
	s.signer = signer.New(opts.Store, opts.Vault, signer.Options{Now: opts.Now, Logger: opts.Logger, Audit: opts.Audit})
	cat, err := catalog.New(ctx, opts.Store, catalog.Options{
		BaseDomain:   opts.BaseDomain,
		PollInterval: opts.PollInterval,
		Now:          opts.Now,
		OnChange:     s.onCatalogChange,
		Logger:       opts.Logger,
	})
	if err != nil {
		return nil, err
	}
	s.catalog = cat
	// The check value may have been switched by a rotation between the
	// command's check and this first load, which tells OnChange nothing.
	if err := s.syncMasterKey(ctx); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s.buildRequestPath()
	d, err := s.deploy(opts.APIs, opts.Functions)
	if err != nil {
		return nil, err
	}
	s.dep.Store(d)
	if err := s.buildConsole(); err != nil {
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// buildRequestPath builds what serves requests whatever the deployment:
// the metrics, the token endpoint, the proxy and the verification cache.
func (s *Server) buildRequestPath() {
	opts := s.opts
	s.registerCatalogMetrics()
	s.limiterErrors = s.metrics.newLimiterErrors()
	s.tokenMetrics = s.metrics.newTokenMetrics()
	s.quotaUsage = &quotaUsage{st: opts.Store, now: opts.Now, log: opts.Logger, seen: map[string]quotaWindow{}}
	s.token = s.newTokenEndpoint()
	s.proxy = proxy.New(proxy.Options{Logger: opts.Logger})
	s.gwCache = gateway.NewCache(gateway.CacheOptions{Bytes: opts.VerifyCacheBytes, Now: opts.Now})
	s.metrics.registerCache(s.gwCache)
	s.gwMetrics = s.metrics.newGatewayMetrics()
	s.fnMetrics = s.metrics.newFunctionMetrics()
	s.planMetrics = s.metrics.newPlanMetrics(opts.MaxPlanKeyLabels)
}

// Listen binds the listeners, so that Addr and PublicURL are known before
// Serve runs.
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.opts.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.opts.Listen, err)
	}
	// Both listeners record the header names as sent, for Lambda events
	// (headercase); the TLS one offers HTTP/2 as well.
	s.ln = headercase.Listen(ln)
	if s.opts.TLSListen != "" {
		tln, err := net.Listen("tcp", s.opts.TLSListen)
		if err != nil {
			s.closeListeners()
			return fmt.Errorf("listen on %s: %w", s.opts.TLSListen, err)
		}
		s.tlsLn = headercase.ListenTLS(tln, &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: s.getCertificate})
	}
	if err := s.listenMTLS(); err != nil {
		s.closeListeners()
		return err
	}
	if s.opts.AdminListen != "" {
		aln, err := net.Listen("tcp", s.opts.AdminListen)
		if err != nil {
			s.closeListeners()
			return fmt.Errorf("listen on %s: %w", s.opts.AdminListen, err)
		}
		s.adminLn = aln
	}
	s.publicURL = strings.TrimSuffix(s.opts.PublicURL, "/")
	if s.publicURL == "" {
		s.publicURL = "http://" + reachableAddr(ln.Addr())
		if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
			s.opts.Logger.Warn("listening beyond loopback without --public-url: issuers are " + s.Issuer("{poolId}") +
				", which remote clients may not reach, and client secrets travel in clear text unless a TLS proxy is in front (RFC 6749 §2.3.1): set --public-url https://…")
		}
	}
	return nil
}

// checkIssuerURL refuses an issuer base that is not an absolute http or
// https URL without query or fragment: an issuer identifier is a "case
// sensitive URL using the https scheme that contains scheme, host, and
// optionally, port number and path components and no query or fragment
// components" (OpenID Connect Discovery 1.0 §3; RFC 8414 §2), http allowed
// for local use.
func checkIssuerURL(base string) error {
	if base == "" {
		return nil
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(base, "#") {
		return fmt.Errorf("issuer URL %q: want an absolute http(s) URL with no user, query or fragment, such as https://auth.example.com", base)
	}
	return nil
}

// reachableAddr turns a listener address into one a local client can dial.
func reachableAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", fmt.Sprint(tcp.Port))
	}
	return tcp.String()
}

func (s *Server) closeListeners() {
	for _, ln := range []net.Listener{s.ln, s.tlsLn, s.mtls.ln, s.adminLn} {
		if ln != nil {
			ln.Close()
		}
	}
}

// AdminAddr returns the admin listener's address, or "" if there is none.
func (s *Server) AdminAddr() string {
	if s.adminLn == nil {
		return ""
	}
	return s.adminLn.Addr().String()
}

// Addr returns the plain HTTP listener's address (after Listen).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// TLSAddr returns the HTTPS listener's address, or "" if there is none.
func (s *Server) TLSAddr() string {
	if s.tlsLn == nil {
		return ""
	}
	return s.tlsLn.Addr().String()
}

// PublicURL returns the base URL of the server (after Listen).
func (s *Server) PublicURL() string { return s.publicURL }

// Issuer returns the issuer URL of a pool's tokens (after Listen).
func (s *Server) Issuer(poolID string) string {
	if s.issuer == "" {
		return s.publicURL + "/" + poolID
	}
	return s.issuer + "/" + poolID
}

// issuerBase returns the base of the pools' issuers: Options.IssuerURL,
// stored for every node, replacing (and logging) another stored one; else
// the stored one; else Options.PublicURL, stored unless another node's came
// first; else "", the public URL Listen derives, which is not stored (so
// that a dev store follows whatever port dev listens on).
func issuerBase(ctx context.Context, opts Options) (string, error) {
	explicit := strings.TrimSuffix(opts.IssuerURL, "/")
	if err := checkIssuerURL(explicit); err != nil {
		return "", err
	}
	stored, err := opts.Store.GetSetting(ctx, tollgate.SettingIssuerURL)
	switch {
	case err == nil && (explicit == "" || explicit == string(stored)):
		return string(stored), nil
	case err == nil:
		opts.Logger.Warn("issuer URL changed: tokens are issued with the new one, which nodes started before this change refuse until they restart",
			"was", string(stored), "now", explicit)
		return explicit, opts.Store.PutSetting(ctx, tollgate.SettingIssuerURL, []byte(explicit))
	case !tollgate.IsNotFound(err):
		return "", fmt.Errorf("read the issuer URL: %w", err)
	case explicit != "":
		return explicit, opts.Store.PutSetting(ctx, tollgate.SettingIssuerURL, []byte(explicit))
	case opts.PublicURL != "":
		stored, err := opts.Store.InitSetting(ctx, tollgate.SettingIssuerURL, []byte(strings.TrimSuffix(opts.PublicURL, "/")))
		return string(stored), err
	}
	return "", nil
}

// Catalog returns the server's catalog.
func (s *Server) Catalog() *catalog.Catalog { return s.catalog }

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve serves until ctx ends, then shuts down gracefully: listeners close
// at once and in-flight requests get ShutdownTimeout to finish.
func (s *Server) Serve(ctx context.Context) error {
	if s.ln == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	if prev, changed := setGCPercent(s.opts.GCPercent); changed {
		defer debug.SetGCPercent(prev)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go s.catalog.Run(runCtx)
	flushUsage := s.runUsage(runCtx)
	s.startDeployment(runCtx)
	defer s.proxy.CloseIdleConnections()
	// After the listeners have shut down: in-flight invocations are done.
	defer s.stopDeployments()

	srv := s.mainServer()
	admin := &http.Server{Handler: s.withInvokeAPI(s.adminRoutes(), "admin"), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 4)
	var wg sync.WaitGroup
	for _, l := range []struct {
		srv *http.Server
		ln  net.Listener
	}{{srv, s.ln}, {srv, s.tlsLn}, {srv, s.mtls.ln}, {admin, s.adminLn}} {
		if l.ln == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.srv.Serve(l.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	case serveErr = <-s.fatal:
	}
	shutCtx, done := context.WithTimeout(context.WithoutCancel(ctx), s.opts.ShutdownTimeout)
	defer done()
	if err := srv.Shutdown(shutCtx); err != nil && serveErr == nil {
		serveErr = fmt.Errorf("shutdown: %w", err)
	}
	admin.Close()
	wg.Wait()
	// Failed authentications answered are counted before the caller
	// closes the limiter (each Strike is bounded by its timeout).
	s.token.WaitStrikes()
	// Every request the gateway admitted has ended: count them all.
	flushUsage(shutCtx)
	return serveErr
}

// mainServer returns the server of the main (and TLS) listener: HTTP/1.1,
// HTTP/2 over TLS, and HTTP/2 with prior knowledge (h2c), with the header
// case recorder in front.
func (s *Server) mainServer() *http.Server {
	srv := &http.Server{
		Handler:           headercase.Handler(s.withCognitoAPI(s.withInvokeAPI(s.handler, "main"))),
		ConnContext:       headercase.ConnContext,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(s.opts.Logger.Handler(), slog.LevelWarn),
	}
	// HTTP/1.1, HTTP/2 over TLS, and HTTP/2 with prior knowledge (h2c) on
	// the plain listener, as clients that speak it to a local gateway do.
	srv.Protocols = new(http.Protocols)
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetHTTP2(true)
	srv.Protocols.SetUnencryptedHTTP2(true)
	return srv
}
