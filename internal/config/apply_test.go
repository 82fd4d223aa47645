package config_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
	"github.com/tollgate/tollgate/internal/vault"
)

var (
	t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	t1 = t0.Add(time.Hour)
)

// stores runs f against each store backend: SQLite always, PostgreSQL when
// one is reachable (see storetest.PostgresDSN).
func stores(t *testing.T, f func(t *testing.T, st tollgate.Store)) {
	for _, b := range []struct {
		name string
		dsn  func(testing.TB) string
	}{{"sqlite", storetest.SQLiteDSN}, {"postgres", storetest.PostgresDSN}} {
		t.Run(b.name, func(t *testing.T) {
			dsn := b.dsn(t)
			st, err := sqlstore.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			f(t, st)
		})
	}
}

func newVault(t *testing.T) *vault.Vault {
	t.Helper()
	v, err := vault.New(vault.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func parse(t *testing.T, src string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("orders.yaml", []byte(src))
	if err != nil {
		t.Fatalf("config:\n%v", err)
	}
	return cfg
}

func apply(t *testing.T, st tollgate.Store, v *vault.Vault, src string, now time.Time) *config.Result {
	t.Helper()
	res, err := config.Apply(context.Background(), st, v, parse(t, src), now)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return res
}

// prune applies src allowing the deletion of objects that hold secrets.
func prune(t *testing.T, st tollgate.Store, v *vault.Vault, src string, now time.Time) *config.Result {
	t.Helper()
	res, err := config.ApplyWith(context.Background(), st, v, parse(t, src), now, config.ApplyOptions{Prune: true})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return res
}

// changes renders a result's changes without physical ids, which are
// random.
func changes(res *config.Result) []string {
	var out []string
	for _, c := range res.Changes {
		s := string(c.Action) + " " + string(c.Object) + " " + c.Key
		if len(c.Fields) > 0 {
			s += ": " + strings.Join(c.Fields, ", ")
		}
		out = append(out, s)
	}
	return out
}

func checkChanges(t *testing.T, res *config.Result, want ...string) {
	t.Helper()
	if diff := cmp.Diff(want, changes(res)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
}

// dump is everything the store holds that Apply may touch.
type dump struct {
	Pools   []*tollgate.UserPool
	Servers []*tollgate.ResourceServer
	Clients []*tollgate.Client
	Domains []*tollgate.Domain
	Gen     int64
}

func snapshot(t *testing.T, st tollgate.Store) dump {
	t.Helper()
	ctx := context.Background()
	var d dump
	var err error
	if d.Pools, err = st.ListPools(ctx); err != nil {
		t.Fatal(err)
	}
	for _, p := range d.Pools {
		rs, err := st.ListResourceServers(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		d.Servers = append(d.Servers, rs...)
	}
	if d.Clients, err = st.ListClients(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if d.Domains, err = st.ListDomains(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if d.Gen, err = st.Generation(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}

const seed = `
userPools:
  - id: UserPool
    resourceServers:
      - id: ResourceServer
        identifier: default
        userPoolResourceServerName: Custom default resource server
        scopes:
          - {scopeName: default, scopeDescription: Custom default scope}
    clients:
      - id: ThirdPartyAppClient
        userPoolClientName: ThirdPartyClientName
        generateSecret: true
        oAuth:
          flows: {clientCredentials: true}
          scopes: [default/default]
        refreshTokenValidity: 5d
    domains:
      - id: UserPoolDomain
        cognitoDomain: {domainPrefix: tollgate-seed}
`

func TestApplyCreates(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		ctx := context.Background()
		v := newVault(t)
		res := apply(t, st, v, seed, t0)
		checkChanges(t, res,
			"created pool config:orders/UserPool",
			"created resource server config:orders/UserPool/ResourceServer",
			"created client config:orders/UserPool/ThirdPartyAppClient",
			"created domain config:orders/UserPool/UserPoolDomain",
		)

		poolID, ok := res.PoolID("UserPool")
		if !ok || !tollgate.PoolIDPattern.MatchString(poolID) || !strings.HasPrefix(poolID, "us-east-1_") {
			t.Fatalf("PoolID = %q, %v", poolID, ok)
		}
		pool, err := st.GetPool(ctx, poolID)
		if err != nil {
			t.Fatal(err)
		}
		if pool.Name != "UserPool" || pool.Region != "us-east-1" || pool.ConfigKey != "config:orders/UserPool" {
			t.Errorf("pool = %+v", pool)
		}

		rs, err := st.GetResourceServer(ctx, poolID, "default")
		if err != nil {
			t.Fatal(err)
		}
		wantRS := &tollgate.ResourceServer{
			PoolID: poolID, Identifier: "default", Name: "Custom default resource server",
			Scopes:    []tollgate.Scope{{Name: "default", Description: "Custom default scope"}},
			ConfigKey: "config:orders/UserPool/ResourceServer", CreatedAt: t0, UpdatedAt: t0,
		}
		if diff := cmp.Diff(wantRS, rs); diff != "" {
			t.Errorf("resource server (-want +got):\n%s", diff)
		}

		clientID, ok := res.ClientID("UserPool", "ThirdPartyAppClient")
		if !ok || len(clientID) != tollgate.ClientIDLength {
			t.Fatalf("ClientID = %q, %v", clientID, ok)
		}
		c, err := st.GetClient(ctx, clientID)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Secrets) != 1 {
			t.Fatalf("client has %d secrets, want 1", len(c.Secrets))
		}
		secret, err := v.Open(c.Secrets[0].Sealed, []byte(clientID))
		if err != nil {
			t.Fatalf("the secret does not open with the client id as AAD: %v", err)
		}
		if len(secret) != tollgate.ClientSecretLength || !bytes.Equal(v.HashSecret(c.ID, string(secret)), c.Secrets[0].Hash) {
			t.Errorf("secret of length %d does not match its hash", len(secret))
		}
		for _, ch := range res.Changes {
			if strings.Contains(ch.String(), string(secret)) {
				t.Errorf("change %q shows the secret", ch)
			}
		}
		wantClient := &tollgate.Client{
			ID: clientID, PoolID: poolID, Name: "ThirdPartyClientName", Secrets: c.Secrets,
			AllowedOAuthFlows:    []string{tollgate.FlowClientCredentials},
			AllowedOAuthScopes:   []string{"default/default"},
			AccessTokenValidity:  tollgate.Validity{Value: 60, Unit: tollgate.Minutes},
			IDTokenValidity:      tollgate.Validity{Value: 60, Unit: tollgate.Minutes},
			RefreshTokenValidity: tollgate.Validity{Value: 5, Unit: tollgate.Days},
			ConfigKey:            "config:orders/UserPool/ThirdPartyAppClient", CreatedAt: t0, UpdatedAt: t0,
		}
		if diff := cmp.Diff(wantClient, c); diff != "" {
			t.Errorf("client (-want +got):\n%s", diff)
		}

		d, err := st.GetDomain(ctx, "tollgate-seed")
		if err != nil {
			t.Fatal(err)
		}
		wantDomain := &tollgate.Domain{Domain: "tollgate-seed", PoolID: poolID, ConfigKey: "config:orders/UserPool/UserPoolDomain", CreatedAt: t0}
		if diff := cmp.Diff(wantDomain, d); diff != "" {
			t.Errorf("domain (-want +got):\n%s", diff)
		}
	})
}

func TestApplyIsIdempotent(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		v := newVault(t)
		first := apply(t, st, v, seed, t0)
		before := snapshot(t, st)

		second := apply(t, st, v, seed, t1)
		checkChanges(t, second)
		if diff := cmp.Diff(before, snapshot(t, st)); diff != "" {
			t.Errorf("the store changed (-before +after):\n%s", diff)
		}
		for _, key := range [][2]string{{"UserPool", "ThirdPartyAppClient"}} {
			a, _ := first.ClientID(key[0], key[1])
			b, ok := second.ClientID(key[0], key[1])
			if !ok || a != b {
				t.Errorf("ClientID changed: %q → %q", a, b)
			}
		}
		a, _ := first.PoolID("UserPool")
		if b, ok := second.PoolID("UserPool"); !ok || a != b {
			t.Errorf("PoolID changed: %q → %q", a, b)
		}
		if _, ok := second.ClientID("UserPool", "Nobody"); ok {
			t.Error("ClientID of an undeclared client")
		}
	})
}

func TestApplyUpdatesInPlace(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		ctx := context.Background()
		v := newVault(t)
		first := apply(t, st, v, seed, t0)
		clientID, _ := first.ClientID("UserPool", "ThirdPartyAppClient")
		before, err := st.GetClient(ctx, clientID)
		if err != nil {
			t.Fatal(err)
		}

		changed := strings.NewReplacer(
			"scopeDescription: Custom default scope", "scopeDescription: The default scope",
			"refreshTokenValidity: 5d", "refreshTokenValidity: 5d\n        accessTokenValidity: 15m",
			"  - id: UserPool\n", "  - id: UserPool\n    userPoolName: Renamed\n",
		).Replace(seed)
		res := apply(t, st, v, changed, t1)
		checkChanges(t, res,
			"updated pool config:orders/UserPool: userPoolName",
			"updated resource server config:orders/UserPool/ResourceServer: scopes",
			"updated client config:orders/UserPool/ThirdPartyAppClient: accessTokenValidity",
		)

		poolID, _ := res.PoolID("UserPool")
		if p, _ := first.PoolID("UserPool"); p != poolID {
			t.Errorf("pool id changed: %s → %s", p, poolID)
		}
		rs, err := st.GetResourceServer(ctx, poolID, "default")
		if err != nil {
			t.Fatal(err)
		}
		if rs.Scopes[0].Description != "The default scope" || !rs.CreatedAt.Equal(t0) || !rs.UpdatedAt.Equal(t1) {
			t.Errorf("resource server = %+v", rs)
		}
		after, err := st.GetClient(ctx, clientID)
		if err != nil {
			t.Fatal(err)
		}
		if after.AccessTokenValidity != (tollgate.Validity{Value: 15, Unit: tollgate.Minutes}) {
			t.Errorf("access token validity = %v", after.AccessTokenValidity)
		}
		if diff := cmp.Diff(before.Secrets, after.Secrets); diff != "" {
			t.Errorf("secrets changed:\n%s", diff)
		}
		if !after.CreatedAt.Equal(t0) || !after.UpdatedAt.Equal(t1) {
			t.Errorf("client times: created %v, updated %v", after.CreatedAt, after.UpdatedAt)
		}
		if p, _ := st.GetPool(ctx, poolID); p.Name != "Renamed" || !p.CreatedAt.Equal(t0) {
			t.Errorf("pool = %+v", p)
		}
	})
}

