package config

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/tollgate/tollgate"
)

// ApplyOptions are ApplyWith's options.
type ApplyOptions struct {
	// Stack names the CloudFormation stack the config was mapped from.
	// Set, Apply manages only that stack's objects, whose ConfigKeys are
	// "stack:{Stack}/{logical ids}" (see StackKeyPrefix); empty, it manages
	// only the objects of the config, named by Config.Name, whose
	// ConfigKeys are "config:{name}/{logical ids}". Either way it leaves
	// alone what belongs to anyone else, so stacks and configs applied to
	// one store are independent, as stacks are on AWS.
	Stack string
	// IDs, when set, are the ids the pools and clients Apply creates get
	// (see StackIDs). An object the store already holds keeps its id; if
	// it differs from the one IDs give, the store changed since the ids
	// were read, and Apply reports a conflict without writing anything.
	IDs *IDs
	// Prune lets Apply delete the config's objects that hold secrets and
	// that it no longer declares (see PruneError). A stack ignores it: a
	// stack update deletes what the template drops, as CloudFormation's
	// does.
	Prune bool
}

// StackNamePattern is what a CloudFormation stack name looks like.
var StackNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,127}$`)

// StackKeyPrefix is what the ConfigKeys of a stack's objects start with
// (tollgate.StackKeyPrefix).
func StackKeyPrefix(stack string) string { return tollgate.StackKeyPrefix(stack) }

// stackOf returns the stack that owns an object with this ConfigKey, and
// whether a stack owns it (false for config files and objects made by
// hand).
func stackOf(configKey string) (string, bool) {
	stack, _, ok := tollgate.SplitStackKey(configKey)
	return stack, ok
}

// owner is the namespace of ConfigKeys one Apply manages: a stack's, or a
// config file's.
type owner struct {
	prefix string // what its ConfigKeys start with: "stack:{name}/" or "config:{name}/"
	// config is set for a config file, which adopts bare keys (see
	// adoptable) and whose deletions of objects with secrets are guarded.
	config bool
}

func stackOwner(stack string) owner { return owner{prefix: StackKeyPrefix(stack)} }

func configOwner(name string) owner {
	return owner{prefix: tollgate.ConfigKeyPrefix(name), config: true}
}

// ownerFor is the owner an Apply of cfg manages: the stack, if one is
// named, else the config under its name.
func ownerFor(cfg *Config, stack string) (owner, error) {
	if stack != "" {
		if !StackNamePattern.MatchString(stack) {
			return owner{}, tollgate.Errorf(tollgate.KindInvalid, "invalid stack name %q: want a letter, then letters, digits and hyphens, at most 128 in all", stack)
		}
		return stackOwner(stack), nil
	}
	if cfg.Name == "" {
		return owner{}, tollgate.Errorf(tollgate.KindInvalid, "the config has no name: set Name (a config read from a file is named after the file)")
	}
	return configOwner(cfg.Name), nil
}

// key makes the ConfigKey of an object from its logical key.
func (o owner) key(logical string) string { return o.prefix + logical }

// logical returns the logical key of a ConfigKey this owner owns.
func (o owner) logical(configKey string) (string, bool) {
	return strings.CutPrefix(configKey, o.prefix)
}

func (o owner) owns(configKey string) bool {
	_, ok := o.logical(configKey)
	return ok
}

// adoptable reports whether the owner may adopt an object with this key:
// a config file may take a bare key, which a config file wrote before
// config files had names, for the pools it declares (see Apply).
func (o owner) adoptable(configKey string) bool {
	return o.config && tollgate.IsBareConfigKey(configKey)
}

// describeOwner says who owns an object with this ConfigKey, after
// "which".
func describeOwner(configKey string) string {
	if configKey == "" {
		return "was created by hand"
	}
	if stack, ok := stackOf(configKey); ok {
		return fmt.Sprintf("belongs to stack %s (as %q)", stack, configKey)
	}
	if name, logical, ok := tollgate.SplitConfigKey(configKey); ok {
		return fmt.Sprintf("is declared in config %q (as %q)", name, logical)
	}
	return fmt.Sprintf("was declared in a config file before config files had names (as %q): applying that config adopts it", configKey)
}

// IDs are the physical ids of a stack's pools and clients, by logical id:
// those the store holds, and new ones for what it lacks, made up on first
// use. A template's references to a pool or client resolve to them before
// anything is written, and ApplyWith gives the objects it creates the same
// ids. Not safe for concurrent use.
type IDs struct {
	pools   map[string]string // pool logical id → id
	clients map[string]string // "{pool logical id}/{client logical id}" → id
	apiKeys map[string]string // API key logical id → id
	plans   map[string]string // usage plan logical id → id
}

// StackIDs reads the ids of the pools and clients the stack owns in st.
func StackIDs(ctx context.Context, st tollgate.Store, stack string) (*IDs, error) {
	ids := &IDs{pools: map[string]string{}, clients: map[string]string{}, apiKeys: map[string]string{}, plans: map[string]string{}}
	o := stackOwner(stack)
	keys, err := st.ListAPIKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the store: %w", err)
	}
	for _, k := range keys {
		if logical, ok := o.logical(k.ConfigKey); ok {
			ids.apiKeys[logical] = k.ID
		}
	}
	plans, err := st.ListUsagePlans(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the store: %w", err)
	}
	for _, u := range plans {
		if logical, ok := o.logical(u.ConfigKey); ok {
			ids.plans[logical] = u.ID
		}
	}
	pools, err := st.ListPools(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the store: %w", err)
	}
	for _, p := range pools {
		logical, ok := o.logical(p.ConfigKey)
		if !ok {
			continue
		}
		ids.pools[logical] = p.ID
		clients, err := st.ListClients(ctx, p.ID)
		if err != nil {
			return nil, fmt.Errorf("reading the store: %w", err)
		}
		for _, c := range clients {
			if key, ok := o.logical(c.ConfigKey); ok {
				ids.clients[key] = c.ID
			}
		}
	}
	return ids, nil
}

// Pool returns the id of the pool with this logical id, making up one in
// region if the stack has no such pool yet. A stored pool keeps its id even
// if region differs; Apply then reports that a pool cannot move.
func (ids *IDs) Pool(logicalID, region string) string {
	id, ok := ids.pools[logicalID]
	if !ok {
		id = tollgate.NewPoolID(region)
		ids.pools[logicalID] = id
	}
	return id
}

// Client returns the id of the client with this logical id in the pool
// with that logical id, making up one if the stack has no such client yet.
func (ids *IDs) Client(poolLogicalID, clientLogicalID string) string {
	key := poolLogicalID + "/" + clientLogicalID
	id, ok := ids.clients[key]
	if !ok {
		id = tollgate.NewClientID()
		ids.clients[key] = id
	}
	return id
}

// APIKey returns the id of the API key with this logical id, making up
// one if the stack has no such key yet.
func (ids *IDs) APIKey(logicalID string) string {
	return madeUp(ids.apiKeys, logicalID, tollgate.NewAPIKeyID)
}

// UsagePlan returns the id of the usage plan with this logical id, making
// up one if the stack has no such plan yet.
func (ids *IDs) UsagePlan(logicalID string) string {
	return madeUp(ids.plans, logicalID, tollgate.NewUsagePlanID)
}

func madeUp(m map[string]string, logicalID string, fresh func() string) string {
	id, ok := m[logicalID]
	if !ok {
		id = fresh()
		m[logicalID] = id
	}
	return id
}

// apiKeyID and usagePlanID are the ids given for a key and a plan, "" when
// none was.
func (ids *IDs) apiKeyID(logicalID string) string {
	if ids == nil {
		return ""
	}
	return ids.apiKeys[logicalID]
}

func (ids *IDs) usagePlanID(logicalID string) string {
	if ids == nil {
		return ""
	}
	return ids.plans[logicalID]
}

func (ids *IDs) poolID(logicalID string) string {
	if ids == nil {
		return ""
	}
	return ids.pools[logicalID]
}

func (ids *IDs) clientID(poolLogicalID, clientLogicalID string) string {
	if ids == nil {
		return ""
	}
	return ids.clients[poolLogicalID+"/"+clientLogicalID]
}
