package token

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/oauth2"
)

// The pre token generation trigger for client_credentials tokens (contract
// apigw-beyond.md §2). Cognito invokes a pool's trigger for a
// client_credentials token only when its event version is V3_0 (V1_0 and
// V2_0 events customize the tokens of signed-in users), with the event
// below, and applies the access-token part of the function's answer to the
// token: claims added or overridden, claims suppressed, scopes added and
// suppressed. Claims that Cognito issues itself cannot be changed.

// Limits of a trigger invocation: Cognito invokes a trigger synchronously,
// waits TriggerTimeout for its answer, and retries a call that did not
// answer in time, failing after TriggerAttempts attempts. A function error
// (the handler threw) is not retried. Source: Cognito developer guide,
// "Customizing user pool workflows with Lambda triggers" ("your Lambda
// function must respond within 5 seconds. If it doesn't, Amazon Cognito
// retries the call. After 3 unsuccessful attempts, the function times
// out"), as quoted by the contract, apigw-beyond.md §2 "Limits".
const (
	TriggerTimeout  = 5 * time.Second
	TriggerAttempts = 3
)

// ErrFunctionNotFound is what an Options.Invoke returns (wrapped) when no
// function has the trigger's name: the token request is then answered as
// Cognito answers a trigger it cannot invoke.
var ErrFunctionNotFound = errors.New("no such function")

// The event's constant parts.
const (
	// triggerSource of a client_credentials token (Cognito's token endpoint
	// page and pre token generation page; contract §2).
	triggerSourceClientCredentials = "TokenGeneration_ClientCredentials"
	// eventVersion is the event's version member: "3" for a V3_0 trigger,
	// although the pool's config says V3_0 (contract §2, "Event version").
	eventVersion = "3"
	// eventUserName is userName for a client_credentials token: there is no
	// user (contract cognito-apigw.md §3, from the event sample of
	// Cognito's token endpoint page).
	eventUserName = "ClientCredentials"
	// awsSDKVersion is callerContext.awsSdkVersion of a request that came
	// through a Cognito-hosted endpoint rather than an SDK (contract §2,
	// composite event).
	awsSDKVersion = "aws-sdk-unknown-unknown"
)

// preTokenEvent is the V3 event, its members in the order of Cognito's
// sample (contract §2): the common trigger fields, then request, then
// response, whose claimsAndScopeOverrideDetails is null for the function to
// fill in.
type preTokenEvent struct {
	Version       string          `json:"version"`
	TriggerSource string          `json:"triggerSource"`
	Region        string          `json:"region"`
	UserPoolID    string          `json:"userPoolId"`
	UserName      string          `json:"userName"`
	CallerContext callerContext   `json:"callerContext"`
	Request       preTokenRequest `json:"request"`
	Response      preTokenOut     `json:"response"`
}

type callerContext struct {
	AWSSDKVersion string `json:"awsSdkVersion"`
	ClientID      string `json:"clientId"`
}

// preTokenRequest is the event's request: no user, so no attributes and no
// groups (an empty object and an empty group configuration, U in the
// contract), the scopes being granted, and the client's
// aws_client_metadata, left out when the client sent none.
type preTokenRequest struct {
	UserAttributes     struct{}           `json:"userAttributes"`
	GroupConfiguration groupConfiguration `json:"groupConfiguration"`
	Scopes             []string           `json:"scopes"`
	ClientMetadata     json.RawMessage    `json:"clientMetadata,omitempty"`
}

type groupConfiguration struct {
	GroupsToOverride   []string `json:"groupsToOverride"`
	IAMRolesToOverride []string `json:"iamRolesToOverride"`
	PreferredRole      *string  `json:"preferredRole"`
}

type preTokenOut struct {
	ClaimsAndScopeOverrideDetails *struct{} `json:"claimsAndScopeOverrideDetails"`
}

// noGroups is the group configuration of every client_credentials event.
var noGroups = groupConfiguration{GroupsToOverride: []string{}, IAMRolesToOverride: []string{}}

