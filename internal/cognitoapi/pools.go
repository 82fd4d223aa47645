package cognitoapi

import (
	"context"
	"errors"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

// userPool is UserPoolType as Tollgate fills it: what it stores (the pre
// token generation trigger in LambdaConfig among it), and the fixed values
// of what it does not serve (users, MFA, the other triggers), as a new
// pool shows them.
type userPool struct {
	ID                     string            `json:"Id"`
	Name                   string            `json:"Name"`
	Arn                    string            `json:"Arn"`
	CreationDate           epoch             `json:"CreationDate"`
	LastModifiedDate       epoch             `json:"LastModifiedDate"`
	Domain                 string            `json:"Domain,omitempty"`
	CustomDomain           string            `json:"CustomDomain,omitempty"`
	Policies               map[string]any    `json:"Policies"`
	LambdaConfig           map[string]any    `json:"LambdaConfig"`
	MfaConfiguration       string            `json:"MfaConfiguration"`
	EstimatedNumberOfUsers int               `json:"EstimatedNumberOfUsers"`
	DeletionProtection     string            `json:"DeletionProtection"`
	UserPoolTier           string            `json:"UserPoolTier"`
	UserPoolTags           map[string]string `json:"UserPoolTags"`
	AdminCreateUserConfig  map[string]any    `json:"AdminCreateUserConfig"`
	SchemaAttributes       []map[string]any  `json:"SchemaAttributes"`
	// VerificationMessageTemplate and EmailConfiguration are a new pool's.
	VerificationMessageTemplate map[string]any `json:"VerificationMessageTemplate"`
	EmailConfiguration          map[string]any `json:"EmailConfiguration"`
}

// standardAttributes is the schema of a new pool's standard attributes, as
// DescribeUserPool lists them.
var standardAttributes = func() []map[string]any {
	// Every standard attribute is mutable and optional, but sub.
	attr := func(name, typ string) map[string]any {
		sub := name == "sub"
		a := map[string]any{"Name": name, "AttributeDataType": typ, "DeveloperOnlyAttribute": false, "Mutable": !sub, "Required": sub}
		switch {
		case name == "sub":
			a["StringAttributeConstraints"] = map[string]any{"MinLength": "1", "MaxLength": "2048"}
		case name == "birthdate":
			a["StringAttributeConstraints"] = map[string]any{"MinLength": "10", "MaxLength": "10"}
		case typ == "String":
			a["StringAttributeConstraints"] = map[string]any{"MinLength": "0", "MaxLength": "2048"}
		case typ == "Number":
			a["NumberAttributeConstraints"] = map[string]any{"MinValue": "0"}
		}
		return a
	}
	out := []map[string]any{attr("sub", "String")}
	for _, name := range []string{"name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
		"profile", "picture", "website", "email"} {
		out = append(out, attr(name, "String"))
	}
	out = append(out, attr("email_verified", "Boolean"))
	for _, name := range []string{"gender", "birthdate", "zoneinfo", "locale", "phone_number"} {
		out = append(out, attr(name, "String"))
	}
	out = append(out, attr("phone_number_verified", "Boolean"), attr("address", "String"),
		attr("updated_at", "Number"))
	return out
}()

func (h *Handler) poolView(ctx context.Context, p *tollgate.UserPool) (*userPool, error) {
	v := &userPool{
		ID: p.ID, Name: p.Name,
		Arn:          "arn:aws:cognito-idp:" + p.Region + ":" + h.opts.AccountID + ":userpool/" + p.ID,
		CreationDate: epoch(p.CreatedAt), LastModifiedDate: epoch(p.UpdatedAt),
		Policies: map[string]any{"PasswordPolicy": map[string]any{
			"MinimumLength": 8, "RequireUppercase": true, "RequireLowercase": true, "RequireNumbers": true,
			"RequireSymbols": true, "TemporaryPasswordValidityDays": 7,
		}},
		LambdaConfig:                lambdaConfigView(p),
		MfaConfiguration:            "OFF",
		DeletionProtection:          "INACTIVE",
		UserPoolTier:                "ESSENTIALS",
		UserPoolTags:                map[string]string{},
		AdminCreateUserConfig:       map[string]any{"AllowAdminCreateUserOnly": false, "UnusedAccountValidityDays": 7},
		SchemaAttributes:            standardAttributes,
		VerificationMessageTemplate: map[string]any{"DefaultEmailOption": "CONFIRM_WITH_CODE"},
		EmailConfiguration:          map[string]any{"EmailSendingAccount": "COGNITO_DEFAULT"},
	}
	domains, err := h.opts.Store.ListDomains(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, d := range domains {
		if d.Custom {
			v.CustomDomain = d.Domain
		} else {
			v.Domain = d.Domain
		}
	}
	return v, nil
}

// getPool returns the pool, or ResourceNotFoundException as Cognito words
// it. Cognito's endpoints are regional: a call signed for one region sees
// only that region's pools, so a pool of another region does not exist for
// it.
func (h *Handler) getPool(ctx context.Context, region, id string) (*tollgate.UserPool, error) {
	p, err := h.opts.Store.GetPool(ctx, id)
	if tollgate.IsNotFound(err) || (err == nil && p.Region != region) {
		return nil, notFound("User pool %s does not exist.", id)
	}
	return p, err
}

// poolListInput is the input of the operations that list a pool's objects.
type poolListInput struct {
	poolRef
	MaxResults *int
	NextToken  *string
}

// poolListRequest reads and validates a poolListInput, with the operation's
// shapes of MaxResults and NextToken, and returns the pool it names.
func (h *Handler) poolListRequest(ctx context.Context, region string, in []byte, limit intShape, key strShape) (*tollgate.UserPool, *poolListInput, error) {
	var req poolListInput
	err := readRequest(in, &req, func(v *validation) {
		req.check(v)
		v.optionalInt("maxResults", req.MaxResults, limit)
		v.optional("nextToken", req.NextToken, key)
	})
	if err != nil {
		return nil, nil, err
	}
	p, err := h.getPool(ctx, region, *req.UserPoolID)
	if err != nil {
		return nil, nil, err
	}
	return p, &req, nil
}

// poolSettings are the members CreateUserPool and UpdateUserPool share that
// Tollgate reads; the others are not kept and not shown.
type poolSettings struct {
	DeletionProtection *string
	LambdaConfig       *lambdaConfig
	MfaConfiguration   *string
	UserPoolTier       *string
}

// check validates the settings' shapes in the model's order, which puts
// them after PoolName (CreateUserPool) or UserPoolId (UpdateUserPool).
func (r *poolSettings) check(v *validation) {
	v.optional("deletionProtection", r.DeletionProtection, deletionProtectionType)
	r.LambdaConfig.check(v)
	v.optional("mfaConfiguration", r.MfaConfiguration, userPoolMfaType)
	v.optional("userPoolTier", r.UserPoolTier, userPoolTierType)
}

// spec refuses what Tollgate does not serve and returns the domain's spec
// of valid settings.
func (r *poolSettings) spec() (domain.PoolSpec, error) {
	if r.DeletionProtection != nil && *r.DeletionProtection == "ACTIVE" {
		return domain.PoolSpec{}, invalid("Tollgate does not support deletion protection; omit DeletionProtection or set it to INACTIVE.")
	}
	spec, err := r.LambdaConfig.spec()
	if err != nil {
		return spec, err
	}
	if r.MfaConfiguration != nil && *r.MfaConfiguration != "OFF" {
		return spec, invalid("Tollgate serves machine-to-machine clients only and has no users to ask for MFA; omit MfaConfiguration or set it to OFF.")
	}
	return spec, nil
}

func (h *Handler) createUserPool(ctx context.Context, region string, in []byte) (any, error) {
	var req struct {
		PoolName *string
		poolSettings
	}
	err := readRequest(in, &req, func(v *validation) {
		v.required("poolName", req.PoolName, userPoolNameType)
		req.check(v)
	})
	if err != nil {
		return nil, err
	}
	spec, err := req.spec()
	if err != nil {
		return nil, err
	}
	p, err := h.svc.CreatePoolWith(ctx, *req.PoolName, region, spec)
	var taken *domain.NameTakenError
	switch {
	case errors.Is(err, domain.ErrBadRegion):
		return nil, invalid("Region %s is not a region name like us-east-1.", region)
	case errors.As(err, &taken):
		return nil, invalid("A user pool named %q already exists (%s); Tollgate requires pool names to be unique.", taken.Name, held(taken.TakenBy))
	case err != nil:
		return nil, err
	}
	h.changed(ctx)
	return h.poolReply(ctx, p)
}

// updateUserPool replaces the pool's settings with the request's, as
// Cognito does: "If you don't provide a value for an attribute, Amazon
// Cognito sets it to its default value", the Lambda triggers included
// (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-updating.html).
// A request without LambdaConfig removes the pool's trigger. Its answer
// is empty, as UpdateUserPoolResponse is.
func (h *Handler) updateUserPool(ctx context.Context, region string, in []byte) (any, error) {
	var req struct {
		poolRef
		poolSettings
	}
	err := readRequest(in, &req, func(v *validation) {
		req.poolRef.check(v)
		req.poolSettings.check(v)
	})
	if err != nil {
		return nil, err
	}
	cur, err := h.getPool(ctx, region, *req.UserPoolID)
	if err != nil {
		return nil, err
	}
	if err := domain.CheckWritable(tollgate.ObjectPool, cur.ID, cur.ConfigKey); err != nil {
		return nil, err
	}
	spec, err := req.spec()
	if err != nil {
		return nil, err
	}
	if _, err := h.svc.UpdatePool(ctx, cur, spec); err != nil {
		return nil, err
	}
	h.changed(ctx)
	return struct{}{}, nil
}

func (h *Handler) describeUserPool(ctx context.Context, region string, in []byte) (any, error) {
	p, err := h.readPool(ctx, region, in)
	if err != nil {
		return nil, err
	}
	return h.poolReply(ctx, p)
}

// poolReply is the answer that carries a pool: {"UserPool": …}.
func (h *Handler) poolReply(ctx context.Context, p *tollgate.UserPool) (any, error) {
	view, err := h.poolView(ctx, p)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPool": view}, nil
}

func (h *Handler) listUserPools(ctx context.Context, region string, in []byte) (any, error) {
	var req struct {
		MaxResults *int
		NextToken  *string
	}
	err := readRequest(in, &req, func(v *validation) {
		v.optional("nextToken", req.NextToken, paginationKeyType)
		v.requiredInt("maxResults", req.MaxResults, poolQueryLimitType)
	})
	if err != nil {
		return nil, err
	}
	all, err := h.opts.Store.ListPools(ctx)
	if err != nil {
		return nil, err
	}
	pools := all[:0:0]
	for _, p := range all { // the signing region's pools only
		if p.Region == region {
			pools = append(pools, p)
		}
	}
	type description struct {
		ID               string         `json:"Id"`
		Name             string         `json:"Name"`
		LambdaConfig     map[string]any `json:"LambdaConfig"`
		CreationDate     epoch          `json:"CreationDate"`
		LastModifiedDate epoch          `json:"LastModifiedDate"`
	}
	views, next, err := pageViews(pools, req.MaxResults, req.NextToken, 60, func(p *tollgate.UserPool) description {
		return description{p.ID, p.Name, lambdaConfigView(p), epoch(p.CreatedAt), epoch(p.UpdatedAt)}
	})
	if err != nil {
		return nil, err
	}
	return struct {
		UserPools []description `json:"UserPools"`
		NextToken *string       `json:"NextToken,omitempty"`
	}{views, next}, nil
}

func (h *Handler) deleteUserPool(ctx context.Context, region string, in []byte) (any, error) {
	p, err := h.readPool(ctx, region, in)
	if err != nil {
		return nil, err
	}
	err = h.svc.DeletePool(ctx, p)
	if errors.Is(err, domain.ErrPoolHasDomain) {
		return nil, invalid("User pool cannot be deleted. It has a domain configured that should be deleted first.")
	}
	return h.deleted(ctx, err)
}
