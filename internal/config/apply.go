package config

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/vault"
)

// Action is what Apply did to an object.
type Action string

// Actions.
const (
	Created Action = "created"
	Updated Action = "updated"
	Deleted Action = "deleted"
	// Adopted is an update that gives an object with a bare ConfigKey,
	// written before config files had names, the key of the config that
	// declares it now; its id, secrets and keys stay. Fields lists what
	// else the update changed.
	Adopted Action = "adopted"
	// Kept is not a write: a pool with a bare ConfigKey that the config
	// does not declare, left alone (Result.Kept).
	Kept Action = "kept"
)

func (a Action) verb() string {
	switch a {
	case Created:
		return "create"
	case Updated:
		return "update"
	case Deleted:
		return "delete"
	case Adopted:
		return "adopt"
	}
	return string(a)
}

// Object names a kind of stored object (tollgate.Object).
type Object = tollgate.Object

// Objects the userPools section declares.
const (
	ObjectPool           = tollgate.ObjectPool
	ObjectResourceServer = tollgate.ObjectResourceServer
	ObjectClient         = tollgate.ObjectClient
	ObjectDomain         = tollgate.ObjectDomain
)

// Change is one write Apply made. It never holds a secret.
type Change struct {
	Action Action
	Object Object
	// Key is the object's ConfigKey: the pool's logical id, or
	// "{pool logical id}/{logical id}" for what a pool owns, after the
	// owner's prefix ("config:{name}/", or StackKeyPrefix for a stack's
	// objects).
	Key string
	// ID is the physical id: the pool id, the client id,
	// "{pool id}/{identifier}" for a resource server, or the domain.
	ID string
	// Fields are the config fields an update changed.
	Fields []string
}

// String describes the change for a log line, e.g. "created client
// UserPool/ThirdPartyAppClient (4nlh1vtj8cfq2pgmq8ktbmn4uk)".
func (c Change) String() string {
	s := fmt.Sprintf("%s %s %s (%s)", c.Action, c.Object, c.Key, c.ID)
	if len(c.Fields) > 0 {
		s += ": " + strings.Join(c.Fields, ", ")
	}
	return s
}

// Result is what Apply did, and the physical ids of the objects the config
// declares.
type Result struct {
	// Changes are the writes, in the order they were made. Empty when the
	// store already matched the config.
	Changes []Change
	// Pruned are the deletions among Changes of objects that held
	// secrets, which only ApplyOptions.Prune allows.
	Pruned []Pruned
	// Kept are the pools with a bare ConfigKey (declared by a config file
	// before config files had names) that this config does not declare:
	// they may be another config's, so they are left alone until the
	// config that declares them is applied and adopts them.
	Kept []Change

	pools   map[string]string // pool logical id → pool id
	clients map[string]string // "{pool logical id}/{client logical id}" → client id

	// NewAPIKeys are the API keys created with a generated value, with
	// it: the one time it is shown.
	NewAPIKeys []NewAPIKey

	apiKeys    map[string]string // API key logical id → key id
	usagePlans map[string]string // usage plan logical id → plan id
}

// PoolID returns the id of the pool with the given logical id.
func (r *Result) PoolID(poolKey string) (string, bool) {
	id, ok := r.pools[poolKey]
	return id, ok
}

// ClientID returns the client id of the client with the given logical id in
// the pool with the given logical id.
func (r *Result) ClientID(poolKey, clientKey string) (string, bool) {
	id, ok := r.clients[poolKey+"/"+clientKey]
	return id, ok
}

