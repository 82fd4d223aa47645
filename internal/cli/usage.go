package cli

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/usage"
)

// usageQuery is what `usage` parsed.
type usageQuery struct {
	plan, start, end, key string
	asJSON                bool
}

// run prints the plan's usage: every page of GetUsage's report joined
// into one answer, as GetUsage's JSON (--json) or a table of one row per
// key and day.
func (q *usageQuery) run(stdout func() output) storeRun {
	return func(ctx context.Context, s *session, _ []string) error {
		plan, err := s.st.GetUsagePlan(ctx, q.plan)
		if err != nil {
			return err
		}
		var all *usage.Usage
		for pos := ""; ; {
			page, err := usage.Report(ctx, s.st, plan, q.key, q.start, q.end, pos, usage.MaxLimit)
			if err != nil {
				return err
			}
			if all == nil {
				all = page
			} else {
				maps.Copy(all.Values, page.Values)
			}
			if pos = page.Position; pos == "" {
				break
			}
		}
		all.Position = ""
		out := stdout()
		if out.asJSON {
			return printJSON(out.w, all)
		}
		start, _ := time.Parse(tollgate.UsageDay, all.StartDate) // Report checked it
		var rows [][]string
		for _, id := range slices.Sorted(maps.Keys(all.Values)) {
			for i, day := range all.Values[id] {
				rows = append(rows, []string{id, start.AddDate(0, 0, i).Format(tollgate.UsageDay), fmt.Sprint(day[0]), fmt.Sprint(day[1])})
			}
		}
		return printTable(out.w, []string{"API KEY ID", "DATE", "USED", "REMAINING"}, rows)
	}
}

func (a *app) usageCommand() *cobra.Command {
	var q usageQuery
	cmd := &cobra.Command{
		Use:   "usage --plan ID --start YYYY-MM-DD --end YYYY-MM-DD [--key ID]",
		Short: "Print a usage plan's use per API key per day, [used, remaining] as API Gateway's GetUsage (counts reach the store every few seconds)",
		Args:  cobra.NoArgs,
	}
	cmd.RunE = a.onStore(q.run(func() output { return output{a.stdout, q.asJSON} }))
	f := cmd.Flags()
	f.StringVar(&q.plan, "plan", "", "the usage plan id (required)")
	f.StringVar(&q.start, "start", "", "the first day, YYYY-MM-DD, UTC (required)")
	f.StringVar(&q.end, "end", "", "the last day, YYYY-MM-DD, UTC (required)")
	f.StringVar(&q.key, "key", "", "only this API key id")
	jsonFlag(cmd, &q.asJSON)
	for _, name := range []string{"plan", "start", "end"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}
