// Package audit is Tollgate's audit stream: one JSON line per change to
// the domain (who, what, which ids, when, the request id, the outcome), per
// admin console sign-in, sign-out and try-it call, and per
// security-relevant refusal (a failed client authentication, a
// client id locked out of the token endpoint, a management or Invoke API
// call refused for its signature, a write of a read-only object refused). An Event names ids and reasons only: never a
// secret, a secret's hash, a private key, a token or an access key's
// secret.
//
// A Sink writes events to a file, stdout or the main log. To a file or
// stdout, Emit never blocks: it queues the event for the Sink's one writer
// goroutine, so a slow disk or a stalled pipe never holds up the request
// that emits (a flood of failed authentications included); a full queue
// drops the event and counts it, and a failed write is counted and
// reported on the main log, never fatal. Flush waits for what was queued;
// Close drains and stops. To the main log, Emit writes the line as every
// other line of that log is written, in the emitter's goroutine, so it
// keeps its place among them.
//
// The actor and the request id travel in the context (WithActor,
// WithRequestID), set by each front end: the management API after it has
// verified a signature, the CLI for its commands, the admin console for
// its operator once the session is checked, config apply and stack deploy
// for their owner.
//
// It is a leaf: it imports the standard library only.
package audit
