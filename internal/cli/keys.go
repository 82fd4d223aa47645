package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

func (a *app) keysCommand() *cobra.Command {
	return group("keys", "List and rotate a pool's signing keys", a.keysList(), a.keysRotate())
}

func (a *app) keysList() *cobra.Command {
	var asJSON bool
	list := &cobra.Command{
		Use:   "list POOL",
		Short: "List a pool's signing keys and their states (next, active, retired)",
		Args:  cobra.ExactArgs(1),
		RunE: a.onStore(onPool(func(ctx context.Context, s *session, p *tollgate.UserPool) error {
			keys, err := s.st.ListSigningKeys(ctx, p.ID)
			if err != nil {
				return err
			}
			return printKeys(output{a.stdout, asJSON}, keys)
		})),
	}
	jsonFlag(list, &asJSON)
	return list
}

func (a *app) keysRotate() *cobra.Command {
	var rotateJSON, force, retireNow bool
	rotate := &cobra.Command{
		Use:   "rotate POOL",
		Short: "Rotate a pool's signing keys: the published next key starts signing, the active key is retired",
		Long: `Rotate makes the pool's next key active. That key has been published in the
JWKS since the previous rotation, so verifiers that cache the JWKS already
know it; rotate refuses (without --force) when the next key was published
too recently for every verifier's cached JWKS to hold it. The previously
active key stops signing but stays in the JWKS until every token it signed
has expired (one day, the longest access-token validity, plus five minutes)
— or, with --retire-now, leaves it at once, invalidating its tokens: the
answer to a leaked key. A new next key is published at once. Running
servers pick the change up within their poll interval.`,
		Args: cobra.ExactArgs(1),
		RunE: a.onStoreAndVault(onPool(func(ctx context.Context, s *session, p *tollgate.UserPool) error {
			keys, err := s.svc.RotateKeys(ctx, p.ID, domain.Rotation{Force: force, RetireNow: retireNow, Logger: a.logger()})
			if err != nil {
				return err
			}
			return printKeys(output{a.stdout, rotateJSON}, keys)
		})),
	}
	jsonFlag(rotate, &rotateJSON)
	rotate.Flags().BoolVar(&force, "force", false, "rotate even if the next key was published too recently for all verifiers to know it")
	rotate.Flags().BoolVar(&retireNow, "retire-now", false, "drop the active key from the JWKS at once, invalidating every token it signed (for a leaked key)")
	return rotate
}

// keyView is a signing key as the JSON output shows it.
type keyView struct {
	KID         string            `json:"Kid"`
	Algorithm   string            `json:"Algorithm"`
	State       tollgate.KeyState `json:"State"`
	CreatedAt   string            `json:"CreationDate"`
	ActivatedAt string            `json:"ActivationDate,omitempty"`
	ExpiresAt   string            `json:"ExpirationDate,omitempty"`
}

func newKeyView(k tollgate.SigningKey) keyView {
	v := keyView{KID: k.KID, Algorithm: k.Algorithm, State: k.State, CreatedAt: fmtTime(k.CreatedAt)}
	if !k.ActivatedAt.IsZero() {
		v.ActivatedAt = fmtTime(k.ActivatedAt)
	}
	if !k.ExpiresAt.IsZero() {
		v.ExpiresAt = fmtTime(k.ExpiresAt)
	}
	return v
}

// printKeys writes a pool's signing keys as a JSON array or a table.
func printKeys(out output, keys []tollgate.SigningKey) error {
	if !out.asJSON && len(keys) == 0 {
		_, err := fmt.Fprintln(out.w, "No keys yet: they are created when the pool signs its first token or serves its JWKS.")
		return err
	}
	return printListing(out, keys, newKeyView,
		[]string{"KID", "ALG", "STATE", "CREATED", "ACTIVATED", "LEAVES JWKS"},
		func(k tollgate.SigningKey) []string {
			return []string{k.KID, k.Algorithm, string(k.State), fmtTime(k.CreatedAt), fmtTime(k.ActivatedAt), fmtTime(k.ExpiresAt)}
		})
}
