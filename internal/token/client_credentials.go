package token

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/oauth2"
)

// TokenUseAccess is the token_use of every token Tollgate issues. The claims
// are bearer.Claims, the one definition of a Cognito access token's claims
// shared with the verifier: their field order is Cognito's claim order
// (contract §2), which encoding/json keeps. sub is the client id (there is
// no user), auth_time equals iat (the client authenticated just now), jti is
// a random UUID v4, which revocation records, and version is 2.
const TokenUseAccess = "access"

// claimsVersion is Cognito's access token format version.
const claimsVersion = 2

// tokenResponse is the successful token response (RFC 6749 §5.1) exactly as
// Cognito sends it for client_credentials: these three members in this
// order, no scope and no refresh_token (RFC 6749 §4.4.3: "A refresh token
// SHOULD NOT be included").
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	TokenType   string `json:"token_type"`
}

// ServeToken serves POST /oauth2/token. It issues an access token to a
// client that authenticates with its secret and is allowed the
// client_credentials flow (RFC 6749 §4.4), for the scopes it asks for, or
// all the scopes it is allowed when it asks for none (Cognito's rule). The
// user sign-in grants Cognito also names, authorization_code and
// refresh_token, are answered as Cognito answers a code or refresh token it
// does not hold (see signInGrantError).
//
// Order: what does not depend on the client comes first (the request's
// shape, readForm; a grant_type that names no grant Cognito serves); then
// the client is authenticated, for every grant, before anything about the
// grant is checked: RFC 6749 §4.1.3 and §6 have the server "require client
// authentication for confidential clients" and authenticate the client
// before it validates the code or the refresh token, and §4.4.2 likewise.
// A request with wrong credentials is invalid_client whatever its grant's
// parameters, and an unauthenticated caller learns nothing of grants.
func (e *Endpoint) ServeToken(w http.ResponseWriter, r *http.Request) {
	// Cognito's token endpoint allows any origin and offers no CORS policy
	// of its own (contract §1.2); errors carry it too, so that a browser
	// script can read them.
	w.Header()[headerAllowOrigin] = anyOrigin
	f, err := readForm(w, r, oauth2.ParamGrantType, oauth2.ParamScope, oauth2.ParamClientID, oauth2.ParamClientSecret,
		oauth2.ParamCode, oauth2.ParamRefreshToken, ParamClientMetadata, paramClientAssertion, paramClientAssertionType, ParamResource)
	if err != nil {
		e.fail(w, r, endpointToken, "", err)
		return
	}
	// The grant type is checked before the client is authenticated: the
	// answer does not depend on the client, and a request that must be
	// refused anyway costs no lookup and no hash.
	grant := f[oauth2.ParamGrantType]
	if err := checkGrantType(grant); err != nil {
		e.fail(w, r, endpointToken, presentedID(f[oauth2.ParamClientID]), err)
		return
	}
	client, who, err := e.authenticate(r.Context(), r, f)
	if err != nil {
		e.fail(w, r, endpointToken, who, err)
		return
	}
	logClient(w, client.ID)
	if grant != oauth2.GrantClientCredentials {
		e.fail(w, r, endpointToken, who, signInGrantError(grant, f))
		return
	}
	e.clientCredentials(w, r, client, who, f)
}

// clientCredentials answers an authenticated client_credentials request.
// When the client's pool has a V3_0 pre token generation trigger, the
// token is what the trigger makes of it (trigger.go), and the request's
// aws_client_metadata is checked and passed to it; otherwise metadata is
// not parsed: nothing would read it.
//
// Beyond Cognito, and only when declared (binding.go, dpop.go,
// resource.go): the token is for the resource the request names (aud,
// RFC 8707), bound to the request's DPoP key (cnf.jkt, token_type DPoP,
// RFC 9449 §5) and to its TLS client certificate (cnf.x5t#S256, RFC 8705
// §3), and carries an aud in pools issuing RFC 9068 JWTs. With nothing
// declared, the token is Cognito's.
func (e *Endpoint) clientCredentials(w http.ResponseWriter, r *http.Request, client *tollgate.Client, who clientRef, f form) {
	if !client.AllowsFlow(tollgate.FlowClientCredentials) {
		e.fail(w, r, endpointToken, who, errFlowNotAllowed)
		return
	}
	b, err := e.bind(r, client, f)
	if err != nil {
		e.fail(w, r, endpointToken, who, err)
		return
	}
	scopes, err := e.admit(r.Context(), w, client, b.resource, f[oauth2.ParamScope])
	if err != nil {
		e.fail(w, r, endpointToken, who, err)
		return
	}

	expiresIn := expiresInOf(client)
	now := e.now().Unix()
	claims := &bearer.Claims{
		Sub:      client.ID,
		TokenUse: TokenUseAccess,
		Scope:    scopes,
		AuthTime: now,
		Iss:      e.opts.Issuer(r, client.PoolID),
		Exp:      now + expiresIn,
		Iat:      now,
		Version:  claimsVersion,
		JTI:      uuid.NewString(),
		ClientID: client.ID,
	}
	if b.declared {
		claims.Aud = e.audience(client, b.pool, b.resource, scopes)
		claims.Cnf = b.cnf()
	}
	var toSign any = claims
	trig, err := e.trigger(client)
	if err != nil {
		e.fail(w, r, endpointToken, who, err)
		return
	}
	if trig != nil {
		p, err := e.preTokenGeneration(r, w, trig, client, claims, f[ParamClientMetadata])
		if err != nil {
			e.fail(w, r, endpointToken, who, err)
			return
		}
		toSign = p
	}
	signed, err := e.opts.Signer.Sign(r.Context(), client.PoolID, toSign)
	if err != nil {
		e.fail(w, r, endpointToken, who, oauth2.ServerError().WithCause(err))
		return
	}
	oauth2.WriteJSON(w, r, http.StatusOK, tokenResponse{
		AccessToken: signed,
		ExpiresIn:   expiresIn,
		TokenType:   b.tokenType(),
	})
	e.logIssued(w, r, claims, client.PoolID)
}

