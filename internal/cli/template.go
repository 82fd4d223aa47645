package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/template"
)

// templateFlags are the flags that run a CloudFormation template.
type templateFlags struct {
	path       string
	stack      string
	region     string
	parameters []string
}

func (f *templateFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.path, "template", "", "CloudFormation template (JSON or YAML) or cdk.out directory to run, as `cdk synth` wrote it")
	fs.StringVar(&f.stack, "stack", "", "stack of the cdk.out directory to run, when it holds several")
	fs.StringVar(&f.region, "region", config.DefaultRegion, "AWS::Region of the template, and the region of its pools")
	fs.StringArrayVar(&f.parameters, "parameter", nil, "template parameter value, NAME=VALUE (repeatable)")
}

// loadTemplate loads, resolves and maps the template. Problems are printed
// one a line (file:line:col: path: message) and the command fails with exit
// 2 before anything starts; resources that do not apply off AWS are listed
// on stderr.
func (a *app) loadTemplate(f templateFlags) (*template.Plan, error) {
	params := map[string]string{}
	for _, p := range f.parameters {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--parameter %q: want NAME=VALUE: %w", p, exitError(2))
		}
		params[k] = v
	}
	t, stack, err := template.Load(f.path, f.stack)
	var plan *template.Plan
	if err == nil {
		plan, err = template.Deploy(t, template.Options{Region: f.region, StackName: stack, Parameters: params})
	}
	if err != nil {
		var probs config.Problems
		if errors.As(err, &probs) {
			fmt.Fprintln(a.stderr, probs.Error())
			return nil, fmt.Errorf("%s: %d problem(s); nothing was started: %w", f.path, len(probs), exitError(2))
		}
		return nil, err
	}
	for _, r := range plan.NotApplicable {
		fmt.Fprintf(a.stderr, "not applicable: %s (%s) has no meaning off AWS; accepted and not run\n", r.LogicalID, r.Type)
	}
	for _, r := range plan.Skipped {
		fmt.Fprintf(a.stderr, "skipped: %s (%s): its condition is false\n", r.LogicalID, r.Type)
	}
	return plan, nil
}

// printOutputs writes the stack's outputs, with the Tollgate URL beside an
// AWS endpoint URL.
func (a *app) printOutputs(outs []template.Output, asJSON bool) error {
	if asJSON {
		if outs == nil {
			outs = []template.Output{}
		}
		return printJSON(a.stdout, outs)
	}
	if len(outs) == 0 {
		return nil
	}
	fmt.Fprintln(a.stdout, "Outputs:")
	for _, o := range outs {
		fmt.Fprintf(a.stdout, "  %s = %s\n", o.Key, o.Value)
		if o.Local != "" {
			fmt.Fprintf(a.stdout, "  %s (here) = %s\n", o.Key, o.Local)
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
			plan, err := a.loadTemplate(tf)
			if err != nil {
				return err
			}
			v, err := a.openVault(false)
			if err != nil {
				return err
			}
			st, err := a.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			res, err := applyConfig(ctx, st, v, plan.Config, a.logger())
			if err != nil {
				return err
			}
			base := strings.TrimRight(publicURL, "/")
			return a.printOutputs(plan.Outputs(res, template.Endpoints{
				PublicURL: base,
				Issuer:    func(poolID string) string { return base + "/" + poolID },
			}), asJSON)
		},
	}
	tf.register(cmd)
	cmd.Flags().StringVar(&publicURL, "public-url", "http://127.0.0.1:8080", "public URL of the server that serves the store, for the local URLs")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the outputs as JSON")
	return cmd
}
