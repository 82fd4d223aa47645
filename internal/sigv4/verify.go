package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm accepted.
const Algorithm = "AWS4-HMAC-SHA256"

// DefaultMaxSkew is how far X-Amz-Date may be from the server's clock, as
// AWS allows.
const DefaultMaxSkew = 15 * time.Minute

// Time formats of SigV4.
const (
	amzDateFormat   = "20060102T150405Z"
	scopeDateFormat = "20060102"
)

// ErrUnknownKey is what a SecretFunc returns for an access key id it does
// not know.
var ErrUnknownKey = errors.New("sigv4: unknown access key")

// SecretFunc returns the secret access key of an access key id, or
// ErrUnknownKey. Any other error is an internal failure.
type SecretFunc func(ctx context.Context, accessKeyID string) (string, error)

// Verifier checks the signatures of requests to one service.
type Verifier struct {
	// Service is the service name of the credential scope, e.g. "cognito-idp".
	Service string
	// Regions, if set, are the regions a credential scope may name;
	// otherwise any name shaped like a region (us-east-1) is accepted.
	Regions []string
	// Secret looks up secret access keys.
	Secret SecretFunc
	// MaxSkew bounds the difference between X-Amz-Date and Now (default
	// DefaultMaxSkew).
	MaxSkew time.Duration
	// Now returns the current time (default time.Now).
	Now func() time.Time
}

// Credential is what a verified request was signed with.
type Credential struct {
	AccessKeyID string
	Date        string // the scope's date, YYYYMMDD
	Region      string
	Service     string
}

// Error is a verification failure, with AWS's error code and message and
// the HTTP status AWS answers with. Internal failures (the secret lookup
// failed) carry the cause for the log only.
//
// Message is for the caller: as AWS's do, it may quote what the request
// sent ("Credential should have the form … Got 'AKID/…'"), and a caller
// who swapped its access key id and secret gets its secret back, which is
// fine. A log must not: LogMessage, which Error returns too, is the
// message with every value the request sent replaced by its length.
type Error struct {
	Code    string // e.g. "InvalidSignatureException"
	Message string
	Status  int
	Cause   error

	logMessage string
}

// LogMessage is the message as a log may show it: Message with each value
// of the request replaced by "(N bytes)".
func (e *Error) LogMessage() string { return e.logMessage }

// Error is the log's view of the error: the code, LogMessage and the cause.
func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Code + ": " + e.logMessage + ": " + e.Cause.Error()
	}
	return e.Code + ": " + e.logMessage
}

func (e *Error) Unwrap() error { return e.Cause }

// Error codes.
const (
	CodeMissingToken      = "MissingAuthenticationTokenException"
	CodeIncomplete        = "IncompleteSignatureException"
	CodeUnrecognized      = "UnrecognizedClientException"
	CodeInvalidSignature  = "InvalidSignatureException"
	CodeInternal          = "InternalFailure"
	messageMismatch       = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	messageUnrecognized   = "The security token included in the request is invalid."
	messageMissingToken   = "Missing Authentication Token"
	messageHashMismatch   = "The provided 'x-amz-content-sha256' header does not match what was computed."
	messageDateRequired   = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
	messageInternal       = "An internal error occurred."
	messageNotSigned      = "'%s' must be a 'SignedHeader' in the AWS Authorization."
	headerAuthorization   = "Authorization"
	headerAmzDate         = "X-Amz-Date"
	headerContentSHA256   = "X-Amz-Content-Sha256"
	lowerHost             = "host"
	amzPrefix             = "x-amz-"
	lowerContentLength    = "content-length"
	credentialTerminator  = "aws4_request"
	maxSignedHeaders      = 64
	maxAuthorizationBytes = 4096
)

