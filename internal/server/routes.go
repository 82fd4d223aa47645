package server

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/oauth2"
	"github.com/tollgate/tollgate/internal/reqlog"
	"github.com/tollgate/tollgate/internal/signer"
	"github.com/tollgate/tollgate/internal/token"
)

func (s *Server) routes() http.Handler {
	s.registration = s.newRegistration()
	mux := http.NewServeMux()
	mux.HandleFunc("/oauth2/token", s.metrics.instrumentOAuth("token", s.whenCurrent(s.token.ServeToken)))
	mux.HandleFunc("/oauth2/revoke", s.metrics.instrumentOAuth("revoke", s.whenCurrent(s.token.ServeRevoke)))
	mux.HandleFunc("/oauth2/introspect", s.metrics.instrumentOAuth("introspect", s.whenCurrent(s.token.ServeIntrospect)))
	mux.HandleFunc("/oauth2/authorize", s.token.ServeAuthorize)
	mux.HandleFunc("GET /{pool}/.well-known/jwks.json", s.serveJWKS)
	mux.HandleFunc("GET /{pool}/.well-known/openid-configuration", s.serveMetadata)
	mux.HandleFunc("GET /{pool}/.well-known/oauth-authorization-server", s.serveMetadata)
	mux.HandleFunc("GET /.well-known/jwks.json", s.serveJWKS)
	mux.HandleFunc("GET /.well-known/openid-configuration", s.serveMetadata)
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", s.serveMetadata)
	// RFC 8414 §3.1 inserts the well-known segment before the issuer's path.
	mux.HandleFunc("GET /.well-known/oauth-authorization-server/{pool}", s.serveMetadata)
	// Dynamic client registration (RFC 7591), for pools that open it: on
	// a pool's auth domain, and under its id on any host.
	mux.HandleFunc("POST /oauth2/register", s.whenCurrent(s.serveRegister))
	mux.HandleFunc("POST /{pool}/oauth2/register", s.whenCurrent(s.serveRegister))
	mux.HandleFunc("GET /healthz", serveHealth)
	mux.HandleFunc("GET /readyz", s.serveReady)
	if s.opts.ConsoleOnMain {
		return s.accessLog(s.withConsole(mux))
	}
	return s.accessLog(mux)
}

// adminRoutes serve the admin listener: metrics and health, never exposed
// on the public listener's address unless the operator puts them there.
func (s *Server) adminRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.handler())
	mux.HandleFunc("GET /healthz", serveHealth)
	mux.HandleFunc("GET /readyz", s.serveReady)
	if !s.opts.ConsoleOnMain {
		return s.withConsole(mux)
	}
	return mux
}

func serveHealth(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) }

// poolFromHost returns the pool whose domain the request came in on.
func (s *Server) poolFromHost(r *http.Request) (string, bool) {
	d, ok := s.catalog.DomainForHost(r.Host)
	if !ok {
		return "", false
	}
	return d.PoolID, true
}

// requestPool resolves the pool a discovery or JWKS request is about: the
// {pool} path segment, or the auth domain the request came in on.
func (s *Server) requestPool(r *http.Request) (*tollgate.UserPool, bool) {
	id := r.PathValue("pool")
	if id == "" {
		var ok bool
		if id, ok = s.poolFromHost(r); !ok {
			return nil, false
		}
	}
	if !tollgate.PoolIDPattern.MatchString(id) {
		return nil, false
	}
	p, err := s.catalog.GetPool(r.Context(), id)
	return p, err == nil
}

func (s *Server) serveJWKS(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requestPool(r)
	if !ok {
		writeNotFound(w)
		return
	}
	body, err := s.signer.JWKS(r.Context(), p.ID)
	if err != nil {
		s.opts.Logger.Error("jwks", "pool", p.ID, "err", err)
		writeJSONMessage(w, http.StatusInternalServerError, "Internal server error")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	// Verifiers may cache the key set; rotation publishes the next key a
	// whole rotation ahead, so a short max-age is plenty.
	w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(signer.JWKSMaxAge.Seconds())))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(body)
}

