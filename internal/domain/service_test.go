package domain_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// t0 is the tests' clock.
var t0 = time.Date(2026, 11, 2, 9, 30, 15, 0, time.UTC)

type fixture struct {
	st   *sqlstore.Store
	svc  *domain.Service
	pool *tollgate.UserPool
}

// newFixture returns a Service on a new SQLite store, at t0, with a pool
// whose resource server "api" defines api/read and api/write.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	f := &fixture{st: st, svc: domain.New(st, v, func() time.Time { return t0 })}
	var err error
	if f.pool, err = f.svc.CreatePool(ctx, "pool", "eu-west-1"); err != nil {
		t.Fatal(err)
	}
	spec := domain.ResourceServerSpec{Identifier: "api", Name: "API", Scopes: []tollgate.Scope{{Name: "read"}, {Name: "write"}}}
	if _, err := f.svc.CreateResourceServer(ctx, f.pool.ID, spec); err != nil {
		t.Fatal(err)
	}
	return f
}

// m2m is a valid machine-to-machine client spec.
func m2m(name string) domain.ClientSpec {
	return domain.ClientSpec{Name: name, OAuthFlows: []string{tollgate.FlowClientCredentials}, Scopes: []string{"api/read"}}
}

// generate asks for a generated first secret.
var generate = domain.SecretChoice{Generate: true}

func mustClient(t *testing.T, f *fixture, name string) *tollgate.Client {
	t.Helper()
	c, _, err := f.svc.CreateClient(context.Background(), f.pool.ID, m2m(name), generate)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantCause fails unless err is a *tollgate.Error of kind caused by a
// target error (errors.Is) or of target's type (errors.As).
func wantCause(t *testing.T, what string, err error, kind tollgate.ErrorKind, target any) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %s", what, kind)
		return
	}
	if got := tollgate.KindOf(err); got != kind {
		t.Errorf("%s: %v is of kind %s, want %s", what, err, got, kind)
	}
	switch target := target.(type) {
	case error:
		if !errors.Is(err, target) {
			t.Errorf("%s: %v is not caused by %v", what, err, target)
		}
	default:
		if !errors.As(err, target) {
			t.Errorf("%s: %v has no cause of type %T", what, err, target)
		}
	}
}

func TestCreateClient(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c, secret, err := f.svc.CreateClient(ctx, f.pool.ID, domain.ClientSpec{
		Name: "svc", OAuthFlows: []string{"client_credentials", "client_credentials"},
		Scopes: []string{"api/read", "api/write", "api/read"}, AccessToken: tollgate.Validity{Value: 5, Unit: tollgate.Minutes},
	}, generate)
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != tollgate.ClientSecretLength || len(c.Secrets) != 1 || !c.CreatedAt.Equal(t0) || !c.Secrets[0].CreatedAt.Equal(t0) {
		t.Errorf("client %+v with a secret of %d characters; want one secret of %d, made at %s", c, len(secret), tollgate.ClientSecretLength, t0)
	}
	if strings.Join(c.AllowedOAuthFlows, " ") != "client_credentials" || strings.Join(c.AllowedOAuthScopes, " ") != "api/read api/write" {
		t.Errorf("flows %v, scopes %v: want them without repeats", c.AllowedOAuthFlows, c.AllowedOAuthScopes)
	}
	if c.RefreshTokenValidity != tollgate.DefaultRefreshTokenValidity || c.AccessTokenValidity.Value != 5 {
		t.Errorf("validities %s, %s; want 5 minutes and the default", c.AccessTokenValidity, c.RefreshTokenValidity)
	}
	if got, err := f.svc.Reveal(c, c.Secrets[0]); err != nil || got != secret {
		t.Errorf("Reveal = %v; want the secret CreateClient returned", err)
	}
	stored, err := f.st.GetClient(ctx, c.ID)
	if err != nil || stored.Name != "svc" {
		t.Errorf("stored client %+v, %v", stored, err)
	}
}

