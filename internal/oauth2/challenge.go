package oauth2

import "strings"

// BearerChallenge returns the WWW-Authenticate value that RFC 6750 §3 asks a
// protected resource to send when it refuses a request:
//
//	Bearer realm="api", error="invalid_token", error_description="the access token expired"
//
// With e nil (the request carried no credentials at all) the challenge holds
// the realm only, as RFC 6750 §3.1 says it should. Otherwise it names e's
// code and description. scope, if given, lists the scopes that would grant
// access (RFC 6750 §3: useful with insufficient_scope). Values that do not
// fit their grammar are made to: the realm is escaped as a quoted-string
// (RFC 9110 §5.6.4), the description and scopes are sanitized.
func BearerChallenge(realm string, e *Error, scope ...string) string {
	var b strings.Builder
	b.WriteString("Bearer")
	sep := " "
	param := func(name, value string) {
		b.WriteString(sep)
		b.WriteString(name)
		b.WriteString(`="`)
		b.WriteString(value)
		b.WriteByte('"')
		sep = ", "
	}
	if realm != "" {
		param("realm", quotedStringContent(realm))
	}
	if len(scope) > 0 {
		toks := make([]string, 0, len(scope))
		for _, s := range scope {
			if ValidScopeToken(s) {
				toks = append(toks, s)
			}
		}
		if len(toks) > 0 {
			param("scope", strings.Join(toks, " "))
		}
	}
	if e != nil {
		param("error", sanitizeCode(e.Code))
		if d := SanitizeDescription(e.Description); d != "" {
			param("error_description", d)
		}
	}
	return b.String()
}

// quotedStringContent escapes '"' and '\' with a backslash and replaces
// control characters, which a quoted-string cannot hold, with '?'.
func quotedStringContent(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\t' || (c >= 0x20 && c != 0x7f):
			b.WriteByte(c)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}