// fail makes an *Error whose message is format with args. Every string
// argument is taken for a value of the request, which LogMessage shows by
// its length, unless it is marked known; numbers are shown as they are,
// anything else as "(a value)". Marking what may be logged, rather than
// what may not, keeps a new message from leaking a value nobody marked.
func fail(status int, code, format string, args ...any) *Error {
	logArgs := make([]any, len(args))
	for i, a := range args {
		switch a := a.(type) {
		case known:
			logArgs[i] = string(a)
		case string:
			logArgs[i] = "(" + strconv.Itoa(len(a)) + " bytes)"
		case int, int64:
			logArgs[i] = a
		default:
			logArgs[i] = "(a value)"
		}
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: status, logMessage: fmt.Sprintf(format, logArgs...)}
}

// headerName is a header's name as an argument of fail: known when it is
// one the AWS APIs define, otherwise the request's (any x-amz-* name).
func headerName(name string) any {
	switch name {
	case "Content-Type", "x-amz-target", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token",
		"x-amz-invocation-type", "x-amz-log-type", "x-amz-client-context", "x-amz-user-agent":
		return known(name)
	}
	return name
}

// known marks an argument of fail that the log may show as it is: a value
// Tollgate holds (its service name, a header name it requires) or one the
// request sent that has been parsed into a shape that holds no secret (a
// date).
type known string

// regionPattern is what an AWS region name looks like.
var regionPattern = regexp.MustCompile(`^[a-z]{2}(?:-[a-z]+)+-\d$`)

// Verify checks r's signature over body, the request's whole payload (the
// caller has read it; r.Body is not touched). It returns the credential
// the request was signed with, or an *Error.
func (v *Verifier) Verify(r *http.Request, body []byte) (*Credential, error) {
	auth, err := authorizationHeader(r)
	if err != nil {
		return nil, err
	}
	cred := &Credential{AccessKeyID: auth.AccessKeyID, Date: auth.Date, Region: auth.Region, Service: auth.Service}

	// The key first, as AWS does: an unknown key is told apart from a
	// wrong signature.
	secret, err := v.Secret(r.Context(), auth.AccessKeyID)
	if errors.Is(err, ErrUnknownKey) {
		return nil, fail(http.StatusBadRequest, CodeUnrecognized, messageUnrecognized)
	}
	if err != nil {
		e := fail(http.StatusInternalServerError, CodeInternal, messageInternal)
		e.Cause = err
		return nil, e
	}
	if err := v.checkScope(auth); err != nil {
		return nil, err
	}
	amzDate, err := v.checkTime(r, auth)
	if err != nil {
		return nil, err
	}
	payloadHash := hashHex(body)
	if err := checkCoverage(r, auth, payloadHash); err != nil {
		return nil, err
	}

	creq := CanonicalRequest(r, auth.SignedHeaders, payloadHash)
	scope := auth.Date + "/" + auth.Region + "/" + auth.Service + "/" + credentialTerminator
	toSign := Algorithm + "\n" + amzDate + "\n" + scope + "\n" + hashHex([]byte(creq))
	want := hmacSHA256(SigningKey(secret, auth.Date, auth.Region, auth.Service), []byte(toSign))
	got, err := hex.DecodeString(auth.Signature)
	if err != nil || !hmac.Equal(want, got) {
		return nil, fail(http.StatusBadRequest, CodeInvalidSignature, messageMismatch)
	}
	return cred, nil
}

// authorizationHeader parses r's one Authorization header.
func authorizationHeader(r *http.Request) (*Authorization, error) {
	values := r.Header.Values(headerAuthorization)
	if len(values) == 0 {
		if r.URL.Query().Has("X-Amz-Signature") {
			return nil, fail(http.StatusBadRequest, CodeIncomplete, "Presigned requests are not supported: sign with the Authorization header.")
		}
		return nil, fail(http.StatusBadRequest, CodeMissingToken, messageMissingToken)
	}
	if len(values) > 1 {
		return nil, fail(http.StatusBadRequest, CodeIncomplete, "Only one Authorization header may be sent.")
	}
	return ParseAuthorization(values[0])
}

