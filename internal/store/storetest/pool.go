package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

func testPools(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	beta := mustCreatePool(t, s, "beta")
	alpha := mustCreatePool(t, s, "alpha")

	got, err := s.GetPool(ctx, beta.ID)
	wantNoError(t, "GetPool", err)
	wantEqual(t, "GetPool", got, beta)

	pools, err := s.ListPools(ctx)
	wantNoError(t, "ListPools", err)
	wantEqual(t, "ListPools (by name)", pools, []*tollgate.UserPool{alpha, beta})

	dupID := newPool("gamma")
	dupID.ID = alpha.ID
	dupName := newPool("alpha")
	wantKind(t, "CreatePool with a taken id", s.CreatePool(ctx, dupID), tollgate.KindConflict)
	wantKind(t, "CreatePool with a taken name", s.CreatePool(ctx, dupName), tollgate.KindConflict)
	_, err = s.GetPool(ctx, dupName.ID)
	wantKind(t, "GetPool of a pool refused", err, tollgate.KindNotFound)

	updatePool(t, s, alpha)

	wantNoError(t, "DeletePool", s.DeletePool(ctx, alpha.ID, tollgate.AnyOwner))
	_, err = s.GetPool(ctx, alpha.ID)
	wantKind(t, "GetPool after delete", err, tollgate.KindNotFound)
	wantKind(t, "DeletePool again", s.DeletePool(ctx, alpha.ID, tollgate.AnyOwner), tollgate.KindNotFound)
	pools, err = s.ListPools(ctx)
	wantNoError(t, "ListPools after delete", err)
	wantEqual(t, "ListPools after delete", pools, []*tollgate.UserPool{beta})

	// The name of a deleted pool is free again.
	reuse := newPool("alpha2")
	wantNoError(t, "CreatePool with a deleted pool's name", s.CreatePool(ctx, reuse))

	poolTrigger(t, s)
}

// updatePool checks that UpdatePool changes Name, ConfigKey and UpdatedAt,
// and nothing else, and refuses a taken name and a missing pool.
func updatePool(t *testing.T, s tollgate.Store, alpha *tollgate.UserPool) {
	ctx := context.Background()
	update := *alpha
	update.Name = "alpha2"
	update.ConfigKey = "AlphaPool"
	update.UpdatedAt = at(time.Hour)
	update.Region = "us-west-2"
	update.CreatedAt = at(time.Hour)
	wantNoError(t, "UpdatePool", s.UpdatePool(ctx, &update, tollgate.AnyOwner))
	want := *alpha
	want.Name, want.ConfigKey, want.UpdatedAt = "alpha2", "AlphaPool", at(time.Hour)
	got, err := s.GetPool(ctx, alpha.ID)
	wantNoError(t, "GetPool after update", err)
	wantEqual(t, "GetPool after update", got, &want)

	update.Name = "beta"
	wantKind(t, "UpdatePool to a taken name", s.UpdatePool(ctx, &update, tollgate.AnyOwner), tollgate.KindConflict)
	missing := newPool("missing")
	wantKind(t, "UpdatePool of a missing pool", s.UpdatePool(ctx, missing, tollgate.AnyOwner), tollgate.KindNotFound)
	_, err = s.GetPool(ctx, missing.ID)
	wantKind(t, "GetPool of a missing pool", err, tollgate.KindNotFound)
}

// poolTrigger checks that a pool's pre token generation trigger is kept as
// created, replaced and cleared by UpdatePool, and listed.
func poolTrigger(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	v3 := &tollgate.LambdaTrigger{LambdaARN: "arn:aws:lambda:eu-west-1:000000000000:function:TokenFn", LambdaVersion: tollgate.LambdaVersionV3}
	v1 := &tollgate.LambdaTrigger{LambdaARN: "arn:aws:lambda:eu-west-1:000000000000:function:Other:live", LambdaVersion: tollgate.LambdaVersionV1}
	p := newPool("triggered")
	p.PreTokenGeneration = v3
	wantNoError(t, "CreatePool with a trigger", s.CreatePool(ctx, p))
	for _, step := range []struct {
		name    string
		trigger *tollgate.LambdaTrigger
	}{
		{"as created", v3},
		{"replaced", v1},
		{"cleared", nil},
		{"set again", v3},
	} {
		if step.name != "as created" {
			update := *p
			update.PreTokenGeneration = step.trigger
			update.UpdatedAt = at(time.Minute)
			wantNoError(t, "UpdatePool, trigger "+step.name, s.UpdatePool(ctx, &update, tollgate.AnyOwner))
			p = &update
		}
		got, err := s.GetPool(ctx, p.ID)
		wantNoError(t, "GetPool, trigger "+step.name, err)
		wantEqual(t, "GetPool, trigger "+step.name, got, p)
		pools, err := s.ListPools(ctx)
		wantNoError(t, "ListPools, trigger "+step.name, err)
		for _, listed := range pools {
			if listed.ID == p.ID {
				wantEqual(t, "ListPools, trigger "+step.name, listed, p)
			}
		}
	}
}
