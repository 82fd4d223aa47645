package domain

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
)

// ObjectAPIKey names API keys in read-only refusals.
const ObjectAPIKey tollgate.Object = "API key"

// Causes of refused API key writes.
var (
	// ErrBadAPIKeyName: empty, or longer than MaxAPIKeyNameLength.
	ErrBadAPIKeyName = errors.New("malformed API key name")
	// ErrBadAPIKeyValue: not 20–128 printable ASCII characters.
	ErrBadAPIKeyValue = errors.New("malformed API key value")
	// ErrNoSuchUsagePlan: a plan the key was to be put in does not exist.
	ErrNoSuchUsagePlan = errors.New("no such usage plan")
	// ErrPlanStageTaken: two of the key's plans cover one API stage.
	ErrPlanStageTaken = errors.New("the key is in another usage plan of the API stage")
	// ErrAPIKeyValueTaken: another key has the value (hashed under any of
	// the vault's master keys).
	ErrAPIKeyValueTaken = errors.New("API key value taken")
	// ErrPlanAddAndRemove: one update both adds and removes a plan.
	ErrPlanAddAndRemove = errors.New("usage plan both added and removed")
)

// APIKeySpec is what CreateAPIKey makes.
type APIKeySpec struct {
	Name        string
	Description string
	CustomerID  string
	// Value is the key's value; empty generates one (40 alphanumerics).
	Value   string
	Enabled bool
	// PlanIDs are the usage plans to put the key in.
	PlanIDs []string
}