// checkScope checks the credential scope's service and region.
func (v *Verifier) checkScope(auth *Authorization) error {
	if auth.Service != v.Service {
		return fail(http.StatusBadRequest, CodeInvalidSignature, "Credential should be scoped to correct service: '%s'. ", known(v.Service))
	}
	if !v.regionAllowed(auth.Region) {
		return fail(http.StatusBadRequest, CodeInvalidSignature, "Credential should be scoped to a valid region. ")
	}
	return nil
}

// checkTime checks the request's time against the credential scope's date
// and the clock, and returns it as SigV4 writes it.
func (v *Verifier) checkTime(r *http.Request, auth *Authorization) (string, error) {
	amzDate, signedAt, err := requestTime(r)
	if err != nil {
		return "", err
	}
	if auth.Date != amzDate[:8] {
		return "", fail(http.StatusBadRequest, CodeInvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", known(auth.Date), known(amzDate[:8]), known(amzDate))
	}
	now := v.now().UTC()
	skew := v.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	if signedAt.Before(now.Add(-skew)) {
		return "", fail(http.StatusBadRequest, CodeInvalidSignature, "Signature expired: %s is now earlier than %s (%s - %s.)",
			known(amzDate), known(now.Add(-skew).Format(amzDateFormat)), known(now.Format(amzDateFormat)), known(skewText(skew)))
	}
	if signedAt.After(now.Add(skew)) {
		return "", fail(http.StatusBadRequest, CodeInvalidSignature, "Signature not yet current: %s is still later than %s (%s + %s.)",
			known(amzDate), known(now.Add(skew).Format(amzDateFormat)), known(now.Format(amzDateFormat)), known(skewText(skew)))
	}
	return amzDate, nil
}

// checkCoverage checks that the signature covers what it must: the payload
// (when the request states its hash), Host, and the headers
// unsignedHeader names.
func checkCoverage(r *http.Request, auth *Authorization, payloadHash string) error {
	if h := r.Header.Get(headerContentSHA256); h != "" && h != payloadHash {
		return fail(http.StatusBadRequest, CodeInvalidSignature, messageHashMismatch)
	}
	if !contains(auth.SignedHeaders, lowerHost) {
		return fail(http.StatusBadRequest, CodeInvalidSignature, messageNotSigned, known("Host"))
	}
	if name := unsignedHeader(r.Header, auth.SignedHeaders); name != "" {
		return fail(http.StatusBadRequest, CodeInvalidSignature, messageNotSigned, headerName(name))
	}
	return nil
}

func skewText(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d min", int(d/time.Minute))
	}
	return d.String()
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) regionAllowed(region string) bool {
	if len(v.Regions) > 0 {
		return contains(v.Regions, region)
	}
	return regionPattern.MatchString(region)
}

// unsignedHeader returns the name of a header of the request that the
// signature must cover and does not, or "". A signature proves only what
// it covers: were X-Amz-Target left out, a captured DescribeUserPool could
// be replayed as a DeleteUserPool. So every x-amz-* header present
// (X-Amz-Target, X-Amz-Date, X-Amz-Content-Sha256, X-Amz-Security-Token,
// X-Amz-Invocation-Type, …) and Content-Type, when present, must be
// signed. The AWS signers sign every header but a few transport ones —
// aws-sdk-go-v2 leaves out Authorization, User-Agent, X-Amzn-Trace-Id,
// Expect and Transfer-Encoding (aws/signer/internal/v4/headers.go,
// IgnoredHeaders); botocore, under the AWS CLI, hop-by-hop headers,
// User-Agent and X-Amzn-Trace-Id (botocore/auth.py,
// SIGNED_HEADERS_BLACKLIST) — none of which is required here. The
// message is AWS's for a required header that is not signed
// ("'Host' must be a 'SignedHeader' in the AWS Authorization.", as
// DynamoDB answers, recorded in mhart/dynalite's index.js; the same
// wording for Content-Type and x-amz-* headers in
// dacut/scratchstack-aws-signature's error-ordering tests). When several
// are missing, the first in byte order is named.
func unsignedHeader(h http.Header, signed []string) string {
	missing := ""
	for k := range h {
		var name string
		switch {
		case strings.EqualFold(k, "Content-Type"):
			name = "Content-Type"
		case len(k) > len(amzPrefix) && strings.EqualFold(k[:len(amzPrefix)], amzPrefix):
			name = k
		default:
			continue
		}
		if containsFold(signed, k) || missing != "" && strings.ToLower(name) >= strings.ToLower(missing) {
			continue
		}
		missing = name
	}
	if missing != "Content-Type" {
		missing = strings.ToLower(missing)
	}
	return missing
}

