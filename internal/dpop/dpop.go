package dpop

import (
	"errors"
	"time"

	"github.com/tollgate/tollgate/internal/replay"
)

// Error codes of RFC 9449: invalid_dpop_proof (§5.2 at the token endpoint,
// §7.1 at a resource) and use_dpop_nonce (§8).
const (
	CodeInvalidProof = "invalid_dpop_proof"
	CodeUseNonce     = "use_dpop_nonce"
)

// Error is a refused proof: Code is the RFC 9449 error code, Description a
// text safe to send (it quotes nothing of the proof but the names of the
// checks that failed).
type Error struct {
	Code        string
	Description string
}

func (e *Error) Error() string { return e.Code + ": " + e.Description }

// ErrReplayCache wraps the error of a replay cache that could not answer:
// the proof is refused, and the request should be answered as the
// server's failure (503 or 500), not as the client's.
var ErrReplayCache = errors.New("dpop: replay cache unavailable")

// Proof is a proof Verify accepted.
type Proof struct {
	// JKT is the base64url SHA-256 JWK thumbprint (RFC 7638) of the proof's
	// public key: the cnf.jkt of a token bound to it.
	JKT string
	JTI string
	Alg string
	IAT time.Time
}

// Verifier checks proofs. The zero value is not usable: set Algorithms and
// Replay.
type Verifier struct {
	// Algorithms are the accepted JWS algorithms (asymmetric only; none and
	// MACs are refused whatever this says).
	Algorithms []string
	// MaxAge is how old iat may be (zero means DefaultMaxAge); Skew how far
	// ahead of Now it may be.
	MaxAge, Skew time.Duration
	// Replay records each proof's jti (with its key's thumbprint) until it
	// can no longer be accepted (iat + MaxAge + Skew).
	Replay replay.Cache
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Request is what a proof must match.
type Request struct {
	// Proofs are the request's DPoP header values: exactly one is accepted
	// (RFC 9449 §4.3 check 1).
	Proofs []string
	// Method is the request's HTTP method (htm).
	Method string
	// URL is the request's URL as the client sent it: scheme, host and
	// path, without query or fragment (htu, compared after RFC 3986 §6
	// normalization of scheme, host and default port).
	URL string
	// AccessToken, when set, is the access token the proof must be bound to
	// (ath, RFC 9449 §4.3 check 10): at a resource, never at the token
	// endpoint.
	AccessToken string
}
