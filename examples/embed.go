// Package examples holds the config files users copy. The seed stack is
// embedded in the binary so that `tollgate dev` runs with no file at hand.
package examples

import "embed"

// Seed is examples/seed/tollgate.yaml: the seed article's stack.
//
//go:embed seed/tollgate.yaml
var Seed []byte

// SeedPath is the name problems in Seed are reported under.
const SeedPath = "examples/seed/tollgate.yaml"

// SeedApp holds examples/seed/app, the seed stack's function (a Node.js
// handler that answers with the event it received). `tollgate dev` writes
// it to its data directory when it runs the embedded seed away from this
// repository.
//
//go:embed seed/app
var SeedApp embed.FS
