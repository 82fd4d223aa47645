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
	// idPath its escaped path without a trailing slash.
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
		s.idPath = strings.TrimSuffix(u.EscapedPath(), "/")
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
	if !(t.api.http && t.stage == t.api.def) {
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
// (Options.Challenge's, an HTTP API's), nil for none; hadToken tells
// whether r carried the identity source.
//
// The challenge of the scheme the token was refused for comes first, with
// its error (none when no token was sent: RFC 6750 §3.1); the API's other
// accepted scheme follows without one. DPoP's carries algs (RFC 9449
// §7.1); each carries resource_metadata when the API serves metadata
// (RFC 9728 §5.1).
func (g *Gateway) challengeValues(r *http.Request, t *target, rs *routeState, res *Result, base []string, hadToken bool) []string {
	require, declared := "", false
	var rsrc *resourceState
	if rs.bind != nil {
		require, rsrc = rs.bind.require, rs.bind.res
		declared = rsrc != nil
	}
	acceptDPoP, acceptBearer := require != tollgate.BindingMTLS, require != tollgate.BindingDPoP
	f := res.bound
	if f == nil {
		// A refusal of the authorizer: the token's scheme is the one it
		// was sent with.
		f = &bindRefusal{code: codeInvalidToken, description: "the access token is not valid"}
		if res.Decision == Expired {
			f.description = "the access token expired"
		}
		if v, _, ok := rs.authz.read(r); ok && hasDPoPScheme(strings.TrimLeft(v, " \t")) {
			f.dpop = true
		} else if !acceptBearer {
			f.dpop = true
		}
		if !hadToken {
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
	policy := g.proofPolicy(rsrc)
	dpopValue := func(withError bool) string {
		var b strings.Builder
		b.WriteString("DPoP ")
		if withError && f.code != "" {
			b.WriteString(`error="` + f.code + `", error_description="` + f.description + `", `)
		}
		b.WriteString(`algs="` + policy.algs + `"`)
		if rm != "" {
			b.WriteString(`, resource_metadata="` + rm + `"`)
		}
		return b.String()
	}
	bearerValue := func(withError bool) string {
		if useBase := withError && res.bound == nil && len(base) > 0; !useBase {
			v := "Bearer"
			sep := " "
			if withError && f.code != "" {
				v += ` error="` + f.code + `", error_description="` + f.description + `"`
				sep = ", "
			}
			if rm != "" {
				v += sep + `resource_metadata="` + rm + `"`
			}
			return v
		}
		// The gateway's own value, completed.
		v := base[0]
		if rm != "" {
			sep := ", "
			if v == "Bearer" {
				sep = " "
			} else if !strings.Contains(v, `", `) {
				sep = " " // an HTTP API's parameters are separated by spaces
			}
			v += sep + `resource_metadata="` + rm + `"`
		}
		return v
	}
	var out []string
	if f.dpop {
		out = append(out, dpopValue(true))
		if acceptBearer {
			out = append(out, bearerValue(false))
		}
	} else {
		out = append(out, bearerValue(true))
		if acceptDPoP {
			out = append(out, dpopValue(false))
		}
	}
	return out
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
