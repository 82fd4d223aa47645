package cognitoapi

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/domain"
)

// clientInput is the input of Create and UpdateUserPoolClient. Members
// Tollgate has no use for (callback URLs, analytics) are accepted and
// ignored, as a pool without users would ignore them; the user sign-in
// flows (ExplicitAuthFlows) are kept, to be shown as they were set.
type clientInput struct {
	UserPoolID           *string `json:"UserPoolId"`
	ClientID             *string `json:"ClientId"` // update only
	ClientName           *string
	GenerateSecret       bool    // create only
	ClientSecret         *string // create only
	AccessTokenValidity  *int
	IDTokenValidity      *int `json:"IdTokenValidity"`
	RefreshTokenValidity *int
	TokenValidityUnits   *struct {
		AccessToken  *string
		IDToken      *string `json:"IdToken"`
		RefreshToken *string
	}
	AllowedOAuthFlows               []string
	AllowedOAuthScopes              []string
	AllowedOAuthFlowsUserPoolClient *bool
	ExplicitAuthFlows               []string
	// Checked, not kept: a client shows Cognito's defaults for them.
	PreventUserExistenceErrors *string
	AuthSessionValidity        *int
}

// checkCreate validates a CreateUserPoolClient input's shape, all of it,
// in the model's member order.
func (req *clientInput) checkCreate() error {
	var v validation
	v.required("userPoolId", req.UserPoolID, userPoolIDType)
	v.required("clientName", req.ClientName, clientNameType)
	v.optional("clientSecret", req.ClientSecret, clientSecretType)
	req.checkSettings(&v)
	return v.err()
}

// checkUpdate validates an UpdateUserPoolClient input's shape, all of it,
// in the model's member order: it has ClientId, and no secret.
func (req *clientInput) checkUpdate() error {
	var v validation
	v.required("userPoolId", req.UserPoolID, userPoolIDType)
	v.required("clientId", req.ClientID, clientIDType)
	v.optional("clientName", req.ClientName, clientNameType)
	req.checkSettings(&v)
	return v.err()
}

// checkSettings validates the members Create and UpdateUserPoolClient
// share, after the ones that name the client.
func (req *clientInput) checkSettings(v *validation) {
	v.optionalInt("refreshTokenValidity", req.RefreshTokenValidity, refreshTokenValidityType)
	v.optionalInt("accessTokenValidity", req.AccessTokenValidity, accessTokenValidityType)
	v.optionalInt("idTokenValidity", req.IDTokenValidity, idTokenValidityType)
	if u := req.TokenValidityUnits; u != nil {
		v.optional("tokenValidityUnits.accessToken", u.AccessToken, timeUnitsType)
		v.optional("tokenValidityUnits.idToken", u.IDToken, timeUnitsType)
		v.optional("tokenValidityUnits.refreshToken", u.RefreshToken, timeUnitsType)
	}
	v.list("explicitAuthFlows", req.ExplicitAuthFlows, explicitAuthFlowsListType)
	v.list("allowedOAuthFlows", req.AllowedOAuthFlows, oAuthFlowsType)
	v.list("allowedOAuthScopes", req.AllowedOAuthScopes, scopeListType)
	v.optional("preventUserExistenceErrors", req.PreventUserExistenceErrors, preventUserExistenceErrorTypes)
	v.optionalInt("authSessionValidity", req.AuthSessionValidity, authSessionValidityType)
}

// defaultExplicitAuthFlows are the flows of a client created or updated
// without ExplicitAuthFlows, as Cognito sets them.
var defaultExplicitAuthFlows = []string{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}

// explicitAuthFlows are the values of Cognito's ExplicitAuthFlowsType, in
// the order its validation message lists them.
var explicitAuthFlows = []string{"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH",
	"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
	"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH"}

