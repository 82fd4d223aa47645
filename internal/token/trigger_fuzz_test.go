package token

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/oauth2"
)

// FuzzClientMetadata: whatever a client sends as aws_client_metadata, the
// parser does not panic, and either refuses it with invalid_request or
// returns a JSON object of strings whose pairs are the sent ones (last
// value of a repeated name).
func FuzzClientMetadata(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"a":"b"}`, `{"a":"b","a":"c"}`, `{"a":1}`, `{"a":{"b":"c"}}`, `{"a":["b"]}`, `{"a":null}`,
		`[]`, `"x"`, `null`, `{`, `{"a":"b"} x`, `{"a":"\u00e9\ud800"}`, "{\"a\":\"\xff\"}", ` { "a" : "b" } `,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := parseClientMetadata(s)
		if err != nil {
			// One of the fixed answers, which quote nothing of the value.
			if !errors.Is(err, errClientMetadataJSON) && !errors.Is(err, errClientMetadataType) && !errors.Is(err, errClientMetadataSize) {
				t.Fatalf("error %v", err)
			}
			return
		}
		var got map[string]string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("output %s is not an object of strings: %v", out, err)
		}
		var want map[string]string
		if err := json.Unmarshal([]byte(s), &want); err != nil {
			t.Fatalf("accepted %q, which encoding/json refuses: %v", s, err)
		}
		if len(got) != len(want) {
			t.Fatalf("output %s, input %q", out, s)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("%q: %q, want %q", k, got[k], v)
			}
		}
	})
}

// FuzzTriggerResponse: whatever a function answers, the endpoint does not
// panic; it either refuses the answer as Cognito's unrecognizable output or
// makes a token payload that is one JSON object with Cognito's claims
// untouched and within the size a verifier accepts.
func FuzzTriggerResponse(f *testing.F) {
	for _, s := range []string{
		`{"response":{"claimsAndScopeOverrideDetails":null}}`,
		`{"response":{"claimsAndScopeOverrideDetails":{"accessTokenGeneration":{"claimsToAddOrOverride":{"a":"b","n":1,"o":{"x":[true]}},"claimsToSuppress":["a"],"scopesToAdd":["s/x"],"scopesToSuppress":["default/default"]}}}}`,
		`{"response":{"claimsAndScopeOverrideDetails":{"accessTokenGeneration":{"claimsToAddOrOverride":{"sub":"x","cognito:groups":["g"]}}}}}`,
		`{"response":{"claimsAndScopeOverrideDetails":{"accessTokenGeneration":{"claimsToAddOrOverride":{"a":null}}}}}`,
		`{"response":{"claimsAndScopeOverrideDetails":{"accessTokenGeneration":{"claimsToAddOrOverride":{"a":"\"}\\"}}}}}`,
		`{"response":{"claimsAndScopeOverrideDetails":{"accessTokenGeneration":{"claimsToAddOrOverride":{"Scope":"x","\u017fub":"y","a":1,"a":2}}}}}`,
		`{"response":[]}`, `null`, `[]`, `{`, `{"Response":{}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, answer []byte) {
		ch, err := parseTriggerResponse(answer)
		if err != nil {
			if !errors.Is(err, errTriggerOutput) {
				var oe *oauth2.Error
				if !errors.As(err, &oe) || oe.Description != errTriggerOutput.Description {
					t.Fatalf("error %v", err)
				}
			}
			return
		}
		granted := []string{"default/default", "default/read"}
		scopes, custom, _ := ch.apply(granted)
		names := make(map[string]bool, len(custom))
		for _, c := range custom {
			if isProtectedClaim(c.name) || names[c.name] {
				t.Fatalf("custom claim %q is protected or given twice", c.name)
			}
			names[c.name] = true
		}
		std := &bearer.Claims{Sub: "c", TokenUse: "access", Scope: strings.Join(scopes, " "), Iss: "https://i/p", Version: 2, JTI: "j", ClientID: "c"}
		p, err := payload(std, custom)
		if err != nil {
			if !errors.Is(err, errTriggerOutput) && !strings.Contains(err.Error(), "Unrecognizable") {
				t.Fatalf("payload: %v", err)
			}
			return
		}
		if len(p) > maxPayloadBytes {
			t.Fatalf("payload of %d bytes", len(p))
		}
		var m map[string]any
		if err := json.Unmarshal(p, &m); err != nil {
			t.Fatalf("payload %s is not JSON: %v", p, err)
		}
		if m["sub"] != "c" || m["client_id"] != "c" || m["token_use"] != "access" || m["jti"] != "j" || m["version"] != float64(2) {
			t.Fatalf("standard claims changed: %s", p)
		}
		for _, s := range strings.Fields(m["scope"].(string)) {
			if !oauth2.ValidScopeToken(s) {
				t.Fatalf("scope %q", s)
			}
		}
	})
}

// BenchmarkTriggerWork is what a trigger adds to a token request besides
// the function's run: the client's metadata checked, the event encoded,
// the answer read and applied, the payload with custom claims built.
func BenchmarkTriggerWork(b *testing.B) {
	client := &tollgate.Client{ID: "6rupb256qn12tju82occ9eppqr", PoolID: "us-east-1_pxAHZcSSX"}
	details := []byte(`"claimsAndScopeOverrideDetails":{"accessTokenGeneration":{"claimsToAddOrOverride":{"tenant":"a","tier":2},"scopesToAdd":["default/read"]}}`)
	b.ReportAllocs()
	for b.Loop() {
		meta, err := parseClientMetadata(`{"tenant":"a"}`)
		if err != nil {
			b.Fatal(err)
		}
		granted := []string{"default/default"}
		event, err := newPreTokenEvent(client, granted, meta)
		if err != nil {
			b.Fatal(err)
		}
		out := bytes.Replace(event, []byte(`"claimsAndScopeOverrideDetails":null`), details, 1)
		ch, err := parseTriggerResponse(out)
		if err != nil {
			b.Fatal(err)
		}
		scopes, custom, _ := ch.apply(granted)
		std := &bearer.Claims{Sub: client.ID, TokenUse: "access", Scope: strings.Join(scopes, " "), Iss: "https://i/p", Version: 2, JTI: "j", ClientID: client.ID}
		if _, err := payload(std, custom); err != nil {
			b.Fatal(err)
		}
	}
}
