package gateway

// An API's ProtectedResource as the gateway holds it, and the
// WWW-Authenticate challenges of its 401 answers: RFC 6750 §3's Bearer,
// RFC 9449 §7.1's DPoP, each with RFC 9728 §5.1's resource_metadata when
// the API serves its metadata.

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/tollgate/tollgate"
)

// wellKnownResource is RFC 9728 §3's well-known URI suffix.
const wellKnownResource = "/.well-known/oauth-protected-resource"

// resourceState is an API's declared ProtectedResource, compiled.
type resourceState struct {
	decl   *tollgate.ProtectedResource
	proofs proofPolicy
	// metadataURL is the metadata's URL when Identifier is declared
	// (RFC 9728 §3.1: the well-known segment between its host and its
	// path), "" otherwise: the stage's URL, then, is known per request.
	metadataURL string
	// idOrigin is the declared identifier's scheme and host, lowercase;
	// idPath its escaped path, "" for "/" (RFC 9728 §3.1 removes a slash
	// right after the host, and only that one: "/orders/" is not
	// "/orders").
	idOrigin, idPath string
}

// newResourceState compiles an API's ProtectedResource; nil for none.
func newResourceState(pr *tollgate.ProtectedResource) *resourceState {
	if pr == nil {
		return nil
	}
	s := &resourceState{decl: pr, proofs: newProofPolicy(pr.DPoPAlgorithms, pr.DPoPMaxAge)}
	if u, err := url.Parse(pr.Identifier); err == nil && pr.Identifier != "" && u.Host != "" {
		s.idOrigin = strings.ToLower(u.Scheme + "://" + u.Host)
		if s.idPath = u.EscapedPath(); s.idPath == "/" {
			s.idPath = ""
		}
		s.metadataURL = u.Scheme + "://" + u.Host + wellKnownResource + s.idPath
	}
	return s
}

// stagePath returns the path of the stage t reached, as the request
// addressed it: "/apis/{id}/{stage}" path-style, "/{stage}" on the
// execute-api host (nothing for an HTTP API's $default stage), a custom
// domain's base path.
func (g *Gateway) stagePath(t *target) string {
	stage := ""
	if !t.api.http || t.stage != t.api.def {
		stage = "/" + t.stage.stage.Name
	}
	switch t.how {
	case byAPIsPath:
		return "/apis/" + t.prefix + stage
	case byRestAPIsPath:
		return "/restapis/" + t.prefix + "/" + t.stage.stage.Name + "/_user_request_"
	case byCustomDomain:
		for _, m := range g.domains[t.host] {
			if m.api == t.api && m.stage == t.stage && m.basePath != "" {
				return "/" + m.basePath
			}
		}
		return ""
	}
	return stage
}

// resourceIdentifier returns the identifier of t's API: the declared one,
// or the stage's URL as r reached it.
func (g *Gateway) resourceIdentifier(r *http.Request, t *target) string {
	if id := t.api.resource.decl.Identifier; id != "" {
		return id
	}
	return g.externalURL(r) + g.stagePath(t)
}

// metadataURL returns the URL of the metadata of t's API, "" when it
// serves none.
func (g *Gateway) metadataURL(r *http.Request, t *target) string {
	res := t.api.resource
	if res == nil || !res.decl.Metadata {
		return ""
	}
	if res.metadataURL != "" {
		return res.metadataURL
	}
	return g.externalURL(r) + wellKnownResource + g.stagePath(t)
}