// userPoolClient is UserPoolClientType.
type userPoolClient struct {
	UserPoolID                               string         `json:"UserPoolId"`
	ClientName                               string         `json:"ClientName"`
	ClientID                                 string         `json:"ClientId"`
	ClientSecret                             string         `json:"ClientSecret,omitempty"`
	LastModifiedDate                         epoch          `json:"LastModifiedDate"`
	CreationDate                             epoch          `json:"CreationDate"`
	RefreshTokenValidity                     int64          `json:"RefreshTokenValidity"`
	AccessTokenValidity                      int64          `json:"AccessTokenValidity"`
	IDTokenValidity                          int64          `json:"IdTokenValidity"`
	TokenValidityUnits                       map[string]any `json:"TokenValidityUnits"`
	AllowedOAuthFlows                        []string       `json:"AllowedOAuthFlows,omitempty"`
	AllowedOAuthScopes                       []string       `json:"AllowedOAuthScopes,omitempty"`
	AllowedOAuthFlowsUserPoolClient          bool           `json:"AllowedOAuthFlowsUserPoolClient"`
	ExplicitAuthFlows                        []string       `json:"ExplicitAuthFlows,omitempty"`
	PreventUserExistenceErrors               string         `json:"PreventUserExistenceErrors"`
	EnableTokenRevocation                    bool           `json:"EnableTokenRevocation"`
	EnablePropagateAdditionalUserContextData bool           `json:"EnablePropagateAdditionalUserContextData"`
	AuthSessionValidity                      int            `json:"AuthSessionValidity"`
	SupportedIdentityProviders               []string       `json:"SupportedIdentityProviders,omitempty"`
}

// clientView renders a client with its first secret revealed, as
// Cognito's Create and DescribeUserPoolClient do.
func (h *Handler) clientView(c *tollgate.Client) (*userPoolClient, error) {
	v := &userPoolClient{
		UserPoolID: c.PoolID, ClientName: c.Name, ClientID: c.ID,
		LastModifiedDate: epoch(c.UpdatedAt), CreationDate: epoch(c.CreatedAt),
		RefreshTokenValidity: c.RefreshTokenValidity.Value,
		AccessTokenValidity:  c.AccessTokenValidity.Value,
		IDTokenValidity:      c.IDTokenValidity.Value,
		TokenValidityUnits: map[string]any{
			"AccessToken":  c.AccessTokenValidity.Unit,
			"IdToken":      c.IDTokenValidity.Unit,
			"RefreshToken": c.RefreshTokenValidity.Unit,
		},
		AllowedOAuthFlows:               c.AllowedOAuthFlows,
		AllowedOAuthScopes:              c.AllowedOAuthScopes,
		AllowedOAuthFlowsUserPoolClient: len(c.AllowedOAuthFlows) > 0,
		ExplicitAuthFlows:               c.ExplicitAuthFlows,
		PreventUserExistenceErrors:      "LEGACY",
		EnableTokenRevocation:           true,
		AuthSessionValidity:             3,
	}
	if c.ExplicitAuthFlows == nil {
		v.ExplicitAuthFlows = defaultExplicitAuthFlows
	}
	if len(c.AllowedOAuthFlows) > 0 {
		v.SupportedIdentityProviders = []string{"COGNITO"}
	}
	if len(c.Secrets) > 0 {
		secret, err := h.svc.Reveal(c, c.Secrets[0])
		if err != nil {
			return nil, err
		}
		v.ClientSecret = secret
	}
	return v, nil
}

// msgTokenValidityRange is Cognito's answer to a token validity outside
// its range in its unit (aws-samples/cloudfront-authorization-at-edge#144,
// an UpdateUserPoolClient stack trace; awsdocs/aws-cloudformation-user-guide#828).
const msgTokenValidityRange = "Invalid range for token validity." //nolint:gosec // G101: an error text, not a credential

// validity reads a token validity: the value in the unit given, or in the
// API's default unit; the zero Validity (the domain's default) when the
// value is omitted.
func validity(value *int, unit *string, defaultUnit tollgate.TimeUnit) tollgate.Validity {
	if value == nil {
		return tollgate.Validity{}
	}
	u := defaultUnit
	if unit != nil {
		u = tollgate.TimeUnit(*unit)
	}
	return tollgate.Validity{Value: int64(*value), Unit: u}
}