const twoClients = `
userPools:
  - id: P
    resourceServers:
      - identifier: api
        scopes:
          - {scopeName: read, scopeDescription: Read}
          - {scopeName: write, scopeDescription: Write}
      - identifier: old
        scopes: [{scopeName: x, scopeDescription: X}]
    clients:
      - id: Reader
        generateSecret: true
        oAuth: {flows: {clientCredentials: true}, scopes: [api/read, old/x]}
      - id: Writer
        generateSecret: true
        oAuth: {flows: {clientCredentials: true}, scopes: [api/read, api/write]}
    domains:
      - {id: Prefix, cognitoDomain: {domainPrefix: p-auth}}
      - {id: Custom, customDomain: {domainName: auth.example.com}}
`

func TestApplyDeletesWhatTheConfigDropped(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		ctx := context.Background()
		v := newVault(t)
		res := apply(t, st, v, twoClients, t0)
		poolID, _ := res.PoolID("P")
		writerID, _ := res.ClientID("P", "Writer")
		readerID, _ := res.ClientID("P", "Reader")

		// Objects made by hand in the config's pool.
		manual := &tollgate.Client{ID: tollgate.NewClientID(), PoolID: poolID, Name: "manual",
			AllowedOAuthFlows: []string{}, AllowedOAuthScopes: []string{},
			AccessTokenValidity: tollgate.DefaultAccessTokenValidity, IDTokenValidity: tollgate.DefaultIDTokenValidity,
			RefreshTokenValidity: tollgate.DefaultRefreshTokenValidity, CreatedAt: t0, UpdatedAt: t0}
		if err := st.CreateClient(ctx, manual); err != nil {
			t.Fatal(err)
		}
		if err := st.PutResourceServer(ctx, &tollgate.ResourceServer{PoolID: poolID, Identifier: "by-hand", Name: "by-hand", CreatedAt: t0, UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if err := st.PutDomain(ctx, &tollgate.Domain{Domain: "manual.example.com", PoolID: poolID, Custom: true, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}

		dropped := strings.NewReplacer(
			"      - identifier: old\n        scopes: [{scopeName: x, scopeDescription: X}]\n", "",
			", old/x]", "]",
			"      - id: Writer\n        generateSecret: true\n        oAuth: {flows: {clientCredentials: true}, scopes: [api/read, api/write]}\n", "",
			"      - {id: Custom, customDomain: {domainName: auth.example.com}}\n", "",
		).Replace(twoClients)
		// Writer has a secret: without Prune, nothing is deleted.
		before := snapshot(t, st)
		_, err := config.Apply(ctx, st, v, parse(t, dropped), t1)
		var pe *config.PruneError
		if !errors.As(err, &pe) || len(pe.Objects) != 1 || pe.Objects[0].Key != "config:orders/P/Writer" || pe.Objects[0].ID != writerID || pe.Objects[0].Secrets != 1 {
			t.Fatalf("Apply without Prune: err = %v, want a PruneError for P/Writer alone", err)
		}
		if diff := cmp.Diff(before, snapshot(t, st)); diff != "" {
			t.Errorf("a refused prune changed the store (-before +after):\n%s", diff)
		}
		res = prune(t, st, v, dropped, t1)
		checkChanges(t, res,
			"deleted client config:orders/P/Writer",
			"deleted resource server config:orders/P/old",
			"deleted domain config:orders/P/Custom",
			"updated client config:orders/P/Reader: oAuth.scopes",
		)
		if _, err := st.GetClient(ctx, writerID); !tollgate.IsNotFound(err) {
			t.Errorf("dropped client: err = %v", err)
		}
		if _, ok := res.ClientID("P", "Writer"); ok {
			t.Error("ClientID of a dropped client")
		}
		for _, id := range []string{readerID, manual.ID} {
			if _, err := st.GetClient(ctx, id); err != nil {
				t.Errorf("client %s: %v", id, err)
			}
		}
		if _, err := st.GetResourceServer(ctx, poolID, "by-hand"); err != nil {
			t.Errorf("by-hand resource server: %v", err)
		}
		if _, err := st.GetDomain(ctx, "manual.example.com"); err != nil {
			t.Errorf("by-hand domain: %v", err)
		}
		if _, err := st.GetDomain(ctx, "auth.example.com"); !tollgate.IsNotFound(err) {
			t.Errorf("dropped domain: err = %v", err)
		}
	})
}

func TestApplyDeletesPoolsWithWhatTheyOwn(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		ctx := context.Background()
		v := newVault(t)
		res := apply(t, st, v, seed, t0)
		poolID, _ := res.PoolID("UserPool")
		manual := &tollgate.Client{ID: tollgate.NewClientID(), PoolID: poolID, Name: "manual",
			AccessTokenValidity: tollgate.DefaultAccessTokenValidity, IDTokenValidity: tollgate.DefaultIDTokenValidity,
			RefreshTokenValidity: tollgate.DefaultRefreshTokenValidity, CreatedAt: t0, UpdatedAt: t0}
		if err := st.CreateClient(ctx, manual); err != nil {
			t.Fatal(err)
		}
		other := &tollgate.UserPool{ID: tollgate.NewPoolID("us-east-1"), Name: "by-hand", Region: "us-east-1", CreatedAt: t0, UpdatedAt: t0}
		if err := st.CreatePool(ctx, other); err != nil {
			t.Fatal(err)
		}

		res = prune(t, st, v, "userPools: []\n", t1)
		checkChanges(t, res, "deleted pool config:orders/UserPool")
		if _, err := st.GetPool(ctx, poolID); !tollgate.IsNotFound(err) {
			t.Errorf("dropped pool: err = %v", err)
		}
		if _, err := st.GetClient(ctx, manual.ID); !tollgate.IsNotFound(err) {
			t.Errorf("by-hand client of a dropped pool: err = %v", err)
		}
		if _, err := st.GetDomain(ctx, "tollgate-seed"); !tollgate.IsNotFound(err) {
			t.Errorf("domain of a dropped pool: err = %v", err)
		}
		if _, err := st.GetPool(ctx, other.ID); err != nil {
			t.Errorf("by-hand pool: %v", err)
		}
	})
}

