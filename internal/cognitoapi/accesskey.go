package cognitoapi

import (
	"context"
	"fmt"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/sigv4"
	"github.com/tollgate/tollgate/internal/vault"
)

// NewAccessKey makes an access key and returns it with its secret, which
// exists in clear only here: the key holds it sealed under the master key,
// bound to the key id. Store the key; show the secret once.
func NewAccessKey(v *vault.Vault, description string, now time.Time) (*tollgate.AccessKey, string) {
	id, secret := tollgate.NewAccessKeyID(), tollgate.NewSecretAccessKey()
	return &tollgate.AccessKey{
		ID:          id,
		Description: description,
		Sealed:      v.Seal([]byte(secret), []byte(id)),
		CreatedAt:   now.UTC().Truncate(time.Microsecond),
	}, secret
}

// Secrets returns the SigV4 secret lookup over the store's access keys.
// It reads the store on every call, so a deleted key stops working at once.
func Secrets(st tollgate.Store, v *vault.Vault) sigv4.SecretFunc {
	return func(ctx context.Context, id string) (string, error) {
		if !tollgate.AccessKeyIDPattern.MatchString(id) {
			return "", sigv4.ErrUnknownKey
		}
		k, err := st.GetAccessKey(ctx, id)
		if tollgate.IsNotFound(err) {
			return "", sigv4.ErrUnknownKey
		}
		if err != nil {
			return "", err
		}
		secret, err := v.Open(k.Sealed, []byte(k.ID))
		if err != nil {
			return "", fmt.Errorf("open access key %s: %w (is this the master key the store was created with?)", k.ID, err)
		}
		return string(secret), nil
	}
}

// FirstAccessKey returns the oldest access key with its secret, creating
// one (described as description) when the store has none. It is for dev,
// which prints a working key on every start, as it prints the seed
// client's secret: both are opened with the master key it holds.
func FirstAccessKey(ctx context.Context, st tollgate.Store, v *vault.Vault, description string, now time.Time) (id, secret string, err error) {
	keys, err := st.ListAccessKeys(ctx)
	if err != nil {
		return "", "", err
	}
	if len(keys) == 0 {
		k, secret := NewAccessKey(v, description, now)
		if err := st.CreateAccessKey(ctx, k); err != nil {
			return "", "", err
		}
		return k.ID, secret, nil
	}
	secret, err = Secrets(st, v)(ctx, keys[0].ID)
	return keys[0].ID, secret, err
}
