package config

import (
	"cmp"
	"context"
	"crypto/hmac"
	"fmt"
	"maps"
	"slices"

	"github.com/tollgate/tollgate"
)

// Objects the apiKeys and usagePlans sections declare (Change.Object).
const (
	ObjectAPIKey    Object = "API key"
	ObjectUsagePlan Object = "usage plan"
)

// NewAPIKey is an API key Apply created with a generated value: the one
// time the value is shown (the store keeps it hashed and sealed). A key
// declared with its value is not listed: whoever wrote the config has it.
type NewAPIKey struct {
	LogicalID string
	KeyID     string
	Name      string
	Value     string
}

// String names the key without its value.
func (k NewAPIKey) String() string { return fmt.Sprintf("API key %s (%s)", k.LogicalID, k.KeyID) }

// APIKeyID returns the id of the API key with the given logical id.
func (r *Result) APIKeyID(logicalID string) (string, bool) {
	id, ok := r.apiKeys[logicalID]
	return id, ok
}

// UsagePlanID returns the id of the usage plan with the given logical id.
func (r *Result) UsagePlanID(logicalID string) (string, bool) {
	id, ok := r.usagePlans[logicalID]
	return id, ok
}

// planUsage plans the writes of the usage plans and API keys: those of the
// owner that the config no longer declares are deleted (a plan's deletion
// takes it out of every key, hand-made ones included: the store does
// that; a config file's key only with ApplyOptions.Prune, as a client
// with secrets), the others created or updated in the fields that differ. Keys
// made by hand or by another owner are never written; one whose value a
// new key of the config would take is a conflict.
func (p *planner) planUsage(ctx context.Context) error {
	plans, err := p.st.ListUsagePlans(ctx)
	if err != nil {
		return fmt.Errorf("reading the store: %w", err)
	}
	keys, err := p.st.ListAPIKeys(ctx)
	if err != nil {
		return fmt.Errorf("reading the store: %w", err)
	}
	p.res.usagePlans = map[string]string{}
	p.res.apiKeys = map[string]string{}
	p.planUsagePlans(plans)
	p.planAPIKeys(keys)
	return nil
}

// owned indexes the objects the owner holds by logical id, reporting two
// of one logical id as a conflict at path(logical id), and returns those
// the config does not declare (path gives "" for them).
func owned[T any](p *planner, objects []T, configKey func(T) (key, id string), what string, path func(string) string) (byLogical map[string]T, gone []T) {
	byLogical = map[string]T{}
	for _, o := range objects {
		key, id := configKey(o)
		logical, ok := p.owner.logical(key)
		if !ok {
			continue
		}
		at := path(logical)
		if at == "" {
			gone = append(gone, o)
			continue
		}
		if other, dup := byLogical[logical]; dup {
			_, otherID := configKey(other)
			p.conflict(at, "%ss %s and %s both belong to the config's %s %q; delete one", what, otherID, id, what, logical)
			continue
		}
		byLogical[logical] = o
	}
	return byLogical, gone
}

func (p *planner) planUsagePlans(stored []*tollgate.UsagePlan) {
	byLogical, gone := owned(p, stored, func(u *tollgate.UsagePlan) (string, string) { return u.ConfigKey, u.ID }, "usage plan",
		func(id string) string { return p.sectionPath("usagePlans", id) })
	for _, sp := range gone {
		id := sp.ID
		p.add(phaseDeleteUsagePlans, Change{Action: Deleted, Object: ObjectUsagePlan, Key: sp.ConfigKey, ID: id},
			func(ctx context.Context) error { return p.st.DeleteUsagePlan(ctx, id, tollgate.AnyOwner) })
	}
	for i := range p.cfg.UsagePlans {
		cp := &p.cfg.UsagePlans[i]
		next := buildUsagePlan(cp)
		next.ConfigKey, next.CreatedAt, next.UpdatedAt = p.owner.key(cp.ID), p.now, p.now
		change := Change{Action: Created, Object: ObjectUsagePlan, Key: next.ConfigKey}
		if cur := byLogical[cp.ID]; cur != nil {
			var f fields
			compare(&f, "name", cur.Name, next.Name)
			compare(&f, "description", cur.Description, next.Description)
			compare(&f, "throttle", cur.Throttle, next.Throttle)
			compare(&f, "quota", quotaOf(cur.Quota), quotaOf(next.Quota))
			if !samePlanStages(cur.Stages, next.Stages) {
				f = append(f, "apiStages")
			}
			change.Action = p.updateAction(cur.ConfigKey, next.ConfigKey, &f)
			next.ID, next.CreatedAt = cur.ID, cur.CreatedAt
			p.res.usagePlans[cp.ID] = cur.ID
			if id := p.ids.usagePlanID(cp.ID); id != "" && id != cur.ID {
				p.conflict(index("usagePlans", i), "usage plan %s is %s in the store, not %s as it was when the deployment began: deploy again", cp.ID, cur.ID, id)
			}
			if change.Action == "" {
				continue
			}
			change.Fields = f
		} else {
			next.ID = cmp.Or(p.ids.usagePlanID(cp.ID), tollgate.NewUsagePlanID())
			p.res.usagePlans[cp.ID] = next.ID
		}
		change.ID = next.ID
		p.add(phaseUsagePlans, change, func(ctx context.Context) error { return p.st.PutUsagePlan(ctx, next, tollgate.AnyOwner) })
	}
}

