package usage

import (
	"context"
	"encoding/base64"
	"slices"
	"time"

	"github.com/tollgate/tollgate"
)

// Store is what Report reads.
type Store interface {
	ListAPIKeys(ctx context.Context) ([]*tollgate.APIKey, error)
	Usage(ctx context.Context, planID, keyID, from, to string) ([]tollgate.UsageRecord, error)
}

// Usage is API Gateway's GetUsage answer, field for field on the wire
// (API reference, GetUsage "Response Syntax": endDate, values, position,
// startDate, usagePlanId; the SDKs name values "items").
type Usage struct {
	UsagePlanID string `json:"usagePlanId"`
	StartDate   string `json:"startDate"`
	EndDate     string `json:"endDate"`
	Position    string `json:"position,omitempty"`
	// Values maps each API key's id to one [used, remaining] pair per day
	// from StartDate to EndDate. The key is the id, where API Gateway
	// keys them by the value (botocore's Usage.items: "{api_key} stands
	// for an API key value"): Tollgate keeps a value only hashed or
	// sealed, so it has none to show, and names the key by its id.
	Values map[string][][2]int64 `json:"values"`
}

// Paging bounds, from the GetUsage reference ("The default value is 25
// and the maximum value is 500").
const (
	DefaultLimit = 25
	MaxLimit     = 500
)

// MaxDays bounds the days a report may span. AWS documents no bound;
// Tollgate sets one so that a report's size is bounded (a year and a day).
const MaxDays = 366

// Report returns the usage of plan's API keys (only keyID's, when not
// empty) from startDate to endDate inclusive (YYYY-MM-DD, UTC days), a
// page of limit keys (default 25, at most 500) from position (the
// previous page's Position; empty for the first).
//
// Each day's pair is [used, remaining]: the requests counted that day,
// and what the plan's quota leaves in that day's quota period once that
// day is counted (so a MONTH quota's remaining falls day by day through
// the month, as AWS's answers show). Without a quota AWS documents no
// remaining; Tollgate reports 0.
//
// The keys listed are the plan's, by id, and any key that was counted in
// the plan in the range and has since left it. Refusals are
// KindInvalid with API Gateway's BadRequestException meaning.
func Report(ctx context.Context, st Store, plan *tollgate.UsagePlan, keyID, startDate, endDate, position string, limit int) (*Usage, error) {
	start, days, after, limit, err := parseRequest(startDate, endDate, position, limit)
	if err != nil {
		return nil, err
	}
	ids, counts, err := keysAndCounts(ctx, st, plan, keyID, start, startDate, endDate)
	if err != nil {
		return nil, err
	}
	if after != "" {
		i, _ := slices.BinarySearch(ids, after)
		for i < len(ids) && ids[i] <= after {
			i++
		}
		ids = ids[i:]
	}
	u := &Usage{UsagePlanID: plan.ID, StartDate: startDate, EndDate: endDate, Values: map[string][][2]int64{}}
	if len(ids) > limit {
		ids = ids[:limit]
		u.Position = base64.RawURLEncoding.EncodeToString([]byte(ids[limit-1]))
	}
	for _, id := range ids {
		u.Values[id] = series(plan, counts[id], start, days)
	}
	return u, nil
}

func countedIn(byDay map[string]int64, from, to string) bool {
	for day, n := range byDay {
		if n > 0 && day >= from && day <= to {
			return true
		}
	}
	return false
}

// series returns a key's [used, remaining] pairs for days days from start.
func series(plan *tollgate.UsagePlan, byDay map[string]int64, start time.Time, days int) [][2]int64 {
	out := make([][2]int64, days)
	for i := range days {
		day := start.AddDate(0, 0, i)
		used := byDay[day.Format(tollgate.UsageDay)]
		var remaining int64
		if plan.Quota != nil {
			wStart, _, limit := plan.Quota.Window(day, plan.CreatedAt)
			var spent int64
			for d := wStart; !d.After(day); d = d.AddDate(0, 0, 1) {
				spent += byDay[d.Format(tollgate.UsageDay)]
			}
			remaining = max(0, limit-spent)
		}
		out[i] = [2]int64{used, remaining}
	}
	return out
}

// parseRequest checks GetUsage's parameters.
func parseRequest(startDate, endDate, position string, limit int) (start time.Time, days int, after string, _ int, _ error) {
	start, err := time.Parse(tollgate.UsageDay, startDate)
	if err != nil {
		return time.Time{}, 0, "", 0, tollgate.Errorf(tollgate.KindInvalid, "Invalid start date: %q is not a date (yyyy-MM-dd)", startDate)
	}
	end, err := time.Parse(tollgate.UsageDay, endDate)
	if err != nil {
		return time.Time{}, 0, "", 0, tollgate.Errorf(tollgate.KindInvalid, "Invalid end date: %q is not a date (yyyy-MM-dd)", endDate)
	}
	if end.Before(start) {
		return time.Time{}, 0, "", 0, tollgate.Errorf(tollgate.KindInvalid, "The end date must not be before the start date")
	}
	days = int(end.Sub(start)/(24*time.Hour)) + 1
	if days > MaxDays {
		return time.Time{}, 0, "", 0, tollgate.Errorf(tollgate.KindInvalid, "The date range must not exceed %d days", MaxDays)
	}
	switch {
	case limit == 0:
		limit = DefaultLimit
	case limit < 0 || limit > MaxLimit:
		return time.Time{}, 0, "", 0, tollgate.Errorf(tollgate.KindInvalid, "limit must be between 1 and %d", MaxLimit)
	}
	after = ""
	if position != "" {
		b, err := base64.RawURLEncoding.DecodeString(position)
		if err != nil || !tollgate.APIKeyIDPattern.Match(b) {
			return time.Time{}, 0, "", 0, tollgate.Errorf(tollgate.KindInvalid, "Invalid position")
		}
		after = string(b)
	}

	return start, days, after, limit, nil
}

// keysAndCounts returns the keys to report, sorted, and their counts by
// day from the start of the quota period holding start.
func keysAndCounts(ctx context.Context, st Store, plan *tollgate.UsagePlan, keyID string, start time.Time, startDate, endDate string) ([]string, map[string]map[string]int64, error) {
	// The records from the start of the quota period holding startDate,
	// so that the first day's remaining counts the days before it.
	from := start
	if plan.Quota != nil {
		from, _, _ = plan.Quota.Window(start, plan.CreatedAt)
	}
	records, err := st.Usage(ctx, plan.ID, keyID, from.Format(tollgate.UsageDay), endDate)
	if err != nil {
		return nil, nil, err
	}
	counts := map[string]map[string]int64{} // key id → day → count
	for _, r := range records {
		if keyID != "" && r.KeyID != keyID {
			continue
		}
		if counts[r.KeyID] == nil {
			counts[r.KeyID] = map[string]int64{}
		}
		counts[r.KeyID][r.Day] += r.Count
	}

	var ids []string
	if keyID != "" {
		ids = []string{keyID}
	} else {
		keys, err := st.ListAPIKeys(ctx)
		if err != nil {
			return nil, nil, err
		}
		for _, k := range keys {
			if k.InPlan(plan.ID) {
				ids = append(ids, k.ID)
			}
		}
		for id, byDay := range counts {
			if !slices.Contains(ids, id) && countedIn(byDay, startDate, endDate) {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
	}
	return ids, counts, nil
}
