package signer

import (
	"context"
	"fmt"
	"time"

	"github.com/tollgate/tollgate"
)

// Rotate rotates the pool's keys under the store's key lock, so that
// processes sharing the store never rotate at once:
//
//   - the next key becomes active (ActivatedAt = now). It has been in the
//     JWKS since the previous rotation, so verifiers already have it;
//   - the active key is retired, with ExpiresAt = now + retireFor, and stays
//     in the JWKS until then;
//   - a new next key is generated;
//   - retired keys whose ExpiresAt has passed are deleted.
//
// retireFor must cover every token the retired key signed: pass the longest
// access-token validity among the pool's clients plus a margin for the
// clock skew that verifiers allow (a few minutes). Zero retires the key at
// once, which invalidates its tokens: the response to a leaked key.
//
// If the pool has no keys yet, Rotate creates them and then rotates. Rotate
// refuses to run (and changes nothing) when the next key does not open under
// the master key, so that a process started with the wrong master key
// cannot leave the pool with keys sealed under two different master keys.
// It returns the pool's keys after the rotation, oldest first, without
// their sealed private halves.
func (s *Signer) Rotate(ctx context.Context, poolID string, retireFor time.Duration) ([]tollgate.SigningKey, error) {
	if retireFor < 0 {
		return nil, tollgate.Errorf(tollgate.KindInvalid, "retirement period must not be negative, got %s", retireFor)
	}
	epoch := s.epoch.Load()

	// The new next key is generated before the lock is taken.
	fresh, err := s.generateN(poolID, 1)
	if err != nil {
		return nil, err
	}
	var (
		generated map[string]*privateKey // keys this call parsed or created
		activated string
	)
	keys, err := s.st.UpdateSigningKeys(ctx, poolID, func(current []tollgate.SigningKey) ([]tollgate.SigningKey, error) {
		generated = map[string]*privateKey{fresh[0].priv.kid: fresh[0].priv}
		now := s.now().UTC()
		if len(current) == 0 {
			// Rare enough to generate under the lock.
			first, err := s.generateN(poolID, 2)
			if err != nil {
				return nil, err
			}
			current = []tollgate.SigningKey{
				stamp(first[0].stored, tollgate.KeyActive, now),
				stamp(first[1].stored, tollgate.KeyNext, now),
			}
			generated[first[0].priv.kid] = first[0].priv
			generated[first[1].priv.kid] = first[1].priv
		}

		out := make([]tollgate.SigningKey, 0, len(current)+1)
		promote := -1 // index in out of the key that becomes active
		for _, k := range current {
			switch k.State {
			case tollgate.KeyActive:
				k.State = tollgate.KeyRetired
				k.ExpiresAt = now.Add(retireFor)
			case tollgate.KeyNext:
				if promote >= 0 {
					continue // only one next key may exist; a stray one never signed
				}
				promote = len(out)
			case tollgate.KeyRetired:
				if !k.ExpiresAt.After(now) {
					continue
				}
			default:
				return nil, fmt.Errorf("signer: signing key %s of pool %s has unknown state %q", k.KID, poolID, k.State)
			}
			out = append(out, k)
		}

		if promote >= 0 {
			if _, ok := generated[out[promote].KID]; !ok {
				// Prove that the master key opens the key that is to sign
				// before writing anything sealed under it.
				priv, err := s.open(out[promote])
				if err != nil {
					return nil, err
				}
				generated[priv.kid] = priv
			}
		} else {
			// No next key (the store was edited by hand): the new active
			// key is one no verifier has seen yet, which is the best we can do.
			k, priv, err := s.generate(poolID)
			if err != nil {
				return nil, err
			}
			generated[priv.kid] = priv
			promote = len(out)
			out = append(out, stamp(k, tollgate.KeyNext, now))
			s.log.Warn("pool had no next signing key; the new active key was not published before it signs", "pool", poolID, "kid", k.KID)
		}
		out[promote].State = tollgate.KeyActive
		out[promote].ActivatedAt = now
		activated = out[promote].KID
		return append(out, stamp(fresh[0].stored, tollgate.KeyNext, now)), nil
	})
	if err != nil {
		return nil, fmt.Errorf("signer: rotate the keys of pool %s: %w", poolID, err)
	}
	s.log.Info("rotated signing keys", "pool", poolID, "active", activated, "next", fresh[0].priv.kid, "retire_for", retireFor.String())

	// Take the new keys into this process's cache at once. Other processes
	// see them after their next Invalidate.
	p := s.cache(poolID)
	p.mu.Lock()
	defer p.mu.Unlock()
	for kid, k := range generated {
		p.private[kid] = k // build drops any that did not reach the store
	}
	if ks, err := s.build(poolID, p, keys, epoch); err == nil {
		p.cur.Store(ks)
	} else {
		p.cur.Store(nil) // the next use reloads and reports the error
	}
	return withoutSealed(keys), nil
}
