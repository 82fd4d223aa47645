package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

func (a *app) poolsCommand() *cobra.Command {
	return group("pools", "List, create, describe and delete user pools", a.poolsList(), a.poolsDescribe(), a.poolsCreate(), a.poolsUpdate(), a.poolsDelete())
}

func (a *app) poolsList() *cobra.Command {
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List user pools",
		Args:  cobra.NoArgs,
		RunE: a.onStore(func(ctx context.Context, s *session, _ []string) error {
			pools, err := s.st.ListPools(ctx)
			if err != nil {
				return err
			}
			return printListing(output{a.stdout, asJSON}, pools, newPoolView,
				[]string{"ID", "NAME", "MANAGED BY", "CREATED"},
				func(p *tollgate.UserPool) []string {
					return []string{p.ID, p.Name, owner(p.ConfigKey), fmtTime(p.CreatedAt)}
				})
		}),
	}
	jsonFlag(list, &asJSON)
	return list
}

func (a *app) poolsDescribe() *cobra.Command {
	var asJSON bool
	describe := &cobra.Command{
		Use:   "describe POOL",
		Short: "Show a pool with its resource servers, clients and domains (POOL is an id or a name)",
		Args:  cobra.ExactArgs(1),
		RunE: a.onStore(onPool(func(ctx context.Context, s *session, p *tollgate.UserPool) error {
			pc, err := readPool(ctx, s, p)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(a.stdout, pc.view())
			}
			a.printPool(pc)
			return nil
		})),
	}
	jsonFlag(describe, &asJSON)
	return describe
}

// poolContents is a pool with what it owns, as describe shows it.
type poolContents struct {
	pool      *tollgate.UserPool
	rss       []*tollgate.ResourceServer
	clients   []*tollgate.Client
	domains   []*tollgate.Domain
	undefined map[string][]string // client id → scopes the pool no longer defines
}

// readPool reads what the pool owns.
func readPool(ctx context.Context, s *session, p *tollgate.UserPool) (*poolContents, error) {
	pc := &poolContents{pool: p}
	var err error
	if pc.rss, err = s.st.ListResourceServers(ctx, p.ID); err != nil {
		return nil, err
	}
	if pc.clients, err = s.st.ListClients(ctx, p.ID); err != nil {
		return nil, err
	}
	if pc.domains, err = s.st.ListDomains(ctx, p.ID); err != nil {
		return nil, err
	}
	if pc.undefined, err = s.svc.UndefinedScopes(ctx, pc.clients); err != nil {
		return nil, err
	}
	return pc, nil
}

// poolDescription is describe's JSON.
type poolDescription struct {
	poolView
	// PreTokenGenerationConfig is the pool's trigger, in the API's words
	// (LambdaConfig.PreTokenGenerationConfig); absent without one.
	PreTokenGenerationConfig *triggerView `json:"PreTokenGenerationConfig,omitempty"`
	ResourceServers          []rsView     `json:"ResourceServers"`
	Clients                  []clientView `json:"Clients"`
	Domains                  []domainView `json:"Domains"`
}

type rsView struct {
	Identifier string           `json:"Identifier"`
	Name       string           `json:"Name"`
	Scopes     []tollgate.Scope `json:"Scopes"`
}

type triggerView struct {
	LambdaArn     string `json:"LambdaArn"`
	LambdaVersion string `json:"LambdaVersion"`
}

type domainView struct {
	Domain string `json:"Domain"`
	Custom bool   `json:"Custom"`
}

func (pc *poolContents) view() poolDescription {
	out := poolDescription{poolView: newPoolView(pc.pool), ResourceServers: []rsView{}, Clients: []clientView{}, Domains: []domainView{}}
	if t := pc.pool.PreTokenGeneration; t != nil {
		out.PreTokenGenerationConfig = &triggerView{t.LambdaARN, t.LambdaVersion}
	}
	for _, rs := range pc.rss {
		out.ResourceServers = append(out.ResourceServers, rsView{rs.Identifier, rs.Name, rs.Scopes})
	}
	for _, c := range pc.clients {
		out.Clients = append(out.Clients, newClientView(c, nil))
	}
	for _, d := range pc.domains {
		out.Domains = append(out.Domains, domainView{d.Domain, d.Custom})
	}
	return out
}

func (a *app) printPool(pc *poolContents) {
	p := pc.pool
	fmt.Fprintf(a.stdout, "Pool:       %s (%s)\nRegion:     %s\nManaged by: %s\nCreated:    %s\n", p.ID, p.Name, p.Region, owner(p.ConfigKey), fmtTime(p.CreatedAt))
	if t := p.PreTokenGeneration; t != nil {
		fmt.Fprintf(a.stdout, "Pre token generation: %s (%s)\n", t.LambdaARN, t.LambdaVersion)
	}
	if !p.OAuth.IsZero() {
		fmt.Fprintf(a.stdout, "Signing:    %s\nBeyond Cognito: %s\n", p.OAuth.Algorithm(), strings.Join(poolExtensions(p.OAuth), "; "))
	}
	for _, rs := range pc.rss {
		fmt.Fprintf(a.stdout, "Resource server %s (%s): scopes %s\n", rs.Identifier, rs.Name, strings.Join(rs.FullScopeNames(), " "))
	}
	for _, c := range pc.clients {
		fmt.Fprintf(a.stdout, "Client %s (%s): flows %s, scopes %s\n", c.ID, c.Name, strings.Join(c.AllowedOAuthFlows, ","), scopeList(c, pc.undefined[c.ID]))
	}
	for _, d := range pc.domains {
		fmt.Fprintf(a.stdout, "Domain %s\n", d.Domain)
	}
}

