package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate"
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
	return group("access-keys", "Manage the access keys that sign calls to the Cognito management API (AWS SDKs, the AWS CLI)",
		a.accessKeysCreate(), a.accessKeysList(), a.accessKeysDelete())
}

func (a *app) accessKeysCreate() *cobra.Command {
	var description string
	var createJSON bool
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an access key and print its id and secret (the secret is shown once)",
		Args:  cobra.NoArgs,
		RunE: a.onStoreAndVault(func(ctx context.Context, s *session, _ []string) error {
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
		}),
	}
	create.Flags().StringVar(&description, "description", "", "what the key is for")
	jsonFlag(create, &createJSON)
	return create
}

func (a *app) accessKeysList() *cobra.Command {
	var listJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List access keys (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: a.onStore(func(ctx context.Context, s *session, _ []string) error {
			keys, err := s.st.ListAccessKeys(ctx)
			if err != nil {
				return err
			}
			return printListing(output{a.stdout, listJSON}, keys,
				func(k *tollgate.AccessKey) accessKeyView {
					return accessKeyView{AccessKeyID: k.ID, Description: k.Description, CreateDate: k.CreatedAt}
				},
				[]string{"ACCESS KEY ID", "DESCRIPTION", "CREATED"},
				func(k *tollgate.AccessKey) []string { return []string{k.ID, k.Description, fmtTime(k.CreatedAt)} })
		}),
	}
	jsonFlag(list, &listJSON)
	return list
}

func (a *app) accessKeysDelete() *cobra.Command {
	return &cobra.Command{
		Use:   "delete ACCESS_KEY_ID",
		Short: "Delete an access key; calls signed with it are refused at once",
		Args:  cobra.ExactArgs(1),
		RunE: a.onStore(func(ctx context.Context, s *session, args []string) error {
			return s.svc.DeleteAccessKey(ctx, args[0])
		}),
	}
}
