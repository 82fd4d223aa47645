package domain

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
)

// ClientSpec is what a writer asks of a client: the settings a create sets
// and an update replaces.
type ClientSpec struct {
	// Name is the client's name, unique in its pool. An update keeps the
	// current name when it is empty.
	Name string
	// OAuthFlows are the allowed OAuth flows; Tollgate serves
	// client_credentials only. Duplicates are dropped.
	OAuthFlows []string
	// Scopes are the allowed scopes, full names of scopes that a resource
	// server of the pool defines. Duplicates are dropped.
	Scopes []string
	// ExplicitAuthFlows are kept as given (nil: never set).
	ExplicitAuthFlows []string
	// Validities of the client's tokens; the zero Validity means the
	// domain's default.
	AccessToken, IDToken, RefreshToken tollgate.Validity
	// OAuth are the client's extensions beyond Cognito. Nil: a new client
	// is a Cognito client, an update keeps the client's (so that Cognito's
	// UpdateUserPoolClient, which knows nothing of them, never wipes
	// them). Registered is never taken from the spec.
	OAuth *tollgate.ClientOAuth
	// Registered marks a new client as made by dynamic registration (RFC
	// 7591), at this time: only the registration endpoint sets it, and only
	// CreateClient reads it (an update keeps the client's).
	Registered time.Time
}

// SecretChoice is how a new client gets its first secret.
type SecretChoice struct {
	// Generate draws a fresh secret.
	Generate bool
	// Given, when not empty, is the secret the caller chose.
	Given string
}

func (c SecretChoice) wanted() bool { return c.Generate || c.Given != "" }

// Errors that refuse a client, as causes of a *tollgate.Error.
var (
	// ErrBadValidity: a token validity outside Cognito's bounds, or in an
	// unknown unit.
	ErrBadValidity = errors.New("token validity out of range")
	// ErrSecretRequired: the client_credentials flow for a client without
	// a secret.
	ErrSecretRequired = errors.New("client_credentials needs a client secret")
	// ErrScopesRequired: an OAuth flow without any scope.
	ErrScopesRequired = errors.New("an OAuth client needs scopes")
	// ErrTooManyScopes: more than MaxScopesPerClient scopes.
	ErrTooManyScopes = errors.New("too many scopes")
)

// FlowError is the cause of a refusal of an OAuth flow Tollgate does not
// serve.
type FlowError struct{ Flow string }

func (e *FlowError) Error() string {
	return "Tollgate serves the client_credentials flow only, not " + e.Flow
}

// UnknownScopeError is the cause of a refusal of a scope that no resource
// server of the client's pool defines.
type UnknownScopeError struct{ Scope, PoolID string }

func (e *UnknownScopeError) Error() string {
	return "scope " + strconv.Quote(e.Scope) + " is not a scope of any resource server of pool " + e.PoolID
}

// CreateClient creates a client in the pool, with its first secret as
// secret asks. It returns the client and the secret in the clear (empty
// when it has none), to be shown once.
func (s *Service) CreateClient(ctx context.Context, poolID string, spec ClientSpec, secret SecretChoice) (_ *tollgate.Client, _ string, err error) {
	var c *tollgate.Client
	defer func() { s.recordCreated(ctx, poolID, c, err) }()
	now := s.clock()
	c = &tollgate.Client{ID: tollgate.NewClientID(), PoolID: poolID, Secrets: []tollgate.ClientSecret{}, CreatedAt: now, UpdatedAt: now}
	c.OAuth.Registered = spec.Registered
	plain := ""
	if secret.wanted() {
		var err error
		if plain, err = s.choose(secret.Given); err != nil {
			return nil, "", err
		}
		c.Secrets = []tollgate.ClientSecret{tollgate.NewProtectedSecret(s.vault, c.ID, plain, now)}
	}
	if err := s.fill(ctx, c, spec); err != nil {
		return nil, "", err
	}
	if err := s.checkName(ctx, c); err != nil {
		return nil, "", err
	}
	// The store counts the pool's clients in the transaction that inserts
	// (MaxClientsPerPool), and its unique index backs checkName.
	if err := s.st.CreateClient(ctx, c); err != nil {
		return nil, "", err
	}
	return c, plain, nil
}

