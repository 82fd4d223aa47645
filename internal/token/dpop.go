package token

import (
	"errors"
	"net/http"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/dpop"
	"github.com/tollgate/tollgate/internal/oauth2"
)

// headerDPoP is the request header carrying a DPoP proof (RFC 9449 §4.1).
const headerDPoP = "Dpop"

var (
	errDPoPRequired = oauth2.InvalidDPoPProof("this client's tokens must be DPoP-bound")
	errNoReplay     = oauth2.TemporarilyUnavailable("the server cannot check DPoP proofs now; try again later")
)

// dpopKey checks the DPoP proof of a token request (RFC 9449 §5) and
// returns the thumbprint of its key, the cnf.jkt of the token to issue, or
// "" when the token is not to be DPoP-bound.
//
// A pool without a DPoP policy ignores the header, as Cognito does, unless
// the client requires DPoP (RFC 9449 §5.2, dpop_bound_access_tokens): its
// proofs are then checked under the default policy, so that its tokens are
// never issued unbound. A client requiring DPoP without a proof is refused
// with invalid_dpop_proof.
//
// The proof must be one (§4.3 check 1), for POST to this endpoint's URL as
// the client sent it (htm, htu: ExternalURL and the request's path), fresh
// (iat within the policy's MaxAge and DefaultDPoPClockSkew) and never seen
// before (its jti is recorded in Replay, which every node shares); there is
// no access token yet, so no ath. Tollgate asks for no nonce (§8 is
// optional). A refused proof is 400 invalid_dpop_proof (§5.2); a replay
// cache that cannot answer, or none, is 503 temporarily_unavailable: the
// proof is never accepted unchecked.
func (e *Endpoint) dpopKey(r *http.Request, client *tollgate.Client, pool *tollgate.UserPool) (string, error) {
	var policy *tollgate.DPoPPolicy
	if pool != nil {
		policy = pool.OAuth.DPoP
	}
	if policy == nil && !client.OAuth.RequireDPoP {
		return "", nil
	}
	proofs := r.Header[headerDPoP]
	if len(proofs) == 0 {
		if client.OAuth.RequireDPoP {
			return "", errDPoPRequired
		}
		return "", nil
	}
	if e.opts.Replay == nil {
		return "", errNoReplay
	}
	v := dpop.Verifier{
		Algorithms: policy.ProofAlgorithms(),
		MaxAge:     policy.ProofMaxAge(),
		Skew:       tollgate.DefaultDPoPClockSkew,
		Replay:     e.opts.Replay,
		Now:        e.now,
	}
	proof, err := v.Verify(r.Context(), dpop.Request{
		Proofs: proofs,
		Method: http.MethodPost,
		URL:    e.externalURL(r) + r.URL.Path,
	})
	if err != nil {
		if derr, ok := errors.AsType[*dpop.Error](err); ok {
			return "", oauth2.InvalidDPoPProof("%s", derr.Description)
		}
		if errors.Is(err, dpop.ErrReplayCache) {
			return "", errNoReplay.WithCause(err)
		}
		return "", oauth2.ServerError().WithCause(err)
	}
	return proof.JKT, nil
}

// externalURL returns the scheme and host the request was sent to, as the
// client saw them: Options.ExternalURL's, or by default https when the
// request came over TLS, else http, and its Host header.
func (e *Endpoint) externalURL(r *http.Request) string {
	if e.opts.ExternalURL != nil {
		return e.opts.ExternalURL(r)
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
