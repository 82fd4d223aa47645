package registration

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/oauth2"
)

// ActionRegister is the audited action of a registration, made or refused.
const ActionRegister = "client.register"

// MaxBodyBytes bounds a registration request's body: client metadata is a
// few hundred bytes, a JWKS of a few keys with certificates a few KiB.
const MaxBodyBytes = 64 << 10

// DefaultMaxClients is how many registered clients a pool may hold when its
// policy's MaxClients is zero.
const DefaultMaxClients = 100

// Options configures a Handler.
type Options struct {
	// Pool returns a pool's settings (its Registration policy) from memory;
	// ok false when unknown.
	Pool func(poolID string) (*tollgate.UserPool, bool)
	// Scopes returns the full scope names of a pool's resource servers.
	Scopes func(poolID string) []string
	// CreateClient stores a new client of the pool (the domain service
	// used by the CLI and the Cognito API: it generates the id and, when
	// asked, the secret) and returns it with the secret in clear, shown
	// once.
	CreateClient func(ctx context.Context, c *tollgate.Client, generateSecret bool) (created *tollgate.Client, secret string, err error)
	// CountRegistered returns how many registered clients the pool holds.
	CountRegistered func(ctx context.Context, poolID string) (int, error)
	// VerifyAccessToken verifies an access token of the pool (signature,
	// iss, exp, revocation) and returns its scopes: the initial access
	// token's check.
	VerifyAccessToken func(ctx context.Context, r *http.Request, poolID, token string) (scopes []string, err error)
	// AllowPrivateJWKSURI lets a registered jwks_uri name localhost, a
	// loopback, private or link-local address, and use http on a loopback
	// host: for development only, where the client's keys are served on
	// this machine. Otherwise such a jwks_uri is refused (the token
	// endpoint would fetch it from the server's own network).
	AllowPrivateJWKSURI bool
	// Audit, if set, records each registration (actor: the registering
	// request; the client id, never a secret).
	Audit *audit.Sink
	// Logger; nil means slog.Default().
	Logger *slog.Logger
	// Now; nil means time.Now.
	Now func() time.Time
}

// Handler serves POST {endpoint} for one pool at a time: the pool is
// given by the caller, who routes the pool's registration_endpoint (its
// discovery document's) here.
type Handler struct {
	opts Options
	// mu makes counting a pool's registered clients and creating one a
	// single step on this node, so that concurrent registrations cannot
	// pass MaxClients together. Nodes sharing a store may still each add
	// one past it at the same instant; MaxClientsPerPool, which the store
	// checks in the inserting transaction, stays a hard bound.
	mu sync.Mutex
}

// New returns a Handler.
func New(opts Options) *Handler { return &Handler{opts: opts} }

func (h *Handler) now() time.Time {
	if h.opts.Now != nil {
		return h.opts.Now()
	}
	return time.Now()
}

func (h *Handler) log() *slog.Logger {
	if h.opts.Logger != nil {
		return h.opts.Logger
	}
	return slog.Default()
}

// ServeRegister answers a registration request for the pool poolID (RFC
// 7591 §3.1): 201 with the client's information (§3.2.1), or an error
// (§3.2.2, RFC 6750 §3.1 for the initial access token).
func (h *Handler) ServeRegister(w http.ResponseWriter, r *http.Request, poolID string) {
	res, err := h.register(w, r, poolID)
	if err != nil {
		var oe *oauth2.Error
		if !errors.As(err, &oe) {
			oe = oauth2.ServerError().WithCause(err)
		}
		h.refused(w, r, poolID, oe)
		oauth2.WriteError(w, r, oe)
		return
	}
	oauth2.WriteJSON(w, r, http.StatusCreated, res)
}

