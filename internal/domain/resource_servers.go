package domain

import (
	"context"
	"errors"
	"regexp"
	"strconv"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
)

// Errors that refuse a resource server, as causes of a *tollgate.Error.
var (
	// ErrResourceServerExists: creating a resource server whose
	// identifier the pool has already.
	ErrResourceServerExists = errors.New("resource server exists")
	// ErrTooManyServerScopes: more than MaxScopesPerServer scopes.
	ErrTooManyServerScopes = errors.New("too many scopes")
	// ErrBadIdentifier: an identifier that is not Cognito's shape.
	ErrBadIdentifier = errors.New("malformed resource server identifier")
	// ErrBadScopeName: a scope name that is not Cognito's shape.
	ErrBadScopeName = errors.New("malformed scope name")
)

// A resource server's identifier and scope names make the scope strings
// ("{identifier}/{scope name}") that clients are allowed and tokens carry,
// space-separated (RFC 6749 §3.3), so they are held to Cognito's shapes
// (ResourceServerIdentifierType, ResourceServerScopeNameType in the
// CreateResourceServer API reference): printable ASCII but space, '"' and
// '\', and no '/' in a scope name.
var (
	identifierPattern = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]{1,256}$`)
	scopeNamePattern  = regexp.MustCompile(`^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$`)
)

// ResourceServerSpec is what a writer asks of a resource server.
type ResourceServerSpec struct {
	Identifier string
	Name       string
	Scopes     []tollgate.Scope
}

// DuplicateScopeError is the cause of a refusal of a resource server that
// defines a scope name twice.
type DuplicateScopeError struct{ Name string }

func (e *DuplicateScopeError) Error() string {
	return "scope " + strconv.Quote(e.Name) + " is defined twice"
}

// CheckIdentifier states the rule on a resource server's identifier.
func CheckIdentifier(identifier string) error {
	if !identifierPattern.MatchString(identifier) {
		return refused(tollgate.KindInvalid, ErrBadIdentifier, "invalid identifier %q: want 1 to 256 printable ASCII characters other than space, '\"' and '\\'", identifier)
	}
	return nil
}

// CheckScopes states the rules on a resource server's scopes: at most
// MaxScopesPerServer, each name once and of Cognito's shape. CreateResourceServer and
// UpdateResourceServer check them; a translator calls it early where its
// wire answers this refusal before others.
func CheckScopes(scopes []tollgate.Scope) error {
	if len(scopes) > tollgate.MaxScopesPerServer {
		return refused(tollgate.KindInvalid, ErrTooManyServerScopes, "a resource server has at most %d scopes, got %d", tollgate.MaxScopesPerServer, len(scopes))
	}
	seen := map[string]bool{}
	for _, sc := range scopes {
		if !scopeNamePattern.MatchString(sc.Name) {
			return refused(tollgate.KindInvalid, ErrBadScopeName, "invalid scope name %q: want 1 to 256 printable ASCII characters other than space, '\"', '/' and '\\'", sc.Name)
		}
		if seen[sc.Name] {
			e := &DuplicateScopeError{Name: sc.Name}
			return refused(tollgate.KindInvalid, e, "%s", e.Error())
		}
		seen[sc.Name] = true
	}
	return nil
}

// CreateResourceServer creates a resource server in the pool. The store
// enforces MaxResourceServersPerPool in the transaction that writes.
func (s *Service) CreateResourceServer(ctx context.Context, poolID string, spec ResourceServerSpec) (rs *tollgate.ResourceServer, err error) {
	defer func() {
		ev := audit.Event{Action: ActionResourceServerCreate, Target: audit.Target{PoolID: poolID}}
		if err == nil {
			ev.ResourceServer, ev.Name = rs.Identifier, rs.Name
		}
		s.record(ctx, ev, err)
	}()
	if err := CheckIdentifier(spec.Identifier); err != nil {
		return nil, err
	}
	if err := CheckScopes(spec.Scopes); err != nil {
		return nil, err
	}
	existing, err := s.st.ListResourceServers(ctx, poolID)
	if err != nil {
		return nil, err
	}
	exists := refused(tollgate.KindConflict, ErrResourceServerExists, "resource server %q already exists in pool %s", spec.Identifier, poolID)
	for _, o := range existing {
		if o.Identifier == spec.Identifier {
			return nil, exists
		}
	}
	if len(existing) >= tollgate.MaxResourceServersPerPool {
		return nil, tollgate.LimitErrorf("pool %q already has %d resource servers, the most a pool may have", poolID, len(existing))
	}
	now := s.clock()
	rs = &tollgate.ResourceServer{PoolID: poolID, Identifier: spec.Identifier, Name: spec.Name, Scopes: spec.Scopes, CreatedAt: now, UpdatedAt: now}
	// The store refuses, in the transaction that inserts, an identifier
	// another writer created meanwhile, and the quota.
	if err := s.st.CreateResourceServer(ctx, rs); err != nil {
		if tollgate.KindOf(err) == tollgate.KindConflict && !tollgate.IsLimit(err) {
			return nil, exists
		}
		return nil, err
	}
	return rs, nil
}

// UpdateResourceServer replaces a resource server's name and scopes:
// scopes left out are removed.
func (s *Service) UpdateResourceServer(ctx context.Context, cur *tollgate.ResourceServer, spec ResourceServerSpec) (_ *tollgate.ResourceServer, err error) {
	defer func() { s.record(ctx, audit.Event{Action: ActionResourceServerUpdate, Target: serverTarget(cur)}, err) }()
	if err := CheckWritable(tollgate.ObjectResourceServer, cur.Identifier, cur.ConfigKey); err != nil {
		return nil, err
	}
	if err := CheckScopes(spec.Scopes); err != nil {
		return nil, err
	}
	next := &tollgate.ResourceServer{PoolID: cur.PoolID, Identifier: cur.Identifier, Name: spec.Name, Scopes: spec.Scopes, CreatedAt: cur.CreatedAt, UpdatedAt: s.clock()}
	if err := writeOwned(tollgate.ObjectResourceServer, cur.Identifier, cur.ConfigKey, func(o tollgate.Owner) error { return s.st.UpdateResourceServer(ctx, next, o) }); err != nil {
		return nil, err
	}
	return next, nil
}

// DeleteResourceServer deletes a resource server made by hand.
func (s *Service) DeleteResourceServer(ctx context.Context, rs *tollgate.ResourceServer) (err error) {
	defer func() { s.record(ctx, audit.Event{Action: ActionResourceServerDelete, Target: serverTarget(rs)}, err) }()
	if err := CheckWritable(tollgate.ObjectResourceServer, rs.Identifier, rs.ConfigKey); err != nil {
		return err
	}
	return writeOwned(tollgate.ObjectResourceServer, rs.Identifier, rs.ConfigKey, func(o tollgate.Owner) error {
		return s.st.DeleteResourceServer(ctx, rs.PoolID, rs.Identifier, o)
	})
}
