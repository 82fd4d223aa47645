package gateway

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/headerpolicy"
)

// Headers API Gateway sets on its answers (contract §4.2). They are written
// in Go's canonical form; HTTP header names are case-insensitive.
const (
	HeaderErrorType         = "X-Amzn-Errortype" // x-amzn-ErrorType
	HeaderRequestID         = "X-Amzn-Requestid" // x-amzn-RequestId
	HeaderExtendedRequestID = "X-Amz-Apigw-Id"   // x-amz-apigw-id
	// HeaderHTTPRequestID is the one request id header of an HTTP API's
	// answers, apigw-requestid, in place of the two above (contract
	// apigw-beyond §4.3 "Error headers"; a recorded answer of an HTTP API,
	// code-index file 27491341443: "Apigw-Requestid: WSg1ihmdliAEJXA=").
	HeaderHTTPRequestID   = "Apigw-Requestid"
	headerContentType     = "Content-Type"     //
	headerContentLength   = "Content-Length"   //
	headerWWWAuthenticate = "Www-Authenticate" // only with Options.Challenge
	jsonContentType       = "application/json" //
	errorTypeInternal     = "InternalServerErrorException"
)

// ResponseType names a gateway-originated answer: API Gateway's gateway
// response types (supported-gateway-response-types.md), with UNAUTHORIZED
// split by its two messages. The zero value is not a response type.
type ResponseType int

// Gateway response types, as contract §4.2 tabulates what clients see.
const (
	_ ResponseType = iota
	// ResponseUnauthorized is UNAUTHORIZED: no token, a malformed, forged or
	// foreign token, a missing scope, a revoked token. 401.
	ResponseUnauthorized
	// ResponseExpiredToken is UNAUTHORIZED with the message API Gateway uses
	// for an expired Cognito token, "The incoming token has expired". 401.
	// It is not API Gateway's EXPIRED_TOKEN type (403), which is about
	// SigV4 signatures.
	ResponseExpiredToken
	// ResponseMissingAuthenticationToken is MISSING_AUTHENTICATION_TOKEN:
	// an unknown API, stage, path or method. 403.
	ResponseMissingAuthenticationToken
	// ResponseThrottled is THROTTLED: the stage's or the client's token
	// bucket is empty. 429.
	ResponseThrottled
	// ResponseIntegrationTimeout is INTEGRATION_TIMEOUT: the integration
	// did not answer within its timeout (29 s by default). 504.
	ResponseIntegrationTimeout
	// ResponseIntegrationFailure is what clients see when an integration
	// fails: an unreachable upstream, a Lambda error or timeout, a malformed
	// Lambda proxy response. 502, as API Gateway answers these (the docs'
	// INTEGRATION_FAILURE default of 504 is not what clients observe).
	ResponseIntegrationFailure
	// ResponseRequestTooLarge is REQUEST_TOO_LARGE: a body over 10 MiB, or a
	// request line and header values over 10,240 bytes. 413.
	ResponseRequestTooLarge
	// ResponseAPIConfigurationError is API_CONFIGURATION_ERROR: the method's
	// integration cannot be used (as with a Lambda AccessDenied). 500.
	ResponseAPIConfigurationError
	// ResponseAuthorizerFailure is AUTHORIZER_FAILURE: the authorizer could
	// not decide, because a pool's keys could not be read. 500.
	ResponseAuthorizerFailure
	// ResponseServiceUnavailable is a DEFAULT_5XX answer, 503: a route with
	// an authorizer while the server cannot vouch for its revocations
	// (Options.Unavailable).
	ResponseServiceUnavailable
	// ResponseAccessDenied is ACCESS_DENIED: a Lambda authorizer's policy
	// allows no statement matching the methodArn (an implicit deny, the
	// caching trap of a policy written for another method included). 403
	// {"Message":"User is not authorized to access this resource"}, with
	// the capital M API Gateway writes (apigw-beyond §1.5, §5 item 1).
	ResponseAccessDenied
	// ResponseAccessDeniedExplicit is ACCESS_DENIED for a policy whose Deny
	// statement matches the methodArn: 403 {"Message":"User is not
	// authorized to access this resource with an explicit deny"}.
	ResponseAccessDeniedExplicit
	// ResponseAuthorizerConfigurationError is AUTHORIZER_CONFIGURATION_ERROR:
	// a Lambda authorizer failed (a function error other than
	// "Unauthorized", a timeout, an invocation that did not happen) or
	// answered something that is not a valid policy. 500 {"message":null}
	// (apigw-beyond §1.5).
	ResponseAuthorizerConfigurationError
	// ResponseRequestURITooLong is a DEFAULT_4XX answer, 414: the methodArn
	// of a request to a Lambda-authorized method would be longer than
	// MaxMethodARNBytes (apigw-beyond §1.2; body and type unconfirmed).
	ResponseRequestURITooLong
	// ResponseForbidden is 403 {"message":"Forbidden"}: a JWT authorizer's
	// valid token without a scope of the method
	// (rest-api-jwt-authorizer-methods.html), worded as API Gateway's
	// other "Forbidden" answers (a missing API key; an HTTP API's missing
	// scope, contract apigw-beyond.md §4.3).
	ResponseForbidden
	// ResponseNotFound is an HTTP API's answer to a request for an
	// unknown stage or route, or a method no route has: 404
	// {"message":"Not Found"} (contract apigw-beyond §4.1; not REST's 403).
	// A REST API never answers it: written in REST form, it is
	// RESOURCE_NOT_FOUND's 404 with the same body.
	ResponseNotFound
	// ResponseInvalidAPIKey is INVALID_API_KEY: a method that requires an
	// API key got none, an unknown or disabled one, or one in no usage
	// plan of the API's stage. 403 {"message":"Forbidden"},
	// ForbiddenException (apigw-beyond §3, recorded in LocalStack's
	// TestUsagePlans::test_api_key_required_for_methods snapshot).
	ResponseInvalidAPIKey
	// ResponseQuotaExceeded is QUOTA_EXCEEDED: the key's usage plan quota
	// for the period is spent. 429 {"message":"Limit Exceeded"},
	// LimitExceededException, no Retry-After (apigw-beyond §3;
	// repost.aws/knowledge-center/api-gateway-429-limit). A usage plan's
	// throttles answer ResponseThrottled.
	ResponseQuotaExceeded

	numResponseTypes
)