func TestClientRules(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	mustClient(t, f, "taken")
	with := func(change func(*domain.ClientSpec)) domain.ClientSpec {
		s := m2m("new")
		change(&s)
		return s
	}
	var (
		flow  *domain.FlowError
		scope *domain.UnknownScopeError
		taken *domain.NameTakenError
	)
	tooMany := make([]string, tollgate.MaxScopesPerClient+1)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("api/s%d", i)
	}
	tests := []struct {
		name   string
		spec   domain.ClientSpec
		secret domain.SecretChoice
		kind   tollgate.ErrorKind
		cause  any
	}{
		{"access token validity too short", with(func(s *domain.ClientSpec) { s.AccessToken = tollgate.Validity{Value: 4, Unit: tollgate.Minutes} }), generate, tollgate.KindInvalid, domain.ErrBadValidity},
		{"refresh token validity too long", with(func(s *domain.ClientSpec) { s.RefreshToken = tollgate.Validity{Value: 3651, Unit: tollgate.Days} }), generate, tollgate.KindInvalid, domain.ErrBadValidity},
		{"unknown unit", with(func(s *domain.ClientSpec) { s.IDToken = tollgate.Validity{Value: 1, Unit: "weeks"} }), generate, tollgate.KindInvalid, domain.ErrBadValidity},
		{"a flow Tollgate does not serve", with(func(s *domain.ClientSpec) { s.OAuthFlows = []string{"code"} }), generate, tollgate.KindInvalid, &flow},
		{"client_credentials without a secret", m2m("new"), domain.SecretChoice{}, tollgate.KindInvalid, domain.ErrSecretRequired},
		{"no scopes", with(func(s *domain.ClientSpec) { s.Scopes = nil }), generate, tollgate.KindInvalid, domain.ErrScopesRequired},
		{"too many scopes", with(func(s *domain.ClientSpec) { s.Scopes = tooMany }), generate, tollgate.KindInvalid, domain.ErrTooManyScopes},
		{"a scope the pool does not define", with(func(s *domain.ClientSpec) { s.Scopes = []string{"api/read", "api/delete"} }), generate, tollgate.KindInvalid, &scope},
		{"a name the pool has", m2m("taken"), generate, tollgate.KindConflict, &taken},
		{"a malformed chosen secret", m2m("new"), domain.SecretChoice{Given: "short"}, tollgate.KindInvalid, domain.ErrBadSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := f.svc.CreateClient(ctx, f.pool.ID, tt.spec, tt.secret)
			wantCause(t, "CreateClient", err, tt.kind, tt.cause)
		})
	}
	if scope == nil || scope.Scope != "api/delete" || taken == nil || taken.TakenBy == "" {
		t.Errorf("causes %+v, %+v: want the scope and the client that has the name", scope, taken)
	}
	clients, err := f.st.ListClients(ctx, f.pool.ID)
	if err != nil || len(clients) != 1 {
		t.Errorf("the pool has %d clients (%v); want only the first: refused writes write nothing", len(clients), err)
	}
}

func TestUpdateClient(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := mustClient(t, f, "svc")
	mustClient(t, f, "other")
	next, err := f.svc.UpdateClient(ctx, c, domain.ClientSpec{OAuthFlows: []string{"client_credentials"}, Scopes: []string{"api/write"}})
	if err != nil {
		t.Fatal(err)
	}
	if next.Name != "svc" || len(next.Secrets) != 1 || next.AllowedOAuthScopes[0] != "api/write" {
		t.Errorf("updated client %+v: want its name and secret kept, its scopes replaced", next)
	}
	var taken *domain.NameTakenError
	_, err = f.svc.UpdateClient(ctx, c, m2m("other"))
	wantCause(t, "UpdateClient to another client's name", err, tollgate.KindConflict, &taken)
}

func TestClientQuota(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	storetest.FillPool(t, f.st, f.pool.ID, tollgate.MaxClientsPerPool-1)

	// Each writer of the pool races for the last place.
	const writers = 8
	errs := storetest.Race(writers, func(i int) error {
		_, _, err := f.svc.CreateClient(ctx, f.pool.ID, m2m(fmt.Sprintf("racer-%d", i)), generate)
		return err
	})
	created := storetest.Winners(errs, func(i int, err error) {
		wantCause(t, fmt.Sprintf("writer %d", i), err, tollgate.KindConflict, tollgate.ErrLimitExceeded)
	})
	clients, err := f.st.ListClients(ctx, f.pool.ID)
	if err != nil || created != 1 || len(clients) != tollgate.MaxClientsPerPool {
		t.Errorf("%d writers created a client, the pool has %d (%v); want 1 and %d", created, len(clients), err, tollgate.MaxClientsPerPool)
	}
}