func TestApplyMovesDomains(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		ctx := context.Background()
		v := newVault(t)
		const before = `
userPools:
  - id: A
    domains: [{id: D, cognitoDomain: {domainPrefix: shared}}]
  - id: B
`
		const after = `
userPools:
  - id: A
  - id: B
    domains: [{id: D, cognitoDomain: {domainPrefix: shared}}]
`
		apply(t, st, v, before, t0)
		res := apply(t, st, v, after, t1)
		checkChanges(t, res, "deleted domain config:orders/A/D", "created domain config:orders/B/D")
		d, err := st.GetDomain(ctx, "shared")
		b, _ := res.PoolID("B")
		if err != nil || d.PoolID != b || d.ConfigKey != "config:orders/B/D" {
			t.Errorf("domain = %+v, %v; want it in pool %s", d, err, b)
		}
	})
}

// clientByHand is a conflict setup: a client named name made by hand in
// the store's first pool.
func clientByHand(name string) func(t *testing.T, st tollgate.Store, v *vault.Vault) {
	return func(t *testing.T, st tollgate.Store, _ *vault.Vault) {
		pools, err := st.ListPools(context.Background())
		if err != nil || len(pools) == 0 {
			t.Fatalf("pools %v, %v", pools, err)
		}
		mustCreateClient(t, st, pools[0].ID, name)
	}
}

