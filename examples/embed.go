// Package examples holds the config files users copy. The seed stack is
// embedded in the binary so that `tollgate dev` runs with no file at hand.
package examples

import _ "embed"

// Seed is examples/seed/tollgate.yaml: the seed article's stack.
//
//go:embed seed/tollgate.yaml
var Seed []byte

// SeedPath is the name problems in Seed are reported under.
const SeedPath = "examples/seed/tollgate.yaml"
