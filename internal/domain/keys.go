package domain

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/signer"
)

// ErrNextKeyTooNew is the cause of a refusal to rotate a pool's keys while
// its next key was published too recently for every verifier's cached JWKS
// to hold it.
var ErrNextKeyTooNew = errors.New("the next key was published too recently")

// Rotation says how RotateKeys rotates.
type Rotation struct {
	// Force rotates even when the next key was published less than
	// signer.PublishLead ago. A verifier that fetched the JWKS before the
	// key was published refuses the tokens it signs until it fetches the
	// JWKS again (up to signer.JWKSMaxAge).
	Force bool
	// RetireNow drops the active key from the JWKS at once, invalidating
	// every token it signed (for a leaked key), rather than after
	// tollgate.KeyRetention. It does not imply Force.
	RetireNow bool
	// Logger receives the rotation's events (kids only).
	Logger *slog.Logger
}

// RotateKeys rotates the pool's signing keys (signer.Signer.Rotate): the
// published next key starts signing and the active key is retired, kept in
// the JWKS for tollgate.KeyRetention (none with RetireNow). Unless Force,
// it refuses while the next key is younger than signer.PublishLead, saying
// when rotation becomes possible. It returns the pool's keys after the
// rotation.
func (s *Service) RotateKeys(ctx context.Context, poolID string, r Rotation) (keys []tollgate.SigningKey, err error) {
	current, err := s.st.ListSigningKeys(ctx, poolID)
	if err != nil {
		return nil, err
	}
	defer func() { s.recordRotation(ctx, poolID, current, keys, err) }()
	now := s.now()
	for _, k := range current {
		if k.State != tollgate.KeyNext || r.Force {
			continue
		}
		if age := now.Sub(k.CreatedAt); age < signer.PublishLead {
			from := k.CreatedAt.Add(signer.PublishLead)
			return nil, refused(tollgate.KindConflict, ErrNextKeyTooNew,
				"the next key %s was published %s ago and verifiers may cache the JWKS for %s, so it may start signing from %s (in %s); "+
					"--force rotates now, and verifiers that fetched the JWKS before the key was published refuse its tokens until they fetch it again",
				k.KID, age.Truncate(time.Second), signer.JWKSMaxAge, from.UTC().Format(time.RFC3339), (from.Sub(now) + time.Second - 1).Truncate(time.Second))
		}
	}
	retireFor := tollgate.KeyRetention
	if r.RetireNow {
		retireFor = 0
	}
	return signer.New(s.st, s.vault, signer.Options{Now: s.now, Logger: r.Logger}).Rotate(ctx, poolID, retireFor)
}
