package cli

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/vault"
)

func (a *app) clientsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "clients", Short: "Manage app clients and their secrets"}
	cmd.AddCommand(a.clientsCreate(), a.clientsList(), a.clientsDescribe(), a.clientsAddSecret(), a.clientsDeleteSecret(), a.clientsDelete())
	return cmd
}

func (a *app) clientsCreate() *cobra.Command {
	var (
		pool, name, accessValidity, refreshValidity string
		scopes                                      []string
		noSecret, asJSON                            bool
	)
	cmd := &cobra.Command{
		Use:   "create --pool POOL --name NAME --scopes RS/SCOPE[,…]",
		Short: "Create a machine-to-machine client (client_credentials) and print its id and secret once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if name == "" {
				return fmt.Errorf("--name is required")
			}
			return a.withStoreAndVault(ctx, func(s *session) error {
				p, err := findPool(ctx, s.st, pool)
				if err != nil {
					return err
				}
				now := a.now().UTC()
				c := &tollgate.Client{
					ID: tollgate.NewClientID(), PoolID: p.ID, Name: name,
					AllowedOAuthFlows:    []string{tollgate.FlowClientCredentials},
					AllowedOAuthScopes:   splitList(scopes),
					AccessTokenValidity:  tollgate.DefaultAccessTokenValidity,
					IDTokenValidity:      tollgate.DefaultIDTokenValidity,
					RefreshTokenValidity: tollgate.DefaultRefreshTokenValidity,
					CreatedAt:            now, UpdatedAt: now,
				}
				if accessValidity != "" {
					if c.AccessTokenValidity, err = config.ParseValidity(accessValidity); err != nil {
						return fmt.Errorf("--access-token-validity: %w", err)
					}
				}
				if refreshValidity != "" {
					if c.RefreshTokenValidity, err = config.ParseValidity(refreshValidity); err != nil {
						return fmt.Errorf("--refresh-token-validity: %w", err)
					}
				}
				if noSecret {
					return fmt.Errorf("a client without a secret cannot use client_credentials, the only flow Tollgate serves; drop --no-secret")
				}
				if err := checkClient(ctx, s.st, c); err != nil {
					return err
				}
				secret := tollgate.NewClientSecret()
				c.Secrets = []tollgate.ClientSecret{newSecret(s.vault, c.ID, secret, now)}
				if err := s.st.CreateClient(ctx, c); err != nil {
					return err
				}
				view := newClientView(c, map[string]string{c.Secrets[0].ID: secret})
				if asJSON {
					return printJSON(a.stdout, view)
				}
				fmt.Fprintf(a.stdout, "Client id:     %s\nClient secret: %s\nScopes:        %s\n(The secret is shown once; 'tollgate clients describe %s --show-secret' reveals it again.)\n",
					c.ID, secret, strings.Join(c.AllowedOAuthScopes, " "), c.ID)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&pool, "pool", "", "the pool (id or name)")
	f.StringVar(&name, "name", "", "the client's name, unique in the pool")
	f.StringSliceVar(&scopes, "scopes", nil, "allowed scopes, RESOURCE_SERVER/SCOPE, comma-separated")
	f.StringVar(&accessValidity, "access-token-validity", "", "access token lifetime, 5m to 1d (default 60m)")
	f.StringVar(&refreshValidity, "refresh-token-validity", "", "refresh token lifetime, 60m to 3650d (default 30d)")
	f.BoolVar(&noSecret, "no-secret", false, "create a public client (not usable with client_credentials)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	cmd.MarkFlagRequired("pool")
	return cmd
}

// checkClient validates a client made by hand as the config loader
// validates declared ones: bounds, and scopes that exist in its pool.
func checkClient(ctx context.Context, st tollgate.Store, c *tollgate.Client) error {
	if err := tollgate.CheckValidity("access token validity", c.AccessTokenValidity, tollgate.AccessTokenMin, tollgate.AccessTokenMax); err != nil {
		return err
	}
	if err := tollgate.CheckValidity("refresh token validity", c.RefreshTokenValidity, tollgate.RefreshTokenMin, tollgate.RefreshTokenMax); err != nil {
		return err
	}
	if len(c.AllowedOAuthScopes) == 0 {
		return tollgate.Errorf(tollgate.KindInvalid, "--scopes is required: a client_credentials client needs at least one scope")
	}
	rss, err := st.ListResourceServers(ctx, c.PoolID)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, rs := range rss {
		for _, s := range rs.FullScopeNames() {
			known[s] = true
		}
	}
	for _, s := range c.AllowedOAuthScopes {
		if !known[s] {
			return tollgate.Errorf(tollgate.KindInvalid, "scope %q is not a scope of any resource server of pool %s", s, c.PoolID)
		}
	}
	return nil
}

// clientScopesView is a client as listings show it: with the allowed scopes
// that its pool no longer defines, which the token endpoint never issues.
type clientScopesView struct {
	clientView
	// UndefinedOAuthScopes are the scopes of AllowedOAuthScopes that no
	// resource server of the pool defines any more (a scope or a resource
	// server was removed after the client was created by hand). They stay
	// on the client, so defining the scope again restores it, but no token
	// carries them.
	UndefinedOAuthScopes []string `json:"UndefinedOAuthScopes,omitempty"`
}

// undefinedScopes returns, by client id, the allowed scopes of each client
// that no resource server of its pool defines; clients with none are
// absent.
func undefinedScopes(ctx context.Context, st tollgate.Store, clients []*tollgate.Client) (map[string][]string, error) {
	defined := map[string]map[string]bool{} // pool id → scope names
	out := map[string][]string{}
	for _, c := range clients {
		known, ok := defined[c.PoolID]
		if !ok {
			rss, err := st.ListResourceServers(ctx, c.PoolID)
			if err != nil {
				return nil, err
			}
			known = map[string]bool{}
			for _, rs := range rss {
				for _, s := range rs.FullScopeNames() {
					known[s] = true
				}
			}
			defined[c.PoolID] = known
		}
		for _, s := range c.AllowedOAuthScopes {
			if !known[s] {
				out[c.ID] = append(out[c.ID], s)
			}
		}
	}
	return out, nil
}

// scopeList renders a client's allowed scopes, marking those its pool no
// longer defines.
func scopeList(c *tollgate.Client, undefined []string) string {
	parts := make([]string, 0, len(c.AllowedOAuthScopes))
	for _, s := range c.AllowedOAuthScopes {
		if slices.Contains(undefined, s) {
			s += "(undefined)"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func newSecret(v *vault.Vault, clientID, secret string, now time.Time) tollgate.ClientSecret {
	hash, sealed := v.ProtectSecret(clientID, secret)
	return tollgate.ClientSecret{ID: tollgate.NewSecretID(), Hash: hash, Sealed: sealed, CreatedAt: now}
}

// reveal decrypts a client's secrets.
func reveal(v *vault.Vault, c *tollgate.Client) (map[string]string, error) {
	out := make(map[string]string, len(c.Secrets))
	for _, s := range c.Secrets {
		pt, err := v.Open(s.Sealed, []byte(c.ID))
		if err != nil {
			return nil, fmt.Errorf("reveal secret %s of client %s: %w (is this the master key the store was created with?)", s.ID, c.ID, err)
		}
		out[s.ID] = string(pt)
	}
	return out, nil
}

func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		out = append(out, strings.Fields(strings.ReplaceAll(v, ",", " "))...)
	}
	return out
}

func (a *app) clientsList() *cobra.Command {
	var pool string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List app clients (of one pool with --pool)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return a.withStore(ctx, func(s *session) error {
				poolID := ""
				if pool != "" {
					p, err := findPool(ctx, s.st, pool)
					if err != nil {
						return err
					}
					poolID = p.ID
				}
				clients, err := s.st.ListClients(ctx, poolID)
				if err != nil {
					return err
				}
				undefined, err := undefinedScopes(ctx, s.st, clients)
				if err != nil {
					return err
				}
				if asJSON {
					views := make([]clientScopesView, 0, len(clients))
					for _, c := range clients {
						views = append(views, clientScopesView{newClientView(c, nil), undefined[c.ID]})
					}
					return printJSON(a.stdout, views)
				}
				rows := make([][]string, 0, len(clients))
				for _, c := range clients {
					rows = append(rows, []string{c.ID, c.Name, c.PoolID, scopeList(c, undefined[c.ID]), fmt.Sprint(len(c.Secrets)), owner(c.ConfigKey)})
				}
				return printTable(a.stdout, []string{"CLIENT ID", "NAME", "POOL", "SCOPES", "SECRETS", "MANAGED BY"}, rows)
			})
		},
	}
	cmd.Flags().StringVar(&pool, "pool", "", "only this pool's clients (id or name)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) clientsDescribe() *cobra.Command {
	var showSecret, asJSON bool
	cmd := &cobra.Command{
		Use:   "describe CLIENT_ID",
		Short: "Show a client; --show-secret reveals its secrets",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			open := a.withStore
			if showSecret {
				open = a.withStoreAndVault
			}
			return open(ctx, func(s *session) error {
				c, err := s.st.GetClient(ctx, args[0])
				if err != nil {
					return err
				}
				var revealed map[string]string
				if showSecret {
					if revealed, err = reveal(s.vault, c); err != nil {
						return err
					}
				}
				undefined, err := undefinedScopes(ctx, s.st, []*tollgate.Client{c})
				if err != nil {
					return err
				}
				view := newClientView(c, revealed)
				if asJSON {
					return printJSON(a.stdout, clientScopesView{view, undefined[c.ID]})
				}
				fmt.Fprintf(a.stdout, "Client id:   %s\nName:        %s\nPool:        %s\nFlows:       %s\nScopes:      %s\nAccess token validity:  %s\nRefresh token validity: %s\nManaged by:  %s\n",
					c.ID, c.Name, c.PoolID, strings.Join(c.AllowedOAuthFlows, ","), scopeList(c, undefined[c.ID]), c.AccessTokenValidity, c.RefreshTokenValidity, owner(c.ConfigKey))
				if u := undefined[c.ID]; len(u) > 0 {
					fmt.Fprintf(a.stdout, "Warning: no resource server of pool %s defines these scopes any more, so no token carries them: %s\n",
						c.PoolID, strings.Join(u, " "))
				}
				for _, sv := range view.Secrets {
					value := "(hidden; --show-secret reveals it)"
					if sv.ClientSecretValue != "" {
						value = sv.ClientSecretValue
					}
					fmt.Fprintf(a.stdout, "Secret %s (created %s): %s\n", sv.ClientSecretID, fmtTime(sv.ClientSecretCreateDate), value)
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&showSecret, "show-secret", false, "reveal the client's secrets (needs the master key)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// customSecretPattern is what Cognito accepts as a custom client secret.
var customSecretPattern = regexp.MustCompile(`^[\w+]{24,64}$`)

func (a *app) clientsAddSecret() *cobra.Command {
	var custom string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "add-secret CLIENT_ID",
		Short: "Add a second secret to a client, for rotation without downtime (either secret works until one is deleted)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return a.withStoreAndVault(ctx, func(s *session) error {
				c, err := s.st.GetClient(ctx, args[0])
				if err != nil {
					return err
				}
				secret := custom
				if secret == "" {
					secret = tollgate.NewClientSecret()
				} else if !customSecretPattern.MatchString(secret) {
					return tollgate.Errorf(tollgate.KindInvalid, "--secret must be 24 to 64 characters of letters, digits, _ and +")
				}
				cs := newSecret(s.vault, c.ID, secret, a.now().UTC())
				if err := s.st.AddClientSecret(ctx, c.ID, cs); err != nil {
					return err
				}
				view := secretView{ClientSecretID: cs.ID, ClientSecretCreateDate: cs.CreatedAt}
				if custom == "" {
					view.ClientSecretValue = secret // like Cognito: a custom secret is not echoed
				}
				if asJSON {
					return printJSON(a.stdout, view)
				}
				fmt.Fprintf(a.stdout, "Secret id: %s\n", cs.ID)
				if view.ClientSecretValue != "" {
					fmt.Fprintf(a.stdout, "Secret:    %s\n", secret)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&custom, "secret", "", "use this secret instead of a generated one (24–64 characters)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) clientsDeleteSecret() *cobra.Command {
	return &cobra.Command{
		Use:   "delete-secret CLIENT_ID SECRET_ID",
		Short: "Delete one of a client's secrets (not its last one)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return a.withStore(ctx, func(s *session) error {
				c, err := s.st.GetClient(ctx, args[0])
				if err != nil {
					return err
				}
				found := false
				for _, cs := range c.Secrets {
					found = found || cs.ID == args[1]
				}
				if !found {
					return tollgate.Errorf(tollgate.KindNotFound, "client %s has no secret %s", c.ID, args[1])
				}
				if len(c.Secrets) == 1 && c.AllowsFlow(tollgate.FlowClientCredentials) {
					return tollgate.Errorf(tollgate.KindInvalid, "secret %s is the client's only secret; add another first ('tollgate clients add-secret %s')", args[1], c.ID)
				}
				return s.st.DeleteClientSecret(ctx, c.ID, args[1])
			})
		},
	}
}

func (a *app) clientsDelete() *cobra.Command {
	return &cobra.Command{
		Use:   "delete CLIENT_ID",
		Short: "Delete a client made by hand",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return a.withStore(ctx, func(s *session) error {
				c, err := s.st.GetClient(ctx, args[0])
				if err != nil {
					return err
				}
				if c.ConfigKey != "" {
					return readOnly("client", c.ID, c.ConfigKey)
				}
				return s.st.DeleteClient(ctx, c.ID)
			})
		},
	}
}
