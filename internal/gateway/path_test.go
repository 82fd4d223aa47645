package gateway

import (
	"strings"
	"testing"
)

// TestNormalizePath: what the gateway routes and forwards, and what it
// refuses as ambiguous (RFC 3986 §5.2.4 dot segments, however a lenient
// upstream would decode them).
func TestNormalizePath(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"/", "/", true},
		{"/hello/world", "/hello/world", true},
		// "/prod//x" has the path "/x" on API Gateway; inner runs stay.
		{"//x", "/x", true},
		{"///x//y", "/x//y", true},
		{"/v1.0/file.tar.gz", "/v1.0/file.tar.gz", true},
		{"/a..b/.c/c.", "/a..b/.c/c.", true},
		// Encoded unreserved characters are the same path (RFC 3986 §6.2.2.2).
		{"/%61dmin/x", "/admin/x", true},
		{"/%7Euser/%2D", "/~user/-", true},
		// Reserved characters stay encoded, as sent.
		{"/a%2Fb", "/a%2Fb", true},
		{"/a%2fb/%3F%23", "/a%2fb/%3F%23", true},
		{"/a%20b/%2B", "/a%20b/%2B", true},
		{"/100%", "/100%", true},
		{"/%zz", "/%zz", true},
		{"/a;b", "/a;b", true},
		{"/caf%C3%A9/%E2%82%AC", "/caf%C3%A9/%E2%82%AC", true},
		{"/a%20b/c%20", "/a%20b/c%20", true},
		// Dot segments in every spelling are refused.
		{"/..", "", false},
		{"/.", "", false},
		{"/public/../admin", "", false},
		{"/public/./x", "", false},
		{"/public/%2e%2e/admin", "", false},
		{"/public/%2E%2e/admin", "", false},
		{"/public/.%2E/admin", "", false},
		{"/public/..%2fadmin", "", false},
		{"/public/..%2Fadmin", "", false},
		{"/public/%2e%2e%2fadmin", "", false},
		{"/public/..%5cadmin", "", false},
		{"/public/..\\admin", "", false},
		{"/public\\..\\admin", "", false},
		{"/public/%252e%252e/admin", "", false},
		{"/public/%252e%252e%252fadmin", "", false},
		{"/public/%25252e%25252e/admin", "", false},
		{"/public/..;/admin", "", false},
		{"/public/..;jsessionid=1/admin", "", false},
		{"/public/%c0%ae%c0%ae/admin", "", false},
		{"/public/%c0%ae%c0%ae%c0%afadmin", "", false},
		{"/public/%ef%bc%8e%ef%bc%8e/admin", "", false},
		{"/public/a%00.json", "", false},
		{"/public/..", "", false},
		{"/public/%2e", "", false},
		// Escapes nested deeper than lenient servers decode are refused.
		{"/x/%25252525252e", "", false},
		// Overlong UTF-8 of any length, and bytes that are not UTF-8.
		{"/public/%f0%80%80%ae%f0%80%80%ae/admin", "", false},
		{"/public/%e0%80%ae%e0%80%ae%e0%80%afadmin", "", false},
		{"/public/..%e0%80%afadmin", "", false},
		{"/x/%E9t%E9", "", false},
		// IIS's %u escapes, and what NFKC or best-fit read as '.' or '/'.
		{"/public/%u002e%u002e/admin", "", false},
		{"/public/..%u2215admin", "", false},
		{"/public/%e2%80%a5/admin", "", false},
		{"/public/%ef%b9%92%ef%b9%92/admin", "", false},
		{"/public/..%e2%88%95admin", "", false},
		// What Windows trims to "..", and a decoded '?' or '#' that an
		// upstream would parse again.
		{"/public/..%20/admin", "", false},
		{"/public/.../admin", "", false},
		{"/public/x/..%3F", "", false},
		{"/public/x/..%23", "", false},
	}
	for _, tt := range tests {
		got, _, ok := normalizePath(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("normalizePath(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// The lenient reading the gateway matches routes against as well.
func TestLenientPath(t *testing.T) {
	for in, want := range map[string]string{
		"/hello":          "/hello",
		"/admin%2Fx":      "/admin/x",
		"/admin%5cx":      "/admin/x",
		"/admin\\x":       "/admin/x",
		"/admin;jsid=1/x": "/admin/x",
		"/admin%252Fx":    "/admin/x",
		"/%EF%BC%A1dmin":  "/Admin",
		"/what%3F/x":      "/what/x",
	} {
		_, got, ok := normalizePath(in)
		if !ok || got != want {
			t.Errorf("normalizePath(%q) lenient = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func BenchmarkNormalizePath(b *testing.B) {
	for _, p := range []string{"/hello/world", "/v1.0/files/report.pdf", "/a%20b/%2Fc"} {
		b.Run(strings.Trim(p, "/"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				normalizePath(p)
			}
		})
	}
}
