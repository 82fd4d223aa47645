package apigw

import (
	"math"
	"regexp"
)

// Sources: the CreateStage API reference (stage names and variables) and
// the API Gateway throttling page (rates and bursts).
var (
	// StageNamePattern is the rule for a stage name, in config and gateway
	// alike: 1 to 128 letters, digits, '-' and '_'. Source: the Stage and
	// CreateStage API references, stageName: "Stage names can only contain
	// alphanumeric characters, hyphens, and underscores. Maximum length is
	// 128 characters."
	StageNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	// StageVariableNamePattern and StageVariableValuePattern are the rules
	// for stage variables.
	StageVariableNamePattern  = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)
	StageVariableValuePattern = regexp.MustCompile(`^[A-Za-z0-9\-._~:/?#&=,]{1,512}$`)
)

// MaxRate is the highest throttling rate, in requests per second, that a
// stage or client throttle may set; it bounds the default burst.
const MaxRate = 1e9

// DefaultBurst is the burst of a throttle that sets a rate and no burst:
// the rate rounded up.
func DefaultBurst(rate float64) int { return int(math.Ceil(rate)) }
