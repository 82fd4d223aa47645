package domain_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

// The trigger rules are Cognito's, from its API reference
// (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_PreTokenGenerationVersionConfigType.html):
// LambdaArn 20 to 2048 characters, LambdaVersion V1_0 | V2_0 | V3_0, and
// "This parameter and the PreTokenGeneration property of LambdaConfig have
// the same value".
const (
	tokenFnARN = "arn:aws:lambda:eu-west-1:000000000000:function:TokenFn"
	otherARN   = "arn:aws:lambda:eu-west-1:000000000000:function:Other:live"
)

func TestPoolTrigger(t *testing.T) {
	ctx := context.Background()
	v3 := &tollgate.LambdaTrigger{LambdaARN: tokenFnARN, LambdaVersion: tollgate.LambdaVersionV3}
	for _, tc := range []struct {
		name string
		spec domain.PoolSpec
		want *tollgate.LambdaTrigger // nil with wantErr false: no trigger
		// wantErr is the refusal's message, or "".
		wantErr string
	}{
		{"none", domain.PoolSpec{}, nil, ""},
		{"V3_0", domain.PoolSpec{PreTokenGeneration: v3}, v3, ""},
		{"V2_0 with a qualified ARN", domain.PoolSpec{PreTokenGeneration: &tollgate.LambdaTrigger{LambdaARN: otherARN, LambdaVersion: "V2_0"}},
			&tollgate.LambdaTrigger{LambdaARN: otherARN, LambdaVersion: "V2_0"}, ""},
		{"legacy alone is V1_0", domain.PoolSpec{LegacyPreTokenGeneration: tokenFnARN},
			&tollgate.LambdaTrigger{LambdaARN: tokenFnARN, LambdaVersion: "V1_0"}, ""},
		{"legacy equal to LambdaArn", domain.PoolSpec{PreTokenGeneration: v3, LegacyPreTokenGeneration: tokenFnARN}, v3, ""},
		{"legacy unlike LambdaArn", domain.PoolSpec{PreTokenGeneration: v3, LegacyPreTokenGeneration: otherARN}, nil, "must be the same function ARN"},
		{"unknown version", domain.PoolSpec{PreTokenGeneration: &tollgate.LambdaTrigger{LambdaARN: tokenFnARN, LambdaVersion: "V4_0"}}, nil, `"V4_0" is not one of V1_0, V2_0, V3_0`},
		{"no version", domain.PoolSpec{PreTokenGeneration: &tollgate.LambdaTrigger{LambdaARN: tokenFnARN}}, nil, "LambdaVersion"},
		{"ARN too short", domain.PoolSpec{PreTokenGeneration: &tollgate.LambdaTrigger{LambdaARN: "arn:a:b::1:c", LambdaVersion: "V3_0"}}, nil, "20 to 2048 characters"},
		{"ARN too long", domain.PoolSpec{PreTokenGeneration: &tollgate.LambdaTrigger{LambdaARN: tokenFnARN + strings.Repeat("x", 2000), LambdaVersion: "V3_0"}}, nil, "20 to 2048 characters"},
		{"not a Lambda ARN", domain.PoolSpec{PreTokenGeneration: &tollgate.LambdaTrigger{LambdaARN: "arn:aws:sns:eu-west-1:000000000000:topic", LambdaVersion: "V3_0"}}, nil, "is not a Lambda function ARN"},
		{"legacy not a Lambda ARN", domain.PoolSpec{LegacyPreTokenGeneration: "arn:aws:sqs:eu-west-1:000000000000:queue"}, nil, "is not a Lambda function ARN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			p, err := f.svc.CreatePoolWith(ctx, "created", "eu-west-1", tc.spec)
			if tc.wantErr != "" {
				wantCause(t, "CreatePoolWith", err, tollgate.KindInvalid, domain.ErrBadTrigger)
				if err != nil && !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("CreatePoolWith: %v, want %q in it", err, tc.wantErr)
				}
				_, err = f.svc.UpdatePool(ctx, f.pool, tc.spec)
				wantCause(t, "UpdatePool", err, tollgate.KindInvalid, domain.ErrBadTrigger)
				if stored, _ := f.st.GetPool(ctx, f.pool.ID); stored.PreTokenGeneration != nil {
					t.Errorf("a refused update stored %+v", stored.PreTokenGeneration)
				}
				return
			}
			if err != nil {
				t.Fatalf("CreatePoolWith: %v", err)
			}
			wantTrigger(t, "CreatePoolWith", p.PreTokenGeneration, tc.want)
			stored, err := f.st.GetPool(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantTrigger(t, "stored after CreatePoolWith", stored.PreTokenGeneration, tc.want)
			up, err := f.svc.UpdatePool(ctx, f.pool, tc.spec)
			if err != nil {
				t.Fatalf("UpdatePool: %v", err)
			}
			wantTrigger(t, "UpdatePool", up.PreTokenGeneration, tc.want)
			if stored, _ = f.st.GetPool(ctx, f.pool.ID); stored != nil {
				wantTrigger(t, "stored after UpdatePool", stored.PreTokenGeneration, tc.want)
			}
		})
	}
}

// TestUpdatePoolResets: UpdateUserPool resets what it is not given, the
// trigger included ("If you don't provide a value for an attribute, Amazon
// Cognito sets it to its default value",
// https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-updating.html);
// a declared pool is read-only.
func TestUpdatePoolResets(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	v3 := &tollgate.LambdaTrigger{LambdaARN: tokenFnARN, LambdaVersion: tollgate.LambdaVersionV3}
	p, err := f.svc.UpdatePool(ctx, f.pool, domain.PoolSpec{PreTokenGeneration: v3})
	if err != nil {
		t.Fatal(err)
	}
	p, err = f.svc.UpdatePool(ctx, p, domain.PoolSpec{})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := f.st.GetPool(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantTrigger(t, "after an update without one", stored.PreTokenGeneration, nil)
	if stored.Name != f.pool.Name || stored.ConfigKey != "" {
		t.Errorf("UpdatePool changed the name or owner: %+v", stored)
	}

	declared := *stored
	declared.ConfigKey = "config:orders/Pool"
	if err := f.st.UpdatePool(ctx, &declared, tollgate.AnyOwner); err != nil {
		t.Fatal(err)
	}
	var ro *domain.ReadOnlyError
	_, err = f.svc.UpdatePool(ctx, &declared, domain.PoolSpec{PreTokenGeneration: v3})
	wantCause(t, "UpdatePool of a declared pool", err, tollgate.KindReadOnly, &ro)
}

func wantTrigger(t *testing.T, what string, got, want *tollgate.LambdaTrigger) {
	t.Helper()
	if (got == nil) != (want == nil) || got != nil && *got != *want {
		t.Errorf("%s: trigger %+v, want %+v", what, got, want)
	}
}
