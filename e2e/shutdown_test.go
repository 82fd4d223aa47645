package e2e

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tollgate/tollgate/internal/function/functest"
)

// TestShutdownTimeout: once asked to stop, Tollgate closes its listeners
// and gives the requests in flight --shutdown-timeout to finish. The
// request here waits at the upstream, whose integration times out after
// 5 s: with an hour to finish it completes once the upstream answers; with
// a millisecond it is cut long before the integration's 504 (the default,
// 10 s, would let the 504 come first), and the exit says why.
func TestShutdownTimeout(t *testing.T) {
	for _, c := range []struct {
		timeout  string
		finishes bool
	}{{"1h", true}, {"1ms", false}} {
		t.Run(c.timeout, func(t *testing.T) {
			arrived, release := make(chan struct{}), make(chan struct{})
			up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				close(arrived)
				<-release
				w.Write([]byte("upstream ok"))
			}))
			defer up.Close()
			released := false
			releaseOnce := func() {
				if !released {
					released = true
					close(release)
				}
			}
			defer releaseOnce() // before up.Close, which waits for the handler

			dir := t.TempDir()
			cfg := filepath.Join(dir, "tollgate.yaml")
			writeFile(t, cfg, "userPools:\n"+partnerPool("api/read", "read")+`restApis:
  - id: Api
    authorizers: [{id: Auth, cognitoUserPools: [Pool]}]
    resources:
      - path: /slow
        methods:
          - {httpMethod: GET, authorizer: Auth, authorizationScopes: [api/read], integration: {type: HTTP_PROXY, uri: "`+up.URL+`/", timeout: 5s}}
`)
			p, d := startDev(t, dir, "--config", cfg, "--shutdown-timeout", c.timeout)
			apiURL := reAPIURL.FindStringSubmatch(p.Output())[1]
			tok := getToken(t, d.TokenURL, d.ClientID, d.ClientSecret)

			type result struct {
				status int
				body   string
				err    error
			}
			done := make(chan result, 1)
			go func() {
				req, _ := http.NewRequest("GET", apiURL+"slow", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					done <- result{err: err}
					return
				}
				defer resp.Body.Close()
				var b strings.Builder
				_, err = io.Copy(&b, resp.Body)
				done <- result{resp.StatusCode, b.String(), err}
			}()
			<-arrived
			if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(apiURL)
			functest.Eventually(t, "the listener closed", func() bool {
				conn, err := net.Dial("tcp", u.Host)
				if err == nil {
					conn.Close()
				}
				return err != nil
			})
			if c.finishes {
				releaseOnce()
				if r := <-done; r.err != nil || r.status != http.StatusOK || r.body != "upstream ok" {
					t.Errorf("the request in flight: %d %q %v, want 200 upstream ok", r.status, r.body, r.err)
				}
				<-p.done
				return // the harness checks the exit status: 0
			}
			<-p.done // with the upstream still holding the request
			if r := <-done; r.err == nil {
				t.Errorf("the request in flight got %d %q, want its connection closed", r.status, r.body)
			}
			var ee interface{ ExitCode() int }
			if !errors.As(p.waitErr, &ee) || ee.ExitCode() == 0 || !strings.Contains(p.Logs(), "shutdown: context deadline exceeded") {
				t.Errorf("exit %v, logs:\n%s", p.waitErr, p.Logs())
			}
			p.waitErr = nil // checked: the harness's clean-exit check does not apply
		})
	}
	if _, stderr, code := run(t, nil, "dev", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--shutdown-timeout", "0s"); code != 2 || !strings.Contains(stderr, "--shutdown-timeout 0s: want a positive duration") {
		t.Errorf("--shutdown-timeout 0s: exit %d, %s", code, stderr)
	}
}
