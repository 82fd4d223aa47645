package e2e

import (
	"encoding/json"
	"regexp"
	"sync"
	"testing"

	"github.com/tollgate/tollgate/internal/store/storetest"
)

var reServing = regexp.MustCompile(`public URL (\S+)\)`)

// TestTwoNodesOnPostgres starts two servers on one PostgreSQL database with
// the same config and master key, and has them issue their first tokens at
// the same moment: they serve the same pool and client, and the pool's first
// keys are generated once.
func TestTwoNodesOnPostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	key, _, code := run(t, nil, "master-key", "new")
	if code != 0 {
		t.Fatal("master-key new failed")
	}
	env := []string{"TOLLGATE_MASTER_KEY=" + key[:len(key)-1], "TOLLGATE_DATABASE=" + dsn}
	dir := t.TempDir()
	args := []string{"serve", "--config", "../examples/seed/tollgate.yaml", "--listen", "127.0.0.1:0", "--data", dir, "--poll-interval", "100ms"}
	var nodes [2]*proc
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nodes[i] = start(t, env, `^Tollgate is serving on`, args...)
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	var clients []struct {
		ClientID string `json:"ClientId"`
		PoolID   string `json:"UserPoolId"`
	}
	out, stderr, code := run(t, env, "clients", "list", "--json", "--data", dir)
	if code != 0 {
		t.Fatalf("clients list: %s", stderr)
	}
	if err := json.Unmarshal([]byte(out), &clients); err != nil || len(clients) != 1 {
		t.Fatalf("clients after two nodes applied the same config: %s (%v)", out, err)
	}
	secretOut, stderr, code := run(t, env, "clients", "describe", clients[0].ClientID, "--show-secret", "--json", "--data", dir)
	if code != 0 {
		t.Fatalf("describe: %s", stderr)
	}
	var desc struct {
		ClientSecret string `json:"ClientSecret"`
	}
	unmarshal(t, secretOut, &desc)

	// Both nodes sign their first tokens concurrently.
	const perNode = 8
	type result struct {
		node int
		kid  string
	}
	results := make(chan result, 2*perNode)
	urls := [2]string{}
	for i, n := range nodes {
		urls[i] = reServing.FindStringSubmatch(n.Output())[1]
	}
	var wg2 sync.WaitGroup
	for i := range nodes {
		for range perNode {
			wg2.Add(1)
			go func() {
				defer wg2.Done()
				tok := getToken(t, urls[i]+"/oauth2/token", clients[0].ClientID, desc.ClientSecret)
				_, _, kid := verify(t, urls[i]+"/"+clients[0].PoolID, tok)
				results <- result{i, kid}
			}()
		}
	}
	wg2.Wait()
	close(results)
	kids := map[string]bool{}
	for r := range results {
		kids[r.kid] = true
	}
	if len(kids) != 1 {
		t.Errorf("the two nodes signed with %d different keys: %v", len(kids), kids)
	}
	var keys []struct{ Kid, State string }
	out, _, _ = run(t, env, "keys", "list", clients[0].PoolID, "--json", "--data", dir)
	unmarshal(t, out, &keys)
	if len(keys) != 2 {
		t.Errorf("the pool has %d keys, want one active and one next: %s", len(keys), out)
	}
}
