package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// masterKeyFile writes a fresh master key (tollgate master-key new) to a
// 0600 file in dir and returns its path.
func masterKeyFile(t *testing.T, dir, name string) string {
	t.Helper()
	key, stderr, code := run(t, nil, "master-key", "new")
	if code != 0 {
		t.Fatalf("master-key new: %s", stderr)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(key), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// partnerCreds returns the id, secret and pool of the client "Partner"
// (partnerPool), read with the admin commands and args (the store and
// key flags).
func partnerCreds(t *testing.T, env []string, args ...string) (id, secret, pool string) {
	t.Helper()
	var clients []struct {
		ClientID string `json:"ClientId"`
		PoolID   string `json:"UserPoolId"`
	}
	out, stderr, code := run(t, env, append([]string{"clients", "list", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("clients list: %s", stderr)
	}
	unmarshal(t, out, &clients)
	if len(clients) != 1 {
		t.Fatalf("clients: %s", out)
	}
	return clients[0].ClientID, revealSecret(t, env, clients[0].ClientID, args...), clients[0].PoolID
}

// revealSecret returns the client's secret as clients describe
// --show-secret reveals it.
func revealSecret(t *testing.T, env []string, clientID string, args ...string) string {
	t.Helper()
	out, stderr, code := run(t, env, append([]string{"clients", "describe", clientID, "--show-secret", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("clients describe --show-secret: exit %d: %s", code, stderr)
	}
	var desc struct {
		ClientSecret string `json:"ClientSecret"`
	}
	unmarshal(t, out, &desc)
	return desc.ClientSecret
}

var reRotated = regexp.MustCompile(`Re-sealed (\d+) value\(s\)`)

// TestMasterKeyRotation rotates the master key while a node serves with
// both keys: clients keep getting tokens with their secret throughout, the
// secret revealed under the new key is the one they hold, a node with only
// the new key then serves the same clients and signing keys, and a node
// with only the old key is refused at start.
func TestMasterKeyRotation(t *testing.T) {
	dir := t.TempDir()
	oldKey, newKey := masterKeyFile(t, dir, "old.key"), masterKeyFile(t, dir, "new.key")
	cfg := filepath.Join(dir, "tollgate.yaml")
	writeFile(t, cfg, "userPools:\n"+partnerPool("api/read", "read"))
	store := []string{"--data", filepath.Join(dir, "data")}
	serveArgs := append([]string{"serve", "--config", cfg, "--listen", "127.0.0.1:0", "--poll-interval", "100ms"}, store...)
	serve := func(keys ...string) (*proc, string) {
		p := start(t, nil, `^Tollgate is serving on`, append(append([]string{}, serveArgs...), keys...)...)
		return p, reServing.FindStringSubmatch(p.Output())[1]
	}
	old := append([]string{"--master-key-file", oldKey}, store...)
	both := append([]string{"--master-key-next-file", newKey}, old...)
	onlyNew := append([]string{"--master-key-file", newKey}, store...)

	first, u := serve(old[:2]...)
	id, secret, pool := partnerCreds(t, nil, old...)
	before := getToken(t, u+"/oauth2/token", id, secret)
	first.stop()

	// Every node gets the new key as its next key; then the rotation runs
	// while one serves, and its client asks for tokens all along.
	node, u := serve(both[:4]...)
	done, failures := make(chan struct{}), make(chan string, 1)
	go func() {
		defer close(failures)
		for {
			select {
			case <-done:
				return
			default:
			}
			code, body, err := requestToken(u+"/oauth2/token", id, secret)
			if err != nil || code != 200 {
				failures <- body
				return
			}
		}
	}()
	out, stderr, code := run(t, nil, append([]string{"master-key", "rotate", "--new-key-file", newKey}, old...)...)
	close(done)
	if code != 0 {
		t.Fatalf("master-key rotate: exit %d: %s", code, stderr)
	}
	if body, failed := <-failures; failed {
		t.Errorf("a token request failed during the rotation: %s", body)
	}
	// The client's secret, two signing keys (active and next).
	if m := reRotated.FindStringSubmatch(out); m == nil || m[1] != "3" {
		t.Errorf("rotate printed %q, want 3 values re-sealed", out)
	}
	getToken(t, u+"/oauth2/token", id, secret)
	if got := revealSecret(t, nil, id, onlyNew...); got != secret {
		t.Errorf("the secret revealed under the new key differs from the one the client holds")
	}
	node.stop()

	// The new key alone: the same client and signing keys.
	_, u = serve(onlyNew[:2]...)
	tok := getToken(t, u+"/oauth2/token", id, secret)
	_, _, kid := verify(t, u+"/"+pool, tok)
	if _, _, beforeKid := verify(t, u+"/"+pool, before); beforeKid != kid {
		t.Errorf("the pool signs with key %s after the rotation, %s before", kid, beforeKid)
	}

	// The old key alone is refused before anything is served.
	out, stderr, code = run(t, nil, append(append([]string{}, serveArgs...), old[:2]...)...)
	if code == 0 || !strings.Contains(stderr, "does not match the key this store was created with") ||
		!strings.Contains(stderr, "--master-key-file "+oldKey) || strings.Contains(out, "serving") {
		t.Errorf("a node with the old key: exit %d\nstdout: %s\nstderr: %s", code, out, stderr)
	}
	if _, stderr, code := run(t, nil, append([]string{"access-keys", "create"}, old...)...); code == 0 || !strings.Contains(stderr, "does not match") {
		t.Errorf("an admin command with the old key: exit %d: %s", code, stderr)
	}
}
