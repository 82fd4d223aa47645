package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
)

// attempts is how many times Apply and Deploy try before a conflict is
// returned. Nodes that start together on one database may race to create
// the same objects; the loser sees a conflict, and applying again finds
// what the winner created.
const attempts = 3

// Apply reconciles the store with a config file (config.ApplyWith),
// applying again after a conflict with another writer.
func (s *Service) Apply(ctx context.Context, cfg *config.Config, opts config.ApplyOptions) (*config.Result, error) {
	res, err := s.retry(func() (*config.Result, error) {
		return config.ApplyWith(ctx, s.st, s.vault, cfg, s.clock(), opts)
	})
	s.recordApply(ctx, ActionConfigApply, strings.TrimSuffix(tollgate.ConfigKeyPrefix(cfg.Name), "/"), res, err)
	if err != nil {
		return nil, fmt.Errorf("apply config %q: %w", cfg.Name, err)
	}
	return res, nil
}

// Resolver maps a stack's template to a config, given the ids the stack's
// objects have in the store and the ones new objects will get.
type Resolver func(ids *config.IDs) (*config.Config, error)

// Deploy deploys a stack: it reads the ids its objects have
// (config.StackIDs), resolves the template with them and reconciles the
// store with the result as the stack's (config.ApplyWith). A store that
// changed in between is a conflict, after which it starts again, and
// resolve is called again. A Resolver's error is returned as it is.
func (s *Service) Deploy(ctx context.Context, stack string, resolve Resolver) (*config.Result, error) {
	res, err := s.retry(func() (*config.Result, error) {
		ids, err := config.StackIDs(ctx, s.st, stack)
		if err != nil {
			return nil, err
		}
		cfg, err := resolve(ids)
		if err != nil {
			return nil, &resolveError{err}
		}
		return config.ApplyWith(ctx, s.st, s.vault, cfg, s.clock(), config.ApplyOptions{Stack: stack, IDs: ids})
	})
	s.recordApply(ctx, ActionStackDeploy, strings.TrimSuffix(tollgate.StackKeyPrefix(stack), "/"), res, err)
	if re := (*resolveError)(nil); errors.As(err, &re) {
		return nil, re.err
	}
	if err != nil {
		return nil, fmt.Errorf("deploy stack %s: %w", stack, err)
	}
	return res, nil
}

// resolveError carries a Resolver's error out of retry unchanged.
type resolveError struct{ err error }

func (e *resolveError) Error() string { return e.err.Error() }

// retry runs apply until it succeeds, fails for another reason than a
// conflict, or has run attempts times.
func (s *Service) retry(apply func() (*config.Result, error)) (*config.Result, error) {
	var err error
	for range attempts {
		var res *config.Result
		if res, err = apply(); err == nil {
			return res, nil
		}
		if tollgate.KindOf(err) != tollgate.KindConflict {
			break
		}
	}
	return nil, err
}