// Apply makes st hold what cfg declares, keeping the identity of what it
// declared before:
//
//   - The config is an owner, named by its Name: its objects carry
//     "config:{name}/{logical ids}" as ConfigKey, and Apply creates,
//     updates and deletes only those, so that configs of different names
//     share a store without touching each other's objects (ApplyWith
//     manages a CloudFormation stack's instead).
//   - Objects are matched by ConfigKey: a pool by its logical id, a client
//     by "{pool}/{client}" logical ids; a resource server by its pool and
//     identifier; a domain by its name; an API key or a usage plan by its
//     logical id. A key's value never changes (an edited value is a
//     conflict); a key declared without one gets a generated value, which
//     Result.NewAPIKeys returns once. A match is updated in place, and
//     only in the fields that differ: ids, client secrets, signing keys and
//     creation times never change. Applying an unchanged config writes
//     nothing.
//   - A pool with a bare ConfigKey (written before config files had names)
//     whose logical id the config declares is adopted: it and what it owns
//     get the config's keys in place, as updates (Adopted), so that a store
//     used with the same config before keeps every id, secret and key.
//     Other bare-keyed pools are left alone (Result.Kept).
//   - What the config declares and the store lacks is created, clients with
//     generateSecret with a fresh secret sealed by v, API keys with their
//     value hashed and sealed by v.
//   - The config's objects that it no longer declares are deleted; a pool
//     with everything it owns. Deleting one that holds secrets (a client
//     with secrets, a pool with clients, an API key) needs ApplyOptions.Prune: Apply
//     refuses with a *PruneError, writing nothing, so that what would be
//     lost is reported before it is.
//   - Objects made by hand (with an empty ConfigKey) are left alone, unless
//     their pool goes. One that stands in the config's way (a client name, a
//     resource server identifier, a domain, a pool name) is a conflict, as
//     is one of another owner.
//
// Apply first checks the whole config against the store and makes no write
// if anything conflicts (an error of kind tollgate.KindConflict), including a
// pool whose region changed or a client whose generateSecret changed: both
// would need a new id. It validates cfg first (as Config.Validate), so a
// Config built in code gets its defaults; one built without a File needs a
// Name. The Store has no transactions: if a write fails midway, applying
// again completes the job (an adopted pool's objects that still have bare
// keys are adopted then).
func Apply(ctx context.Context, st tollgate.Store, v *vault.Vault, cfg *Config, now time.Time) (*Result, error) {
	return ApplyWith(ctx, st, v, cfg, now, ApplyOptions{})
}

// ApplyWith is Apply with options: the owner whose objects it manages (the
// config, or a CloudFormation stack), the ids to give the objects it
// creates, and whether it may delete objects that hold secrets.
func ApplyWith(ctx context.Context, st tollgate.Store, v *vault.Vault, cfg *Config, now time.Time, opts ApplyOptions) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o, err := ownerFor(cfg, opts.Stack)
	if err != nil {
		return nil, err
	}
	p := &planner{st: st, cfg: cfg, now: now, vault: v, owner: o, ids: opts.IDs, res: &Result{pools: map[string]string{}, clients: map[string]string{}}}
	if err := p.plan(ctx); err != nil {
		return nil, err
	}
	if len(p.conflicts) > 0 {
		lines := make([]string, len(p.conflicts))
		for i, c := range p.conflicts {
			lines[i] = c.String()
		}
		msg := "the config conflicts with the store: " + lines[0]
		if len(lines) > 1 {
			msg = "the config conflicts with the store:\n\t" + strings.Join(lines, "\n\t")
		}
		return nil, &tollgate.Error{Kind: tollgate.KindConflict, Message: msg}
	}
	if len(p.pruned) > 0 && !opts.Prune {
		return nil, &PruneError{Config: cfg.Name, File: cfg.File, Objects: p.pruned}
	}
	if p.needsVault && v == nil {
		return nil, tollgate.Errorf(tollgate.KindInvalid, "a vault is required to generate client secrets and protect API keys")
	}
	for _, ops := range p.ops {
		for _, op := range ops {
			if err := op.run(ctx); err != nil {
				return nil, fmt.Errorf("applying the config: %d changes made, then could not %s %s %s: %w",
					len(p.res.Changes), op.change.Action.verb(), op.change.Object, op.change.Key, err)
			}
			p.res.Changes = append(p.res.Changes, op.change)
		}
	}
	p.res.Pruned = p.pruned
	return p.res, nil
}