// buildUsagePlan is the stored form of a plan, without its id, key and
// times: its API stages name the APIs by their ids (tollgate.RestAPIID),
// its per-method throttles are keyed "/{path}/{METHOD}".
func buildUsagePlan(cp *UsagePlan) *tollgate.UsagePlan {
	up := &tollgate.UsagePlan{Name: cmp.Or(cp.Name, cp.ID), Description: cp.Description}
	if t := cp.Throttle; t != nil {
		up.Throttle = throttle(t.RateLimit, t.BurstLimit)
	}
	if q := cp.Quota; q != nil {
		up.Quota = &tollgate.Quota{Limit: q.Limit, Offset: q.Offset, Period: tollgate.QuotaPeriod(q.Period)}
	}
	for _, s := range cp.APIStages {
		ps := tollgate.PlanStage{APIID: tollgate.RestAPIID(s.API), Stage: s.Stage}
		for _, t := range s.Throttle {
			if ps.Throttle == nil {
				ps.Throttle = map[string]tollgate.Throttle{}
			}
			ps.Throttle[tollgate.MethodThrottleKey(t.Path, t.Method)] = throttle(t.RateLimit, t.BurstLimit)
		}
		up.Stages = append(up.Stages, ps)
	}
	return up
}

func quotaOf(q *tollgate.Quota) tollgate.Quota {
	if q == nil {
		return tollgate.Quota{}
	}
	return *q
}

// samePlanStages reports whether two plans cover the same stages, in the
// same order, with the same method throttles (nil and empty alike).
func samePlanStages(a, b []tollgate.PlanStage) bool {
	return slices.EqualFunc(a, b, func(x, y tollgate.PlanStage) bool {
		return x.APIID == y.APIID && x.Stage == y.Stage && maps.Equal(x.Throttle, y.Throttle)
	})
}

func (p *planner) planAPIKeys(stored []*tollgate.APIKey) {
	byLogical, gone := owned(p, stored, func(k *tollgate.APIKey) (string, string) { return k.ConfigKey, k.ID }, "API key",
		func(id string) string { return p.sectionPath("apiKeys", id) })
	deleted := map[string]bool{}
	for _, sk := range gone {
		id := sk.ID
		deleted[id] = true
		change := Change{Action: Deleted, Object: ObjectAPIKey, Key: sk.ConfigKey, ID: id}
		if p.owner.config {
			// Its value is in third parties' hands, and a new key
			// would not have it (a generated one): as a client secret.
			p.pruned = append(p.pruned, Pruned{Change: change})
		}
		p.add(phaseDeleteAPIKeys, change, func(ctx context.Context) error { return p.st.DeleteAPIKey(ctx, id, tollgate.AnyOwner) })
	}
	for i := range p.cfg.APIKeys {
		ck := &p.cfg.APIKeys[i]
		kp := index("apiKeys", i)
		next := &tollgate.APIKey{
			Name: cmp.Or(ck.APIKeyName, ck.ID), Description: ck.Description, CustomerID: ck.CustomerID,
			Enabled: ck.Enabled == nil || *ck.Enabled, PlanIDs: p.plansOf(ck.ID),
			ConfigKey: p.owner.key(ck.ID), CreatedAt: p.now, UpdatedAt: p.now,
		}
		cur := byLogical[ck.ID]
		if cur == nil {
			next.ID = cmp.Or(p.ids.apiKeyID(ck.ID), tollgate.NewAPIKeyID())
			p.res.apiKeys[ck.ID] = next.ID
			if ck.Value != "" {
				p.checkValueFree(ck.Value, field(kp, "value"), ck.ID, stored, deleted)
			}
			p.needsVault = true
			p.createAPIKey(ck, next)
			continue
		}
		p.res.apiKeys[ck.ID] = cur.ID
		if id := p.ids.apiKeyID(ck.ID); id != "" && id != cur.ID {
			p.conflict(kp, "API key %s is %s in the store, not %s as it was when the deployment began: deploy again", ck.ID, cur.ID, id)
			continue
		}
		if ck.Value != "" && p.vault != nil && !p.hashOf(ck.Value, cur.Hash) {
			p.conflict(field(kp, "value"), "API key %s (%s): a key's value cannot change once the key exists: restore its value, or give the key a new id to replace it", ck.ID, cur.ID)
			continue
		}
		var f fields
		compare(&f, "apiKeyName", cur.Name, next.Name)
		compare(&f, "description", cur.Description, next.Description)
		compare(&f, "customerId", cur.CustomerID, next.CustomerID)
		compare(&f, "enabled", cur.Enabled, next.Enabled)
		compareLists(&f, "usagePlans", cur.PlanIDs, next.PlanIDs)
		action := p.updateAction(cur.ConfigKey, next.ConfigKey, &f)
		if action == "" {
			continue
		}
		next.ID, next.Hash, next.Sealed, next.CreatedAt = cur.ID, cur.Hash, cur.Sealed, cur.CreatedAt
		p.add(phaseUpdateAPIKeys, Change{Action: action, Object: ObjectAPIKey, Key: next.ConfigKey, ID: cur.ID, Fields: f},
			func(ctx context.Context) error { return p.st.UpdateAPIKey(ctx, next, tollgate.AnyOwner) })
	}
}

