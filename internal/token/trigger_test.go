package token_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/token"
)

// triggerFn is the trigger's function name and triggerARN its ARN, as a
// pool's LambdaConfig.PreTokenGenerationConfig.LambdaArn holds it.
const (
	triggerFn  = "TokenFn"
	triggerARN = "arn:aws:lambda:us-east-1:000000000000:function:" + triggerFn
)

// fakeTrigger is the trigger's function at the process edge: an InvokeFunc
// that records every event and answers with answer (call counts from 1).
type fakeTrigger struct {
	answer func(ctx context.Context, event []byte, call int) ([]byte, bool, error)

	mu     sync.Mutex
	events [][]byte
}

func (ft *fakeTrigger) invoke(ctx context.Context, name, _ string, event []byte) ([]byte, bool, error) {
	ft.mu.Lock()
	ft.events = append(ft.events, bytes.Clone(event))
	n := len(ft.events)
	ft.mu.Unlock()
	if name != triggerFn {
		return nil, false, fmt.Errorf("%w: %s", token.ErrFunctionNotFound, name)
	}
	return ft.answer(ctx, event, n)
}

func (ft *fakeTrigger) calls() [][]byte {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return slices.Clone(ft.events)
}

// respond answers as a handler that sets event.response to
// {"claimsAndScopeOverrideDetails": details} and returns the event, which
// is what Cognito's samples do.
func respond(details string) func(context.Context, []byte, int) ([]byte, bool, error) {
	return func(_ context.Context, event []byte, _ int) ([]byte, bool, error) {
		out := bytes.Replace(event, []byte(`"claimsAndScopeOverrideDetails":null`), []byte(`"claimsAndScopeOverrideDetails":`+details), 1)
		return out, false, nil
	}
}

// answerWith answers every call with payload.
func answerWith(payload string) func(context.Context, []byte, int) ([]byte, bool, error) {
	return func(context.Context, []byte, int) ([]byte, bool, error) { return []byte(payload), false, nil }
}

// withTrigger returns f for test t, with an endpoint of its own that serves
// f's pool with a pre token generation trigger of the given version and
// ARN, run by invoke; other pools have none. The store, keys and clients are
// f's, so that the cases of a table share one fixture.
func (f *fixture) withTrigger(t testing.TB, version, arn string, invoke tollgate.InvokeFunc, timeout time.Duration) *fixture {
	t.Helper()
	g := *f
	g.t = t
	trig := &tollgate.LambdaTrigger{LambdaARN: arn, LambdaVersion: version}
	g.ep = token.New(token.Options{
		Clients: f.st, Signer: f.signer, Keys: f.signer, Revocations: f.st, Vault: f.vault,
		Issuer: func(_ *http.Request, poolID string) string { return issuer(poolID) },
		Trigger: func(c *tollgate.Client) (*tollgate.LambdaTrigger, bool) {
			if c.PoolID == f.pool.ID {
				return trig, true
			}
			return nil, true
		},
		Invoke:         invoke,
		TriggerTimeout: timeout,
		Now:            f.clock.Now,
		Logger:         slog.New(slog.DiscardHandler),
	})
	g.srv = httptest.NewServer(http.HandlerFunc(g.ep.ServeToken))
	t.Cleanup(g.srv.Close)
	return &g
}

// verified verifies tok with the pool's published keys, as the gateway's
// authorizer does, and returns its payload as signed.
func (f *fixture) verified(t *testing.T, tok string) []byte {
	t.Helper()
	keys, err := f.signer.PublicKeys(f.ctx, f.pool.ID)
	if err != nil {
		t.Fatal(err)
	}
	c, err := bearer.Verify(tok, bearer.Keys(keys), bearer.Expect{Issuer: issuer(f.pool.ID), Now: f.clock.Now})
	if err != nil {
		t.Fatalf("token does not verify with the JWKS: %v", err)
	}
	return c.Raw
}

// standardClaims are Cognito's claims of a client_credentials token in
// Cognito's order (contract cognito-apigw.md §2).
var standardClaims = []string{"sub", "token_use", "scope", "auth_time", "iss", "exp", "iat", "version", "jti", "client_id"}

