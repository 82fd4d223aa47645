package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

// apiKeyView is an API key as the CLI prints it. The value is present
// only when the key was just created: the store keeps a hash and a sealed
// copy, and no command prints it again.
type apiKeyView struct {
	ID          string    `json:"id"`
	Value       string    `json:"value,omitempty"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	CustomerID  string    `json:"customerId,omitempty"`
	Enabled     bool      `json:"enabled"`
	UsagePlans  []string  `json:"usagePlanIds"`
	ManagedBy   string    `json:"managedBy"`
	CreatedDate time.Time `json:"createdDate"`
}

func newAPIKeyView(k *tollgate.APIKey, value string) apiKeyView {
	plans := k.PlanIDs
	if plans == nil {
		plans = []string{}
	}
	return apiKeyView{ID: k.ID, Value: value, Name: k.Name, Description: k.Description, CustomerID: k.CustomerID,
		Enabled: k.Enabled, UsagePlans: plans, ManagedBy: managedBy(k.ConfigKey), CreatedDate: k.CreatedAt}
}

func (a *app) apiKeysCommand() *cobra.Command {
	return group("api-keys", "Manage the API keys that third parties send to REST APIs with usage plans (X-API-Key)",
		a.apiKeysCreate(), a.apiKeysList(), a.apiKeysUpdate(),
		a.apiKeySwitch("enable", "enabled", "Enable an API key", (*domain.Service).EnableAPIKey),
		a.apiKeySwitch("disable", "disabled", "Disable an API key: the gateway refuses it with 403, as an unknown key (allowed on a config's key, until the config's next apply)", (*domain.Service).DisableAPIKey),
		a.apiKeySwitch("delete", "deleted", "Delete an API key made by hand (a config's keys are deleted from the config)", (*domain.Service).DeleteAPIKey))
}

// apiKeyCreate is what `api-keys create` parsed.
type apiKeyCreate struct {
	spec     domain.APIKeySpec
	disabled bool
	asJSON   bool
}

func (c *apiKeyCreate) run(stdout func() output) storeRun {
	return func(ctx context.Context, s *session, _ []string) error {
		spec := c.spec
		spec.Enabled = !c.disabled
		var err error
		if spec.PlanIDs, err = resolvePlans(ctx, s.st, spec.PlanIDs); err != nil {
			return err
		}
		k, value, err := s.svc.CreateAPIKey(ctx, spec)
		if err != nil {
			return err
		}
		out := stdout()
		if out.asJSON {
			return printJSON(out.w, newAPIKeyView(k, value))
		}
		state := "enabled"
		if !k.Enabled {
			state = "disabled"
		}
		fmt.Fprintf(out.w, "API key id: %s (%s)\nValue:      %s\n", k.ID, state, value)
		fmt.Fprint(out.w, "(The value is shown once. Tollgate keeps a keyed hash of it to recognise it, and a sealed copy\n"+
			"only so that a master key rotation can hash it again; no command prints it again.)\n"+
			"Callers send it in the x-api-key header to the methods that require an API key.\n")
		if len(k.PlanIDs) == 0 {
			fmt.Fprintf(out.w, "Warning: the key is in no usage plan, so it works on no method until it is in one: tollgate api-keys update %s --add-usage-plan PLAN\n", k.ID)
		}
		return nil
	}
}

func (a *app) apiKeysCreate() *cobra.Command {
	var c apiKeyCreate
	create := &cobra.Command{
		Use:   "create --name NAME [--value VALUE] [--usage-plan PLAN]...",
		Short: "Create an API key and print its id and value (the value is shown once)",
		Args:  cobra.NoArgs,
	}
	create.RunE = a.onStoreAndVault(c.run(func() output { return output{a.stdout, c.asJSON} }))
	f := create.Flags()
	f.StringVar(&c.spec.Name, "name", "", "the key's name (required)")
	f.StringVar(&c.spec.Value, "value", "", "the key's value, 20 to 128 printable characters (default: 40 generated alphanumerics); it may show in your shell's history")
	f.StringArrayVar(&c.spec.PlanIDs, "usage-plan", nil, "a usage plan to put the key in, by id, name or logical id (repeat for several); without one the key works on no method")
	f.StringVar(&c.spec.Description, "description", "", "what the key is for")
	f.StringVar(&c.spec.CustomerID, "customer-id", "", "the AWS Marketplace customer id (free text)")
	f.BoolVar(&c.disabled, "disabled", false, "create the key disabled")
	jsonFlag(create, &c.asJSON)
	_ = create.MarkFlagRequired("name")
	return create
}

// listAPIKeys is `api-keys list`'s work.
func listAPIKeys(out output) storeRun {
	return func(ctx context.Context, s *session, _ []string) error {
		keys, err := s.svc.ListAPIKeys(ctx)
		if err != nil {
			return err
		}
		return printListing(out, keys,
			func(k *tollgate.APIKey) apiKeyView { return newAPIKeyView(k, "") },
			[]string{"ID", "NAME", "ENABLED", "USAGE PLANS", "OWNER"},
			func(k *tollgate.APIKey) []string {
				plans := strings.Join(k.PlanIDs, ",")
				if plans == "" {
					plans = "-"
				}
				return []string{k.ID, k.Name, fmt.Sprint(k.Enabled), plans, owner(k.ConfigKey)}
			})
	}
}

func (a *app) apiKeysList() *cobra.Command {
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List API keys (never their values)",
		Args:  cobra.NoArgs,
	}
	list.RunE = func(cmd *cobra.Command, args []string) error {
		return a.onStore(listAPIKeys(output{a.stdout, asJSON}))(cmd, args)
	}
	jsonFlag(list, &asJSON)
	return list
}

// apiKeySwitch is a command that runs one write of the service on the key
// its argument names and says it did ("API key ID disabled").
func (a *app) apiKeySwitch(use, done, short string, write func(*domain.Service, context.Context, string) error) *cobra.Command {
	return &cobra.Command{
		Use:   use + " API_KEY_ID",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE:  a.onStore(apiKeyWrite(func() io.Writer { return a.stdout }, done, write)),
	}
}

func apiKeyWrite(stdout func() io.Writer, done string, write func(*domain.Service, context.Context, string) error) storeRun {
	return func(ctx context.Context, s *session, args []string) error {
		if err := write(s.svc, ctx, args[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout(), "API key %s %s\n", args[0], done)
		return nil
	}
}

// apiKeyUpdate is what `api-keys update` parsed.
type apiKeyUpdate struct {
	name, description string
	add, remove       []string
	asJSON            bool
}

func (c *apiKeyUpdate) run(flags func(string) bool, stdout func() output) storeRun {
	return func(ctx context.Context, s *session, args []string) error {
		var u domain.APIKeyUpdate
		if flags("name") {
			u.Name = &c.name
		}
		if flags("description") {
			u.Description = &c.description
		}
		var err error
		if u.AddPlanIDs, err = resolvePlans(ctx, s.st, c.add); err != nil {
			return err
		}
		if u.RemovePlanIDs, err = resolvePlans(ctx, s.st, c.remove); err != nil {
			return err
		}
		k, err := s.svc.UpdateAPIKey(ctx, args[0], u)
		if err != nil {
			return err
		}
		out := stdout()
		if out.asJSON {
			return printJSON(out.w, newAPIKeyView(k, ""))
		}
		plans := strings.Join(k.PlanIDs, ", ")
		if plans == "" {
			plans = "none: the key works on no method until it is in one"
		}
		fmt.Fprintf(out.w, "API key %s updated; usage plans: %s\n", k.ID, plans)
		return nil
	}
}

func (a *app) apiKeysUpdate() *cobra.Command {
	var c apiKeyUpdate
	update := &cobra.Command{
		Use:   "update API_KEY_ID [--add-usage-plan PLAN]... [--remove-usage-plan PLAN]... [--name NAME] [--description TEXT]",
		Short: "Change an API key made by hand: its name, description and usage plans (its value never changes; a config's keys change in the config)",
		Args:  cobra.ExactArgs(1),
	}
	update.RunE = a.onStore(c.run(func(name string) bool { return update.Flags().Changed(name) },
		func() output { return output{a.stdout, c.asJSON} }))
	f := update.Flags()
	f.StringArrayVar(&c.add, "add-usage-plan", nil, "a usage plan to put the key in, by id, name or logical id (repeat for several)")
	f.StringArrayVar(&c.remove, "remove-usage-plan", nil, "a usage plan to take the key out of, by id, name or logical id (repeat for several)")
	f.StringVar(&c.name, "name", "", "the key's new name")
	f.StringVar(&c.description, "description", "", "the key's new description")
	jsonFlag(update, &c.asJSON)
	return update
}
