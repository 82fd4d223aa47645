package headercase

import (
	"strings"
	"testing"
)

func TestSentName(t *testing.T) {
	var r recorder
	long := strings.Repeat("x-Long", 50)
	r.feed([]byte("GET / HTTP/1.1\r\nhost: x\r\n" + long + ": 1\r\nX-A: 1\r\nx-a: 2\r\nx-b: 3\r\n\r\n"))
	names, ok := r.take("GET", "/")
	if !ok {
		t.Fatal("nothing recorded")
	}
	s := Sent{names: names, mode: modeRecorded}
	for canonical, want := range map[string]string{
		"Host": "host", "X-A": "X-A", "X-B": "x-b", "X-C": "X-C",
		strings.Repeat("X-Long", 50): long, "X": "X",
	} {
		if got := s.Name(canonical); got != want {
			t.Errorf("Name(%.20q) = %.20q, want %.20q", canonical, got, want)
		}
	}
}
