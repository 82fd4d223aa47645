package oauth2

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

func TestWriteError(t *testing.T) {
	secretCause := errors.New("db: password=hunter2 connection refused")
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantBody   string
		wantWWW    string
	}{
		{
			name:       "invalid_request",
			err:        InvalidRequest("grant_type is required"),
			wantStatus: 400,
			wantBody:   `{"error":"invalid_request","error_description":"grant_type is required"}`,
		},
		{
			name:       "formatted description",
			err:        InvalidScope("scope %s is not allowed", "a/b"),
			wantStatus: 400,
			wantBody:   `{"error":"invalid_scope","error_description":"scope a/b is not allowed"}`,
		},
		{
			name:       "percent in description without args is literal",
			err:        InvalidRequest("100% wrong"),
			wantStatus: 400,
			wantBody:   `{"error":"invalid_request","error_description":"100% wrong"}`,
		},
		{
			name:       "invalid_client with Basic challenge",
			err:        InvalidClient("client authentication failed").WithChallenge(`Basic realm="tollgate"`),
			wantStatus: 401,
			wantBody:   `{"error":"invalid_client","error_description":"client authentication failed"}`,
			wantWWW:    `Basic realm="tollgate"`,
		},
		{
			name:       "cause is not written",
			err:        UnauthorizedClient("nope").WithCause(secretCause),
			wantStatus: 400,
			wantBody:   `{"error":"unauthorized_client","error_description":"nope"}`,
		},
		{
			name:       "wrapped oauth2 error",
			err:        fmt.Errorf("context: %w", UnsupportedGrantType("no")),
			wantStatus: 400,
			wantBody:   `{"error":"unsupported_grant_type","error_description":"no"}`,
		},
		{
			name:       "plain error becomes server_error",
			err:        secretCause,
			wantStatus: 500,
			wantBody:   `{"error":"server_error","error_description":"internal error"}`,
		},
		{
			name:       "nil error becomes server_error",
			err:        nil,
			wantStatus: 500,
			wantBody:   `{"error":"server_error","error_description":"internal error"}`,
		},
		{
			name:       "ServerError hides its cause",
			err:        ServerError().WithCause(secretCause),
			wantStatus: 500,
			wantBody:   `{"error":"server_error","error_description":"internal error"}`,
		},
		{
			name:       "status 405 kept",
			err:        InvalidRequest("the method must be POST").WithStatus(405),
			wantStatus: 405,
			wantBody:   `{"error":"invalid_request","error_description":"the method must be POST"}`,
		},
		{
			name:       "out-of-range status becomes 400",
			err:        InvalidRequest("x").WithStatus(200),
			wantStatus: 400,
			wantBody:   `{"error":"invalid_request","error_description":"x"}`,
		},
		{
			name:       "description sanitized",
			err:        InvalidScope("bad \"scope\" \\ é\n"),
			wantStatus: 400,
			wantBody:   `{"error":"invalid_scope","error_description":"bad ?scope? ? ??"}`,
		},
		{
			name:       "empty description omitted",
			err:        &Error{Code: CodeInvalidGrant, Status: 400},
			wantStatus: 400,
			wantBody:   `{"error":"invalid_grant"}`,
		},
		{
			name:       "another status",
			err:        &Error{Code: "temporarily_unavailable", Description: "busy", Status: 503},
			wantStatus: 503,
			wantBody:   `{"error":"temporarily_unavailable","error_description":"busy"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			r := httptest.NewRequest("POST", "/oauth2/token", nil)
			WriteError(w, r, tt.err)
			if w.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", w.Code, tt.wantStatus)
			}
			if got := w.Body.String(); got != tt.wantBody {
				t.Errorf("body = %s\nwant   %s", got, tt.wantBody)
			}
			if got := w.Header().Get("WWW-Authenticate"); got != tt.wantWWW {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tt.wantWWW)
			}
			if strings.Contains(w.Body.String(), "hunter2") {
				t.Error("body leaks the cause")
			}
			checkHeaders(t, w.Header(), "")
		})
	}
}

// hsts is the Strict-Transport-Security header of a response over TLS.
const hsts = "max-age=31536000 ; includeSubDomains"

// checkHeaders checks the headers of a JSON response; wantHSTS is its
// Strict-Transport-Security header, "" for none.
func checkHeaders(t *testing.T, h http.Header, wantHSTS string) {
	t.Helper()
	want := map[string]string{
		"Content-Type":           "application/json;charset=UTF-8",
		"Cache-Control":          "no-cache, no-store, max-age=0, must-revalidate",
		"Pragma":                 "no-cache",
		"Expires":                "0",
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if got := h.Get("Strict-Transport-Security"); got != wantHSTS {
		t.Errorf("Strict-Transport-Security = %q, want %q", got, wantHSTS)
	}
	if _, err := uuid.Parse(h.Get(RequestIDHeader)); err != nil {
		t.Errorf("%s = %q: %v", RequestIDHeader, h.Get(RequestIDHeader), err)
	}
}

func TestWriteJSONHeaders(t *testing.T) {
	for _, withTLS := range []bool{false, true} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/oauth2/token", nil)
		wantHSTS := ""
		if withTLS {
			r.TLS = &tls.ConnectionState{}
			wantHSTS = hsts
		}
		WriteJSON(w, r, 200, struct {
			A int `json:"a"`
		}{1})
		if w.Code != 200 || w.Body.String() != `{"a":1}` {
			t.Errorf("got %d %s", w.Code, w.Body)
		}
		checkHeaders(t, w.Header(), wantHSTS)
	}
}

func TestWriteJSONUnencodable(t *testing.T) {
	w := httptest.NewRecorder()
	WriteJSON(w, httptest.NewRequest("POST", "/", nil), 200, func() {})
	if w.Code != 500 || !strings.Contains(w.Body.String(), "server_error") {
		t.Errorf("got %d %s", w.Code, w.Body)
	}
}

func TestRequestIDReusesExisting(t *testing.T) {
	w := httptest.NewRecorder()
	w.Header().Set(RequestIDHeader, "from-middleware")
	if got := RequestID(w); got != "from-middleware" {
		t.Errorf("RequestID = %q", got)
	}
	w = httptest.NewRecorder()
	id := RequestID(w)
	if id == "" || RequestID(w) != id {
		t.Errorf("RequestID not stable: %q then %q", id, RequestID(w))
	}
}

func TestErrorLogValueAndUnwrap(t *testing.T) {
	cause := errors.New("store down")
	err := InvalidClient("client authentication failed").WithCause(cause)
	if !errors.Is(err, cause) {
		t.Error("errors.Is does not see the cause")
	}
	if got, want := err.Error(), "invalid_client: client authentication failed: store down"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("refused", "err", err)
	var line struct {
		Err map[string]any `json:"err"`
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"code": "invalid_client", "status": float64(400), "description": "client authentication failed", "cause": "store down"}
	if diff := cmp.Diff(want, line.Err); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
}

func TestWithMethodsCopy(t *testing.T) {
	base := InvalidClient("x")
	_ = base.WithChallenge("Basic").WithCause(errors.New("c")).WithStatus(418)
	if base.Status != 400 || base.Challenge != "" || errors.Unwrap(base) != nil {
		t.Errorf("With methods modified the receiver: %+v", base)
	}
}

func TestBearerChallenge(t *testing.T) {
	tests := []struct {
		name  string
		realm string
		err   *Error
		scope []string
		want  string
	}{
		{"no credentials", "api", nil, nil, `Bearer realm="api"`},
		{"invalid token", "api", InvalidToken("the access token expired"), nil,
			`Bearer realm="api", error="invalid_token", error_description="the access token expired"`},
		{"insufficient scope", "api", InsufficientScope("needs default/default"), []string{"default/default", "bad\"scope"},
			`Bearer realm="api", scope="default/default", error="insufficient_scope", error_description="needs default/default"`},
		{"realm escaped", `a"b\c`, nil, nil, `Bearer realm="a\"b\\c"`},
		{"no realm", "", InvalidToken(""), nil, `Bearer error="invalid_token"`},
		{"description sanitized", "r", InvalidToken(`say "hi"`), nil, `Bearer realm="r", error="invalid_token", error_description="say ?hi?"`},
		{"control chars in realm", "a\nb", nil, nil, `Bearer realm="a?b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := BearerChallenge(tt.realm, tt.err, tt.scope...); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestSanitizeDescription(t *testing.T) {
	long := strings.Repeat("a", 1000)
	if got := SanitizeDescription(long); len(got) != MaxDescriptionLen {
		t.Errorf("len = %d", len(got))
	}
	if got := SanitizeDescription("ok text!"); got != "ok text!" {
		t.Errorf("got %q", got)
	}
	if got := SanitizeDescription("\x00\x7f\xff"); got != "???" {
		t.Errorf("got %q", got)
	}
}

func TestParseScope(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"", nil, false},
		{"   ", nil, false},
		{"default/default", []string{"default/default"}, false},
		{"a b", []string{"a", "b"}, false},
		{"b a b a", []string{"b", "a"}, false},
		{" a  b ", []string{"a", "b"}, false},
		{"https://api.example.com/read", []string{"https://api.example.com/read"}, false},
		{"a\tb", nil, true},
		{"a\nb", nil, true},
		{`a"b`, nil, true},
		{`a\b`, nil, true},
		{"é", nil, true},
		{"a\x7f", nil, true},
		{"!#[]~", []string{"!#[]~"}, false},
	}
	for _, tt := range tests {
		got, err := ParseScope(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseScope(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeInvalidScope {
				t.Errorf("ParseScope(%q) error = %v, want invalid_scope", tt.in, err)
			}
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseScope(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func FuzzParseScope(f *testing.F) {
	for _, s := range []string{"", "default/default", "a b a", " a\tb", `"`, "é", "a  b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		toks, err := ParseScope(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, not an *Error", err)
			}
			if d := e.Description; SanitizeDescription(d) != d || len(d) > MaxDescriptionLen {
				t.Fatalf("description not clean: %q", d)
			}
			return
		}
		seen := map[string]bool{}
		for _, tok := range toks {
			if !ValidScopeToken(tok) || seen[tok] {
				t.Fatalf("ParseScope(%q) = %q", s, toks)
			}
			seen[tok] = true
		}
		// Joining and parsing again is stable.
		again, err := ParseScope(strings.Join(toks, " "))
		if err != nil || !cmp.Equal(again, toks) {
			t.Fatalf("round trip of %q: %q, %v", toks, again, err)
		}
	})
}

