package cli

import (
	"context"
	"fmt"
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
		a.apiKeysCreate(), a.apiKeysList(),
		a.apiKeySwitch("enable", "Enable an API key", (*domain.Service).EnableAPIKey),
		a.apiKeySwitch("disable", "Disable an API key: the gateway refuses it with 403, as an unknown key (allowed on a config's key, until the config's next apply)", (*domain.Service).DisableAPIKey),
		a.apiKeySwitch("delete", "Delete an API key made by hand (a config's keys are deleted from the config)", (*domain.Service).DeleteAPIKey))
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
		fmt.Fprintf(out.w, "API key id: %s (%s)\nValue:      %s\n(The value is shown once: Tollgate keeps only its hash and cannot print it again.)\n\n", k.ID, state, value)
		fmt.Fprintf(out.w, "curl -H 'x-api-key: %s' http://127.0.0.1:8080/…\n", value)
		return nil
	}
}

func (a *app) apiKeysCreate() *cobra.Command {
	var c apiKeyCreate
	create := &cobra.Command{
		Use:   "create --name NAME [--value VALUE] [--usage-plan ID]...",
		Short: "Create an API key and print its id and value (the value is shown once)",
		Args:  cobra.NoArgs,
	}
	create.RunE = a.onStoreAndVault(c.run(func() output { return output{a.stdout, c.asJSON} }))
	f := create.Flags()
	f.StringVar(&c.spec.Name, "name", "", "the key's name (required)")
	f.StringVar(&c.spec.Value, "value", "", "the key's value, 20 to 128 printable characters (default: 40 generated alphanumerics); it may show in your shell's history")
	f.StringArrayVar(&c.spec.PlanIDs, "usage-plan", nil, "a usage plan id to put the key in (repeat for several)")
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
// its argument names.
func (a *app) apiKeySwitch(use, short string, write func(*domain.Service, context.Context, string) error) *cobra.Command {
	return &cobra.Command{
		Use:   use + " API_KEY_ID",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE:  a.onStore(apiKeyWrite(write)),
	}
}

func apiKeyWrite(write func(*domain.Service, context.Context, string) error) storeRun {
	return func(ctx context.Context, s *session, args []string) error {
		return write(s.svc, ctx, args[0])
	}
}