// TestTriggerEvent checks the event bytes the function gets. Sources:
// member order and constant values from the contract's composite event
// (apigw-beyond.md §2, from Cognito's pre token generation page DT3 and
// Powertools' PreTokenGenerationTriggerSchemaV2AndV3): version "3",
// triggerSource TokenGeneration_ClientCredentials, userName
// "ClientCredentials" (cognito-apigw.md §3, the token endpoint page's
// event sample), callerContext.awsSdkVersion "aws-sdk-unknown-unknown",
// empty userAttributes and groupConfiguration (U), the granted scopes, and
// clientMetadata from aws_client_metadata (token endpoint page), left out
// without it (real V1 events without client metadata have no
// clientMetadata member). The client's secret and the rest of the form
// never reach the function.
func TestTriggerEvent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ft := &fakeTrigger{answer: respond("null")}
	f = f.withTrigger(t, tollgate.LambdaVersionV3, triggerARN, ft.invoke, 0)

	f.issue(t, f.m2m, "scope", "default/read default/default", "aws_client_metadata", `{"tenant": "a", "b":"x\u00e9\"", "tenant":"c"}`)
	f.issue(t, f.m2m)
	events := ft.calls()
	if len(events) != 2 {
		t.Fatalf("%d invocations, want 2", len(events))
	}
	head := `{"version":"3","triggerSource":"TokenGeneration_ClientCredentials","region":"us-east-1","userPoolId":"` + f.pool.ID +
		`","userName":"ClientCredentials","callerContext":{"awsSdkVersion":"aws-sdk-unknown-unknown","clientId":"` + f.m2m.ID +
		`"},"request":{"userAttributes":{},"groupConfiguration":{"groupsToOverride":[],"iamRolesToOverride":[],"preferredRole":null},`
	want := []string{
		head + `"scopes":["default/read","default/default"],"clientMetadata":{"tenant":"c","b":"xé\""}},"response":{"claimsAndScopeOverrideDetails":null}}`,
		head + `"scopes":["default/default","default/read"]},"response":{"claimsAndScopeOverrideDetails":null}}`,
	}
	for i, ev := range events {
		if string(ev) != want[i] {
			t.Errorf("event %d\n got %s\nwant %s", i, ev, want[i])
		}
		if bytes.Contains(ev, []byte(f.m2m.secret())) {
			t.Errorf("event %d carries the client's secret", i)
		}
	}
}

// TestTriggerVersions: only a V3_0 trigger fires for client_credentials
// tokens; V1_0 and V2_0 events are for signed-in users' tokens (Cognito's
// pre token generation page: "the version three or V3_0 trigger event with
// access token customization for machine-to-machine (M2M)
// client-credentials grants"; contract §2, "Versions"). A pool without a
// trigger ignores aws_client_metadata, even malformed.
func TestTriggerVersions(t *testing.T) {
	t.Parallel()
	base := newFixture(t)
	for _, v := range []string{tollgate.LambdaVersionV1, tollgate.LambdaVersionV2, ""} {
		name := v
		if name == "" {
			name = "none"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ft := &fakeTrigger{answer: respond(`{"accessTokenGeneration":{"claimsToAddOrOverride":{"x":"y"}}}`)}
			f := base.withTrigger(t, v, triggerARN, ft.invoke, 0)
			raw := f.verified(t, f.issue(t, f.m2m, "aws_client_metadata", "not json"))
			if got := claimNames(t, raw); !slices.Equal(got, standardClaims) {
				t.Errorf("claims %v, want %v", got, standardClaims)
			}
			if n := len(ft.calls()); n != 0 {
				t.Errorf("%s trigger invoked %d times", v, n)
			}
		})
	}
	t.Run("other pool", func(t *testing.T) {
		ft := &fakeTrigger{answer: respond("null")}
		f := base.withTrigger(t, tollgate.LambdaVersionV3, triggerARN, ft.invoke, 0)
		f.issue(t, f.other)
		if n := len(ft.calls()); n != 0 {
			t.Errorf("the trigger of another pool ran %d times", n)
		}
	})
}