// containsFold reports whether list holds s, ignoring case.
func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// requestTime returns X-Amz-Date (or, failing it, Date) as SigV4 writes it
// and as a time.
func requestTime(r *http.Request) (string, time.Time, error) {
	if s := r.Header.Get(headerAmzDate); s != "" {
		t, err := time.Parse(amzDateFormat, s)
		if err != nil {
			return "", time.Time{}, fail(http.StatusBadRequest, CodeIncomplete, "Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", s)
		}
		return s, t, nil
	}
	if s := r.Header.Get("Date"); s != "" {
		t, err := http.ParseTime(s)
		if err != nil {
			return "", time.Time{}, fail(http.StatusBadRequest, CodeIncomplete, messageDateRequired)
		}
		return t.UTC().Format(amzDateFormat), t, nil
	}
	return "", time.Time{}, fail(http.StatusBadRequest, CodeIncomplete, messageDateRequired)
}

// Authorization is a parsed SigV4 Authorization header.
type Authorization struct {
	AccessKeyID   string
	Date          string // YYYYMMDD
	Region        string
	Service       string
	SignedHeaders []string // lower case, as sent
	Signature     string   // hex
}

// ParseAuthorization parses "AWS4-HMAC-SHA256 Credential=AKID/date/region/
// service/aws4_request, SignedHeaders=a;b, Signature=hex". Failures are
// *Error with AWS's IncompleteSignatureException messages.
func ParseAuthorization(h string) (*Authorization, error) {
	incomplete := func(format string, args ...any) error {
		return fail(http.StatusBadRequest, CodeIncomplete, format, args...)
	}
	if len(h) > maxAuthorizationBytes {
		return nil, incomplete("Authorization header is too long.")
	}
	alg, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if alg != Algorithm {
		return nil, incomplete("Unsupported AWS 'algorithm': '%s'.", printable(alg))
	}
	params, err := authorizationParams(rest)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, k := range []string{"Credential", "Signature", "SignedHeaders"} {
		if _, ok := params[k]; !ok {
			missing = append(missing, fmt.Sprintf("Authorization header requires '%s' parameter.", k))
		}
	}
	if len(missing) > 0 {
		return nil, incomplete("%s Authorization=%s", known(strings.Join(missing, " ")), printable(h))
	}
	cred := strings.Split(params["Credential"], "/")
	if len(cred) != 5 || cred[0] == "" || cred[4] != credentialTerminator {
		return nil, incomplete("Credential should have the form 'ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request'. Got '%s'.", printable(params["Credential"]))
	}
	if _, err := time.Parse(scopeDateFormat, cred[1]); err != nil || len(cred[1]) != 8 {
		return nil, incomplete("Credential has an invalid date: '%s'.", printable(cred[1]))
	}
	sig := params["Signature"]
	if len(sig) != 64 || strings.Trim(sig, "0123456789abcdef") != "" {
		return nil, incomplete("Signature must be 64 lowercase hexadecimal characters.")
	}
	signed := strings.Split(params["SignedHeaders"], ";")
	if len(signed) > maxSignedHeaders {
		return nil, incomplete("Too many SignedHeaders.")
	}
	if err := checkSignedHeaders(signed, params["SignedHeaders"]); err != nil {
		return nil, err
	}
	return &Authorization{
		AccessKeyID:   cred[0],
		Date:          cred[1],
		Region:        cred[2],
		Service:       cred[3],
		SignedHeaders: signed,
		Signature:     sig,
	}, nil
}

