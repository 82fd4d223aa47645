package cli

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestLogFormat: logs are JSON lines unless --log-format or
// TOLLGATE_LOG_FORMAT say text; the flag wins over the environment.
func TestLogFormat(t *testing.T) {
	for _, c := range []struct {
		env  string
		args []string
		json bool
	}{
		{"", nil, true},
		{"", []string{"--log-format", "json"}, true},
		{"", []string{"--log-format", "text"}, false},
		{"text", nil, false},
		{"text", []string{"--log-format=json"}, true},
	} {
		t.Setenv("TOLLGATE_LOG_FORMAT", c.env)
		var stdout, stderr strings.Builder
		a := newApp(&stdout, &stderr)
		if code := a.run(t.Context(), append(c.args, "master-key", "new")); code != 0 {
			t.Fatalf("env %q, %v: exit %d: %s", c.env, c.args, code, stderr.String())
		}
		a.logger().Info("serving", "addr", "127.0.0.1:8080")
		line := stderr.String()
		var m map[string]any
		isJSON := json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "serving" && m["addr"] == "127.0.0.1:8080"
		isText := strings.Contains(line, "level=INFO msg=serving addr=127.0.0.1:8080\n")
		if isJSON != c.json || isText == c.json {
			t.Errorf("env %q, %v: logged %q, want JSON %v", c.env, c.args, line, c.json)
		}
	}
}

// TestLogFormatRefused: a format the logger does not know stops every
// command before it does anything, naming the flag and what it accepts.
func TestLogFormatRefused(t *testing.T) {
	for _, c := range []struct {
		env, flag, want string
	}{
		{"", "xml", `--log-format "xml": want json or text`},
		{"JSON", "", `--log-format "JSON": want json or text (env TOLLGATE_LOG_FORMAT)`},
	} {
		t.Setenv("TOLLGATE_LOG_FORMAT", c.env)
		var stdout, stderr strings.Builder
		args := []string{"master-key", "new"}
		if c.flag != "" {
			args = append([]string{"--log-format", c.flag}, args...)
		}
		code := newApp(&stdout, &stderr).run(t.Context(), args)
		if code != 2 || !strings.Contains(stderr.String(), c.want) || stdout.Len() != 0 {
			t.Errorf("%v (env %q): exit %d, stdout %q, stderr %q; want exit 2 and %s", args, c.env, code, stdout.String(), stderr.String(), c.want)
		}
	}
}

// TestLogLevelRefused: a level slog does not know stops every command
// before it does anything, as a bad format does, rather than logging at
// info as if nothing were wrong.
func TestLogLevelRefused(t *testing.T) {
	var stdout, stderr strings.Builder
	code := newApp(&stdout, &stderr).run(t.Context(), []string{"--log-level", "verbose", "master-key", "new"})
	want := `--log-level "verbose": want debug, info, warn or error`
	if code != 2 || !strings.Contains(stderr.String(), want) || stdout.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %s", code, stdout.String(), stderr.String(), want)
	}
}

// TestServeFlagsRefusedFirst: a serve flag out of its range stops the
// command with exit 2, naming the flag, before it opens the store or
// applies anything.
func TestServeFlagsRefusedFirst(t *testing.T) {
	f := newCLIFixture(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--store-outage", "ignore"}, `store outage policy must be "serve" or "refuse", got "ignore"`},
		{[]string{"serve", "--store-outage", "refuse", "--store-outage-bound", "2s"}, "must be at least three poll intervals"},
		{[]string{"master-key", "rotate", "--settle", "-1s"}, `--settle -1s: want a duration of zero or more`},
	} {
		code, _, stderr := f.run(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %s", c.args, code, stderr, c.want)
		}
	}
	if _, err := os.Stat(f.db); !os.IsNotExist(err) {
		t.Errorf("the store was opened before the flags were checked: %v", err)
	}
}
