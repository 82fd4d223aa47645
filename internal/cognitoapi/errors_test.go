package cognitoapi

import (
	"errors"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
)

// TestDomainErrorLoggedWithoutItsValues maps store errors that quote the
// ids they were asked for, as the store's messages do (%q): the answer
// keeps the message, the log's text (Error) has each quoted value by its
// length.
func TestDomainErrorLoggedWithoutItsValues(t *testing.T) {
	const secret = "a/MnXqQ+00dy7+8/FO9fBufnJbI8P+RrtdNs256W"
	for _, tt := range []struct {
		err  error
		want string // the log's text
	}{
		{tollgate.Errorf(tollgate.KindNotFound, "client %q not found", secret),
			`ResourceNotFoundException: client (40 bytes) not found`},
		{tollgate.Errorf(tollgate.KindConflict, "a client with id %q, or named %q in pool %q, already exists", "c1", secret+`"\`, "p"),
			`InvalidParameterException: a client with id (2 bytes), or named (42 bytes) in pool (1 bytes), already exists`},
		{tollgate.Errorf(tollgate.KindInvalid, "an unpaired quote: \"%s", secret),
			`InvalidParameterException: an unpaired quote: (41 bytes)`},
		{tollgate.Errorf(tollgate.KindReadOnly, "read-only"),
			`InvalidParameterException: read-only`},
	} {
		e := toAPIError(tt.err)
		if got := e.Error(); got != tt.want {
			t.Errorf("%v: logged as %q, want %q", tt.err, got, tt.want)
		}
		var de *tollgate.Error
		if !errors.As(tt.err, &de) || e.Message != de.Message {
			t.Errorf("%v: answered %q, want the domain's message", tt.err, e.Message)
		}
		if strings.Contains(e.Error(), "MnXqQ") {
			t.Errorf("%v: the log's text holds the secret", tt.err)
		}
	}
}

// TestErrorfLogsOnlyWhatIsMarked: a string argument is the request's and
// logged by its length unless held; numbers are logged; anything else is
// not.
func TestErrorfLogsOnlyWhatIsMarked(t *testing.T) {
	e := invalid("%s %s %d %v %s", "secret", held("pool-1"), 7, []string{"secret"}, shown{"text", "log"})
	if want := "InvalidParameterException: (6 bytes) pool-1 7 (a value) log"; e.Error() != want {
		t.Errorf("logged %q, want %q", e.Error(), want)
	}
	if want := "secret pool-1 7 [secret] text"; e.Message != want {
		t.Errorf("answered %q, want %q", e.Message, want)
	}
}
