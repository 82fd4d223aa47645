package domain

import (
	"errors"
	"strconv"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/vault"
)

// Service runs the domain's write operations. Build it with New; it is safe
// for concurrent use when its store is.
type Service struct {
	st    tollgate.Store
	vault *vault.Vault
	now   func() time.Time
	audit *audit.Sink // nil: writes are not recorded (WithAudit)
}

// New returns a Service over st. v seals and opens secrets; it may be nil
// for a caller that runs only operations that handle none (deletions,
// reads). now is the clock (time.Now when nil); times are stored in UTC.
func New(st tollgate.Store, v *vault.Vault, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, vault: v, now: now}
}

func (s *Service) clock() time.Time { return s.now().UTC() }

// ReadOnlyError is the cause of a refusal to change an object that a config
// file or a stack declares: only applying that declaration changes it.
type ReadOnlyError struct {
	Object    tollgate.Object
	ID        string // the object's id (a resource server's identifier, a domain's name)
	ConfigKey string
}

func (e *ReadOnlyError) Error() string {
	return string(e.Object) + " " + e.ID + " is declared in " + tollgate.DeclaredIn(e.ConfigKey) + ": change it there"
}

// CheckWritable is the one statement of the read-only rule: an object with
// a ConfigKey belongs to its config or stack, and only applying that
// declaration changes it. Every write of the Service checks it; a
// translator calls it early only where its wire answers this refusal
// before others.
func CheckWritable(obj tollgate.Object, id, configKey string) error {
	if configKey == "" {
		return nil
	}
	ro := &ReadOnlyError{Object: obj, ID: id, ConfigKey: configKey}
	return &tollgate.Error{Kind: tollgate.KindReadOnly, Message: ro.Error(), Cause: ro}
}

// writeOwned runs a store write that expects the object's owner to be
// configKey, the one its writer read and CheckWritable passed. When a
// config apply adopted the object between that read and the write, the
// store refuses it (tollgate.OwnerError) and the writer gets the
// read-only refusal it would have got reading a moment later: the same
// ReadOnlyError, so translators answer it as they answer any read-only
// object.
func writeOwned(obj tollgate.Object, id, configKey string, write func(tollgate.Owner) error) error {
	err := write(tollgate.OwnedBy(configKey))
	var oe *tollgate.OwnerError
	if errors.As(err, &oe) && oe.ConfigKey != "" {
		return CheckWritable(obj, id, oe.ConfigKey)
	}
	return err
}

// NameTakenError is the cause of a refusal to give an object a name that
// another object of its scope has: pool names are unique among pools,
// client names within their pool.
type NameTakenError struct {
	Object  tollgate.Object
	Name    string
	PoolID  string // the pool, for a client
	TakenBy string // the id of the object that has the name
}

func (e *NameTakenError) Error() string {
	if e.Object == tollgate.ObjectPool {
		return "a pool named " + strconv.Quote(e.Name) + " already exists (" + e.TakenBy + ")"
	}
	return "a " + string(e.Object) + " named " + strconv.Quote(e.Name) + " already exists in pool " + e.PoolID + " (" + e.TakenBy + ")"
}

func nameTaken(e *NameTakenError) error {
	return &tollgate.Error{Kind: tollgate.KindConflict, Message: e.Error(), Cause: e}
}

// refused returns a *tollgate.Error of kind with cause.
func refused(kind tollgate.ErrorKind, cause error, format string, args ...any) error {
	e := tollgate.Errorf(kind, format, args...)
	e.Cause = cause
	return e
}
