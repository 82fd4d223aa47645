package oauth2

// Grant types of RFC 6749 §4 and §6 that Cognito's token endpoint names.
// Tollgate serves only client_credentials: the others sign in users, which
// it does not do, so no code or refresh token it is shown is valid.
const (
	GrantClientCredentials = "client_credentials"
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
)

// TokenTypeBearer is the token_type of every access token Tollgate issues
// (RFC 6749 §7.1, RFC 6750).
const TokenTypeBearer = "Bearer"

// Request parameter names.
const (
	ParamGrantType     = "grant_type"
	ParamScope         = "scope"
	ParamClientID      = "client_id"
	ParamClientSecret  = "client_secret"
	ParamToken         = "token"
	ParamTokenTypeHint = "token_type_hint"
	ParamCode          = "code"          // authorization_code (RFC 6749 §4.1.3)
	ParamRefreshToken  = "refresh_token" // refresh_token (RFC 6749 §6)
)

// ContentTypeForm is the media type of every request to the token,
// revocation and introspection endpoints (RFC 6749 §4.4.2, RFC 7009 §2.1,
// RFC 7662 §2.1).
const ContentTypeForm = "application/x-www-form-urlencoded"
