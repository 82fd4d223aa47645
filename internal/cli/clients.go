package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/domain"
)

func (a *app) clientsCommand() *cobra.Command {
	return group("clients", "Manage app clients and their secrets",
		a.clientsCreate(), a.clientsUpdate(), a.clientsList(), a.clientsDescribe(), a.clientsAddSecret(), a.clientsDeleteSecret(), a.clientsDelete(), a.clientsUnlock())
}

// clientFlags are the flags of clients create.
type clientFlags struct {
	pool, name, accessValidity, refreshValidity string
	scopes                                      []string
	noSecret, asJSON                            bool
	oauth                                       clientOAuthFlags
	oauthSpec                                   *tollgate.ClientOAuth // the flags' settings, when any was given
}

// clientOAuthFlags are the flags of a client's OAuth 2 extensions beyond
// Cognito (tollgate.ClientOAuth).
type clientOAuthFlags struct {
	authMethod, jwksFile, jwksURI              string
	subjectDN, sanDNS, sanURI, sanIP, sanEmail string
	dpopBound, certificateBound                bool
}

var clientOAuthFlagNames = []string{"auth-method", "jwks-file", "jwks-uri", "tls-subject-dn", "tls-san-dns", "tls-san-uri",
	"tls-san-ip", "tls-san-email", "dpop-bound", "certificate-bound"}

func (f *clientOAuthFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.authMethod, "auth-method", "", "token_endpoint_auth_method: client_secret_basic (a secret, Cognito's), private_key_jwt, tls_client_auth or self_signed_tls_client_auth")
	fl.StringVar(&f.jwksFile, "jwks-file", "", "a file holding the client's public keys, a JWK Set (private_key_jwt; with x5c for self_signed_tls_client_auth)")
	fl.StringVar(&f.jwksURI, "jwks-uri", "", "where the client's JWK Set is fetched (https, or http on loopback)")
	fl.StringVar(&f.subjectDN, "tls-subject-dn", "", "tls_client_auth: the subject DN of the client's certificate (RFC 4514)")
	fl.StringVar(&f.sanDNS, "tls-san-dns", "", "tls_client_auth: a DNS name of the client's certificate")
	fl.StringVar(&f.sanURI, "tls-san-uri", "", "tls_client_auth: a URI SAN of the client's certificate")
	fl.StringVar(&f.sanIP, "tls-san-ip", "", "tls_client_auth: an IP address SAN of the client's certificate")
	fl.StringVar(&f.sanEmail, "tls-san-email", "", "tls_client_auth: an email SAN of the client's certificate")
	fl.BoolVar(&f.dpopBound, "dpop-bound", false, "require a DPoP proof on every token request (dpop_bound_access_tokens)")
	fl.BoolVar(&f.certificateBound, "certificate-bound", false, "bind the client's tokens to its TLS client certificate (RFC 8705 §3)")
}

// changed reports whether any of the flags was given.
func (f *clientOAuthFlags) changed(cmd *cobra.Command) bool {
	for _, n := range clientOAuthFlagNames {
		if cmd.Flags().Changed(n) {
			return true
		}
	}
	return false
}