// newPreTokenEvent returns the event for client's token with the granted
// scopes and the client's metadata (nil when it sent none). Nothing else of
// the request reaches the function: not its secret, not its form.
func newPreTokenEvent(client *tollgate.Client, scopes []string, metadata json.RawMessage) ([]byte, error) {
	return json.Marshal(&preTokenEvent{
		Version:       eventVersion,
		TriggerSource: triggerSourceClientCredentials,
		Region:        poolRegion(client.PoolID),
		UserPoolID:    client.PoolID,
		UserName:      eventUserName,
		CallerContext: callerContext{AWSSDKVersion: awsSDKVersion, ClientID: client.ID},
		Request:       preTokenRequest{GroupConfiguration: noGroups, Scopes: scopes, ClientMetadata: metadata},
	})
}

// poolRegion is the region of a pool id, {region}_{id}.
func poolRegion(poolID string) string {
	region, _, _ := strings.Cut(poolID, "_")
	return region
}

// protectedClaims are the claims a trigger may neither add, override nor
// suppress. Cognito's 2023 developer guide lists acr, amr, aud, at_hash,
// auth_time, azp, cognito:username, exp, iat, identities, iss, jti, nbf,
// nonce, origin_jti, sub and token_use (contract §2, "Protected claims",
// from COG23:user-pool-lambda-pre-token-generation.md); client_id, scope
// and version are protected too (contract §2: scopes change only through
// scopesToAdd and scopesToSuppress). cnf, the key a sender-constrained
// token is bound to (RFC 7800, RFC 9449 §6, RFC 8705 §3), is Tollgate's own
// and protected too, so that no function can unbind a token. Every cognito: claim is Cognito's own
// as well (isProtectedClaim). Cognito drops such a change without failing
// the request (E: KensioSoftware/yulin
// src/service/cognito/user-pool/token/sim-cognito-reserved-claims.ts, "A
// handler naming one of them changes nothing on real Cognito, which drops
// the override without saying so"); so does Tollgate, and it logs it.
var protectedClaims = map[string]bool{
	"acr": true, "amr": true, "aud": true, "at_hash": true, "auth_time": true, "azp": true,
	"cognito:username": true, "exp": true, "iat": true, "identities": true, "iss": true,
	"jti": true, "nbf": true, "nonce": true, "origin_jti": true, "sub": true, "token_use": true,
	"client_id": true, "scope": true, "version": true,
	"cnf": true,
}

// isProtectedClaim reports whether a trigger's change to the claim name is
// ignored: a protected claim, a cognito: claim, or a name that equals one of
// them under Unicode case folding (strings.EqualFold: "Scope", "JTI",
// "ſcope" with U+017F, "Cognito:groups"). Such a name is a different JSON
// member from the protected one, but a verifier or a client that looks
// claims up without regard to case would take it for Cognito's own, so it
// never reaches a token.
func isProtectedClaim(name string) bool {
	if protectedClaims[name] || strings.HasPrefix(name, cognitoPrefix) {
		return true
	}
	for p := range protectedClaims {
		if strings.EqualFold(name, p) {
			return true
		}
	}
	return hasPrefixFold(name, cognitoPrefix)
}

const cognitoPrefix = "cognito:"

// hasPrefixFold reports whether s begins with prefix under Unicode simple
// case folding, rune by rune (a folded rune may differ in length from the
// prefix's: U+212A KELVIN SIGN folds to k).
func hasPrefixFold(s, prefix string) bool {
	for _, pr := range prefix {
		if s == "" {
			return false
		}
		r, n := utf8.DecodeRuneInString(s)
		if !strings.EqualFold(string(r), string(pr)) {
			return false
		}
		s = s[n:]
	}
	return true
}

// maxClaimDepth bounds the nesting of a claim value (an object in an array
// in an object…): values are JSON, which a verifier parses again.
const maxClaimDepth = 16