// Phases of the writes. Deletions come first, and updates before creations,
// so that a name or domain they free can be taken; resource servers come
// before the clients that use their scopes, usage plans before the API
// keys in them, and a key's deletion before a creation that takes its
// value.
const (
	phaseDeletePools = iota
	phaseDeleteClients
	phaseDeleteResourceServers
	phaseDeleteDomains
	phaseDeleteAPIKeys
	phaseDeleteUsagePlans
	phaseUpdatePools
	phaseCreatePools
	phaseResourceServers
	phaseUpdateClients
	phaseCreateClients
	phaseDomains
	phaseUsagePlans
	phaseUpdateAPIKeys
	phaseCreateAPIKeys
	phases
)

type op struct {
	change Change
	run    func(ctx context.Context) error
}

// planner compares the store with the config and plans the writes.
type planner struct {
	st    tollgate.Store
	cfg   *Config
	now   time.Time
	vault *vault.Vault
	res   *Result
	owner owner
	ids   *IDs

	ops        [phases][]op
	conflicts  Problems
	needsVault bool
	pruned     []Pruned // planned deletions of objects that hold secrets (config owners only)

	managed        map[string]bool             // ids of the stored pools this Apply manages, adopted ones included
	deletedPools   map[string]bool             // ids of the pools being deleted
	domains        map[string]*tollgate.Domain // every stored domain, by name
	wantDomains    map[string]string           // domain name → id of the pool the config gives it
	deletedDomains map[string]bool             // domains whose deletion is planned
}

func (p *planner) add(phase int, c Change, run func(ctx context.Context) error) {
	p.ops[phase] = append(p.ops[phase], op{change: c, run: run})
}

// conflict records a conflict with the store at path, the config value
// that causes it, with its file, line and column when the config was parsed
// from a file.
func (p *planner) conflict(path, format string, args ...any) {
	c := Problem{File: p.cfg.File, Path: path, Message: fmt.Sprintf(format, args...)}
	if pos := positionsOf(p.cfg); pos != nil {
		at := pos.value(path)
		c.Line, c.Column = at.line, at.col
	}
	p.conflicts = append(p.conflicts, c)
}

func (p *planner) plan(ctx context.Context) error {
	pools, err := p.st.ListPools(ctx)
	if err != nil {
		return fmt.Errorf("reading the store: %w", err)
	}
	allDomains, err := p.st.ListDomains(ctx, "")
	if err != nil {
		return fmt.Errorf("reading the store: %w", err)
	}
	p.domains = map[string]*tollgate.Domain{}
	for _, d := range allDomains {
		p.domains[d.Domain] = d
	}
	byKey := p.matchPools(pools)
	if err := p.planPoolDeletions(ctx, pools, byKey); err != nil {
		return err
	}
	current, err := p.planPools(pools, byKey)
	if err != nil {
		return err
	}

	p.wantDomains = map[string]string{}
	for i := range p.cfg.UserPools {
		for _, d := range p.cfg.UserPools[i].Domains {
			p.wantDomains[d.Name()] = p.res.pools[p.cfg.UserPools[i].ID]
		}
	}
	p.deletedDomains = map[string]bool{}

	for i := range p.cfg.UserPools {
		if err := p.planPool(ctx, index("userPools", i), &p.cfg.UserPools[i], current[i]); err != nil {
			return err
		}
	}
	return p.planUsage(ctx)
}

// matchPools finds the stored pool of each logical id the owner manages:
// those with its own keys, then, for a config file, the pools with a bare
// key that it declares and does not hold already, which it adopts. The
// other bare-keyed pools may be another config's: they are kept.
func (p *planner) matchPools(pools []*tollgate.UserPool) map[string]*tollgate.UserPool {
	byKey := map[string]*tollgate.UserPool{}
	for _, sp := range pools {
		logical, ok := p.owner.logical(sp.ConfigKey)
		if !ok {
			continue
		}
		if other := byKey[logical]; other != nil {
			p.conflict(p.poolPath(logical), "pools %s and %s both belong to the config's pool %q; delete one", other.ID, sp.ID, logical)
			continue
		}
		byKey[logical] = sp
	}
	for _, sp := range pools {
		if !p.owner.adoptable(sp.ConfigKey) {
			continue
		}
		if byKey[sp.ConfigKey] == nil && p.poolPath(sp.ConfigKey) != "" {
			byKey[sp.ConfigKey] = sp
			continue
		}
		p.res.Kept = append(p.res.Kept, Change{Action: Kept, Object: ObjectPool, Key: sp.ConfigKey, ID: sp.ID})
	}
	p.managed = map[string]bool{}
	for _, sp := range byKey {
		p.managed[sp.ID] = true
	}
	return byKey
}

