package domain

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/signer"
)

// errNextKeyTooNew is the cause of a refusal to rotate a pool's keys while
// its next key was published too recently for every verifier's cached JWKS
// to hold it.
var errNextKeyTooNew = errors.New("the next key was published too recently")

// Rotation says how RotateKeys rotates.
type Rotation struct {
	// Force rotates even when the next key was published less than
	// signer.PublishLead ago.
	Force bool
	// RetireNow drops the active key from the JWKS at once, invalidating
	// every token it signed (for a leaked key), rather than after
	// tollgate.KeyRetention.
	RetireNow bool
	// Logger receives the rotation's events (kids only).
	Logger *slog.Logger
}

// RotateKeys rotates the pool's signing keys (signer.Signer.Rotate): the
// published next key starts signing and the active key is retired. It
// returns the pool's keys after the rotation.
func (s *Service) RotateKeys(ctx context.Context, poolID string, r Rotation) (keys []tollgate.SigningKey, err error) {
	current, err := s.st.ListSigningKeys(ctx, poolID)
	if err != nil {
		return nil, err
	}
	defer func() { s.recordRotation(ctx, poolID, current, keys, err) }()
	now := s.now()
	for _, k := range current {
		if age := now.Sub(k.CreatedAt); k.State == tollgate.KeyNext && age < signer.PublishLead && !r.Force {
			return nil, refused(tollgate.KindConflict, errNextKeyTooNew,
				"the next key %s was published %s ago; verifiers may cache the JWKS for %s, so it may sign from %s on (--force to rotate anyway)",
				k.KID, age.Round(time.Second), signer.JWKSMaxAge, k.CreatedAt.Add(signer.PublishLead).Local().Format(time.TimeOnly))
		}
	}
	retireFor := tollgate.KeyRetention
	if r.RetireNow {
		retireFor = 0
	}
	return signer.New(s.st, s.vault, signer.Options{Now: s.now, Logger: r.Logger}).Rotate(ctx, poolID, retireFor)
}