// TestTriggerResponse checks how the function's answer changes the token:
// response.claimsAndScopeOverrideDetails.accessTokenGeneration's
// claimsToAddOrOverride (strings, numbers, booleans, arrays and objects:
// Cognito's pre token generation page, V2/V3 value types; contract §2),
// claimsToSuppress, scopesToAdd and scopesToSuppress. Custom claims follow
// Cognito's claims in the function's order; a suppression wins over an
// addition (the page: "If your function both suppresses and replaces a
// claim value, then Amazon Cognito suppresses the claim"); claims Cognito
// issues itself are left as they are, silently (contract §2 "Protected
// claims"; E yulin sim-cognito-reserved-claims.ts); an added scope need
// not be one of the pool's (the page only forbids blank spaces in it).
func TestTriggerResponse(t *testing.T) {
	t.Parallel()
	base := newFixture(t)
	cases := []struct {
		name    string
		details string
		scope   string         // the token's scope claim
		custom  []string       // custom claims, in order
		values  map[string]any // some claims' values
	}{
		{
			name:    "unchanged",
			details: "null",
			scope:   "default/default default/read",
		},
		{
			name:    "no access token part",
			details: `{"idTokenGeneration":{"claimsToAddOrOverride":{"a":"b"}},"groupOverrideDetails":null}`,
			scope:   "default/default default/read",
		},
		{
			name: "claims of every type, in the function's order",
			details: `{"accessTokenGeneration":{"claimsToAddOrOverride":{"tenant":"a","n":42,"f":1.5,"ok":true,"no":false,` +
				`"list":["x",1,{"y":null}],"obj":{"k":["v"],"z":{}}}}}`,
			scope:  "default/default default/read",
			custom: []string{"tenant", "n", "f", "ok", "no", "list", "obj"},
			values: map[string]any{"tenant": "a", "n": json.Number("42"), "f": json.Number("1.5"), "ok": true, "no": false,
				"list": []any{"x", json.Number("1"), map[string]any{"y": nil}}, "obj": map[string]any{"k": []any{"v"}, "z": map[string]any{}}},
		},
		{
			name:    "a name given twice keeps its first place and last value",
			details: `{"accessTokenGeneration":{"claimsToAddOrOverride":{"a":1,"b":2,"a":3}}}`,
			scope:   "default/default default/read",
			custom:  []string{"a", "b"},
			values:  map[string]any{"a": json.Number("3")},
		},
		{
			name:    "suppression wins",
			details: `{"accessTokenGeneration":{"claimsToAddOrOverride":{"a":"1","b":"2"},"claimsToSuppress":["a","absent"]}}`,
			scope:   "default/default default/read",
			custom:  []string{"b"},
		},
		{
			name: "protected claims are left alone",
			details: `{"accessTokenGeneration":{"claimsToAddOrOverride":{"sub":"me","client_id":"me","scope":"all","exp":1,` +
				`"token_use":"id","version":3,"jti":"j","cognito:groups":["admin"],"kept":"yes"},"claimsToSuppress":["iss","jti","scope","version"]}}`,
			scope:  "default/default default/read",
			custom: []string{"kept"},
			values: map[string]any{"token_use": "access", "version": json.Number("2"), "exp": json.Number(fmt.Sprint(t0.Unix() + 3600))},
		},
		{
			// A function can neither bind a token to a key of its choice
			// nor unbind one: cnf (RFC 7800 §3.1, RFC 9449 §6, RFC 8705
			// §3) is protected like Cognito's own claims, and so is aud,
			// which Cognito's list of protected claims names.
			name: "binding and audience claims are left alone",
			details: `{"accessTokenGeneration":{"claimsToAddOrOverride":{"cnf":{"jkt":"attacker"},"CNF":{"jkt":"x"},"aud":"elsewhere","kept":"yes"},` +
				`"claimsToSuppress":["cnf","aud"]}}`,
			scope:  "default/default default/read",
			custom: []string{"kept"},
		},
		{
			// Names equal to protected ones under Unicode case folding
			// (strings.EqualFold; U+017F LATIN SMALL LETTER LONG S folds
			// to s) are distinct JSON members, but a case-insensitive
			// reader would take them for Cognito's: Tollgate drops them
			// like the protected claims (contract §2 "Protected claims").
			name: "names that fold to protected ones are left alone",
			details: `{"accessTokenGeneration":{"claimsToAddOrOverride":{"Scope":"all","SCOPE":"all","\u017fcope":"all",` +
				`"Client_Id":"me","JTI":"j","EXP":1,"Token_Use":"id","\u017fub":"me","Cognito:Groups":["admin"],"COGNITO:username":"u",` +
				`"VERSION":3,"Iss":"x","kept":"yes","Kept":"too"},"claimsToSuppress":["ISS","Jti"]}}`,
			scope:  "default/default default/read",
			custom: []string{"kept", "Kept"},
			values: map[string]any{"token_use": "access", "exp": json.Number(fmt.Sprint(t0.Unix() + 3600)), "Kept": "too"},
		},
		{
			name:    "scopes added and suppressed",
			details: `{"accessTokenGeneration":{"scopesToAdd":["default/write","default/read","other/x","gone"],"scopesToSuppress":["default/default","gone"]}}`,
			scope:   "default/read default/write other/x",
		},
		{
			name:    "every scope suppressed",
			details: `{"accessTokenGeneration":{"scopesToSuppress":["default/default","default/read"]}}`,
			scope:   "",
		},
		{
			name:    "null members ask for nothing",
			details: `{"accessTokenGeneration":{"claimsToAddOrOverride":null,"claimsToSuppress":null,"scopesToAdd":null,"scopesToSuppress":null}}`,
			scope:   "default/default default/read",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := base.withTrigger(t, tollgate.LambdaVersionV3, triggerARN, (&fakeTrigger{answer: respond(c.details)}).invoke, 0)
			raw := f.verified(t, f.issue(t, f.m2m))
			if got, want := claimNames(t, raw), append(slices.Clone(standardClaims), c.custom...); !slices.Equal(got, want) {
				t.Errorf("claims %v, want %v", got, want)
			}
			d := json.NewDecoder(bytes.NewReader(raw))
			d.UseNumber()
			var m map[string]any
			if err := d.Decode(&m); err != nil {
				t.Fatal(err)
			}
			if m["scope"] != c.scope {
				t.Errorf("scope %q, want %q", m["scope"], c.scope)
			}
			if m["sub"] != f.m2m.ID || m["client_id"] != f.m2m.ID || m["iss"] != issuer(f.pool.ID) {
				t.Errorf("standard claims changed: %s", raw)
			}
			for k, want := range c.values {
				if diff := cmp.Diff(want, m[k]); diff != "" {
					t.Errorf("%s (-want +got):\n%s", k, diff)
				}
			}
		})
	}
}