func (s *Server) serveReady(w http.ResponseWriter, r *http.Request) {
	if _, err := s.opts.Store.Generation(r.Context()); err != nil {
		s.opts.Logger.Warn("readiness: store unreachable", "err", err)
		http.Error(w, "store unreachable\n", http.StatusServiceUnavailable)
		return
	}
	// The store answers, but the catalog may still fail to follow it (a
	// query of the feed failing): a node that cannot confirm its view is
	// not ready, whatever --store-outage says it does meanwhile. The view
	// is confirmed once a poll, so a healthy node's is up to a poll old.
	if age := s.catalogAge(); age > max(s.opts.StaleAfter, 3*s.pollInterval()) {
		s.opts.Logger.Warn("readiness: catalog not confirmed current", "age_ms", age.Milliseconds())
		http.Error(w, "catalog not current\n", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ready\n"))
}

func writeNotFound(w http.ResponseWriter) { writeJSONMessage(w, http.StatusNotFound, "Not Found") }

// writeJSONMessage answers with {"message": msg}, the shape of Cognito's
// and API Gateway's own errors.
func writeJSONMessage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	// A write error means the client went away: nobody is left to tell.
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

// statusRecorder remembers what a handler wrote, for the access log, and
// carries what the gateway and the token endpoint tell the log
// (gateway.LogFieldsRecorder, token.LogFieldsRecorder).
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
	gw     gateway.LogFields
	tok    token.LogFields
}

// GatewayLogFields implements gateway.LogFieldsRecorder.
func (r *statusRecorder) GatewayLogFields() *gateway.LogFields { return &r.gw }

// TokenLogFields implements token.LogFieldsRecorder.
func (r *statusRecorder) TokenLogFields() *token.LogFields { return &r.tok }

// Unwrap lets http.ResponseController reach the server's writer (to flush
// streamed responses).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) WriteHeader(code int) {
	// An informational answer (100 Continue passed on from an upstream,
	// 103 Early Hints) is not the request's status: the final one follows.
	if r.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// accessLog writes one structured line per request: request id, method,
// host, path, API, stage, route and client id (gateway requests: the API
// id, the stage, the declared method and resource path, and the client_id
// of the verified token; the token endpoint's: the client it found),
// status, bytes, latency (latency_ms: milliseconds, to the microsecond),
// remote address, the id of the API key a gateway request presented
// (api_key_id, when the gateway found the key; never its value) and, for
// a refused request, its reason (the gateway's gateway.Reason* code, or
// the token endpoint's OAuth error code). It
// records the same in the log of recent requests (s.requests), but for
// health checks and the console's own requests. It never logs the request
// body, query string or Authorization header, which may carry credentials
// (a client may send its secret in the query of /oauth2/token: the path is
// cut at the query, and at a decoded '?'), and logs a client id only in
// the shape of one (loggedGatewayClientID).
//
// Gateway requests (gateway.Owns) go to the gateway in service, on their
// raw path, before the mux would clean it, holding its deployment until
// they end (Reload); the others to mux.
func (s *Server) accessLog(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := recorders.Get().(*statusRecorder)
		*rec = statusRecorder{ResponseWriter: w}
		defer putRecorder(rec)
		var id string
		kind := kindOther
		if d := s.acquire(); isResourceMetadataPath(r.URL.Path) && d.gateway.ServeResourceMetadata(rec, r) {
			// RFC 9728 metadata of an API, on its hosts or the base host.
			d.release()
		} else if d.gateway.Owns(r) {
			kind = kindGateway
			if s.console != nil && s.opts.ConsoleOnMain {
				stripConsoleCookies(r)
			}
			d.serve(rec, r)
		} else {
			d.release()
			id = oauth2.RequestID(w) // set first, so the handler logs the same id
			mux.ServeHTTP(rec, r)
			if isOAuthPath(r.URL.Path) {
				kind = kindToken
			}
		}
		latency := time.Since(start)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		path, _, _ := strings.Cut(r.URL.Path, "?") // a decoded %3F
		clientID, reason, detail := rec.gw.ClientID, rec.gw.Reason, rec.gw.Detail
		if kind == kindToken {
			clientID, reason, detail = rec.tok.ClientID, rec.tok.Reason, rec.tok.Detail
		}
		clientID = loggedGatewayClientID(clientID)
		if s.requests != nil && s.recorded(kind, path) {
			s.requests.Record(reqlog.Entry{
				Time: start, RequestID: requestID(id, rec), Method: r.Method, Host: r.Host, Path: path, Kind: kind,
				API: rec.gw.API, Stage: rec.gw.Stage, Route: rec.gw.Route, ClientID: clientID, APIKeyID: rec.gw.APIKeyID, Status: rec.status, Reason: reason, Detail: detail, Latency: latency, Remote: r.RemoteAddr,
			})
		}
		s.logRequest(r, rec, requestID(id, rec), path, clientID, reason, latency)
	})
}

