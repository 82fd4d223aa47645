package cli

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

func (a *app) resourceServersCommand() *cobra.Command {
	return group("resource-servers", "Manage a pool's resource servers and the scopes they define (what clients may be given)",
		a.resourceServersCreate(), a.resourceServersList(), a.resourceServersDescribe(), a.resourceServersUpdate(), a.resourceServersDelete())
}

// rsRef names a resource server: its pool and its identifier.
type rsRef struct{ pool, identifier string }

func (r *rsRef) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&r.pool, "pool", "", "the pool (id or name)")
	cmd.Flags().StringVar(&r.identifier, "identifier", "", "the resource server's identifier, the part before '/' in its scopes (e.g. orders or https://api.example.com)")
	_ = cmd.MarkFlagRequired("pool")       // registered just above
	_ = cmd.MarkFlagRequired("identifier") // registered just above
}

// onResourceServer is a storeRun that reads the resource server ref names
// before running fn.
func (r *rsRef) onResourceServer(fn func(ctx context.Context, s *session, rs *tollgate.ResourceServer) error) storeRun {
	return func(ctx context.Context, s *session, _ []string) error {
		p, err := findPool(ctx, s.st, r.pool)
		if err != nil {
			return err
		}
		rs, err := s.st.GetResourceServer(ctx, p.ID, r.identifier)
		if tollgate.IsNotFound(err) {
			return tollgate.Errorf(tollgate.KindNotFound, "pool %s has no resource server %q ('tollgate resource-servers list --pool %s' lists them)", p.ID, r.identifier, p.ID)
		}
		if err != nil {
			return err
		}
		return fn(ctx, s, rs)
	}
}

// rsFlags are the flags of create and update besides the reference.
type rsFlags struct {
	name   string
	scopes []string
	asJSON bool
}

func (f *rsFlags) register(cmd *cobra.Command, nameDefault string) {
	cmd.Flags().StringVar(&f.name, "name", "", "a friendly name (default "+nameDefault+")")
	cmd.Flags().StringArrayVar(&f.scopes, "scope", nil, "a scope it defines, NAME or NAME=DESCRIPTION (repeatable; the description defaults to the name)")
	jsonFlag(cmd, &f.asJSON)
}

// parseScopes reads --scope values: NAME or NAME=DESCRIPTION. An empty
// value stands for no scope, so that --scope ” alone clears them.
func parseScopes(vals []string) []tollgate.Scope {
	scopes := []tollgate.Scope{}
	for _, v := range vals {
		if v == "" {
			continue
		}
		name, desc, ok := strings.Cut(v, "=")
		if !ok || desc == "" {
			desc = name // Cognito requires a description
		}
		scopes = append(scopes, tollgate.Scope{Name: name, Description: desc})
	}
	return scopes
}

func (a *app) resourceServersCreate() *cobra.Command {
	var ref rsRef
	var f rsFlags
	cmd := &cobra.Command{
		Use:   "create --pool POOL --identifier ID [--name NAME] --scope NAME[=DESCRIPTION]…",
		Short: "Create a resource server; its scopes (ID/NAME) can then be given to clients",
		Args:  cobra.NoArgs,
		RunE: a.onStore(func(ctx context.Context, s *session, _ []string) error {
			p, err := findPool(ctx, s.st, ref.pool)
			if err != nil {
				return err
			}
			rs, err := s.svc.CreateResourceServer(ctx, p.ID, domain.ResourceServerSpec{
				Identifier: ref.identifier, Name: cmp.Or(f.name, ref.identifier), Scopes: parseScopes(f.scopes),
			})
			if err != nil {
				return err
			}
			return a.printResourceServer(output{a.stdout, f.asJSON}, rs)
		}),
	}
	ref.register(cmd)
	f.register(cmd, "the identifier")
	return cmd
}

func (a *app) resourceServersUpdate() *cobra.Command {
	var ref rsRef
	var f rsFlags
	cmd := &cobra.Command{
		Use:   "update --pool POOL --identifier ID [--name NAME] [--scope NAME[=DESCRIPTION]…]",
		Short: "Change a resource server made by hand: --scope replaces all its scopes (clients keep scopes removed, but no token carries them)",
		Args:  cobra.NoArgs,
	}
	cmd.RunE = a.onStore(ref.onResourceServer(func(ctx context.Context, s *session, cur *tollgate.ResourceServer) error {
		spec := domain.ResourceServerSpec{Name: cmp.Or(f.name, cur.Name), Scopes: cur.Scopes}
		if cmd.Flags().Changed("scope") {
			spec.Scopes = parseScopes(f.scopes)
		}
		rs, err := s.svc.UpdateResourceServer(ctx, cur, spec)
		if err != nil {
			return err
		}
		return a.printResourceServer(output{a.stdout, f.asJSON}, rs)
	}))
	ref.register(cmd)
	f.register(cmd, "unchanged")
	return cmd
}