// planPoolDeletions plans the deletion of the owner's pools the config no
// longer declares, with everything they own.
func (p *planner) planPoolDeletions(ctx context.Context, pools []*tollgate.UserPool, byKey map[string]*tollgate.UserPool) error {
	p.deletedPools = map[string]bool{}
	for _, sp := range pools {
		logical, ok := p.owner.logical(sp.ConfigKey)
		if !ok || p.poolPath(logical) != "" || byKey[logical] != sp {
			continue
		}
		p.deletedPools[sp.ID] = true
		id := sp.ID
		change := Change{Action: Deleted, Object: ObjectPool, Key: sp.ConfigKey, ID: id}
		if err := p.guardPool(ctx, change); err != nil {
			return err
		}
		p.add(phaseDeletePools, change, func(ctx context.Context) error { return p.st.DeletePool(ctx, id, tollgate.AnyOwner) })
	}
	return nil
}

// planPools plans the creation and update of the pools the config
// declares, and returns the stored pool of each (nil for a new one). Every
// pool gets its id first, since domains may move between them.
func (p *planner) planPools(pools []*tollgate.UserPool, byKey map[string]*tollgate.UserPool) ([]*tollgate.UserPool, error) {
	byName := map[string]*tollgate.UserPool{}
	for _, sp := range pools {
		byName[sp.Name] = sp
	}
	current := make([]*tollgate.UserPool, len(p.cfg.UserPools))
	for i := range p.cfg.UserPools {
		cp := &p.cfg.UserPools[i]
		sp := byKey[cp.ID]
		current[i] = sp
		if holder := byName[cp.UserPoolName]; holder != nil && holder != sp && !p.owner.owns(holder.ConfigKey) && !p.managed[holder.ID] {
			p.conflict(field(index("userPools", i), "userPoolName"), "pool %s: the name %q is taken by pool %s, which %s", cp.ID, cp.UserPoolName, holder.ID, describeOwner(holder.ConfigKey))
		}
		if sp == nil {
			if err := p.createPool(cp); err != nil {
				return nil, err
			}
			continue
		}
		p.res.pools[cp.ID] = sp.ID
		if id := p.ids.poolID(cp.ID); id != "" && id != sp.ID {
			p.conflict(index("userPools", i), "pool %s is %s in the store, not %s as it was when the deployment began: deploy again", cp.ID, sp.ID, id)
		}
		if sp.Region != cp.Region {
			p.conflict(p.regionPath(index("userPools", i)), "pool %s (%s) is in region %s and cannot move to %s, since its id embeds the region: restore the region, or give the pool a new id to replace it", cp.ID, sp.ID, sp.Region, cp.Region)
		}
		p.updatePool(cp, sp)
	}
	return current, nil
}

func (p *planner) createPool(cp *UserPool) error {
	id := p.ids.poolID(cp.ID)
	if id == "" {
		id = tollgate.NewPoolID(cp.Region)
	} else if !strings.HasPrefix(id, cp.Region+"_") {
		return fmt.Errorf("config: pool %s: the id %s given for it is not in its region %s", cp.ID, id, cp.Region)
	}
	np := &tollgate.UserPool{ID: id, Name: cp.UserPoolName, Region: cp.Region, ConfigKey: p.owner.key(cp.ID),
		PreTokenGeneration: p.cfg.preTokenGeneration(cp), TokenLimits: tokenLimits(cp.TokenLimits), OAuth: poolOAuth(cp), CreatedAt: p.now, UpdatedAt: p.now}
	p.res.pools[cp.ID] = np.ID
	p.add(phaseCreatePools, Change{Action: Created, Object: ObjectPool, Key: np.ConfigKey, ID: np.ID},
		func(ctx context.Context) error { return p.st.CreatePool(ctx, np) })
	return nil
}