// register runs the checks in the order a client can fix them: the
// method, the initial access token, then the body.
func (h *Handler) register(w http.ResponseWriter, r *http.Request, poolID string) (*response, error) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return nil, oauth2.InvalidRequest("the registration endpoint accepts POST only").WithStatus(http.StatusMethodNotAllowed)
	}
	pool, ok := h.opts.Pool(poolID)
	if !ok || pool.OAuth.Registration == nil {
		return nil, errors.New("registration: pool " + poolID + " unknown or not open to registration")
	}
	policy := pool.OAuth.Registration
	if err := h.checkInitialToken(r, poolID, policy); err != nil {
		return nil, err
	}
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, invalidMetadata("the request body could not be read").WithCause(err)
	}
	if len(body) > MaxBodyBytes {
		return nil, invalidMetadata("the request body is larger than %d bytes", MaxBodyBytes)
	}
	req, err := parseRequest(body)
	if err != nil {
		return nil, err
	}
	allowed := policy.Scopes
	if len(allowed) == 0 && h.opts.Scopes != nil {
		allowed = h.opts.Scopes(poolID)
	}
	reg, err := req.resolve(pool, policy, allowed, uriPolicy{allowPrivate: h.opts.AllowPrivateJWKSURI})
	if err != nil {
		return nil, err
	}
	return h.create(r.Context(), w, r, pool, policy, reg)
}

// checkInitialToken requires, when the policy asks for one, an initial
// access token (RFC 7591 §3) of the pool with the policy's scope, sent as
// a bearer token in the Authorization header (RFC 6750 §2.1).
func (h *Handler) checkInitialToken(r *http.Request, poolID string, policy *tollgate.RegistrationPolicy) error {
	if policy.InitialAccessScope == "" {
		return nil
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		// RFC 6750 §3.1: a request without credentials gets a challenge
		// without an error code.
		return invalidToken("an initial access token is required").WithChallenge(oauth2.BearerChallenge("", nil))
	}
	scheme, tok, _ := strings.Cut(auth, " ")
	tok = strings.TrimLeft(tok, " ")
	if !strings.EqualFold(scheme, "Bearer") || tok == "" || strings.ContainsAny(tok, " \t") {
		e := invalidToken("the Authorization header is not a bearer token")
		return e.WithChallenge(oauth2.BearerChallenge("", e))
	}
	if h.opts.VerifyAccessToken == nil {
		return errors.New("registration: no VerifyAccessToken for an initial access token")
	}
	scopes, err := h.opts.VerifyAccessToken(r.Context(), r, poolID, tok)
	if err != nil {
		e := invalidToken("the initial access token is not valid")
		return e.WithChallenge(oauth2.BearerChallenge("", e)).WithCause(err)
	}
	if !slices.Contains(scopes, policy.InitialAccessScope) {
		e := oauth2.InsufficientScope("the initial access token lacks the scope registration requires")
		e.Challenge = oauth2.BearerChallenge("", e, policy.InitialAccessScope)
		return e
	}
	return nil
}

// invalidToken is RFC 6750 §3.1 invalid_token, a 401.
func invalidToken(desc string) *oauth2.Error { return oauth2.InvalidToken("%s", desc) }

// checkContentType requires application/json (RFC 7591 §3.1), in UTF-8
// when a charset is named (RFC 8259 §8.1).
func checkContentType(ct string) error {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return invalidMetadata("the request's Content-Type must be application/json")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return invalidMetadata("the request body must be UTF-8")
	}
	return nil
}

