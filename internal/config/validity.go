package config

import "github.com/tollgate/tollgate"

// ParseValidity reads a token lifetime as the config file writes it ("60m",
// "5d", "1h30m"), for the CLI flags that take one.
func ParseValidity(s string) (tollgate.Validity, error) { return parseValidity(s) }
