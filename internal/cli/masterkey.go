package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/vault"
)

// checkMasterKey refuses a vault none of whose keys is the store's, before
// the command reads or writes anything else: a node given the wrong key
// would otherwise serve, refuse every client and fail to reveal any secret.
// The store keeps a check value sealed under its key
// (tollgate.SettingMasterKeyCheck). The first process to open the store with
// a key stores it (first write wins, so two nodes starting together on a new
// store with different keys cannot both start); on a store that holds
// sealed data written before check values existed, only once the key has
// opened that data.
func (a *app) checkMasterKey(ctx context.Context, st tollgate.Store, v *vault.Vault) error {
	check, err := st.GetSetting(ctx, tollgate.SettingMasterKeyCheck)
	if tollgate.IsNotFound(err) {
		if err := opensStoredData(ctx, st, v); err != nil {
			return a.wrongMasterKey(err)
		}
		check, err = st.InitSetting(ctx, tollgate.SettingMasterKeyCheck, v.NewCheck())
	}
	if err != nil {
		return fmt.Errorf("read the store's master key check: %w", err)
	}
	// Seal under the store's key, whichever of the vault's it is: a node
	// given a rotation's next key keeps sealing what every node can open
	// until the rotation switches the store (then the server follows).
	if _, err := v.SealUnder(check); err != nil {
		return a.wrongMasterKey(nil)
	}
	return nil
}

// wrongMasterKey is the refusal of a key the store was not created with;
// cause, if any, names the stored value it could not open.
func (a *app) wrongMasterKey(cause error) error {
	msg := "the master key (from " + a.keySource + ") does not match the key this store was created with, or was rotated to: nothing was done; give the store's key"
	if cause != nil {
		msg += " (" + cause.Error() + ")"
	}
	return reported(1, "%s", msg)
}

// opensStoredData returns nil when v opens the store's sealed data: one
// value of each kind the store holds (none for a new store). AES-GCM
// authenticates what it opens, so one value proves the key.
func opensStoredData(ctx context.Context, st tollgate.Store, v *vault.Vault) error {
	samples, err := sealedSamples(ctx, st)
	if err != nil {
		return err
	}
	for i, sv := range samples {
		key, err := v.KeyOf(sv.Sealed, sv.AAD())
		if err != nil {
			return fmt.Errorf("it does not open the %s", &sv)
		}
		if i == 0 {
			// The check value is sealed under the key the data is under,
			// never a rotation's next key that nothing was sealed with.
			if err := v.SealWith(key); err != nil {
				return err
			}
		}
	}
	return nil
}

// sealedSamples returns the first sealed value of each kind the store holds.
func sealedSamples(ctx context.Context, st tollgate.Store) ([]tollgate.SealedValue, error) {
	var out []tollgate.SealedValue
	keys, err := st.ListAccessKeys(ctx)
	if err != nil {
		return nil, err
	}
	if len(keys) > 0 {
		out = append(out, tollgate.SealedValue{Kind: tollgate.SealedAccessKey, ID: keys[0].ID, Sealed: keys[0].Sealed})
	}
	clients, err := st.ListClients(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, c := range clients {
		if len(c.Secrets) > 0 {
			out = append(out, tollgate.SealedValue{Kind: tollgate.SealedClientSecret, Owner: c.ID, ID: c.Secrets[0].ID, Sealed: c.Secrets[0].Sealed})
			break
		}
	}
	pools, err := st.ListPools(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range pools {
		ks, err := st.ListSigningKeys(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		if len(ks) > 0 {
			out = append(out, tollgate.SealedValue{Kind: tollgate.SealedSigningKey, Owner: p.ID, ID: ks[0].KID, Sealed: ks[0].Sealed})
			break
		}
	}
	return out, nil
}

func (a *app) masterKeyCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "master-key", Short: "Manage the master key"}
	cmd.AddCommand(&cobra.Command{
		Use:   "new",
		Short: "Print a fresh random master key (base64) for TOLLGATE_MASTER_KEY or a key file",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(a.stdout, vault.EncodeKey(vault.NewKey()))
			return err
		},
	}, a.masterKeyRotateCommand())
	return cmd
}

