package gateway

import (
	"net/http"
	"strings"
)

// LogFields is what the gateway tells a server's access log about a
// request it answered. The strings are the declaration's own or constants
// (never built per request on the allowed path), "" for what the request
// did not reach.
type LogFields struct {
	// RequestID is the x-amzn-RequestId the answer went out with.
	RequestID string
	API       string // the API's id
	Stage     string // the stage's name
	// Route is the declared method and resource path, like
	// "GET /items/{id}" or "ANY /{proxy+}".
	Route string
	// ClientID is the client_id of the token the authorizer verified: the
	// token it allowed, or one it verified and then refused (a missing
	// scope, a revoked token, a binding, a throttle, a usage plan). It is
	// never read from a token that was not verified.
	ClientID string
	// APIKeyID is the id of the API key the request presented to a method
	// that requires one, when the gateway found it: a key it let through,
	// or one it then refused (disabled, in no plan of the stage,
	// throttled, over its quota). It is never the key's value, and "" for
	// an unknown key or a method that requires none.
	APIKeyID string
	// Reason is why the gateway refused the request or could not serve
	// it, one of the Reason* codes; "" when the gateway let it through
	// (an integration's own error answer has none).
	Reason string
	// Detail says Reason in one sentence an operator reads. It never holds
	// a token, secret, API key value or query string; it may name the
	// route's scopes or the authorizer.
	Detail string
}

// Reasons of LogFields: short codes, stable across versions, for logs,
// filters and dashboards.
const (
	// ReasonNoRoute: no API, stage, resource or method matched the request.
	ReasonNoRoute = "no_route"
	// ReasonPathRejected: the path is one the gateway refuses to route
	// (an encoded slash or dot segment that would reach another route).
	ReasonPathRejected = "path_rejected"
	// ReasonPayloadTooLarge: a body over MaxBodyBytes, or a request line
	// and headers over MaxHeaderBytes.
	ReasonPayloadTooLarge = "payload_too_large"
	// ReasonURITooLong: the methodArn of a Lambda-authorized request is
	// over MaxMethodARNBytes.
	ReasonURITooLong = "uri_too_long"
	// ReasonMissingToken: the route's authorizer found no token (or no
	// identity source) on the request.
	ReasonMissingToken = "missing_token"
	// ReasonInvalidToken: the token is malformed, forged, from another
	// issuer, or otherwise fails verification.
	ReasonInvalidToken = "invalid_token"
	// ReasonExpiredToken: the token's exp has passed.
	ReasonExpiredToken = "expired_token"
	// ReasonRevokedToken: the token was revoked (RFC 7009).
	ReasonRevokedToken = "revoked_token"
	// ReasonInsufficientScope: the token carries none of the route's
	// authorization scopes.
	ReasonInsufficientScope = "insufficient_scope"
	// ReasonWrongAudience: the token's audience is not the API.
	ReasonWrongAudience = "wrong_audience"
	// ReasonBindingRequired: the route requires a sender-constrained
	// token (DPoP or certificate-bound), or a DPoP-bound token came with
	// the Bearer scheme.
	ReasonBindingRequired = "binding_required"
	// ReasonInvalidDPoPProof: the DPoP proof is missing, malformed, reused
	// or not signed by the token's key (RFC 9449).
	ReasonInvalidDPoPProof = "invalid_dpop_proof"
	// ReasonCertificateMismatch: a certificate-bound token came without
	// its client certificate, or with another (RFC 8705).
	ReasonCertificateMismatch = "certificate_mismatch"
	// ReasonLambdaUnauthorized: the Lambda authorizer answered
	// "Unauthorized".
	ReasonLambdaUnauthorized = "lambda_unauthorized"
	// ReasonLambdaDeny: the Lambda authorizer's policy does not allow the
	// request (an explicit or implicit deny).
	ReasonLambdaDeny = "lambda_deny"
	// ReasonAuthorizerError: the authorizer could not decide (a pool's
	// keys unreadable, a Lambda authorizer failing or answering no valid
	// policy, a DPoP replay cache unreachable).
	ReasonAuthorizerError = "authorizer_error"
	// ReasonAPIKeyMissing: the method requires an API key and the request
	// has none.
	ReasonAPIKeyMissing = "api_key_missing"
	// ReasonAPIKeyInvalid: the API key is unknown, disabled, or in no
	// usage plan of the stage.
	ReasonAPIKeyInvalid = "api_key_invalid"
	// ReasonThrottled: a stage, route, client or usage plan throttle
	// refused the request.
	ReasonThrottled = "throttled"
	// ReasonQuotaExceeded: the API key's usage plan quota is spent.
	ReasonQuotaExceeded = "quota_exceeded"
	// ReasonUnavailable: the server cannot vouch for what it would check
	// (its catalog is not current, the shared limiter is unreachable).
	ReasonUnavailable = "unavailable"
	// ReasonIntegrationTimeout: the integration did not answer in time.
	ReasonIntegrationTimeout = "integration_timeout"
	// ReasonIntegrationError: the integration failed (an unreachable
	// upstream, a Lambda error, a malformed Lambda proxy response).
	ReasonIntegrationError = "integration_error"
	// ReasonConfigurationError: the method's integration cannot be used.
	ReasonConfigurationError = "configuration_error"
)

