package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file reads what a REST API's Lambda authorizer (TOKEN or REQUEST)
// answers and decides with it, as API Gateway does
// (shared/contracts/apigw-beyond.md §1.3–1.5):
//
//	{"principalId": "user",
//	 "policyDocument": {"Version": "2012-10-17",
//	   "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow",
//	                  "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/*"}]},
//	 "context": {"tenant": "a", "level": 3, "admin": false},
//	 "usageIdentifierKey": "…"}
//
// ParseAuthorizerOutput checks the whole answer once and compiles each
// Resource pattern; the result is what the authorizer cache keeps, and
// Policy.Evaluate decides every request's method ARN against it without
// allocating. A parse error means the function's answer is unusable:
// API Gateway answers it with 500 {"message":null} and
// x-amzn-ErrorType AuthorizerConfigurationException (§1.5), which the
// caller writes.
//
// What API Gateway accepts is documented loosely; where the sources are
// silent this file refuses rather than guesses, so that a policy Tollgate
// cannot evaluate exactly as IAM would is never read as more permissive
// than it is:
//
//   - principalId is required ("must include", the output page); any
//     string, "" included (aws-lambda-go's response type always sends
//     it, empty or not); null or another type is refused.
//   - Element names are case-sensitive ("statement" is not "Statement":
//     aws/aws-lambda-java-libs#184, lower-case names refused with "Unable
//     to parse given policy"); Effect is exactly "Allow" or "Deny" (the
//     IAM Effect page: "The Effect value is case sensitive").
//   - Version may be absent, "2012-10-17" or "2008-10-17" (IAM's two
//     versions; "" is taken as absent, which aws-lambda-go sends when it
//     is unset); in 2012-10-17 the escapes ${*}, ${?} and ${$} stand for
//     the characters themselves and any other policy variable is refused
//     (nothing here resolves one).
//   - Statement is an array or, as IAM's grammar allows, one object; an
//     empty array allows nothing. Action and Resource are a string or a
//     non-empty array of non-empty strings. Sid and the document's Id are
//     allowed and ignored.
//   - Condition is refused: AWS's authorizer blueprints
//     (awslabs/aws-apigateway-lambda-authorizer-blueprints,
//     allowMethodWithConditions) can send one, but nothing here evaluates
//     condition keys, and a Condition ignored would widen an Allow or
//     narrow a Deny. A null Condition is refused on AWS too
//     (aws-lambda-rust-runtime#863, fixed by #864: it gave
//     AuthorizerConfigurationException). NotAction, NotResource,
//     Principal, NotPrincipal and unknown statement or document elements
//     are refused for the same reason.
//   - A Resource longer than 512 characters is refused: the output page
//     limits it to 512 and says nothing of what happens beyond. More than
//     1,000 Resources in all the statements together are refused too (a
//     bound of Tollgate's own: each request's methodArn is matched
//     against each).
//   - context values are strings, numbers, booleans or null; an object or
//     array is refused (§1.3). Unknown top-level members are ignored.
//
// Error texts are for the log: they name the element that is wrong and
// echo at most maxEchoBytes of a value, quoted, never a Resource or a
// context value (which may carry a token).

// MaxMethodARNBytes is the longest method ARN API Gateway authorizes
// (1,600 bytes); a request whose ARN is longer is answered 414 Request URI
// too long before any authorizer runs (§1.2; the Lambda authorizer output
// page). Policy.Evaluate denies a longer ARN.
const MaxMethodARNBytes = 1600

// maxPolicyPatterns is the most Resources a policy document may hold, all
// statements together: Evaluate tries each, so their number bounds a
// request's cost as maxResourceChars bounds each one's. API Gateway
// documents no such count: the bound is Tollgate's choice, far above what
// an authorizer sends (a policy per method of an API).
const maxPolicyPatterns = 1000

// maxResourceChars is the longest Resource an authorizer's policy may hold
// (512 characters, the Lambda authorizer output page).
const maxResourceChars = 512

// maxEchoBytes bounds what an error text repeats of the payload.
const maxEchoBytes = 32