// UpdateClient replaces cur's settings with spec, keeping its id, pool,
// secrets and creation time, and returns the client as stored.
func (s *Service) UpdateClient(ctx context.Context, cur *tollgate.Client, spec ClientSpec) (_ *tollgate.Client, err error) {
	var next *tollgate.Client
	defer func() {
		ev := audit.Event{Action: ActionClientUpdate, Target: clientTarget(cur)}
		if err == nil {
			ev.Name, ev.Fields = next.Name, changedFields(cur, next)
		}
		s.record(ctx, ev, err)
	}()
	if err := CheckWritable(tollgate.ObjectClient, cur.ID, cur.ConfigKey); err != nil {
		return nil, err
	}
	next = &tollgate.Client{ID: cur.ID, PoolID: cur.PoolID, Name: cur.Name, Secrets: cur.Secrets, OAuth: cur.OAuth, CreatedAt: cur.CreatedAt, UpdatedAt: s.clock()}
	if err := s.fill(ctx, next, spec); err != nil {
		return nil, err
	}
	if err := s.checkName(ctx, next); err != nil {
		return nil, err
	}
	if err := writeOwned(tollgate.ObjectClient, cur.ID, cur.ConfigKey, func(o tollgate.Owner) error { return s.st.UpdateClient(ctx, next, o) }); err != nil {
		return nil, err
	}
	return next, nil
}

// DeleteClient deletes a client made by hand.
func (s *Service) DeleteClient(ctx context.Context, c *tollgate.Client) (err error) {
	defer func() { s.record(ctx, audit.Event{Action: ActionClientDelete, Target: clientTarget(c)}, err) }()
	if err := CheckWritable(tollgate.ObjectClient, c.ID, c.ConfigKey); err != nil {
		return err
	}
	return writeOwned(tollgate.ObjectClient, c.ID, c.ConfigKey, func(o tollgate.Owner) error { return s.st.DeleteClient(ctx, c.ID, o) })
}

// fill checks spec against the rules and the pool and sets c's settings
// from it. c has its secrets already.
func (s *Service) fill(ctx context.Context, c *tollgate.Client, spec ClientSpec) error {
	if spec.Name != "" {
		c.Name = spec.Name
	}
	if err := setValidities(c, spec); err != nil {
		return err
	}
	c.ExplicitAuthFlows = spec.ExplicitAuthFlows
	if spec.OAuth != nil {
		o := *spec.OAuth
		o.Registered = c.OAuth.Registered
		if o.AuthMethod == tollgate.AuthClientSecretBasic || o.AuthMethod == tollgate.AuthClientSecretPost {
			o.AuthMethod = "" // a secret's, as a Cognito client's
		}
		if err := checkClientOAuth(o); err != nil {
			return err
		}
		c.OAuth = o
	}
	c.AllowedOAuthFlows, c.AllowedOAuthScopes = []string{}, []string{}
	if len(spec.OAuthFlows) == 0 {
		return nil
	}
	for _, f := range spec.OAuthFlows {
		if f != tollgate.FlowClientCredentials {
			return refused(tollgate.KindInvalid, &FlowError{f}, "%s", (&FlowError{f}).Error())
		}
	}
	c.AllowedOAuthFlows = dedup(spec.OAuthFlows)
	if len(c.Secrets) == 0 && !authenticatesWithoutSecret(c.OAuth) {
		return refused(tollgate.KindInvalid, ErrSecretRequired, "a client without a secret cannot use client_credentials")
	}
	return s.setScopes(ctx, c, spec.Scopes)
}

// CheckValidities checks the spec's token validities against Cognito's
// bounds, as CreateClient and UpdateClient do; a translator calls it early
// where its wire answers this refusal before others.
func CheckValidities(spec ClientSpec) error {
	return setValidities(&tollgate.Client{}, spec)
}

