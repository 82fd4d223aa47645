package gateway

import (
	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/apigw"
)

// Problem is one thing wrong with a
// REST API's declaration: apigw's, positioned within the API.
type Problem = apigw.Problem

// Problems is every problem found in one run; as an error it lists them
// all, one a line.
type Problems = apigw.Problems

// Validate checks a REST API declaration whole, without starting anything,
// and returns every problem as Problems (nil when there is none). It is
// apigw.Check, the one gate config and templates are held to too; New runs
// it on every API.
func Validate(api *tollgate.RestAPI) error {
	return apigw.Check(api).Err()
}
