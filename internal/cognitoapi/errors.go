package cognitoapi

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/sigv4"
)

// apiError is an error as the API answers it: {"__type": Type, "message":
// Message} with Status.
//
// Message is for the caller and, as AWS's messages do, quotes what the
// request sent ("User pool client X does not exist.", "Value 'X' at
// 'clientId' failed to satisfy constraint: …"): a caller that pasted a
// secret where an id goes gets it back, which is fine. The log must not
// get it, so it sees logText (which Error returns too): the message with
// every value of the request replaced by its length. cause is for the log
// only.
type apiError struct {
	Status  int
	Type    string
	Message string
	logText string
	cause   error
}

func (e *apiError) Error() string { return e.Type + ": " + e.logText }

// errorf makes an apiError whose Message is format with args. In logText,
// every string argument is taken for a value of the request and shown by
// its length, "(N bytes)", unless it is held (Tollgate's own) or a shown
// (which carries its log form); numbers are shown as they are, anything
// else as "(a value)". Marking what may be logged, rather than what may not, keeps a
// new message from leaking a value that nobody marked.
func errorf(status int, typ, format string, args ...any) *apiError {
	logArgs := make([]any, len(args))
	for i, a := range args {
		logArgs[i] = logArg(a)
	}
	return &apiError{Status: status, Type: typ, Message: fmt.Sprintf(format, args...), logText: fmt.Sprintf(format, logArgs...)}
}

func logArg(a any) any {
	switch a := a.(type) {
	case held:
		return string(a)
	case shown:
		return a.log
	case string:
		return redacted(a)
	case int, int32, int64, uint, uint32, uint64, bool:
		return a
	}
	return "(a value)"
}

// redacted is what a log shows of a value of the request.
func redacted(s string) string { return "(" + strconv.Itoa(len(s)) + " bytes)" }

// held marks an argument of an error's format that the log may show as it
// is: a value Tollgate holds, not one the request sent — the id of an
// object it found (which names that object, as the token endpoint logs a
// client id only when it names a client), a config key, a limit.
type held string

// shown is an argument of an error's format with a log form of its own:
// the caller sees text, the log sees log.
type shown struct{ text, log string }

func (s shown) String() string { return s.text }

// sigv4Error is a signature's refusal as the API answers it, with the
// message the log may show (sigv4.Error.LogMessage).
func sigv4Error(se *sigv4.Error) *apiError {
	return &apiError{Status: se.Status, Type: se.Code, Message: se.Message, logText: se.LogMessage()}
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
// the log sees. A domain error's message quotes the values it names with
// %q (the store's do: `client "X" not found`), and the ids it was asked
// for are the request's, so the log shows each quoted value by its length
// (domainLogText).
func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var ro *domain.ReadOnlyError
	if errors.As(err, &ro) {
		return readOnly(objectNouns[ro.Object], ro.ID, ro.ConfigKey)
	}
	var de *tollgate.Error
	if errors.As(err, &de) {
		msg := shown{de.Message, domainLogText(de.Message)}
		switch de.Kind {
		case tollgate.KindNotFound:
			return notFound("%s", msg)
		case tollgate.KindInvalid, tollgate.KindConflict, tollgate.KindReadOnly:
			return invalid("%s", msg)
		}
	}
	return &apiError{Status: http.StatusInternalServerError, Type: typeInternal, Message: "An internal error occurred.", logText: "An internal error occurred.", cause: err}
}

// domainLogText is a domain error's message with each Go-quoted value in
// it replaced by its length.
func domainLogText(msg string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '"')
		if i < 0 {
			break
		}
		q, err := strconv.QuotedPrefix(msg[i:])
		if err != nil {
			// An unpaired quote: nothing after it can be told from a value.
			b.WriteString(msg[:i])
			b.WriteString(redacted(msg[i:]))
			return b.String()
		}
		v, _ := strconv.Unquote(q)
		b.WriteString(msg[:i])
		b.WriteString(redacted(v))
		msg = msg[i+len(q):]
	}
	b.WriteString(msg)
	return b.String()
}

// objectNouns are the API's names of the domain's objects.
var objectNouns = map[tollgate.Object]string{
	tollgate.ObjectPool:           "User pool",
	tollgate.ObjectResourceServer: "Resource server",
	tollgate.ObjectClient:         "User pool client",
	tollgate.ObjectDomain:         "Domain",
}

// readOnly refuses a change to an object a config file or a template's
// stack declares, saying which (tollgate.SplitStackKey). The object was
// found, so its id, and its config key, are Tollgate's.
func readOnly(what, id, configKey string) *apiError {
	if stack, logical, ok := tollgate.SplitStackKey(configKey); ok {
		return invalid("%s %s is declared in a config file or template (as %q in stack %s) and is read-only through this API: change the template and deploy it again.", held(what), held(id), held(logical), held(stack))
	}
	if name, logical, ok := tollgate.SplitConfigKey(configKey); ok {
		return invalid("%s %s is declared in a config file or template (as %q in config %s) and is read-only through this API: change it there.", held(what), held(id), held(logical), held(name))
	}
	return invalid("%s %s is declared in a config file or template (as %q in the config file) and is read-only through this API: change it there.", held(what), held(id), held(configKey))
}