// The reasons of two refusals, as authorizers word them.
const (
	reasonRevoked      = "token revoked"
	lambdaUnauthorized = "the function answered Unauthorized"
)

// why is a refusal the gateway wrote, as its statusRecorder keeps it: an
// index in whys (0: none), so that recording it costs a byte store.
type why uint8

const (
	whyNone why = iota
	whyNoRoute
	whyPathRejected
	whyTooLarge
	whyURITooLong
	whyUnauthorized
	whyExpired
	whyStageThrottle
	whyClientThrottle
	whyPlanThrottle
	whyThrottle
	whyQuota
	whyKeyMissing
	whyKeyInvalid
	whyCatalogUnavailable
	whyLimiterUnavailable
	whyIntegrationTimeout
	whyIntegrationError
	whyConfiguration
	whyAuthorizerFailure
	whyAccessDenied
	whyForbidden
	numWhys
)

// whys are the Reason and Detail of each why: constants, so that logging
// a refusal allocates nothing.
var whys = [numWhys]struct{ reason, detail string }{
	whyNoRoute:            {ReasonNoRoute, "no API, stage, resource or method matches the request"},
	whyPathRejected:       {ReasonPathRejected, "the path is ambiguous (a dot segment, an encoded slash, an overlong escape) or would reach a route guarded more than the one it matches"},
	whyTooLarge:           {ReasonPayloadTooLarge, "the body is over 10 MiB, or the request line and headers over 10,240 bytes"},
	whyURITooLong:         {ReasonURITooLong, "the request's methodArn is too long for a Lambda authorizer"},
	whyUnauthorized:       {ReasonInvalidToken, "the authorizer refused the request"},
	whyExpired:            {ReasonExpiredToken, "the token has expired"},
	whyStageThrottle:      {ReasonThrottled, "the stage's or the route's throttle refused the request"},
	whyClientThrottle:     {ReasonThrottled, "the client's throttle refused the request"},
	whyPlanThrottle:       {ReasonThrottled, "the usage plan's throttle refused the request"},
	whyThrottle:           {ReasonThrottled, "a throttle of the stage, the route or the client refused the request"},
	whyQuota:              {ReasonQuotaExceeded, "the API key's usage plan quota for the period is used up"},
	whyKeyMissing:         {ReasonAPIKeyMissing, "the method requires an API key (x-api-key) and the request has none"},
	whyKeyInvalid:         {ReasonAPIKeyInvalid, "the API key is unknown, disabled, or in no usage plan of the stage"},
	whyCatalogUnavailable: {ReasonUnavailable, "the server cannot confirm its view of revocations and keys is current"},
	whyLimiterUnavailable: {ReasonUnavailable, "the shared limiter could not be reached"},
	whyIntegrationTimeout: {ReasonIntegrationTimeout, "the integration did not answer within its timeout"},
	whyIntegrationError:   {ReasonIntegrationError, "the integration failed: an unreachable upstream, a Lambda error, or a malformed Lambda response"},
	whyConfiguration:      {ReasonConfigurationError, "the method's integration cannot be used"},
	whyAuthorizerFailure:  {ReasonAuthorizerError, "the authorizer could not decide"},
	whyAccessDenied:       {ReasonLambdaDeny, "the Lambda authorizer's policy does not allow the request"},
	whyForbidden:          {ReasonInsufficientScope, "the token carries none of the route's scopes"},
}