// TestTriggerUnrecognizableOutput: an answer that is not a V3 response is
// refused and no token is issued. Cognito's message for such an answer is
// InvalidLambdaResponseException's "Unrecognizable lambda output" (E: V1
// handlers that returned an array claim value saw it at token time; a
// .NET trigger saw it for explicit nulls); the token endpoint's code is
// invalid_request like every trigger failure (U, contract §2).
func TestTriggerUnrecognizableOutput(t *testing.T) {
	t.Parallel()
	base := newFixture(t)
	deep := strings.Repeat("[", 17) + strings.Repeat("]", 17)
	huge := `"` + strings.Repeat("x", 12<<10) + `"`
	answers := map[string]func(context.Context, []byte, int) ([]byte, bool, error){
		"not JSON":                answerWith("{"),
		"null":                    answerWith("null"),
		"an array":                answerWith("[]"),
		"a string":                answerWith(`"ok"`),
		"response not an object":  answerWith(`{"response":"x"}`),
		"details not an object":   respond(`[]`),
		"access not an object":    respond(`{"accessTokenGeneration":1}`),
		"claims not an object":    respond(`{"accessTokenGeneration":{"claimsToAddOrOverride":["a"]}}`),
		"a null claim":            respond(`{"accessTokenGeneration":{"claimsToAddOrOverride":{"a":null}}}`),
		"an empty claim name":     respond(`{"accessTokenGeneration":{"claimsToAddOrOverride":{"":"x"}}}`),
		"too deep":                respond(`{"accessTokenGeneration":{"claimsToAddOrOverride":{"a":` + deep + `}}}`),
		"too big":                 respond(`{"accessTokenGeneration":{"claimsToAddOrOverride":{"a":` + huge + `}}}`),
		"suppress not an array":   respond(`{"accessTokenGeneration":{"claimsToSuppress":"a"}}`),
		"suppress a number":       respond(`{"accessTokenGeneration":{"claimsToSuppress":[1]}}`),
		"suppress a null":         respond(`{"accessTokenGeneration":{"claimsToSuppress":[null]}}`),
		"scope with a space":      respond(`{"accessTokenGeneration":{"scopesToAdd":["a b"]}}`),
		"empty scope":             respond(`{"accessTokenGeneration":{"scopesToAdd":[""]}}`),
		"suppressed scope object": respond(`{"accessTokenGeneration":{"scopesToSuppress":[{}]}}`),
	}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := base.withTrigger(t, tollgate.LambdaVersionV3, triggerARN, (&fakeTrigger{answer: answer}).invoke, 0)
			resp, body := f.do(request{body: form("grant_type", "client_credentials"), header: map[string]string{"Authorization": basic(f.m2m.ID, f.m2m.secret())}})
			checkError(t, resp, body, http.StatusBadRequest, "invalid_request", "")
			checkDescription(t, body, "Unrecognizable lambda output")
		})
	}
}

