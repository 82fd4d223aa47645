package domain

import (
	"context"
	"errors"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
)

// Errors that refuse a pool's domain, as causes of a *tollgate.Error.
var (
	// ErrBadPrefix: a prefix that is not one lower-case DNS label.
	ErrBadPrefix = errors.New("malformed domain prefix")
	// ErrDomainExists: the pool has this prefix domain already.
	ErrDomainExists = errors.New("the pool has the domain")
	// ErrPoolHasPrefix: the pool has another prefix domain (a pool has
	// one).
	ErrPoolHasPrefix = errors.New("the pool has a prefix domain")
	// ErrDomainTaken: another pool has the domain.
	ErrDomainTaken = errors.New("another pool has the domain")
)

// ReservedWordError is the cause of a refusal of a prefix that contains a
// word AWS reserves.
type ReservedWordError struct{ Word string }

func (e *ReservedWordError) Error() string { return "a domain prefix must not contain " + e.Word }

// CheckPrefix states the rules on a prefix domain (DomainPrefixPattern, no
// reserved word). CreateDomain checks them; a translator calls it early
// where its wire answers this refusal before others.
func CheckPrefix(prefix string) error {
	if !tollgate.DomainPrefixPattern.MatchString(prefix) {
		return refused(tollgate.KindInvalid, ErrBadPrefix, "invalid domain prefix %q: want 1 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen", prefix)
	}
	if w := tollgate.ReservedWordIn(prefix); w != "" {
		e := &ReservedWordError{Word: w}
		return refused(tollgate.KindInvalid, e, "invalid domain prefix %q: it must not contain %q", prefix, w)
	}
	return nil
}

// CreateDomain gives the pool a prefix domain, which no pool has: the
// pool's own prefix domain is checked first, then any other prefix domain
// of the pool, then the domains of other pools. The store decides both
// rules again in the transaction that inserts (Store.CreateDomain), against
// a writer that gives the pool a prefix domain or takes the domain
// meanwhile; its refusal is worded as the first check would have worded it.
func (s *Service) CreateDomain(ctx context.Context, poolID, prefix string) (d *tollgate.Domain, err error) {
	defer func() {
		ev := audit.Event{Action: ActionDomainCreate, Target: audit.Target{PoolID: poolID}}
		if err == nil {
			ev.Domain = d.Domain
		}
		s.record(ctx, ev, err)
	}()
	if err := CheckPrefix(prefix); err != nil {
		return nil, err
	}
	if err := s.checkPrefixDomains(ctx, poolID, prefix); err != nil {
		return nil, err
	}
	taken := refused(tollgate.KindConflict, ErrDomainTaken, "another pool has the domain %s", prefix)
	if _, err := s.st.GetDomain(ctx, prefix); err == nil {
		return nil, taken
	} else if !tollgate.IsNotFound(err) {
		return nil, err
	}
	d = &tollgate.Domain{Domain: prefix, PoolID: poolID, CreatedAt: s.clock()}
	if err := s.st.CreateDomain(ctx, d); err != nil {
		if tollgate.KindOf(err) != tollgate.KindConflict {
			return nil, err
		}
		if err := s.checkPrefixDomains(ctx, poolID, prefix); err != nil {
			return nil, err
		}
		return nil, taken
	}
	return d, nil
}

// checkPrefixDomains refuses a new prefix domain for a pool that has one:
// this one (ErrDomainExists) or another (ErrPoolHasPrefix).
func (s *Service) checkPrefixDomains(ctx context.Context, poolID, prefix string) error {
	domains, err := s.st.ListDomains(ctx, poolID)
	if err != nil {
		return err
	}
	for _, o := range domains {
		switch {
		case o.Custom:
		case o.Domain == prefix:
			return refused(tollgate.KindConflict, ErrDomainExists, "pool %s has the domain %s already", poolID, prefix)
		default:
			return refused(tollgate.KindConflict, ErrPoolHasPrefix, "pool %s has a prefix domain already (%s)", poolID, o.Domain)
		}
	}
	return nil
}

// DeleteDomain deletes a domain made by hand.
func (s *Service) DeleteDomain(ctx context.Context, d *tollgate.Domain) (err error) {
	defer func() {
		s.record(ctx, audit.Event{Action: ActionDomainDelete, Target: audit.Target{PoolID: d.PoolID, Domain: d.Domain}}, err)
	}()
	if err := CheckWritable(tollgate.ObjectDomain, d.Domain, d.ConfigKey); err != nil {
		return err
	}
	return writeOwned(tollgate.ObjectDomain, d.Domain, d.ConfigKey, func(o tollgate.Owner) error { return s.st.DeleteDomain(ctx, d.Domain, o) })
}