// apply returns o with the flags given set: a new key source replaces the
// other, a new certificate name replaces the declared one.
func (f *clientOAuthFlags) apply(cmd *cobra.Command, o tollgate.ClientOAuth) (tollgate.ClientOAuth, error) {
	fl := cmd.Flags()
	if fl.Changed("auth-method") {
		o.AuthMethod = f.authMethod
	}
	if fl.Changed("jwks-file") {
		b, err := os.ReadFile(f.jwksFile)
		if err != nil {
			return o, fmt.Errorf("--jwks-file: %w", err)
		}
		if err := config.CheckJWKS(b, o.AuthMethod); err != nil {
			return o, fmt.Errorf("--jwks-file %s: %w", f.jwksFile, err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, b); err != nil {
			return o, fmt.Errorf("--jwks-file %s: %w", f.jwksFile, err)
		}
		o.JWKS, o.JWKSURI = compact.String(), ""
	}
	if fl.Changed("jwks-uri") {
		o.JWKS, o.JWKSURI = "", f.jwksURI
	}
	for _, n := range []struct {
		flag, value string
		set         func(*tollgate.TLSClientAuth, string)
	}{
		{"tls-subject-dn", f.subjectDN, func(t *tollgate.TLSClientAuth, v string) { t.SubjectDN = v }},
		{"tls-san-dns", f.sanDNS, func(t *tollgate.TLSClientAuth, v string) { t.SANDNS = v }},
		{"tls-san-uri", f.sanURI, func(t *tollgate.TLSClientAuth, v string) { t.SANURI = v }},
		{"tls-san-ip", f.sanIP, func(t *tollgate.TLSClientAuth, v string) { t.SANIP = v }},
		{"tls-san-email", f.sanEmail, func(t *tollgate.TLSClientAuth, v string) { t.SANEmail = v }},
	} {
		if fl.Changed(n.flag) {
			o.TLS = tollgate.TLSClientAuth{}
			n.set(&o.TLS, n.value)
		}
	}
	if fl.Changed("dpop-bound") {
		o.RequireDPoP = f.dpopBound
	}
	if fl.Changed("certificate-bound") {
		o.CertificateBound = f.certificateBound
	}
	return o, nil
}

// clientOAuthView is a client's OAuth 2 extensions as describe and list
// show them, only when set. JWKS is public keys.
type clientOAuthView struct {
	TokenEndpointAuthMethod               string          `json:"TokenEndpointAuthMethod,omitempty"`
	JWKS                                  json.RawMessage `json:"Jwks,omitempty"`
	JWKSURI                               string          `json:"JwksUri,omitempty"`
	TLSClientAuthSubjectDN                string          `json:"TlsClientAuthSubjectDn,omitempty"`
	TLSClientAuthSANDNS                   string          `json:"TlsClientAuthSanDns,omitempty"`
	TLSClientAuthSANURI                   string          `json:"TlsClientAuthSanUri,omitempty"`
	TLSClientAuthSANIP                    string          `json:"TlsClientAuthSanIp,omitempty"`
	TLSClientAuthSANEmail                 string          `json:"TlsClientAuthSanEmail,omitempty"`
	DPoPBoundAccessTokens                 bool            `json:"DpopBoundAccessTokens,omitempty"`
	TLSClientCertificateBoundAccessTokens bool            `json:"TlsClientCertificateBoundAccessTokens,omitempty"`
	Registered                            *time.Time      `json:"Registered,omitempty"`
}

// newClientOAuthView renders a client's extensions; nil for a Cognito
// client.
func newClientOAuthView(o tollgate.ClientOAuth) *clientOAuthView {
	if o.IsZero() {
		return nil
	}
	v := &clientOAuthView{TokenEndpointAuthMethod: o.AuthMethod, JWKSURI: o.JWKSURI,
		TLSClientAuthSubjectDN: o.TLS.SubjectDN, TLSClientAuthSANDNS: o.TLS.SANDNS, TLSClientAuthSANURI: o.TLS.SANURI,
		TLSClientAuthSANIP: o.TLS.SANIP, TLSClientAuthSANEmail: o.TLS.SANEmail,
		DPoPBoundAccessTokens: o.RequireDPoP, TLSClientCertificateBoundAccessTokens: o.CertificateBound}
	if o.JWKS != "" && json.Valid([]byte(o.JWKS)) {
		v.JWKS = json.RawMessage(o.JWKS)
	}
	if !o.Registered.IsZero() {
		r := o.Registered
		v.Registered = &r
	}
	return v
}

func (a *app) clientsUpdate() *cobra.Command {
	var of clientOAuthFlags
	var update *cobra.Command
	update = &cobra.Command{
		Use:   "update CLIENT_ID [--auth-method M] [--jwks-file F | --jwks-uri U] [--tls-subject-dn DN] [--dpop-bound] [--certificate-bound]",
		Short: "Change a client's OAuth 2 extensions beyond Cognito; flags left out are kept",
		Args:  cobra.ExactArgs(1),
		RunE: a.onStore(onClient(func(ctx context.Context, s *session, c *tollgate.Client, _ []string) error {
			o, err := of.apply(update, c.OAuth)
			if err != nil {
				return err
			}
			spec := domain.ClientSpec{Name: c.Name, OAuthFlows: c.AllowedOAuthFlows, Scopes: c.AllowedOAuthScopes,
				ExplicitAuthFlows: c.ExplicitAuthFlows, AccessToken: c.AccessTokenValidity, IDToken: c.IDTokenValidity,
				RefreshToken: c.RefreshTokenValidity, OAuth: &o}
			if _, err := s.svc.UpdateClient(ctx, c, spec); err != nil {
				return clientError(err)
			}
			_, err = fmt.Fprintln(a.stdout, c.ID)
			return err
		})),
	}
	of.register(update)
	return update
}

// spec parses the flags into the domain's ClientSpec: a
// machine-to-machine client (client_credentials).
func (f *clientFlags) spec() (domain.ClientSpec, error) {
	spec := domain.ClientSpec{Name: f.name, OAuthFlows: []string{tollgate.FlowClientCredentials}, Scopes: splitList(f.scopes), OAuth: f.oauthSpec}
	var err error
	if f.accessValidity != "" {
		if spec.AccessToken, err = config.ParseValidity(f.accessValidity); err != nil {
			return spec, fmt.Errorf("--access-token-validity: %w", err)
		}
	}
	if f.refreshValidity != "" {
		if spec.RefreshToken, err = config.ParseValidity(f.refreshValidity); err != nil {
			return spec, fmt.Errorf("--refresh-token-validity: %w", err)
		}
	}
	return spec, nil
}

// clientError words the domain's refusals of a client in the CLI's terms,
// naming the flag to change.
func clientError(err error) error {
	switch {
	case errors.Is(err, domain.ErrSecretRequired):
		return fmt.Errorf("a client without a secret cannot use client_credentials, the only flow Tollgate serves; drop --no-secret")
	case errors.Is(err, domain.ErrBadOAuth):
		return tollgate.Errorf(tollgate.KindInvalid, "%v", err)
	case errors.Is(err, domain.ErrScopesRequired):
		return tollgate.Errorf(tollgate.KindInvalid, "--scopes is required: a client_credentials client needs at least one scope")
	}
	return err
}

func (a *app) clientsCreate() *cobra.Command {
	var f clientFlags
	cmd := &cobra.Command{
		Use:   "create --pool POOL --name NAME --scopes RS/SCOPE[,…]",
		Short: "Create a machine-to-machine client (client_credentials) and print its id and secret once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.name == "" {
				return fmt.Errorf("--name is required")
			}
			if f.oauth.changed(cmd) {
				o, err := f.oauth.apply(cmd, tollgate.ClientOAuth{})
				if err != nil {
					return err
				}
				f.oauthSpec = &o
			}
			return a.withStoreAndVault(cmd.Context(), func(s *session) error {
				return a.createClient(cmd.Context(), s, &f)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.pool, "pool", "", "the pool (id or name)")
	fl.StringVar(&f.name, "name", "", "the client's name, unique in the pool")
	fl.StringSliceVar(&f.scopes, "scopes", nil, "allowed scopes, RESOURCE_SERVER/SCOPE, comma-separated")
	fl.StringVar(&f.accessValidity, "access-token-validity", "", "access token lifetime, 5m to 1d (default 60m)")
	fl.StringVar(&f.refreshValidity, "refresh-token-validity", "", "refresh token lifetime, 60m to 3650d (default 30d)")
	fl.BoolVar(&f.noSecret, "no-secret", false, "create a public client (not usable with client_credentials)")
	f.oauth.register(cmd)
	jsonFlag(cmd, &f.asJSON)
	_ = cmd.MarkFlagRequired("pool")
	return cmd
}

// createClient creates the client and prints it with its secret, once.
func (a *app) createClient(ctx context.Context, s *session, f *clientFlags) error {
	p, err := findPool(ctx, s.st, f.pool)
	if err != nil {
		return err
	}
	spec, err := f.spec()
	if err != nil {
		return err
	}
	generate := !f.noSecret
	if f.oauthSpec != nil {
		switch f.oauthSpec.AuthMethod {
		case tollgate.AuthPrivateKeyJWT, tollgate.AuthTLSClient, tollgate.AuthSelfSignedTLSClient:
			generate = false // it authenticates with a key or a certificate
		}
	}
	c, secret, err := s.svc.CreateClient(ctx, p.ID, spec, domain.SecretChoice{Generate: generate})
	if err != nil {
		return clientError(err)
	}
	if len(c.Secrets) == 0 {
		if f.asJSON {
			return printJSON(a.stdout, newClientView(c, nil))
		}
		fmt.Fprintf(a.stdout, "Client id:     %s\nAuth method:   %s\nScopes:        %s\n", c.ID, c.OAuth.AuthMethod, strings.Join(c.AllowedOAuthScopes, " "))
		return nil
	}
	if f.asJSON {
		return printJSON(a.stdout, newClientView(c, map[string]string{c.Secrets[0].ID: secret}))
	}
	fmt.Fprintf(a.stdout, "Client id:     %s\nClient secret: %s\nScopes:        %s\n(The secret is shown once; 'tollgate clients describe %s --show-secret' reveals it again.)\n",
		c.ID, secret, strings.Join(c.AllowedOAuthScopes, " "), c.ID)
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
		RunE: a.onStore(func(ctx context.Context, s *session, _ []string) error {
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
			undefined, err := s.svc.UndefinedScopes(ctx, clients)
			if err != nil {
				return err
			}
			return printListing(output{a.stdout, asJSON}, clients,
				func(c *tollgate.Client) clientScopesView {
					return clientScopesView{newClientView(c, nil), undefined[c.ID]}
				},
				[]string{"CLIENT ID", "NAME", "POOL", "SCOPES", "SECRETS", "MANAGED BY"},
				func(c *tollgate.Client) []string {
					return []string{c.ID, c.Name, c.PoolID, scopeList(c, undefined[c.ID]), fmt.Sprint(len(c.Secrets)), owner(c.ConfigKey)}
				})
		}),
	}
	cmd.Flags().StringVar(&pool, "pool", "", "only this pool's clients (id or name)")
	jsonFlag(cmd, &asJSON)
	return cmd
}

func (a *app) clientsDescribe() *cobra.Command {
	var showSecret, asJSON bool
	describe := onClient(func(ctx context.Context, s *session, c *tollgate.Client, _ []string) error {
		var revealed map[string]string
		if showSecret {
			var err error
			if revealed, err = s.svc.RevealAll(c); err != nil {
				return err
			}
		}
		undefined, err := s.svc.UndefinedScopes(ctx, []*tollgate.Client{c})
		if err != nil {
			return err
		}
		view := newClientView(c, revealed)
		if asJSON {
			return printJSON(a.stdout, clientScopesView{view, undefined[c.ID]})
		}
		a.printClient(c, view, undefined[c.ID])
		return nil
	})
	cmd := &cobra.Command{
		Use:   "describe CLIENT_ID",
		Short: "Show a client; --show-secret reveals its secrets",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if showSecret {
				return a.onStoreAndVault(describe)(cmd, args)
			}
			return a.onStore(describe)(cmd, args)
		},
	}
	cmd.Flags().BoolVar(&showSecret, "show-secret", false, "reveal the client's secrets (needs the master key)")
	jsonFlag(cmd, &asJSON)
	return cmd
}

