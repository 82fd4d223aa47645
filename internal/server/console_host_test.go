package server

import (
	"net/http"
	"testing"
)

// TestStripConsoleCookies: with the console on the main listeners, the
// gateway passes on every cookie but the console's, byte for byte.
func TestStripConsoleCookies(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []string
		want []string // nil: no Cookie header
	}{
		{"none of the console's", []string{`j={"a":1}; q="x"`}, []string{`j={"a":1}; q="x"`}},
		{"others kept as sent", []string{`j={"a":1,"b":2}; sp=a b; q="x"; tollgate_console=S2; a[b]=1`}, []string{`j={"a":1,"b":2}; sp=a b; q="x"; a[b]=1`}},
		{"the secure name and the flash", []string{`__Secure-tollgate_console=S; x=1; tollgate_console_flash=F`}, []string{`x=1`}},
		{"a value naming it is not it", []string{`x=tollgate_console`}, []string{`x=tollgate_console`}},
		{"only the console's", []string{`tollgate_console=S`}, nil},
		{"two headers", []string{`tollgate_console=S`, `b=2`}, []string{`b=2`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/apis/x/prod/", nil)
			r.Header["Cookie"] = append([]string(nil), tc.in...)
			stripConsoleCookies(r)
			got := r.Header["Cookie"]
			if len(got) != len(tc.want) {
				t.Fatalf("Cookie %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("Cookie %q, want %q", got, tc.want)
				}
			}
		})
	}
}

// TestConsoleHost: the console answers on IP addresses, localhost and the
// public URL's host only, so DNS rebinding and pools' or APIs' domains get
// nothing.
func TestConsoleHost(t *testing.T) {
	s := &Server{publicURL: "https://tollgate.example.com"}
	for host, want := range map[string]bool{
		"127.0.0.1:8080":                    true,
		"[::1]:8080":                        true,
		"localhost:8080":                    true,
		"LOCALHOST":                         true,
		"tollgate.example.com":              true,
		"Tollgate.Example.Com.":             true,
		"evil.example":                      false,
		"evil.example:8080":                 false,
		"tollgate.example.com.evil.example": false,
		"tollgate-seed.auth.us-east-1.localhost:8080": false,
		"foo.localhost": false,
		"":              false,
	} {
		if got := s.consoleHost(host); got != want {
			t.Errorf("consoleHost(%q) = %v, want %v", host, got, want)
		}
	}
}
