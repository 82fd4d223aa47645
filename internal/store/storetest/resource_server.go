package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

func testResourceServers(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	pool := mustCreatePool(t, s, "pool")
	other := mustCreatePool(t, s, "other")
	api, def := putResourceServers(t, s, pool.ID)
	replaceResourceServer(t, s, api)

	orphan := *def
	orphan.PoolID = newPool("missing").ID
	wantKind(t, "PutResourceServer in a missing pool", s.PutResourceServer(ctx, &orphan), tollgate.KindNotFound)

	_, err := s.GetResourceServer(ctx, other.ID, api.Identifier)
	wantKind(t, "GetResourceServer in another pool", err, tollgate.KindNotFound)
	wantKind(t, "DeleteResourceServer in another pool", s.DeleteResourceServer(ctx, other.ID, api.Identifier, tollgate.AnyOwner), tollgate.KindNotFound)
	list, err := s.ListResourceServers(ctx, other.ID)
	wantNoError(t, "ListResourceServers of another pool", err)
	wantEqual(t, "ListResourceServers of another pool", list, []*tollgate.ResourceServer{})

	wantNoError(t, "DeleteResourceServer", s.DeleteResourceServer(ctx, pool.ID, api.Identifier, tollgate.AnyOwner))
	_, err = s.GetResourceServer(ctx, pool.ID, api.Identifier)
	wantKind(t, "GetResourceServer after delete", err, tollgate.KindNotFound)
	wantKind(t, "DeleteResourceServer again", s.DeleteResourceServer(ctx, pool.ID, api.Identifier, tollgate.AnyOwner), tollgate.KindNotFound)
	list, err = s.ListResourceServers(ctx, pool.ID)
	wantNoError(t, "ListResourceServers after delete", err)
	wantEqual(t, "ListResourceServers after delete", list, []*tollgate.ResourceServer{def})
}

// putResourceServers puts two resource servers in the pool, api (with
// scopes and a config key) and def, and reads them back.
func putResourceServers(t *testing.T, s tollgate.Store, poolID string) (api, def *tollgate.ResourceServer) {
	ctx := context.Background()
	api = &tollgate.ResourceServer{
		PoolID:     poolID,
		Identifier: "https://api.example.com",
		Name:       "API",
		Scopes: []tollgate.Scope{
			{Name: "read", Description: "Read things"},
			{Name: "write", Description: "Write \"things\" — ünïcode"},
		},
		ConfigKey: "Api",
		CreatedAt: t0,
		UpdatedAt: t0,
	}
	def = &tollgate.ResourceServer{
		PoolID:     poolID,
		Identifier: "default",
		Name:       "Default",
		Scopes:     []tollgate.Scope{},
		CreatedAt:  t0,
		UpdatedAt:  t0,
	}
	for _, rs := range []*tollgate.ResourceServer{api, def} {
		wantNoError(t, "PutResourceServer "+rs.Identifier, s.PutResourceServer(ctx, rs))
	}

	got, err := s.GetResourceServer(ctx, poolID, api.Identifier)
	wantNoError(t, "GetResourceServer", err)
	wantEqual(t, "GetResourceServer", got, api)

	list, err := s.ListResourceServers(ctx, poolID)
	wantNoError(t, "ListResourceServers", err)
	wantEqual(t, "ListResourceServers (by identifier)", list, []*tollgate.ResourceServer{def, api})

	return api, def
}

// replaceResourceServer checks that putting api again replaces everything
// but CreatedAt.
func replaceResourceServer(t *testing.T, s tollgate.Store, api *tollgate.ResourceServer) {
	ctx := context.Background()
	replace := &tollgate.ResourceServer{
		PoolID:     api.PoolID,
		Identifier: api.Identifier,
		Name:       "API v2",
		Scopes:     []tollgate.Scope{{Name: "admin"}},
		ConfigKey:  "ApiV2",
		CreatedAt:  at(time.Hour),
		UpdatedAt:  at(time.Hour),
	}
	wantNoError(t, "PutResourceServer (replace)", s.PutResourceServer(ctx, replace))
	want := *replace
	want.CreatedAt = t0
	got, err := s.GetResourceServer(ctx, api.PoolID, api.Identifier)
	wantNoError(t, "GetResourceServer after replace", err)
	wantEqual(t, "GetResourceServer after replace", got, &want)

}
