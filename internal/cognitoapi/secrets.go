package cognitoapi

import (
	"context"
	"errors"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

type secretDescriptor struct {
	ClientSecretID         string `json:"ClientSecretId"`
	ClientSecretCreateDate epoch  `json:"ClientSecretCreateDate"`
	ClientSecretValue      string `json:"ClientSecretValue,omitempty"`
}

// addUserPoolClientSecret adds a client's second secret, for rotation
// without downtime. Secrets are not config-declared values, so a client a
// config file declares may rotate them here too, as with the CLI.
func (h *Handler) addUserPoolClientSecret(ctx context.Context, region string, in []byte) (any, error) {
	var req struct {
		clientRef
		ClientSecret *string
	}
	c, err := h.readClient(ctx, region, in, &req, &req.clientRef, func(v *validation) {
		v.optional("clientSecret", req.ClientSecret, clientSecretType)
	})
	if err != nil {
		return nil, err
	}
	given := ""
	if req.ClientSecret != nil {
		given = *req.ClientSecret
	}
	cs, secret, err := h.svc.AddClientSecret(ctx, c, given)
	switch {
	case errors.Is(err, domain.ErrNoSecretToRotate):
		return nil, invalid("User pool client %s has no client secret; secrets can be added only to a client created with GenerateSecret.", held(c.ID))
	case tollgate.IsLimit(err):
		return nil, limitExceeded("User pool client %s already has the maximum number of client secrets (%d).", held(c.ID), tollgate.MaxClientSecrets)
	case err != nil:
		return nil, err
	}
	h.changed(ctx)
	d := secretDescriptor{ClientSecretID: cs.ID, ClientSecretCreateDate: epoch(cs.CreatedAt)}
	if req.ClientSecret == nil {
		d.ClientSecretValue = secret // as Cognito: a secret the caller chose is not echoed
	}
	return map[string]any{"ClientSecretDescriptor": d}, nil
}

func (h *Handler) listUserPoolClientSecrets(ctx context.Context, region string, in []byte) (any, error) {
	var req struct {
		clientRef
		NextToken *string
	}
	c, err := h.readClient(ctx, region, in, &req, &req.clientRef, func(v *validation) {
		v.optional("nextToken", req.NextToken, paginationKey)
	})
	if err != nil {
		return nil, err
	}
	out := []secretDescriptor{}
	for _, s := range c.Secrets {
		out = append(out, secretDescriptor{ClientSecretID: s.ID, ClientSecretCreateDate: epoch(s.CreatedAt)})
	}
	return map[string]any{"ClientSecrets": out}, nil
}

func (h *Handler) deleteUserPoolClientSecret(ctx context.Context, region string, in []byte) (any, error) {
	var req struct {
		clientRef
		ClientSecretID *string `json:"ClientSecretId"`
	}
	c, err := h.readClient(ctx, region, in, &req, &req.clientRef, func(v *validation) {
		v.required("clientSecretId", req.ClientSecretID, clientSecretIDType)
	})
	if err != nil {
		return nil, err
	}
	err = h.svc.DeleteClientSecret(ctx, c, *req.ClientSecretID)
	switch {
	case errors.Is(err, domain.ErrNoSuchSecret):
		return nil, notFound("Client secret %s does not exist for user pool client %s.", printable(*req.ClientSecretID), held(c.ID))
	case errors.Is(err, domain.ErrLastSecret):
		return nil, invalid("Client secret %s is the only secret of user pool client %s, which uses the client_credentials flow; add another secret first.", held(*req.ClientSecretID), held(c.ID))
	}
	return h.deleted(ctx, err)
}
