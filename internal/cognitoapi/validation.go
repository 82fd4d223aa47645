package cognitoapi

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// validation checks a request against the constraints Cognito's service
// model gives its members, as AWS's request validation does before an
// operation runs, and reports every violation at once, in AWS's words:
//
//	2 validation errors detected: Value '' at 'clientId' failed to satisfy
//	constraint: Member must have length greater than or equal to 1; Value ''
//	at 'clientId' failed to satisfy constraint: Member must satisfy regular
//	expression pattern: [\w+]+
//
// An operation checks its members in the order of the model (botocore's
// data/cognito-idp/2016-04-18/service-2.json), then returns v.err() before
// it looks anything up. AWS's own order is not stable: recorded answers
// list a request's members out of the model's order (SignUp: password before
// username, amazon-archives/amazon-cognito-identity-js#388) and the same
// member's constraints in either order over the years; Tollgate's order is
// the model's members, and for each its length, then its pattern, then its
// enum, as Cognito's recent answers have it (see validation_test.go).
//
// Each violation is kept as AWS words it, quoting the value, and as the
// log shows it, the value replaced by its length (errorf).
type validation []shown

// strShape is a string shape's constraints, as the model gives them.
type strShape struct {
	min, max int // length in characters; max 0: no maximum
	pattern  *pattern
	enum     []string
	// sensitive shapes (the model's sensitive trait) are not echoed:
	// "Value at 'password' failed to satisfy constraint: …".
	sensitive bool
}

// intShape is an integer shape's range.
type intShape struct{ min, max int }

// listShape is a list of strings: its length and its members' shape.
type listShape struct {
	max    int // number of members; 0: no maximum
	member strShape
}

// pattern is a model's regular expression: the text the message shows, and
// that text compiled to match a whole value, as AWS matches it.
type pattern struct {
	text string
	re   *regexp.Regexp
}

func newPattern(text string) *pattern {
	return &pattern{text: text, re: regexp.MustCompile(`^(?:` + text + `)$`)}
}

// add records one violation. value is how the value appears: "null", ""
// for a sensitive value, or the value quoted (quoted, number).
func (v *validation) add(value shown, member, constraint string) {
	line := func(value string) string {
		if value != "" {
			value = " " + value
		}
		return "Value" + value + " at '" + member + "' failed to satisfy constraint: " + constraint
	}
	*v = append(*v, shown{line(value.text), line(value.log)})
}

// Values as a violation shows them.
var (
	null      = shown{"null", "null"}
	sensitive = shown{}
)

// quoted shows a caller's value as AWS does, in single quotes, bounded and
// cleaned for the message; the log sees its length.
func quoted(s string) shown { return shown{quote(s), redacted(s)} }

// number shows a number the caller sent, which the log may show too: it
// cannot hold a secret.
func number(n int) shown {
	q := quote(strconv.Itoa(n))
	return shown{q, q}
}

// quote shows a value in single quotes, bounded and cleaned for the message.
func quote(s string) string { return "'" + printable(s) + "'" }

// required checks a string member that must be present against every
// constraint of its shape.
func (v *validation) required(member string, value *string, s strShape) {
	if value == nil {
		v.add(null, member, "Member must not be null")
		return
	}
	v.optional(member, value, s)
}

// optional checks a string member, if present, against every constraint of
// its shape.
func (v *validation) optional(member string, value *string, s strShape) {
	if value == nil {
		return
	}
	shown := quoted(*value)
	if s.sensitive {
		shown = sensitive
	}
	for _, c := range s.failed(*value) {
		v.add(shown, member, c)
	}
}

// failed returns the constraints of s that x breaks, in Tollgate's order.
func (s strShape) failed(x string) []string {
	var out []string
	n := utf8.RuneCountInString(x)
	if n < s.min {
		out = append(out, fmt.Sprintf("Member must have length greater than or equal to %d", s.min))
	}
	if s.max > 0 && n > s.max {
		out = append(out, fmt.Sprintf("Member must have length less than or equal to %d", s.max))
	}
	if s.pattern != nil && !s.pattern.re.MatchString(x) {
		out = append(out, "Member must satisfy regular expression pattern: "+s.pattern.text)
	}
	if s.enum != nil && !slices.Contains(s.enum, x) {
		out = append(out, enumConstraint(s.enum))
	}
	return out
}

// all returns every constraint of s, as AWS lists a collection member's
// constraints: "Member must satisfy constraint: [Member must have length
// less than or equal to 128, Member must have length greater than or equal
// to 1, Member must satisfy regular expression pattern: …]"
// (aws/aws-cdk#31795).
func (s strShape) all() []string {
	var out []string
	if s.max > 0 {
		out = append(out, fmt.Sprintf("Member must have length less than or equal to %d", s.max))
	}
	if s.min > 0 {
		out = append(out, fmt.Sprintf("Member must have length greater than or equal to %d", s.min))
	}
	if s.pattern != nil {
		out = append(out, "Member must satisfy regular expression pattern: "+s.pattern.text)
	}
	if s.enum != nil {
		out = append(out, enumConstraint(s.enum))
	}
	return out
}

func enumConstraint(values []string) string {
	return "Member must satisfy enum value set: [" + strings.Join(values, ", ") + "]"
}

// requiredInt checks an integer member that must be present, and its range.
func (v *validation) requiredInt(member string, value *int, s intShape) {
	if value == nil {
		v.add(null, member, "Member must not be null")
		return
	}
	v.optionalInt(member, value, s)
}

// optionalInt checks an integer member's range, if present.
func (v *validation) optionalInt(member string, value *int, s intShape) {
	switch {
	case value == nil:
	case *value < s.min:
		v.add(number(*value), member, fmt.Sprintf("Member must have value greater than or equal to %d", s.min))
	case *value > s.max:
		v.add(number(*value), member, fmt.Sprintf("Member must have value less than or equal to %d", s.max))
	}
}

// list checks a list of strings, when present: its length, then its
// members, which AWS reports once for the whole list, shown as Java shows
// a list ("[code, token]").
func (v *validation) list(member string, values []string, s listShape) {
	if values == nil {
		return
	}
	shown := quoted("[" + strings.Join(values, ", ") + "]")
	if s.max > 0 && len(values) > s.max {
		v.add(shown, member, fmt.Sprintf("Member must have length less than or equal to %d", s.max))
	}
	for _, x := range values {
		if len(s.member.failed(x)) > 0 {
			v.add(shown, member, "Member must satisfy constraint: ["+strings.Join(s.member.all(), ", ")+"]")
			return
		}
	}
}

// err returns the collected violations as AWS reports them, an
// InvalidParameterException, or nil.
func (v validation) err() error {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return invalid("1 validation error detected: %s", v[0])
	}
	var all shown
	for i, s := range v {
		if i > 0 {
			all.text += "; "
			all.log += "; "
		}
		all.text += s.text
		all.log += s.log
	}
	return invalid("%d validation errors detected: %s", len(v), all)
}

// printable bounds and cleans a caller's value for a message.
func printable(s string) string {
	if utf8.RuneCountInString(s) > 256 {
		s = string([]rune(s)[:256]) + "…"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}
