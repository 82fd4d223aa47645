package cognitoapi

import (
	"context"
	"errors"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

// Cognito's answers to a CreateUserPoolDomain it refuses, as recorded.
const (
	// mineiros-io/terraform-aws-cognito-user-pool#69 (Terraform showing
	// Cognito's InvalidParameterException).
	msgDomainInvalid = `The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`
	// "Domain cannot contain reserved word: aws": CloudTrail's errorMessage
	// in aws-solutions/content-analysis-on-aws#8; ": cognito" in
	// aws-amplify/amplify-cli#3854.
	msgDomainReserved = "Domain cannot contain reserved word: "
	// The pool already has this domain: pulumi/pulumi-aws#998,
	// hashicorp/terraform-provider-aws#45551.
	msgDomainExists = "Domain already exists."
	// The pool has another prefix domain: aws/aws-cdk#10062.
	msgPoolHasDomain = "User pool already has a domain configured."
	// Another pool has the domain: CloudFormation events in
	// aws-samples/websocket-chat-application#56,
	// aws-samples/amazon-elasticsearch-service-with-cognito#7,
	// aws-samples/aws-cdk-examples#402; Terraform in
	// aws-samples/dcv-web-portal#16.
	msgDomainTaken = "Domain already associated with another user pool."
)

func (h *Handler) createUserPoolDomain(ctx context.Context, region string, in []byte) (any, error) {
	var req struct {
		Domain *string
		poolRef
		ManagedLoginVersion *int
		CustomDomainConfig  *struct{ CertificateArn *string }
	}
	err := readRequest(in, &req, func(v *validation) {
		v.required("domain", req.Domain, domainType)
		req.check(v)
		if req.CustomDomainConfig != nil {
			v.required("customDomainConfig.certificateArn", req.CustomDomainConfig.CertificateArn, arnType)
		}
	})
	if err != nil {
		return nil, err
	}
	if req.CustomDomainConfig != nil {
		return nil, invalid("Tollgate serves a custom domain with certificate files, not an ACM certificate: declare it in the config file (customDomain with certificate certFile and keyFile).")
	}
	if err := domain.CheckPrefix(*req.Domain); err != nil {
		return nil, domainError(err)
	}
	p, err := h.getPool(ctx, region, *req.UserPoolID)
	if err != nil {
		return nil, err
	}
	if _, err := h.svc.CreateDomain(ctx, p.ID, *req.Domain); err != nil {
		return nil, domainError(err)
	}
	h.changed(ctx)
	return map[string]any{"ManagedLoginVersion": 1}, nil
}

// domainError maps the domain's refusals of a prefix domain to Cognito's
// recorded answers. Which of msgPoolHasDomain and msgDomainTaken Cognito
// gives when both hold is not recorded; the domain checks the pool first.
func domainError(err error) error {
	var reserved *domain.ReservedWordError
	switch {
	case errors.Is(err, domain.ErrBadPrefix):
		return invalid("%s", held(msgDomainInvalid))
	case errors.As(err, &reserved):
		return invalid("%s%s", held(msgDomainReserved), held(reserved.Word))
	case errors.Is(err, domain.ErrDomainExists):
		return invalid("%s", held(msgDomainExists))
	case errors.Is(err, domain.ErrPoolHasPrefix):
		return invalid("%s", held(msgPoolHasDomain))
	case errors.Is(err, domain.ErrDomainTaken):
		return invalid("%s", held(msgDomainTaken))
	}
	return err
}

// describeUserPoolDomain answers an unknown domain, or one of a pool in
// another region than the call's, with an empty description, as Cognito
// does, not an error.
func (h *Handler) describeUserPoolDomain(ctx context.Context, region string, in []byte) (any, error) {
	var req struct{ Domain *string }
	if err := readRequest(in, &req, func(v *validation) { v.required("domain", req.Domain, describedDomainType) }); err != nil {
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
	var req struct {
		Domain *string
		poolRef
	}
	err := readRequest(in, &req, func(v *validation) {
		v.required("domain", req.Domain, describedDomainType)
		req.check(v)
	})
	if err != nil {
		return nil, err
	}
	p, err := h.getPool(ctx, region, *req.UserPoolID)
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
	return h.deleted(ctx, h.svc.DeleteDomain(ctx, d))
}
