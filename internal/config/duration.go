package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
)

// maxValiditySeconds bounds a parsed duration well above any Cognito limit
// (ten years) and well below what time.Duration can hold (292 years), so
// that tollgate.Validity.Duration never overflows and the bounds check that
// follows gives the useful message.
const maxValiditySeconds = 100 * 365 * 24 * 3600

// ParseValidity reads a token lifetime as the config file writes it; the
// CLI's flags that take one use it too. A single whole number and unit
// ("30s", "60m", "1h", "5d") keeps its unit, so "5d" is 5 days as CDK's
// Duration.days(5) is. A compound in Go's style ("1h30m", "1d12h"; units in
// decreasing order, each at most once) becomes minutes, or seconds when it is
// not a whole number of minutes. It checks the syntax only: the bounds of
// each token's lifetime are the validator's business.
func ParseValidity(s string) (tollgate.Validity, error) {
	bad := func(why string) (tollgate.Validity, error) {
		return tollgate.Validity{}, fmt.Errorf("invalid duration %q: %s", s, why)
	}
	if s == "" {
		return bad(validitySyntax)
	}
	if s[0] == '-' {
		return bad("must be positive")
	}
	var (
		total int64
		parts int
		last  tollgate.Validity
		next  = 0 // index into validityUnits: each part's unit must come after the previous one's
	)
	for rest := s; rest != ""; {
		n, u, size, why := nextValidityPart(rest)
		if why != "" {
			return bad(why)
		}
		if u < next {
			return bad("units must be in decreasing order, each at most once, like 1h30m")
		}
		next = u + 1
		if n > maxValiditySeconds/validityUnits[u].seconds {
			return bad("too long")
		}
		total += n * validityUnits[u].seconds
		if total > maxValiditySeconds {
			return bad("too long")
		}
		last = tollgate.Validity{Value: n, Unit: validityUnits[u].unit}
		parts++
		rest = rest[size:]
	}
	if total == 0 {
		return bad("must be positive")
	}
	if parts == 1 {
		return last, nil
	}
	if total%60 == 0 {
		return tollgate.Validity{Value: total / 60, Unit: tollgate.Minutes}, nil
	}
	return tollgate.Validity{Value: total, Unit: tollgate.Seconds}, nil
}

// validitySyntax says what a validity looks like, for its errors.
const validitySyntax = "want a whole number and a unit (s, m, h or d), like 60m or 5d"

// validityUnits are a validity's units, largest first, in the order of
// the letters "dhms".
var validityUnits = [...]struct {
	unit    tollgate.TimeUnit
	seconds int64
}{{tollgate.Days, 86400}, {tollgate.Hours, 3600}, {tollgate.Minutes, 60}, {tollgate.Seconds, 1}}

// nextValidityPart reads the number and unit at the start of rest: the
// number, the unit's index in validityUnits and the part's length in
// bytes, or why rest does not start with one.
func nextValidityPart(rest string) (n int64, unit, size int, why string) {
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	if i == 0 || i == len(rest) {
		return 0, 0, 0, validitySyntax
	}
	if i > 12 {
		return 0, 0, 0, "too long"
	}
	for _, c := range rest[:i] {
		n = n*10 + int64(c-'0')
	}
	unit = strings.IndexByte("dhms", rest[i])
	if unit < 0 {
		return 0, 0, 0, fmt.Sprintf("unknown unit %q: %s", rest[i:i+1], validitySyntax)
	}
	return n, unit, i + 1, ""
}

// maxTimeout bounds a parsed timeout well above any limit in the schema
// (a Lambda function's 900 s), so that the bounds check that follows gives
// the useful message.
const maxTimeout = 24 * time.Hour

// timeoutSyntax is what time.ParseDuration accepts, unsigned: numbers with
// units, like 1m30s or 1.5s.
var timeoutSyntax = regexp.MustCompile(`^(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+$`)

// ParseTimeout reads a timeout as the config file writes it: a positive Go
// duration such as "10s", "500ms" or "1m30s". Unlike a token lifetime it
// keeps no unit: a timeout is a plain time.Duration. It checks the syntax
// only; the bounds of each timeout are the validator's business.
func ParseTimeout(s string) (time.Duration, error) {
	bad := func(why string) (time.Duration, error) {
		return 0, fmt.Errorf("invalid duration %q: %s", s, why)
	}
	const want = "want a number and a unit (ms, s, m or h), like 10s or 500ms"
	if strings.HasPrefix(s, "-") {
		return bad("must be positive")
	}
	if !timeoutSyntax.MatchString(s) {
		return bad(want)
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil: // the syntax is right, so the number overflowed
		return bad("too long")
	case d <= 0:
		return bad("must be positive")
	case d > maxTimeout:
		return bad("too long")
	}
	return d, nil
}