// logRequest writes the access log's line of r, answered through rec.
func (s *Server) logRequest(r *http.Request, rec *statusRecorder, id, path, clientID, reason string, latency time.Duration) {
	if !s.opts.Logger.Enabled(r.Context(), slog.LevelInfo) {
		return
	}
	attrs := [...]slog.Attr{
		slog.String("request_id", id),
		slog.String("method", r.Method),
		slog.String("host", r.Host),
		slog.String("path", path),
		slog.String("api", rec.gw.API),
		slog.String("stage", rec.gw.Stage),
		slog.String("route", rec.gw.Route),
		slog.String("client_id", clientID),
		slog.Int("status", rec.status),
		slog.Int("bytes", rec.bytes),
		slog.Float64("latency_ms", milliseconds(latency)),
		slog.String("remote", r.RemoteAddr),
		{}, {}, // the API key's id and the reason, when there are
	}
	n := len(attrs) - 2
	if key := rec.gw.APIKeyID; key != "" {
		attrs[n] = slog.String("api_key_id", key)
		n++
	}
	if reason != "" {
		attrs[n] = slog.String("reason", reason)
		n++
	}
	s.opts.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs[:n]...)
}

// Kinds of the requests recorded in the log of recent requests
// (reqlog.Entry.Kind).
const (
	kindGateway = "gateway" // an API's request
	kindToken   = "token"   // an OAuth endpoint: token, revoke, introspect, register
	kindOther   = "other"
)

// isOAuthPath reports whether p is one of the OAuth endpoints': /oauth2/…
// (token, revoke, introspect, authorize, register) or a pool's
// registration endpoint, /{pool}/oauth2/register.
func isOAuthPath(p string) bool {
	if strings.HasPrefix(p, "/oauth2/") {
		return true
	}
	_, rest, ok := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	return ok && rest == "oauth2/register"
}

// recorded reports whether a request of kind to path goes to the log of
// recent requests: not the health checks, nor the console's own requests
// when it is served on this listener (its pages would fill the log it
// shows).
func (s *Server) recorded(kind, path string) bool {
	if kind != kindOther {
		return true
	}
	switch path {
	case "/healthz", "/readyz", "/metrics":
		return false
	}
	if s.console != nil && s.opts.ConsoleOnMain {
		p := s.consolePath()
		if path == p || strings.HasPrefix(path, p+"/") {
			return false
		}
	}
	return true
}

// milliseconds is d in milliseconds to the microsecond, the unit of every
// duration Tollgate logs: a number any log pipeline reads as it is, where
// slog.Duration is nanoseconds in JSON and "1.5ms" in text.
func milliseconds(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// recorders hold the access log's statusRecorders between requests: a
// recorder lives exactly as long as the request it wraps (net/http allows
// no use of a ResponseWriter after ServeHTTP returns), so each request
// borrows one rather than allocating it.
var recorders = sync.Pool{New: func() any { return new(statusRecorder) }}

// putRecorder returns a recorder to recorders, holding nothing of its
// request.
func putRecorder(rec *statusRecorder) {
	*rec = statusRecorder{}
	recorders.Put(rec)
}

// requestID is the id a response went out with: the OAuth endpoints' or
// the gateway's.
func requestID(oauthID string, rec *statusRecorder) string {
	if oauthID != "" {
		return oauthID
	}
	if rec.gw.RequestID != "" {
		return rec.gw.RequestID
	}
	return rec.Header().Get(gateway.HeaderRequestID)
}
