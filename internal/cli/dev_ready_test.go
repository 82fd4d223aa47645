package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// readyWriter collects a command's output and ends ctx once the line
// dev prints last at start-up has been written.
type readyWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	cancel context.CancelFunc
}

func (w *readyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if strings.Contains(w.buf.String(), "Stop with Ctrl-C") {
		w.cancel()
	}
	return n, err
}

func (w *readyWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestDevPrintsExtensionsBeforeReady: scripts and tests wait for dev's
// "Stop with Ctrl-C" line as the sign it is ready, so everything it prints
// at start, the generated credentials and the mTLS endpoint included,
// comes before it.
func TestDevPrintsExtensionsBeforeReady(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "tollgate.yaml")
	if err := os.WriteFile(cfg, []byte(devCredentialsConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &readyWriter{cancel: cancel}
	var stderr bytes.Buffer
	a := newApp(out, &stderr)
	code := a.run(ctx, []string{"dev", "--data", filepath.Join(dir, "data"), "--listen", "127.0.0.1:0",
		"--mtls-listen", "127.0.0.1:0", "--config", cfg, "--log-level", "error"})
	if code != 0 {
		t.Fatalf("dev exited %d: %s", code, stderr.String())
	}
	text := out.String()
	ready := strings.Index(text, "Stop with Ctrl-C")
	if ready < 0 {
		t.Fatalf("no ready line in:\n%s", text)
	}
	for _, want := range []string{"Generated credentials", "mTLS endpoint: https://", "Client Jwt (", "Private JWK:"} {
		if i := strings.Index(text, want); i < 0 || i > ready {
			t.Errorf("%q at %d, want it before the ready line at %d:\n%s", want, i, ready, text)
		}
	}
	if rest := strings.TrimSpace(text[ready:]); strings.Contains(rest, "\n") {
		t.Errorf("output after the ready line:\n%s", rest)
	}
}
