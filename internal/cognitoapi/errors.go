package cognitoapi

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/tollgate/tollgate"
)

// apiError is an error as the API answers it: {"__type": Type, "message":
// Message} with Status. cause is for the log only.
type apiError struct {
	Status  int
	Type    string
	Message string
	cause   error
}

func (e *apiError) Error() string { return e.Type + ": " + e.Message }

func errorf(status int, typ, format string, args ...any) *apiError {
	return &apiError{Status: status, Type: typ, Message: fmt.Sprintf(format, args...)}
}

// Error types of the API.
const (
	typeInvalidParameter = "InvalidParameterException"
	typeNotFound         = "ResourceNotFoundException"
	typeLimitExceeded    = "LimitExceededException"
	typeInvalidOAuthFlow = "InvalidOAuthFlowException"
	typeScopeNotFound    = "ScopeDoesNotExistException"
	typeInternal         = "InternalErrorException"
)

func invalid(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, typeInvalidParameter, format, args...)
}

func notFound(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, typeNotFound, format, args...)
}

func limitExceeded(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, typeLimitExceeded, format, args...)
}

// toAPIError maps an error to the API's answer: domain errors by kind,
// with their message; anything else is an internal error whose cause only
// the log sees.
func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var de *tollgate.Error
	if errors.As(err, &de) {
		switch de.Kind {
		case tollgate.KindNotFound:
			return notFound("%s", de.Message)
		case tollgate.KindInvalid, tollgate.KindConflict:
			return invalid("%s", de.Message)
		case tollgate.KindReadOnly:
			return invalid("%s", de.Message)
		}
	}
	return &apiError{Status: http.StatusInternalServerError, Type: typeInternal, Message: "An internal error occurred.", cause: err}
}

// readOnly refuses a change to an object a config file or a template's
// stack declares, saying which (tollgate.SplitStackKey).
func readOnly(what, id, configKey string) *apiError {
	if stack, logical, ok := tollgate.SplitStackKey(configKey); ok {
		return invalid("%s %s is declared in a config file or template (as %q in stack %s) and is read-only through this API: change the template and deploy it again.", what, id, logical, stack)
	}
	return invalid("%s %s is declared in a config file or template (as %q in the config file) and is read-only through this API: change it there.", what, id, configKey)
}

// validation collects constraint violations in AWS's words ("1 validation
// error detected: Value null at 'userPoolId' failed to satisfy constraint:
// Member must not be null").
type validation []string

func (v *validation) add(value *string, member, constraint string) {
	shown := "null"
	if value != nil {
		shown = "'" + printable(*value) + "'"
	}
	*v = append(*v, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", shown, member, constraint))
}

// required checks that a member is present.
func (v *validation) required(value *string, member string) bool {
	if value == nil {
		v.add(nil, member, "Member must not be null")
		return false
	}
	return true
}

// str checks a string member's length (in characters) and pattern, when it
// is present; with req, it must be.
func (v *validation) str(value *string, member string, req bool, minLen, maxLen int, pattern *regexp.Regexp) {
	if value == nil {
		if req {
			v.add(nil, member, "Member must not be null")
		}
		return
	}
	n := utf8.RuneCountInString(*value)
	switch {
	case n < minLen:
		v.add(value, member, fmt.Sprintf("Member must have length greater than or equal to %d", minLen))
	case n > maxLen:
		v.add(value, member, fmt.Sprintf("Member must have length less than or equal to %d", maxLen))
	case pattern != nil && !pattern.MatchString(*value):
		v.add(value, member, "Member must satisfy regular expression pattern: "+strings.TrimSuffix(strings.TrimPrefix(pattern.String(), "^"), "$"))
	}
}

// intRange checks an integer member's bounds, when it is present.
func (v *validation) intRange(value *int, member string, minV, maxV int) {
	if value == nil {
		return
	}
	s := fmt.Sprint(*value)
	switch {
	case *value < minV:
		v.add(&s, member, fmt.Sprintf("Member must have value greater than or equal to %d", minV))
	case *value > maxV:
		v.add(&s, member, fmt.Sprintf("Member must have value less than or equal to %d", maxV))
	}
}

// err returns the collected violations as an InvalidParameterException, or
// nil.
func (v validation) err() error {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return invalid("1 validation error detected: %s", v[0])
	}
	return invalid("%d validation errors detected: %s", len(v), strings.Join(v, "; "))
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

// Cognito's patterns (from the API reference's request syntax).
var (
	poolIDPattern     = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)
	clientIDPattern   = regexp.MustCompile(`^[\w+]+$`)
	namePattern       = regexp.MustCompile(`^[\w\s+=,.@-]+$`)
	identifierPattern = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]+$`)
	scopeNamePattern  = regexp.MustCompile(`^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+$`)
	domainPattern     = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`)
	secretPattern     = regexp.MustCompile(`^[\w+]+$`)
)