// invokeAction is the action a statement must cover to apply: API
// Gateway asks whether the caller may execute-api:Invoke the method.
const invokeAction = "execute-api:invoke" // compared case-insensitively

// ErrAuthorizerOutput is wrapped by every error ParseAuthorizerOutput
// returns.
var ErrAuthorizerOutput = errors.New("invalid Lambda authorizer output")

// AuthorizerOutput is a Lambda authorizer's answer, parsed and checked.
// Once parsed it is shared (the authorizer cache hands the same one to
// every request within the TTL): callers read it, Context included, and
// never modify it; reading is safe for concurrent use.
type AuthorizerOutput struct {
	// PrincipalID is the answer's principalId (possibly "").
	PrincipalID string
	// Policy is the compiled policyDocument; never nil but for a simple
	// response.
	Policy *Policy
	// Simple is set for an HTTP API authorizer's simple response
	// ({"isAuthorized": …}), Authorized to its isAuthorized.
	Simple, Authorized bool
	// Context holds the context's values: string, json.Number, bool, or
	// nil (JSON null) only on a REST API; on an HTTP API any JSON value
	// (objects as map[string]any, arrays as []any, numbers as
	// json.Number). It is nil when the answer has no context.
	Context map[string]any
	// UsageIdentifierKey is the API key value the answer names for usage
	// plans ("" if none).
	UsageIdentifierKey string
}

// PolicyDecision is what a policy says of one method ARN.
type PolicyDecision int

// Policy decisions. Only PolicyAllow lets the request through; the two
// denials differ in the 403 message (§1.5).
const (
	// PolicyImplicitDeny: no Allow statement matches (and no Deny does).
	PolicyImplicitDeny PolicyDecision = iota
	// PolicyAllow: an Allow statement matches and no Deny statement does.
	PolicyAllow
	// PolicyExplicitDeny: a Deny statement matches.
	PolicyExplicitDeny
)

// String names the decision for logs.
func (d PolicyDecision) String() string {
	switch d {
	case PolicyAllow:
		return "allow"
	case PolicyExplicitDeny:
		return "explicit deny"
	default:
		return "implicit deny"
	}
}

// Policy is an authorizer's policyDocument reduced to what decides: the
// Resource patterns of the statements whose Action covers
// execute-api:Invoke, split by Effect and compiled.
type Policy struct {
	deny  []resourcePattern
	allow []resourcePattern
}

// Evaluate decides methodARN as IAM does for one action: a matching Deny
// statement wins; else a matching Allow allows; else the request is
// implicitly denied. Resource patterns match case-sensitively, "*" any run
// of characters ('/' and ':' included) and "?" exactly one character
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
// An ARN longer than MaxMethodARNBytes is denied.
//
// Each pattern is matched without backtracking over its stars (the runs
// between stars are found leftmost, in order, which is exact because a
// run matches a fixed number of characters), so a pattern without "?"
// costs about one scan of the ARN whatever its stars ("*a*a…*b" included).
// A run holding "?" is tried at each position where its first literal
// chunk occurs: O(len(ARN)·len(run)) at worst, bounded by the
// 512-character Resource and 1,600-byte ARN limits (a few milliseconds for
// "*?a?a…?c*" against 1,600 bytes of "a"; the patterns are the operator's
// own function's, the ARN the caller's). It does not allocate.
func (p *Policy) Evaluate(methodARN string) PolicyDecision {
	if p == nil || len(methodARN) > MaxMethodARNBytes {
		return PolicyImplicitDeny
	}
	for i := range p.deny {
		if p.deny[i].match(methodARN) {
			return PolicyExplicitDeny
		}
	}
	for i := range p.allow {
		if p.allow[i].match(methodARN) {
			return PolicyAllow
		}
	}
	return PolicyImplicitDeny
}