// authorizationParams splits the Authorization header's "k=v, k=v" part.
func authorizationParams(rest string) (map[string]string, error) {
	params := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fail(http.StatusBadRequest, CodeIncomplete, "Authorization header requires each component to be of the form key=value. Got '%s'.", printable(part))
		}
		if _, dup := params[k]; dup {
			return nil, fail(http.StatusBadRequest, CodeIncomplete, "Authorization header has a duplicate '%s' parameter.", printable(k))
		}
		params[k] = val
	}
	return params, nil
}

// checkSignedHeaders checks that signed, the SignedHeaders parameter raw
// split at ';', lists lower-case names, sorted and unique.
func checkSignedHeaders(signed []string, raw string) error {
	for i, s := range signed {
		if s == "" || s != strings.ToLower(s) || strings.ContainsAny(s, " \t") {
			return fail(http.StatusBadRequest, CodeIncomplete, "SignedHeaders must be lowercase header names separated by ';'. Got '%s'.", printable(raw))
		}
		if i > 0 && signed[i-1] >= s {
			return fail(http.StatusBadRequest, CodeIncomplete, "SignedHeaders must be sorted and unique. Got '%s'.", printable(raw))
		}
	}
	return nil
}

// printable bounds and cleans what of a client's header goes back into a
// message.
func printable(s string) string {
	if len(s) > 256 {
		s = s[:256] + "…"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// CanonicalRequest builds SigV4's canonical request: method, canonical URI,
// canonical query string, canonical headers, signed headers, payload hash.
func CanonicalRequest(r *http.Request, signedHeaders []string, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r.URL))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.RawQuery))
	b.WriteByte('\n')
	for _, h := range signedHeaders {
		b.WriteString(h)
		b.WriteByte(':')
		b.WriteString(headerValue(r, h))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// canonicalURI is the path as sent, URI-encoded once more (every service
// but S3 encodes twice); an empty path is "/".
func canonicalURI(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	return escape(p, "/")
}

// canonicalQuery sorts the query's parameters by name, then value, each
// URI-encoded.
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	type pair struct{ k, v string }
	var pairs []pair
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		pairs = append(pairs, pair{escape(k, ""), escape(v, "")})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

// escape URI-encodes s as SigV4 wants: every byte but the unreserved
// characters (A-Z a-z 0-9 - _ . ~) and those in keep ("/" in a path) as
// %XX in upper case.
func escape(s, keep string) string {
	const hexUpper = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexUpper[c>>4])
		b.WriteByte(hexUpper[c&15])
	}
	return b.String()
}

// headerValue is a signed header's canonical value: its values trimmed,
// inner runs of spaces collapsed, joined with ",". Go keeps Host and
// Content-Length out of the header map of a server request.
func headerValue(r *http.Request, name string) string {
	switch name {
	case lowerHost:
		return r.Host
	case lowerContentLength:
		if vs := r.Header.Values("Content-Length"); len(vs) > 0 {
			return strings.TrimSpace(vs[0])
		}
		if r.ContentLength >= 0 {
			return fmt.Sprint(r.ContentLength)
		}
		return ""
	}
	vs := r.Header.Values(name)
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(out, ",")
}

// SigningKey derives SigV4's signing key for a date, region and service.
func SigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), []byte(date))
	k = hmacSHA256(k, []byte(region))
	k = hmacSHA256(k, []byte(service))
	return hmacSHA256(k, []byte(credentialTerminator))
}

func hmacSHA256(key, data []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return m.Sum(nil)
}

func hashHex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
