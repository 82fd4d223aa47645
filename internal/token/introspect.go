package token

import (
	"net/http"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/oauth2"
)

// introspection is an RFC 7662 §2.2 response for an active token: active
// first, then the token's claims in the order Cognito's tokens carry them.
type introspection struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope"`
	ClientID  string `json:"client_id"`
	TokenType string `json:"token_type"`
	Exp       int64  `json:"exp"`
	Iat       int64  `json:"iat"`
	Sub       string `json:"sub"`
	Iss       string `json:"iss"`
	JTI       string `json:"jti"`
	TokenUse  string `json:"token_use"`
	// Aud is the token's audience, when it has one (RFC 7662 §2.2).
	Aud bearer.Audience `json:"aud,omitempty"`
	// Cnf is the key a bound token is bound to (RFC 9449 §6.2, RFC 8705
	// §3.2): the resource server checks it against the proof or the
	// client certificate of the request.
	Cnf *bearer.Confirmation `json:"cnf,omitempty"`
}

// inactive is the whole answer for any token that is not active: RFC 7662
// §2.2 says nothing more should be told about it.
type inactive struct {
	Active bool `json:"active"`
}

// ServeIntrospect serves POST /oauth2/introspect (RFC 7662). Cognito has no
// introspection endpoint; Tollgate offers one so that a resource server can
// learn whether a token has been revoked, which offline verification
// cannot. The caller authenticates as a client (RFC 7662 §2.1 requires
// some authorization, "to prevent token scanning attacks") and may ask
// about any token of its own pool: resource servers introspect other
// clients' tokens.
//
// The answer is {"active":false} for anything that is not an active access
// token of the authenticating client's pool: malformed, forged, expired,
// another pool's (so pools learn nothing of each other), or revoked. An
// active token is described with its claims and token_type Bearer, or DPoP
// for a DPoP-bound token (RFC 9449 §6.2); a bound token's cnf and a
// token's aud are included.
// token_type_hint is accepted and ignored, as at revoke.
func (e *Endpoint) ServeIntrospect(w http.ResponseWriter, r *http.Request) {
	_, who, claims, ok := e.presentedToken(w, r, endpointIntrospect)
	if !ok {
		return
	}
	// A token without jti cannot have been revoked, nor be shown not to
	// have been: every token Tollgate issues has one, so it is not ours.
	if claims == nil || claims.JTI == "" {
		oauth2.WriteJSON(w, r, http.StatusOK, inactive{})
		return
	}
	revoked, err := e.opts.Revocations.IsTokenRevoked(r.Context(), claims.JTI)
	if err != nil {
		// Not {"active":false}: a resource server must not take an outage
		// for a revocation, nor the other way round.
		e.fail(w, r, endpointIntrospect, who, oauth2.ServerError().WithCause(err))
		return
	}
	if revoked {
		oauth2.WriteJSON(w, r, http.StatusOK, inactive{})
		return
	}
	oauth2.WriteJSON(w, r, http.StatusOK, introspection{
		Active:    true,
		Scope:     claims.Scope,
		ClientID:  claims.ClientID,
		TokenType: introspectedType(claims.Cnf),
		Exp:       claims.Exp,
		Iat:       claims.Iat,
		Sub:       claims.Sub,
		Iss:       claims.Iss,
		JTI:       claims.JTI,
		TokenUse:  claims.TokenUse,
		Aud:       claims.Aud,
		Cnf:       boundTo(claims.Cnf),
	})
}

// introspectedType is the token_type of an active token: DPoP for a
// DPoP-bound one (RFC 9449 §6.2), Bearer otherwise.
func introspectedType(cnf *bearer.Confirmation) string {
	if cnf != nil && cnf.JKT != "" {
		return tollgate.TokenTypeDPoP
	}
	return oauth2.TokenTypeBearer
}

// boundTo returns cnf when it binds the token to anything, else nil.
func boundTo(cnf *bearer.Confirmation) *bearer.Confirmation {
	if cnf.Bound() {
		return cnf
	}
	return nil
}
