package propagation

import (
	"encoding/base64"
	"testing"
	"time"
)

func TestSummarizeNearestRank(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		ds := make([]time.Duration, len(n))
		for i, v := range n {
			ds[i] = time.Duration(v) * time.Millisecond
		}
		return ds
	}
	for _, tc := range []struct {
		in   []time.Duration
		want Summary
	}{
		{ms(5), Summary{5 * time.Millisecond, 5 * time.Millisecond, 5 * time.Millisecond, 5 * time.Millisecond}},
		// 10 values, out of order: p50 is the 5th, p90 the 9th, p99 the 10th.
		{ms(10, 1, 9, 2, 8, 3, 7, 4, 6, 5), Summary{5 * time.Millisecond, 9 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond}},
	} {
		if got := Summarize(tc.in); got != tc.want {
			t.Errorf("Summarize(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	in := ms(3, 1, 2)
	Summarize(in)
	if in[0] != 3*time.Millisecond {
		t.Error("Summarize sorted its argument")
	}
}

func TestKeyID(t *testing.T) {
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"abc"}`))
	if got := KeyID(head + ".e30.sig"); got != "abc" {
		t.Errorf("KeyID = %q, want abc", got)
	}
	for _, tok := range []string{"", "not base64!.e30.sig", base64.RawURLEncoding.EncodeToString([]byte(`[]`)) + ".e30.sig"} {
		if got := KeyID(tok); got != "" {
			t.Errorf("KeyID(%q) = %q, want none", tok, got)
		}
	}
}
