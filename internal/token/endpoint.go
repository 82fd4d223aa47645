package token

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/replay"
	"github.com/tollgate/tollgate/internal/vault"
)

// Clients looks up app clients by id, whatever their pool. The endpoint
// grants from a returned client's AllowedOAuthScopes as they are, so a
// Clients must leave out the scopes that no resource server of the pool
// defines any more: the server's in-memory catalog does (filtered once per
// load); tollgate.Store, which tests use, returns what is stored. A missing client
// is an error of kind tollgate.KindNotFound; any other error is a failure of
// the lookup itself and is answered with server_error. The endpoint never
// modifies a returned client, so a cache may hand out shared copies.
type Clients interface {
	GetClient(ctx context.Context, id string) (*tollgate.Client, error)
}

// Signer signs an access token for a pool: it serializes claims with
// encoding/json as the JWT payload and returns the compact JWS, signed with
// a key that the pool's KeySource publishes. internal/signer.Signer
// satisfies it.
type Signer interface {
	Sign(ctx context.Context, poolID string, claims any) (string, error)
}

// Revocations records and looks up revoked access tokens by jti (RFC 7009).
// tollgate.Store satisfies it. Recording a revocation twice is not an error.
type Revocations interface {
	RevokeToken(ctx context.Context, t tollgate.RevokedToken) error
	IsTokenRevoked(ctx context.Context, jti string) (bool, error)
}

// Realm is the realm of the HTTP Basic challenge sent with a 401
// invalid_client (RFC 7617 §2).
const Realm = "tollgate"

// MaxBodyBytes bounds a request body. A client_credentials request is a few
// hundred bytes and a revocation request carries one token of a few KiB;
// anything bigger is refused with invalid_request before it is parsed.
const MaxBodyBytes = 64 << 10