// response is the precomputed wire form of a ResponseType.
type response struct {
	name      string // API Gateway's type name, for logs
	status    int
	errorType []string // x-amzn-ErrorType, shared: header values are never modified in place
	body      []byte
	length    []string // Content-Length, shared
}

// responses holds every gateway response, built once. The bodies are
// exactly those of contract §4.2: the gateway-response template
// {"message":$context.error.messageString} renders without a space, while
// the integration errors (502, 504), which API Gateway writes elsewhere,
// were captured with one.
var responses = func() [numResponseTypes]response {
	var r [numResponseTypes]response
	set := func(t ResponseType, name string, status int, errorType, body string) {
		r[t] = response{name, status, []string{errorType}, []byte(body), []string{strconv.Itoa(len(body))}}
	}
	set(ResponseUnauthorized, "UNAUTHORIZED", http.StatusUnauthorized,
		"UnauthorizedException", `{"message":"Unauthorized"}`)
	set(ResponseExpiredToken, "UNAUTHORIZED", http.StatusUnauthorized,
		"UnauthorizedException", `{"message":"The incoming token has expired"}`)
	set(ResponseMissingAuthenticationToken, "MISSING_AUTHENTICATION_TOKEN", http.StatusForbidden,
		"MissingAuthenticationTokenException", `{"message":"Missing Authentication Token"}`)
	set(ResponseThrottled, "THROTTLED", http.StatusTooManyRequests,
		"TooManyRequestsException", `{"message":"Too Many Requests"}`)
	set(ResponseIntegrationTimeout, "INTEGRATION_TIMEOUT", http.StatusGatewayTimeout,
		errorTypeInternal, `{"message": "Endpoint request timed out"}`)
	set(ResponseIntegrationFailure, "INTEGRATION_FAILURE", http.StatusBadGateway,
		errorTypeInternal, `{"message": "Internal server error"}`)
	set(ResponseRequestTooLarge, "REQUEST_TOO_LARGE", http.StatusRequestEntityTooLarge,
		"RequestTooLargeException", `{"message":"Request Too Long"}`)
	set(ResponseAPIConfigurationError, "API_CONFIGURATION_ERROR", http.StatusInternalServerError,
		errorTypeInternal, `{"message":"Internal server error"}`)
	set(ResponseAuthorizerFailure, "AUTHORIZER_FAILURE", http.StatusInternalServerError,
		errorTypeInternal, `{"message":"Internal server error"}`)
	set(ResponseServiceUnavailable, "DEFAULT_5XX", http.StatusServiceUnavailable,
		"ServiceUnavailableException", `{"message":"Service Unavailable"}`)
	set(ResponseAccessDenied, "ACCESS_DENIED", http.StatusForbidden,
		"AccessDeniedException", `{"Message":"User is not authorized to access this resource"}`)
	set(ResponseAccessDeniedExplicit, "ACCESS_DENIED", http.StatusForbidden,
		"AccessDeniedException", `{"Message":"User is not authorized to access this resource with an explicit deny"}`)
	set(ResponseAuthorizerConfigurationError, "AUTHORIZER_CONFIGURATION_ERROR", http.StatusInternalServerError,
		"AuthorizerConfigurationException", `{"message":null}`)
	set(ResponseRequestURITooLong, "DEFAULT_4XX", http.StatusRequestURITooLong,
		"RequestURITooLongException", `{"message":"Request-URI Too Long"}`)
	set(ResponseForbidden, "ACCESS_DENIED", http.StatusForbidden,
		"ForbiddenException", `{"message":"Forbidden"}`)
	set(ResponseNotFound, "RESOURCE_NOT_FOUND", http.StatusNotFound,
		"NotFoundException", `{"message":"Not Found"}`)
	set(ResponseInvalidAPIKey, "INVALID_API_KEY", http.StatusForbidden,
		"ForbiddenException", `{"message":"Forbidden"}`)
	set(ResponseQuotaExceeded, "QUOTA_EXCEEDED", http.StatusTooManyRequests,
		"LimitExceededException", `{"message":"Limit Exceeded"}`)
	return r
}()