// buildMethodARN builds the ARN API Gateway hands a Lambda authorizer and
// evaluates its policy against (§1.2):
// arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{VERB}/{path}
// with path the concrete request path without its leading slash, so the
// root is ".../prod/GET/" and a {proxy+} resource ".../prod/GET/pets/6".
func buildMethodARN(region, account, apiID, stage, verb, path string) string {
	path = strings.TrimPrefix(path, "/")
	var b strings.Builder
	b.Grow(len("arn:aws:execute-api:::///") + len(region) + len(account) + len(apiID) + len(stage) + len(verb) + len(path))
	b.WriteString("arn:aws:execute-api:")
	b.WriteString(region)
	b.WriteByte(':')
	b.WriteString(account)
	b.WriteByte(':')
	b.WriteString(apiID)
	b.WriteByte('/')
	b.WriteString(stage)
	b.WriteByte('/')
	b.WriteString(verb)
	b.WriteByte('/')
	b.WriteString(path)
	return b.String()
}

// StringifyContextValue renders a context value the way a REST API passes
// it on ($context.authorizer.{key}, requestContext.authorizer.{key} of the
// Lambda proxy event): strings as they are, numbers as their JSON text
// ("123"), booleans as "true" or "false" (§1.3; real run in
// DefinitelyTyped PR #69823). ok is false for null, which stays JSON null
// in the proxy event, and for any type a parsed context cannot hold.
//
// A number keeps the text the function sent ("1.50" stays "1.50"): how
// API Gateway prints fractions and exponents is unverified.
func StringifyContextValue(v any) (s string, ok bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return string(v), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	default:
		return "", false
	}
}

// ParseAuthorizerOutput parses a TOKEN or REQUEST authorizer's answer (the
// function's JSON result). An error, which wraps ErrAuthorizerOutput,
// means API Gateway answers 500 AuthorizerConfigurationException; the
// rules are in this file's header comment.
func ParseAuthorizerOutput(payload []byte) (*AuthorizerOutput, error) {
	return parsePolicyOutput(payload, parseContext)
}

// parsePolicyOutput parses an IAM policy answer whose context readContext
// reads.
func parsePolicyOutput(payload []byte, readContext func(json.RawMessage) (map[string]any, error)) (*AuthorizerOutput, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(payload, &top); err != nil || top == nil {
		return nil, outputError("not a JSON object%s", syntaxAt(err))
	}
	out := &AuthorizerOutput{}
	raw, ok := top["principalId"]
	if !ok || isNull(raw) {
		return nil, outputError("no principalId")
	}
	if err := json.Unmarshal(raw, &out.PrincipalID); err != nil {
		return nil, outputError("principalId is not a string")
	}
	raw, ok = top["policyDocument"]
	if !ok || isNull(raw) {
		return nil, outputError("no policyDocument")
	}
	policy, err := parsePolicy(raw)
	if err != nil {
		return nil, err
	}
	out.Policy = policy
	if raw, ok := top["context"]; ok && !isNull(raw) {
		if out.Context, err = readContext(raw); err != nil {
			return nil, err
		}
	}
	if raw, ok := top["usageIdentifierKey"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &out.UsageIdentifierKey); err != nil {
			return nil, outputError("usageIdentifierKey is not a string")
		}
	}
	return out, nil
}

// policyVersion is how a policy document's Version reads Resource
// patterns: 2012-10-17 has the ${…} escapes, the older grammar none.
type policyVersion int

const (
	version2008 policyVersion = iota
	version2012
)

