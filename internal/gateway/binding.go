package gateway

// The checks of sender-constrained tokens (RFC 9449 DPoP, RFC 8705 mTLS)
// and of audiences (RFC 8707) the gateway makes after a COGNITO_USER_POOLS
// or JWT authorizer allowed a token: on every request (never cached, a
// proof being good for one request), on every API. A token bound to a key
// (cnf) must come with the proof of that key; an API's ProtectedResource
// and a route's RequireBinding add the rest. A token without cnf, sent as
// a bearer token to an API declaring nothing, costs one nil check.

import (
	"crypto/x509"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/dpop"
	"github.com/tollgate/tollgate/internal/mtls"
)

// headerDPoP is the DPoP proof's header (RFC 9449 §4.1), canonical.
const headerDPoP = "Dpop"

// Error codes of the challenges (RFC 6750 §3.1, RFC 9449 §7.1).
const (
	codeInvalidToken = "invalid_token"
	codeInvalidProof = dpop.CodeInvalidProof
)

// bindOptions are the Options the binding checks use.
type bindOptions struct {
	clientCert  func(r *http.Request) (*x509.Certificate, error)
	externalURL func(r *http.Request) string
}

// binding is a route's checks beyond its authorizer's: nil for a route of
// an API that declares no ProtectedResource and that has no
// RequireBinding of its own.
type binding struct {
	// require is BindingAny, BindingDPoP, BindingMTLS or "".
	require string
	// res is the API's resource; nil when the API declares none.
	res *resourceState
}

// proofPolicy is how a resource checks DPoP proofs: the API's, or the
// defaults for an API that declares none (defaultProofs).
type proofPolicy struct {
	verifier dpop.Verifier // Algorithms, MaxAge, Skew; Replay and Now set per gateway
	algs     string        // the algorithms, space-separated, for the algs challenge parameter
}

// bindRefusal is why the binding or audience checks refused a token: the
// challenge's scheme (DPoP or Bearer), error code and description. Its
// texts are the gateway's own, or a dpop.Error's (which quote nothing of
// the proof).
type bindRefusal struct {
	dpop        bool
	code        string
	description string
}

// Refusals of the checks, built once.
var (
	refusedBearerUse   = &bindRefusal{dpop: true, code: codeInvalidToken, description: "a DPoP-bound token must be sent with the DPoP scheme"}
	refusedNotBound    = &bindRefusal{dpop: true, code: codeInvalidToken, description: "the token is not DPoP-bound"}
	refusedNoReplay    = &bindRefusal{dpop: true, code: codeInvalidProof, description: "proofs cannot be checked"}
	refusedProofKey    = &bindRefusal{dpop: true, code: codeInvalidProof, description: "the proof's key is not the token's"}
	refusedNoCert      = &bindRefusal{code: codeInvalidToken, description: "the token is bound to a client certificate the request did not present"}
	refusedCert        = &bindRefusal{code: codeInvalidToken, description: "the token is bound to another client certificate"}
	refusedNotAudience = &bindRefusal{code: codeInvalidToken, description: "the token's audience is not this resource"}
	refusedUnbound     = [...]*bindRefusal{
		0: {code: codeInvalidToken, description: "the token is not sender-constrained"},
		1: {dpop: true, code: codeInvalidToken, description: "the token is not DPoP-bound"},
		2: {code: codeInvalidToken, description: "the token is not bound to a client certificate"},
	}
)

// splitScheme returns the token of an identity source value and whether it
// was sent with the DPoP scheme (RFC 9449 §7.1, the scheme's name compared
// without regard to case as RFC 9110 §11.1 says).
func splitScheme(v string) (tok string, dpopScheme bool) {
	return tokenFromHeader(v), hasDPoPScheme(strings.Trim(v, " \t"))
}

// hasDPoPScheme reports whether the trimmed value v starts with "DPoP ".
func hasDPoPScheme(v string) bool {
	return len(v) > len("DPoP ") && strings.EqualFold(v[:len("DPoP ")], "DPoP ")
}

// needsBindingCheck reports whether an allowed token must go through
// checkBinding: the route has checks, the token is bound, or it was sent
// with the DPoP scheme. Without any, it costs no allocation.
func needsBindingCheck(rs *routeState, c *bearer.Claims, header string) bool {
	return rs.bind != nil || c.Cnf != nil || hasDPoPScheme(strings.TrimLeft(header, " \t"))
}