func (a *app) resourceServersList() *cobra.Command {
	var pool string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list --pool POOL",
		Short: "List a pool's resource servers and their scopes",
		Args:  cobra.NoArgs,
		RunE: a.onStore(func(ctx context.Context, s *session, _ []string) error {
			p, err := findPool(ctx, s.st, pool)
			if err != nil {
				return err
			}
			rss, err := s.st.ListResourceServers(ctx, p.ID)
			if err != nil {
				return err
			}
			return printListing(output{a.stdout, asJSON}, rss, newResourceServerView,
				[]string{"IDENTIFIER", "NAME", "SCOPES", "MANAGED BY"},
				func(rs *tollgate.ResourceServer) []string {
					return []string{rs.Identifier, rs.Name, strings.Join(rs.FullScopeNames(), " "), owner(rs.ConfigKey)}
				})
		}),
	}
	cmd.Flags().StringVar(&pool, "pool", "", "the pool (id or name)")
	_ = cmd.MarkFlagRequired("pool") // registered just above
	jsonFlag(cmd, &asJSON)
	return cmd
}

func (a *app) resourceServersDescribe() *cobra.Command {
	var ref rsRef
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "describe --pool POOL --identifier ID",
		Short: "Show a resource server with its scopes",
		Args:  cobra.NoArgs,
		RunE: a.onStore(ref.onResourceServer(func(_ context.Context, _ *session, rs *tollgate.ResourceServer) error {
			return a.printResourceServer(output{a.stdout, asJSON}, rs)
		})),
	}
	ref.register(cmd)
	jsonFlag(cmd, &asJSON)
	return cmd
}

func (a *app) resourceServersDelete() *cobra.Command {
	var ref rsRef
	cmd := &cobra.Command{
		Use:   "delete --pool POOL --identifier ID",
		Short: "Delete a resource server made by hand (clients keep its scopes, but no token carries them)",
		Args:  cobra.NoArgs,
		RunE: a.onStore(ref.onResourceServer(func(ctx context.Context, s *session, rs *tollgate.ResourceServer) error {
			return s.svc.DeleteResourceServer(ctx, rs)
		})),
	}
	ref.register(cmd)
	return cmd
}

// resourceServerView is a resource server as the JSON output shows it,
// in the shape of Cognito's ResourceServerType.
type resourceServerView struct {
	UserPoolID       string      `json:"UserPoolId"`
	Identifier       string      `json:"Identifier"`
	Name             string      `json:"Name"`
	Scopes           []scopeView `json:"Scopes"`
	ManagedBy        string      `json:"ManagedBy"`
	ConfigKey        string      `json:"ConfigKey,omitempty"`
	CreationDate     time.Time   `json:"CreationDate"`
	LastModifiedDate time.Time   `json:"LastModifiedDate"`
}

type scopeView struct {
	ScopeName        string `json:"ScopeName"`
	ScopeDescription string `json:"ScopeDescription"`
}

func newResourceServerView(rs *tollgate.ResourceServer) resourceServerView {
	v := resourceServerView{
		UserPoolID: rs.PoolID, Identifier: rs.Identifier, Name: rs.Name, Scopes: []scopeView{},
		ManagedBy: managedBy(rs.ConfigKey), ConfigKey: rs.ConfigKey, CreationDate: rs.CreatedAt, LastModifiedDate: rs.UpdatedAt,
	}
	for _, sc := range rs.Scopes {
		v.Scopes = append(v.Scopes, scopeView{sc.Name, sc.Description})
	}
	return v
}

// printResourceServer prints a resource server as JSON or for people.
func (a *app) printResourceServer(out output, rs *tollgate.ResourceServer) error {
	if out.asJSON {
		return printJSON(out.w, newResourceServerView(rs))
	}
	fmt.Fprintf(out.w, "Resource server: %s\nName:            %s\nPool:            %s\nManaged by:      %s\nScopes:\n", rs.Identifier, rs.Name, rs.PoolID, owner(rs.ConfigKey))
	for i, full := range rs.FullScopeNames() {
		fmt.Fprintf(out.w, "  %s  %s\n", full, rs.Scopes[i].Description)
	}
	return nil
}
