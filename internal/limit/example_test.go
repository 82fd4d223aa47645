package limit_test

import (
	"context"
	"fmt"
	"time"

	"github.com/tollgate/tollgate/internal/limit"
)

// A stage's rate and a key's daily quota, taken together: both are
// charged, or neither.
func Example() {
	lim := limit.NewLocal(limit.LocalOptions{})
	defer lim.Close()

	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	day := now.Truncate(24 * time.Hour)
	checks := []limit.Check{
		{Key: "stage:api1:prod", Rate: limit.Rate{PerSecond: 100, Burst: 200}},
		{Key: "plan:p1:key:k1:" + day.Format(time.DateOnly), Limit: 2, Reset: day.Add(24 * time.Hour)},
	}
	for range 3 {
		res, err := lim.Take(context.Background(), now, checks)
		switch {
		case err != nil:
			fmt.Println("error:", err)
		case res.Allowed():
			fmt.Println("admitted")
		default:
			fmt.Printf("429: check %d refused, retry after %v\n", res.Refused, res.RetryAfter)
		}
	}
	// Output:
	// admitted
	// admitted
	// 429: check 1 refused, retry after 12h0m0s
}
