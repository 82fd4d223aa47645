package tollgate

import (
	"context"
	"time"
)

// Store persists the domain. Every backend (SQLite, PostgreSQL) implements it
// and passes the same conformance suite (internal/store/storetest).
//
// Errors: a missing object is KindNotFound; a duplicate id, name or domain,
// or a client already holding MaxClientSecrets secrets, is KindConflict.
// Returned objects are copies the caller may keep and modify.
//
// Every successful write increments the store's generation, so that servers
// holding in-memory copies (of clients, keys) can tell cheaply that they must
// reload, whichever process wrote.
type Store interface {
	// Generation returns a number that grows with every committed write.
	Generation(ctx context.Context) (int64, error)

	// The change feed. Every write records, in its own transaction, what it
	// changed, labelled with the generation it committed: writers are
	// serialised, so generation order is commit order.
	//
	// Changes returns the changes committed after generation since, oldest
	// first, and the generation they bring the reader to (at least since).
	// When the log cannot tell every change after since (trimmed past it,
	// a generation with no recorded change, written by an older version, or
	// since ahead of the store), it returns a ChangeSet with TooOld set and
	// the reader reloads everything.
	Changes(ctx context.Context, since int64) (ChangeSet, error)
	// TrimChanges forgets the changes up to and including generation upTo;
	// readers behind it are told TooOld from then on.
	TrimChanges(ctx context.Context, upTo int64) error
	// GetRevokedToken returns the revocation of the token with this jti;
	// KindNotFound if there is none.
	GetRevokedToken(ctx context.Context, jti string) (RevokedToken, error)

	CreatePool(ctx context.Context, p *UserPool) error
	GetPool(ctx context.Context, id string) (*UserPool, error)
	ListPools(ctx context.Context) ([]*UserPool, error)
	// UpdatePool updates Name, ConfigKey, PreTokenGeneration, TokenLimits
	// and UpdatedAt, if the pool's owner is owner's (see Owner).
	UpdatePool(ctx context.Context, p *UserPool, owner Owner) error
	// DeletePool deletes the pool and everything it owns, if its owner is
	// owner's (see Owner). A delete by hand (not AnyOwner) of a pool that
	// has a domain is KindInvalid caused by ErrPoolHasDomain, decided in the
	// deleting transaction.
	DeletePool(ctx context.Context, id string, owner Owner) error

	// PutResourceServer creates the resource server or replaces the one
	// with the same pool and identifier (keeping its CreatedAt). Creating
	// one in a pool that already has MaxResourceServersPerPool returns
	// KindConflict caused by ErrLimitExceeded, checked as CreateClient
	// checks its quota.
	PutResourceServer(ctx context.Context, rs *ResourceServer) error
	// CreateResourceServer creates the resource server and never replaces
	// one: KindConflict when the pool has its identifier already, however
	// many writers race; the quota is PutResourceServer's.
	CreateResourceServer(ctx context.Context, rs *ResourceServer) error
	// UpdateResourceServer replaces an existing resource server's Name,
	// Scopes and UpdatedAt, if its owner is owner's (see Owner).
	UpdateResourceServer(ctx context.Context, rs *ResourceServer, owner Owner) error
	GetResourceServer(ctx context.Context, poolID, identifier string) (*ResourceServer, error)
	// ListResourceServers lists a pool's resource servers; all pools'
	// when poolID is empty.
	ListResourceServers(ctx context.Context, poolID string) ([]*ResourceServer, error)
	DeleteResourceServer(ctx context.Context, poolID, identifier string, owner Owner) error

	// CreateClient stores the client with its secrets. It counts the
	// pool's clients and inserts in one transaction that excludes every
	// other writer sharing the store: when the pool already has
	// MaxClientsPerPool clients, it returns KindConflict caused by
	// ErrLimitExceeded, however many writers race.
	CreateClient(ctx context.Context, c *Client) error
	// GetClient returns the client with its secrets, whatever its pool.
	GetClient(ctx context.Context, id string) (*Client, error)
	// ListClients lists a pool's clients with their secrets, by name; all
	// pools' clients when poolID is empty.
	ListClients(ctx context.Context, poolID string) ([]*Client, error)
	// UpdateClient updates everything but ID, PoolID, CreatedAt and
	// Secrets, if the client's owner is owner's (see Owner).
	UpdateClient(ctx context.Context, c *Client, owner Owner) error
	DeleteClient(ctx context.Context, id string, owner Owner) error
	// AddClientSecret adds a secret; KindConflict caused by
	// ErrLimitExceeded when the client already has MaxClientSecrets.
	AddClientSecret(ctx context.Context, clientID string, s ClientSecret) error
	// DeleteClientSecret deletes one of a client's secrets, never its last
	// one: KindConflict caused by ErrLastSecret, decided in the deleting
	// transaction.
	DeleteClientSecret(ctx context.Context, clientID, secretID string) error

	// PutDomain creates the domain or replaces it if it exists for the same
	// pool; KindConflict if another pool has it.
	PutDomain(ctx context.Context, d *Domain) error
	// CreateDomain creates the domain and never replaces one: KindConflict
	// when any pool has it, or when it is a prefix domain (not Custom) and
	// the pool has a prefix domain already (a pool has one), decided in
	// the writing transaction, however many writers race.
	CreateDomain(ctx context.Context, d *Domain) error
	GetDomain(ctx context.Context, domain string) (*Domain, error)
	// ListDomains lists a pool's domains; all domains when poolID is empty.
	ListDomains(ctx context.Context, poolID string) ([]*Domain, error)
	DeleteDomain(ctx context.Context, domain string, owner Owner) error

	// ListSigningKeys returns a pool's keys, oldest first.
	ListSigningKeys(ctx context.Context, poolID string) ([]SigningKey, error)
	// UpdateSigningKeys runs fn while holding the pool's key lock, which
	// excludes every other process sharing the store, and gives it the
	// pool's current keys. If fn returns a non-nil slice, the pool's keys are
	// replaced by it (matched by KID) in the same transaction. It returns the
	// pool's keys after the update. This is how the first keys are created
	// exactly once and how keys are rotated.
	UpdateSigningKeys(ctx context.Context, poolID string, fn func(current []SigningKey) ([]SigningKey, error)) ([]SigningKey, error)

	// RevokeToken records a revoked token; revoking it again is not an error.
	RevokeToken(ctx context.Context, t RevokedToken) error
	IsTokenRevoked(ctx context.Context, jti string) (bool, error)
	// ListRevokedTokens lists the revocations of tokens not yet expired at
	// now, oldest revocation first: the set a gateway keeps in memory.
	ListRevokedTokens(ctx context.Context, now time.Time) ([]RevokedToken, error)
	// DeleteExpiredRevocations forgets revocations of tokens expired before now.
	DeleteExpiredRevocations(ctx context.Context, now time.Time) (int64, error)

	// CreateAccessKey stores a management API access key; KindConflict if
	// its id is taken.
	CreateAccessKey(ctx context.Context, k *AccessKey) error
	GetAccessKey(ctx context.Context, id string) (*AccessKey, error)
	// ListAccessKeys lists every access key, oldest first.
	ListAccessKeys(ctx context.Context) ([]*AccessKey, error)
	DeleteAccessKey(ctx context.Context, id string) error

	// API keys and usage plans (API Gateway's, for REST APIs).

	// CreateAPIKey stores an API key; KindConflict if its id or its value
	// (Hash) is taken.
	CreateAPIKey(ctx context.Context, k *APIKey) error
	GetAPIKey(ctx context.Context, id string) (*APIKey, error)
	// ListAPIKeys lists every API key, by id.
	ListAPIKeys(ctx context.Context) ([]*APIKey, error)
	// UpdateAPIKey updates Name, Description, CustomerID, Enabled,
	// PlanIDs, ConfigKey and UpdatedAt (never the value), if the key's
	// owner is owner's (see Owner).
	UpdateAPIKey(ctx context.Context, k *APIKey, owner Owner) error
	DeleteAPIKey(ctx context.Context, id string, owner Owner) error

	// PutUsagePlan creates the usage plan or replaces the one with its id
	// (keeping its CreatedAt), if that one's owner is owner's.
	PutUsagePlan(ctx context.Context, p *UsagePlan, owner Owner) error
	GetUsagePlan(ctx context.Context, id string) (*UsagePlan, error)
	// ListUsagePlans lists every usage plan, by id.
	ListUsagePlans(ctx context.Context) ([]*UsagePlan, error)
	// DeleteUsagePlan deletes the plan and takes it out of every key's
	// PlanIDs, in one transaction; its usage records stay.
	DeleteUsagePlan(ctx context.Context, id string, owner Owner) error

	// AddUsage adds each record's Count to the stored count of its plan,
	// key and day (creating it), in one transaction. It does not move the
	// generation: usage is not part of the catalog.
	AddUsage(ctx context.Context, records []UsageRecord) error
	// Usage returns the plan's records from day from to day to inclusive
	// ("2006-01-02"), of one key or, keyID empty, of every key, by key
	// then day.
	Usage(ctx context.Context, planID, keyID, from, to string) ([]UsageRecord, error)

	// Settings: values the processes sharing a store agree on (Setting…
	// names), and master key rotation.

	// GetSetting returns a setting's value; KindNotFound when it was
	// never set.
	GetSetting(ctx context.Context, name string) ([]byte, error)
	// InitSetting stores value unless the setting has one, and returns the
	// value stored: the first writer's, however many race.
	InitSetting(ctx context.Context, name string, value []byte) ([]byte, error)
	// PutSetting stores a setting's value, replacing any.
	PutSetting(ctx context.Context, name string, value []byte) error
	// Reseal calls fn for every value the store keeps sealed under the
	// master key (client secrets with their hash, signing keys' private
	// halves, access keys' secrets, API keys' values with their hash), each in its own write transaction in
	// which the value cannot change otherwise; when fn reports a change, the
	// value's Sealed and Hash are written in that transaction. It stops at
	// fn's first error, which it returns, after the values written before
	// it, and returns how many values it wrote.
	Reseal(ctx context.Context, fn func(v *SealedValue) (changed bool, err error)) (int, error)

	Close() error
}

