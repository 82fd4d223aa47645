package domain

import (
	"context"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/signer"
)

// The reads below are what front ends that show the domain (the admin
// console) read through the Service rather than the store, so that every
// front end works with the same operations. They add no rule: a read is
// the store's answer.

// ListPools returns every pool.
func (s *Service) ListPools(ctx context.Context) ([]*tollgate.UserPool, error) {
	return s.st.ListPools(ctx)
}

// GetPool returns the pool id, or a KindNotFound error.
func (s *Service) GetPool(ctx context.Context, id string) (*tollgate.UserPool, error) {
	return s.st.GetPool(ctx, id)
}

// ListResourceServers returns the pool's resource servers.
func (s *Service) ListResourceServers(ctx context.Context, poolID string) ([]*tollgate.ResourceServer, error) {
	return s.st.ListResourceServers(ctx, poolID)
}

// GetResourceServer returns the pool's resource server identifier.
func (s *Service) GetResourceServer(ctx context.Context, poolID, identifier string) (*tollgate.ResourceServer, error) {
	return s.st.GetResourceServer(ctx, poolID, identifier)
}

// ListClients returns the pool's app clients.
func (s *Service) ListClients(ctx context.Context, poolID string) ([]*tollgate.Client, error) {
	return s.st.ListClients(ctx, poolID)
}

// GetClient returns the app client id.
func (s *Service) GetClient(ctx context.Context, id string) (*tollgate.Client, error) {
	return s.st.GetClient(ctx, id)
}

// ListDomains returns the pool's domains.
func (s *Service) ListDomains(ctx context.Context, poolID string) ([]*tollgate.Domain, error) {
	return s.st.ListDomains(ctx, poolID)
}

// ListSigningKeys returns the pool's signing keys (public parts and
// states; the private keys stay sealed).
func (s *Service) ListSigningKeys(ctx context.Context, poolID string) ([]tollgate.SigningKey, error) {
	return s.st.ListSigningKeys(ctx, poolID)
}

// ListAccessKeys returns the access keys (ids and descriptions; their
// secrets stay sealed).
func (s *Service) ListAccessKeys(ctx context.Context) ([]*tollgate.AccessKey, error) {
	return s.st.ListAccessKeys(ctx)
}

// ListUsagePlans returns every usage plan.
func (s *Service) ListUsagePlans(ctx context.Context) ([]*tollgate.UsagePlan, error) {
	return s.st.ListUsagePlans(ctx)
}

// GetUsagePlan returns the usage plan id.
func (s *Service) GetUsagePlan(ctx context.Context, id string) (*tollgate.UsagePlan, error) {
	return s.st.GetUsagePlan(ctx, id)
}

// Usage returns the usage records of plan and key (every key when keyID
// is "") for the UTC days from through to ("2006-01-02", inclusive).
func (s *Service) Usage(ctx context.Context, planID, keyID, from, to string) ([]tollgate.UsageRecord, error) {
	return s.st.Usage(ctx, planID, keyID, from, to)
}

// Timings of signing-key rotation, for front ends that explain them:
// a next key is published PublishLead before it may sign (RotateKeys
// refuses sooner, unless forced), and verifiers may cache the JWKS for
// JWKSMaxAge.
const (
	PublishLead = signer.PublishLead
	JWKSMaxAge  = signer.JWKSMaxAge
)
