package config

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testOrigins places every path in other.yaml, values on line 1 and keys
// on line 2, with the path renamed, as a Config mapped from another file
// would be.
type testOrigins struct{}

func (testOrigins) Value(path string) Problem {
	return Problem{File: "other.yaml", Line: 1, Column: 1, Path: "from " + path}
}

func (testOrigins) Key(path string) Problem {
	return Problem{File: "other.yaml", Line: 2, Column: 1, Path: "from " + path}
}

func (testOrigins) Has(string) bool { return false }

// TestValidateFrom: the problems of a Config built elsewhere are placed by
// the Origins it is validated with, at a value or at the key that names a
// whole list; without them they carry their paths only.
func TestValidateFrom(t *testing.T) {
	cfg := func() *Config {
		return &Config{File: "c.yaml", RestAPIs: []RestAPI{{ID: "Api", EndpointTypes: []string{"REGIONAL", "EDGE"},
			Resources: []Resource{{Path: "/", Methods: []Method{{HTTPMethod: "get", Integration: &Integration{Type: IntegrationMock}}}}}}}}
	}
	var got Problems
	if err := cfg().ValidateFrom(testOrigins{}); !errors.As(err, &got) {
		t.Fatalf("ValidateFrom: %v, want Problems", err)
	}
	var plain Problems
	if err := cfg().Validate(); !errors.As(err, &plain) {
		t.Fatalf("Validate: %v, want Problems", err)
	}
	if len(got) != len(plain) || len(got) < 2 {
		t.Fatalf("ValidateFrom found %d problems, Validate %d, want the same, at least 2:\n%v\n%v", len(got), len(plain), got, plain)
	}
	byMessage := map[string]Problem{}
	for _, p := range got {
		byMessage[p.Message] = p
	}
	for _, p := range plain {
		if p.Line != 0 || p.File != "c.yaml" {
			t.Errorf("Validate placed %v, want no position", p)
		}
		want := p
		want.File, want.Column, want.Path = "other.yaml", 1, "from "+p.Path
		want.Line = 1
		if p.Path == "restApis[0].endpointTypes" {
			want.Line = 2
		}
		if diff := cmp.Diff(want, byMessage[p.Message]); diff != "" {
			t.Errorf("problem %q (-want +got):\n%s", p.Message, diff)
		}
	}
}