// spec translates a Create or UpdateUserPoolClient input into the domain's
// ClientSpec. It checks what only this API's shape has, in Cognito's
// order: the validities first (the domain's rule, called early), then
// AllowedOAuthFlowsUserPoolClient against the flows and scopes.
func (req *clientInput) spec() (domain.ClientSpec, error) {
	var units struct {
		AccessToken  *string
		IDToken      *string `json:"IdToken"`
		RefreshToken *string
	}
	if req.TokenValidityUnits != nil {
		units = *req.TokenValidityUnits
	}
	spec := domain.ClientSpec{
		AccessToken: validity(req.AccessTokenValidity, units.AccessToken, tollgate.Hours),
		IDToken:     validity(req.IDTokenValidity, units.IDToken, tollgate.Hours),
	}
	// Cognito replaces a refresh token validity of 0 with its default.
	if req.RefreshTokenValidity == nil || *req.RefreshTokenValidity != 0 {
		spec.RefreshToken = validity(req.RefreshTokenValidity, units.RefreshToken, tollgate.Days)
	}
	if req.ClientName != nil {
		spec.Name = *req.ClientName
	}
	if err := domain.CheckValidities(spec); err != nil {
		return spec, err
	}
	spec.ExplicitAuthFlows = slices.Clone(defaultExplicitAuthFlows)
	if req.ExplicitAuthFlows != nil {
		spec.ExplicitAuthFlows = []string{}
		for _, f := range req.ExplicitAuthFlows {
			if !slices.Contains(spec.ExplicitAuthFlows, f) {
				spec.ExplicitAuthFlows = append(spec.ExplicitAuthFlows, f)
			}
		}
	}
	oauth := req.AllowedOAuthFlowsUserPoolClient != nil && *req.AllowedOAuthFlowsUserPoolClient
	if oauth && (len(req.AllowedOAuthFlows) == 0 || len(req.AllowedOAuthScopes) == 0) {
		return spec, invalid("AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.")
	}
	if !oauth && len(req.AllowedOAuthFlows) > 0 {
		return spec, invalid("AllowedOAuthFlowsUserPoolClient must be true for the client to use AllowedOAuthFlows.")
	}
	if oauth {
		spec.OAuthFlows, spec.Scopes = req.AllowedOAuthFlows, req.AllowedOAuthScopes
	}
	return spec, nil
}

// clientError maps the domain's refusals of a client's settings to
// Cognito's answers.
func clientError(err error) error {
	var (
		flow  *domain.FlowError
		scope *domain.UnknownScopeError
		taken *domain.NameTakenError
	)
	switch {
	case errors.Is(err, domain.ErrBadValidity):
		return invalid("%s", held(msgTokenValidityRange))
	case errors.As(err, &flow):
		return errorf(http.StatusBadRequest, typeInvalidOAuthFlow, "Tollgate serves the client_credentials flow only: the %s flow needs a hosted sign-in page, which it does not have.", flow.Flow)
	case errors.Is(err, domain.ErrSecretRequired):
		return errorf(http.StatusBadRequest, typeInvalidOAuthFlow, "client_credentials flow can not be selected if client does not have a client secret.")
	case errors.As(err, &scope):
		return errorf(http.StatusBadRequest, typeScopeNotFound, "Invalid scope requested: %s", printable(scope.Scope))
	case errors.As(err, &taken):
		return invalid("A client named %q already exists in user pool %s (%s); Tollgate requires client names to be unique in a pool.", printable(taken.Name), held(taken.PoolID), held(taken.TakenBy))
	}
	return err
}