// printClient writes describe's text: the client, a warning for the scopes
// its pool no longer defines, and its secrets (hidden unless revealed).
func (a *app) printClient(c *tollgate.Client, view clientView, undefined []string) {
	fmt.Fprintf(a.stdout, "Client id:   %s\nName:        %s\nPool:        %s\nFlows:       %s\nScopes:      %s\nAccess token validity:  %s\nRefresh token validity: %s\nManaged by:  %s\n",
		c.ID, c.Name, c.PoolID, strings.Join(c.AllowedOAuthFlows, ","), scopeList(c, undefined), c.AccessTokenValidity, c.RefreshTokenValidity, owner(c.ConfigKey))
	if o := c.OAuth; !o.IsZero() {
		fmt.Fprintf(a.stdout, "Auth method: %s\n", cmp.Or(o.AuthMethod, "client_secret_basic, client_secret_post"))
		if o.JWKSURI != "" {
			fmt.Fprintf(a.stdout, "JWKS URI:    %s\n", o.JWKSURI)
		}
		var bound []string
		if o.RequireDPoP {
			bound = append(bound, "DPoP")
		}
		if o.CertificateBound {
			bound = append(bound, "client certificate")
		}
		if len(bound) > 0 {
			fmt.Fprintf(a.stdout, "Tokens bound to: %s\n", strings.Join(bound, " and "))
		}
		if !o.Registered.IsZero() {
			fmt.Fprintf(a.stdout, "Registered:  %s (RFC 7591)\n", fmtTime(o.Registered))
		}
	}
	if len(undefined) > 0 {
		fmt.Fprintf(a.stdout, "Warning: no resource server of pool %s defines these scopes any more, so no token carries them: %s\n",
			c.PoolID, strings.Join(undefined, " "))
	}
	for _, sv := range view.Secrets {
		value := "(hidden; --show-secret reveals it)"
		if sv.ClientSecretValue != "" {
			value = sv.ClientSecretValue
		}
		fmt.Fprintf(a.stdout, "Secret %s (created %s): %s\n", sv.ClientSecretID, fmtTime(sv.ClientSecretCreateDate), value)
	}
}