// httpResponses holds every gateway response as an HTTP API writes it:
// no x-amzn-ErrorType, and the few bodies of contract apigw-beyond §4.5's
// error table, without a space after the colon as in REST's
// gateway-response template. An HTTP API has no configurable gateway
// responses, so several REST types share one answer: every authorizer
// refusal that is not a 401 is 403 {"message":"Forbidden"}, every failure
// 500 {"message":"Internal Server Error"}.
var httpResponses = func() [numResponseTypes]response {
	const (
		unauthorized = `{"message":"Unauthorized"}`
		forbidden    = `{"message":"Forbidden"}`
		internal     = `{"message":"Internal Server Error"}`
		unavailable  = `{"message":"Service Unavailable"}`
	)
	var r [numResponseTypes]response
	set := func(t ResponseType, status int, body string) {
		r[t] = response{responses[t].name, status, nil, []byte(body), []string{strconv.Itoa(len(body))}}
	}
	set(ResponseUnauthorized, http.StatusUnauthorized, unauthorized)
	// An expired token is one more invalid token to an HTTP API's JWT
	// authorizer (§4.3: 401 {"message":"Unauthorized"}).
	set(ResponseExpiredToken, http.StatusUnauthorized, unauthorized)
	set(ResponseMissingAuthenticationToken, http.StatusNotFound, `{"message":"Not Found"}`)
	set(ResponseNotFound, http.StatusNotFound, `{"message":"Not Found"}`)
	// 429's body is unverified for HTTP APIs (§5 item 9): REST's THROTTLED
	// text, which is also the status's reason phrase.
	set(ResponseThrottled, http.StatusTooManyRequests, `{"message":"Too Many Requests"}`)
	// §4.5: an integration timeout is 503 (cortexlabs/cortex#1225, a
	// capture with apigw-requestid), a failing integration 500.
	set(ResponseIntegrationTimeout, http.StatusServiceUnavailable, unavailable)
	set(ResponseIntegrationFailure, http.StatusInternalServerError, internal)
	// 413's body is unverified for HTTP APIs (§5 item 9): the status's
	// RFC 7231 reason phrase, worded as the other bodies are.
	set(ResponseRequestTooLarge, http.StatusRequestEntityTooLarge, `{"message":"Request Entity Too Large"}`)
	set(ResponseAPIConfigurationError, http.StatusInternalServerError, internal)
	set(ResponseAuthorizerFailure, http.StatusInternalServerError, internal)
	set(ResponseServiceUnavailable, http.StatusServiceUnavailable, unavailable)
	// §4.4: a Lambda authorizer's deny (isAuthorized false, an IAM Deny
	// or no Allow) is 403 {"message":"Forbidden"}, a broken one 500.
	set(ResponseAccessDenied, http.StatusForbidden, forbidden)
	set(ResponseAccessDeniedExplicit, http.StatusForbidden, forbidden)
	set(ResponseAuthorizerConfigurationError, http.StatusInternalServerError, internal)
	set(ResponseRequestURITooLong, http.StatusRequestURITooLong, `{"message":"Request-URI Too Long"}`)
	set(ResponseForbidden, http.StatusForbidden, forbidden)
	// HTTP APIs have no API keys (apigw-beyond §3): never written, kept
	// for a complete table.
	set(ResponseInvalidAPIKey, http.StatusForbidden, forbidden)
	set(ResponseQuotaExceeded, http.StatusTooManyRequests, `{"message":"Limit Exceeded"}`)
	return r
}()

