// Command limitload measures how closely limiters that share one Redis
// hold a rate together: several limit.Redis clients ("nodes") send Takes
// of one key as fast as they can, on the real clock, until a fixed number
// of requests is spent, and it reports the rate they admitted against the
// limit, with the latency of each Take. With -local the nodes count alone
// (limit.Local each), which shows what sharing the count prevents.
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate/internal/limit"
)

func main() {
	url := flag.String("redis", "redis://127.0.0.1:6379/0", "Redis `URL`")
	nodes := flag.Int("nodes", 3, "limiters sharing the limit")
	workers := flag.Int("workers", 4, "senders per node")
	requests := flag.Int("requests", 60000, "Takes sent in all")
	perSecond := flag.Float64("rate", 1000, "the limit, requests per second")
	burst := flag.Int("burst", 1, "the limit's burst")
	local := flag.Bool("local", false, "count on each node alone (limit.Local) instead of in Redis")
	flag.Parse()
	if *local {
		limiters := make([]limit.Limiter, *nodes)
		for i := range limiters {
			limiters[i] = limit.NewLocal(limit.LocalOptions{})
		}
		run(limiters, "each alone (Local)", *workers, *requests, *perSecond, *burst)
		return
	}
	limiters, err := openRedis(*url, *nodes)
	if err != nil {
		log.Fatal(err)
	}
	run(limiters, "one Redis", *workers, *requests, *perSecond, *burst)
}

// openRedis returns the nodes' limiters: clients of one Redis sharing a
// prefix of their own.
func openRedis(url string, nodes int) ([]limit.Limiter, error) {
	prefix := "tollgate-limitload:" + rand.Text() + ":"
	limiters := make([]limit.Limiter, nodes)
	for i := range limiters {
		r, err := limit.NewRedis(url, limit.RedisOptions{Prefix: prefix, Timeout: time.Second})
		if err != nil {
			return nil, err
		}
		if err := r.Ping(context.Background()); err != nil {
			return nil, err
		}
		limiters[i] = r
	}
	return limiters, nil
}

func run(limiters []limit.Limiter, mode string, workers, requests int, perSecond float64, burst int) {
	nodes := len(limiters)
	defer func() {
		for _, l := range limiters {
			l.Close()
		}
	}()

	checks := []limit.Check{{Key: "key", Rate: limit.Rate{PerSecond: perSecond, Burst: burst}}}
	var left, admitted, failed atomic.Int64
	left.Store(int64(requests))
	lat := make([][]time.Duration, nodes*workers)
	var wg sync.WaitGroup
	start := time.Now()
	for n, l := range limiters {
		for w := range workers {
			mine := &lat[n*workers+w]
			wg.Go(func() {
				for left.Add(-1) >= 0 {
					t := time.Now()
					res, err := l.Take(context.Background(), t, checks)
					*mine = append(*mine, time.Since(t))
					switch {
					case err != nil:
						failed.Add(1)
					case res.Allowed():
						admitted.Add(1)
					}
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start)

	all := slices.Concat(lat...)
	slices.Sort(all)
	got := float64(admitted.Load()) / elapsed.Seconds()
	// GCRA admits the burst at once on top of the rate.
	want := perSecond + float64(burst)/elapsed.Seconds()
	fmt.Fprintf(os.Stdout, "%d nodes × %d senders counting %s, limit %.0f/s burst %d\n", nodes, workers, mode, perSecond, burst)
	fmt.Fprintf(os.Stdout, "sent %d in %v (%.0f/s), %d errors\n", requests, elapsed.Round(time.Millisecond),
		float64(requests)/elapsed.Seconds(), failed.Load())
	fmt.Fprintf(os.Stdout, "admitted %d: %.1f/s, %.1f%% of the limit (%.1f%% counting the burst)\n",
		admitted.Load(), got, 100*got/perSecond, 100*got/want)
	fmt.Fprintf(os.Stdout, "Take latency p50 %v, p99 %v\n", all[len(all)/2], all[len(all)*99/100])
}
