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
	// only the objects of config files, whose ConfigKeys are bare logical
	// ids. Either way it leaves alone what belongs to anyone else, so
	// stacks deployed to one store are independent, as on AWS.
	Stack string
	// IDs, when set, are the ids the pools and clients Apply creates get
	// (see StackIDs). An object the store already holds keeps its id; if
	// it differs from the one IDs give, the store changed since the ids
	// were read, and Apply reports a conflict without writing anything.
	IDs *IDs
}

// StackNamePattern is what a CloudFormation stack name looks like.
var StackNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,127}$`)

// StackKeyPrefix is what the ConfigKeys of a stack's objects start with
// (tollgate.StackKeyPrefix).
func StackKeyPrefix(stack string) string { return tollgate.StackKeyPrefix(stack) }

// StackOf returns the stack that owns an object with this ConfigKey, and
// whether a stack owns it (false for config files and objects made by
// hand).
func StackOf(configKey string) (string, bool) {
	stack, _, ok := tollgate.SplitStackKey(configKey)
	return stack, ok
}

// owner is the namespace of ConfigKeys one Apply manages: the prefix of a
// stack's keys, or "" for config files.
type owner string

func ownerOf(stack string) owner {
	if stack == "" {
		return ""
	}
	return owner(StackKeyPrefix(stack))
}

// key makes the ConfigKey of an object from its logical key.
func (o owner) key(logical string) string { return string(o) + logical }

// logical returns the logical key of a ConfigKey this owner owns.
func (o owner) logical(configKey string) (string, bool) {
	if configKey == "" {
		return "", false
	}
	if o == "" {
		_, _, isStack := tollgate.SplitStackKey(configKey)
		return configKey, !isStack
	}
	return strings.CutPrefix(configKey, string(o))
}

func (o owner) owns(configKey string) bool {
	_, ok := o.logical(configKey)
	return ok
}

// describeOwner says who owns an object with this ConfigKey, after
// "which".
func describeOwner(configKey string) string {
	if configKey == "" {
		return "was created by hand"
	}
	if stack, ok := StackOf(configKey); ok {
		return fmt.Sprintf("belongs to stack %s (as %q)", stack, configKey)
	}
	return fmt.Sprintf("is declared in a config file (as %q)", configKey)
}

// IDs are the physical ids of a stack's pools and clients, by logical id:
// those the store holds, and new ones for what it lacks, made up on first
// use. A template's references to a pool or client resolve to them before
// anything is written, and ApplyWith gives the objects it creates the same
// ids. Not safe for concurrent use.
type IDs struct {
	pools   map[string]string // pool logical id → id
	clients map[string]string // "{pool logical id}/{client logical id}" → id
}

// StackIDs reads the ids of the pools and clients the stack owns in st.
func StackIDs(ctx context.Context, st tollgate.Store, stack string) (*IDs, error) {
	ids := &IDs{pools: map[string]string{}, clients: map[string]string{}}
	o := ownerOf(stack)
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
