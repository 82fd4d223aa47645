package audit

import (
	"context"
	"time"
)

// Outcome is how an audited action ended.
type Outcome string

// Outcomes.
const (
	// Success: the change was made.
	Success Outcome = "success"
	// Denied: refused for who asked or for what the object is: a failed
	// authentication, a refused signature, a read-only object.
	Denied Outcome = "denied"
	// Failure: refused as invalid or conflicting, or failed (Reason says
	// which kind).
	Failure Outcome = "failure"
)

// Actors that are not a person or a key.
const (
	// System is the actor of work Tollgate does by itself, such as a
	// pool's first signing keys.
	System = "system"
	// Anonymous is the actor of a refused authentication: nobody was
	// authenticated.
	Anonymous = "anonymous"
	// Unknown is the actor of an event whose context names none.
	Unknown = "unknown"
)

// Event is one audit record. Every field is an id, a name, a kind or a
// time: an emitter never puts a secret, a secret's hash, a private key, a
// token or an access key's secret in one. Empty fields are left out of the
// JSON line.
type Event struct {
	Time time.Time `json:"time"`
	// Action is what was done or tried, e.g. "client.create",
	// "client.secret.add", "keys.rotate", "config.apply",
	// "client.authenticate".
	Action  string  `json:"action"`
	Outcome Outcome `json:"outcome"`
	// Actor is who: an access key id (the management API), "cli:{OS
	// user}" (a CLI command), "config:{name}" or "stack:{name}" (config
	// apply, stack deploy), System, or Anonymous.
	Actor     string `json:"actor"`
	RequestID string `json:"request_id,omitempty"`
	// Reason is why an action was not a success: an error kind of the
	// domain ("invalid", "read_only", …), the class of a failed client
	// authentication ("wrong_secret", "unknown_client", …) or AWS's error
	// code of a refused signature.
	Reason string `json:"reason,omitempty"`
	// Endpoint is where a refusal happened: "token", "revoke",
	// "introspect", "cognito-idp", "lambda".
	Endpoint   string `json:"endpoint,omitempty"`
	RemoteAddr string `json:"remote_addr,omitempty"`

	Target
	// Change is what config apply or stack deploy did to the object:
	// created, updated, deleted, adopted.
	Change string `json:"change,omitempty"`
	// Fields are the settings an update changed.
	Fields []string `json:"fields,omitempty"`
	// Before and After are ids before and after the change where they
	// move, e.g. a rotation's "active_kid" and "next_kid", and after it
	// "retired_kid".
	Before map[string]string `json:"before,omitempty"`
	After  map[string]string `json:"after,omitempty"`
}

// Target names the object an event is about, by ids.
type Target struct {
	// Object is the kind of object, for config apply and stack deploy
	// ("pool", "client", "resource server", "domain").
	Object         string `json:"object,omitempty"`
	PoolID         string `json:"pool_id,omitempty"`
	ClientID       string `json:"client_id,omitempty"`
	SecretID       string `json:"secret_id,omitempty"`
	ResourceServer string `json:"resource_server,omitempty"`
	Domain         string `json:"domain,omitempty"`
	KID            string `json:"kid,omitempty"`
	AccessKeyID    string `json:"access_key_id,omitempty"`
	APIKeyID       string `json:"api_key_id,omitempty"`
	// Name is the object's name (a pool's, a client's).
	Name string `json:"name,omitempty"`
	// ConfigKey is the declaration of a config-owned object.
	ConfigKey string `json:"config_key,omitempty"`
}

type actorKey struct{}

type requestIDKey struct{}

// WithActor returns ctx carrying who acts in it.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// ActorOf returns the actor ctx carries, or Unknown.
func ActorOf(ctx context.Context) string {
	if a, ok := ctx.Value(actorKey{}).(string); ok && a != "" {
		return a
	}
	return Unknown
}

// WithRequestID returns ctx carrying the id of the request it serves.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDOf returns the request id ctx carries, or "".
func RequestIDOf(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// From returns an event of action with the actor and request id of ctx.
func From(ctx context.Context, action string) Event {
	return Event{Action: action, Actor: ActorOf(ctx), RequestID: RequestIDOf(ctx)}
}