// Options configures an Endpoint. Fields marked required must be set; New
// panics otherwise, since a missing dependency is a wiring mistake.
type Options struct {
	// Clients finds the client named by a request. Required.
	Clients Clients

	// Signer signs issued access tokens with the client's pool's active
	// key. Required.
	Signer Signer

	// Keys gives a pool's published public keys, with which revoke and
	// introspect verify that a presented token is one of the pool's own:
	// signed by a published key, with the pool's Issuer, token_use access,
	// not expired by Now (bearer.Verify's rules). internal/signer.Signer
	// satisfies it. Required.
	Keys KeySource

	// Revocations stores revoked tokens' jti for revoke and looks them up
	// for introspect. Required.
	Revocations Revocations

	// Vault computes the keyed hash that a presented client secret is
	// compared with (tollgate.ClientSecret.Hash). Required.
	Vault *vault.Vault

	// Issuer returns the iss of tokens issued by the pool, as the server
	// publishes it (for example https://host/{poolID}); it may depend on
	// the request (the host it came in on). The same function is used to
	// issue tokens and to check the iss of tokens presented to revoke and
	// introspect, so it must return the same value for a pool on every
	// host where tokens of that pool are presented. Required.
	Issuer func(r *http.Request, poolID string) string

	// PoolFromHost reports which pool's domain the request came in on, if
	// any. When ok, only that pool's clients may authenticate: a client of
	// another pool is refused with invalid_client, exactly as an unknown
	// client is. Nil, or ok false, means the request came in on a host
	// shared by all pools (the base host), where any client may
	// authenticate and is served by its own pool.
	PoolFromHost func(r *http.Request) (poolID string, ok bool)

	// Limiter counts token quotas and failed authentications: limit.Local
	// (this process alone) or a limiter shared by every node. Nil: the
	// endpoint enforces no TokenLimits.
	Limiter limit.Limiter
	// LimiterFailOpen serves requests when Limiter fails, counting them in
	// LocalLimiter meanwhile; otherwise they are answered 503
	// temporarily_unavailable.
	LimiterFailOpen bool
	// LocalLimiter counts in this process what Limiter would while it
	// fails with LimiterFailOpen (a limit.Local of the token endpoint's
	// own, apart from the gateway's). Nil: nothing is counted meanwhile.
	LocalLimiter limit.Limiter
	// PoolLimits returns a pool's TokenLimits (tollgate.UserPool's, from
	// the catalog); ok false when the pool is unknown. A client's own
	// TokenLimits replace its pool's quotas; the lockout is always its
	// pool's. Nil: no pool has any.
	PoolLimits func(poolID string) (limits tollgate.TokenLimits, ok bool)
	// AnyLockout reports whether any pool declares a lockout: on the
	// shared host, where the pool of a presented id is not known before it
	// is looked up, ids' locks are checked only then (whatever the id, so
	// that the work does not tell whether it exists). Nil: as if true.
	AnyLockout func() bool
	// Observer, if set, is told of lockouts, quota refusals and limiter
	// failures, for metrics (limits.go). The server implements it.
	Observer Observer

	// Pool returns a pool's settings, from memory (the catalog): the
	// endpoint reads its OAuth extensions (tollgate.PoolOAuth). ok false
	// when the pool is unknown. Nil: every pool is Cognito's.
	Pool func(poolID string) (pool *tollgate.UserPool, ok bool)
	// ResourceServers returns a pool's resource servers, from memory, for
	// resource indicators (RFC 8707). Nil: no pool has any.
	ResourceServers func(poolID string) []tollgate.ResourceServer
	// Replay remembers the jti of client assertions (RFC 7523) and DPoP
	// proofs (RFC 9449) until they expire, in memory or in the Redis every
	// node shares. Nil: requests that need it are refused
	// (temporarily_unavailable), never accepted unchecked.
	Replay replay.Cache
	// ClientCert returns the TLS client certificate chain a request came
	// with, leaf first: the connection's (the server's mTLS listener) or,
	// from a trusted proxy, the one its header carries (internal/mtls,
	// Source.Chain). nil, nil: none. Nil: no request ever has one.
	ClientCert func(r *http.Request) ([]*x509.Certificate, error)
	// ExternalURL returns the scheme and host a request was sent to, as the
	// client saw them, for a DPoP proof's htu (RFC 9449 §4.3): behind a
	// trusted proxy, its forwarded scheme and host (mtls.Source). Nil:
	// "https" when the request came over TLS, else "http", and the Host
	// header.
	ExternalURL func(r *http.Request) string
	// ClientCAs returns the trust anchors of tls_client_auth clients'
	// certificates (RFC 8705 §2.1): the server's --mtls-client-ca. Nil, or
	// a nil pool: no tls_client_auth client can authenticate.
	ClientCAs func() *x509.CertPool
	// AllowPrivateJWKSURI lets clients' jwks_uri fetches connect to
	// loopback, private and link-local addresses, which they otherwise
	// refuse (client_keys.go): for a development server, whose clients
	// serve their keys on the same machine or network.
	AllowPrivateJWKSURI bool
	// MTLSBase returns the scheme and host of the server's mTLS endpoint
	// aliases (RFC 8705 §5), "" when there is no mTLS listener.
	MTLSBase func() string

	// Now returns the current time, used for iat, exp and revocation
	// records. Nil means time.Now. Tests inject a fixed clock.
	Now func() time.Time

	// Trigger returns the pre token generation trigger of an
	// authenticated client's pool (tollgate.UserPool.PreTokenGeneration),
	// or nil, and ok false when the client's pool is not known (any more):
	// the request is then refused as a client that failed to authenticate,
	// never answered with a token made without the pool's trigger. Only a
	// V3_0 trigger fires for client_credentials tokens (trigger.go); nil
	// Trigger means no pool has one. It runs on every token request, so it
	// must be a lookup in memory, ideally in the view the client came from.
	Trigger func(client *tollgate.Client) (trigger *tollgate.LambdaTrigger, ok bool)

	// Invoke runs a trigger's function by name (tollgate.FunctionNameFromARN
	// of its ARN): the function runner of the deployment in service when
	// the request came. An error that wraps ErrFunctionNotFound means no
	// function has the name; one that wraps context.DeadlineExceeded, that
	// the attempt timed out. Required when Trigger is set.
	Invoke tollgate.InvokeFunc

	// TriggerTimeout bounds one attempt of a trigger invocation. Zero means
	// Cognito's TriggerTimeout (5 s); tests shorten it.
	TriggerTimeout time.Duration

	// Audit, if set, receives an audit event per failed client
	// authentication (audit.go) and one per lockout (limits.go).
	Audit *audit.Sink

	// Logger receives one line per refused request (client authentication
	// failures at Info, other client errors at Debug, server failures at
	// Error) and one Debug line per issued token, with the endpoint, the
	// client id, the error code and the request id. Nothing a request
	// carries is logged as sent: a presented client id only when it names
	// a client the endpoint found, other input by its length (see log.go),
	// so a secret sent in the wrong place never reaches the log. Nil means
	// slog.Default().
	Logger *slog.Logger
}

