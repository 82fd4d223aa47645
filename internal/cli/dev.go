package cli

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/examples"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/server"
	"github.com/tollgate/tollgate/internal/vault"
)

func (a *app) devCommand() *cobra.Command {
	var f serveFlags
	var configPath string
	var tf templateFlags
	cmd := &cobra.Command{
		Use:   "dev [--config FILE | --template PATH]",
		Short: "Run the seed stack (or --config FILE) on the embedded SQLite store, printing URLs, credentials and a curl line",
		Long: `dev runs Tollgate for development: the data lives in the data directory
(.tollgate by default, SQLite), a master key is generated there (mode 0600) on
first run, and the seed article's stack is applied — a user pool with the
resource server "default", its scope "default/default", and a
machine-to-machine client with a generated secret. Identity is kept across
restarts: the client id, secret and signing keys stay the same.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			var cfg *config.Config
			var stack *stackRun
			var creds *devCredentials
			var err error
			switch {
			case configPath != "" && tf.path != "":
				return fmt.Errorf("--config and --template exclude each other: %w", exitError(2))
			case configPath != "":
				cfg, creds, err = a.loadDevConfig(configPath, &f)
			case tf.path != "":
				stack, err = a.loadTemplate(tf)
			default:
				cfg, err = config.Parse(examples.SeedPath, examples.Seed)
			}
			if err != nil {
				return err
			}
			if configPath == "" && stack == nil {
				if err := a.placeSeedApp(cfg); err != nil {
					return err
				}
			}
			f.forDev()
			f.reload = reloadSource{configPath: configPath, template: tf, watch: true, showKeyValues: true, prepare: creds.prepareFunc()}
			v, err := a.openDevVault()
			if err != nil {
				return err
			}
			return a.runServer(ctx, cfg, stack, v, f, func(srv *server.Server, cfg *config.Config, res *config.Result, st tollgate.Store, v *vault.Vault) {
				a.printDev(ctx, srv, cfg, res, st, v, &f.console)
				a.printDevExtensions(srv, cfg, res, creds)
				if stack != nil {
					fmt.Fprintln(a.stdout)
					_ = printOutputs(output{a.stdout, false}, stack.plan.Outputs(res, endpointsOf(srv)))
				}
				a.printDevReady()
			})
		},
	}
	f.register(cmd, "127.0.0.1:8080")
	cmd.Flags().StringVar(&configPath, "config", "", "config file to run instead of the embedded seed stack")
	tf.register(cmd)
	return cmd
}

// forDev sets what dev does beyond serve: functions whose interpreter is
// missing answer with the echo runtime, jwks_uri may be private, and the
// console signs in by the link dev prints, on a listener of its own
// unless --console or --admin-listen says otherwise (devAdminListen).
func (f *serveFlags) forDev() {
	f.echoMissing = true
	f.privateJWKS = true
	f.console.dev = true
	f.console.linkToken = randomLinkToken()
	if f.console.where == "" && f.adminListen == "" {
		f.adminListen = devAdminListen(f.listen)
	}
}

// devAdminListen is where dev serves the console (and /metrics) when
// neither --console nor --admin-listen says: a listener of its own beside
// --listen's, on its port + 1, or on any free port when that one is taken
// or --listen's is 0. On an origin of its own, no API's answer can act in
// the console: an integration's HTML served on the console's origin would
// run with the operator's session there.
func devAdminListen(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "" // the main listener refuses --listen itself
	}
	free := net.JoinHostPort(host, "0")
	n, err := strconv.Atoi(port)
	if err != nil || n <= 0 || n >= 65535 {
		return free
	}
	next := net.JoinHostPort(host, strconv.Itoa(n+1))
	ln, err := net.Listen("tcp", next)
	if err != nil {
		return free
	}
	_ = ln.Close()
	return next
}

// loadDevConfig loads dev's --config: clients declaring no keys get
// generated ones, kept in the data directory (dev_credentials.go), as
// does a --mtls-listen given no certificate.
func (a *app) loadDevConfig(path string, f *serveFlags) (*config.Config, *devCredentials, error) {
	creds := newDevCredentials(a.dataDir, f.baseDomain, a.now)
	creds.listener = f.mtls.listen != "" && f.mtls.certFile == ""
	cfg, err := a.loadConfigWith(path, creds.prepare)
	if err != nil {
		return nil, nil, err
	}
	creds.listen(&f.mtls)
	return cfg, creds, nil
}

// placeSeedApp points the embedded seed's functions at their code: the
// repository's examples/seed/app when dev runs from a checkout (edits show
// at the next cold start), else a copy written to the data directory.
func (a *app) placeSeedApp(cfg *config.Config) error {
	for i := range cfg.Functions {
		fn := &cfg.Functions[i]
		if fi, err := os.Stat(fn.Code); err == nil && fi.IsDir() && filepath.IsAbs(fn.Code) {
			continue
		}
		dst := filepath.Join(a.dataDir, "seed", filepath.FromSlash(fn.Code))
		sub, err := fs.Sub(examples.SeedApp, path.Join("seed", fn.Code))
		if err != nil {
			return fmt.Errorf("seed function %s: %w", fn.ID, err)
		}
		// Written each time, so that the copy is this binary's version.
		err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			target := filepath.Join(dst, filepath.FromSlash(p))
			if d.IsDir() {
				return os.MkdirAll(target, 0o700)
			}
			b, err := fs.ReadFile(sub, p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, b, 0o600)
		})
		if err != nil {
			return fmt.Errorf("seed function %s: write its code to %s: %w", fn.ID, dst, err)
		}
		abs, err := filepath.Abs(dst)
		if err != nil {
			return err
		}
		fn.Code = abs
	}
	return nil
}

// printDev prints what a newcomer needs: where to get a token, with which
// credentials, and command lines that work as printed on a machine with no
// AWS settings (e2e/dev_lines_test.go runs each of them).
func (a *app) printDev(ctx context.Context, srv *server.Server, cfg *config.Config, res *config.Result, st tollgate.Store, v *vault.Vault, cf *consoleFlags) {
	w := a.stdout
	base := srv.PublicURL()
	fmt.Fprintf(w, "Tollgate dev is running on %s (data in %s)\n\n", base, a.dataDir)
	if t := srv.TLSAddr(); t != "" {
		fmt.Fprintf(w, "HTTPS for custom domains on %s\n", t)
	}
	if t := srv.AdminAddr(); t != "" {
		fmt.Fprintf(w, "Admin (metrics, health) on %s\n", t)
	}
	printConsole(w, srv, cf)
	fmt.Fprintf(w, "Token URL:      %s/oauth2/token\n", base)
	curlToken := a.printDevPools(ctx, srv, cfg, res, st, v)
	id, secret, keyErr := a.domain(st, v).FirstAccessKey(ctx, "tollgate dev")
	key := awsKey{id, secret}
	if keyErr != nil {
		key = awsKey{}
	}
	a.printFunctions(cfg, base, key)
	created := newAPIKeys(res)
	printNewAPIKeys(w, created)
	printUsagePlans(w, cfg, res)
	a.printDevAPIs(srv, cfg, curlToken, created)
	if keyErr != nil {
		fmt.Fprintf(w, "\n(no access key for the management API: %v)\n", keyErr)
	} else {
		fmt.Fprintf(w, "\nManage pools and clients with the AWS CLI (Cognito management API):\n")
		// Cognito's API is regional: a call sees the pools of the region it
		// is signed for, so each region of the pools gets its line.
		for _, region := range poolRegions(cfg, res) {
			fmt.Fprintf(w, "\n%saws cognito-idp list-user-pools --max-results 10 --endpoint-url %s\n", key.env(region, "  "), base)
		}
	}
}

// printDevReady prints the line that ends dev's start-up output, last:
// scripts and tests wait for it as the sign that the server is ready and
// everything it prints at start is printed.
func (a *app) printDevReady() {
	fmt.Fprintln(a.stdout, "\nStop with Ctrl-C. Restarting keeps the same ids, secrets and keys.")
}

// awsKey is the access key dev's AWS CLI lines carry; zero when there is
// none.
type awsKey struct{ id, secret string }

// env is the environment an AWS CLI line needs on a machine without AWS
// settings (no ~/.aws, no AWS_* variables), as the command's own prefix:
// the access key, the region (AWS_DEFAULT_REGION, which the AWS CLI v1 and
// v2 both read) and no pager (v2 pipes a terminal's output through less,
// which a minimal machine may not have). The prefix ends with a line
// continuation and indent.
func (k awsKey) env(region, indent string) string {
	if k.id == "" {
		return ""
	}
	return fmt.Sprintf("AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_DEFAULT_REGION=%s AWS_PAGER=\"\" \\\n%s", k.id, k.secret, region, indent)
}

// poolRegions returns the regions of the pools dev created or found, each
// once, in the config's order; the config's region when it has no pools.
func poolRegions(cfg *config.Config, res *config.Result) []string {
	var regions []string
	for _, p := range cfg.UserPools {
		if id, ok := res.PoolID(p.ID); ok {
			if region, _, ok := strings.Cut(id, "_"); ok && !slices.Contains(regions, region) {
				regions = append(regions, region)
			}
		}
	}
	if len(regions) == 0 {
		regions = append(regions, cmp.Or(cfg.Region, config.DefaultRegion))
	}
	return regions
}

// printDevPools prints each pool of the config with its clients and their
// secrets, and the curl line for a token of the first client with a secret,
// which it returns on one line for the API example.
func (a *app) printDevPools(ctx context.Context, srv *server.Server, cfg *config.Config, res *config.Result, st tollgate.Store, v *vault.Vault) string {
	curlToken := ""
	for _, p := range cfg.UserPools {
		poolID, ok := res.PoolID(p.ID)
		if !ok {
			continue
		}
		a.printDevPool(srv, &p, poolID)
		for _, c := range p.Clients {
			clientID, ok := res.ClientID(p.ID, c.ID)
			if !ok {
				continue
			}
			secret, err := revealFirst(ctx, st, v, clientID)
			if err != nil {
				fmt.Fprintf(a.stdout, "  Client %s: %s (secret not shown: %v)\n", c.ID, clientID, err)
				continue
			}
			if secret == "" && c.TokenEndpointAuthMethod != "" {
				// A client with keys or a certificate: its credentials
				// are printed with the generated ones.
				fmt.Fprintf(a.stdout, "  Client %s\n    Client id:     %s\n    Auth method:   %s\n    Scopes:        %s\n",
					c.ID, clientID, c.TokenEndpointAuthMethod, strings.Join(c.OAuth.Scopes, " "))
				continue
			}
			fmt.Fprintf(a.stdout, "  Client %s\n    Client id:     %s\n    Client secret: %s\n    Scopes:        %s\n",
				c.ID, clientID, secret, strings.Join(c.OAuth.Scopes, " "))
			// The curl line gets a plain bearer token: not for a client
			// whose tokens must be DPoP-bound.
			if curlToken == "" && secret != "" && !c.DPoPBoundAccessTokens {
				curlToken = a.printDevCurl(srv.PublicURL(), clientID, secret)
			}
		}
	}
	return curlToken
}

// printDevPool prints a pool's endpoints.
func (a *app) printDevPool(srv *server.Server, p *config.UserPool, poolID string) {
	w := a.stdout
	fmt.Fprintf(w, "\nUser pool %s: %s\n", p.ID, poolID)
	fmt.Fprintf(w, "  Issuer:       %s\n", srv.Issuer(poolID))
	fmt.Fprintf(w, "  JWKS:         %s/.well-known/jwks.json\n", srv.Issuer(poolID))
	fmt.Fprintf(w, "  Discovery:    %s/.well-known/openid-configuration\n", srv.Issuer(poolID))
	for _, d := range p.Domains {
		if d.CognitoDomain != nil {
			u, _ := url.Parse(srv.PublicURL())
			fmt.Fprintf(w, "  Auth domain:  http://%s.auth.%s.%s:%s/oauth2/token (resolves only where *.%s does; curl does)\n",
				d.CognitoDomain.DomainPrefix, p.Region, srv.Catalog().BaseDomain(), u.Port(), srv.Catalog().BaseDomain())
		}
	}
}

// printDevCurl prints the curl line that gets a token for the client, and
// returns it on one line.
func (a *app) printDevCurl(base, clientID, secret string) string {
	fmt.Fprintf(a.stdout, "\nGet a token (the seed article's curl line, for this client):\n\n")
	fmt.Fprintf(a.stdout, "curl -X POST %s/oauth2/token \\\n  -H \"Content-Type: application/x-www-form-urlencoded\" \\\n  -d \"grant_type=client_credentials&client_id=%s&client_secret=%s\"\n\n",
		base, clientID, secret)
	return fmt.Sprintf(`curl -X POST %s/oauth2/token -H "Content-Type: application/x-www-form-urlencoded" -d "grant_type=client_credentials&client_id=%s&client_secret=%s"`,
		base, clientID, secret)
}

// printDevAPIs prints each REST API's URLs, and how to call it with a token
// when curlToken gets one.
func (a *app) printDevAPIs(srv *server.Server, cfg *config.Config, curlToken string, created []newAPIKey) {
	w, base := a.stdout, srv.PublicURL()
	for _, api := range cfg.RestAPIs {
		id := tollgate.RestAPIID(api.ID)
		stage := api.DeployOptions.StageName
		if stage == "" {
			stage = config.DefaultStageName
		}
		apiURL := fmt.Sprintf("%s/apis/%s/%s/", base, id, stage)
		fmt.Fprintf(w, "\nREST API %s: %s\n  API URL:      %s\n", api.ID, id, apiURL)
		u, _ := url.Parse(base)
		fmt.Fprintf(w, "  Also at:      http://%s.execute-api.%s.%s:%s/%s/ (resolves only where *.%s does; curl does)\n",
			id, cfg.Region, srv.Catalog().BaseDomain(), u.Port(), stage, srv.Catalog().BaseDomain())
		if path, ok := tokenMethodPath(&api); ok && curlToken != "" {
			fmt.Fprintf(w, "\nCall the API with a token:\n\nTOKEN=$(%s --silent | sed 's/.*\"access_token\":\"\\([^\"]*\\)\".*/\\1/')\ncurl -H \"Authorization: Bearer $TOKEN\" %s%s\n", curlToken, apiURL, strings.TrimPrefix(path, "/"))
		}
		if m, ok := firstAPIKeyMethod(cfg, &api, created); ok {
			a.printAPIKeyCall(apiURL, m, curlToken)
		}
	}
	for _, api := range cfg.HTTPAPIs {
		a.printDevHTTPAPI(srv, cfg.Region, &api, curlToken)
	}
}

// printDevHTTPAPI prints an HTTP API's URL for each of its stages ($default
// at the API's root), and a curl line for its first route with a literal
// path: with a token when that route has an authorizer and curlToken gets
// one.
func (a *app) printDevHTTPAPI(srv *server.Server, region string, api *config.HTTPAPI, curlToken string) {
	w, base := a.stdout, srv.PublicURL()
	id := tollgate.RestAPIID(api.ID)
	u, _ := url.Parse(base)
	fmt.Fprintf(w, "\nHTTP API %s: %s\n", api.ID, id)
	if api.DisableExecuteAPIEndpoint {
		fmt.Fprintf(w, "  (its execute-api endpoint is disabled)\n")
		return
	}
	var stages []string
	if api.CreateDefaultStage == nil || *api.CreateDefaultStage {
		stages = append(stages, "")
	}
	for _, s := range api.Stages {
		if s.StageName != tollgate.DefaultStageName {
			stages = append(stages, s.StageName+"/")
		}
	}
	for _, st := range stages {
		name := strings.TrimSuffix(st, "/")
		if name == "" {
			name = tollgate.DefaultStageName
		}
		fmt.Fprintf(w, "  Stage %s:\n    API URL:    %s/apis/%s/%s\n    Also at:    http://%s.execute-api.%s.%s:%s/%s (resolves only where *.%s does; curl does)\n",
			name, base, id, st, id, cmp.Or(region, config.DefaultRegion), srv.Catalog().BaseDomain(), u.Port(), st, srv.Catalog().BaseDomain())
	}
	if len(stages) == 0 {
		return
	}
	for _, r := range api.Routes {
		if r.Path == tollgate.DefaultRouteKey || strings.Contains(r.Path, "{") {
			continue
		}
		if len(r.Methods) > 0 && !slices.Contains(r.Methods, "GET") && !slices.Contains(r.Methods, "ANY") {
			continue
		}
		target := fmt.Sprintf("%s/apis/%s/%s%s", base, id, stages[0], strings.TrimPrefix(r.Path, "/"))
		authorizer := cmp.Or(r.Authorizer, api.DefaultAuthorizer)
		if authorizer == "" || authorizer == "NONE" {
			fmt.Fprintf(w, "\nCall it:\n\ncurl %s\n", target)
		} else if curlToken != "" && isJWTAuthorizer(api, authorizer) {
			fmt.Fprintf(w, "\nCall it with a token:\n\nTOKEN=$(%s --silent | sed 's/.*\"access_token\":\"\\([^\"]*\\)\".*/\\1/')\ncurl -H \"Authorization: Bearer $TOKEN\" %s\n", curlToken, target)
		}
		return
	}
}

// isJWTAuthorizer reports whether the API's authorizer id is a JWT
// authorizer, whose route takes the pool's token.
func isJWTAuthorizer(api *config.HTTPAPI, id string) bool {
	for _, a := range api.Authorizers {
		if a.ID == id {
			return a.Type == config.HTTPAuthorizerJWT
		}
	}
	return false
}

// printFunctions prints each function with an `aws lambda invoke` line
// that works as printed. The Invoke API takes calls signed with an access
// key, as Lambda does, in any region: the line carries the key and the
// config's region. No --payload: the function gets {}, and the line is the
// same for AWS CLI v1 and v2 (v2 reads --payload as base64 unless
// --cli-binary-format raw-in-base64-out, an option v1 refuses).
func (a *app) printFunctions(cfg *config.Config, base string, key awsKey) {
	region := cmp.Or(cfg.Region, config.DefaultRegion)
	for _, fn := range cfg.Functions {
		name := cmp.Or(fn.FunctionName, fn.ID)
		fmt.Fprintf(a.stdout, "\nFunction %s (%s, %s)\n  Code:         %s\n  Invoke:       %saws lambda invoke --endpoint-url %s --function-name %s out.json\n",
			fn.ID, fn.Runtime, fn.Handler, fn.Code, key.env(region, "    "), base, name)
	}
}

// revealFirst returns a client's first secret in the clear.
func revealFirst(ctx context.Context, st tollgate.Store, v *vault.Vault, clientID string) (string, error) {
	c, err := st.GetClient(ctx, clientID)
	if err != nil {
		return "", err
	}
	if len(c.Secrets) == 0 {
		return "", nil
	}
	return domain.New(st, v, nil).Reveal(c, c.Secrets[0])
}
