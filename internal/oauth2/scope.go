package oauth2

import "strings"

// ParseScope splits the value of a scope parameter (RFC 6749 §3.3) into its
// scope tokens, in the order given, without duplicates: the scope is a set,
// so naming one twice asks for nothing more. Tokens are separated by spaces;
// runs of spaces and leading or trailing spaces are tolerated because
// clients that join lists carelessly are common and the meaning is plain.
// Any other character outside the scope-token grammar
// (1*( %x21 / %x23-5B / %x5D-7E )) makes the whole value invalid, and the
// returned error is an invalid_scope *Error naming the offending token to
// the client (an Input: the log sees its length only).
// An empty or all-space value yields no tokens; RFC 6749 §3.1 has a
// parameter without a value treated as omitted.
//
// A value of more than MaxScopes tokens or MaxScopeLen bytes is refused
// with invalid_scope before any further work: no client is allowed more
// (Cognito's limit is 50 scopes a client), and the bound keeps the cost of
// a request small whatever it carries.
func ParseScope(s string) ([]string, error) {
	if len(s) > MaxScopeLen {
		return nil, InvalidScope("the scope parameter is longer than %d bytes", MaxScopeLen)
	}
	var out []string
	var seen map[string]bool
	for tok := range strings.SplitSeq(s, " ") {
		if tok == "" {
			continue
		}
		if !ValidScopeToken(tok) {
			return nil, InvalidScope("malformed scope %s: a scope is printable ASCII without spaces, quotes or backslashes", Input(SanitizeDescription(shorten(tok))))
		}
		if seen[tok] {
			continue
		}
		if len(out) == MaxScopes {
			return nil, InvalidScope("more than %d scopes requested", MaxScopes)
		}
		if seen == nil {
			seen = make(map[string]bool, 4)
		}
		seen[tok] = true
		out = append(out, tok)
	}
	return out, nil
}

// Bounds of a scope parameter.
const (
	MaxScopes   = 100
	MaxScopeLen = 8 << 10
)

// ValidScopeToken reports whether s is a scope-token of RFC 6749 §3.3.
func ValidScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// shorten cuts client input quoted in a description to a readable length.
func shorten(s string) string {
	const limit = 64
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "..."
}
