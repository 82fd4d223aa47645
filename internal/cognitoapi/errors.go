package cognitoapi

import (
	"errors"
	"fmt"
	"net/http"

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
	if name, logical, ok := tollgate.SplitConfigKey(configKey); ok {
		return invalid("%s %s is declared in a config file or template (as %q in config %s) and is read-only through this API: change it there.", what, id, logical, name)
	}
	return invalid("%s %s is declared in a config file or template (as %q in the config file) and is read-only through this API: change it there.", what, id, configKey)
}