func FuzzSanitizeDescription(f *testing.F) {
	f.Add("plain")
	f.Add("a\"b\\c\x00é")
	f.Fuzz(func(t *testing.T, s string) {
		d := SanitizeDescription(s)
		if len(d) > MaxDescriptionLen {
			t.Fatalf("too long: %d", len(d))
		}
		for i := 0; i < len(d); i++ {
			if !descriptionChar(d[i]) {
				t.Fatalf("bad char %q in %q", d[i], d)
			}
		}
	})
}

func BenchmarkWriteError(b *testing.B) {
	r := httptest.NewRequest("POST", "/oauth2/token", nil)
	err := InvalidClient("client authentication failed").WithChallenge(`Basic realm="tollgate"`)
	b.ReportAllocs()
	for b.Loop() {
		WriteError(httptest.NewRecorder(), r, err)
	}
}

// TestInputNeverLogged: client input quoted in a description reaches the
// client but neither Error() nor the log, which see its length.
func TestInputNeverLogged(t *testing.T) {
	const secret = "s3cr3t0123456789abcdefghijklmnopqrstuvwxyz0123456"
	errs := map[string]*Error{
		"constructor": UnsupportedGrantType("unsupported grant type %s, %d", Input(secret), 7),
		"ParseScope": func() *Error {
			_, err := ParseScope(secret + `"`)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, not an *Error", err)
			}
			return e
		}(),
	}
	for name, err := range errs {
		t.Run(name, func(t *testing.T) {
			err = err.WithCause(errors.New("cause"))
			if !strings.Contains(err.Description, secret) {
				t.Errorf("the client does not see its input: %q", err.Description)
			}
			var buf bytes.Buffer
			slog.New(slog.NewJSONHandler(&buf, nil)).Info("refused", "err", err)
			for what, s := range map[string]string{"Error()": err.Error(), "log": buf.String()} {
				if strings.Contains(s, secret[:20]) {
					t.Errorf("%s shows the input: %s", what, s)
				}
				if !strings.Contains(s, " bytes)") {
					t.Errorf("%s lacks the input's length: %s", what, s)
				}
			}
		})
	}
	if got := UnsupportedGrantType("plain %s", "arg").Error(); got != "unsupported_grant_type: plain arg" {
		t.Errorf("an argument that is not Input is redacted: %q", got)
	}
}