func TestSecrets(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := mustClient(t, f, "svc")
	chosen := strings.Repeat("s", 24)
	cs, plain, err := f.svc.AddClientSecret(ctx, c, chosen)
	if err != nil || plain != chosen || !cs.CreatedAt.Equal(t0) {
		t.Fatalf("AddClientSecret = %v, %v", cs, err)
	}
	c, _ = f.st.GetClient(ctx, c.ID)
	revealed, err := f.svc.RevealAll(c)
	if err != nil || revealed[cs.ID] != chosen || len(revealed) != 2 {
		t.Errorf("RevealAll = %d secrets, %v; want both, the chosen one among them", len(revealed), err)
	}
	_, _, err = f.svc.AddClientSecret(ctx, c, "")
	wantCause(t, "a third secret", err, tollgate.KindConflict, tollgate.ErrLimitExceeded)
	wantCause(t, "deleting a secret the client does not have", f.svc.DeleteClientSecret(ctx, c, "nope"), tollgate.KindNotFound, domain.ErrNoSuchSecret)
	if err := f.svc.DeleteClientSecret(ctx, c, cs.ID); err != nil {
		t.Fatal(err)
	}
	c, _ = f.st.GetClient(ctx, c.ID)
	wantCause(t, "deleting the last secret", f.svc.DeleteClientSecret(ctx, c, c.Secrets[0].ID), tollgate.KindInvalid, domain.ErrLastSecret)

	public, _, err := f.svc.CreateClient(ctx, f.pool.ID, domain.ClientSpec{Name: "public"}, domain.SecretChoice{})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.svc.AddClientSecret(ctx, public, "")
	wantCause(t, "a secret for a client created without one", err, tollgate.KindInvalid, domain.ErrNoSecretToRotate)
}

func TestDeclaredObjectsAreReadOnly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	const key = "config:seed/UserPool"
	pool := *f.pool
	pool.ConfigKey = key
	c := mustClient(t, f, "svc")
	c.ConfigKey = key + "/Client"
	rs, err := f.st.GetResourceServer(ctx, f.pool.ID, "api")
	if err != nil {
		t.Fatal(err)
	}
	rs.ConfigKey = key + "/Api"
	var ro *domain.ReadOnlyError
	_, err = f.svc.UpdateClient(ctx, c, m2m("svc"))
	wantCause(t, "UpdateClient", err, tollgate.KindReadOnly, &ro)
	wantCause(t, "DeleteClient", f.svc.DeleteClient(ctx, c), tollgate.KindReadOnly, &ro)
	_, err = f.svc.UpdateResourceServer(ctx, rs, domain.ResourceServerSpec{Name: "x"})
	wantCause(t, "UpdateResourceServer", err, tollgate.KindReadOnly, &ro)
	wantCause(t, "DeleteResourceServer", f.svc.DeleteResourceServer(ctx, rs), tollgate.KindReadOnly, &ro)
	err = f.svc.DeletePool(ctx, &pool)
	wantCause(t, "DeletePool", err, tollgate.KindReadOnly, &ro)
	if want := `pool ` + pool.ID + ` is declared in config "seed" (as "UserPool"): change it there`; err == nil || err.Error() != want {
		t.Errorf("DeletePool: %v, want %q", err, want)
	}
}