func (a *app) poolsCreate() *cobra.Command {
	var region string
	var of poolOAuthFlags
	var create *cobra.Command
	create = &cobra.Command{
		Use:   "create NAME",
		Short: "Create a user pool by hand (pools declared in a config file are created by serve)",
		Args:  cobra.ExactArgs(1),
		RunE: a.onStore(func(ctx context.Context, s *session, args []string) error {
			var spec domain.PoolSpec
			if of.changed(create) {
				o, err := of.apply(create, tollgate.PoolOAuth{})
				if err != nil {
					return err
				}
				spec.OAuth = &o
			}
			p, err := s.svc.CreatePoolWith(ctx, args[0], region, spec)
			if errors.Is(err, domain.ErrBadRegion) {
				return fmt.Errorf("--region %q is not a region name like us-east-1", region)
			}
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(a.stdout, p.ID)
			return err
		}),
	}
	create.Flags().StringVar(&region, "region", "us-east-1", "the pool's region (part of its id)")
	of.register(create)
	return create
}

// poolOAuthFlags are the flags of a pool's OAuth 2 extensions beyond
// Cognito (tollgate.PoolOAuth); registration is set by config only.
type poolOAuthFlags struct {
	signingAlgorithm, accessTokenType string
	dpop, mtls                        bool
}

func (f *poolOAuthFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.signingAlgorithm, "signing-algorithm", "", "the algorithm of the pool's signing keys: RS256 (Cognito's), ES256 or EdDSA")
	fl.StringVar(&f.accessTokenType, "access-token-type", "", `"at+jwt" issues RFC 9068 access tokens; "" Cognito's`)
	fl.BoolVar(&f.dpop, "dpop", false, "check DPoP proofs and issue DPoP-bound tokens (RFC 9449)")
	fl.BoolVar(&f.mtls, "mtls", false, "enable mutual-TLS client authentication and certificate-bound tokens (RFC 8705)")
}

var poolOAuthFlagNames = []string{"signing-algorithm", "access-token-type", "dpop", "mtls"}

// changed reports whether any of the flags was given.
func (f *poolOAuthFlags) changed(cmd *cobra.Command) bool {
	for _, n := range poolOAuthFlagNames {
		if cmd.Flags().Changed(n) {
			return true
		}
	}
	return false
}

// apply returns o with the flags given set.
func (f *poolOAuthFlags) apply(cmd *cobra.Command, o tollgate.PoolOAuth) (tollgate.PoolOAuth, error) {
	fl := cmd.Flags()
	if fl.Changed("signing-algorithm") {
		o.SigningAlgorithm = f.signingAlgorithm
		if o.SigningAlgorithm == tollgate.AlgRS256 {
			o.SigningAlgorithm = ""
		}
	}
	if fl.Changed("access-token-type") {
		switch f.accessTokenType {
		case "":
			o.AccessTokenJWT = false
		case tollgate.AccessTokenJWTType:
			o.AccessTokenJWT = true
		default:
			return o, fmt.Errorf("--access-token-type %q: want %q or \"\"", f.accessTokenType, tollgate.AccessTokenJWTType)
		}
	}
	if fl.Changed("dpop") {
		switch {
		case f.dpop && o.DPoP == nil:
			o.DPoP = &tollgate.DPoPPolicy{}
		case !f.dpop:
			o.DPoP = nil
		}
	}
	if fl.Changed("mtls") {
		o.MTLS = f.mtls
	}
	return o, nil
}

func (a *app) poolsUpdate() *cobra.Command {
	var of poolOAuthFlags
	var update *cobra.Command
	update = &cobra.Command{
		Use:   "update POOL [--signing-algorithm ALG] [--access-token-type at+jwt] [--dpop] [--mtls]",
		Short: "Change a pool's OAuth 2 extensions beyond Cognito (POOL is an id or a name); flags left out are kept",
		Args:  cobra.ExactArgs(1),
		RunE: a.onStore(onPool(func(ctx context.Context, s *session, p *tollgate.UserPool) error {
			o, err := of.apply(update, p.OAuth)
			if err != nil {
				return err
			}
			spec := domain.PoolSpec{PreTokenGeneration: p.PreTokenGeneration, OAuth: &o}
			if _, err := s.svc.UpdatePool(ctx, p, spec); err != nil {
				return err
			}
			_, err = fmt.Fprintln(a.stdout, p.ID)
			return err
		})),
	}
	of.register(update)
	return update
}

