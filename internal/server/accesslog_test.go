package server

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway"
)

// TestAccessLogLine: one JSON line per request, with exactly these fields,
// the latency in milliseconds as a number, and the path without its query.
func TestAccessLogLine(t *testing.T) {
	var out strings.Builder
	s := &Server{opts: Options{Logger: slog.New(slog.NewJSONHandler(&out, nil))}}
	gw, err := gateway.New(gateway.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":"invalid_request"}`))
	})
	r := httptest.NewRequest("POST", "http://127.0.0.1:8080/oauth2/token?client_secret=hunter2", nil)
	s.dep.Store(&deployment{gateway: gw, drained: make(chan struct{})})
	s.accessLog(mux).ServeHTTP(httptest.NewRecorder(), r)

	var line map[string]any
	if err := json.Unmarshal([]byte(out.String()), &line); err != nil {
		t.Fatalf("not one JSON line: %q", out.String())
	}
	keys := make([]string, 0, len(line))
	for k := range line {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"api", "bytes", "client_id", "host", "latency_ms", "level", "method", "msg", "path", "remote", "request_id", "route", "stage", "status", "time"}
	if !slices.Equal(keys, want) {
		t.Errorf("fields %v, want %v", keys, want)
	}
	ms, ok := line["latency_ms"].(float64)
	if !ok || ms < 0 || ms != float64(int64(ms*1000))/1000 {
		t.Errorf("latency_ms %v, want a number of milliseconds to the microsecond", line["latency_ms"])
	}
	if line["msg"] != "request" || line["path"] != "/oauth2/token" || line["status"] != 400.0 || line["bytes"] != 27.0 || line["method"] != "POST" {
		t.Errorf("line %v", line)
	}
	if strings.Contains(out.String(), "hunter2") {
		t.Error("the query was logged")
	}
}

func TestMilliseconds(t *testing.T) {
	for d, want := range map[time.Duration]float64{
		0: 0, 999 * time.Nanosecond: 0, 1500*time.Microsecond + 300: 1.5, 29 * time.Second: 29000, 1234567 * time.Nanosecond: 1.234,
	} {
		if got := milliseconds(d); got != want {
			t.Errorf("%v: %v ms, want %v", d, got, want)
		}
	}
}
