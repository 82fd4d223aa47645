package cli

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
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
func (q *usageQuery) run(now func() time.Time, stdout func() output) storeRun {
	return func(ctx context.Context, s *session, _ []string) error {
		if q.key != "" && !tollgate.APIKeyIDPattern.MatchString(q.key) {
			// The id is checked, not quoted back: an operator may have
			// pasted a key's value.
			return tollgate.Errorf(tollgate.KindInvalid, "--key: want an API key id (10 lowercase letters and digits, as `tollgate api-keys list` shows), not a key's value or name")
		}
		plan, err := findPlan(ctx, s.st, q.plan)
		if err != nil {
			return err
		}
		today := now().UTC().Format(tollgate.UsageDay)
		start, end := cmp.Or(q.start, today), cmp.Or(q.end, today)
		var all *usage.Usage
		for pos := ""; ; {
			page, err := usage.Report(ctx, s.st, plan, q.key, start, end, pos, usage.MaxLimit)
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
		first, _ := time.Parse(tollgate.UsageDay, all.StartDate) // Report checked it
		var rows [][]string
		for _, id := range slices.Sorted(maps.Keys(all.Values)) {
			for i, day := range all.Values[id] {
				rows = append(rows, []string{id, first.AddDate(0, 0, i).Format(tollgate.UsageDay), fmt.Sprint(day[0]), fmt.Sprint(day[1])})
			}
		}
		return printTable(out.w, []string{"API KEY ID", "DATE", "USED", "REMAINING"}, rows)
	}
}

// findPlan returns the usage plan ref names: by id, by name, or by the
// logical id a config or template declares it under (Basic for
// usagePlans' id: Basic or a template's resource Basic); with ref empty,
// the store's one plan. An unknown or ambiguous ref is refused with the
// list of the plans.
func findPlan(ctx context.Context, st tollgate.Store, ref string) (*tollgate.UsagePlan, error) {
	plans, err := st.ListUsagePlans(ctx)
	if err != nil {
		return nil, err
	}
	p, err := matchPlan(plans, ref)
	if err == nil || ref != "" || len(plans) == 0 {
		return p, err
	}
	return nil, tollgate.Errorf(tollgate.KindInvalid, "--plan is needed: the usage plans are %s", describePlans(plans))
}

// resolvePlans returns the ids of the plans refs name (findPlan's ways),
// reading the plans once.
func resolvePlans(ctx context.Context, st tollgate.Store, refs []string) ([]string, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	plans, err := st.ListUsagePlans(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(refs))
	for i, ref := range refs {
		if ref == "" {
			return nil, tollgate.Errorf(tollgate.KindInvalid, "--usage-plan: empty; the usage plans are %s", describePlans(plans))
		}
		p, err := matchPlan(plans, ref)
		if err != nil {
			return nil, err
		}
		ids[i] = p.ID
	}
	return ids, nil
}

// matchPlan returns the one plan of plans that ref names: its id first,
// else its name or logical id; with ref empty, the only plan.
func matchPlan(plans []*tollgate.UsagePlan, ref string) (*tollgate.UsagePlan, error) {
	var named []*tollgate.UsagePlan
	for _, p := range plans {
		if ref != "" && p.ID == ref {
			return p, nil
		}
		if ref == "" || p.Name == ref || planLogicalID(p) == ref {
			named = append(named, p)
		}
	}
	switch {
	case len(named) == 1:
		return named[0], nil
	case len(plans) == 0:
		return nil, tollgate.Errorf(tollgate.KindNotFound, "there is no usage plan: declare one in a config (usagePlans) or a template (AWS::ApiGateway::UsagePlan)")
	case len(named) > 1:
		return nil, tollgate.Errorf(tollgate.KindInvalid, "%d usage plans are named %q: name one by id: %s", len(named), ref, describePlans(plans))
	}
	return nil, tollgate.Errorf(tollgate.KindNotFound, "no usage plan has the id, name or logical id %q: the usage plans are %s", ref, describePlans(plans))
}

// planLogicalID returns the logical id a config or template declares the
// plan under (the last part of its ConfigKey), or "" for none.
func planLogicalID(p *tollgate.UsagePlan) string {
	_, logical, ok := tollgate.SplitConfigKey(p.ConfigKey)
	if !ok {
		_, logical, ok = tollgate.SplitStackKey(p.ConfigKey)
	}
	if !ok {
		logical = p.ConfigKey // a bare logical id, or ""
	}
	return logical[strings.LastIndexByte(logical, '/')+1:]
}

// describePlans lists plans for a refusal: "id (name, declared in config
// seed as Basic)", ….
func describePlans(plans []*tollgate.UsagePlan) string {
	names := make([]string, len(plans))
	for i, p := range plans {
		where := "made by hand"
		if p.ConfigKey != "" {
			where = "declared in " + owner(p.ConfigKey) + " as " + planLogicalID(p)
		}
		names[i] = p.ID + " (" + p.Name + ", " + where + ")"
	}
	return strings.Join(names, ", ")
}

func (a *app) usageCommand() *cobra.Command {
	var q usageQuery
	cmd := &cobra.Command{
		Use:   "usage [--plan ID|NAME|LOGICAL_ID] [--start YYYY-MM-DD] [--end YYYY-MM-DD] [--key ID]",
		Short: "Print a usage plan's use per API key per day, [used, remaining] as API Gateway's GetUsage (counts reach the store every few seconds)",
		Args:  cobra.NoArgs,
	}
	cmd.RunE = a.onStore(q.run(a.now, func() output { return output{a.stdout, q.asJSON} }))
	f := cmd.Flags()
	f.StringVar(&q.plan, "plan", "", "the usage plan, by id, name or the logical id a config or template declares it under (default the only one)")
	f.StringVar(&q.start, "start", "", "the first day, YYYY-MM-DD, UTC (default today)")
	f.StringVar(&q.end, "end", "", "the last day, YYYY-MM-DD, UTC (default today)")
	f.StringVar(&q.key, "key", "", "only this API key id")
	jsonFlag(cmd, &q.asJSON)
	return cmd
}