func checkDescription(t *testing.T, body []byte, want string) {
	t.Helper()
	var e struct {
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Description != want {
		t.Errorf("error_description %q, want %q", e.Description, want)
	}
}

// TestTriggerFailures: a trigger that fails means no token. Each attempt
// waits TriggerTimeout; one that times out is retried, and the request
// fails after TriggerAttempts (Cognito's Lambda triggers page: "must
// respond within 5 seconds. If it doesn't, Amazon Cognito retries the
// call. After 3 unsuccessful attempts, the function times out"; contract
// §2 "Limits"). A function error is not retried and its errorMessage is
// quoted as Cognito quotes it ("PreTokenGeneration failed with error
// {message}.", E: client code that unwraps that text). The status and code
// at /oauth2/token are unverified (contract §2): 400 invalid_request, as
// Cognito's hosted UI reports trigger failures (E: error_description=
// PreTokenGeneration failed with error … on its redirects).
func TestTriggerFailures(t *testing.T) {
	t.Parallel()
	base := newFixture(t)
	timedOut := func(context.Context, []byte, int) ([]byte, bool, error) {
		return nil, false, fmt.Errorf("waiting: %w", context.DeadlineExceeded)
	}
	cases := []struct {
		name   string
		arn    string
		answer func(context.Context, []byte, int) ([]byte, bool, error)
		status int
		code   string
		desc   string
		calls  int
	}{
		{
			name: "function error",
			answer: func(context.Context, []byte, int) ([]byte, bool, error) {
				return []byte(`{"errorType":"Error","errorMessage":"tenant \"a\" is closed","trace":["at x"]}`), true, nil
			},
			status: 400, code: "invalid_request", desc: "PreTokenGeneration failed with error tenant ?a? is closed.", calls: 1,
		},
		{
			name: "function timed out on its own",
			answer: func(context.Context, []byte, int) ([]byte, bool, error) {
				return []byte(`{"errorType":"Sandbox.Timedout","errorMessage":"Task timed out after 3.00 seconds"}`), true, nil
			},
			status: 400, code: "invalid_request", desc: "PreTokenGeneration failed with error Task timed out after 3.00 seconds.", calls: 1,
		},
		{
			name: "no answer in time, three times", answer: timedOut,
			status: 400, code: "invalid_request", desc: "PreTokenGeneration invocation failed due to error Socket timeout while invoking Lambda function.", calls: 3,
		},
		{
			name: "no such function", arn: "arn:aws:lambda:us-east-1:000000000000:function:Gone", answer: timedOut,
			status: 400, code: "invalid_request", desc: "PreTokenGeneration invocation failed due to error ResourceNotFoundException.", calls: 1,
		},
		{
			name: "not a function ARN", arn: "arn:aws:sns:us-east-1:000000000000:topic", answer: timedOut,
			status: 400, code: "invalid_request", desc: "PreTokenGeneration invocation failed due to error ResourceNotFoundException.", calls: 0,
		},
		{
			name: "runner failure",
			answer: func(context.Context, []byte, int) ([]byte, bool, error) {
				return nil, false, errors.New("runner closed")
			},
			status: 500, code: "server_error", desc: "internal error", calls: 1,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ft := &fakeTrigger{answer: c.answer}
			arn := c.arn
			if arn == "" {
				arn = triggerARN
			}
			f := base.withTrigger(t, tollgate.LambdaVersionV3, arn, ft.invoke, 0)
			resp, body := f.do(request{body: form("grant_type", "client_credentials"), header: map[string]string{"Authorization": basic(f.m2m.ID, f.m2m.secret())}})
			checkError(t, resp, body, c.status, c.code, "")
			checkDescription(t, body, c.desc)
			if n := len(ft.calls()); n != c.calls {
				t.Errorf("%d invocations, want %d", n, c.calls)
			}
		})
	}
}

