package token

import (
	"net/http"

	"github.com/tollgate/tollgate/internal/oauth2"
)

// errNoUserSignIn answers every authorization request.
var errNoUserSignIn = oauth2.UnsupportedResponseType("Tollgate serves machine-to-machine clients only: there is no user sign-in; request tokens with grant_type=client_credentials at /oauth2/token")

// ServeAuthorize serves /oauth2/authorize, the authorization endpoint
// (RFC 6749 §3.1) that Cognito's domains have and that OpenID Connect
// Discovery 1.0 §3 requires a provider to advertise. Tollgate signs in no
// users, so it supports no response type: every request, whatever its
// method and parameters, gets 400 unsupported_response_type as a JSON body.
// It never redirects: no client of Tollgate has a registered redirect URI,
// and RFC 6749 §4.1.2.1 forbids redirecting to one that is not.
func (e *Endpoint) ServeAuthorize(w http.ResponseWriter, r *http.Request) {
	e.fail(w, r, endpointAuthorize, presentedID(r.URL.Query().Get(oauth2.ParamClientID)), errNoUserSignIn)
}
