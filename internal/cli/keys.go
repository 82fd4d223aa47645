package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/signer"
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
		Long: fmt.Sprintf(`Rotate makes the pool's next key active, retires the active key and
publishes a new next key. Running servers pick the change up within their
poll interval.

The next key has been published in the JWKS since it was created (by the
previous rotation, or with the pool's first keys), and the JWKS is served
with a max-age of %s, so verifiers that cache it learn the key before it
signs. Rotate therefore refuses while the next key is younger than %s
(that max-age plus a margin for poll intervals and clock skew), and says
when rotation becomes possible. --force rotates anyway: a verifier that
fetched the JWKS before the next key appeared refuses the tokens it signs
until it fetches the JWKS again (up to %s).

The retired key stops signing but stays in the JWKS for %s — the
longest access-token validity a client may have (one day), plus five
minutes of clock skew — so every token it signed stays valid until it
expires, whatever the pool's clients' validities are now. --retire-now
drops it from the JWKS at once instead: Tollgate's gateway refuses every
token it signed within the poll interval, verifiers that cache the JWKS
once their copy expires (up to %s). That is the answer to a leaked key.
--retire-now does not imply --force; a leaked key right after a rotation
needs both.

Retired keys are deleted from the store by the first rotation after they
leave the JWKS. A pool with no keys yet (it has signed no token and served
no JWKS, so no verifier knows its keys) gets its first keys and is rotated
at once.`, signer.JWKSMaxAge, signer.PublishLead, signer.JWKSMaxAge, tollgate.KeyRetention, signer.JWKSMaxAge),
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
	rotate.Flags().BoolVar(&force, "force", false, "rotate even if the next key was published less than "+signer.PublishLead.String()+" ago: verifiers holding an older JWKS refuse its tokens until they fetch it again")
	rotate.Flags().BoolVar(&retireNow, "retire-now", false, "drop the active key from the JWKS at once, invalidating every token it signed (for a leaked key), instead of keeping it for "+tollgate.KeyRetention.String())
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
