package domain

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/config"
)

// Audited actions, one per write of the Service.
const (
	ActionPoolCreate           = "pool.create"
	ActionPoolUpdate           = "pool.update"
	ActionPoolDelete           = "pool.delete"
	ActionResourceServerCreate = "resource_server.create"
	ActionResourceServerUpdate = "resource_server.update"
	ActionResourceServerDelete = "resource_server.delete"
	ActionClientCreate         = "client.create"
	ActionClientUpdate         = "client.update"
	ActionClientDelete         = "client.delete"
	ActionSecretAdd            = "client.secret.add"
	ActionSecretDelete         = "client.secret.delete"
	ActionDomainCreate         = "domain.create"
	ActionDomainDelete         = "domain.delete"
	ActionAccessKeyCreate      = "access_key.create"
	ActionAccessKeyDelete      = "access_key.delete"
	ActionAPIKeyCreate         = "api_key.create"
	ActionAPIKeyEnable         = "api_key.enable" //nolint:gosec // an action name, not a credential
	ActionAPIKeyDisable        = "api_key.disable"
	ActionAPIKeyDelete         = "api_key.delete"
	ActionAPIKeyUpdate         = "api_key.update" //nolint:gosec // an action name, not a credential
	ActionKeysRotate           = "keys.rotate"
	ActionConfigApply          = "config.apply"
	ActionStackDeploy          = "stack.deploy"
)

// WithAudit makes s record every write it makes or refuses on sink, one
// event each, with the actor and request id of the write's context
// (audit.WithActor); config apply and stack deploy act as their owner. It
// returns s. Without it (or with a nil sink) nothing is recorded.
func (s *Service) WithAudit(sink *audit.Sink) *Service {
	s.audit = sink
	return s
}

// record emits ev, of the write that ended with err: its outcome, and for
// a refusal the error's kind as the reason. Events carry ids of stored
// objects, and names only of written ones: on a refusal, what the request
// asked for (a name, an identifier, a secret id) may be anything a caller
// pasted, a secret included, and is left out.
func (s *Service) record(ctx context.Context, ev audit.Event, err error) {
	if s.audit == nil {
		return
	}
	base := audit.From(ctx, ev.Action)
	ev.Actor, ev.RequestID, ev.Time = base.Actor, base.RequestID, s.clock()
	ev.Outcome = audit.Success
	if err != nil {
		ev.Outcome, ev.Reason = audit.Failure, string(tollgate.KindOf(err))
		if ro := (*ReadOnlyError)(nil); errors.As(err, &ro) {
			ev.Outcome, ev.ConfigKey = audit.Denied, ro.ConfigKey
		}
	}
	s.audit.Emit(ev)
}

// Writable is CheckWritable for a translator that answers this refusal
// before others: a refusal is recorded as action's.
func (s *Service) Writable(ctx context.Context, action string, obj tollgate.Object, t audit.Target, configKey string) error {
	id := t.ClientID
	switch obj {
	case tollgate.ObjectPool:
		id = t.PoolID
	case tollgate.ObjectResourceServer:
		id = t.ResourceServer
	case tollgate.ObjectDomain:
		id = t.Domain
	}
	err := CheckWritable(obj, id, configKey)
	if err != nil {
		s.record(ctx, audit.Event{Action: action, Target: t}, err)
	}
	return err
}

// clientTarget names a stored client.
func clientTarget(c *tollgate.Client) audit.Target {
	return audit.Target{PoolID: c.PoolID, ClientID: c.ID}
}

// recordCreated records the creation of c in the pool, which err refused
// (c was not stored then).
func (s *Service) recordCreated(ctx context.Context, poolID string, c *tollgate.Client, err error) {
	ev := audit.Event{Action: ActionClientCreate, Target: audit.Target{PoolID: poolID}}
	if err == nil {
		ev.Target = clientTarget(c)
		ev.Name = c.Name
		if len(c.Secrets) > 0 {
			ev.SecretID = c.Secrets[0].ID
		}
	}
	s.record(ctx, ev, err)
}

// changedFields names the settings of a client that next changes.
func changedFields(cur, next *tollgate.Client) []string {
	var out []string
	add := func(changed bool, name string) {
		if changed {
			out = append(out, name)
		}
	}
	add(cur.Name != next.Name, "name")
	add(!slices.Equal(cur.AllowedOAuthFlows, next.AllowedOAuthFlows), "allowed_oauth_flows")
	add(!slices.Equal(cur.AllowedOAuthScopes, next.AllowedOAuthScopes), "allowed_oauth_scopes")
	add(!slices.Equal(cur.ExplicitAuthFlows, next.ExplicitAuthFlows), "explicit_auth_flows")
	add(cur.AccessTokenValidity != next.AccessTokenValidity, "access_token_validity")
	add(cur.IDTokenValidity != next.IDTokenValidity, "id_token_validity")
	add(cur.RefreshTokenValidity != next.RefreshTokenValidity, "refresh_token_validity")
	add(cur.OAuth != next.OAuth, "oauth")
	return out
}

// signingKIDs returns the kids of the active and next keys, for a
// rotation's before and after.
func signingKIDs(keys []tollgate.SigningKey) map[string]string {
	out := map[string]string{}
	for _, k := range keys {
		if k.State == tollgate.KeyActive || k.State == tollgate.KeyNext {
			out[string(k.State)+"_kid"] = k.KID
		}
	}
	return out
}

// recordApply records what config apply or stack deploy did, as owner
// (config:{name} or stack:{name}): one event per change, or one failure.
func (s *Service) recordApply(ctx context.Context, action, owner string, res *config.Result, err error) {
	if s.audit == nil {
		return
	}
	ctx = audit.WithActor(ctx, owner)
	if err != nil {
		s.record(ctx, audit.Event{Action: action}, err)
		return
	}
	for _, c := range res.Changes {
		ev := audit.Event{Action: action, Change: string(c.Action), Fields: c.Fields, Target: changeTarget(c)}
		s.record(ctx, ev, nil)
	}
}

// changeTarget names the object of a config change by its ids.
func changeTarget(c config.Change) audit.Target {
	t := audit.Target{Object: string(c.Object), ConfigKey: c.Key}
	switch c.Object {
	case tollgate.ObjectPool:
		t.PoolID = c.ID
	case tollgate.ObjectClient:
		t.ClientID = c.ID
	case tollgate.ObjectResourceServer:
		t.PoolID, t.ResourceServer, _ = strings.Cut(c.ID, "/")
	case tollgate.ObjectDomain:
		t.Domain = c.ID
	}
	return t
}

// serverTarget names a stored resource server.
func serverTarget(rs *tollgate.ResourceServer) audit.Target {
	return audit.Target{PoolID: rs.PoolID, ResourceServer: rs.Identifier}
}

// recordRotation records a rotation of the pool's keys from before to
// after (the active and next kids; the active key retired).
func (s *Service) recordRotation(ctx context.Context, poolID string, before, after []tollgate.SigningKey, err error) {
	ev := audit.Event{Action: ActionKeysRotate, Target: audit.Target{PoolID: poolID}, Before: signingKIDs(before)}
	if err == nil {
		ev.After = signingKIDs(after)
		if old := ev.Before["active_kid"]; old != "" {
			ev.After["retired_kid"] = old
		}
	}
	s.record(ctx, ev, err)
}