// checkBinding checks the token a route's authorizer allowed (header is
// its identity source's value) against the request: its DPoP proof (RFC
// 9449 §7.1, §4.3) or its client certificate (RFC 8705 §3) when cnf binds
// it, the route's binding requirement and the API's audiences (RFC 8707
// §3). A refusal replaces res: Unauthorized with the challenge's
// bindRefusal, or Failed when the replay cache could not answer.
func (g *Gateway) checkBinding(r *http.Request, rs *routeState, header string, res *Result) {
	tok, dpopScheme := splitScheme(header)
	c := res.Claims
	cnf := c.Cnf
	var res0 *resourceState
	require := ""
	if rs.bind != nil {
		res0, require = rs.bind.res, rs.bind.require
	}
	refuse := func(f *bindRefusal, reason string) {
		*res = Result{Decision: Unauthorized, Cached: res.Cached, Reason: reason, bound: f}
	}
	var dpopOK, certOK bool
	switch {
	case cnf != nil && cnf.JKT != "":
		if !dpopScheme {
			// RFC 9449 §7.2: a DPoP-bound token sent as a bearer token.
			refuse(refusedBearerUse, "DPoP-bound token sent with the Bearer scheme")
			return
		}
		p := g.proofPolicy(res0)
		if g.replay == nil {
			refuse(refusedNoReplay, "no replay cache: DPoP proofs cannot be checked")
			return
		}
		v := p.verifier
		v.Replay, v.Now = g.replay, g.now
		proof, err := v.Verify(r.Context(), dpop.Request{
			Proofs:      r.Header[headerDPoP],
			Method:      r.Method,
			URL:         g.externalURL(r) + r.URL.EscapedPath(),
			AccessToken: tok,
		})
		var pe *dpop.Error
		switch {
		case errors.Is(err, dpop.ErrReplayCache):
			*res = Result{Decision: Failed, Cached: res.Cached, Reason: err.Error(), bound: &bindRefusal{}}
			return
		case errors.As(err, &pe):
			refuse(&bindRefusal{dpop: true, code: codeInvalidProof, description: pe.Description}, "DPoP proof refused: "+pe.Description)
			return
		case err != nil:
			refuse(&bindRefusal{dpop: true, code: codeInvalidProof, description: "the proof is not valid"}, "DPoP proof refused: "+err.Error())
			return
		case proof.JKT != cnf.JKT:
			// RFC 9449 §4.3 check 12.
			refuse(refusedProofKey, "DPoP proof of another key than the token's cnf.jkt")
			return
		}
		dpopOK = true
	case dpopScheme:
		// RFC 9449 §7.2: the DPoP scheme with a token that is not bound.
		refuse(refusedNotBound, "token without cnf.jkt sent with the DPoP scheme")
		return
	}
	if cnf != nil && cnf.X5TS256 != "" {
		var cert *x509.Certificate
		var err error
		if g.bind.clientCert != nil {
			cert, err = g.bind.clientCert(r)
		}
		switch {
		case err != nil:
			refuse(refusedNoCert, "client certificate: "+err.Error())
			return
		case cert == nil:
			refuse(refusedNoCert, "certificate-bound token without a client certificate")
			return
		case mtls.Thumbprint(cert) != cnf.X5TS256:
			refuse(refusedCert, "certificate-bound token with another client certificate")
			return
		}
		certOK = true
	}
	switch require {
	case tollgate.BindingDPoP:
		if !dpopOK {
			refuse(refusedUnbound[1], "the route requires DPoP-bound tokens")
			return
		}
	case tollgate.BindingMTLS:
		if !certOK {
			refuse(refusedUnbound[2], "the route requires certificate-bound tokens")
			return
		}
	case tollgate.BindingAny:
		if !dpopOK && !certOK {
			refuse(refusedUnbound[0], "the route requires sender-constrained tokens")
			return
		}
	}
	if res0 != nil && len(res0.decl.Audiences) > 0 && !c.Aud.Contains(res0.decl.Audiences...) {
		refuse(refusedNotAudience, "aud holds none of the API's audiences")
		return
	}
}

// externalURL returns the scheme and host r was sent to
// (Options.ExternalURL, by default from r.TLS and r.Host).
func (g *Gateway) externalURL(r *http.Request) string {
	if g.bind.externalURL != nil {
		return g.bind.externalURL(r)
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// proofPolicy returns the resource's proof policy, or the defaults.
func (g *Gateway) proofPolicy(res *resourceState) *proofPolicy {
	if res != nil {
		return &res.proofs
	}
	return &defaultProofs
}

// defaultProofs is the proof policy of APIs that declare none.
var defaultProofs = newProofPolicy(nil, 0)

func newProofPolicy(algs []string, maxAge time.Duration) proofPolicy {
	p := &tollgate.DPoPPolicy{Algorithms: algs, MaxAge: maxAge}
	a := p.ProofAlgorithms()
	return proofPolicy{
		verifier: dpop.Verifier{Algorithms: a, MaxAge: p.ProofMaxAge(), Skew: tollgate.DefaultDPoPClockSkew},
		algs:     strings.Join(a, " "),
	}
}

// bindingOf returns the binding of a route r of api: nil when the API
// declares no resource and r no RequireBinding.
func bindingOf(api *apiState, r *tollgate.Route) *binding {
	require := r.RequireBinding
	if require == "" && api.resource != nil {
		require = api.resource.decl.RequireBinding
	}
	if require == "" && api.resource == nil {
		return nil
	}
	return &binding{require: require, res: api.resource}
}
