package domain

import (
	"context"
	"errors"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
)

// ErrBadRegion is the cause of a refusal to create a pool in a region whose
// name is not shaped like AWS's.
var ErrBadRegion = errors.New("not a region name")

// ErrPoolHasDomain is the cause of a refusal to delete a pool that still
// has a domain: as Cognito, the domain must be deleted first. It is the
// store's (tollgate.ErrPoolHasDomain), which decides it again as it
// deletes.
var ErrPoolHasDomain = tollgate.ErrPoolHasDomain

// CreatePool creates a pool made by hand, with a fresh id in the region.
// Pool names are unique.
func (s *Service) CreatePool(ctx context.Context, name, region string) (p *tollgate.UserPool, err error) {
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
	p = &tollgate.UserPool{ID: tollgate.NewPoolID(region), Name: name, Region: region, CreatedAt: now, UpdatedAt: now}
	if err := s.st.CreatePool(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
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
