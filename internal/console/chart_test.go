package console

import (
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/reqlog"
)

func TestChartNiceCeil(t *testing.T) {
	for _, tc := range []struct{ in, want int }{
		{-3, 1}, {0, 1}, {1, 1}, {2, 2}, {3, 5}, {5, 5}, {6, 10}, {10, 10}, {11, 20}, {21, 50}, {51, 100}, {101, 200}, {4999, 5000},
	} {
		if got := chartNiceCeil(tc.in); got != tc.want {
			t.Errorf("chartNiceCeil(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// chartHour is an hour of empty buckets ending at 12:30 UTC.
func chartHour() []reqlog.Point {
	return chartEmptyPoints(time.Date(2026, 12, 6, 12, 30, 40, 0, time.UTC))
}

func TestChartEmptyPoints(t *testing.T) {
	p := chartHour()
	if len(p) != 60 {
		t.Fatalf("%d points, want 60", len(p))
	}
	if got, want := p[0].Start, time.Date(2026, 12, 6, 11, 31, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("first bucket %v, want %v", got, want)
	}
	if got, want := p[59].Start, time.Date(2026, 12, 6, 12, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("last bucket %v, want %v", got, want)
	}
}

func TestChartZeroData(t *testing.T) {
	c := newChart("all clients", chartHour(), chartSmall)
	if len(c.Bars) != 0 {
		t.Errorf("%d bars without data", len(c.Bars))
	}
	if c.Max != 1 {
		t.Errorf("Max %d, want 1", c.Max)
	}
	want := "Requests and refusals per minute for all clients, last hour: 0 requests, 0 refused"
	if c.Label != want {
		t.Errorf("label %q, want %q", c.Label, want)
	}
	if len(c.YTicks) != 2 || c.YTicks[0].Text != "1" || c.YTicks[1].Text != "0" {
		t.Errorf("Y ticks %+v", c.YTicks)
	}
	if none := newChart("x", nil, chartLarge); len(none.Bars) != 0 || len(none.XTicks) != 0 || none.Max != 1 {
		t.Errorf("no points: %+v", none)
	}
}

func TestChartOneSpike(t *testing.T) {
	p := chartHour()
	p[59].Requests, p[59].Refusals = 7, 3
	c := newChart("billing", p, chartSmall)
	if len(c.Bars) != 1 {
		t.Fatalf("%d bars, want 1", len(c.Bars))
	}
	b := c.Bars[0]
	if c.Max != 10 {
		t.Errorf("Max %d, want 10", c.Max)
	}
	h := c.Bottom - c.Top
	if !chartNear(b.ReqH, h*0.7) || !chartNear(b.RefH, h*0.3) {
		t.Errorf("heights %v, %v; want %v, %v", b.ReqH, b.RefH, h*0.7, h*0.3)
	}
	if !chartNear(b.ReqY+b.ReqH, c.Bottom) || !chartNear(b.RefY+b.RefH, c.Bottom) {
		t.Errorf("bars do not stand on the axis: %+v (axis %v)", b, c.Bottom)
	}
	if b.X+b.W > c.Right+0.01 || b.X < c.Right-(c.Right-c.Left)/60-0.01 {
		t.Errorf("last bucket's bar at %v+%v, plot ends at %v", b.X, b.W, c.Right)
	}
	if b.Title != "12:30 UTC: 7 requests, 3 refused" {
		t.Errorf("title %q", b.Title)
	}
	if !strings.Contains(c.Label, "billing, last hour: 7 requests, 3 refused") {
		t.Errorf("label %q", c.Label)
	}
}

func TestChartSixtyBuckets(t *testing.T) {
	p := chartHour()
	for i := range p {
		p[i].Requests = i + 1
		if i%2 == 0 {
			p[i].Refusals = 1
		}
	}
	for _, size := range []chartSize{chartSmall, chartLarge} {
		c := newChart("all clients", p, size)
		if len(c.Bars) != 60 {
			t.Fatalf("%d bars, want 60", len(c.Bars))
		}
		if c.Requests != 60*61/2 || c.Refusals != 30 {
			t.Errorf("totals %d, %d", c.Requests, c.Refusals)
		}
		if c.Max != 100 {
			t.Errorf("Max %d, want 100", c.Max)
		}
		for i := 1; i < len(c.Bars); i++ {
			a, b := c.Bars[i-1], c.Bars[i]
			if a.X+a.W > b.X+0.001 {
				t.Errorf("bars %d and %d overlap: %+v %+v", i-1, i, a, b)
			}
			if b.ReqH < a.ReqH {
				t.Errorf("bar %d lower than bar %d for more requests", i, i-1)
			}
		}
		if c.Bars[0].X < c.Left || c.Bars[59].X+c.Bars[59].W > c.Right+0.01 {
			t.Errorf("bars leave the plot")
		}
		if c.Bars[59].ReqY < c.Top {
			t.Errorf("tallest bar above the plot")
		}
	}
}

func TestChartTicks(t *testing.T) {
	// 11:31 … 12:30: ticks at 11:45, 12:00, 12:15, 12:30.
	c := newChart("x", chartHour(), chartLarge)
	var got []string
	for _, tk := range c.XTicks {
		got = append(got, tk.Text)
		if tk.X < c.Left || tk.X > c.Right {
			t.Errorf("tick %s at %v, outside %v…%v", tk.Text, tk.X, c.Left, c.Right)
		}
	}
	if strings.Join(got, " ") != "11:45 12:00 12:15 12:30" {
		t.Errorf("ticks %v", got)
	}
	if last := c.XTicks[len(c.XTicks)-1]; last.Anchor != "end" {
		t.Errorf("the right edge's tick is anchored %q", last.Anchor)
	}
	if first := c.XTicks[0]; first.Anchor != "middle" {
		t.Errorf("tick anchored %q", first.Anchor)
	}
	slot := (c.Right - c.Left) / 60
	if want := c.Left + 14*slot; !chartNear(c.XTicks[0].X, want) {
		t.Errorf("11:45 at %v, want %v", c.XTicks[0].X, want)
	}
}

func TestChartSum(t *testing.T) {
	a, b := chartHour(), chartHour()
	a[3].Requests, a[3].Refusals = 2, 1
	b[3].Requests, b[10].Requests = 5, 1
	sum := chartSum([]reqlog.ClientSeries{{Points: a}, {Points: b}}, time.Now())
	if sum[3].Requests != 7 || sum[3].Refusals != 1 || sum[10].Requests != 1 {
		t.Errorf("sum %+v %+v", sum[3], sum[10])
	}
	if a[3].Requests != 2 {
		t.Errorf("chartSum changed its input")
	}
	if len(chartSum(nil, time.Now())) != 60 {
		t.Errorf("no series: not an hour of empty buckets")
	}
}

func chartNear(a, b float64) bool { return a-b < 0.02 && b-a < 0.02 }

func TestChartTickAtTheLeftEdge(t *testing.T) {
	// 11:00 … 11:59: the first bucket is on a tick.
	c := newChart("x", chartEmptyPoints(time.Date(2026, 12, 6, 11, 59, 0, 0, time.UTC)), chartSmall)
	if first := c.XTicks[0]; first.Text != "11:00" || first.Anchor != "start" || !chartNear(first.X, c.Left) {
		t.Errorf("first tick %+v", first)
	}
}