// responseWhys is the refusal a gateway response says, when nothing more
// precise was recorded before it was written.
var responseWhys = [numResponseTypes]why{
	ResponseUnauthorized:                 whyUnauthorized,
	ResponseExpiredToken:                 whyExpired,
	ResponseMissingAuthenticationToken:   whyNoRoute,
	ResponseThrottled:                    whyStageThrottle,
	ResponseIntegrationTimeout:           whyIntegrationTimeout,
	ResponseIntegrationFailure:           whyIntegrationError,
	ResponseRequestTooLarge:              whyTooLarge,
	ResponseAPIConfigurationError:        whyConfiguration,
	ResponseAuthorizerFailure:            whyAuthorizerFailure,
	ResponseServiceUnavailable:           whyCatalogUnavailable,
	ResponseAccessDenied:                 whyAccessDenied,
	ResponseAccessDeniedExplicit:         whyAccessDenied,
	ResponseAuthorizerConfigurationError: whyAuthorizerFailure,
	ResponseRequestURITooLong:            whyURITooLong,
	ResponseForbidden:                    whyForbidden,
	ResponseNotFound:                     whyNoRoute,
	ResponseInvalidAPIKey:                whyKeyInvalid,
	ResponseQuotaExceeded:                whyQuota,
}

// refused records on the gateway's recorder w (when it is one) why the
// answer about to be written refuses the request, unless a reason is
// already recorded.
func refused(w http.ResponseWriter, y why) {
	if rec, ok := w.(*statusRecorder); ok && rec.why == whyNone {
		rec.why = y
	}
}

// refusedWith records the refusal a gateway response t says.
func refusedWith(w http.ResponseWriter, t ResponseType) {
	if t.valid() {
		refused(w, responseWhys[t])
	}
}

// refused records in l the authorizer's refusal res of r on route rs:
// its reason and the client of the token it verified, if any.
func (l *labels) refused(r *http.Request, rs *routeState, res *Result) {
	l.clientID = verifiedClientID(res)
	switch {
	case rs.lambda != nil:
		l.reason, l.detail = lambdaRefusal(rs, res)
	case res.bound != nil:
		l.reason, l.detail = boundRefusal(res)
	default:
		l.reason, l.detail = refusalOf(rs, res, rs.authz.present(r))
	}
}

// lambdaRefusal is the Reason and Detail of a Lambda authorizer's
// refusal res on route rs. Like the others, it runs only on refusals:
// the Detail may be built.
func lambdaRefusal(rs *routeState, res *Result) (reason, detail string) {
	switch res.Decision {
	case Unauthorized:
		switch {
		case res.Reason == lambdaUnauthorized:
			return ReasonLambdaUnauthorized, "the Lambda authorizer " + rs.lambda.name + " answered Unauthorized"
		case strings.Contains(res.Reason, "validation expression"):
			return ReasonInvalidToken, "the token does not match the Lambda authorizer's identity validation expression"
		}
		return ReasonMissingToken, "the request lacks the identity source of the Lambda authorizer " + rs.lambda.name
	case Denied:
		return ReasonLambdaDeny, "the policy of the Lambda authorizer " + rs.lambda.name + " allows nothing matching the request"
	case ExplicitDeny:
		return ReasonLambdaDeny, "the policy of the Lambda authorizer " + rs.lambda.name + " denies the request explicitly"
	case URITooLong:
		return whys[whyURITooLong].reason, whys[whyURITooLong].detail
	}
	return ReasonAuthorizerError, "the Lambda authorizer " + rs.lambda.name + " failed or answered no valid policy"
}