// maxPayloadBytes bounds a customized token's payload so that the signed
// token stays within bearer.MaxTokenSize, the largest token the gateway's
// authorizer and revoke and introspect accept: base64url makes 3 bytes 4,
// and the header and an RSA-2048 signature take well under 512 bytes.
const maxPayloadBytes = (bearer.MaxTokenSize - 512) / 4 * 3

// customClaim is a claim a trigger adds or overrides: its name and its
// value as compact JSON.
type customClaim struct {
	name  string
	value json.RawMessage
}

// tokenChanges are the changes a trigger's answer asks of an access token
// (response.claimsAndScopeOverrideDetails.accessTokenGeneration).
// idTokenGeneration and groupOverrideDetails are moot: a client_credentials
// grant issues no ID token and has no groups.
type tokenChanges struct {
	add              []customClaim
	suppress         []string
	scopesToAdd      []string
	scopesToSuppress []string
}

// errOutput is the answer to a trigger's answer that is not a V3 response:
// Cognito's InvalidLambdaResponseException message (E: many client codes
// that match the text, for example a V1 handler that returned an array as
// a claim value: "Error received on login/token refresh: Unrecognizable
// lambda output"). The reason is for the log.
func errOutput(reason string) error {
	return errTriggerOutput.WithCause(errors.New(reason))
}

var errTriggerOutput = oauth2.InvalidRequest("Unrecognizable lambda output")

// parseTriggerResponse reads the access-token changes out of a trigger's
// answer, the event it was given with its response filled in. Members are
// matched by their exact names (Cognito's parser is case-sensitive;
// encoding/json's struct decoding is not). Absent and null members ask for
// nothing; a member of the wrong type makes the whole answer
// unrecognizable, as does a claim value that is not a string, number,
// boolean, array or object (the types V2 and V3 responses may carry:
// Cognito's pre token generation page, contract §2 "Value types").
func parseTriggerResponse(payload []byte) (*tokenChanges, error) {
	top, err := object(payload, "the answer")
	if err != nil {
		return nil, err
	}
	if top == nil {
		return nil, errOutput("the answer is null")
	}
	ch := &tokenChanges{}
	resp, err := object(top["response"], "response")
	if err != nil || resp == nil {
		return ch, err
	}
	details, err := object(resp["claimsAndScopeOverrideDetails"], "claimsAndScopeOverrideDetails")
	if err != nil || details == nil {
		return ch, err
	}
	access, err := object(details["accessTokenGeneration"], "accessTokenGeneration")
	if err != nil || access == nil {
		return ch, err
	}
	// Claims and scopes to add share the token's budget.
	added, suppressed, scopesSuppressed := budget(maxPayloadBytes), budget(maxPayloadBytes), budget(maxPayloadBytes)
	if ch.add, err = claimValues(access["claimsToAddOrOverride"], &added); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name  string
		dst   *[]string
		valid func(string) bool
		b     *budget
	}{
		{"claimsToSuppress", &ch.suppress, nil, &suppressed},
		{"scopesToAdd", &ch.scopesToAdd, oauth2.ValidScopeToken, &added},
		{"scopesToSuppress", &ch.scopesToSuppress, oauth2.ValidScopeToken, &scopesSuppressed},
	} {
		if *f.dst, err = stringList(access[f.name], f.name, f.valid, f.b); err != nil {
			return nil, err
		}
	}
	return ch, nil
}

// object decodes raw as a JSON object by exact member names; nil, nil for
// an absent or null member.
func object(raw json.RawMessage, what string) (map[string]json.RawMessage, error) {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 || raw[0] == 'n' {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, errOutput(what + " is not an object")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, errOutput(what + " is not valid JSON")
	}
	return m, nil
}

// budget is what is left of maxPayloadBytes while a trigger's answer is
// read: every claim to add and every scope to add costs at least the bytes
// it takes in the token, so an answer asking for more than a token can hold
// is refused as soon as it has asked for it, before the rest is read. The
// lists of names and scopes to suppress have a budget of their own each:
// naming more than a token can hold suppresses nothing more.
type budget int

