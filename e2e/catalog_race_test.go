package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestNewClientsGetTokensAtOnce: clients created by concurrent CLI
// processes, writers the server learns of only through the store's
// generation, each get a token on their first request, while the other
// writers' requests and the server's poll reload its catalog. A reload by
// another request (finished, or in flight) between a request's lookup and
// its own generation check used to leave that request refused once in a
// while.
func TestNewClientsGetTokensAtOnce(t *testing.T) {
	dir := t.TempDir()
	_, d := startDev(t, dir)
	const writers, perWriter = 4, 25
	var refused atomic.Int64
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				id, secret, err := createClient(dir, d.PoolID, fmt.Sprintf("race-%d-%d", w, i))
				if err != nil {
					t.Error(err)
					return
				}
				// Acknowledged: the CLI has exited. The first request must
				// succeed.
				status, body, err := requestToken(d.TokenURL, id, secret)
				if err != nil {
					t.Error(err)
					return
				}
				if status != http.StatusOK {
					refused.Add(1)
					t.Errorf("client %s, created before its request, refused: %d %s", id, status, body)
				}
			}
		})
	}
	wg.Wait()
	if n := refused.Load(); n != 0 {
		t.Errorf("%d of %d new clients refused", n, writers*perWriter)
	}
}

// createClient runs `tollgate clients create` and returns the new client's
// id and secret. It reports errors instead of failing the test, so that it
// may run on any goroutine.
func createClient(dir, pool, name string) (id, secret string, err error) {
	cmd := exec.Command(binary, "clients", "create", "--pool", pool, "--name", name, "--scopes", "default/default", "--json", "--data", dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", "", fmt.Errorf("clients create %s: %w\n%s", name, err, stderr.String())
	}
	var c struct {
		ClientID     string `json:"ClientId"`
		ClientSecret string
	}
	if err := json.Unmarshal(out, &c); err != nil {
		return "", "", fmt.Errorf("clients create %s printed %s: %w", name, out, err)
	}
	if c.ClientID == "" || c.ClientSecret == "" {
		return "", "", fmt.Errorf("clients create %s printed %s", name, out)
	}
	return c.ClientID, c.ClientSecret, nil
}

// requestToken makes one client_credentials request with credentials in
// the body.
func requestToken(tokenURL, id, secret string) (int, string, error) {
	resp, err := http.PostForm(tokenURL, url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}})
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), nil
}
