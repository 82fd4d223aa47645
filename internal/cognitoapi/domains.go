package cognitoapi

import (
	"context"
	"strings"

	"github.com/tollgate/tollgate"
)

func (h *Handler) createUserPoolDomain(ctx context.Context, region string, in []byte) (any, error) {
	var req struct {
		Domain, UserPoolId  *string
		CustomDomainConfig  *struct{ CertificateArn *string }
		ManagedLoginVersion *int
	}
	if err := decode(in, &req); err != nil {
		return nil, err
	}
	var v validation
	v.str(req.Domain, "domain", true, 1, 63, nil)
	v.str(req.UserPoolId, "userPoolId", true, 1, 55, poolIDPattern)
	if err := v.err(); err != nil {
		return nil, err
	}
	if req.CustomDomainConfig != nil {
		return nil, invalid("Tollgate serves a custom domain with certificate files, not an ACM certificate: declare it in the config file (customDomain with certificate certFile and keyFile).")
	}
	if req.Domain != nil && !domainPattern.MatchString(*req.Domain) {
		v.add(req.Domain, "domain", "Member must satisfy regular expression pattern: "+strings.Trim(domainPattern.String(), "^$"))
		return nil, v.err()
	}
	for _, reserved := range []string{"aws", "amazon", "cognito"} {
		if strings.Contains(*req.Domain, reserved) {
			return nil, invalid("Domain names cannot contain the reserved word %q.", reserved)
		}
	}
	p, err := h.getPool(ctx, region, *req.UserPoolId)
	if err != nil {
		return nil, err
	}
	if _, err := h.opts.Store.GetDomain(ctx, *req.Domain); err == nil {
		return nil, invalid("Domain already exists.")
	} else if !tollgate.IsNotFound(err) {
		return nil, err
	}
	domains, err := h.opts.Store.ListDomains(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, d := range domains {
		if !d.Custom {
			return nil, invalid("User pool already has a domain configured.")
		}
	}
	d := &tollgate.Domain{Domain: *req.Domain, PoolID: p.ID, CreatedAt: h.now()}
	if err := h.opts.Store.PutDomain(ctx, d); err != nil {
		if tollgate.KindOf(err) == tollgate.KindConflict {
			return nil, invalid("Domain already exists.")
		}
		return nil, err
	}
	h.changed(ctx)
	return map[string]any{"ManagedLoginVersion": 1}, nil
}

// describeUserPoolDomain answers an unknown domain, or one of a pool in
// another region than the call's, with an empty description, as Cognito
// does, not an error.
func (h *Handler) describeUserPoolDomain(ctx context.Context, region string, in []byte) (any, error) {
	var req struct{ Domain *string }
	if err := decode(in, &req); err != nil {
		return nil, err
	}
	var v validation
	v.str(req.Domain, "domain", true, 1, 253, nil)
	if err := v.err(); err != nil {
		return nil, err
	}
	d, err := h.opts.Store.GetDomain(ctx, *req.Domain)
	if tollgate.IsNotFound(err) {
		return map[string]any{"DomainDescription": struct{}{}}, nil
	}
	if err != nil {
		return nil, err
	}
	p, err := h.opts.Store.GetPool(ctx, d.PoolID)
	if err != nil && !tollgate.IsNotFound(err) {
		return nil, err
	}
	if err != nil || p.Region != region {
		return map[string]any{"DomainDescription": struct{}{}}, nil
	}
	desc := map[string]any{
		"UserPoolId":          d.PoolID,
		"AWSAccountId":        h.opts.AccountID,
		"Domain":              d.Domain,
		"Version":             "1",
		"Status":              "ACTIVE",
		"ManagedLoginVersion": 1,
		// Cognito serves a domain through CloudFront; Tollgate serves it
		// itself, at the host name a client would resolve.
		"CloudFrontDistribution": d.Host(p.Region, "amazoncognito.com"),
	}
	if d.Custom {
		// Tollgate keeps certificate files, not an ACM certificate ARN.
		desc["CustomDomainConfig"] = map[string]any{}
	}
	return map[string]any{"DomainDescription": desc}, nil
}

func (h *Handler) deleteUserPoolDomain(ctx context.Context, region string, in []byte) (any, error) {
	var req struct{ Domain, UserPoolId *string }
	if err := decode(in, &req); err != nil {
		return nil, err
	}
	var v validation
	v.str(req.Domain, "domain", true, 1, 253, nil)
	v.str(req.UserPoolId, "userPoolId", true, 1, 55, poolIDPattern)
	if err := v.err(); err != nil {
		return nil, err
	}
	p, err := h.getPool(ctx, region, *req.UserPoolId)
	if err != nil {
		return nil, err
	}
	d, err := h.opts.Store.GetDomain(ctx, *req.Domain)
	if tollgate.IsNotFound(err) || (err == nil && d.PoolID != p.ID) {
		return nil, invalid("No such domain or user pool exists.")
	}
	if err != nil {
		return nil, err
	}
	if d.ConfigKey != "" {
		return nil, readOnly("Domain", d.Domain, d.ConfigKey)
	}
	if err := h.opts.Store.DeleteDomain(ctx, d.Domain); err != nil {
		return nil, err
	}
	h.changed(ctx)
	return struct{}{}, nil
}