func TestPools(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var taken *domain.NameTakenError
	_, err := f.svc.CreatePool(ctx, "pool", "eu-west-1")
	wantCause(t, "a pool name taken", err, tollgate.KindConflict, &taken)
	_, err = f.svc.CreatePool(ctx, "other", "Europe")
	wantCause(t, "a region that is no region", err, tollgate.KindInvalid, domain.ErrBadRegion)
	if err := f.st.PutDomain(ctx, &tollgate.Domain{Domain: "auth-pool", PoolID: f.pool.ID, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	wantCause(t, "DeletePool with a domain", f.svc.DeletePool(ctx, f.pool), tollgate.KindInvalid, domain.ErrPoolHasDomain)
}

func TestResourceServers(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var dup *domain.DuplicateScopeError
	_, err := f.svc.CreateResourceServer(ctx, f.pool.ID, domain.ResourceServerSpec{Identifier: "api"})
	wantCause(t, "an identifier the pool has", err, tollgate.KindConflict, domain.ErrResourceServerExists)
	_, err = f.svc.CreateResourceServer(ctx, f.pool.ID, domain.ResourceServerSpec{Identifier: "x", Scopes: []tollgate.Scope{{Name: "a"}, {Name: "a"}}})
	wantCause(t, "a scope twice", err, tollgate.KindInvalid, &dup)
	for i := 1; i < tollgate.MaxResourceServersPerPool; i++ {
		if _, err := f.svc.CreateResourceServer(ctx, f.pool.ID, domain.ResourceServerSpec{Identifier: fmt.Sprint("rs", i)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = f.svc.CreateResourceServer(ctx, f.pool.ID, domain.ResourceServerSpec{Identifier: "one-too-many"})
	wantCause(t, "a resource server beyond the quota", err, tollgate.KindConflict, tollgate.ErrLimitExceeded)
}

func TestAccessKeys(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id, secret, err := f.svc.FirstAccessKey(ctx, "dev")
	if err != nil || !tollgate.AccessKeyIDPattern.MatchString(id) || len(secret) != tollgate.SecretAccessKeyLength {
		t.Fatalf("FirstAccessKey without keys = %s, %v; want a new key", id, err)
	}
	again, secretAgain, err := f.svc.FirstAccessKey(ctx, "dev")
	if err != nil || again != id || secretAgain != secret {
		t.Errorf("FirstAccessKey again = %s, %v; want the key it created", again, err)
	}
	k, err := f.st.GetAccessKey(ctx, id)
	if err != nil || k.Description != "dev" || !k.CreatedAt.Equal(t0) {
		t.Errorf("stored key %+v, %v", k, err)
	}
	if err := f.svc.DeleteAccessKey(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AccessKeySecret(ctx, id); !tollgate.IsNotFound(err) {
		t.Errorf("AccessKeySecret of a deleted key: %v, want not found", err)
	}
}

func TestDeployReturnsTheResolversError(t *testing.T) {
	f := newFixture(t)
	refusal := errors.New("the template has problems")
	calls := 0
	_, err := f.svc.Deploy(context.Background(), "Stack", func(*config.IDs) (*config.Config, error) {
		calls++
		return nil, refusal
	})
	if !errors.Is(err, refusal) || err.Error() != refusal.Error() || calls != 1 {
		t.Errorf("Deploy = %v after %d calls; want the resolver's error as it is, after one call", err, calls)
	}
}

func TestDomains(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	other, err := f.svc.CreatePool(ctx, "other", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	var reserved *domain.ReservedWordError
	_, err = f.svc.CreateDomain(ctx, f.pool.ID, "Auth")
	wantCause(t, "a prefix in upper case", err, tollgate.KindInvalid, domain.ErrBadPrefix)
	_, err = f.svc.CreateDomain(ctx, f.pool.ID, "my-cognito")
	wantCause(t, "a reserved word", err, tollgate.KindInvalid, &reserved)
	d, err := f.svc.CreateDomain(ctx, f.pool.ID, "auth")
	if err != nil || !d.CreatedAt.Equal(t0) {
		t.Fatalf("CreateDomain = %+v, %v", d, err)
	}
	_, err = f.svc.CreateDomain(ctx, f.pool.ID, "auth")
	wantCause(t, "the pool's own domain again", err, tollgate.KindConflict, domain.ErrDomainExists)
	_, err = f.svc.CreateDomain(ctx, f.pool.ID, "auth2")
	wantCause(t, "a second prefix", err, tollgate.KindConflict, domain.ErrPoolHasPrefix)
	_, err = f.svc.CreateDomain(ctx, other.ID, "auth")
	wantCause(t, "another pool's domain", err, tollgate.KindConflict, domain.ErrDomainTaken)
	d.ConfigKey = "stack:S/Domain"
	var ro *domain.ReadOnlyError
	wantCause(t, "DeleteDomain of a stack's domain", f.svc.DeleteDomain(ctx, d), tollgate.KindReadOnly, &ro)
	d.ConfigKey = ""
	if err := f.svc.DeleteDomain(ctx, d); err != nil {
		t.Fatal(err)
	}
}
