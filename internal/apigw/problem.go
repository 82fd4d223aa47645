package apigw

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with an API's declaration (a REST or an HTTP
// API), positioned within the API.
type Problem struct {
	// Route is the index of the route in RestAPI.Routes the problem is
	// about, or -1 when it is about the API or a stage.
	Route int
	// Field names what is wrong, relative to the route when Route >= 0
	// ("ResourcePath", "Method", "Authorizer.PoolIDs[0]") and to the API
	// otherwise ("Stages[1].Name").
	Field   string
	Message string
}

func (p Problem) String() string {
	if p.Route >= 0 {
		return fmt.Sprintf("Routes[%d].%s: %s", p.Route, p.Field, p.Message)
	}
	return p.Field + ": " + p.Message
}

// Problems is every problem found in one run; as an error it lists them
// all, one a line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Add records a problem at a route's field (route -1: the API's).
func (ps *Problems) Add(route int, field, format string, args ...any) {
	*ps = append(*ps, Problem{Route: route, Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns ps as an error, or nil when it is empty.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}
