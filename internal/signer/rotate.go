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
	set, err := s.poolSettings(ctx, poolID)
	if err != nil {
		return nil, err
	}

	// The new next key is generated before the lock is taken.
	fresh, err := s.generateN(poolID, set.alg, 1)
	if err != nil {
		return nil, err
	}
	r := &rotation{s: s, poolID: poolID, alg: set.alg, retireFor: retireFor}
	keys, err := s.st.UpdateSigningKeys(ctx, poolID, func(current []tollgate.SigningKey) ([]tollgate.SigningKey, error) {
		r.now = s.now().UTC()
		r.generated = map[string]*privateKey{fresh[0].priv.kid: fresh[0].priv}
		return r.apply(current, fresh[0])
	})
	if err != nil {
		return nil, fmt.Errorf("signer: rotate the keys of pool %s: %w", poolID, err)
	}
	s.log.Info("rotated signing keys", "pool", poolID, "active", r.activated, "next", fresh[0].priv.kid, "retire_for", retireFor.String())
	s.adopt(poolID, r.generated, keys, set, epoch)
	return withoutSealed(keys), nil
}

// adopt takes the keys a rotation wrote into this process's cache at once,
// with the private halves it already holds. Other processes see them after
// their next Invalidate.
func (s *Signer) adopt(poolID string, generated map[string]*privateKey, keys []tollgate.SigningKey, set settings, epoch uint64) {
	p := s.cache(poolID)
	p.mu.Lock()
	defer p.mu.Unlock()
	for kid, k := range generated {
		p.private[kid] = k // build drops any that did not reach the store
	}
	if ks, err := s.build(poolID, p, keys, set, epoch); err == nil {
		p.cur.Store(ks)
	} else {
		p.cur.Store(nil) // the next use reloads and reports the error
	}
}

// rotation is one Rotate's change to a pool's key list, made under the
// store's key lock.
type rotation struct {
	s         *Signer
	poolID    string
	alg       string // the pool's signing algorithm: every key it creates has it
	retireFor time.Duration
	now       time.Time
	generated map[string]*privateKey // keys this rotation parsed or created
	activated string                 // the kid that became active
}

// apply returns the key list after the rotation: current's keys moved one
// state on, expired retired keys dropped, and fresh as the new next key.
func (r *rotation) apply(current []tollgate.SigningKey, fresh freshKey) ([]tollgate.SigningKey, error) {
	if len(current) == 0 {
		// Rare enough to generate under the lock.
		first, err := r.s.generateN(r.poolID, r.alg, 2)
		if err != nil {
			return nil, err
		}
		current = []tollgate.SigningKey{
			stamp(first[0].stored, tollgate.KeyActive, r.now),
			stamp(first[1].stored, tollgate.KeyNext, r.now),
		}
		r.generated[first[0].priv.kid] = first[0].priv
		r.generated[first[1].priv.kid] = first[1].priv
	}
	out, promote, err := r.advance(current)
	if err != nil {
		return nil, err
	}
	if promote >= 0 {
		err = r.openNext(out[promote])
	} else {
		out, promote, err = r.unpublishedNext(out)
	}
	if err != nil {
		return nil, err
	}
	out[promote].State = tollgate.KeyActive
	out[promote].ActivatedAt = r.now
	r.activated = out[promote].KID
	return append(out, stamp(fresh.stored, tollgate.KeyNext, r.now)), nil
}

// advance retires the active key and drops expired retired keys and any
// stray second next key. It returns the remaining keys and the index of
// the next key, which is to become active, or -1 if there is none.
func (r *rotation) advance(current []tollgate.SigningKey) ([]tollgate.SigningKey, int, error) {
	out := make([]tollgate.SigningKey, 0, len(current)+1)
	promote := -1
	for _, k := range current {
		switch k.State {
		case tollgate.KeyActive:
			k.State = tollgate.KeyRetired
			k.ExpiresAt = r.now.Add(r.retireFor)
		case tollgate.KeyNext:
			if promote >= 0 || k.Algorithm != r.alg {
				// Only one next key may exist, and it must be of the pool's
				// algorithm; a stray one never signed.
				continue
			}
			promote = len(out)
		case tollgate.KeyRetired:
			if !k.ExpiresAt.After(r.now) {
				continue
			}
		default:
			return nil, -1, fmt.Errorf("signer: signing key %s of pool %s has unknown state %q", k.KID, r.poolID, k.State)
		}
		out = append(out, k)
	}
	return out, promote, nil
}

// openNext proves that the master key opens the key that is to sign before
// anything sealed under it is written.
func (r *rotation) openNext(next tollgate.SigningKey) error {
	if _, ok := r.generated[next.KID]; ok {
		return nil
	}
	priv, err := r.s.open(next)
	if err != nil {
		return err
	}
	r.generated[priv.kid] = priv
	return nil
}

// unpublishedNext handles a pool with no next key (the store was edited by
// hand): the new active key is one no verifier has seen yet, which is the
// best that can be done. It appends that key and returns its index.
func (r *rotation) unpublishedNext(out []tollgate.SigningKey) ([]tollgate.SigningKey, int, error) {
	k, priv, err := r.s.generate(r.poolID, r.alg)
	if err != nil {
		return nil, -1, err
	}
	r.generated[priv.kid] = priv
	r.s.log.Warn("pool had no next signing key; the new active key was not published before it signs", "pool", r.poolID, "kid", k.KID)
	return append(out, stamp(k, tollgate.KeyNext, r.now)), len(out), nil
}
