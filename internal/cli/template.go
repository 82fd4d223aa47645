package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/template"
	"github.com/tollgate/tollgate/internal/vault"
)

// templateFlags are the flags that run a CloudFormation template.
type templateFlags struct {
	path       string
	stack      string
	stackName  string
	region     string
	parameters []string
}

func (f *templateFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.path, "template", "", "CloudFormation template (JSON or YAML) or cdk.out directory to run, as cdk synth wrote it")
	fs.StringVar(&f.stack, "stack", "", "stack of the cdk.out directory to run, when it holds several")
	fs.StringVar(&f.stackName, "stack-name", "", "AWS::StackName, under which the store keeps the stack's objects apart from other stacks' (default the stack's name in cdk.out, or the template file's name)")
	fs.StringVar(&f.region, "region", config.DefaultRegion, "AWS::Region of the template, and the region of its pools")
	fs.StringArrayVar(&f.parameters, "parameter", nil, "template parameter value, NAME=VALUE (repeatable)")
}

// stackRun is a template loaded and checked, to deploy to a store.
type stackRun struct {
	t    *template.Template
	opts template.Options
	path string
	// plan is the template mapped with made-up ids, then, once deployed,
	// with the ids of the store.
	plan *template.Plan
}

// loadTemplate loads, resolves and maps the template, to check it before
// anything starts. Problems are printed one a line (file:line:col: path:
// message) and the command fails with exit 2; resources that do not apply
// off AWS are listed on stderr.
func (a *app) loadTemplate(f templateFlags) (*stackRun, error) {
	run, err := a.readTemplate(f)
	if err != nil {
		return nil, a.templateProblems(f.path, err)
	}
	return run, nil
}

// readTemplate is loadTemplate without printing problems: an error holds
// them (config.Problems).
func (a *app) readTemplate(f templateFlags) (*stackRun, error) {
	params := map[string]string{}
	for _, p := range f.parameters {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--parameter %q: want NAME=VALUE: %w", p, exitError(2))
		}
		params[k] = v
	}
	t, stack, err := template.Load(f.path, f.stack)
	if err != nil {
		return nil, err
	}
	run := &stackRun{t: t, path: f.path, opts: template.Options{Region: f.region, StackName: cmp.Or(f.stackName, stack), Parameters: params}}
	if run.plan, err = template.Deploy(t, run.opts); err != nil {
		return nil, err
	}
	for _, r := range run.plan.NotApplicable {
		fmt.Fprintf(a.stderr, "not applicable: %s (%s) has no meaning off AWS; accepted and not run\n", r.LogicalID, r.Type)
	}
	for _, l := range run.plan.Limitations {
		fmt.Fprintf(a.stderr, "partly supported: %s\n", l)
	}
	for _, r := range run.plan.Skipped {
		fmt.Fprintf(a.stderr, "skipped: %s (%s): its condition is false\n", r.LogicalID, r.Type)
	}
	return run, nil
}

// templateProblems prints a template's problems and says nothing started.
func (a *app) templateProblems(path string, err error) error {
	var probs config.Problems
	if errors.As(err, &probs) {
		fmt.Fprintln(a.stderr, probs.Error())
		return reported(2, "%s: %d problem(s); nothing was started", path, len(probs))
	}
	return err
}

// deployStack deploys the template to the store as its stack: it reads
// the ids the stack's pools and clients have (or will have), resolves the
// template with them, so that every reference to a pool or client holds
// its real id, and applies the result. A conflict (another node deploying
// the same stack at once) is retried with the ids read again.
func (a *app) deployStack(ctx context.Context, st tollgate.Store, v *vault.Vault, run *stackRun, log *slog.Logger) (*config.Result, error) {
	var plan *template.Plan
	res, err := a.domain(st, v).Deploy(ctx, run.plan.StackName, func(ids *config.IDs) (*config.Config, error) {
		opts := run.opts
		opts.IDs = ids
		var err error
		if plan, err = template.Deploy(run.t, opts); err != nil {
			return nil, a.templateProblems(run.path, err)
		}
		return plan.Config, nil
	})
	if err != nil {
		return nil, err
	}
	run.plan = plan
	for _, c := range res.Changes {
		log.Info("stack deployed", "stack", plan.StackName, "change", c.String())
	}
	return res, nil
}

// printOutputs writes the stack's outputs as a JSON array, or for people,
// with the Tollgate URL beside an AWS endpoint URL.
func printOutputs(out output, outs []template.Output) error {
	if out.asJSON {
		if outs == nil {
			outs = []template.Output{}
		}
		return printJSON(out.w, outs)
	}
	if len(outs) == 0 {
		return nil
	}
	fmt.Fprintln(out.w, "Outputs:")
	for _, o := range outs {
		fmt.Fprintf(out.w, "  %s = %s\n", o.Key, o.Value)
		if o.Local != "" {
			fmt.Fprintf(out.w, "  %s (here) = %s\n", o.Key, o.Local)
		}
	}
	return nil
}

// outputsCommand deploys a template to the store, without serving, and
// prints its outputs.
func (a *app) outputsCommand() *cobra.Command {
	var tf templateFlags
	var publicURL string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "outputs --template PATH",
		Short: "Deploy a CloudFormation template (or cdk.out) to the store, as serve does, and print its Outputs resolved",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if tf.path == "" {
				return fmt.Errorf("--template is required: %w", exitError(2))
			}
			ctx := cmd.Context()
			run, err := a.loadTemplate(tf)
			if err != nil {
				return err
			}
			v, err := a.openVault()
			if err != nil {
				return err
			}
			st, err := a.openStoreFor(ctx, v)
			if err != nil {
				return err
			}
			defer st.Close()
			res, err := a.deployStack(ctx, st, v, run, a.logger())
			if err != nil {
				return err
			}
			base := strings.TrimRight(publicURL, "/")
			// The issuer is the one the store holds for every node, when
			// one was stored (serve's --issuer-url or first --public-url).
			issuer := base
			if stored, err := st.GetSetting(ctx, tollgate.SettingIssuerURL); err == nil {
				issuer = string(stored)
			} else if !tollgate.IsNotFound(err) {
				return err
			}
			outs := run.plan.Outputs(res, template.Endpoints{
				PublicURL: base,
				Issuer:    func(poolID string) string { return issuer + "/" + poolID },
			})
			return printOutputs(output{a.stdout, asJSON}, outs)
		},
	}
	tf.register(cmd)
	cmd.Flags().StringVar(&publicURL, "public-url", "http://127.0.0.1:8080", "public URL of the server that serves the store, for the local URLs")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the outputs as JSON")
	return cmd
}