// Owner is the owner a write expects its object to have, decided in the
// writing statement: the object's ConfigKey must be ConfigKey ("" for an
// object made by hand), or the write changes nothing and fails with
// KindConflict caused by an *OwnerError naming the object's owner now. A
// writer by hand passes the ConfigKey it read (OwnedBy), so that a config
// apply adopting the object meanwhile is not overridden; config apply,
// which sets and changes owners on purpose, passes AnyOwner.
type Owner struct {
	ConfigKey string
	// Any makes the write unconditional.
	Any bool
}

// AnyOwner makes a write unconditional on its object's owner.
var AnyOwner = Owner{Any: true}

// OwnedBy expects the object's ConfigKey to be configKey.
func OwnedBy(configKey string) Owner { return Owner{ConfigKey: configKey} }

// OwnerError is the cause of a write refused because its object's owner
// is not the one the writer expected (Owner).
type OwnerError struct {
	// ConfigKey is the object's owner now ("" when made by hand).
	ConfigKey string
}

func (e *OwnerError) Error() string {
	if e.ConfigKey == "" {
		return "the object is no longer declared by a config"
	}
	return "the object is now declared in " + DeclaredIn(e.ConfigKey)
}

// ChangeKind is what a Change is about.
type ChangeKind string

// The kinds of change the store records. ID names the object; PoolID is its
// pool, where it has one and the writer knew it.
const (
	// ChangePool: the pool ID was created, updated or deleted (with
	// everything it owns, which records no change of its own).
	ChangePool ChangeKind = "pool"
	// ChangeClient: the client ID, or its secrets, changed or it was deleted.
	ChangeClient ChangeKind = "client"
	// ChangeResourceServers: a resource server of the pool ID changed.
	ChangeResourceServers ChangeKind = "resource_servers"
	// ChangeDomain: the domain ID changed or was deleted.
	ChangeDomain ChangeKind = "domain"
	// ChangeSigningKeys: the signing keys of the pool ID changed.
	ChangeSigningKeys ChangeKind = "signing_keys"
	// ChangeRevocation: the token whose jti is ID was revoked; with an
	// empty ID, expired revocations were forgotten.
	ChangeRevocation ChangeKind = "revocation"
	// ChangeAccessKey: the access key ID was created or deleted.
	ChangeAccessKey ChangeKind = "access_key"
	// ChangeAPIKey: the API key ID was created, updated or deleted.
	ChangeAPIKey ChangeKind = "api_key"
	// ChangeUsagePlan: the usage plan ID was created, updated or deleted
	// (deleting it also takes it out of keys, which record no change).
	ChangeUsagePlan ChangeKind = "usage_plan"
	// ChangeSetting: the setting ID changed (the master key's check
	// value, the issuer URL); a catalog has nothing to reload for it.
	ChangeSetting ChangeKind = "setting"
	// ChangeAll: anything may have changed (a bulk write): reload all.
	ChangeAll ChangeKind = "all"
)