var jsonContentTypeValue = []string{jsonContentType}

func (t ResponseType) valid() bool { return t > 0 && t < numResponseTypes }

// Status returns the HTTP status of the response type, or 500 for an
// unknown type.
func (t ResponseType) Status() int {
	if !t.valid() {
		return http.StatusInternalServerError
	}
	return responses[t].status
}

// String returns API Gateway's name of the type, e.g. "UNAUTHORIZED".
func (t ResponseType) String() string {
	if !t.valid() {
		return "ResponseType(" + strconv.Itoa(int(t)) + ")"
	}
	return responses[t].name
}

// WriteResponse writes the gateway response t to w: its status, the body
// {"message":"..."} with Content-Type application/json, x-amzn-ErrorType,
// and the request ids x-amzn-RequestId and x-amz-apigw-id (contract §4.2).
// The ids already set on w, as the gateway sets them before it calls an
// integration, are kept, so that an integration's error answer carries the
// id the gateway logged; fresh ones are set otherwise. An unknown t is
// written as API_CONFIGURATION_ERROR.
//
// Integrations call it from their error paths, e.g. an
// httputil.ReverseProxy ErrorHandler writing ResponseIntegrationFailure or
// ResponseIntegrationTimeout. It must be called before anything else is
// written to w.
func WriteResponse(w http.ResponseWriter, t ResponseType) {
	if !t.valid() {
		t = ResponseAPIConfigurationError
	}
	refusedWith(w, t)
	resp := &responses[t]
	h := w.Header()
	if len(h[HeaderRequestID]) == 0 || len(h[HeaderExtendedRequestID]) == 0 {
		id, ext := newRequestIDs()
		if len(h[HeaderRequestID]) == 0 {
			h[HeaderRequestID] = []string{id}
		}
		if len(h[HeaderExtendedRequestID]) == 0 {
			h[HeaderExtendedRequestID] = []string{ext}
		}
	}
	h[headerContentType] = jsonContentTypeValue
	h[headerContentLength] = resp.length
	h[HeaderErrorType] = resp.errorType
	w.WriteHeader(resp.status)
	w.Write(resp.body)
}

// WriteHTTPResponse writes the gateway response t to w as an HTTP API
// answers it (contract apigw-beyond §4.5): its status and {"message":"..."}
// body with Content-Type application/json, and the request id
// apigw-requestid; no x-amzn-ErrorType. An id already set on w, as the
// gateway sets it before it calls an integration, is kept; a fresh one is
// set otherwise. An unknown t is written as API_CONFIGURATION_ERROR (500
// Internal Server Error). Like WriteResponse, it must be called before
// anything else is written to w.
func WriteHTTPResponse(w http.ResponseWriter, t ResponseType) {
	if !t.valid() {
		t = ResponseAPIConfigurationError
	}
	refusedWith(w, t)
	resp := &httpResponses[t]
	h := w.Header()
	if len(h[HeaderHTTPRequestID]) == 0 {
		_, ext := newRequestIDs()
		h[HeaderHTTPRequestID] = []string{ext}
	}
	h[headerContentType] = jsonContentTypeValue
	h[headerContentLength] = resp.length
	w.WriteHeader(resp.status)
	w.Write(resp.body)
}