// create counts the pool's registered clients against the policy's bound
// and creates the client, retrying a taken name with a random suffix.
func (h *Handler) create(ctx context.Context, w http.ResponseWriter, r *http.Request, pool *tollgate.UserPool, policy *tollgate.RegistrationPolicy, reg *registered) (*response, error) {
	limit := policy.MaxClients
	if limit <= 0 {
		limit = DefaultMaxClients
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	n, err := h.opts.CountRegistered(ctx, pool.ID)
	if err != nil {
		return nil, oauth2.ServerError().WithCause(err)
	}
	if n >= limit {
		return nil, invalidMetadata("the pool holds the %d registered clients its policy allows", limit)
	}
	now := h.now()
	c := &tollgate.Client{
		PoolID:             pool.ID,
		AllowedOAuthFlows:  []string{tollgate.FlowClientCredentials},
		AllowedOAuthScopes: reg.scopes,
		OAuth:              reg.oauth,
	}
	c.OAuth.Registered = now
	name := reg.name
	if name == "" {
		name = "registered-" + randomSuffix()
	}
	const attempts = 3
	var created *tollgate.Client
	var secret string
	for i := range attempts {
		c.Name = name
		if i > 0 {
			c.Name = withSuffix(name)
		}
		created, secret, err = h.opts.CreateClient(ctx, c, reg.secret)
		if err == nil || tollgate.KindOf(err) != tollgate.KindConflict || tollgate.IsLimit(err) {
			break
		}
	}
	if err != nil {
		return nil, createError(err)
	}
	h.log().InfoContext(ctx, "client registered", "pool", pool.ID, "client_id", created.ID,
		"method", reg.method, "request_id", oauth2.RequestID(w))
	if h.opts.Audit != nil {
		ev := audit.Event{Time: now, Action: ActionRegister, Outcome: audit.Success, Actor: audit.Anonymous,
			RequestID: oauth2.RequestID(w), Endpoint: "register", RemoteAddr: r.RemoteAddr,
			Target: audit.Target{Object: string(tollgate.ObjectClient), PoolID: pool.ID, ClientID: created.ID, Name: created.Name}}
		h.opts.Audit.Emit(ev)
	}
	return reg.response(created, secret, now), nil
}

// createError maps the domain's refusal of a client to the wire: what the
// domain found invalid (a scope no resource server defines, say) and a
// full pool are the metadata's fault as far as the client can tell; the
// domain's messages are safe to show.
func createError(err error) error {
	var de *tollgate.Error
	switch {
	case tollgate.IsLimit(err):
		return invalidMetadata("the pool holds the most clients it may").WithCause(err)
	case tollgate.KindOf(err) == tollgate.KindConflict:
		return invalidMetadata("client_name is taken").WithCause(err)
	case tollgate.KindOf(err) == tollgate.KindInvalid && errors.As(err, &de):
		return invalidMetadata("%s", de.Message).WithCause(err)
	}
	return oauth2.ServerError().WithCause(err)
}

// refused logs and audits a refusal. The log shows the error's public
// code and description (client input by its length only) and its cause.
func (h *Handler) refused(w http.ResponseWriter, r *http.Request, poolID string, oe *oauth2.Error) {
	level := slog.LevelInfo
	if oe.Code == oauth2.CodeServerError {
		level = slog.LevelError
	}
	h.log().Log(r.Context(), level, "registration refused", "pool", poolID, "err", oe, "request_id", oauth2.RequestID(w))
	if h.opts.Audit == nil {
		return
	}
	outcome := audit.Failure
	if oe.Code == oauth2.CodeInvalidToken || oe.Code == oauth2.CodeInsufficientScope {
		outcome = audit.Denied
	}
	h.opts.Audit.Emit(audit.Event{Time: h.now(), Action: ActionRegister, Outcome: outcome, Actor: audit.Anonymous,
		RequestID: oauth2.RequestID(w), Reason: oe.Code, Endpoint: "register", RemoteAddr: r.RemoteAddr,
		Target: audit.Target{Object: string(tollgate.ObjectClient), PoolID: poolID}})
}

// randomSuffix is 8 random lowercase letters and digits.
func randomSuffix() string { return strings.ToLower(rand.Text()[:8]) }

// withSuffix returns name with a random suffix, within MaxNameLen.
func withSuffix(name string) string {
	const tail = 9 // "-" and the suffix
	if len(name) > MaxNameLen-tail {
		name = name[:MaxNameLen-tail]
	}
	return name + "-" + randomSuffix()
}