// boundRefusal is the Reason and Detail of checkBinding's refusal res (a
// Cognito or JWT authorizer's token refused for its binding or audience).
func boundRefusal(res *Result) (reason, detail string) {
	b := res.bound
	switch {
	case res.Decision == Failed:
		return ReasonAuthorizerError, "DPoP proofs cannot be checked: the replay cache did not answer"
	case b == refusedNotAudience:
		return ReasonWrongAudience, "the token's audience is not this API"
	case b == refusedNoCert || b == refusedCert:
		return ReasonCertificateMismatch, b.description
	case b.code == codeInvalidProof:
		return ReasonInvalidDPoPProof, "the DPoP proof was refused: " + b.description
	case b == refusedBearerUse || b == refusedNotBound || b == refusedUnbound[0] || b == refusedUnbound[1] || b == refusedUnbound[2]:
		return ReasonBindingRequired, b.description
	}
	return ReasonInvalidToken, "the access token is not valid"
}

// refusalOf is the Reason and Detail of a Cognito or JWT authorizer's
// refusal res on route rs; present tells whether the request carried the
// authorizer's identity source.
func refusalOf(rs *routeState, res *Result, present bool) (reason, detail string) {
	switch res.Decision {
	case Expired:
		return ReasonExpiredToken, "the token has expired"
	case Failed:
		return ReasonAuthorizerError, "the authorizer could not decide: the issuer's keys could not be read"
	}
	switch {
	case !present:
		return ReasonMissingToken, "the request has no token"
	case res.Claims != nil && res.Reason == reasonRevoked:
		return ReasonRevokedToken, "the token was revoked"
	case res.Claims != nil:
		return ReasonInsufficientScope, "the token lacks a scope the route requires (" + strings.Join(rs.scopes, ", ") + ")"
	case res.why.kind == refusedAudience:
		return ReasonWrongAudience, "the token's audience is not one the authorizer accepts"
	case res.why.kind == refusedNoToken:
		return ReasonMissingToken, "the request has no token"
	}
	if res.Reason != "" {
		// The authorizer's reasons hold nothing of an unverified token
		// (Result.Reason).
		return ReasonInvalidToken, "the token is not valid: " + res.Reason
	}
	return ReasonInvalidToken, "the token is not valid"
}

// verifiedClientID is the client_id of the token res verified, refused
// after verification or not; "" when none was verified.
func verifiedClientID(res *Result) string {
	switch {
	case res.Claims != nil:
		return res.Claims.ClientID
	case res.v != nil && res.v.claims != nil:
		return res.v.claims.ClientID
	}
	return ""
}

// LogFieldsRecorder is implemented by the ResponseWriter of a server
// middleware that logs requests. The gateway finds it on the writer it is
// given (or on one it unwraps to, through Unwrap() http.ResponseWriter, as
// http.ResponseController does) and fills in the fields before ServeHTTP
// returns. Carrying them on the writer the middleware allocates anyway
// costs the request nothing more: no context value, no allocation.
type LogFieldsRecorder interface {
	GatewayLogFields() *LogFields
}

// logFields returns the LogFields of w, or nil.
func logFields(w http.ResponseWriter) *LogFields {
	for {
		switch x := w.(type) {
		case LogFieldsRecorder:
			return x.GatewayLogFields()
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return nil
		}
	}
}