// TestTriggerRetriesUntilAnswer: two attempts that time out, then an
// answer: the token is issued from the third.
func TestTriggerRetriesUntilAnswer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ok := respond(`{"accessTokenGeneration":{"claimsToAddOrOverride":{"attempt":"third"}}}`)
	ft := &fakeTrigger{answer: func(ctx context.Context, ev []byte, call int) ([]byte, bool, error) {
		if call < 3 {
			return nil, false, context.DeadlineExceeded
		}
		return ok(ctx, ev, call)
	}}
	f = f.withTrigger(t, tollgate.LambdaVersionV3, triggerARN, ft.invoke, 0)
	raw := f.verified(t, f.issue(t, f.m2m))
	if !bytes.HasSuffix(raw, []byte(`,"attempt":"third"}`)) {
		t.Errorf("payload %s", raw)
	}
	if n := len(ft.calls()); n != 3 {
		t.Errorf("%d invocations, want 3", n)
	}
}

// TestTriggerAttemptDeadline: each attempt's context ends after the
// trigger timeout, so a function that never answers fails the request
// after three attempts instead of holding it.
func TestTriggerAttemptDeadline(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ft := &fakeTrigger{answer: func(ctx context.Context, _ []byte, _ int) ([]byte, bool, error) {
		<-ctx.Done()
		return nil, false, ctx.Err()
	}}
	f = f.withTrigger(t, tollgate.LambdaVersionV3, triggerARN, ft.invoke, time.Millisecond)
	resp, body := f.do(request{body: form("grant_type", "client_credentials"), header: map[string]string{"Authorization": basic(f.m2m.ID, f.m2m.secret())}})
	checkError(t, resp, body, http.StatusBadRequest, "invalid_request", "")
	if n := len(ft.calls()); n != token.TriggerAttempts {
		t.Errorf("%d invocations, want %d", n, token.TriggerAttempts)
	}
}

// TestClientMetadataRefused: aws_client_metadata must be a JSON object of
// strings (GetClientToken's ClientMetadata is a map of strings to
// strings); anything else is invalid_request, and the function is not
// invoked. The description never quotes the value.
func TestClientMetadataRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ft := &fakeTrigger{answer: respond("null")}
	f = f.withTrigger(t, tollgate.LambdaVersionV3, triggerARN, ft.invoke, 0)
	many := make([]string, 257)
	for i := range many {
		many[i] = fmt.Sprintf(`"k%d":"v"`, i)
	}
	for _, c := range []struct{ value, desc string }{
		{`not json`, "aws_client_metadata must be a JSON object"},
		{`["a"]`, "aws_client_metadata must be a JSON object"},
		{`{"a":"b"} {}`, "aws_client_metadata must be a JSON object"},
		{`{"a":"b"`, "aws_client_metadata must be a JSON object"},
		{`{"a":1}`, "aws_client_metadata must map names to string values"},
		{`{"a":{"b":"c"}}`, "aws_client_metadata must map names to string values"},
		{`{"a":null}`, "aws_client_metadata must map names to string values"},
		{`{` + strings.Join(many, ",") + `}`, "aws_client_metadata has too many entries"},
	} {
		resp, body := f.do(request{body: form("grant_type", "client_credentials", "aws_client_metadata", c.value),
			header: map[string]string{"Authorization": basic(f.m2m.ID, f.m2m.secret())}})
		checkError(t, resp, body, http.StatusBadRequest, "invalid_request", "")
		checkDescription(t, body, c.desc)
	}
	resp, body := f.do(request{body: "grant_type=client_credentials&aws_client_metadata=%7B%7D&aws_client_metadata=%7B%7D",
		header: map[string]string{"Authorization": basic(f.m2m.ID, f.m2m.secret())}})
	checkError(t, resp, body, http.StatusBadRequest, "invalid_request", "")
	if n := len(ft.calls()); n != 0 {
		t.Errorf("the function ran %d times for refused requests", n)
	}
}