func (a *app) clientsAddSecret() *cobra.Command {
	var custom string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "add-secret CLIENT_ID",
		Short: "Add a second secret to a client, for rotation without downtime (either secret works until one is deleted)",
		Args:  cobra.ExactArgs(1),
		RunE: a.onStoreAndVault(onClient(func(ctx context.Context, s *session, c *tollgate.Client, _ []string) error {
			cs, secret, err := s.svc.AddClientSecret(ctx, c, custom)
			if errors.Is(err, domain.ErrBadSecret) {
				return tollgate.Errorf(tollgate.KindInvalid, "--secret must be 24 to 64 characters of letters, digits, _ and +")
			}
			if err != nil {
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
		})),
	}
	cmd.Flags().StringVar(&custom, "secret", "", "use this secret instead of a generated one (24–64 characters)")
	jsonFlag(cmd, &asJSON)
	return cmd
}

func (a *app) clientsDeleteSecret() *cobra.Command {
	return &cobra.Command{
		Use:   "delete-secret CLIENT_ID SECRET_ID",
		Short: "Delete one of a client's secrets (not its last one)",
		Args:  cobra.ExactArgs(2),
		RunE: a.onStore(onClient(func(ctx context.Context, s *session, c *tollgate.Client, args []string) error {
			return s.svc.DeleteClientSecret(ctx, c, args[1])
		})),
	}
}

func (a *app) clientsDelete() *cobra.Command {
	return &cobra.Command{
		Use:   "delete CLIENT_ID",
		Short: "Delete a client made by hand",
		Args:  cobra.ExactArgs(1),
		RunE: a.onStore(onClient(func(ctx context.Context, s *session, c *tollgate.Client, _ []string) error {
			return s.svc.DeleteClient(ctx, c)
		})),
	}
}