// spend takes n bytes from b, or refuses what of the answer ran out of it.
func (b *budget) spend(n int, what string) error {
	if *b -= budget(n); *b < 0 {
		return errOutput(fmt.Sprintf("%s asks for more than a token payload of %d bytes holds", what, maxPayloadBytes))
	}
	return nil
}

// stringList decodes an array of strings, each satisfying valid if set and
// each costing its length and 3 bytes (quotes and a separator) of b.
// Scopes must be RFC 6749 §3.3 scope-tokens (oauth2.ValidScopeToken):
// Cognito's page says a scope to add cannot contain a blank space, and one
// that did would turn into several scopes of the scope claim.
func stringList(raw json.RawMessage, what string, valid func(string) bool, b *budget) ([]string, error) {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 || raw[0] == 'n' {
		return nil, nil
	}
	if raw[0] != '[' {
		return nil, errOutput(what + " is not an array")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, errOutput(what + " is not valid JSON")
	}
	var list []string
	for dec.More() {
		// A string decodes as a string, anything else (null included) as
		// another type, which refuses the list.
		tok, err := dec.Token()
		if err != nil {
			return nil, errOutput(what + " is not valid JSON")
		}
		s, ok := tok.(string)
		if !ok {
			return nil, errOutput(what + " holds something that is not a string")
		}
		if valid != nil && !valid(s) {
			return nil, errOutput(what + " holds an invalid value")
		}
		if err := b.spend(len(s)+3, what); err != nil {
			return nil, err
		}
		list = append(list, s)
	}
	return list, nil
}

// claimValues decodes claimsToAddOrOverride in the order the function
// wrote its members, which is the order the token carries them in, each
// claim costing its name and compact value and 4 bytes of b. A name given
// twice keeps its last value at its first place, as JSON.parse does (an
// assignment to an existing property keeps its place in the object's
// order): the token never holds a name twice.
func claimValues(raw json.RawMessage, b *budget) ([]customClaim, error) {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 || raw[0] == 'n' {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, errOutput("claimsToAddOrOverride is not an object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, errOutput("claimsToAddOrOverride is not valid JSON")
	}
	var claims []customClaim
	var index map[string]int // claims' places by name
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errOutput("claimsToAddOrOverride is not valid JSON")
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, errOutput("claimsToAddOrOverride is not valid JSON")
		}
		if name == "" {
			return nil, errOutput("claimsToAddOrOverride names a claim with an empty name")
		}
		if err := checkClaimValue(v); err != nil {
			return nil, err
		}
		var c bytes.Buffer
		_ = json.Compact(&c, v) // v decoded as valid JSON
		if err := b.spend(len(name)+c.Len()+4, "claimsToAddOrOverride"); err != nil {
			return nil, err
		}
		if index == nil {
			index = make(map[string]int)
		}
		if i, ok := index[name]; ok {
			claims[i].value = c.Bytes()
			continue
		}
		index[name] = len(claims)
		claims = append(claims, customClaim{name: name, value: c.Bytes()})
	}
	return claims, nil
}

