package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tollgate/tollgate"
)

// RunTests runs the conformance suite. open must return a new, empty store
// and close it when the test ends (t.Cleanup); the subtests run in parallel,
// each on a store of its own.
func RunTests(t *testing.T, open func(t *testing.T) tollgate.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s tollgate.Store)
	}{
		{"Pools", testPools},
		{"ResourceServers", testResourceServers},
		{"Clients", testClients},
		{"ClientSecrets", testClientSecrets},
		{"LastSecret", testLastSecret},
		{"Domains", testDomains},
		{"SigningKeys", testSigningKeys},
		{"SigningKeysRollback", testSigningKeysRollback},
		{"Revocations", testRevocations},
		{"DeletePoolCascades", testDeletePoolCascades},
		{"DeleteClientCascades", testDeleteClientCascades},
		{"Generation", testGeneration},
		{"Changes", testChanges},
		{"RevokedTokenAndAllResourceServers", testRevokedTokenAndAllResourceServers},
		{"Times", testTimes},
		{"Copies", testCopies},
		{"EmptyLists", testEmptyLists},
		{"CanceledContext", testCanceledContext},
		{"AccessKeys", testAccessKeys},
		{"ClientQuota", testClientQuota},
		{"ResourceServerQuota", testResourceServerQuota},
		{"Owner", testOwner},
		{"PoolOwner", testPoolOwner},
		{"CreateOnly", testCreateOnly},
		{"DeletePoolWithDomain", testDeletePoolWithDomain},
		{"Settings", testSettings},
		{"Reseal", testReseal},
		{"ResealResumes", testResealResumes},
		{"APIKeys", testAPIKeys},
		{"UsagePlans", testUsagePlans},
		{"APIKeyOwner", testAPIKeyOwner},
		{"Usage", testUsage},
		{"UsageBatch", testUsageBatch},
		{"TokenLimits", testTokenLimits},
		{"OAuth", testOAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, open(t))
		})
	}
}

// t0 is the suite's clock: a time with microseconds, which every store keeps.
var t0 = time.Date(2026, 11, 2, 9, 30, 15, 123456000, time.UTC)

// at returns t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

func newPool(name string) *tollgate.UserPool {
	return &tollgate.UserPool{
		ID:        tollgate.NewPoolID("eu-west-1"),
		Name:      name,
		Region:    "eu-west-1",
		CreatedAt: t0,
		UpdatedAt: t0,
	}
}

func newClient(poolID, name string, secrets ...tollgate.ClientSecret) *tollgate.Client {
	if secrets == nil {
		secrets = []tollgate.ClientSecret{}
	}
	return &tollgate.Client{
		ID:                   tollgate.NewClientID(),
		PoolID:               poolID,
		Name:                 name,
		Secrets:              secrets,
		AllowedOAuthFlows:    []string{tollgate.FlowClientCredentials},
		AllowedOAuthScopes:   []string{"default/read", "default/write"},
		AccessTokenValidity:  tollgate.Validity{Value: 15, Unit: tollgate.Minutes},
		IDTokenValidity:      tollgate.DefaultIDTokenValidity,
		RefreshTokenValidity: tollgate.Validity{Value: 7, Unit: tollgate.Days},
		CreatedAt:            t0,
		UpdatedAt:            t0,
	}
}

func newSecret(created time.Time) tollgate.ClientSecret {
	id := tollgate.NewSecretID()
	return tollgate.ClientSecret{
		ID:        id,
		Hash:      []byte("hash of " + id),
		Sealed:    []byte("sealed " + id),
		CreatedAt: created,
	}
}

func newKey(poolID, kid string, state tollgate.KeyState, created time.Time) tollgate.SigningKey {
	k := tollgate.SigningKey{
		PoolID:    poolID,
		KID:       kid,
		Algorithm: "RS256",
		State:     state,
		Public:    []byte("public " + kid),
		Sealed:    []byte("sealed " + kid),
		CreatedAt: created,
	}
	if state != tollgate.KeyNext {
		k.ActivatedAt = created
	}
	return k
}

func mustCreatePool(t *testing.T, s tollgate.Store, name string) *tollgate.UserPool {
	t.Helper()
	p := newPool(name)
	if err := s.CreatePool(context.Background(), p); err != nil {
		t.Fatalf("CreatePool(%s): %v", name, err)
	}
	return p
}

func mustCreateClient(t *testing.T, s tollgate.Store, c *tollgate.Client) {
	t.Helper()
	if err := s.CreateClient(context.Background(), c); err != nil {
		t.Fatalf("CreateClient(%s): %v", c.Name, err)
	}
}

// wantKind fails the test unless err is a domain error of the given kind
// whose message shows nothing of the database.
func wantKind(t *testing.T, what string, err error, kind tollgate.ErrorKind) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: got no error, want %s", what, kind)
		return
	}
	if got := tollgate.KindOf(err); got != kind {
		t.Errorf("%s: got error %v (kind %s), want kind %s", what, err, got, kind)
		return
	}
	var e *tollgate.Error
	errors.As(err, &e)
	for _, leak := range []string{"constraint", "SQLSTATE", "INSERT", "UPDATE ", "DELETE FROM", "sqlite"} {
		if strings.Contains(e.Message, leak) {
			t.Errorf("%s: message %q shows the database (%q)", what, e.Message, leak)
		}
	}
}

// wantNoError fails the test now if err is not nil.
func wantNoError(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantEqual fails the test if got and want differ.
func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: mismatch (-want +got):\n%s", what, diff)
	}
}
