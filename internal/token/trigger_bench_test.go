package token_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/token"
)

// BenchmarkToken is a whole successful client_credentials request with
// clients from the catalog, without a trigger (plain) and with a V3 pre
// token generation trigger whose function answers in process (trigger): the
// difference is what the trigger costs Tollgate beyond the function's own
// run (the event, reading the answer, the custom claims). The function
// adds two claims and a scope, as the README's example does.
func BenchmarkToken(b *testing.B) {
	f := newFixture(b)
	clients := clientSources(b, f)["catalog"]
	auth := basic(f.m2m.ID, f.m2m.secret())
	b.Run("plain", func(b *testing.B) {
		serveTokenLoop(b, f.endpointWith(clients), form("grant_type", "client_credentials", "scope", "default/default"), auth, http.StatusOK)
	})
	b.Run("trigger", func(b *testing.B) {
		details := []byte(`"claimsAndScopeOverrideDetails":{"accessTokenGeneration":{"claimsToAddOrOverride":{"tenant":"a","tier":2},"scopesToAdd":["default/read"]}}`)
		invoke := func(_ context.Context, name, _ string, event []byte) ([]byte, bool, error) {
			return bytes.Replace(event, []byte(`"claimsAndScopeOverrideDetails":null`), details, 1), false, nil
		}
		trig := &tollgate.LambdaTrigger{LambdaARN: triggerARN, LambdaVersion: tollgate.LambdaVersionV3}
		ep := token.New(token.Options{
			Clients: clients, Signer: f.signer, Keys: f.signer, Revocations: f.st, Vault: f.vault,
			Issuer:  func(_ *http.Request, poolID string) string { return issuer(poolID) },
			Trigger: func(*tollgate.Client) (*tollgate.LambdaTrigger, bool) { return trig, true },
			Invoke:  invoke,
			Now:     f.clock.Now, Logger: slog.New(slog.DiscardHandler),
		})
		body := form("grant_type", "client_credentials", "scope", "default/default", "aws_client_metadata", `{"tenant":"a"}`)
		serveTokenLoop(b, ep, body, auth, http.StatusOK)
	})
}