// createAPIKey plans the creation of a key with its declared value, or a
// generated one that the Result returns once the key is stored.
func (p *planner) createAPIKey(ck *APIKey, next *tollgate.APIKey) {
	value, generated := ck.Value, ck.Value == ""
	logical := ck.ID
	p.add(phaseCreateAPIKeys, Change{Action: Created, Object: ObjectAPIKey, Key: next.ConfigKey, ID: next.ID}, func(ctx context.Context) error {
		if generated {
			value = tollgate.NewAPIKeyValue()
		}
		next.Hash, next.Sealed = p.vault.ProtectAPIKey(next.ID, value)
		if err := p.st.CreateAPIKey(ctx, next); err != nil {
			return err
		}
		if generated {
			p.res.NewAPIKeys = append(p.res.NewAPIKeys, NewAPIKey{LogicalID: logical, KeyID: next.ID, Name: next.Name, Value: value})
		}
		return nil
	})
}

// checkValueFree reports a conflict when a stored key that stays has the
// value a new key of the config declares. The problem names that key,
// never the value.
func (p *planner) checkValueFree(value, path, logical string, stored []*tollgate.APIKey, deleted map[string]bool) {
	if p.vault == nil {
		return
	}
	hashes := p.vault.AppendAPIKeyHashes(nil, value)
	for _, sk := range stored {
		if !deleted[sk.ID] && slices.ContainsFunc(hashes, func(h []byte) bool { return hmac.Equal(h, sk.Hash) }) {
			p.conflict(path, "API key %s: its value is taken by API key %s, which %s: API key values are unique", logical, sk.ID, describeOwner(sk.ConfigKey))
			return
		}
	}
}

// hashOf reports whether hash is the keyed hash of value under one of the
// vault's keys.
func (p *planner) hashOf(value string, hash []byte) bool {
	return slices.ContainsFunc(p.vault.AppendAPIKeyHashes(nil, value), func(h []byte) bool { return hmac.Equal(h, hash) })
}

// plansOf returns the sorted ids of the config's plans that list the key.
func (p *planner) plansOf(logical string) []string {
	ids := []string{}
	for _, cp := range p.cfg.UsagePlans {
		if slices.Contains(cp.APIKeys, logical) {
			ids = append(ids, p.res.usagePlans[cp.ID])
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// sectionPath is the path of the item of a section (apiKeys, usagePlans)
// with this logical id, or "" if the config has none.
func (p *planner) sectionPath(section, id string) string {
	var i int
	switch section {
	case "apiKeys":
		i = slices.IndexFunc(p.cfg.APIKeys, func(k APIKey) bool { return k.ID == id })
	case "usagePlans":
		i = slices.IndexFunc(p.cfg.UsagePlans, func(u UsagePlan) bool { return u.ID == id })
	}
	if i < 0 {
		return ""
	}
	return index(section, i)
}

// tokenLimits is the domain form of a pool's or client's tokenLimits.
func tokenLimits(tl *TokenLimits) tollgate.TokenLimits {
	if tl == nil {
		return tollgate.TokenLimits{}
	}
	out := tollgate.TokenLimits{PerHour: tl.PerHour, PerDay: tl.PerDay}
	if lo := tl.Lockout; lo != nil {
		out.Lockout = tollgate.Lockout{MaxFailures: lo.MaxFailures, Window: lo.Window, Duration: lo.Duration}
	}
	return out
}

// clientTokenLimits is a client's: nil when it declares none (its pool's
// apply).
func clientTokenLimits(tl *TokenLimits) *tollgate.TokenLimits {
	if tl == nil {
		return nil
	}
	out := tokenLimits(tl)
	return &out
}

// sameClientLimits reports whether two clients' limits are the same (both
// nil, or equal).
func sameClientLimits(a, b *tollgate.TokenLimits) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
