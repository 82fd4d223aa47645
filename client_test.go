package tollgate

import (
	"math"
	"strings"
	"testing"
)

func TestCheckValidity(t *testing.T) {
	cases := []struct {
		v       Validity
		wantErr string
	}{
		{Validity{60, Minutes}, ""},
		{Validity{1, Days}, ""},
		{Validity{5, Minutes}, ""},
		{Validity{4, Minutes}, "between 5 minutes and 1 day"},
		{Validity{25, Hours}, "between"},
		{Validity{0, Hours}, "between"},
		{Validity{-1, Hours}, "between"},
		{Validity{math.MaxInt64, Seconds}, "between"},
		{Validity{math.MaxInt64 / 1000, Days}, "between"}, // would wrap around when multiplied
		{Validity{1, "weeks"}, "unknown unit"},
	}
	for _, tc := range cases {
		err := CheckValidity("access token validity", tc.v, AccessTokenMin, AccessTokenMax)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%v: unexpected error %v", tc.v, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%v: err = %v, want one containing %q", tc.v, err, tc.wantErr)
		case err != nil && KindOf(err) != KindInvalid:
			t.Errorf("%v: kind %s", tc.v, KindOf(err))
		}
	}
}

func TestIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewClientID()
		if len(id) != ClientIDLength || strings.Trim(id, lowerAlnum) != "" || seen[id] {
			t.Fatalf("bad or repeated client id %q", id)
		}
		seen[id] = true
	}
	if p := NewPoolID("us-east-1"); !PoolIDPattern.MatchString(p) || len(p) != len("us-east-1_")+9 {
		t.Errorf("pool id %q", p)
	}
	if s := NewClientSecret(); len(s) != ClientSecretLength || strings.Trim(s, lowerAlnum) != "" {
		t.Errorf("secret %q", s)
	}
	if a, b := RestAPIID("Api"), RestAPIID("Api"); a != b || len(a) != 10 || RestAPIID("Other") == a {
		t.Errorf("RestAPIID not stable or not distinct: %q %q", a, b)
	}
}