// challengeValues returns the WWW-Authenticate values of a 401 of route rs
// (reached as t) on request r, for a route with bindings or a refusal of
// checkBinding. base is the Bearer value the gateway sends without them
// (Options.Challenge's, an HTTP API's), nil for none.
//
// The challenge of the scheme the token was refused for comes first, with
// its error (none when no token was sent: RFC 6750 §3.1); the API's other
// accepted scheme follows without one. DPoP's carries algs (RFC 9449
// §7.1); each carries resource_metadata when the API serves metadata
// (RFC 9728 §5.1).
func (g *Gateway) challengeValues(r *http.Request, t *target, rs *routeState, res *Result, base []string) []string {
	require, declared := "", false
	var rsrc *resourceState
	if rs.bind != nil {
		require, rsrc = rs.bind.require, rs.bind.res
		declared = rsrc != nil
	}
	acceptDPoP, acceptBearer := require != tollgate.BindingMTLS, require != tollgate.BindingDPoP
	f := res.bound
	if f == nil {
		f = authorizerRefusal(r, rs, res, require)
		if !rs.authz.present(r) {
			f.code, f.description = "", ""
		}
	}
	if !declared {
		// An API declaring nothing: the refused scheme's challenge only.
		acceptDPoP, acceptBearer = f.dpop, !f.dpop
	}
	rm := ""
	if t != nil && t.api != nil {
		rm = g.metadataURL(r, t)
	}
	ch := challenge{rm: rm, algs: g.proofPolicy(rsrc).algs}
	var out []string
	switch {
	case f.dpop:
		out = append(out, ch.dpop(f))
		if acceptBearer {
			out = append(out, ch.bearer(nil))
		}
		return out
	case res.bound == nil && len(base) > 0:
		out = append(out, ch.complete(base[0]))
	default:
		out = append(out, ch.bearer(f))
	}
	if acceptDPoP {
		out = append(out, ch.dpop(nil))
	}
	return out
}

// challenge builds the values of challengeValues: rm the
// resource_metadata URL ("" for none), algs DPoP's algs.
type challenge struct {
	rm, algs string
}

// dpop is the DPoP challenge (RFC 9449 §7.1), with f's error if any (f
// may be nil).
func (c challenge) dpop(f *bindRefusal) string {
	var b strings.Builder
	b.WriteString("DPoP ")
	if f != nil && f.code != "" {
		b.WriteString(`error="` + f.code + `", error_description="` + f.description + `", `)
	}
	b.WriteString(`algs="` + c.algs + `"`)
	if c.rm != "" {
		b.WriteString(`, resource_metadata="` + c.rm + `"`)
	}
	return b.String()
}

// bearer is the Bearer challenge (RFC 6750 §3), with f's error if any (f
// may be nil).
func (c challenge) bearer(f *bindRefusal) string {
	v, sep := "Bearer", " "
	if f != nil && f.code != "" {
		v += ` error="` + f.code + `", error_description="` + f.description + `"`
		sep = ", "
	}
	if c.rm != "" {
		v += sep + `resource_metadata="` + c.rm + `"`
	}
	return v
}

// complete adds resource_metadata to a Bearer value of the gateway's own
// (Options.Challenge's, an HTTP API's, whose parameters AWS separates by
// spaces).
func (c challenge) complete(v string) string {
	if c.rm == "" {
		return v
	}
	sep := ", "
	if v == "Bearer" || !strings.Contains(v, `", `) {
		sep = " "
	}
	return v + sep + `resource_metadata="` + c.rm + `"`
}

// authorizerRefusal is the challenge's refusal of a token the authorizer
// refused: invalid_token (no error without a token: RFC 6750 §3.1), for
// the scheme the token was sent with, or DPoP when the route takes no
// bearer token.
func authorizerRefusal(r *http.Request, rs *routeState, res *Result, require string) *bindRefusal {
	f := &bindRefusal{code: codeInvalidToken, description: "the access token is not valid"}
	if res.Decision == Expired {
		f.description = "the access token expired"
	}
	if v, _, ok := rs.authz.read(r); (ok && hasDPoPScheme(strings.TrimLeft(v, " \t"))) || require == tollgate.BindingDPoP {
		f.dpop = true
	}
	return f
}

// localIssuers returns the issuers of the local pools the API's Cognito
// and JWT authorizers accept, sorted.
func localIssuers(api *apiState) []string {
	var out []string
	for i := range api.routes {
		switch a := api.routes[i].authz.(type) {
		case *Authorizer:
			a.once.Do(a.resolve)
			for iss, k := range a.issuers {
				if k.pool != "" {
					out = append(out, iss)
				}
			}
		case *JWTAuthorizer:
			a.once.Do(a.resolve)
			for iss, ji := range a.issuers {
				if ji.pool != "" {
					out = append(out, iss)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// routeScopes returns the union of the scopes of the API's routes, sorted.
func routeScopes(api *apiState) []string {
	var out []string
	for i := range api.api.Routes {
		if api.routes[i].authz != nil {
			out = append(out, api.api.Routes[i].AuthorizationScopes...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
