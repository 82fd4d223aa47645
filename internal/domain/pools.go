package domain

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/config"
)

// ErrBadRegion is the cause of a refusal to create a pool in a region whose
// name is not shaped like AWS's.
var ErrBadRegion = errors.New("not a region name")

// ErrPoolHasDomain is the cause of a refusal to delete a pool that still
// has a domain: as Cognito, the domain must be deleted first. It is the
// store's (tollgate.ErrPoolHasDomain), which decides it again as it
// deletes.
var ErrPoolHasDomain = tollgate.ErrPoolHasDomain

// CreatePool creates a pool made by hand, with a fresh id in the region
// and no trigger. Pool names are unique.
func (s *Service) CreatePool(ctx context.Context, name, region string) (*tollgate.UserPool, error) {
	return s.CreatePoolWith(ctx, name, region, PoolSpec{})
}

// CreatePoolWith creates a pool made by hand, with a fresh id in the region
// and the settings of spec (CreateUserPool's). Pool names are unique.
func (s *Service) CreatePoolWith(ctx context.Context, name, region string, spec PoolSpec) (p *tollgate.UserPool, err error) {
	defer func() {
		ev := audit.Event{Action: ActionPoolCreate}
		if p != nil {
			ev.PoolID, ev.Name = p.ID, p.Name
		}
		s.record(ctx, ev, err)
	}()
	if !tollgate.RegionPattern.MatchString(region) {
		return nil, refused(tollgate.KindInvalid, ErrBadRegion, "%q is not a region name like us-east-1", region)
	}
	trigger, err := spec.trigger()
	if err != nil {
		return nil, err
	}
	pools, err := s.st.ListPools(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range pools {
		if p.Name == name {
			return nil, nameTaken(&NameTakenError{Object: tollgate.ObjectPool, Name: name, TakenBy: p.ID})
		}
	}
	now := s.clock()
	p = &tollgate.UserPool{ID: tollgate.NewPoolID(region), Name: name, Region: region, PreTokenGeneration: trigger, CreatedAt: now, UpdatedAt: now}
	if spec.OAuth != nil {
		if err := checkPoolOAuth(*spec.OAuth); err != nil {
			return nil, err
		}
		p.OAuth = *spec.OAuth
	}
	if err := s.st.CreatePool(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// UpdatePool replaces the settings of a pool made by hand with spec, as
// Cognito's UpdateUserPool does: a setting spec leaves out is reset to its
// default (no trigger), except the extensions beyond Cognito, which a nil
// spec.OAuth keeps. Name, region and id never change.
func (s *Service) UpdatePool(ctx context.Context, cur *tollgate.UserPool, spec PoolSpec) (p *tollgate.UserPool, err error) {
	defer func() {
		s.record(ctx, audit.Event{Action: ActionPoolUpdate, Target: audit.Target{PoolID: cur.ID}}, err)
	}()
	if err := CheckWritable(tollgate.ObjectPool, cur.ID, cur.ConfigKey); err != nil {
		return nil, err
	}
	trigger, err := spec.trigger()
	if err != nil {
		return nil, err
	}
	up := *cur
	up.PreTokenGeneration, up.UpdatedAt = trigger, s.clock()
	if spec.OAuth != nil {
		if err := checkPoolOAuth(*spec.OAuth); err != nil {
			return nil, err
		}
		up.OAuth = *spec.OAuth
	}
	// The write is conditional on the owner read in cur: a config that
	// adopted the pool since is not overridden.
	if err := writeOwned(tollgate.ObjectPool, cur.ID, cur.ConfigKey, func(o tollgate.Owner) error { return s.st.UpdatePool(ctx, &up, o) }); err != nil {
		return nil, err
	}
	return &up, nil
}

// DeletePool deletes a pool made by hand with everything it owns, once its
// domains are deleted.
func (s *Service) DeletePool(ctx context.Context, p *tollgate.UserPool) (err error) {
	defer func() {
		s.record(ctx, audit.Event{Action: ActionPoolDelete, Target: audit.Target{PoolID: p.ID, Name: p.Name}}, err)
	}()
	if err := CheckWritable(tollgate.ObjectPool, p.ID, p.ConfigKey); err != nil {
		return err
	}
	domains, err := s.st.ListDomains(ctx, p.ID)
	if err != nil {
		return err
	}
	if len(domains) > 0 {
		return refused(tollgate.KindInvalid, ErrPoolHasDomain, "pool %s has a domain (%s): delete it first", p.ID, domains[0].Domain)
	}
	return writeOwned(tollgate.ObjectPool, p.ID, p.ConfigKey, func(o tollgate.Owner) error { return s.st.DeletePool(ctx, p.ID, o) })
}

// PoolSpec is what a writer asks of a pool beyond its name and region: the
// settings of CreateUserPool and UpdateUserPool that Tollgate keeps.
type PoolSpec struct {
	// PreTokenGeneration is LambdaConfig.PreTokenGenerationConfig: the pre
	// token generation trigger, or nil.
	PreTokenGeneration *tollgate.LambdaTrigger
	// LegacyPreTokenGeneration is LambdaConfig.PreTokenGeneration, the
	// older way to name the trigger's function: alone it makes a V1_0
	// trigger; with PreTokenGeneration it must be its LambdaARN.
	LegacyPreTokenGeneration string
	// OAuth are the pool's extensions beyond Cognito. Nil: a new pool is a
	// Cognito pool, an update keeps the pool's (Cognito's UpdateUserPool
	// knows nothing of them).
	OAuth *tollgate.PoolOAuth
}

// Trigger rules, from Cognito's API reference
// (API_PreTokenGenerationVersionConfigType.html: LambdaArn 20 to 2048
// characters and an ARN; LambdaVersion V1_0, V2_0 or V3_0, both required).
const (
	minTriggerARN = 20
	maxTriggerARN = 2048
)

// LambdaVersions are the pre token generation event versions a trigger may
// name, as Cognito lists them: the config's list, so that a config file
// and the API accept the same.
var LambdaVersions = config.LambdaVersions

// ErrBadTrigger is the cause of a refusal of a pool's trigger: its message
// says which rule.
var ErrBadTrigger = errors.New("invalid Lambda trigger")

// trigger returns the pool's pre token generation trigger that spec asks
// for, or nil, under the rules of CheckTrigger.
func (spec PoolSpec) trigger() (*tollgate.LambdaTrigger, error) {
	t := spec.PreTokenGeneration
	legacy := spec.LegacyPreTokenGeneration
	switch {
	case t == nil && legacy == "":
		return nil, nil
	case t == nil:
		// The legacy member alone is a V1_0 trigger: what Cognito shows
		// for it (PreTokenGenerationConfig with V1_0 beside
		// PreTokenGeneration, aws-cli's list-user-pools example).
		t = &tollgate.LambdaTrigger{LambdaARN: legacy, LambdaVersion: tollgate.LambdaVersionV1}
	case legacy != "" && legacy != t.LambdaARN:
		// "This parameter and the PreTokenGeneration property of
		// LambdaConfig have the same value" (the API reference).
		return nil, refused(tollgate.KindInvalid, ErrBadTrigger,
			"LambdaConfig.PreTokenGeneration and LambdaConfig.PreTokenGenerationConfig.LambdaArn must be the same function ARN when both are set")
	}
	if err := CheckTrigger(t); err != nil {
		return nil, err
	}
	return &tollgate.LambdaTrigger{LambdaARN: t.LambdaARN, LambdaVersion: t.LambdaVersion}, nil
}

// CheckTrigger states the rules on a pool's pre token generation trigger:
// its LambdaVersion is one of LambdaVersions, and its LambdaARN, 20 to
// 2048 characters, is a Lambda function's ARN (unqualified, or with a
// version or alias), whose function name is what Tollgate runs. Only V3_0
// is invoked for client_credentials tokens, as on Cognito; V1_0 and V2_0
// are kept and shown, and never invoked.
func CheckTrigger(t *tollgate.LambdaTrigger) error {
	if !slices.Contains(LambdaVersions, t.LambdaVersion) {
		return refused(tollgate.KindInvalid, ErrBadTrigger,
			"the pre token generation trigger's LambdaVersion %q is not one of %s", t.LambdaVersion, strings.Join(LambdaVersions, ", "))
	}
	if n := len(t.LambdaARN); n < minTriggerARN || n > maxTriggerARN {
		return refused(tollgate.KindInvalid, ErrBadTrigger,
			"the pre token generation trigger's LambdaArn must be %d to %d characters long", minTriggerARN, maxTriggerARN)
	}
	if _, ok := tollgate.FunctionNameFromARN(t.LambdaARN); !ok {
		return refused(tollgate.KindInvalid, ErrBadTrigger,
			"%q is not a Lambda function ARN (arn:aws:lambda:{region}:{account}:function:{name}): a pre token generation trigger is a Lambda function", t.LambdaARN)
	}
	return nil
}