// updatePool plans the update of a stored pool: its name, its trigger, and
// its key when the config adopts it. Adoption checks, as it writes, that the pool still
// has the key it was planned from, so that two configs adopting one pool
// at once do not both take it: the loser sees a conflict.
func (p *planner) updatePool(cp *UserPool, sp *tollgate.UserPool) {
	up := *sp
	up.Name, up.ConfigKey, up.UpdatedAt = cp.UserPoolName, p.owner.key(cp.ID), p.now
	up.PreTokenGeneration = p.cfg.preTokenGeneration(cp)
	up.TokenLimits = tokenLimits(cp.TokenLimits)
	up.OAuth = poolOAuth(cp)
	change := Change{Action: Updated, Object: ObjectPool, Key: up.ConfigKey, ID: sp.ID}
	if sp.Name != up.Name {
		change.Fields = append(change.Fields, "userPoolName")
	}
	if !sameTrigger(sp.PreTokenGeneration, up.PreTokenGeneration) {
		change.Fields = append(change.Fields, "lambdaTriggers")
	}
	if sp.TokenLimits != up.TokenLimits {
		change.Fields = append(change.Fields, "tokenLimits")
	}
	change.Fields = append(change.Fields, poolOAuthFields(sp.OAuth, up.OAuth)...)
	if sp.ConfigKey != up.ConfigKey {
		change.Action = Adopted
	} else if len(change.Fields) == 0 {
		return
	}
	was := sp.ConfigKey
	p.add(phaseUpdatePools, change, func(ctx context.Context) error {
		if was != up.ConfigKey {
			cur, err := p.st.GetPool(ctx, up.ID)
			if err != nil {
				return err
			}
			if cur.ConfigKey != was && cur.ConfigKey != up.ConfigKey {
				return tollgate.Errorf(tollgate.KindConflict, "pool %s changed owner while the config was applied: it %s", up.ID, describeOwner(cur.ConfigKey))
			}
		}
		return p.st.UpdatePool(ctx, &up, tollgate.AnyOwner)
	})
}

// regionPath is the path of the value that gives the pool at pp its
// region: its own region, or else the file's.
func (p *planner) regionPath(pp string) string {
	if path, pos := field(pp, "region"), positionsOf(p.cfg); pos == nil || pos.has(path) {
		return path
	}
	return "region"
}

// poolPath is the path of the config's pool with this id, or "" if the
// config has none.
func (p *planner) poolPath(id string) string {
	for i := range p.cfg.UserPools {
		if p.cfg.UserPools[i].ID == id {
			return index("userPools", i)
		}
	}
	return ""
}

// planPool plans the writes for what one pool owns. sp is the stored pool,
// nil when it is to be created.
func (p *planner) planPool(ctx context.Context, pp string, cp *UserPool, sp *tollgate.UserPool) error {
	poolID := p.res.pools[cp.ID]
	var (
		servers []*tollgate.ResourceServer
		clients []*tollgate.Client
		domains []*tollgate.Domain
		err     error
	)
	if sp != nil {
		if servers, err = p.st.ListResourceServers(ctx, poolID); err != nil {
			return fmt.Errorf("reading the store: %w", err)
		}
		if clients, err = p.st.ListClients(ctx, poolID); err != nil {
			return fmt.Errorf("reading the store: %w", err)
		}
		if domains, err = p.st.ListDomains(ctx, poolID); err != nil {
			return fmt.Errorf("reading the store: %w", err)
		}
	}
	p.planResourceServers(pp, cp, poolID, servers)
	p.planClients(pp, cp, poolID, clients)
	p.planDomains(pp, cp, poolID, domains)
	return nil
}