func (h *Handler) createUserPoolClient(ctx context.Context, region string, in []byte) (any, error) {
	var req clientInput
	if err := decode(in, &req); err != nil {
		return nil, err
	}
	if err := req.checkCreate(); err != nil {
		return nil, err
	}
	if req.ClientSecret != nil && req.GenerateSecret {
		return nil, invalid("You cannot specify both GenerateSecret as true and provide a ClientSecret value.")
	}
	p, err := h.getPool(ctx, region, *req.UserPoolID)
	if err != nil {
		return nil, err
	}
	spec, err := req.spec()
	if err != nil {
		return nil, clientError(err)
	}
	secret := domain.SecretChoice{Generate: req.GenerateSecret}
	if req.ClientSecret != nil {
		secret.Given = *req.ClientSecret
	}
	c, _, err := h.svc.CreateClient(ctx, p.ID, spec, secret)
	if tollgate.IsLimit(err) {
		return nil, limitExceeded("User pool %s already has the maximum number of app clients (%d).", held(p.ID), tollgate.MaxClientsPerPool)
	}
	if err != nil {
		return nil, clientError(err)
	}
	h.changed(ctx)
	return h.clientReply(c)
}

// getClient returns the pool's client, or Cognito's not found.
func (h *Handler) getClient(ctx context.Context, region, poolID, clientID string) (*tollgate.Client, error) {
	if _, err := h.getPool(ctx, region, poolID); err != nil {
		return nil, err
	}
	c, err := h.opts.Store.GetClient(ctx, clientID)
	if tollgate.IsNotFound(err) || (err == nil && c.PoolID != poolID) {
		return nil, notFound("User pool client %s does not exist.", printable(clientID))
	}
	return c, err
}

func (h *Handler) describeUserPoolClient(ctx context.Context, region string, in []byte) (any, error) {
	c, err := h.readClientRef(ctx, region, in)
	if err != nil {
		return nil, err
	}
	return h.clientReply(c)
}

// updateUserPoolClient replaces the client's settings. As in Cognito,
// members left out are reset to their defaults, not kept; the name is kept
// when omitted.
func (h *Handler) updateUserPoolClient(ctx context.Context, region string, in []byte) (any, error) {
	var req clientInput
	if err := decode(in, &req); err != nil {
		return nil, err
	}
	if err := req.checkUpdate(); err != nil {
		return nil, err
	}
	cur, err := h.getClient(ctx, region, *req.UserPoolID, *req.ClientID)
	if err != nil {
		return nil, err
	}
	if err := h.svc.Writable(ctx, domain.ActionClientUpdate, tollgate.ObjectClient, audit.Target{PoolID: cur.PoolID, ClientID: cur.ID}, cur.ConfigKey); err != nil {
		return nil, err
	}
	spec, err := req.spec()
	if err != nil {
		return nil, clientError(err)
	}
	next, err := h.svc.UpdateClient(ctx, cur, spec)
	if err != nil {
		return nil, clientError(err)
	}
	h.changed(ctx)
	return h.clientReply(next)
}

// clientReply is the answer that carries a client: {"UserPoolClient": …}.
func (h *Handler) clientReply(c *tollgate.Client) (any, error) {
	view, err := h.clientView(c)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPoolClient": view}, nil
}

func (h *Handler) deleteUserPoolClient(ctx context.Context, region string, in []byte) (any, error) {
	c, err := h.readClientRef(ctx, region, in)
	if err != nil {
		return nil, err
	}
	return h.deleted(ctx, h.svc.DeleteClient(ctx, c))
}

func (h *Handler) listUserPoolClients(ctx context.Context, region string, in []byte) (any, error) {
	p, req, err := h.poolListRequest(ctx, region, in, queryLimit, paginationKey)
	if err != nil {
		return nil, err
	}
	clients, err := h.opts.Store.ListClients(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	type description struct {
		ClientID   string `json:"ClientId"`
		UserPoolID string `json:"UserPoolId"`
		ClientName string `json:"ClientName"`
	}
	views, next, err := pageViews(clients, req.MaxResults, req.NextToken, 60, func(c *tollgate.Client) description {
		return description{c.ID, c.PoolID, c.Name}
	})
	if err != nil {
		return nil, err
	}
	return struct {
		UserPoolClients []description `json:"UserPoolClients"`
		NextToken       *string       `json:"NextToken,omitempty"`
	}{views, next}, nil
}
