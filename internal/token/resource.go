package token

import (
	"net/url"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/oauth2"
)

// ParamResource is the resource indicator of a token request (RFC 8707 §2):
// the absolute URI of the resource server the token is for.
const ParamResource = "resource"

// errTooManyResources refuses a request naming more than one resource:
// RFC 8707 §2 allows several, but a token of Tollgate's has one audience,
// so a client asks for one token per resource server.
var errTooManyResources = oauth2.InvalidTarget("only one resource may be requested per token")

var (
	errResourceNotURI = oauth2.InvalidTarget("resource must be an absolute URI without a fragment")
	// errResourceRefused answers a resource the pool does not have and one
	// the client may use no scope of alike, so that a client cannot learn
	// which resource servers exist.
	errResourceRefused = oauth2.InvalidTarget("the client may not use this resource")
)

// requestedResource returns the resource server a token request names with
// its resource parameter (RFC 8707 §2), or nil when it names none. The value
// must be an absolute URI without a fragment (RFC 8707 §2: "MUST be an
// absolute URI ... MUST NOT include a fragment component"), equal, byte for
// byte, to the Identifier of one of the client's pool's resource servers
// of which the client is allowed at least one scope; anything else is
// invalid_target.
func (e *Endpoint) requestedResource(client *tollgate.Client, resource string) (*tollgate.ResourceServer, error) {
	if resource == "" {
		return nil, nil
	}
	u, err := url.Parse(resource)
	if err != nil || !u.IsAbs() || u.Fragment != "" || strings.Contains(resource, "#") {
		return nil, errResourceNotURI
	}
	if e.opts.ResourceServers == nil {
		return nil, errResourceRefused
	}
	for _, rs := range e.opts.ResourceServers(client.PoolID) {
		if rs.Identifier != resource {
			continue
		}
		for _, s := range client.AllowedOAuthScopes {
			if scopeOf(&rs, s) {
				return &rs, nil
			}
		}
		return nil, errResourceRefused
	}
	return nil, errResourceRefused
}

// scopeOf reports whether scope, a full scope name
// ({identifier}/{name}, Cognito's format), is one of rs's scopes.
func scopeOf(rs *tollgate.ResourceServer, scope string) bool {
	name, ok := strings.CutPrefix(scope, rs.Identifier)
	if !ok {
		return false
	}
	name, ok = strings.CutPrefix(name, "/")
	if !ok {
		return false
	}
	for _, s := range rs.Scopes {
		if s.Name == name {
			return true
		}
	}
	return false
}

// resourceScopes returns the scope claim of a request for the resource rs:
// the requested scopes, each of which must be one of rs's (else
// invalid_scope: RFC 8707 §2.2 lets the server restrict the scopes of a
// token to those of its resource) and allowed to the client; or, when none
// is asked, the client's allowed scopes of rs, in their order.
func resourceScopes(client *tollgate.Client, rs *tollgate.ResourceServer, requested string) (string, error) {
	asked, err := oauth2.ParseScope(requested)
	if err != nil {
		return "", err
	}
	if len(asked) == 0 {
		var mine []string
		for _, s := range client.AllowedOAuthScopes {
			if scopeOf(rs, s) {
				mine = append(mine, s)
			}
		}
		return strings.Join(mine, " "), nil
	}
	for _, s := range asked {
		if !scopeOf(rs, s) {
			return "", oauth2.InvalidScope("scope %s is not a scope of the requested resource", oauth2.Input(truncate(s, 128)))
		}
		if !allowedScope(client, s) {
			return "", oauth2.InvalidScope("scope %s is not allowed for this client", oauth2.Input(truncate(s, 128)))
		}
	}
	return strings.Join(asked, " "), nil
}

// audience returns the aud of a token: the requested resource's identifier
// when there is one (RFC 8707 §2); otherwise, for a pool issuing RFC 9068
// JWTs (which require aud, §2.2), the distinct identifiers of the resource
// servers of the granted scopes, in order of first appearance; otherwise
// none, as Cognito's tokens have none.
func (e *Endpoint) audience(client *tollgate.Client, pool *tollgate.UserPool, rs *tollgate.ResourceServer, scope string) bearer.Audience {
	if rs != nil {
		return bearer.Audience{rs.Identifier}
	}
	if pool == nil || !pool.OAuth.AccessTokenJWT {
		return nil
	}
	var servers []tollgate.ResourceServer
	if e.opts.ResourceServers != nil {
		servers = e.opts.ResourceServers(client.PoolID)
	}
	var aud bearer.Audience
	for _, s := range strings.Fields(scope) {
		id := serverOf(servers, s)
		if id != "" && !aud.Contains(id) {
			aud = append(aud, id)
		}
	}
	return aud
}

// serverOf returns the identifier of the resource server of a full scope
// name: the one of servers that defines it or, when none does (servers not
// known), the part before the scope's last slash.
func serverOf(servers []tollgate.ResourceServer, scope string) string {
	for i := range servers {
		if scopeOf(&servers[i], scope) {
			return servers[i].Identifier
		}
	}
	if i := strings.LastIndexByte(scope, '/'); i > 0 {
		return scope[:i]
	}
	return ""
}