func (p *planner) planResourceServers(pp string, cp *UserPool, poolID string, stored []*tollgate.ResourceServer) {
	byIdentifier := map[string]*tollgate.ResourceServer{}
	for _, rs := range stored {
		byIdentifier[rs.Identifier] = rs
	}
	want := map[string]bool{}
	for _, rs := range cp.ResourceServers {
		want[rs.Identifier] = true
	}
	for _, rs := range stored {
		if rs.ConfigKey != "" && !want[rs.Identifier] {
			identifier := rs.Identifier
			p.add(phaseDeleteResourceServers, Change{Action: Deleted, Object: ObjectResourceServer, Key: rs.ConfigKey, ID: poolID + "/" + identifier},
				func(ctx context.Context) error {
					return p.st.DeleteResourceServer(ctx, poolID, identifier, tollgate.AnyOwner)
				})
		}
	}
	for j, rs := range cp.ResourceServers {
		key := p.owner.key(cp.ID + "/" + rs.ID)
		next := &tollgate.ResourceServer{
			PoolID: poolID, Identifier: rs.Identifier, Name: rs.UserPoolResourceServerName,
			Scopes: make([]tollgate.Scope, len(rs.Scopes)), ConfigKey: key, CreatedAt: p.now, UpdatedAt: p.now,
		}
		for i, s := range rs.Scopes {
			next.Scopes[i] = tollgate.Scope{Name: s.ScopeName, Description: s.ScopeDescription}
		}
		change := Change{Action: Created, Object: ObjectResourceServer, Key: key, ID: poolID + "/" + rs.Identifier}
		if cur := byIdentifier[rs.Identifier]; cur != nil {
			if cur.ConfigKey == "" {
				p.conflict(field(index(field(pp, "resourceServers"), j), "identifier"), "pool %s: resource server %q exists and was created by hand; delete it or leave it out of the config", cp.ID, rs.Identifier)
				continue
			}
			var f fields
			compare(&f, "userPoolResourceServerName", cur.Name, next.Name)
			compareLists(&f, "scopes", cur.Scopes, next.Scopes)
			change.Action = p.updateAction(cur.ConfigKey, next.ConfigKey, &f)
			if change.Action == "" {
				continue
			}
			change.Fields, next.CreatedAt = f, cur.CreatedAt
		}
		p.add(phaseResourceServers, change, func(ctx context.Context) error { return p.st.PutResourceServer(ctx, next) })
	}
}

