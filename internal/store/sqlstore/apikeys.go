package sqlstore

import (
	"context"

	"github.com/tollgate/tollgate"
)

// The API key and usage plan tables are being written; until then these
// refuse.

var errTODOAPIKeys = tollgate.Errorf(tollgate.KindInternal, "API keys are not stored yet")

func (s *Store) CreateAPIKey(context.Context, *tollgate.APIKey) error { return errTODOAPIKeys }
func (s *Store) GetAPIKey(context.Context, string) (*tollgate.APIKey, error) {
	return nil, errTODOAPIKeys
}
func (s *Store) ListAPIKeys(context.Context) ([]*tollgate.APIKey, error) { return nil, nil }
func (s *Store) UpdateAPIKey(context.Context, *tollgate.APIKey, tollgate.Owner) error {
	return errTODOAPIKeys
}
func (s *Store) DeleteAPIKey(context.Context, string, tollgate.Owner) error { return errTODOAPIKeys }
func (s *Store) PutUsagePlan(context.Context, *tollgate.UsagePlan, tollgate.Owner) error {
	return errTODOAPIKeys
}
func (s *Store) GetUsagePlan(context.Context, string) (*tollgate.UsagePlan, error) {
	return nil, errTODOAPIKeys
}
func (s *Store) ListUsagePlans(context.Context) ([]*tollgate.UsagePlan, error) { return nil, nil }
func (s *Store) DeleteUsagePlan(context.Context, string, tollgate.Owner) error {
	return errTODOAPIKeys
}
func (s *Store) AddUsage(context.Context, []tollgate.UsageRecord) error { return errTODOAPIKeys }
func (s *Store) Usage(context.Context, string, string, string, string) ([]tollgate.UsageRecord, error) {
	return nil, errTODOAPIKeys
}