// expiresInOf is the expires_in of client's tokens: its AccessTokenValidity
// in seconds; a zero validity (unset, or an unknown unit) means Cognito's
// default of an hour. Keeping it within 5 minutes to a day is the config's
// job.
func expiresInOf(client *tollgate.Client) int64 {
	validity := client.AccessTokenValidity.Duration()
	if validity <= 0 {
		validity = tollgate.DefaultAccessTokenValidity.Duration()
	}
	return int64(validity / time.Second)
}

// logIssued logs an issued token at Debug.
func (e *Endpoint) logIssued(w http.ResponseWriter, r *http.Request, claims *bearer.Claims, poolID string) {
	e.log.LogAttrs(r.Context(), slog.LevelDebug, "access token issued",
		slog.String("endpoint", endpointToken),
		slog.String("client_id", claims.ClientID),
		slog.String("request_id", oauth2.RequestID(w)),
		slog.String("pool_id", poolID),
		slog.String("jti", claims.JTI),
		slog.String("scope", claims.Scope),
	)
}

// admit checks that an authenticated client may have a token for the
// requested scope and returns the scope claim: the client must be allowed
// the flow and the scopes (of resource, when the request names one); then
// the request is charged to its token quotas, if any (limits.go), before a
// trigger runs or a token is signed, so that refused requests charge
// nothing.
func (e *Endpoint) admit(ctx context.Context, w http.ResponseWriter, client *tollgate.Client, resource *tollgate.ResourceServer, scope string) (string, error) {
	var scopes string
	var err error
	if resource != nil {
		scopes, err = resourceScopes(client, resource, scope)
	} else {
		scopes, err = grantedScopes(client, scope)
	}
	if err != nil {
		return "", err
	}
	if err := e.takeQuota(ctx, w, client); err != nil {
		return "", err
	}
	return scopes, nil
}

// headerAllowOrigin is the CORS response header (Fetch standard), in
// canonical form so that it can be set without canonicalizing it per
// request.
const headerAllowOrigin = "Access-Control-Allow-Origin"

// anyOrigin is the value of headerAllowOrigin on every token response. It is
// shared by all responses and never modified.
var anyOrigin = []string{"*"}

var errFlowNotAllowed = oauth2.UnauthorizedClient("the client is not allowed the client_credentials flow")

// checkGrantType accepts the grant types Cognito's token endpoint names
// (contract §1.1): client_credentials, which Tollgate serves, and
// authorization_code and refresh_token, which it answers after client
// authentication (signInGrantError). Anything else is
// unsupported_grant_type (RFC 6749 §5.2), a missing grant_type
// invalid_request.
func checkGrantType(gt string) error {
	switch gt {
	case oauth2.GrantClientCredentials, oauth2.GrantAuthorizationCode, oauth2.GrantRefreshToken:
		return nil
	case "":
		return oauth2.InvalidRequest("grant_type is required")
	default:
		return oauth2.UnsupportedGrantType("unsupported grant type %s: only client_credentials is supported",
			oauth2.Input(oauth2.SanitizeDescription(truncate(gt, 64))))
	}
}

// grantedScopes returns the scope claim for a request: the requested scopes
// (RFC 6749 §3.3), in the order asked, without duplicates, if the client is
// allowed every one of them; all the client's allowed scopes, in their
// order, if it asked for none (Cognito's documented default). A scope the
// client is not allowed is invalid_scope and no token is issued: Cognito's
// documentation conflicts on this (contract §1.1), and refusing is the
// behaviour observed and the one RFC 6749 §5.2 describes.
func grantedScopes(client *tollgate.Client, requested string) (string, error) {
	asked, err := oauth2.ParseScope(requested)
	if err != nil {
		return "", err
	}
	if len(asked) == 0 {
		if len(client.AllowedOAuthScopes) == 0 {
			return "", oauth2.InvalidScope("no scope was requested and the client is allowed none")
		}
		return strings.Join(client.AllowedOAuthScopes, " "), nil
	}
	for _, s := range asked {
		if !allowedScope(client, s) {
			return "", oauth2.InvalidScope("a requested scope is not allowed for this client: %s", oauth2.Input(truncate(s, 128)))
		}
	}
	return strings.Join(asked, " "), nil
}

func allowedScope(client *tollgate.Client, scope string) bool {
	for _, a := range client.AllowedOAuthScopes {
		if a == scope {
			return true
		}
	}
	return false
}

// truncate shortens s to n bytes for an error description.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
