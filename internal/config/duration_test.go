package config

import (
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
)

func TestParseValidity(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want tollgate.Validity
	}{
		{"30s", tollgate.Validity{Value: 30, Unit: tollgate.Seconds}},
		{"60m", tollgate.Validity{Value: 60, Unit: tollgate.Minutes}},
		{"1h", tollgate.Validity{Value: 1, Unit: tollgate.Hours}},
		{"5d", tollgate.Validity{Value: 5, Unit: tollgate.Days}},
		{"3650d", tollgate.Validity{Value: 3650, Unit: tollgate.Days}},
		{"007m", tollgate.Validity{Value: 7, Unit: tollgate.Minutes}},
		{"1h30m", tollgate.Validity{Value: 90, Unit: tollgate.Minutes}},
		{"1d12h", tollgate.Validity{Value: 2160, Unit: tollgate.Minutes}},
		{"1m30s", tollgate.Validity{Value: 90, Unit: tollgate.Seconds}},
		{"1h0m", tollgate.Validity{Value: 60, Unit: tollgate.Minutes}},
		{"0h5m", tollgate.Validity{Value: 5, Unit: tollgate.Minutes}},
		{"1d1h1m1s", tollgate.Validity{Value: 90061, Unit: tollgate.Seconds}},
	} {
		got, err := ParseValidity(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseValidity(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseValidityErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "want a whole number and a unit"},
		{"60", "want a whole number and a unit"},
		{"m", "want a whole number and a unit"},
		{"5 d", "unknown unit \" \""},
		{"5D", "unknown unit \"D\""},
		{"5w", "unknown unit \"w\""},
		{"1.5h", "unknown unit \".\""},
		{"100ms", "want a whole number and a unit"},
		{"-5m", "must be positive"},
		{"+5m", "want a whole number and a unit"},
		{"0m", "must be positive"},
		{"0h0m", "must be positive"},
		{"30m1h", "units must be in decreasing order"},
		{"1h1h", "units must be in decreasing order"},
		{"1h30", "want a whole number and a unit"},
		{"99999999999999999999d", "too long"},
		{"36501d", "too long"},
		{"36500d1s", "too long"},
		{"soon", "want a whole number and a unit"},
	} {
		got, err := ParseValidity(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseValidity(%q) = %v, %v; want an error containing %q", tc.in, got, err, tc.want)
		}
	}
}
