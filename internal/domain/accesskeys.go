package domain

import (
	"context"
	"fmt"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
)

// CreateAccessKey mints a management API access key: a fresh id and
// secret, the secret sealed to the id (SigV4 needs the secret itself, so it
// is sealed, not hashed). It returns the stored key and the secret, which
// exists in the clear only here: show it once.
func (s *Service) CreateAccessKey(ctx context.Context, description string) (k *tollgate.AccessKey, _ string, err error) {
	defer func() {
		ev := audit.Event{Action: ActionAccessKeyCreate}
		if err == nil {
			ev.AccessKeyID = k.ID
		}
		s.record(ctx, ev, err)
	}()
	id, secret := tollgate.NewAccessKeyID(), tollgate.NewSecretAccessKey()
	k = &tollgate.AccessKey{
		ID:          id,
		Description: description,
		Sealed:      s.vault.Seal([]byte(secret), []byte(id)),
		CreatedAt:   s.clock().Truncate(time.Microsecond),
	}
	if err := s.st.CreateAccessKey(ctx, k); err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

// DeleteAccessKey deletes an access key: calls signed with it are refused
// at once.
func (s *Service) DeleteAccessKey(ctx context.Context, id string) error {
	err := s.st.DeleteAccessKey(ctx, id)
	ev := audit.Event{Action: ActionAccessKeyDelete}
	if err == nil { // else it may be anything a caller pasted
		ev.AccessKeyID = id
	}
	s.record(ctx, ev, err)
	return err
}

// AccessKeySecret returns the secret of the access key id, opened with the
// master key; KindNotFound for a key the store does not have. It reads the
// store on every call, so a deleted key stops working at once.
func (s *Service) AccessKeySecret(ctx context.Context, id string) (string, error) {
	k, err := s.st.GetAccessKey(ctx, id)
	if err != nil {
		return "", err
	}
	secret, err := s.vault.Open(k.Sealed, []byte(k.ID))
	if err != nil {
		return "", fmt.Errorf("open access key %s: %w (is this the master key the store was created with?)", k.ID, err)
	}
	return string(secret), nil
}

// FirstAccessKey returns the oldest access key with its secret, minting one
// (described as description) when the store has none. It is for dev, which
// prints a working key on every start, as it prints the seed client's
// secret: both are opened with the master key it holds.
func (s *Service) FirstAccessKey(ctx context.Context, description string) (id, secret string, err error) {
	keys, err := s.st.ListAccessKeys(ctx)
	if err != nil {
		return "", "", err
	}
	if len(keys) == 0 {
		k, secret, err := s.CreateAccessKey(ctx, description)
		if err != nil {
			return "", "", err
		}
		return k.ID, secret, nil
	}
	secret, err = s.AccessKeySecret(ctx, keys[0].ID)
	return keys[0].ID, secret, err
}