func TestApplyRefusesConflicts(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		setup  func(t *testing.T, st tollgate.Store, v *vault.Vault) // before applying src
		src    string
		want   string
		before string // a config applied before setup, if any
		// The conflict points at the config value that causes it: path,
		// on the line of src holding at.
		path, at string
	}{
		{
			name:   "client name taken by hand",
			before: seed,
			setup:  clientByHand("Taken"),
			src:    strings.Replace(seed, "userPoolClientName: ThirdPartyClientName", "userPoolClientName: Taken", 1),
			want:   `client config:orders/UserPool/ThirdPartyAppClient: the name "Taken" is taken`,
			path:   "userPools[0].clients[0].userPoolClientName", at: "userPoolClientName: Taken",
		},
		{
			name:   "new client name taken by hand",
			before: seed,
			setup:  clientByHand("Second"),
			src:    strings.Replace(seed, "    domains:\n", "      - {id: Second}\n    domains:\n", 1),
			want:   `client config:orders/UserPool/Second: the name "Second" is taken`,
			path:   "userPools[0].clients[1].userPoolClientName", at: "- {id: Second}",
		},
		{
			name: "domain held by a by-hand pool",
			setup: func(t *testing.T, st tollgate.Store, v *vault.Vault) {
				p := mustCreatePool(t, st, "manual")
				if err := st.PutDomain(ctx, &tollgate.Domain{Domain: "tollgate-seed", PoolID: p.ID, CreatedAt: t0}); err != nil {
					t.Fatal(err)
				}
			},
			src:  seed,
			want: `domain config:orders/UserPool/UserPoolDomain: "tollgate-seed" belongs to pool`,
			path: "userPools[0].domains[0]", at: "id: UserPoolDomain",
		},
		{
			name:  "pool name taken by hand",
			setup: func(t *testing.T, st tollgate.Store, v *vault.Vault) { mustCreatePool(t, st, "UserPool") },
			src:   seed,
			want:  `pool UserPool: the name "UserPool" is taken by pool`,
			path:  "userPools[0].userPoolName", at: "id: UserPool\n",
		},
		{
			name:   "resource server made by hand",
			before: seed,
			setup: func(t *testing.T, st tollgate.Store, v *vault.Vault) {
				pools, _ := st.ListPools(ctx)
				if err := st.PutResourceServer(ctx, &tollgate.ResourceServer{PoolID: pools[0].ID, Identifier: "extra", Name: "extra", CreatedAt: t0, UpdatedAt: t0}); err != nil {
					t.Fatal(err)
				}
			},
			src:  strings.Replace(seed, "    clients:\n", "      - identifier: extra\n    clients:\n", 1),
			want: `pool UserPool: resource server "extra" exists and was created by hand`,
			path: "userPools[0].resourceServers[1].identifier", at: "identifier: extra",
		},
		{
			name:   "region change",
			before: seed,
			src:    "region: eu-west-1\n" + seed,
			want:   `pool UserPool (us-east-1_`,
			path:   "region", at: "region: eu-west-1",
		},
		{
			name:   "generateSecret change",
			before: seed,
			src: strings.NewReplacer("generateSecret: true", "generateSecret: false",
				"flows: {clientCredentials: true}\n          scopes: [default/default]", "{}").Replace(seed),
			want: `generateSecret cannot change once the client exists (it has 1 secrets)`,
			path: "userPools[0].clients[0].generateSecret", at: "generateSecret: false",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stores(t, func(t *testing.T, st tollgate.Store) {
				v := newVault(t)
				if tc.before != "" {
					apply(t, st, v, tc.before, t0)
				}
				if tc.setup != nil {
					tc.setup(t, st, v)
				}
				before := snapshot(t, st)
				_, err := config.Apply(ctx, st, v, parse(t, tc.src), t1)
				if tollgate.KindOf(err) != tollgate.KindConflict || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("Apply: err = %v (kind %s), want a conflict containing %q", err, tollgate.KindOf(err), tc.want)
				}
				if where := fmt.Sprintf("orders.yaml:%d:", lineOf(t, tc.src, tc.at)); err == nil || !strings.Contains(err.Error(), where) || !strings.Contains(err.Error(), " "+tc.path+": ") {
					t.Errorf("Apply: err = %v, want it at %s %s", err, where, tc.path)
				}
				if diff := cmp.Diff(before, snapshot(t, st)); diff != "" {
					t.Errorf("the store changed (-before +after):\n%s", diff)
				}
			})
		})
	}
}

