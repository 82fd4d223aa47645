package gateway

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate"
)

// resourceMetadata is an RFC 9728 §2 protected resource metadata document.
type resourceMetadata struct {
	Resource               string   `json:"resource"`
	AuthorizationServers   []string `json:"authorization_servers,omitempty"`
	ScopesSupported        []string `json:"scopes_supported,omitempty"`
	BearerMethodsSupported []string `json:"bearer_methods_supported"`
	ResourceName           string   `json:"resource_name,omitempty"`
	DPoPSigningAlgs        []string `json:"dpop_signing_alg_values_supported,omitempty"`
	DPoPBoundRequired      bool     `json:"dpop_bound_access_tokens_required,omitempty"`
	TLSCertBound           bool     `json:"tls_client_certificate_bound_access_tokens,omitempty"`
}

// bearerMethods are the ways a token may be sent: the header only (RFC
// 6750 §2.1; the gateway reads no form or query token of Cognito
// authorizers).
var bearerMethods = []string{"header"}

// ServeResourceMetadata answers a request for the protected resource
// metadata of an API (RFC 9728 §3): a GET or HEAD of
// /.well-known/oauth-protected-resource followed by the path of the API's
// resource identifier (§3.1). An API declaring its identifier answers on
// the identifier's origin, and on the hosts that reach the API (its
// execute-api host, its custom domains). Every API's is also at its
// stage's URL as the request addresses it: /{stage} on its execute-api
// host, a custom domain's base path, /apis/{id}/{stage} on the server's
// own hosts, which are no API's and no user pool's auth domain
// (Options.AuthDomain); there, an API declaring no identifier has that
// URL for its resource. It reports whether it answered: false when no API
// serving metadata has that URL on that host, for the server to answer as
// it would.
func (g *Gateway) ServeResourceMetadata(w http.ResponseWriter, r *http.Request) bool {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), wellKnownResource)
	if !ok || (rest != "" && rest[0] != '/') {
		return false
	}
	doc, ok := g.resourceMetadata(r, rest)
	if !ok {
		return false
	}
	h := w.Header()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return true
	}
	body, err := json.Marshal(doc)
	if err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return true
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	if r.Method == http.MethodHead {
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		return true
	}
	_, _ = w.Write(body)
	return true
}

// resourceMetadata finds the API whose metadata URL is r's, the
// well-known segment cut (rest), and returns its document.
func (g *Gateway) resourceMetadata(r *http.Request, rest string) (*resourceMetadata, bool) {
	// An API declaring its identifier: served at the identifier's
	// metadata URL, on its origin or on a host that reaches the API.
	origin, host, path := strings.ToLower(g.externalURL(r)), requestHost(r), rest
	if path == "/" {
		path = "" // the slash right after the host (RFC 9728 §3.1)
	}
	for _, st := range g.apis {
		res := st.resource
		if res == nil || !res.decl.Metadata || res.metadataURL == "" || res.idPath != path {
			continue
		}
		if res.idOrigin == origin || g.hostReaches(host, st) {
			return g.metadataOf(r, st, nil), true
		}
	}
	// At its stage's URL as the request addresses it, on a host that
	// reaches it: an API without an identifier, whose resource that URL
	// is; one declaring it too, for the clients that know the API by that
	// URL alone (path style, a development server's), its resource being
	// the identifier all the same.
	r2 := *r
	u := *r.URL
	p, err := url.PathUnescape(rest)
	if err != nil {
		return nil, false
	}
	u.Path, u.RawPath = p, rest
	r2.URL = &u
	t, ok := g.resolve(&r2)
	if !ok || t.api.resource == nil || !t.api.resource.decl.Metadata || (t.rest != "" && t.rest != "/") {
		return nil, false
	}
	if (t.how == byAPIsPath || t.how == byRestAPIsPath) && g.isAuthDomain(host) {
		return nil, false // a pool's host: its answers, not an API's
	}
	return g.metadataOf(r, t.api, &t), true
}

// hostReaches reports whether host addresses st's API by itself: it is
// the API's execute-api host (of its region, when it names one) or one of
// its custom domains.
func (g *Gateway) hostReaches(host string, st *apiState) bool {
	if id, region, ok := g.executeAPIHost(host); ok {
		return g.executeAPI(id) == st && (st.api.Region == "" || strings.EqualFold(st.api.Region, region))
	}
	for _, m := range g.domains[host] {
		if m.api == st {
			return true
		}
	}
	return false
}

// isAuthDomain reports whether host is a user pool's auth domain: of the
// form {prefix}.auth.{region}.{BaseDomain}, or one Options.AuthDomain
// names.
func (g *Gateway) isAuthDomain(host string) bool {
	if rest, ok := strings.CutSuffix(host, g.hostSfx); ok {
		if prefix, rest, ok := strings.Cut(rest, "."); ok && prefix != "" {
			if region, ok := strings.CutPrefix(rest, "auth."); ok && region != "" && !strings.Contains(region, ".") {
				return true
			}
		}
	}
	return g.bind.authDomain != nil && g.bind.authDomain(host)
}

// metadataOf returns the metadata document of st's API (reached as t when
// it declares no identifier).
func (g *Gateway) metadataOf(r *http.Request, st *apiState, t *target) *resourceMetadata {
	decl := st.resource.decl
	doc := &resourceMetadata{
		Resource:               decl.Identifier,
		AuthorizationServers:   decl.AuthorizationServers,
		ScopesSupported:        decl.Scopes,
		BearerMethodsSupported: bearerMethods,
		ResourceName:           decl.Name,
	}
	if t != nil {
		doc.Resource = g.resourceIdentifier(r, t)
	}
	if len(doc.AuthorizationServers) == 0 {
		doc.AuthorizationServers = localIssuers(st)
	}
	if len(doc.ScopesSupported) == 0 {
		doc.ScopesSupported = routeScopes(st)
	}
	if decl.RequireBinding != tollgate.BindingMTLS {
		doc.DPoPSigningAlgs = st.resource.proofs.verifier.Algorithms
	}
	doc.DPoPBoundRequired = decl.RequireBinding == tollgate.BindingDPoP
	// RFC 9728 §2: the resource supports certificate-bound tokens (RFC
	// 8705 §3) when it can check them, a client certificate source being
	// set, unless it takes DPoP-bound tokens only; and when it requires
	// them.
	doc.TLSCertBound = decl.RequireBinding == tollgate.BindingMTLS ||
		(g.bind.clientCert != nil && decl.RequireBinding != tollgate.BindingDPoP)
	return doc
}