// Change is one entry of the store's change feed.
type Change struct {
	Gen    int64 // the generation of the write that made it
	Kind   ChangeKind
	ID     string
	PoolID string
}

// ChangeSet is what Store.Changes returns.
type ChangeSet struct {
	Changes []Change
	// Gen is the generation the changes bring the reader to.
	Gen int64
	// TooOld reports that the log cannot tell every change after the
	// generation asked for (see Changes): the reader must reload everything (Gen is then the current one,
	// read before, to label what it reloads).
	TooOld bool
}

// ChangeNotifier is implemented by stores that can tell, without polling,
// that a write was committed: by this handle, and by any process where the
// backend can tell (PostgreSQL's LISTEN/NOTIFY; SQLite tells only this
// handle's commits).
type ChangeNotifier interface {
	// ListenChanges calls notify(nil), from a goroutine of its own, after
	// every write it can tell of (perhaps once for several) and each
	// time it (re)connects, since writes made while it was not listening
	// are not told: the receiver then reads the feed. notify(err) reports
	// a lost connection, opened again after a while. It returns when ctx
	// ends.
	ListenChanges(ctx context.Context, notify func(error)) error
}

// Names of settings.
const (
	// SettingMasterKeyCheck holds a value sealed under the master key
	// (vault.NewCheck): a process given another key refuses to start.
	SettingMasterKeyCheck = "master_key_check"
	// SettingIssuerURL holds the base of every pool's issuer, so that every
	// node issues and accepts the same iss.
	SettingIssuerURL = "issuer_url"
)