func (p *planner) planClients(pp string, cp *UserPool, poolID string, stored []*tollgate.Client) {
	byKey, byName := p.matchClients(cp, stored)
	for j, c := range cp.Clients {
		key := p.owner.key(cp.ID + "/" + c.ID)
		cur := byKey[key]
		cpath := index(field(pp, "clients"), j)
		if holder := byName[c.UserPoolClientName]; holder != nil && holder != cur && holder.ConfigKey == "" {
			p.conflict(field(cpath, "userPoolClientName"), "client %s: the name %q is taken in pool %s by client %s, which was created by hand", key, c.UserPoolClientName, poolID, holder.ID)
		}
		next := &tollgate.Client{
			PoolID: poolID, Name: c.UserPoolClientName,
			AllowedOAuthFlows:    oauthFlows(c.OAuth.Flows),
			AllowedOAuthScopes:   slices.Clone(c.OAuth.Scopes),
			AccessTokenValidity:  c.AccessTokenValidity,
			IDTokenValidity:      c.IDTokenValidity,
			RefreshTokenValidity: c.RefreshTokenValidity,
			TokenLimits:          clientTokenLimits(c.TokenLimits),
			OAuth:                clientOAuth(&c),
			ConfigKey:            key, CreatedAt: p.now, UpdatedAt: p.now,
		}
		if next.AllowedOAuthScopes == nil {
			next.AllowedOAuthScopes = []string{}
		}
		if cur == nil {
			next.ID = cmp.Or(p.ids.clientID(cp.ID, c.ID), tollgate.NewClientID())
			p.res.clients[cp.ID+"/"+c.ID] = next.ID
			p.needsVault = p.needsVault || c.GenerateSecret
			generate := c.GenerateSecret
			p.add(phaseCreateClients, Change{Action: Created, Object: ObjectClient, Key: key, ID: next.ID}, func(ctx context.Context) error {
				if generate {
					next.Secrets = []tollgate.ClientSecret{p.newSecret(next.ID)}
				}
				return p.st.CreateClient(ctx, next)
			})
			continue
		}
		p.res.clients[cp.ID+"/"+c.ID] = cur.ID
		if id := p.ids.clientID(cp.ID, c.ID); id != "" && id != cur.ID {
			p.conflict(cpath, "client %s is %s in the store, not %s as it was when the deployment began: deploy again", key, cur.ID, id)
		}
		if has := len(cur.Secrets) > 0; has != c.GenerateSecret {
			p.conflict(field(cpath, "generateSecret"), "client %s (%s): generateSecret cannot change once the client exists (it has %d secrets): restore generateSecret: %t, or give the client a new id to replace it", key, cur.ID, len(cur.Secrets), has)
			continue
		}
		var f fields
		compare(&f, "userPoolClientName", cur.Name, next.Name)
		compareLists(&f, "oAuth.flows", cur.AllowedOAuthFlows, next.AllowedOAuthFlows)
		compareLists(&f, "oAuth.scopes", cur.AllowedOAuthScopes, next.AllowedOAuthScopes)
		compare(&f, "accessTokenValidity", cur.AccessTokenValidity, next.AccessTokenValidity)
		compare(&f, "idTokenValidity", cur.IDTokenValidity, next.IDTokenValidity)
		compare(&f, "refreshTokenValidity", cur.RefreshTokenValidity, next.RefreshTokenValidity)
		f = append(f, clientExtensionFields(cur, next)...)
		action := p.updateAction(cur.ConfigKey, key, &f)
		if action == "" {
			continue
		}
		next.ID, next.CreatedAt = cur.ID, cur.CreatedAt
		p.add(phaseUpdateClients, Change{Action: action, Object: ObjectClient, Key: key, ID: cur.ID, Fields: f},
			func(ctx context.Context) error { return p.st.UpdateClient(ctx, next, tollgate.AnyOwner) })
	}
}

// matchClients indexes a managed pool's stored clients by the ConfigKey
// they stand for and by name, and plans the deletion of the keyed ones the
// config no longer declares.
func (p *planner) matchClients(cp *UserPool, stored []*tollgate.Client) (byKey, byName map[string]*tollgate.Client) {
	byKey = map[string]*tollgate.Client{}
	byName = map[string]*tollgate.Client{}
	for _, c := range stored {
		byName[c.Name] = c
		if c.ConfigKey == "" {
			continue
		}
		// A bare key (from before config names) stands for the config's
		// own key, unless a client has that key already.
		if k := p.childKey(c.ConfigKey); byKey[k] == nil || tollgate.IsBareConfigKey(byKey[k].ConfigKey) {
			byKey[k] = c
		}
	}
	want := map[string]bool{}
	for _, c := range cp.Clients {
		want[p.owner.key(cp.ID+"/"+c.ID)] = true
	}
	for _, c := range stored {
		if c.ConfigKey != "" && !want[p.childKey(c.ConfigKey)] {
			id := c.ID
			change := Change{Action: Deleted, Object: ObjectClient, Key: c.ConfigKey, ID: id}
			p.guardClient(change, c)
			p.add(phaseDeleteClients, change, func(ctx context.Context) error { return p.st.DeleteClient(ctx, id, tollgate.AnyOwner) })
		}
	}
	return byKey, byName
}

// newSecret makes a client secret. The plaintext lives only here: the store
// gets its keyed hash, to authenticate the client, and its sealed form,
// bound to the client id, for an administrator to reveal.
func (p *planner) newSecret(clientID string) tollgate.ClientSecret {
	return tollgate.NewProtectedSecret(p.vault, clientID, tollgate.NewClientSecret(), p.now)
}

func oauthFlows(f OAuthFlows) []string {
	flows := []string{}
	if f.ClientCredentials {
		flows = append(flows, tollgate.FlowClientCredentials)
	}
	return flows
}