// CreateAPIKey makes an API key: checks the spec, keeps a keyed hash and a
// sealed copy of the value (never the value in clear), writes it and
// audits the write. It returns the stored key and the value, which exists
// in the clear only here: show it once.
func (s *Service) CreateAPIKey(ctx context.Context, spec APIKeySpec) (key *tollgate.APIKey, value string, err error) {
	defer func() {
		ev := audit.Event{Action: ActionAPIKeyCreate}
		if err == nil {
			ev.APIKeyID, ev.Name = key.ID, key.Name
		}
		s.record(ctx, ev, err)
	}()
	if spec.Name == "" || len(spec.Name) > tollgate.MaxAPIKeyNameLength {
		return nil, "", refused(tollgate.KindInvalid, ErrBadAPIKeyName, "an API key's name must be 1 to %d characters", tollgate.MaxAPIKeyNameLength)
	}
	value = spec.Value
	if value == "" {
		value = tollgate.NewAPIKeyValue()
	} else if !tollgate.APIKeyValuePattern.MatchString(value) {
		// The message never quotes the value: it is a credential.
		return nil, "", refused(tollgate.KindInvalid, ErrBadAPIKeyValue,
			"an API key's value must be %d to %d printable ASCII characters without spaces", tollgate.MinAPIKeyValueLength, tollgate.MaxAPIKeyValueLength)
	}
	if err := s.checkValueFree(ctx, value); err != nil {
		return nil, "", err
	}
	plans, err := s.checkPlans(ctx, spec.PlanIDs)
	if err != nil {
		return nil, "", err
	}
	now := s.clock().Truncate(time.Microsecond)
	key = &tollgate.APIKey{
		ID:          tollgate.NewAPIKeyID(),
		Name:        spec.Name,
		Description: spec.Description,
		CustomerID:  spec.CustomerID,
		Enabled:     spec.Enabled,
		PlanIDs:     plans,
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	key.Hash, key.Sealed = s.vault.ProtectAPIKey(key.ID, value)
	if err := s.st.CreateAPIKey(ctx, key); err != nil {
		return nil, "", err
	}
	return key, value, nil
}

// checkValueFree refuses a value another key has. The store's uniqueness
// of hashes catches a value hashed under the sealing master key only:
// during a master key rotation a key not yet resealed holds the hash
// under the other key, and a second key with its value would make the
// rotation unable to finish (two keys with one hash). So every hash of
// the value, under each of the vault's keys, is compared with every
// stored key's: the store has no read by hash, so this scans the keys
// (one read; API keys number in the thousands at most).
func (s *Service) checkValueFree(ctx context.Context, value string) error {
	hashes := s.vault.AppendAPIKeyHashes(nil, value)
	keys, err := s.st.ListAPIKeys(ctx)
	if err != nil {
		return err
	}
	for _, k := range keys {
		for _, h := range hashes {
			if hmac.Equal(h, k.Hash) {
				// Names the key holding it, never the value.
				return refused(tollgate.KindConflict, ErrAPIKeyValueTaken,
					"API key %s has this value: API key values are unique", k.ID)
			}
		}
	}
	return nil
}

// checkPlans returns the plan ids sorted and deduplicated, once it has
// checked that each exists and that no two cover one API stage (API
// Gateway keeps a key in at most one plan of a stage).
func (s *Service) checkPlans(ctx context.Context, ids []string) ([]string, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	type stage struct{ api, stage string }
	owner := map[stage]string{}
	for _, id := range ids {
		p, err := s.st.GetUsagePlan(ctx, id)
		if tollgate.IsNotFound(err) {
			// API Gateway's text for an unknown plan (contract §3, control plane).
			return nil, refused(tollgate.KindNotFound, ErrNoSuchUsagePlan, "Invalid Usage Plan ID specified")
		}
		if err != nil {
			return nil, err
		}
		for _, st := range p.Stages {
			k := stage{st.APIID, st.Stage}
			if other, ok := owner[k]; ok {
				return nil, refused(tollgate.KindConflict, ErrPlanStageTaken,
					"usage plans %s and %s both cover API %s stage %s: a key may be in only one", other, id, st.APIID, st.Stage)
			}
			owner[k] = id
		}
	}
	if ids == nil {
		ids = []string{}
	}
	return ids, nil
}

// APIKeyUpdate is what UpdateAPIKey changes: nil fields are kept.
type APIKeyUpdate struct {
	Name        *string
	Description *string
	// AddPlanIDs and RemovePlanIDs are usage plans to put the key in and
	// take it out of; a plan in both is refused.
	AddPlanIDs    []string
	RemovePlanIDs []string
}

// UpdateAPIKey changes an API key's name, description and usage plans
// (never its value), checking the plans as CreateAPIKey does: each added
// plan exists and the key ends in at most one plan of each API stage. A
// plan to remove that the key is not in is ignored, as is an added one it
// is in already. The write is audited.
//
// It is refused on a key a config declares (read-only, as DeleteAPIKey):
// the config declares the key's plans (a usage plan's apiKeys), and its
// next apply would undo the change. DisableAPIKey stays allowed on such
// keys, for incidents.
func (s *Service) UpdateAPIKey(ctx context.Context, id string, u APIKeyUpdate) (key *tollgate.APIKey, err error) {
	ev := audit.Event{Action: ActionAPIKeyUpdate}
	defer func() { s.record(ctx, ev, err) }()
	k, err := s.st.GetAPIKey(ctx, id)
	if err != nil {
		return nil, err
	}
	ev.APIKeyID, ev.ConfigKey, ev.Name = k.ID, k.ConfigKey, k.Name
	if err := CheckWritable(ObjectAPIKey, id, k.ConfigKey); err != nil {
		return nil, err
	}
	cp := *k
	if u.Name != nil {
		if *u.Name == "" || len(*u.Name) > tollgate.MaxAPIKeyNameLength {
			return nil, refused(tollgate.KindInvalid, ErrBadAPIKeyName, "an API key's name must be 1 to %d characters", tollgate.MaxAPIKeyNameLength)
		}
		cp.Name = *u.Name
	}
	if u.Description != nil {
		cp.Description = *u.Description
	}
	for _, p := range u.AddPlanIDs {
		if slices.Contains(u.RemovePlanIDs, p) {
			return nil, refused(tollgate.KindInvalid, ErrPlanAddAndRemove, "usage plan %s is both added and removed", p)
		}
	}
	plans := slices.Concat(k.PlanIDs, u.AddPlanIDs)
	plans = slices.DeleteFunc(plans, func(p string) bool { return slices.Contains(u.RemovePlanIDs, p) })
	if cp.PlanIDs, err = s.checkPlans(ctx, plans); err != nil {
		return nil, err
	}
	cp.UpdatedAt = s.clock().Truncate(time.Microsecond)
	if err := writeOwned(ObjectAPIKey, id, "", func(o tollgate.Owner) error { return s.st.UpdateAPIKey(ctx, &cp, o) }); err != nil {
		return nil, err
	}
	ev.Name = cp.Name
	return &cp, nil
}

// EnableAPIKey enables an API key.
func (s *Service) EnableAPIKey(ctx context.Context, id string) error {
	return s.setAPIKeyEnabled(ctx, id, ActionAPIKeyEnable)
}

// DisableAPIKey disables an API key: the gateway refuses it as an unknown
// key (403) once the nodes' catalogs have it.
//
// Unlike other writes, it is allowed on a key a config declares: an
// operator cutting a partner off in an incident must not wait for a
// config change to be reviewed and deployed. The write is audited, and
// the config's next apply sets the key back as it declares it (enabled),
// so the operator makes the cut last by changing the config too.
// EnableAPIKey is allowed on such keys likewise, to undo a mistaken cut.
func (s *Service) DisableAPIKey(ctx context.Context, id string) error {
	return s.setAPIKeyEnabled(ctx, id, ActionAPIKeyDisable)
}

// setAPIKeyEnabled enables (action ActionAPIKeyEnable) or disables the key.
func (s *Service) setAPIKeyEnabled(ctx context.Context, id, action string) (err error) {
	ev := audit.Event{Action: action}
	enabled := action == ActionAPIKeyEnable
	defer func() { s.record(ctx, ev, err) }()
	k, err := s.st.GetAPIKey(ctx, id)
	if err != nil {
		return err
	}
	ev.APIKeyID, ev.ConfigKey = k.ID, k.ConfigKey
	if k.Enabled == enabled {
		return nil
	}
	cp := *k
	cp.Enabled = enabled
	cp.UpdatedAt = s.clock().Truncate(time.Microsecond)
	return writeOwned(ObjectAPIKey, id, k.ConfigKey, func(o tollgate.Owner) error { return s.st.UpdateAPIKey(ctx, &cp, o) })
}

// DeleteAPIKey deletes an API key a config does not declare.
func (s *Service) DeleteAPIKey(ctx context.Context, id string) (err error) {
	ev := audit.Event{Action: ActionAPIKeyDelete}
	defer func() { s.record(ctx, ev, err) }()
	k, err := s.st.GetAPIKey(ctx, id)
	if err != nil {
		return err
	}
	ev.APIKeyID = k.ID
	if err := CheckWritable(ObjectAPIKey, id, k.ConfigKey); err != nil {
		return err
	}
	return writeOwned(ObjectAPIKey, id, "", func(o tollgate.Owner) error { return s.st.DeleteAPIKey(ctx, id, o) })
}

// ListAPIKeys lists every API key, by id.
func (s *Service) ListAPIKeys(ctx context.Context) ([]*tollgate.APIKey, error) {
	keys, err := s.st.ListAPIKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	return keys, nil
}

// GetAPIKey returns an API key by id.
func (s *Service) GetAPIKey(ctx context.Context, id string) (*tollgate.APIKey, error) {
	return s.st.GetAPIKey(ctx, id)
}
