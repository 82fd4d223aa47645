package cognitoapi

import (
	"context"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/sigv4"
	"github.com/tollgate/tollgate/internal/vault"
)

// Secrets returns the SigV4 secret lookup over the store's access keys
// (domain.Service.AccessKeySecret). It reads the store on every call, so a
// deleted key stops working at once.
func Secrets(st tollgate.Store, v *vault.Vault) sigv4.SecretFunc {
	svc := domain.New(st, v, nil)
	return func(ctx context.Context, id string) (string, error) {
		if !tollgate.AccessKeyIDPattern.MatchString(id) {
			return "", sigv4.ErrUnknownKey
		}
		secret, err := svc.AccessKeySecret(ctx, id)
		if tollgate.IsNotFound(err) {
			return "", sigv4.ErrUnknownKey
		}
		return secret, err
	}
}