// SealedKind is the kind of a sealed value.
type SealedKind string

// Kinds of sealed values.
const (
	SealedClientSecret SealedKind = "client secret"
	SealedSigningKey   SealedKind = "signing key"
	SealedAccessKey    SealedKind = "access key"
	SealedAPIKey       SealedKind = "API key"
)

// SealedValue is one value a store keeps sealed under the master key.
type SealedValue struct {
	Kind SealedKind
	// Owner is the client id of a client secret and the pool id of a
	// signing key; empty for an access key and an API key.
	Owner string
	// ID is the secret id, the kid, the access key id or the API key id.
	ID     string
	Sealed []byte
	// Hash is a client secret's or an API key's keyed hash; nil for the
	// other kinds.
	Hash []byte
}

// AAD returns what the value is bound to when sealed: the client id, the
// pool and kid, the access key id, the API key id.
func (v *SealedValue) AAD() []byte {
	switch v.Kind {
	case SealedSigningKey:
		return []byte(v.Owner + "/" + v.ID)
	case SealedClientSecret:
		return []byte(v.Owner)
	default:
		return []byte(v.ID)
	}
}

// String names the value, never its content.
func (v *SealedValue) String() string {
	switch v.Kind {
	case SealedClientSecret:
		return "secret " + v.ID + " of client " + v.Owner
	case SealedSigningKey:
		return "signing key " + v.ID + " of pool " + v.Owner
	default:
		return string(v.Kind) + " " + v.ID
	}
}
