package e2e

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/function/functest"
)

// TestVerifyCacheSize: --verify-cache-size bounds the gateway's cache of
// verified tokens, whose bytes and entries the admin listener's metrics
// show; 0 verifies every request's token; a size without a known unit is
// refused.
func TestVerifyCacheSize(t *testing.T) {
	for _, c := range []struct {
		flag   string
		cached bool
	}{{"64MiB", true}, {"0", false}} {
		t.Run(c.flag, func(t *testing.T) {
			p, d := startDev(t, t.TempDir(), "--admin-listen", "127.0.0.1:0", "--verify-cache-size", c.flag)
			admin := regexp.MustCompile(`Admin \(metrics, health\) on (\S+)`).FindStringSubmatch(p.Output())
			api := reAPIURL.FindStringSubmatch(p.Output())
			if admin == nil || api == nil {
				t.Fatalf("no admin address or API URL printed:\n%s", p.Output())
			}
			tok := getToken(t, d.TokenURL, d.ClientID, d.ClientSecret)
			get := func() string {
				if resp, body := call(t, "GET", api[1]+"hello", "Bearer "+tok, nil); resp.StatusCode != http.StatusOK {
					t.Fatalf("authorized call: %s %s", resp.Status, body)
				}
				return scrape(t, "http://"+admin[1]+"/metrics")
			}
			body := get()
			if c.cached {
				// The pool's first token made its signing keys, which purges
				// the cache once the server sees that write: call until a
				// call is answered from the cache and the token is held.
				functest.Eventually(t, "a verification from the cache", func() bool {
					body = get()
					return strings.Contains(body, `cached="true",decision="allow"}`) && metric(body, "tollgate_gateway_verification_cache_entries") == 1
				})
			} else if body = get(); strings.Contains(body, `cached="true"`) {
				t.Error("a verification came from the cache")
			}
			entries, bytes := metric(body, "tollgate_gateway_verification_cache_entries"), metric(body, "tollgate_gateway_verification_cache_bytes")
			// One token of Tollgate's with its claims derived for the Lambda
			// event: about 2.5 KiB (gateway's TestCacheSizeEstimate).
			if want := map[bool]float64{true: 1, false: 0}[c.cached]; entries != want || (entries == 0) != (bytes == 0) || bytes > 8<<10 {
				t.Errorf("cache: %v entries of %v bytes, want %v", entries, bytes, want)
			}
		})
	}
	_, stderr, code := run(t, nil, "serve", "--verify-cache-size", "64 megs")
	if code == 0 || !strings.Contains(stderr, `"64 megs" is not a size`) {
		t.Errorf("a bad size: exit %d, %s", code, stderr)
	}
}

func scrape(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// metric returns the value of an unlabelled metric in a scrape, or -1.
func metric(body, name string) float64 {
	for line := range strings.Lines(body) {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				return f
			}
		}
	}
	return -1
}