func (a *app) masterKeyRotateCommand() *cobra.Command {
	var newKeyFile string
	var settle time.Duration
	cmd := &cobra.Command{
		Use:   "rotate --new-key-file FILE",
		Short: "Re-seal every secret and key of the store under a new master key, while nodes keep serving",
		Long: `rotate moves the store from its master key to a new one: every client
secret (its sealed copy and its hash), every signing key's private half and
every access key's secret is re-sealed under the new key, each in its own
transaction, then the store's master key check is switched to the new key,
and after --settle a second pass re-seals what nodes sealed under the old key
before they saw the switch. Values already under the new key are skipped, so
running it again after an interruption finishes the job.

Before running it, give every node the new key as its next key
(--master-key-next-file or TOLLGATE_MASTER_KEY_NEXT) and restart it: nodes
then read data under either key and seal new data under the key the store
names, the old one until this command switches it, then the new one.
A node running with only the old key stops when the store switches. After
it, make the new key every node's only key (--master-key-file) and restart
them; a node given only the old key is refused at start.

The current key comes from TOLLGATE_MASTER_KEY or --master-key-file as for
every command; the new key from --new-key-file, or else the next key.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if settle < 0 {
				return reported(2, "--settle %s: want a duration of zero or more, e.g. 5s", settle)
			}
			return a.rotateMasterKey(cmd.Context(), newKeyFile, settle)
		},
	}
	cmd.Flags().DurationVar(&settle, "settle", 5*time.Second, "how long after switching the store to the new key to re-seal again what nodes sealed under the old key before they saw the switch (at least the nodes' --poll-interval)")
	cmd.Flags().StringVar(&newKeyFile, "new-key-file", "", "file holding the new master key (default: the next key, --master-key-next-file or TOLLGATE_MASTER_KEY_NEXT)")
	return cmd
}

// rotateMasterKey runs master-key rotate.
func (a *app) rotateMasterKey(ctx context.Context, newKeyFile string, settle time.Duration) error {
	v, err := a.rotationVault(newKeyFile)
	if err != nil {
		return err
	}
	// Either key opens the store's check value: the old one, or the new
	// one when a previous run got as far as switching it.
	st, err := a.openStoreFor(ctx, v)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := rotateSealed(ctx, st, v, settle)
	if err != nil {
		return fmt.Errorf("rotation interrupted after re-sealing %d value(s); run it again to finish: %w", n, err)
	}
	_, err = fmt.Fprintf(a.stdout, "Re-sealed %d value(s) under the new master key; the store now expects it.\n"+
		"Make it every node's only master key (--master-key-file or TOLLGATE_MASTER_KEY) and restart them.\n", n)
	return err
}

// rotationVault returns a vault that seals under the new key (from
// newKeyFile, else the next key) and opens with it and the current key.
func (a *app) rotationVault(newKeyFile string) (*vault.Vault, error) {
	current, source, err := a.masterKey(a.readDevKey)
	if err != nil {
		return nil, err
	}
	next, nextSource, err := a.nextMasterKey()
	if err != nil {
		return nil, err
	}
	newKey, newSource := next, nextSource
	if newKeyFile != "" {
		if newKey, err = vault.ReadKeyFile(newKeyFile); err != nil {
			return nil, err
		}
		newSource = "--new-key-file " + newKeyFile
	}
	switch {
	case newKey == nil:
		return nil, reported(2, "no new master key: give --new-key-file (make one with 'tollgate master-key new')")
	case bytes.Equal(newKey, current):
		return nil, reported(2, "the new master key (%s) is the current one (%s)", newSource, source)
	}
	if next != nil && !bytes.Equal(next, newKey) {
		// The nodes were given the next key: rotating to another would
		// stop every one of them at the switch.
		return nil, reported(2, "the new master key (%s) is not the next key (%s) the nodes were given: rotate to the next key", newSource, nextSource)
	}
	a.keySource = source + ", and the new key from " + newSource
	return vault.New(newKey, current)
}

// rotateSealed re-seals every sealed value of the store under v's first
// key, the new one (tollgate.Store.Reseal: one transaction a value, values
// already under it skipped), switches the store's master key check to that
// key, and, settle later, re-seals again: nodes given both keys seal under
// the key the check names, so what they sealed under the old key before
// they saw the switch (on PostgreSQL at once; else within their poll
// interval) is caught by the second pass. It returns how many values it
// re-sealed. Interrupted, it leaves every value under one of v's keys, and
// running it again finishes the job.
func rotateSealed(ctx context.Context, st tollgate.Store, v *vault.Vault, settle time.Duration) (int, error) {
	if err := v.SealWith(0); err != nil {
		return 0, err
	}
	n, err := resealAll(ctx, st, v)
	if err != nil {
		return n, err
	}
	if err := st.PutSetting(ctx, tollgate.SettingMasterKeyCheck, v.NewCheck()); err != nil {
		return n, err
	}
	select {
	case <-ctx.Done():
		return n, ctx.Err()
	case <-time.After(settle):
	}
	m, err := resealAll(ctx, st, v)
	return n + m, err
}

// resealAll re-seals every value of the store not under v's sealing key.
func resealAll(ctx context.Context, st tollgate.Store, v *vault.Vault) (int, error) {
	return st.Reseal(ctx, func(sv *tollgate.SealedValue) (changed bool, err error) {
		switch sv.Kind {
		case tollgate.SealedClientSecret:
			sv.Hash, sv.Sealed, changed, err = v.ResealSecret(sv.Owner, sv.Hash, sv.Sealed)
		case tollgate.SealedAPIKey:
			sv.Hash, sv.Sealed, changed, err = v.ResealAPIKey(sv.ID, sv.Hash, sv.Sealed)
		default:
			sv.Sealed, changed, err = v.Reseal(sv.Sealed, sv.AAD())
		}
		if errors.Is(err, vault.ErrWrongKey) {
			return false, fmt.Errorf("neither key opens the %s", sv)
		}
		return changed, err
	})
}