func (p *planner) planDomains(pp string, cp *UserPool, poolID string, stored []*tollgate.Domain) {
	// Config-owned domains of this pool that the config no longer gives
	// it: deleted, or moved to the pool that now has them.
	for _, d := range stored {
		if d.ConfigKey == "" || p.wantDomains[d.Domain] == poolID {
			continue
		}
		p.deleteDomain(d)
	}
	for j, d := range cp.Domains {
		key := p.owner.key(cp.ID + "/" + d.ID)
		next := &tollgate.Domain{Domain: d.Name(), PoolID: poolID, ConfigKey: key, CreatedAt: p.now}
		if cd := d.CustomDomain; cd != nil {
			next.Custom = true
			if cd.Certificate != nil {
				next.CertFile, next.KeyFile = cd.Certificate.CertFile, cd.Certificate.KeyFile
			}
		}
		change := Change{Action: Created, Object: ObjectDomain, Key: key, ID: next.Domain}
		if cur := p.domains[next.Domain]; cur != nil {
			switch {
			case p.deletedPools[cur.PoolID]:
				// Its pool goes first, and the domain with it.
			case !p.owner.owns(cur.ConfigKey) && (!p.managed[cur.PoolID] || !p.owner.adoptable(cur.ConfigKey)):
				p.conflict(index(field(pp, "domains"), j), "domain %s: %q belongs to pool %s, which %s", key, cur.Domain, cur.PoolID, describeOwner(cur.ConfigKey))
				continue
			case cur.PoolID != poolID:
				p.deleteDomain(cur) // it moves here from another pool
			default:
				var f fields
				compare(&f, "customDomain", cur.Custom, next.Custom)
				compare(&f, "certificate", [2]string{cur.CertFile, cur.KeyFile}, [2]string{next.CertFile, next.KeyFile})
				change.Action = p.updateAction(cur.ConfigKey, next.ConfigKey, &f)
				if change.Action == "" {
					continue
				}
				change.Fields, next.CreatedAt = f, cur.CreatedAt
			}
		}
		p.add(phaseDomains, change, func(ctx context.Context) error { return p.st.PutDomain(ctx, next) })
	}
}

// deleteDomain plans the deletion of a config-owned domain, once.
func (p *planner) deleteDomain(d *tollgate.Domain) {
	if p.deletedDomains[d.Domain] || p.deletedPools[d.PoolID] {
		return
	}
	p.deletedDomains[d.Domain] = true
	name := d.Domain
	p.add(phaseDeleteDomains, Change{Action: Deleted, Object: ObjectDomain, Key: d.ConfigKey, ID: name},
		func(ctx context.Context) error { return p.st.DeleteDomain(ctx, name, tollgate.AnyOwner) })
}

// childKey is the ConfigKey an object of a managed pool stands for: its
// own, or for a bare key (from before config names) the config's key with
// the same logical ids, which the update adopts.
func (p *planner) childKey(configKey string) string {
	if p.owner.adoptable(configKey) {
		return p.owner.key(configKey)
	}
	return configKey
}

// updateAction says how an object stored with the key was, and to have the
// key is, is written: Adopted for a bare key, Updated for another key (a
// logical id renamed: the "id" field) or changed fields, "" for nothing.
func (p *planner) updateAction(was, is string, f *fields) Action {
	switch {
	case was != is && p.owner.adoptable(was):
		return Adopted
	case was != is:
		*f = append(*f, "id")
	}
	if len(*f) == 0 {
		return ""
	}
	return Updated
}

// fields collects the names of the config fields an update changes.
type fields []string

// compare notes name in f when was and is differ.
func compare[T comparable](f *fields, name string, was, is T) {
	if was != is {
		*f = append(*f, name)
	}
}

// compareLists notes name in f when the lists was and is differ
// (slices.Equal: nil and empty are the same).
func compareLists[T comparable](f *fields, name string, was, is []T) {
	if !slices.Equal(was, is) {
		*f = append(*f, name)
	}
}