// poolOAuthView is a pool's OAuth 2 extensions as describe and list show
// them, only when set.
type poolOAuthView struct {
	SigningAlgorithm   string        `json:"SigningAlgorithm,omitempty"`
	AccessTokenType    string        `json:"AccessTokenType,omitempty"`
	DPoP               *dpopView     `json:"DPoP,omitempty"`
	MTLS               bool          `json:"MTLS,omitempty"`
	ResourceIndicators bool          `json:"ResourceIndicators,omitempty"`
	Registration       *registration `json:"Registration,omitempty"`
}

type dpopView struct {
	Algorithms []string `json:"Algorithms"`
	MaxAge     string   `json:"MaxAge"`
}

type registration struct {
	Scopes             []string `json:"Scopes,omitempty"`
	AuthMethods        []string `json:"AuthMethods,omitempty"`
	InitialAccessScope string   `json:"InitialAccessScope,omitempty"`
	MaxClients         int      `json:"MaxClients,omitempty"`
}

// newPoolOAuthView renders a pool's extensions; nil for Cognito's.
func newPoolOAuthView(o tollgate.PoolOAuth) *poolOAuthView {
	if o.IsZero() {
		return nil
	}
	v := &poolOAuthView{SigningAlgorithm: o.Algorithm(), MTLS: o.MTLS, ResourceIndicators: o.ResourceIndicators}
	if o.AccessTokenJWT {
		v.AccessTokenType = tollgate.AccessTokenJWTType
	}
	if o.DPoP != nil {
		v.DPoP = &dpopView{Algorithms: o.DPoP.ProofAlgorithms(), MaxAge: o.DPoP.ProofMaxAge().String()}
	}
	if r := o.Registration; r != nil {
		v.Registration = &registration{Scopes: r.Scopes, AuthMethods: r.AuthMethods, InitialAccessScope: r.InitialAccessScope, MaxClients: r.MaxClients}
	}
	return v
}

func (a *app) poolsDelete() *cobra.Command {
	return &cobra.Command{
		Use:   "delete POOL",
		Short: "Delete a pool made by hand, with everything it owns",
		Args:  cobra.ExactArgs(1),
		RunE: a.onStore(onPool(func(ctx context.Context, s *session, p *tollgate.UserPool) error {
			return s.svc.DeletePool(ctx, p)
		})),
	}
}

// findPool resolves a pool by id, by name or by its config logical id.
func findPool(ctx context.Context, st tollgate.Store, ref string) (*tollgate.UserPool, error) {
	if p, err := st.GetPool(ctx, ref); err == nil {
		return p, nil
	} else if !tollgate.IsNotFound(err) {
		return nil, err
	}
	pools, err := st.ListPools(ctx)
	if err != nil {
		return nil, err
	}
	var found []*tollgate.UserPool
	for _, p := range pools {
		if p.Name == ref || p.ConfigKey == ref || logicalID(p.ConfigKey) == ref {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 0:
		return nil, tollgate.Errorf(tollgate.KindNotFound, "no user pool with id or name %q", ref)
	case 1:
		return found[0], nil
	}
	return nil, tollgate.Errorf(tollgate.KindInvalid, "%q names %d pools; use the pool id", ref, len(found))
}

// logicalID is the logical id part of a config's or stack's ConfigKey
// ("UserPool" of "config:seed/UserPool"), or the key itself.
func logicalID(configKey string) string {
	if _, logical, ok := tollgate.SplitConfigKey(configKey); ok {
		return logical
	}
	if _, logical, ok := tollgate.SplitStackKey(configKey); ok {
		return logical
	}
	return configKey
}

// poolExtensions describes a pool's extensions beyond Cognito, one phrase
// each, for describe's text.
func poolExtensions(o tollgate.PoolOAuth) []string {
	var out []string
	if o.AccessTokenJWT {
		out = append(out, "RFC 9068 access tokens (typ at+jwt)")
	}
	if o.DPoP != nil {
		out = append(out, fmt.Sprintf("DPoP (proofs %s, at most %s old)", strings.Join(o.DPoP.ProofAlgorithms(), " "), o.DPoP.ProofMaxAge()))
	}
	if o.MTLS {
		out = append(out, "mutual TLS")
	}
	if o.ResourceIndicators {
		out = append(out, "resource indicators")
	}
	if r := o.Registration; r != nil {
		methods := cmp.Or(strings.Join(r.AuthMethods, " "), tollgate.AuthPrivateKeyJWT)
		scopes := cmp.Or(strings.Join(r.Scopes, " "), "any of the pool's")
		initial := "open to anyone"
		if r.InitialAccessScope != "" {
			initial = "initial access token with " + r.InitialAccessScope
		}
		out = append(out, fmt.Sprintf("registration (methods %s, scopes %s, %s)", methods, scopes, initial))
	}
	if len(out) == 0 {
		out = append(out, "none but the signing algorithm")
	}
	return out
}
