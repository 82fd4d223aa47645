package tollgate

import (
	"fmt"
	"time"
)

// OAuth flows a client may be allowed, as Cognito names them.
const (
	FlowClientCredentials = "client_credentials"
	FlowCode              = "code"
	FlowImplicit          = "implicit"
)

// Client is an app client of a user pool. Tollgate issues tokens to
// machine-to-machine clients through the client_credentials grant.
type Client struct {
	ID     string // 26 lowercase alphanumerics; never changes
	PoolID string
	Name   string // ClientName; unique within the pool

	// Secrets are the client's active secrets: none for a public client, at
	// most MaxClientSecrets. Either one authenticates the client, so a secret
	// can be rotated without downtime.
	Secrets []ClientSecret

	AllowedOAuthFlows  []string // e.g. ["client_credentials"]
	AllowedOAuthScopes []string // full scope names, e.g. ["default/default"]

	// ExplicitAuthFlows are Cognito's user sign-in flows the client allows
	// (e.g. "ALLOW_USER_SRP_AUTH"). Tollgate has no users: it keeps them to
	// show them as they were set. Nil means never set, so Cognito's default
	// applies; an empty, non-nil slice means none.
	ExplicitAuthFlows []string

	AccessTokenValidity  Validity
	IDTokenValidity      Validity
	RefreshTokenValidity Validity

	// TokenLimits, when not nil, replace the pool's token quotas for this
	// client (PerHour, PerDay; the pool's Lockout applies regardless).
	TokenLimits *TokenLimits

	// OAuth are the client's extensions beyond Cognito (oauthext.go): how it
	// authenticates when not with a secret, and how its tokens are bound.
	OAuth ClientOAuth

	ConfigKey string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// MaxClientSecrets is how many secrets a client may hold at once.
const MaxClientSecrets = 2

// AllowsFlow reports whether the client may use the given OAuth flow.
func (c *Client) AllowsFlow(flow string) bool {
	for _, f := range c.AllowedOAuthFlows {
		if f == flow {
			return true
		}
	}
	return false
}

// ClientSecret is one secret of a client. The plaintext is never stored:
// Hash is a keyed hash (HMAC-SHA256 under a key derived from the master key)
// used to authenticate the client, and Sealed is the secret encrypted under
// the master key so that an administrator may reveal it.
type ClientSecret struct {
	ID        string
	Hash      []byte
	Sealed    []byte
	CreatedAt time.Time
}

// SecretProtector computes what is stored of a client secret: a keyed hash
// to authenticate the client and the secret sealed to the client id, so
// that it can be revealed (the vault, internal/vault).
type SecretProtector interface {
	ProtectSecret(clientID, secret string) (hash, sealed []byte)
}

// NewProtectedSecret returns a client secret as every writer stores it: a
// fresh secret id, the plaintext protected by p, and its creation time. It
// is the one place a ClientSecret is made from a plaintext.
func NewProtectedSecret(p SecretProtector, clientID, secret string, now time.Time) ClientSecret {
	hash, sealed := p.ProtectSecret(clientID, secret)
	return ClientSecret{ID: NewSecretID(), Hash: hash, Sealed: sealed, CreatedAt: now}
}

// String never shows the secret.
func (s ClientSecret) String() string { return "ClientSecret(" + s.ID + ")" }

// TimeUnit is the unit a token validity is expressed in, as Cognito's
// TokenValidityUnits has it.
type TimeUnit string

// Time units.
const (
	Seconds TimeUnit = "seconds"
	Minutes TimeUnit = "minutes"
	Hours   TimeUnit = "hours"
	Days    TimeUnit = "days"
)

// Duration returns the length of one unit, or 0 for an unknown unit.
func (u TimeUnit) Duration() time.Duration {
	switch u {
	case Seconds:
		return time.Second
	case Minutes:
		return time.Minute
	case Hours:
		return time.Hour
	case Days:
		return 24 * time.Hour
	}
	return 0
}

// Validity is a token lifetime as a value and a unit, kept as given so that
// it reads back the way it was written.
type Validity struct {
	Value int64
	Unit  TimeUnit
}

// Duration returns the lifetime.
func (v Validity) Duration() time.Duration { return time.Duration(v.Value) * v.Unit.Duration() }

func (v Validity) String() string { return fmt.Sprintf("%d %s", v.Value, v.Unit) }

// Token validity bounds and defaults, as Cognito enforces them.
var (
	AccessTokenMin  = 5 * time.Minute
	AccessTokenMax  = 24 * time.Hour
	IDTokenMin      = 5 * time.Minute
	IDTokenMax      = 24 * time.Hour
	RefreshTokenMin = time.Hour
	RefreshTokenMax = 3650 * 24 * time.Hour

	DefaultAccessTokenValidity  = Validity{60, Minutes}
	DefaultIDTokenValidity      = Validity{60, Minutes}
	DefaultRefreshTokenValidity = Validity{30, Days}
)

// CheckValidity returns an error of KindInvalid when v is not a known unit or
// lies outside [lo, hi]. what names the field in the message.
func CheckValidity(what string, v Validity, lo, hi time.Duration) error {
	if v.Unit.Duration() == 0 {
		return Errorf(KindInvalid, "%s: unknown unit %q (want seconds, minutes, hours or days)", what, v.Unit)
	}
	// Compare in units before multiplying, so that a huge value cannot
	// overflow into the allowed range.
	if v.Value <= 0 || v.Value > int64(hi/v.Unit.Duration()) {
		return Errorf(KindInvalid, "%s must be between %s and %s, got %s", what, humanDuration(lo), humanDuration(hi), v)
	}
	if d := v.Duration(); d < lo || d > hi {
		return Errorf(KindInvalid, "%s must be between %s and %s, got %s", what, humanDuration(lo), humanDuration(hi), v)
	}
	return nil
}

func humanDuration(d time.Duration) string {
	plural := func(n time.Duration, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d%(24*time.Hour) == 0:
		return plural(d/(24*time.Hour), "day")
	case d%time.Hour == 0:
		return plural(d/time.Hour, "hour")
	case d%time.Minute == 0:
		return plural(d/time.Minute, "minute")
	}
	return d.String()
}