// responseWriter writes a gateway response in one API kind's form:
// WriteResponse or WriteHTTPResponse.
type responseWriter func(http.ResponseWriter, ResponseType)

// responseWriterOf returns the writer of api's gateway responses; REST's
// for nil (an unknown API, whose kind is unknown).
func responseWriterOf(api *tollgate.RestAPI) responseWriter {
	if api != nil && api.IsHTTP() {
		return WriteHTTPResponse
	}
	return WriteResponse
}

// incompleteSignature is the start of the message API Gateway answers an
// unknown resource or method with when the request carries an
// Authorization header: it takes the header for a malformed SigV4
// signature (contract §4.2, the row after MISSING_AUTHENTICATION_TOKEN).
const incompleteSignature = "Authorization header requires 'Credential' parameter. " +
	"Authorization header requires 'Signature' parameter. " +
	"Authorization header requires 'SignedHeaders' parameter. " +
	"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
	"Authorization="

var incompleteSignatureType = []string{"IncompleteSignatureException"}

// writeNoRoute answers a request for an unknown API, stage, resource or
// method: 403 Missing Authentication Token, or, when the request has an
// Authorization header, 403 IncompleteSignatureException with a message
// that quotes the header back, as API Gateway does.
func writeNoRoute(w http.ResponseWriter, r *http.Request) {
	refused(w, whyNoRoute)
	auth := r.Header.Get("Authorization")
	if auth == "" {
		WriteResponse(w, ResponseMissingAuthenticationToken)
		return
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(struct { // a struct of one string: cannot fail
		Message string `json:"message"`
	}{signatureMessage(auth)})
	body.Truncate(body.Len() - 1) // Encode's newline
	h := w.Header()
	h[headerContentType] = jsonContentTypeValue
	h[headerContentLength] = []string{strconv.Itoa(body.Len())}
	h[HeaderErrorType] = incompleteSignatureType
	w.WriteHeader(http.StatusForbidden)
	w.Write(body.Bytes())
}

// signatureMessage is what API Gateway says of an Authorization header it
// reads as a malformed SigV4 signature. After the scheme, the header must
// be comma-separated key=value pairs: the first part without '=' is
// quoted back, as for "Bearer <jwt>" (recorded answers:
// serverless/serverless#3205, cowinapi/developer.cowin#129:
// "'tok' not a valid key=value pair (missing equal-sign) in Authorization
// header: 'Bearer tok'."). A header without a scheme (a bare token), or
// whose parts all have '=', lacks the SigV4 parameters (contract §4.2).
func signatureMessage(auth string) string {
	if _, params, ok := strings.Cut(auth, " "); ok {
		for part := range strings.SplitSeq(params, ",") {
			part = strings.TrimSpace(part)
			if part != "" && !strings.Contains(part, "=") {
				return "'" + part + "' not a valid key=value pair (missing equal-sign) in Authorization header: '" + auth + "'."
			}
		}
	}
	return incompleteSignature + auth
}

// newRequestIDs returns a fresh request id, a random (version 4) UUID as
// API Gateway's x-amzn-RequestId is, and an extended request id shaped like
// its x-amz-apigw-id and an HTTP API's apigw-requestid (16 characters of
// padded URL-safe base64, e.g. "LV7fzho-PHcEJPw=", the requestId of
// aws-lambda-go's events/testdata/apigw-v2-request-no-authorizer.json). Both come from one read of the system's random
// source.
func newRequestIDs() (id, ext string) {
	id, ext, _ = newIDs(time.Time{})
	return id, ext
}

// newIDs returns newRequestIDs' ids and a fresh X-Amzn-Trace-Id made at
// now (headerpolicy.NewTraceID): all three from one read of the random
// source, in one string.
func newIDs(now time.Time) (id, ext, trace string) {
	var b [16 + 11 + headerpolicy.TraceRandomLen]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("gateway: crypto/rand failed: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40 // version 4 (RFC 9562 §5.4)
	b[8] = b[8]&0x3f | 0x80 // variant 10
	var s [36 + 16 + headerpolicy.TraceIDLen]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], b[10:16])
	base64.URLEncoding.Encode(s[36:52], b[16:27])
	headerpolicy.PutTraceID(s[52:], now, (*[headerpolicy.TraceRandomLen]byte)(b[27:]))
	all := string(s[:]) // one allocation for the three
	return all[:36], all[36:52], all[52:]
}