// Endpoint serves the token, revocation and introspection endpoints. It is
// safe for concurrent use.
type Endpoint struct {
	opts Options
	log  *slog.Logger
	now  func() time.Time
	// dummyHash is what a presented secret is compared with when the client
	// is unknown or has no secret, so that such a request costs the same
	// work as a wrong secret (see authenticate).
	dummyHash []byte
	// keySets caches clients' JWKS, inline and fetched (client_keys.go).
	keySets *clientKeySets
	// triggerTimeout bounds one attempt of a trigger invocation.
	triggerTimeout time.Duration
	// limiterDown is set while Limiter fails, so that an outage is logged
	// once when it starts and once when it ends.
	limiterDown atomic.Bool
	// strikeSem holds a slot per goroutine counting a failed
	// authentication after its answer; striking counts them
	// (strikeAfterAnswer).
	strikeSem chan struct{}
	striking  sync.WaitGroup
	// strikesClosed, set by WaitStrikes under strikeMu, stops new strike
	// goroutines: a WaitGroup must not be added to while it is waited on.
	strikeMu      sync.Mutex
	strikesClosed bool
}

// New returns an Endpoint. It panics if a required option is missing.
func New(opts Options) *Endpoint {
	switch {
	case opts.Clients == nil:
		panic("token.New: Options.Clients is required")
	case opts.Signer == nil:
		panic("token.New: Options.Signer is required")
	case opts.Keys == nil:
		panic("token.New: Options.Keys is required")
	case opts.Revocations == nil:
		panic("token.New: Options.Revocations is required")
	case opts.Vault == nil:
		panic("token.New: Options.Vault is required")
	case opts.Issuer == nil:
		panic("token.New: Options.Issuer is required")
	case opts.Trigger != nil && opts.Invoke == nil:
		panic("token.New: Options.Invoke is required with Options.Trigger")
	}
	e := &Endpoint{opts: opts, log: opts.Logger, now: opts.Now, triggerTimeout: opts.TriggerTimeout,
		strikeSem: make(chan struct{}, strikeSlots)}
	if e.triggerTimeout <= 0 {
		e.triggerTimeout = TriggerTimeout
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	if e.now == nil {
		e.now = time.Now
	}
	var jwksClient *http.Client // public addresses only
	if opts.AllowPrivateJWKSURI {
		jwksClient = newJWKSClient(nil)
	}
	e.keySets = newClientKeySets(e.now, jwksClient)
	// A hash of a random string nobody knows: no secret can match it.
	e.dummyHash = opts.Vault.HashSecret("", rand.Text())
	return e
}

// Endpoint names used in logs.
const (
	endpointToken      = "token"
	endpointRevoke     = "revoke"
	endpointIntrospect = "introspect"
	endpointAuthorize  = "authorize"
)