// setValidities sets c's token validities, the defaults for those not
// given, within Cognito's bounds.
func setValidities(c *tollgate.Client, spec ClientSpec) error {
	checks := []struct {
		what     string
		got      tollgate.Validity
		def      tollgate.Validity
		min, max time.Duration
		set      *tollgate.Validity
	}{
		{"access token validity", spec.AccessToken, tollgate.DefaultAccessTokenValidity, tollgate.AccessTokenMin, tollgate.AccessTokenMax, &c.AccessTokenValidity},
		{"ID token validity", spec.IDToken, tollgate.DefaultIDTokenValidity, tollgate.IDTokenMin, tollgate.IDTokenMax, &c.IDTokenValidity},
		{"refresh token validity", spec.RefreshToken, tollgate.DefaultRefreshTokenValidity, tollgate.RefreshTokenMin, tollgate.RefreshTokenMax, &c.RefreshTokenValidity},
	}
	for _, ch := range checks {
		v := ch.got
		if v == (tollgate.Validity{}) {
			v = ch.def
		}
		if err := tollgate.CheckValidity(ch.what, v, ch.min, ch.max); err != nil {
			return refused(tollgate.KindInvalid, ErrBadValidity, "%s", err.Error())
		}
		*ch.set = v
	}
	return nil
}

// setScopes sets c's allowed scopes: at least one, at most
// MaxScopesPerClient, each defined by a resource server of the pool.
func (s *Service) setScopes(ctx context.Context, c *tollgate.Client, scopes []string) error {
	if len(scopes) == 0 {
		return refused(tollgate.KindInvalid, ErrScopesRequired, "a client_credentials client needs at least one scope")
	}
	scopes = dedup(scopes)
	if len(scopes) > tollgate.MaxScopesPerClient {
		return refused(tollgate.KindInvalid, ErrTooManyScopes, "a client has at most %d scopes, got %d", tollgate.MaxScopesPerClient, len(scopes))
	}
	known, err := s.definedScopes(ctx, c.PoolID)
	if err != nil {
		return err
	}
	for _, sc := range scopes {
		if !known[sc] {
			e := &UnknownScopeError{Scope: sc, PoolID: c.PoolID}
			return refused(tollgate.KindInvalid, e, "%s", e.Error())
		}
	}
	c.AllowedOAuthScopes = scopes
	return nil
}

// definedScopes returns the full names of the scopes the pool's resource
// servers define.
func (s *Service) definedScopes(ctx context.Context, poolID string) (map[string]bool, error) {
	rss, err := s.st.ListResourceServers(ctx, poolID)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, rs := range rss {
		for _, sc := range rs.FullScopeNames() {
			known[sc] = true
		}
	}
	return known, nil
}

// UndefinedScopes returns, by client id, the allowed scopes of each client
// that no resource server of its pool defines any more (a scope or a
// resource server was removed after the client was made); clients with none
// are absent. The token endpoint never issues those scopes.
func (s *Service) UndefinedScopes(ctx context.Context, clients []*tollgate.Client) (map[string][]string, error) {
	defined := map[string]map[string]bool{} // pool id → scope names
	out := map[string][]string{}
	for _, c := range clients {
		known, ok := defined[c.PoolID]
		if !ok {
			var err error
			if known, err = s.definedScopes(ctx, c.PoolID); err != nil {
				return nil, err
			}
			defined[c.PoolID] = known
		}
		for _, sc := range c.AllowedOAuthScopes {
			if !known[sc] {
				out[c.ID] = append(out[c.ID], sc)
			}
		}
	}
	return out, nil
}

// checkName refuses a name another client of the pool has.
func (s *Service) checkName(ctx context.Context, c *tollgate.Client) error {
	clients, err := s.st.ListClients(ctx, c.PoolID)
	if err != nil {
		return err
	}
	for _, o := range clients {
		if o.Name == c.Name && o.ID != c.ID {
			return nameTaken(&NameTakenError{Object: tollgate.ObjectClient, Name: c.Name, PoolID: c.PoolID, TakenBy: o.ID})
		}
	}
	return nil
}

// dedup returns vals without repeats, in their first order.
func dedup(vals []string) []string {
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
