package bearer

import "strings"

// A scope claim is a list of scope tokens separated by single spaces
// (RFC 6749 §3.3). Runs of spaces are tolerated and yield no empty scopes.

// splitScopes returns the scopes of a scope claim.
func splitScopes(s string) []string {
	out := make([]string, 0, strings.Count(s, " ")+1)
	for s != "" {
		var tok string
		tok, s = nextScope(s)
		if tok != "" {
			out = append(out, tok)
		}
	}
	return out
}

// nextScope returns the first scope of s and the rest after its separator.
// The scope is empty when s starts with a space.
func nextScope(s string) (scope, rest string) {
	scope, rest, _ = strings.Cut(s, " ")
	return scope, rest
}
