package headerpolicy

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestStripRequest(t *testing.T) {
	h := http.Header{}
	for _, k := range []string{"Connection", "Content-Length", "content-md5", "EXPECT", "Max-Forwards", "Proxy-Authenticate",
		"Server", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "WWW-Authenticate", "Keep-Alive",
		"X-Tollgate-Client-Id", "x-tollgate-claims", "X_Tollgate_Scopes", "X-TOLLGATE-STAGE"} {
		h[k] = []string{"v"}
	}
	keep := []string{"Authorization", "Content-Type", "X-Tollgate", "X-Tollgatex-Id", "Proxy-Authorization", "X-Amzn-Trace-Id"}
	for _, k := range keep {
		h[k] = []string{"v"}
	}
	StripRequest(h)
	if len(h) != len(keep) {
		t.Errorf("left %v, want only %v", h, keep)
	}
	for _, k := range keep {
		if _, ok := h[k]; !ok {
			t.Errorf("%s was removed", k)
		}
	}
}

func TestRemapResponse(t *testing.T) {
	h := http.Header{"Date": {"d"}, "Server": {"s"}, "X-Amzn-Requestid": {"r"}, "X-Amz-Apigw-Id": {"a"},
		"Content-Length": {"5"}, "Content-Type": {"text/plain"}}
	RemapResponse(h)
	want := http.Header{"x-amzn-Remapped-Date": {"d"}, "x-amzn-Remapped-Server": {"s"},
		"x-amzn-Remapped-x-amzn-RequestId": {"r"}, "x-amzn-Remapped-x-amz-apigw-id": {"a"},
		"x-amzn-Remapped-Content-Length": {"5"}, "Content-Length": {"5"}, "Content-Type": {"text/plain"}}
	if len(h) != len(want) {
		t.Fatalf("got %v, want %v", h, want)
	}
	for k, v := range want {
		if strings.Join(h[k], ",") != strings.Join(v, ",") {
			t.Errorf("%s = %v, want %v", k, h[k], v)
		}
	}
	if got := RemappedName("x-amzn-requestid"); got != "x-amzn-Remapped-x-amzn-RequestId" {
		t.Errorf("RemappedName = %q", got)
	}
	if got := RemappedName("X-Custom"); got != "X-Custom" {
		t.Errorf("RemappedName(X-Custom) = %q", got)
	}
}

// The format API Gateway generates (AWS X-Ray developer guide, "Tracing
// header": Root=1-5759e988-bd862e3fe1be46a994272793, the first part the
// hexadecimal Unix time).
func TestTraceID(t *testing.T) {
	now := time.Unix(0x5759e988, 0)
	id := NewTraceID(now)
	if !regexp.MustCompile(`^Root=1-5759e988-[0-9a-f]{24}$`).MatchString(id) {
		t.Fatalf("NewTraceID = %q", id)
	}
	if id == NewTraceID(now) {
		t.Error("two trace ids alike")
	}
	if !ValidTraceID(id) {
		t.Errorf("ValidTraceID(%q) = false", id)
	}
	if got := NewTraceID(time.Unix(1, 0)); !strings.HasPrefix(got, "Root=1-00000001-") {
		t.Errorf("zero padding: %q", got)
	}
	for _, v := range []string{"", "Root=1-5759e988", "Root=1-5759e98g-bd862e3fe1be46a994272793", "root=1-5759e988-bd862e3fe1be46a994272793",
		"Root=1-5759e988-bd862e3fe1be46a994272793x", "Root=1-5759e988-bd862e3fe1be46a994272793;\n", strings.Repeat("x", 300)} {
		if ValidTraceID(v) {
			t.Errorf("ValidTraceID(%q) = true", v)
		}
	}
	if !ValidTraceID("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1") {
		t.Error("a trace id with Parent and Sampled refused")
	}
}

func TestReserved(t *testing.T) {
	for name, want := range map[string]bool{"X-Tollgate-Client-Id": true, "x_tollgate_x": true, "X-TOLLGATE-": true,
		"X-Tollgate": false, "X-Tollgatf-x": false, "Authorization": false} {
		if Reserved(name) != want {
			t.Errorf("Reserved(%q) = %v", name, !want)
		}
	}
}

// TestRemapResponseCanonical: the same renaming as RemapResponse, under
// the canonical form of each new name.
func TestRemapResponseCanonical(t *testing.T) {
	h := http.Header{"Date": {"d"}, "Server": {"s"}, "X-Amzn-Requestid": {"r"}, "X-Amz-Apigw-Id": {"a"},
		"Connection": {"close"}, "Content-Length": {"5"}, "Content-Type": {"text/plain"}}
	want := h.Clone()
	RemapResponse(want)
	RemapResponseCanonical(h)
	if len(h) != len(want) {
		t.Fatalf("got %v, want %v", h, want)
	}
	for k, v := range want {
		ck := http.CanonicalHeaderKey(k)
		if strings.Join(h[ck], ",") != strings.Join(v, ",") {
			t.Errorf("%s = %v, want %v", ck, h[ck], v)
		}
	}
	if h.Get("x-amzn-Remapped-x-amzn-RequestId") != "r" {
		t.Errorf("got %v", h)
	}
}
