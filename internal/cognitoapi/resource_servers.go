package cognitoapi

import (
	"context"
	"errors"
	"fmt"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

type scopeJSON struct {
	ScopeName        *string
	ScopeDescription *string
}

type resourceServer struct {
	UserPoolID string      `json:"UserPoolId"`
	Identifier string      `json:"Identifier"`
	Name       string      `json:"Name"`
	Scopes     []scopeView `json:"Scopes"`
}

type scopeView struct {
	ScopeName        string `json:"ScopeName"`
	ScopeDescription string `json:"ScopeDescription"`
}

func resourceServerView(rs *tollgate.ResourceServer) resourceServer {
	v := resourceServer{UserPoolID: rs.PoolID, Identifier: rs.Identifier, Name: rs.Name, Scopes: []scopeView{}}
	for _, s := range rs.Scopes {
		v.Scopes = append(v.Scopes, scopeView{s.Name, s.Description})
	}
	return v
}

// resourceServerInput is the input of Create and UpdateResourceServer.
type resourceServerInput struct {
	UserPoolID *string `json:"UserPoolId"`
	Identifier *string
	Name       *string
	Scopes     []scopeJSON
}

// check validates the input and returns its scopes: first its shape, all
// of it, then what the shape cannot say (duplicate scope names).
func (req *resourceServerInput) check() ([]tollgate.Scope, error) {
	var v validation
	v.required("userPoolId", req.UserPoolID, userPoolIDType)
	v.required("identifier", req.Identifier, resourceServerIdentifierType)
	v.required("name", req.Name, resourceServerNameType)
	if len(req.Scopes) > tollgate.MaxScopesPerServer {
		// A list of structures; how AWS shows it is not recorded, so
		// Tollgate shows its length.
		v.add(number(len(req.Scopes)), "scopes", fmt.Sprintf("Member must have length less than or equal to %d", tollgate.MaxScopesPerServer))
	}
	for i, s := range req.Scopes {
		member := fmt.Sprintf("scopes.%d.member", i+1)
		v.required(member+".scopeName", s.ScopeName, resourceServerScopeNameType)
		v.required(member+".scopeDescription", s.ScopeDescription, resourceServerScopeDescriptionType)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	scopes := []tollgate.Scope{}
	for _, s := range req.Scopes {
		scopes = append(scopes, tollgate.Scope{Name: *s.ScopeName, Description: *s.ScopeDescription})
	}
	var dup *domain.DuplicateScopeError
	if err := domain.CheckScopes(scopes); errors.As(err, &dup) {
		return nil, invalid("Duplicate scope names are not allowed: %s.", printable(dup.Name))
	} else if err != nil {
		return nil, err
	}
	return scopes, nil
}

// readResourceServerInput reads and checks the input of Create and
// UpdateResourceServer, and returns it with its scopes.
func readResourceServerInput(in []byte) (*resourceServerInput, []tollgate.Scope, error) {
	var req resourceServerInput
	if err := decode(in, &req); err != nil {
		return nil, nil, err
	}
	scopes, err := req.check()
	if err != nil {
		return nil, nil, err
	}
	return &req, scopes, nil
}

func (h *Handler) createResourceServer(ctx context.Context, region string, in []byte) (any, error) {
	req, scopes, err := readResourceServerInput(in)
	if err != nil {
		return nil, err
	}
	p, err := h.getPool(ctx, region, *req.UserPoolID)
	if err != nil {
		return nil, err
	}
	rs, err := h.svc.CreateResourceServer(ctx, p.ID, domain.ResourceServerSpec{Identifier: *req.Identifier, Name: *req.Name, Scopes: scopes})
	switch {
	case errors.Is(err, domain.ErrResourceServerExists):
		return nil, invalid("%s already exists in user pool %s.", printable(*req.Identifier), held(p.ID))
	case tollgate.IsLimit(err):
		return nil, limitExceeded("User pool %s already has the maximum number of resource servers (%d).", held(p.ID), tollgate.MaxResourceServersPerPool)
	case err != nil:
		return nil, err
	}
	h.changed(ctx)
	return map[string]any{"ResourceServer": resourceServerView(rs)}, nil
}

// getResourceServer returns the resource server or Cognito's not found.
func (h *Handler) getResourceServer(ctx context.Context, region, poolID, identifier string) (*tollgate.ResourceServer, error) {
	if _, err := h.getPool(ctx, region, poolID); err != nil {
		return nil, err
	}
	rs, err := h.opts.Store.GetResourceServer(ctx, poolID, identifier)
	if tollgate.IsNotFound(err) {
		return nil, notFound("Resource server %s does not exist in user pool %s.", printable(identifier), held(poolID))
	}
	return rs, err
}

func (h *Handler) describeResourceServer(ctx context.Context, region string, in []byte) (any, error) {
	rs, err := h.readResourceServer(ctx, region, in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ResourceServer": resourceServerView(rs)}, nil
}

func (h *Handler) listResourceServers(ctx context.Context, region string, in []byte) (any, error) {
	p, req, err := h.poolListRequest(ctx, region, in, listResourceServersLimitType, paginationKeyType)
	if err != nil {
		return nil, err
	}
	all, err := h.opts.Store.ListResourceServers(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	views, next, err := pageViews(all, req.MaxResults, req.NextToken, 50, resourceServerView)
	if err != nil {
		return nil, err
	}
	return struct {
		ResourceServers []resourceServer `json:"ResourceServers"`
		NextToken       *string          `json:"NextToken,omitempty"`
	}{views, next}, nil
}

// updateResourceServer replaces the resource server's name and scopes, as
// Cognito does: omitted scopes are removed.
func (h *Handler) updateResourceServer(ctx context.Context, region string, in []byte) (any, error) {
	req, scopes, err := readResourceServerInput(in)
	if err != nil {
		return nil, err
	}
	cur, err := h.getResourceServer(ctx, region, *req.UserPoolID, *req.Identifier)
	if err != nil {
		return nil, err
	}
	next, err := h.svc.UpdateResourceServer(ctx, cur, domain.ResourceServerSpec{Name: *req.Name, Scopes: scopes})
	if err != nil {
		return nil, err
	}
	h.changed(ctx)
	return map[string]any{"ResourceServer": resourceServerView(next)}, nil
}

func (h *Handler) deleteResourceServer(ctx context.Context, region string, in []byte) (any, error) {
	rs, err := h.readResourceServer(ctx, region, in)
	if err != nil {
		return nil, err
	}
	return h.deleted(ctx, h.svc.DeleteResourceServer(ctx, rs))
}
