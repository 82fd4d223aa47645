package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

func (a *app) keysCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "List and rotate a pool's signing keys"}
	cmd.AddCommand(a.keysList(), a.keysRotate())
	return cmd
}

func (a *app) keysList() *cobra.Command {
	var asJSON bool
	list := &cobra.Command{
		Use:   "list POOL",
		Short: "List a pool's signing keys and their states (next, active, retired)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return a.withStore(ctx, func(s *session) error {
				p, err := findPool(ctx, s.st, args[0])
				if err != nil {
					return err
				}
				keys, err := s.st.ListSigningKeys(ctx, p.ID)
				if err != nil {
					return err
				}
				if asJSON {
					return a.printKeysJSON(keys)
				}
				return a.printKeys(keys)
			})
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
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
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return a.withStoreAndVault(ctx, func(s *session) error {
				p, err := findPool(ctx, s.st, args[0])
				if err != nil {
					return err
				}
				keys, err := s.svc.RotateKeys(ctx, p.ID, domain.Rotation{Force: force, RetireNow: retireNow, Logger: a.logger()})
				if err != nil {
					return err
				}
				if rotateJSON {
					return a.printKeysJSON(keys)
				}
				return a.printKeys(keys)
			})
		},
	}
	rotate.Flags().BoolVar(&rotateJSON, "json", false, "print JSON")
	rotate.Flags().BoolVar(&force, "force", false, "rotate even if the next key was published too recently for all verifiers to know it")
	rotate.Flags().BoolVar(&retireNow, "retire-now", false, "drop the active key from the JWKS at once, invalidating every token it signed (for a leaked key)")
	return rotate
}

// printKeysJSON writes a pool's signing keys as a JSON array.
func (a *app) printKeysJSON(keys []tollgate.SigningKey) error {
	type keyView struct {
		KID         string            `json:"Kid"`
		Algorithm   string            `json:"Algorithm"`
		State       tollgate.KeyState `json:"State"`
		CreatedAt   string            `json:"CreationDate"`
		ActivatedAt string            `json:"ActivationDate,omitempty"`
		ExpiresAt   string            `json:"ExpirationDate,omitempty"`
	}
	views := make([]keyView, 0, len(keys))
	for _, k := range keys {
		v := keyView{KID: k.KID, Algorithm: k.Algorithm, State: k.State, CreatedAt: fmtTime(k.CreatedAt)}
		if !k.ActivatedAt.IsZero() {
			v.ActivatedAt = fmtTime(k.ActivatedAt)
		}
		if !k.ExpiresAt.IsZero() {
			v.ExpiresAt = fmtTime(k.ExpiresAt)
		}
		views = append(views, v)
	}
	return printJSON(a.stdout, views)
}

// printKeys writes a pool's signing keys as a table.
func (a *app) printKeys(keys []tollgate.SigningKey) error {
	if len(keys) == 0 {
		_, err := fmt.Fprintln(a.stdout, "No keys yet: they are created when the pool signs its first token or serves its JWKS.")
		return err
	}
	rows := make([][]string, 0, len(keys))
	for _, k := range keys {
		rows = append(rows, []string{k.KID, k.Algorithm, string(k.State), fmtTime(k.CreatedAt), fmtTime(k.ActivatedAt), fmtTime(k.ExpiresAt)})
	}
	return printTable(a.stdout, []string{"KID", "ALG", "STATE", "CREATED", "ACTIVATED", "LEAVES JWKS"}, rows)
}