// TestTriggerFailureLog: the function's error message, which may echo the
// client's metadata, reaches the client but the log shows it by its length
// only; neither the metadata nor the secret is logged.
func TestTriggerFailureLog(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const marker = "metadata-value-7f3a"
	var logs bytes.Buffer
	var mu sync.Mutex
	ft := &fakeTrigger{answer: func(_ context.Context, event []byte, _ int) ([]byte, bool, error) {
		var ev struct {
			Request struct {
				ClientMetadata map[string]string `json:"clientMetadata"`
			} `json:"request"`
		}
		_ = json.Unmarshal(event, &ev)
		return []byte(`{"errorType":"Error","errorMessage":"no tenant ` + ev.Request.ClientMetadata["tenant"] + `"}`), true, nil
	}}
	ep := token.New(token.Options{
		Clients: f.st, Signer: f.signer, Keys: f.signer, Revocations: f.st, Vault: f.vault,
		Issuer: func(_ *http.Request, poolID string) string { return issuer(poolID) },
		Trigger: func(*tollgate.Client) (*tollgate.LambdaTrigger, bool) {
			return &tollgate.LambdaTrigger{LambdaARN: triggerARN, LambdaVersion: tollgate.LambdaVersionV3}, true
		},
		Invoke: ft.invoke,
		Now:    f.clock.Now,
		Logger: slog.New(slog.NewJSONHandler(lockedWriter{&mu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	r := httptest.NewRequest("POST", "/oauth2/token", strings.NewReader(form("grant_type", "client_credentials", "aws_client_metadata", `{"tenant":"`+marker+`"}`)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Authorization", basic(f.m2m.ID, f.m2m.secret()))
	w := httptest.NewRecorder()
	ep.ServeToken(w, r)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "PreTokenGeneration failed with error no tenant "+marker+".") {
		t.Errorf("answer %d %s", w.Code, w.Body)
	}
	mu.Lock()
	defer mu.Unlock()
	if bytes.Contains(logs.Bytes(), []byte(marker)) || bytes.Contains(logs.Bytes(), []byte(f.m2m.secret())) {
		t.Errorf("the log shows client input: %s", logs.Bytes())
	}
	if !bytes.Contains(logs.Bytes(), []byte("function error Error")) {
		t.Errorf("the log does not say why: %s", logs.Bytes())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestTriggerPoolGone: when the trigger lookup no longer knows the client's
// pool (deleted, with the client, since the client was looked up), no
// token is issued, with or without a trigger: the answer is the one to a
// client that failed to authenticate, as the client is gone on Cognito
// too (RFC 6749 §5.2 invalid_client), and the function never runs.
func TestTriggerPoolGone(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ft := &fakeTrigger{answer: respond("null")}
	ep := token.New(token.Options{
		Clients: f.st, Signer: f.signer, Keys: f.signer, Revocations: f.st, Vault: f.vault,
		Issuer:  func(_ *http.Request, poolID string) string { return issuer(poolID) },
		Trigger: func(*tollgate.Client) (*tollgate.LambdaTrigger, bool) { return nil, false },
		Invoke:  ft.invoke,
		Now:     f.clock.Now,
		Logger:  slog.New(slog.DiscardHandler),
	})
	srv := httptest.NewServer(http.HandlerFunc(ep.ServeToken))
	t.Cleanup(srv.Close)
	g := *f
	g.t, g.ep, g.srv = t, ep, srv
	resp, body := g.do(request{body: form("grant_type", "client_credentials"), header: map[string]string{"Authorization": basic(f.m2m.ID, f.m2m.secret())}})
	checkError(t, resp, body, http.StatusBadRequest, "invalid_client", "")
	if n := len(ft.calls()); n != 0 {
		t.Errorf("the trigger ran %d times", n)
	}
}