func parsePolicy(raw json.RawMessage) (*Policy, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil || doc == nil {
		return nil, outputError("policyDocument is not an object")
	}
	version := version2008
	for _, name := range slices.Sorted(maps.Keys(doc)) {
		v := doc[name]
		switch name {
		case "Version":
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, outputError("policyDocument.Version is not a string")
			}
			switch s {
			case "2012-10-17":
				version = version2012
			case "", "2008-10-17":
			default:
				return nil, outputError("policyDocument.Version %s is not 2012-10-17 or 2008-10-17", echo(s))
			}
		case "Id":
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, outputError("policyDocument.Id is not a string")
			}
		case "Statement":
		default:
			return nil, outputError("policyDocument has an element %s that API Gateway does not read", echo(name))
		}
	}
	raw, ok := doc["Statement"]
	if !ok || isNull(raw) {
		return nil, outputError("policyDocument has no Statement")
	}
	var statements []json.RawMessage
	if firstByte(raw) == '{' {
		statements = []json.RawMessage{raw}
	} else if err := json.Unmarshal(raw, &statements); err != nil {
		return nil, outputError("policyDocument.Statement is not an array or an object")
	}
	p := &Policy{}
	patterns := 0
	for i, s := range statements {
		if err := p.addStatement(i, s, version, &patterns); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// addStatement checks statement i and, when its Action covers
// execute-api:Invoke, adds its compiled Resource patterns to the allow or
// deny list. *patterns counts the Resources of the statements so far.
func (p *Policy) addStatement(i int, raw json.RawMessage, version policyVersion, patterns *int) error {
	var st map[string]json.RawMessage
	if err := json.Unmarshal(raw, &st); err != nil || st == nil {
		return outputError("Statement[%d] is not an object", i)
	}
	for _, name := range slices.Sorted(maps.Keys(st)) {
		v := st[name]
		switch name {
		case "Effect", "Action", "Resource":
		case "Sid":
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return outputError("Statement[%d].Sid is not a string", i)
			}
		case "NotAction", "NotResource", "Condition", "Principal", "NotPrincipal":
			return outputError("Statement[%d].%s is not supported", i, name)
		default:
			return outputError("Statement[%d] has an element %s that API Gateway does not read", i, echo(name))
		}
	}
	var effect string
	if err := json.Unmarshal(st["Effect"], &effect); err != nil || (effect != "Allow" && effect != "Deny") {
		return outputError("Statement[%d].Effect is not \"Allow\" or \"Deny\" (case-sensitive)", i)
	}
	actions, err := stringOrList(st["Action"])
	if err != nil {
		return outputError("Statement[%d].Action %s", i, err)
	}
	resources, err := stringOrList(st["Resource"])
	if err != nil {
		return outputError("Statement[%d].Resource %s", i, err)
	}
	if *patterns += len(resources); *patterns > maxPolicyPatterns {
		return outputError("policyDocument has more than %d Resources", maxPolicyPatterns)
	}
	compiled := make([]resourcePattern, 0, len(resources))
	for j, r := range resources {
		if n := utf8.RuneCountInString(r); n > maxResourceChars {
			return outputError("Statement[%d].Resource[%d] is %d characters long, more than %d", i, j, n, maxResourceChars)
		}
		pat, err := compileResource(r, version)
		if err != nil {
			return outputError("Statement[%d].Resource[%d] %s", i, j, err)
		}
		compiled = append(compiled, pat)
	}
	if !coversInvoke(actions) {
		return nil
	}
	if effect == "Deny" {
		p.deny = append(p.deny, compiled...)
	} else {
		p.allow = append(p.allow, compiled...)
	}
	return nil
}

// coversInvoke reports whether one of the actions matches
// execute-api:Invoke. Action names are case-insensitive, service prefix
// included ("IAM:listaccesskeys" is "iam:ListAccessKeys":
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html),
// with the same wildcards as resources.
func coversInvoke(actions []string) bool {
	for _, a := range actions {
		pat, err := compileResource(strings.ToLower(a), version2008)
		if err == nil && pat.match(invokeAction) {
			return true
		}
	}
	return false
}

// stringOrList reads an Action or Resource element: a non-empty string or
// a non-empty array of them.
func stringOrList(raw json.RawMessage) ([]string, error) {
	if raw == nil {
		return nil, errors.New("is missing")
	}
	var list []string
	switch firstByte(raw) {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, errors.New("is not a string")
		}
		list = []string{s}
	case '[':
		var items []*string
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, errors.New("is not an array of strings")
		}
		if len(items) == 0 {
			return nil, errors.New("is an empty array")
		}
		for _, s := range items {
			if s == nil {
				return nil, errors.New("holds null")
			}
			list = append(list, *s)
		}
	default:
		return nil, errors.New("is not a string or an array of strings")
	}
	for _, s := range list {
		if s == "" {
			return nil, errors.New("holds an empty string")
		}
	}
	return list, nil
}

// parseContext reads the context object: scalar values only (§1.3).
func parseContext(raw json.RawMessage) (map[string]any, error) {
	ctx, err := decodeContext(raw)
	if err != nil {
		return nil, err
	}
	for _, k := range slices.Sorted(maps.Keys(ctx)) {
		switch ctx[k].(type) {
		case string, json.Number, bool, nil:
		default:
			return nil, outputError("context value %s is an object or array; API Gateway takes strings, numbers and booleans only", echo(k))
		}
	}
	return ctx, nil
}

