package tollgate_test

import (
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// Quota windows are calendar periods in UTC; a week starts on Sunday
// (CloudFormation's AWS::ApiGateway::UsagePlan QuotaSettings: "with a time
// period of WEEK, an offset of 0 starts on Sunday").
func TestQuotaWindow(t *testing.T) {
	d := func(y int, m time.Month, day, h int) time.Time { return time.Date(y, m, day, h, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name       string
		period     tollgate.QuotaPeriod
		now        time.Time
		start, end time.Time
	}{
		{"day", tollgate.QuotaDay, d(2026, 11, 3, 15), d(2026, 11, 3, 0), d(2026, 11, 4, 0)},
		{"week from a Tuesday", tollgate.QuotaWeek, d(2026, 11, 3, 15), d(2026, 11, 1, 0), d(2026, 11, 8, 0)},
		{"week on its Sunday", tollgate.QuotaWeek, d(2026, 11, 8, 0), d(2026, 11, 8, 0), d(2026, 11, 15, 0)},
		{"week's last instant, Saturday", tollgate.QuotaWeek, d(2026, 11, 14, 23).Add(time.Hour - 1), d(2026, 11, 8, 0), d(2026, 11, 15, 0)},
		{"week across a year", tollgate.QuotaWeek, d(2027, 1, 1, 12), d(2026, 12, 27, 0), d(2027, 1, 3, 0)},
		{"month", tollgate.QuotaMonth, d(2026, 2, 28, 23), d(2026, 2, 1, 0), d(2026, 3, 1, 0)},
	} {
		start, end, limit := tollgate.Quota{Limit: 10, Period: tc.period}.Window(tc.now, time.Time{})
		if !start.Equal(tc.start) || !end.Equal(tc.end) || limit != 10 {
			t.Errorf("%s: [%s, %s) limit %d; want [%s, %s)", tc.name, start, end, limit, tc.start, tc.end)
		}
		if start.Weekday() != time.Sunday && tc.period == tollgate.QuotaWeek {
			t.Errorf("%s: starts on %s", tc.name, start.Weekday())
		}
	}
	// The offset is taken off the window the plan was created in only.
	q := tollgate.Quota{Limit: 10, Offset: 4, Period: tollgate.QuotaWeek}
	created := d(2026, 11, 2, 9) // Monday, the week of Sunday 1 November
	if _, _, limit := q.Window(d(2026, 11, 7, 9), created); limit != 6 {
		t.Errorf("creation week: limit %d, want 6", limit)
	}
	if _, _, limit := q.Window(d(2026, 11, 8, 0), created); limit != 10 {
		t.Errorf("next week: limit %d, want 10", limit)
	}
}
