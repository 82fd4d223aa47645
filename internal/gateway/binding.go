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
	"slices"
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
	authDomain  func(host string) bool
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
	f, failed, reason := g.bindingRefusal(r, rs, header, res.Claims)
	if f == nil {
		return
	}
	d := Unauthorized
	if failed {
		d = Failed
	}
	*res = Result{Decision: d, Cached: res.Cached, Reason: reason, bound: f, v: res.v} // v: the access log's client id
}

// bindingRefusal makes checkBinding's checks of the claims c: nil when
// they pass, else the refusal and the reason to log, failed when the
// replay cache could not answer.
func (g *Gateway) bindingRefusal(r *http.Request, rs *routeState, header string, c *bearer.Claims) (f *bindRefusal, failed bool, reason string) {
	tok, dpopScheme := splitScheme(header)
	var rsrc *resourceState
	require := ""
	if rs.bind != nil {
		rsrc, require = rs.bind.res, rs.bind.require
	}
	cnf := c.Cnf
	var dpopOK, certOK bool
	switch {
	case cnf != nil && cnf.JKT != "":
		if !dpopScheme {
			// RFC 9449 §7.2: a DPoP-bound token sent as a bearer token.
			return refusedBearerUse, false, "DPoP-bound token sent with the Bearer scheme"
		}
		if f, failed, reason := g.checkProof(r, rsrc, tok, cnf.JKT); f != nil {
			return f, failed, reason
		}
		dpopOK = true
	case dpopScheme:
		// RFC 9449 §7.2: the DPoP scheme with a token that is not bound.
		return refusedNotBound, false, "token without cnf.jkt sent with the DPoP scheme"
	}
	if cnf != nil && cnf.X5TS256 != "" {
		if f, reason := g.checkCert(r, cnf.X5TS256); f != nil {
			return f, false, reason
		}
		certOK = true
	}
	if f, reason := unmetBinding(require, dpopOK, certOK); f != nil {
		return f, false, reason
	}
	if rsrc != nil && len(rsrc.decl.Audiences) > 0 && !c.Aud.Contains(rsrc.decl.Audiences...) {
		return refusedNotAudience, false, "aud holds none of the API's audiences"
	}
	return nil, false, ""
}

// checkCert checks that the request came with the client certificate of
// thumbprint x5t (RFC 8705 §3). It returns nil when it did, else the
// refusal and the reason to log.
func (g *Gateway) checkCert(r *http.Request, x5t string) (*bindRefusal, string) {
	var cert *x509.Certificate
	var err error
	if g.bind.clientCert != nil {
		cert, err = g.bind.clientCert(r)
	}
	switch {
	case err != nil:
		return refusedNoCert, "client certificate: " + err.Error()
	case cert == nil:
		return refusedNoCert, "certificate-bound token without a client certificate"
	case mtls.Thumbprint(cert) != x5t:
		return refusedCert, "certificate-bound token with another client certificate"
	}
	return nil, ""
}

// unmetBinding returns the refusal of a token that is not bound as
// require says (nil when it is), given which bindings were checked.
func unmetBinding(require string, dpopOK, certOK bool) (*bindRefusal, string) {
	switch {
	case require == tollgate.BindingDPoP && !dpopOK:
		return refusedUnbound[1], "the route requires DPoP-bound tokens"
	case require == tollgate.BindingMTLS && !certOK:
		return refusedUnbound[2], "the route requires certificate-bound tokens"
	case require == tollgate.BindingAny && !dpopOK && !certOK:
		return refusedUnbound[0], "the route requires sender-constrained tokens"
	}
	return nil, ""
}

// checkProof checks the DPoP proof of a request with a token bound to
// the key jkt (RFC 9449 §7.1, §4.3) under the resource's policy. It
// returns nil when the proof is good; else the refusal and the reason to
// log, failed when the replay cache could not answer.
func (g *Gateway) checkProof(r *http.Request, rsrc *resourceState, tok, jkt string) (f *bindRefusal, failed bool, reason string) {
	if g.replay == nil {
		return refusedNoReplay, false, "no replay cache: DPoP proofs cannot be checked"
	}
	v := g.proofPolicy(rsrc).verifier
	v.Replay, v.Now = g.replay, g.now
	proof, err := v.Verify(r.Context(), dpop.Request{
		Proofs:      r.Header[headerDPoP],
		Method:      r.Method,
		URL:         g.externalURL(r) + r.URL.EscapedPath(), // as sent: /apis/{id}/{stage} and the stage included
		AccessToken: tok,
	})
	var pe *dpop.Error
	switch {
	case errors.Is(err, dpop.ErrReplayCache):
		return &bindRefusal{}, true, err.Error()
	case errors.As(err, &pe):
		return &bindRefusal{dpop: true, code: codeInvalidProof, description: pe.Description}, false, "DPoP proof refused: " + pe.Description
	case err != nil:
		return &bindRefusal{dpop: true, code: codeInvalidProof, description: "the proof is not valid"}, false, "DPoP proof refused: " + err.Error()
	case proof.JKT != jkt:
		// RFC 9449 §4.3 check 12.
		return refusedProofKey, false, "DPoP proof of another key than the token's cnf.jkt"
	}
	return nil, false, ""
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
// declares no resource and r no RequireBinding, or r has no Cognito or JWT
// authorizer.
func bindingOf(api *apiState, r *tollgate.Route) *binding {
	if r.Authorizer == nil || (r.Authorizer.Kind() != tollgate.AuthorizerCognito && r.Authorizer.Kind() != tollgate.AuthorizerJWT) {
		return nil // only tokens of Cognito and JWT authorizers are checked
	}
	require := r.RequireBinding
	if require == "" && api.resource != nil {
		require = api.resource.decl.RequireBinding
	}
	if require == "" && api.resource == nil {
		return nil
	}
	return &binding{require: require, res: api.resource}
}

// bindingRank orders the binding requirements: none < any < dpop | mtls,
// where dpop and mtls are incomparable (rank 2 both, told apart by name).
func bindingRank(require string) int {
	switch require {
	case "":
		return 0
	case tollgate.BindingAny:
		return 1
	}
	return 2
}

// bindsAsStrictly reports whether every token the checks strict admit is
// one the checks other would admit: other requires no stronger binding
// than strict (none < any < dpop | mtls; dpop and mtls incomparable) and
// checks no audiences strict does not check alike. A nil binding checks
// nothing.
func bindsAsStrictly(strict, other *binding) bool {
	sReq, oReq := strict.requirement(), other.requirement()
	switch sr, or := bindingRank(sReq), bindingRank(oReq); {
	case sr < or:
		return false
	case or == 2 && sReq != oReq:
		return false
	}
	oAud := other.audiences()
	return len(oAud) == 0 || slices.Equal(strict.audiences(), oAud)
}

// requirement is b's binding requirement, "" for a nil b.
func (b *binding) requirement() string {
	if b == nil {
		return ""
	}
	return b.require
}

// audiences are the audiences b checks, none for a nil b or one of an
// API that declares none.
func (b *binding) audiences() []string {
	if b == nil || b.res == nil {
		return nil
	}
	return b.res.decl.Audiences
}
