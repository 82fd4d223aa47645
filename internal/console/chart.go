package console

import (
	"fmt"
	"math"
	"time"

	"github.com/tollgate/tollgate/internal/reqlog"
)

// chart is the view model of a bar chart of requests and refusals per
// minute, rendered as SVG by templates/_chart.html. Everything is
// computed here (pure functions, tested) so the template only places
// what it is given: no inline style (the CSP forbids it), no script.
type chart struct {
	// Label is the chart's accessible name (aria-label and <title>):
	// what it shows and its totals.
	Label         string
	Width, Height int
	// Plot area: the bars sit on the X axis at Bottom, between Left and
	// Right.
	Left, Right, Top, Bottom float64
	Bars                     []chartBar
	XTicks, YTicks           []chartTick
	Requests, Refusals       int
	// Max is the top of the Y chartScale (a round number ≥ the busiest
	// bucket, at least 1).
	Max   int
	Large bool
}

// chartBar is one bucket with traffic: the requests bar and, over its
// base, the refusals bar (refusals are a part of the requests).
type chartBar struct {
	X, W       float64
	ReqY, ReqH float64
	RefY, RefH float64
	Title      string // "12:34 UTC: 5 requests, 2 refused"
}

// chartTick is a labelled tick of an axis.
type chartTick struct {
	X, Y float64
	Text string
	// Anchor is the label's text-anchor: "middle", or "start" and "end"
	// at the edges so it stays inside the chart and off the Y labels.
	Anchor string
	// TickEnd is where the tick's mark ends below the X axis.
	TickEnd float64
}

// chartSize is a chart's size in SVG user units; CSS scales it to its box.
type chartSize struct{ W, H int }

// The sizes of the main charts and of the small multiples.
var (
	chartLarge = chartSize{720, 180}
	chartSmall = chartSize{360, 120}
)

const (
	chartPadL, chartPadR = 34, 6
	chartPadT, chartPadB = 8, 20
	chartTickEvery       = 15 // minutes between time ticks
)

// newChart builds the chart of points (oldest first, one per minute)
// named what ("all clients", a client's name), of size.
func newChart(what string, points []reqlog.Point, size chartSize) chart {
	c := chart{Width: size.W, Height: size.H, Large: size == chartLarge}
	c.Left, c.Right = chartPadL, float64(c.Width-chartPadR)
	c.Top, c.Bottom = chartPadT, float64(c.Height-chartPadB)
	busiest := 0
	for _, p := range points {
		c.Requests += p.Requests
		c.Refusals += p.Refusals
		busiest = max(busiest, p.Requests, p.Refusals)
	}
	c.Max = chartNiceCeil(busiest)
	c.Label = chartLabel(what, c.Requests, c.Refusals)
	c.YTicks = []chartTick{
		{X: c.Left - 4, Y: c.Top, Text: fmt.Sprint(c.Max), Anchor: "end"},
		{X: c.Left - 4, Y: c.Bottom, Text: "0", Anchor: "end"},
	}
	if len(points) == 0 {
		return c
	}
	slot := (c.Right - c.Left) / float64(len(points))
	gap := 0.0
	if slot >= 3 {
		gap = 1
	}
	h := c.Bottom - c.Top
	for i, p := range points {
		x := c.Left + float64(i)*slot
		if p.Start.Minute()%chartTickEvery == 0 {
			anchor := "middle"
			switch {
			case x > c.Right-18:
				anchor = "end"
			case x < c.Left+18:
				anchor = "start"
			}
			c.XTicks = append(c.XTicks, chartTick{X: chartRound(x), Y: c.Bottom + 15, TickEnd: c.Bottom + 4,
				Text: p.Start.UTC().Format("15:04"), Anchor: anchor})
		}
		if p.Requests == 0 && p.Refusals == 0 {
			continue
		}
		reqH := chartScale(p.Requests, c.Max, h)
		refH := chartScale(p.Refusals, c.Max, h)
		c.Bars = append(c.Bars, chartBar{
			X: chartRound(x + gap/2), W: chartRound(slot - gap),
			ReqY: chartRound(c.Bottom - reqH), ReqH: chartRound(reqH),
			RefY: chartRound(c.Bottom - refH), RefH: chartRound(refH),
			Title: fmt.Sprintf("%s UTC: %s, %d refused", p.Start.UTC().Format("15:04"), dashPlural(p.Requests, "request"), p.Refusals),
		})
	}
	return c
}

// chartLabel is a chart's accessible name, with its totals.
func chartLabel(what string, requests, refusals int) string {
	return fmt.Sprintf("Requests and refusals per minute for %s, last hour: %s, %d refused", what, dashPlural(requests, "request"), refusals)
}

// chartScale is the height of v on a chartScale whose top, top, is h high.
func chartScale(v, top int, h float64) float64 {
	if v <= 0 || top <= 0 {
		return 0
	}
	return math.Min(h, float64(v)/float64(top)*h)
}

// chartNiceCeil is the smallest of 1, 2, 5, 10, 20, 50, … at least n (1 for
// n ≤ 1): the top of a chartScale a reader can read.
func chartNiceCeil(n int) int {
	if n <= 1 {
		return 1
	}
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p >= n {
				return m * p
			}
		}
	}
}

func chartRound(f float64) float64 { return math.Round(f*100) / 100 }

// dashPlural is "1 request", "2 requests".
func dashPlural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// chartSum adds up series point by point: all traffic.
func chartSum(series []reqlog.ClientSeries, now time.Time) []reqlog.Point {
	if len(series) == 0 {
		return chartEmptyPoints(now)
	}
	out := make([]reqlog.Point, len(series[0].Points))
	copy(out, series[0].Points)
	for _, s := range series[1:] {
		for i := range out {
			if i < len(s.Points) {
				out[i].Requests += s.Points[i].Requests
				out[i].Refusals += s.Points[i].Refusals
			}
		}
	}
	return out
}

// chartEmptyPoints is an hour of empty buckets ending at now.
func chartEmptyPoints(now time.Time) []reqlog.Point {
	end := now.Unix() / 60
	out := make([]reqlog.Point, 60)
	for k := range out {
		out[k].Start = time.Unix((end-59+int64(k))*60, 0).UTC()
	}
	return out
}