// checkClaimValue accepts a string, number, boolean, array or object
// nested at most maxClaimDepth deep. null is refused: Cognito's response
// types name no null, and Cognito refuses an explicit null where it expects
// a value (E: a .NET trigger's tests, "explicit null in the output …
// produced the same InvalidLambdaResponseException (Unrecognizable lambda
// output)").
func checkClaimValue(v json.RawMessage) error {
	v = bytes.TrimLeft(v, " \t\r\n")
	if len(v) == 0 || v[0] == 'n' {
		return errOutput("claimsToAddOrOverride holds a null value")
	}
	depth, inString, escaped := 0, false, false
	for _, c := range v {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			if depth++; depth > maxClaimDepth {
				return errOutput(fmt.Sprintf("claimsToAddOrOverride holds a value nested deeper than %d", maxClaimDepth))
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return nil
}

// apply applies ch to a token's scopes and returns them with the custom
// claims the token carries after the standard ones. A suppression wins over
// an addition of the same claim or scope (Cognito's page: "If your function
// both suppresses and replaces a claim value, then Amazon Cognito
// suppresses the claim"). An added scope the token has already is not
// repeated. Changes to protected claims are left out and returned in
// ignored, for the log. Membership is by sets, so that the cost is linear
// in the answer's length.
func (ch *tokenChanges) apply(granted []string) (scopes []string, claims []customClaim, ignored []string) {
	noScope := set(ch.scopesToSuppress)
	seen := make(map[string]struct{}, len(granted)+len(ch.scopesToAdd))
	for _, list := range [][]string{granted, ch.scopesToAdd} {
		for _, s := range list {
			if _, ok := noScope[s]; ok {
				continue
			}
			if _, ok := seen[s]; !ok {
				seen[s] = struct{}{}
				scopes = append(scopes, s)
			}
		}
	}
	for _, name := range ch.suppress {
		if isProtectedClaim(name) {
			ignored = append(ignored, name)
		}
	}
	noClaim := set(ch.suppress)
	for _, c := range ch.add {
		if isProtectedClaim(c.name) {
			ignored = append(ignored, c.name)
			continue
		}
		if _, ok := noClaim[c.name]; !ok {
			claims = append(claims, c)
		}
	}
	return scopes, claims, ignored
}

// set returns the strings of list as a set.
func set(list []string) map[string]struct{} {
	m := make(map[string]struct{}, len(list))
	for _, s := range list {
		m[s] = struct{}{}
	}
	return m
}

// payload returns the token payload: the standard claims, in Cognito's
// order (bearer.Claims), followed by the custom claims in the order the
// function gave them. The standard part is encoded once, by encoding/json,
// and the custom values are appended as the function wrote them
// (compacted), so nothing is decoded and encoded again.
func payload(std *bearer.Claims, custom []customClaim) (json.RawMessage, error) {
	head, err := json.Marshal(std)
	if err != nil {
		return nil, err
	}
	if len(custom) == 0 {
		return head, checkPayloadSize(len(head))
	}
	var b bytes.Buffer
	b.Grow(len(head) + 64*len(custom))
	b.Write(head[:len(head)-1]) // without its closing brace
	for _, c := range custom {
		b.WriteByte(',')
		writeJSONString(&b, c.name)
		b.WriteByte(':')
		b.Write(c.value)
	}
	b.WriteByte('}')
	if err := checkPayloadSize(b.Len()); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// checkPayloadSize refuses a payload of n bytes that would make a token
// larger than the gateway accepts, whatever made it so: custom claims or
// added scopes alone.
func checkPayloadSize(n int) error {
	if n > maxPayloadBytes {
		return errOutput(fmt.Sprintf("the claims make a token payload of %d bytes, more than %d", n, maxPayloadBytes))
	}
	return nil
}

// Answers to a trigger that did not answer. Cognito names the trigger and
// the Lambda error in its messages: "PreTokenGeneration failed with error
// {the function's errorMessage}." when the handler threw (E: client code
// that unwraps "PreTokenGeneration failed with error …" and notes that
// Cognito appends the period), "… invocation failed due to error …" when
// it could not invoke it (E: "Socket timeout while invoking Lambda
// function" seen by a Cognito client). At /oauth2/token the answer is a
// 400 invalid_request with that description, as Cognito's OAuth endpoints
// answer a failing trigger (E: error_description=PreTokenGeneration failed
// with error … on the hosted UI's redirects). The exact token-endpoint
// answer is unverified (contract §2, "Trigger failure at /oauth2/token").
var (
	errTriggerTimeout  = oauth2.InvalidRequest("PreTokenGeneration invocation failed due to error Socket timeout while invoking Lambda function.")
	errTriggerNotFound = oauth2.InvalidRequest("PreTokenGeneration invocation failed due to error ResourceNotFoundException.")
)

// functionFailed is the answer to a function error: the description quotes
// the function's errorMessage, which the client sees and the log shows by
// its length only (oauth2.Input), since a function may echo the client's
// metadata into it. The log sees the errorType.
func functionFailed(doc []byte) error {
	var e struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	_ = json.Unmarshal(doc, &e) // a document that is not one leaves both empty
	return oauth2.InvalidRequest("PreTokenGeneration failed with error %s.", oauth2.Input(truncate(e.ErrorMessage, 200))).
		WithCause(fmt.Errorf("function error %s", oauth2.SanitizeDescription(truncate(e.ErrorType, 64))))
}

// invokeTrigger runs the trigger on event and returns its answer. Each
// attempt waits at most the trigger timeout; an attempt that times out is
// retried, up to TriggerAttempts attempts. The request's own end (the
// client went away) ends the wait at once.
func (e *Endpoint) invokeTrigger(ctx context.Context, function string, event []byte) ([]byte, error) {
	for range TriggerAttempts {
		actx, cancel := context.WithTimeout(ctx, e.triggerTimeout)
		out, fnErr, err := e.opts.Invoke(actx, function, "", event)
		cancel()
		switch {
		case err == nil && fnErr:
			return nil, functionFailed(out)
		case err == nil:
			return out, nil
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			continue
		case errors.Is(err, ErrFunctionNotFound):
			return nil, errTriggerNotFound.WithCause(err)
		default:
			return nil, oauth2.ServerError().WithCause(fmt.Errorf("pre token generation: %w", err))
		}
	}
	return nil, errTriggerTimeout.WithCause(fmt.Errorf("function %s did not answer within %s, %d times", function, e.triggerTimeout, TriggerAttempts))
}

// preTokenGeneration runs the pool's V3 trigger for claims, the token about
// to be issued to client with the granted scopes, and returns the payload
// to sign: claims with the trigger's scope changes, then its custom claims.
// metadata is the request's aws_client_metadata ("" for none).
func (e *Endpoint) preTokenGeneration(r *http.Request, w http.ResponseWriter, trig *tollgate.LambdaTrigger, client *tollgate.Client, claims *bearer.Claims, metadata string) (json.RawMessage, error) {
	var meta json.RawMessage
	if metadata != "" {
		var err error
		if meta, err = parseClientMetadata(metadata); err != nil {
			return nil, err
		}
	}
	function, ok := tollgate.FunctionNameFromARN(trig.LambdaARN)
	if !ok {
		return nil, errTriggerNotFound.WithCause(errors.New("the trigger's ARN is not a function's"))
	}
	granted := strings.Fields(claims.Scope)
	event, err := newPreTokenEvent(client, granted, meta)
	if err != nil {
		return nil, oauth2.ServerError().WithCause(err)
	}
	out, err := e.invokeTrigger(r.Context(), function, event)
	if err != nil {
		return nil, err
	}
	ch, err := parseTriggerResponse(out)
	if err != nil {
		return nil, err
	}
	scopes, custom, ignored := ch.apply(granted)
	if len(ignored) > 0 {
		// The names come from the pool's own function, not from the client.
		e.log.LogAttrs(r.Context(), slog.LevelWarn, "pre token generation: changes to claims Cognito issues itself are ignored",
			slog.String("client_id", client.ID),
			slog.String("request_id", oauth2.RequestID(w)),
			slog.String("function", function),
			slog.String("claims", oauth2.SanitizeDescription(strings.Join(ignored, " "))),
		)
	}
	claims.Scope = strings.Join(scopes, " ")
	return payload(claims, custom)
}

// trigger returns the pre token generation trigger of client's pool when
// it fires for client_credentials tokens: only a V3_0 one does. A client
// whose pool is not known (deleted since the client was looked up) is
// refused as an unknown client is: its token would otherwise be made
// without its pool's trigger.
func (e *Endpoint) trigger(client *tollgate.Client) (*tollgate.LambdaTrigger, error) {
	if e.opts.Trigger == nil {
		return nil, nil
	}
	t, ok := e.opts.Trigger(client)
	if !ok {
		return nil, errAuthFailed.WithCause(errPoolGone)
	}
	if t == nil || t.LambdaVersion != tollgate.LambdaVersionV3 {
		return nil, nil
	}
	return t, nil
}

var errPoolGone = errors.New("the client's pool is not known")
