package cli

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate"
)

// The administration commands share one shape: open the store (and the
// vault when secrets are read or written), resolve what the first argument
// names, act through the domain service, and print JSON or a table. The
// helpers below write each step once.

// group is a command that only holds its subcommands.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short}
	cmd.AddCommand(subs...)
	return cmd
}

// storeRun is a command's work on an open session; args are its arguments.
type storeRun func(ctx context.Context, s *session, args []string) error

// onStore is a RunE that opens the store, without the vault, and runs run.
func (a *app) onStore(run storeRun) func(*cobra.Command, []string) error {
	return a.runOn(a.withStore, run)
}

// onStoreAndVault is a RunE that opens the store and the vault and runs run.
func (a *app) onStoreAndVault(run storeRun) func(*cobra.Command, []string) error {
	return a.runOn(a.withStoreAndVault, run)
}

func (a *app) runOn(open func(context.Context, func(*session) error) error, run storeRun) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		return open(ctx, func(s *session) error { return run(ctx, s, args) })
	}
}

// onPool is a storeRun that resolves its first argument as a pool (by id,
// name or config logical id) before running fn.
func onPool(fn func(ctx context.Context, s *session, p *tollgate.UserPool) error) storeRun {
	return func(ctx context.Context, s *session, args []string) error {
		p, err := findPool(ctx, s.st, args[0])
		if err != nil {
			return err
		}
		return fn(ctx, s, p)
	}
}

// onClient is a storeRun that reads the client its first argument names
// before running fn.
func onClient(fn func(ctx context.Context, s *session, c *tollgate.Client, args []string) error) storeRun {
	return func(ctx context.Context, s *session, args []string) error {
		c, err := s.st.GetClient(ctx, args[0])
		if err != nil {
			return err
		}
		return fn(ctx, s, c, args)
	}
}

// jsonFlag adds the --json flag every listing and describe command has.
func jsonFlag(cmd *cobra.Command, asJSON *bool) {
	cmd.Flags().BoolVar(asJSON, "json", false, "print JSON")
}

// output is where a command prints its result, and how: as JSON (--json)
// or for people.
type output struct {
	w      io.Writer
	asJSON bool
}

// printListing prints items as a JSON array of their views, or as a table
// of their rows under header.
func printListing[T, V any](out output, items []T, view func(T) V, header []string, row func(T) []string) error {
	if out.asJSON {
		views := make([]V, 0, len(items))
		for _, it := range items {
			views = append(views, view(it))
		}
		return printJSON(out.w, views)
	}
	rows := make([][]string, 0, len(items))
	for _, it := range items {
		rows = append(rows, row(it))
	}
	return printTable(out.w, header, rows)
}