// lineOf returns the 1-based number of the line of src that holds sub.
func lineOf(t *testing.T, src, sub string) int {
	t.Helper()
	i := strings.Index(src, sub)
	if i < 0 {
		t.Fatalf("%q is not in the config", sub)
	}
	return strings.Count(src[:i], "\n") + 1
}

func TestApplyReportsEveryConflict(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		ctx := context.Background()
		mustCreatePool(t, st, "UserPool")
		p := mustCreatePool(t, st, "other")
		if err := st.PutDomain(ctx, &tollgate.Domain{Domain: "tollgate-seed", PoolID: p.ID, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		_, err := config.Apply(ctx, st, newVault(t), parse(t, seed), t0)
		if tollgate.KindOf(err) != tollgate.KindConflict {
			t.Fatalf("err = %v", err)
		}
		lines := strings.Split(err.Error(), "\n")
		if len(lines) != 3 || !strings.Contains(lines[1], "pool UserPool") || !strings.Contains(lines[2], "domain config:orders/UserPool/UserPoolDomain") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestApplyNeedsAVaultForSecrets(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		ctx := context.Background()
		_, err := config.Apply(ctx, st, nil, parse(t, seed), t0)
		if tollgate.KindOf(err) != tollgate.KindInvalid {
			t.Errorf("err = %v", err)
		}
		if pools, _ := st.ListPools(ctx); len(pools) != 0 {
			t.Errorf("pools were created: %v", pools)
		}
		// Without secrets to generate, no vault is needed.
		noSecret := strings.NewReplacer("generateSecret: true", "generateSecret: false",
			"flows: {clientCredentials: true}\n          scopes: [default/default]", "{}").Replace(seed)
		if _, err := config.Apply(ctx, st, nil, parse(t, noSecret), t0); err != nil {
			t.Error(err)
		}
	})
}

func TestApplyValidatesTheConfig(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		cfg := &config.Config{UserPools: []config.UserPool{{ID: "P", Clients: []config.Client{{ID: "C", OAuth: config.OAuth{Scopes: []string{"no/such"}}}}}}}
		_, err := config.Apply(context.Background(), st, newVault(t), cfg, t0)
		var ps config.Problems
		if !errors.As(err, &ps) {
			t.Errorf("err = %v, want Problems", err)
		}
		// A Config built in code gets its defaults, but not a name: it
		// has no file to be named after.
		cfg = &config.Config{UserPools: []config.UserPool{{ID: "P", Clients: []config.Client{{ID: "C"}}}}}
		if _, err := config.Apply(context.Background(), st, newVault(t), cfg, t0); tollgate.KindOf(err) != tollgate.KindInvalid || !strings.Contains(err.Error(), "no name") {
			t.Errorf("a Config without a name or a file: err = %v, want invalid", err)
		}
		cfg.Name = "built"
		res, err := config.Apply(context.Background(), st, newVault(t), cfg, t0)
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := res.PoolID("P"); p == "" {
			t.Fatal("no pool P")
		} else if sp, err := st.GetPool(context.Background(), p); err != nil || sp.ConfigKey != "config:built/P" {
			t.Errorf("pool = %+v, %v; want the key config:built/P", sp, err)
		}
		id, _ := res.ClientID("P", "C")
		c, err := st.GetClient(context.Background(), id)
		if err != nil || c.Name != "C" || c.RefreshTokenValidity != tollgate.DefaultRefreshTokenValidity || len(c.Secrets) != 0 {
			t.Errorf("client = %+v, %v", c, err)
		}
	})
}

