package token

import "github.com/tollgate/tollgate/internal/oauth2"

// Answers to the user sign-in grants, authorization_code (RFC 6749 §4.1.3)
// and refresh_token (RFC 6749 §6), given to an authenticated client.
// Tollgate signs in no users, so it has issued no authorization code and no
// refresh token (client_credentials issues none: RFC 6749 §4.4.3, contract
// §1.2): whatever code or refresh token is presented is one the server does
// not hold, which Cognito answers with invalid_grant ("Refresh token
// revoked; code consumed or missing", contract §1.3; RFC 6749 §5.2: "the
// provided authorization grant ... or refresh token is invalid, expired,
// revoked"). A request without the grant's parameter is missing a required
// parameter: invalid_request (contract §1.3: "refresh_token missing for that
// grant"; RFC 6749 §5.2).
var (
	errCodeRequired         = oauth2.InvalidRequest("code is required for grant_type authorization_code")
	errRefreshTokenRequired = oauth2.InvalidRequest("refresh_token is required for grant_type refresh_token")
	errCodeInvalid          = oauth2.InvalidGrant("the authorization code is invalid: Tollgate serves machine-to-machine clients only and issues no codes (no user sign-in); use grant_type=client_credentials")
	errRefreshTokenInvalid  = oauth2.InvalidGrant("the refresh token is invalid: Tollgate serves machine-to-machine clients only and issues no refresh tokens (no user sign-in); use grant_type=client_credentials")
)

// signInGrantError is the answer to an authenticated request of a user
// sign-in grant (grant is authorization_code or refresh_token).
func signInGrantError(grant string, f form) *oauth2.Error {
	if grant == oauth2.GrantAuthorizationCode {
		if f[oauth2.ParamCode] == "" {
			return errCodeRequired
		}
		return errCodeInvalid
	}
	if f[oauth2.ParamRefreshToken] == "" {
		return errRefreshTokenRequired
	}
	return errRefreshTokenInvalid
}
