package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

// accessKeyView is an access key as the CLI prints it. The secret is
// present only when the key was just created.
type accessKeyView struct {
	AccessKeyID     string    `json:"AccessKeyId"`
	SecretAccessKey string    `json:"SecretAccessKey,omitempty"`
	Description     string    `json:"Description,omitempty"`
	CreateDate      time.Time `json:"CreateDate"`
}

func (a *app) accessKeysCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "access-keys",
		Short: "Manage the access keys that sign calls to the Cognito management API (AWS SDKs, the AWS CLI)",
	}
	cmd.AddCommand(a.accessKeysCreate(), a.accessKeysList(), a.accessKeysDelete())
	return cmd
}

func (a *app) accessKeysCreate() *cobra.Command {
	var description string
	var createJSON bool
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an access key and print its id and secret (the secret is shown once)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return a.withStoreAndVault(ctx, func(s *session) error {
				k, secret, err := s.svc.CreateAccessKey(ctx, description)
				if err != nil {
					return err
				}
				if createJSON {
					return printJSON(a.stdout, accessKeyView{k.ID, secret, k.Description, k.CreatedAt})
				}
				fmt.Fprintf(a.stdout, "Access key id:     %s\nSecret access key: %s\n(The secret is shown once: Tollgate cannot print it again.)\n\n", k.ID, secret)
				fmt.Fprintf(a.stdout, "export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_DEFAULT_REGION=us-east-1\naws cognito-idp list-user-pools --max-results 10 --endpoint-url http://127.0.0.1:8080\n", k.ID, secret)
				return nil
			})
		},
	}
	create.Flags().StringVar(&description, "description", "", "what the key is for")
	create.Flags().BoolVar(&createJSON, "json", false, "print JSON")
	return create
}

func (a *app) accessKeysList() *cobra.Command {
	var listJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List access keys (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return a.withStore(ctx, func(s *session) error {
				keys, err := s.st.ListAccessKeys(ctx)
				if err != nil {
					return err
				}
				if listJSON {
					views := make([]accessKeyView, 0, len(keys))
					for _, k := range keys {
						views = append(views, accessKeyView{AccessKeyID: k.ID, Description: k.Description, CreateDate: k.CreatedAt})
					}
					return printJSON(a.stdout, views)
				}
				rows := make([][]string, 0, len(keys))
				for _, k := range keys {
					rows = append(rows, []string{k.ID, k.Description, fmtTime(k.CreatedAt)})
				}
				return printTable(a.stdout, []string{"ACCESS KEY ID", "DESCRIPTION", "CREATED"}, rows)
			})
		},
	}
	list.Flags().BoolVar(&listJSON, "json", false, "print JSON")
	return list
}

func (a *app) accessKeysDelete() *cobra.Command {
	return &cobra.Command{
		Use:   "delete ACCESS_KEY_ID",
		Short: "Delete an access key; calls signed with it are refused at once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return a.withStore(ctx, func(s *session) error {
				return s.svc.DeleteAccessKey(ctx, args[0])
			})
		},
	}
}
