package cli

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestTokenURLFromEnvironment checks that tollgate token finds the server
// through TOLLGATE_URL when --url is not given.
func TestTokenURLFromEnvironment(t *testing.T) {
	var gotPath, gotUser string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.Path
		gotUser, _, _ = r.BasicAuth()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"tok","expires_in":3600,"token_type":"Bearer"}`))
	}))
	defer srv.Close()
	t.Setenv("TOLLGATE_URL", srv.URL+"/")
	var stdout, stderr strings.Builder
	if code := Run([]string{"token", "--client-id", "abc", "--client-secret", "s3cret"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if gotPath != "/oauth2/token" || gotUser != "abc" || stdout.String() != "tok\n" {
		t.Errorf("path %q, user %q, output %q", gotPath, gotUser, stdout.String())
	}
}

// TestTokenConnectionRefused checks that the error says how to point the
// command at the server when nothing listens at its URL.
func TestTokenConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	var stdout, stderr strings.Builder
	code := Run([]string{"token", "--client-id", "abc", "--client-secret", "s3cret", "--url", url}, &stdout, &stderr)
	msg := stderr.String()
	if code == 0 || !strings.Contains(msg, "connection refused") || !strings.Contains(msg, "--url") || !strings.Contains(msg, "TOLLGATE_URL") || !strings.Contains(msg, url) {
		t.Errorf("exit %d, stderr %q", code, msg)
	}
	if strings.Contains(msg, "s3cret") {
		t.Error("the error shows the secret")
	}
}