// decodeContext decodes an answer's context: a JSON object of any values,
// numbers kept as written (json.Number).
func decodeContext(raw json.RawMessage) (map[string]any, error) {
	if firstByte(raw) != '{' {
		return nil, outputError("context is not an object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var ctx map[string]any
	if err := dec.Decode(&ctx); err != nil {
		return nil, outputError("context is not an object")
	}
	return ctx, nil
}

// ParseHTTPAuthorizerOutput parses the IAM policy answer of an HTTP API's
// REQUEST authorizer of payload format version "1.0" or "2.0" without
// simple responses (contract §4.4, http-api-lambda-authorizer.html), read
// as ParseAuthorizerOutput reads a REST API's but for the context, which
// may hold any JSON values, objects and arrays included, and reaches the
// integration as it is ("arrayKey", "mapKey" in the docs' examples). With
// version 1.0 a context key "claims" is refused: the 1.0 event's
// requestContext.authorizer.claims is where JWT claims go, and the docs
// reserve it. An error wraps ErrAuthorizerOutput: API Gateway answers 500
// {"message":"Internal Server Error"}.
func ParseHTTPAuthorizerOutput(payload []byte, version string) (*AuthorizerOutput, error) {
	if version == "1.0" {
		return parsePolicyOutput(payload, contextWithoutClaims)
	}
	return parsePolicyOutput(payload, decodeContext)
}

// ParseSimpleAuthorizerOutput parses the simple response of an HTTP API's
// REQUEST authorizer (payload format version 2.0 with
// EnableSimpleResponses): {"isAuthorized": true|false, "context": {…}},
// isAuthorized a JSON boolean and required, the context of any JSON values
// as ParseHTTPAuthorizerOutput's. An error wraps ErrAuthorizerOutput.
func ParseSimpleAuthorizerOutput(payload []byte) (*AuthorizerOutput, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(payload, &top); err != nil || top == nil {
		return nil, outputError("not a JSON object%s", syntaxAt(err))
	}
	out := &AuthorizerOutput{Simple: true}
	raw, ok := top["isAuthorized"]
	if !ok || isNull(raw) {
		return nil, outputError("no isAuthorized")
	}
	if err := json.Unmarshal(raw, &out.Authorized); err != nil {
		return nil, outputError("isAuthorized is not a boolean")
	}
	if raw, ok := top["context"]; ok && !isNull(raw) {
		var err error
		if out.Context, err = decodeContext(raw); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// contextWithoutClaims is decodeContext refusing the key "claims".
func contextWithoutClaims(raw json.RawMessage) (map[string]any, error) {
	ctx, err := decodeContext(raw)
	if err != nil {
		return nil, err
	}
	if _, ok := ctx["claims"]; ok {
		return nil, outputError("context holds the reserved key \"claims\"")
	}
	return ctx, nil
}

// A resourcePattern is a compiled Resource: the pattern cut at its stars.
// prefix must match at the start of the ARN and suffix at its end (when
// the pattern has a star; without one, prefix is the whole pattern);
// middle runs must be found in order between them.
type resourcePattern struct {
	star   bool
	prefix patternRun
	middle []patternRun
	suffix patternRun
}

// A patternRun is a part of a pattern without '*': literal chunks, each
// pair of them separated by a '?' that matches exactly one character.
// lit is the only chunk when the run has no '?'.
type patternRun struct {
	lit    string
	chunks []string // nil when the run has no '?'
}

// newRun makes a run of literal chunks separated by '?' wildcards.
func newRun(chunks []string) patternRun {
	if len(chunks) == 1 {
		return patternRun{lit: chunks[0]}
	}
	return patternRun{chunks: chunks}
}

// empty reports whether the run matches only "".
func (r *patternRun) empty() bool { return r.chunks == nil && r.lit == "" }

// compileResource compiles one Resource (or lower-cased Action) pattern.
// In a 2012-10-17 policy, ${*}, ${?} and ${$} are the characters
// themselves and any other ${…} is a policy variable, refused
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
func compileResource(s string, version policyVersion) (resourcePattern, error) {
	var pat resourcePattern
	var runs []patternRun
	var chunks []string
	var lit []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '*':
			runs = append(runs, newRun(append(chunks, string(lit))))
			chunks, lit = nil, lit[:0]
			pat.star = true
		case c == '?':
			chunks = append(chunks, string(lit))
			lit = lit[:0]
		case c == '$' && version == version2012 && i+1 < len(s) && s[i+1] == '{':
			if i+3 < len(s) && s[i+3] == '}' && strings.IndexByte("*?$", s[i+2]) >= 0 {
				lit = append(lit, s[i+2])
				i += 3
				continue
			}
			return resourcePattern{}, errors.New("holds a policy variable, which is not supported")
		default:
			lit = append(lit, c)
		}
	}
	runs = append(runs, newRun(append(chunks, string(lit))))
	pat.prefix = runs[0]
	if pat.star {
		pat.suffix = runs[len(runs)-1]
		for _, r := range runs[1 : len(runs)-1] {
			if !r.empty() {
				pat.middle = append(pat.middle, r)
			}
		}
	}
	return pat, nil
}

// match reports whether the pattern matches all of s.
func (p *resourcePattern) match(s string) bool {
	n := p.prefix.matchAt(s)
	if n < 0 {
		return false
	}
	if !p.star {
		return n == len(s)
	}
	s = s[n:]
	end, ok := p.suffix.findSuffix(s)
	if !ok {
		return false
	}
	s = s[:end]
	for i := range p.middle {
		_, stop, ok := p.middle[i].find(s)
		if !ok {
			return false
		}
		s = s[stop:]
	}
	return true
}

// matchAt matches the run at the start of s and returns how many bytes
// of s it covers, or -1. A '?' covers one UTF-8 character, or one byte
// that does not start one.
func (r *patternRun) matchAt(s string) int {
	if r.chunks == nil {
		if strings.HasPrefix(s, r.lit) {
			return len(r.lit)
		}
		return -1
	}
	j := 0
	for k, c := range r.chunks {
		if k > 0 {
			if j >= len(s) {
				return -1
			}
			_, size := utf8.DecodeRuneInString(s[j:])
			j += size
		}
		if !strings.HasPrefix(s[j:], c) {
			return -1
		}
		j += len(c)
	}
	return j
}

// find returns where the run first matches in s: its start and end.
func (r *patternRun) find(s string) (start, end int, ok bool) {
	if r.chunks == nil {
		i := strings.Index(s, r.lit)
		if i < 0 {
			return 0, 0, false
		}
		return i, i + len(r.lit), true
	}
	first := r.chunks[0]
	for i := 0; i < len(s); {
		if first != "" {
			// The run can start only where its first chunk occurs.
			k := strings.Index(s[i:], first)
			if k < 0 {
				return 0, 0, false
			}
			i += k
		}
		if n := r.matchAt(s[i:]); n >= 0 {
			return i, i + n, true
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return 0, 0, false
}

// findSuffix finds where the run matches a tail of s and returns the
// tail's start.
func (r *patternRun) findSuffix(s string) (int, bool) {
	if r.chunks == nil {
		if strings.HasSuffix(s, r.lit) {
			return len(s) - len(r.lit), true
		}
		return 0, false
	}
	for i := 0; i < len(s); {
		if r.matchAt(s[i:]) == len(s)-i {
			return i, true
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return 0, false
}

// outputError builds an error wrapping ErrAuthorizerOutput.
func outputError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrAuthorizerOutput}, args...)...)
}

// echo quotes at most maxEchoBytes of s (cut at a character boundary) for
// an error text; the quoting escapes control characters.
func echo(s string) string {
	if len(s) <= maxEchoBytes {
		return strconv.Quote(s)
	}
	cut := maxEchoBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

// syntaxAt says where a JSON syntax error is, without quoting the payload.
func syntaxAt(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return " (syntax error at byte " + strconv.FormatInt(se.Offset, 10) + ")"
	}
	return ""
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

func firstByte(raw json.RawMessage) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}