func TestApplyExamples(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		v := newVault(t)
		for _, name := range []string{"seed", "multi-api"} {
			cfg, err := config.Load("../../examples/" + name + "/tollgate.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := config.Apply(context.Background(), st, v, cfg, t0); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			res, err := config.Apply(context.Background(), st, v, cfg, t1)
			if err != nil || len(res.Changes) != 0 {
				t.Errorf("%s: second apply: %v, %v", name, changes(res), err)
			}
		}
		// Each example is a config of its own, named after its
		// directory: the second leaves the first alone.
		pools, _ := st.ListPools(context.Background())
		keys := map[string]string{}
		for _, p := range pools {
			keys[p.ConfigKey] = p.ID
		}
		if len(pools) != 2 || keys["config:seed/UserPool"] == "" || !strings.HasPrefix(keys["config:multi-api/PartnerPool"], "eu-west-1_") {
			t.Errorf("pools = %v", keys)
		}
	})
}

func TestChangeString(t *testing.T) {
	c := config.Change{Action: config.Updated, Object: config.ObjectClient, Key: "P/C", ID: "abc", Fields: []string{"oAuth.scopes", "accessTokenValidity"}}
	if got, want := c.String(), "updated client P/C (abc): oAuth.scopes, accessTokenValidity"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func mustCreatePool(t *testing.T, st tollgate.Store, name string) *tollgate.UserPool {
	t.Helper()
	p := &tollgate.UserPool{ID: tollgate.NewPoolID("us-east-1"), Name: name, Region: "us-east-1", CreatedAt: t0, UpdatedAt: t0}
	if err := st.CreatePool(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustCreateClient(t *testing.T, st tollgate.Store, poolID, name string) *tollgate.Client {
	t.Helper()
	c := &tollgate.Client{ID: tollgate.NewClientID(), PoolID: poolID, Name: name,
		AccessTokenValidity: tollgate.DefaultAccessTokenValidity, IDTokenValidity: tollgate.DefaultIDTokenValidity,
		RefreshTokenValidity: tollgate.DefaultRefreshTokenValidity, CreatedAt: t0, UpdatedAt: t0}
	if err := st.CreateClient(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}
