package domain_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

// TestResourceServerShapes: an identifier or a scope name that would break
// the space-separated scope strings "{identifier}/{scope}" (RFC 6749 §3.3)
// is refused, in Cognito's shapes (ResourceServerIdentifierType,
// ResourceServerScopeNameType:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ResourceServerType.html).
func TestResourceServerShapes(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for _, id := range []string{"", "a b", `a"b`, `a\b`, "é", strings.Repeat("a", 257)} {
		_, err := f.svc.CreateResourceServer(ctx, f.pool.ID, domain.ResourceServerSpec{Identifier: id, Name: "n"})
		wantCause(t, "identifier "+id, err, tollgate.KindInvalid, domain.ErrBadIdentifier)
	}
	for _, name := range []string{"", "a/b", "a b", `a"b`, strings.Repeat("a", 257)} {
		_, err := f.svc.CreateResourceServer(ctx, f.pool.ID, domain.ResourceServerSpec{Identifier: "ok", Scopes: []tollgate.Scope{{Name: name, Description: "d"}}})
		wantCause(t, "scope name "+name, err, tollgate.KindInvalid, domain.ErrBadScopeName)
	}
	rs, err := f.svc.CreateResourceServer(ctx, f.pool.ID, domain.ResourceServerSpec{Identifier: "https://api.example.com/v1", Scopes: []tollgate.Scope{{Name: "orders:read", Description: "d"}}})
	if err != nil {
		t.Fatalf("a URL identifier and a scope name with a colon: %v", err)
	}
	_, err = f.svc.UpdateResourceServer(ctx, rs, domain.ResourceServerSpec{Scopes: []tollgate.Scope{{Name: "x y", Description: "d"}}})
	wantCause(t, "update with scope name x y", err, tollgate.KindInvalid, domain.ErrBadScopeName)
}
