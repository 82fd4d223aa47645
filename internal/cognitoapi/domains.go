package cognitoapi

import (
	"context"
	"regexp"
	"strings"

	"github.com/tollgate/tollgate"
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

// prefixPattern is what a prefix domain must match: DomainType's pattern,
// which Cognito checks after the request's shape, with its own message
// (msgDomainInvalid), since the same member takes custom domains.
var prefixPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`)

// reservedWords may not appear in a prefix domain, as AWS's documentation
// lists them; which one Cognito names when a prefix holds two is not
// recorded.
var reservedWords = []string{"aws", "amazon", "cognito"}

func (h *Handler) createUserPoolDomain(ctx context.Context, region string, in []byte) (any, error) {
	var req struct {
		Domain, UserPoolId  *string
		ManagedLoginVersion *int
		CustomDomainConfig  *struct{ CertificateArn *string }
	}
	if err := decode(in, &req); err != nil {
		return nil, err
	}
	var v validation
	v.str("domain", req.Domain, true, domainType)
	v.str("userPoolId", req.UserPoolId, true, userPoolIDType)
	if req.CustomDomainConfig != nil {
		v.str("customDomainConfig.certificateArn", req.CustomDomainConfig.CertificateArn, true, arnType)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if req.CustomDomainConfig != nil {
		return nil, invalid("Tollgate serves a custom domain with certificate files, not an ACM certificate: declare it in the config file (customDomain with certificate certFile and keyFile).")
	}
	if err := checkPrefix(*req.Domain); err != nil {
		return nil, err
	}
	p, err := h.getPool(ctx, region, *req.UserPoolId)
	if err != nil {
		return nil, err
	}
	if err := h.checkDomainFree(ctx, p.ID, *req.Domain); err != nil {
		return nil, err
	}
	d := &tollgate.Domain{Domain: *req.Domain, PoolID: p.ID, CreatedAt: h.now()}
	if err := h.opts.Store.PutDomain(ctx, d); err != nil {
		if tollgate.KindOf(err) == tollgate.KindConflict { // another pool took it meanwhile
			return nil, invalid("%s", held(msgDomainTaken))
		}
		return nil, err
	}
	h.changed(ctx)
	return map[string]any{"ManagedLoginVersion": 1}, nil
}

// checkPrefix refuses a prefix domain Cognito refuses: one that breaks
// DomainType's pattern, or has a reserved word in it.
func checkPrefix(domain string) error {
	if !prefixPattern.MatchString(domain) {
		return invalid("%s", held(msgDomainInvalid))
	}
	for _, w := range reservedWords {
		if strings.Contains(domain, w) {
			return invalid("%s%s", held(msgDomainReserved), held(w))
		}
	}
	return nil
}

// checkDomainFree refuses a domain the pool cannot take: the pool's own
// prefix domain, then any other prefix domain of the pool (a pool has
// one), then a domain of another pool. Which of the last two Cognito says
// when both hold is not recorded.
func (h *Handler) checkDomainFree(ctx context.Context, poolID, domain string) error {
	domains, err := h.opts.Store.ListDomains(ctx, poolID)
	if err != nil {
		return err
	}
	for _, d := range domains {
		switch {
		case d.Custom:
		case d.Domain == domain:
			return invalid("%s", held(msgDomainExists))
		default:
			return invalid("%s", held(msgPoolHasDomain))
		}
	}
	if _, err := h.opts.Store.GetDomain(ctx, domain); err == nil {
		return invalid("%s", held(msgDomainTaken))
	} else if !tollgate.IsNotFound(err) {
		return err
	}
	return nil
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
	v.str("domain", req.Domain, true, describedDomainType)
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
	v.str("domain", req.Domain, true, describedDomainType)
	v.str("userPoolId", req.UserPoolId, true, userPoolIDType)
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
