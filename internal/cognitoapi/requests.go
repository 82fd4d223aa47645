package cognitoapi

import (
	"context"

	"github.com/tollgate/tollgate"
)

// readRequest decodes a request's JSON into req, then validates it: check
// reports every member that breaks its shape, and the answer lists them all,
// as Cognito's does.
func readRequest(in []byte, req any, check func(v *validation)) error {
	if err := decode(in, req); err != nil {
		return err
	}
	var v validation
	check(&v)
	return v.err()
}

// poolRef is the member of a request that names a user pool.
type poolRef struct {
	UserPoolID *string `json:"UserPoolId"`
}

func (r *poolRef) check(v *validation) {
	v.required("userPoolId", r.UserPoolID, userPoolIDType)
}

// clientRef is the members of a request that name a pool's app client.
type clientRef struct {
	poolRef
	ClientID *string `json:"ClientId"`
}

func (r *clientRef) check(v *validation) {
	r.poolRef.check(v)
	v.required("clientId", r.ClientID, clientIDType)
}

// resourceServerRef is the members of a request that name a pool's
// resource server.
type resourceServerRef struct {
	poolRef
	Identifier *string
}

func (r *resourceServerRef) check(v *validation) {
	r.poolRef.check(v)
	v.required("identifier", r.Identifier, resourceServerIdentifierType)
}

// readPool reads a request that names only a pool and returns the pool.
func (h *Handler) readPool(ctx context.Context, region string, in []byte) (*tollgate.UserPool, error) {
	var req poolRef
	if err := readRequest(in, &req, req.check); err != nil {
		return nil, err
	}
	return h.getPool(ctx, region, *req.UserPoolID)
}

// readClient reads req, whose ref names a client, validating ref's members
// and then those more checks, and returns the client.
func (h *Handler) readClient(ctx context.Context, region string, in []byte, req any, ref *clientRef, more func(v *validation)) (*tollgate.Client, error) {
	err := readRequest(in, req, func(v *validation) {
		ref.check(v)
		if more != nil {
			more(v)
		}
	})
	if err != nil {
		return nil, err
	}
	return h.getClient(ctx, region, *ref.UserPoolID, *ref.ClientID)
}

// readClientRef reads a request that names only a client and returns it.
func (h *Handler) readClientRef(ctx context.Context, region string, in []byte) (*tollgate.Client, error) {
	var req clientRef
	return h.readClient(ctx, region, in, &req, &req, nil)
}

// readResourceServer reads a request that names only a resource server
// and returns it.
func (h *Handler) readResourceServer(ctx context.Context, region string, in []byte) (*tollgate.ResourceServer, error) {
	var req resourceServerRef
	if err := readRequest(in, &req, req.check); err != nil {
		return nil, err
	}
	return h.getResourceServer(ctx, region, *req.UserPoolID, *req.Identifier)
}

// deleted answers a delete: err when it failed, else the empty answer,
// once OnChange has been told.
func (h *Handler) deleted(ctx context.Context, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	h.changed(ctx)
	return struct{}{}, nil
}

// pageViews cuts the page that maxResults and nextToken ask for out of
// all (limit items when maxResults is absent) and renders its items.
func pageViews[T, V any](all []T, maxResults *int, nextToken *string, limit int, view func(T) V) ([]V, *string, error) {
	from, to, next, err := page(len(all), maxResults, nextToken, limit)
	if err != nil {
		return nil, nil, err
	}
	views := make([]V, 0, to-from)
	for _, it := range all[from:to] {
		views = append(views, view(it))
	}
	return views, next, nil
}
