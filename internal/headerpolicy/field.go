package headerpolicy

import "github.com/tollgate/tollgate/internal/apigw"

// ValidField reports whether a header field can be sent as it is: a
// token name and a value without control characters (net/http would
// otherwise drop it silently or garble the response): the rule
// apigw.CheckHeader states for configured headers.
func ValidField(name, value string) bool { return apigw.CheckHeader(name, value) == "" }
