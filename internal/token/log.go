package token

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/oauth2"
)

// What the endpoint logs of a request. A client may send its secret where
// something else belongs: swap client_id and client_secret, percent-encode
// the colon of its Basic credentials (so that all of "id:secret" is taken
// for the id), paste it into scope or grant_type, send it in the URL query
// or a JSON body. A secret must never reach a log, so nothing a request
// carries is logged as sent:
//
//   - a presented client id is logged only when it is the id of a client
//     the endpoint found (clientRef); any other is logged as a marker,
//     "(malformed, N bytes)" when it has not the shape of Tollgate's client
//     ids, "(unverified)" when it has but names no client or was not looked
//     up (a custom secret may have that shape too);
//   - error descriptions quote client input as oauth2.Input, which the log
//     shows by its length;
//   - causes carry no request bytes: readForm drops the urlencoding parser's
//     error (it quotes the bad escape), a store's lookup error has the
//     presented id removed (lookupError), and a presented token's quoted
//     kid is replaced by its length (tokenReason);
//   - the Authorization header, the body and the query are never logged
//     (nor by the server's access log, which logs the path alone).

// clientRef is a client id as the log may show it. Only presentedID and
// foundID make one, so that no raw presented id reaches fail.
type clientRef string

// unverifiedID is logged for an id of the right shape that names no client
// the endpoint found, or that it did not look up.
const unverifiedID clientRef = "(unverified)"

// presentedID is what the log shows of a client id a request presented
// that names no client the endpoint found: a marker, never the id.
func presentedID(id string) clientRef {
	switch {
	case id == "":
		return ""
	case !hasClientIDShape(id):
		return clientRef("(malformed, " + strconv.Itoa(len(id)) + " bytes)")
	}
	return unverifiedID
}

// foundID is what the log shows of a presented client id with which a
// client was found: the id itself when it has the shape of the ids
// Tollgate makes, otherwise the same marker as presentedID.
func foundID(id string) clientRef {
	if ref := presentedID(id); ref != unverifiedID {
		return ref
	}
	return clientRef(id)
}

// hasClientIDShape reports whether id has the shape of every client id
// Tollgate holds: tollgate.ClientIDLength characters of [a-z0-9], as
// tollgate.NewClientID draws them (the CLI, the management API, config and
// stacks all do). Generated secrets (51 characters) never have it.
func hasClientIDShape(id string) bool {
	if len(id) != tollgate.ClientIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		default:
			return false
		}
	}
	return true
}

// fail logs err and writes it to the client through oauth2.WriteError. The
// log level follows who is at fault: a failed client authentication is
// worth noticing (Info), other client mistakes are routine (Debug), and
// anything that is not an *oauth2.Error, or is a server_error, is ours
// (Error), unless the client cancelled the request. A failed
// authentication to be counted is struck once the answer is written
// (limits.go).
func (e *Endpoint) fail(w http.ResponseWriter, r *http.Request, endpoint string, client clientRef, err error) {
	level := slog.LevelDebug
	var oe *oauth2.Error
	switch {
	case errors.Is(err, context.Canceled):
		// The client went away mid-request: nobody reads the answer and
		// nothing is broken.
	case !errors.As(err, &oe) || oe.Code == oauth2.CodeServerError:
		level = slog.LevelError
	case oe.Code == oauth2.CodeInvalidClient:
		level = slog.LevelInfo
		e.auditRefusal(w, r, endpoint, client, oe)
	}
	e.log.LogAttrs(r.Context(), level, "oauth2 request refused",
		slog.String("endpoint", endpoint),
		slog.String("client_id", string(client)),
		slog.String("request_id", oauth2.RequestID(w)),
		slog.Any("err", err),
	)
	logRefusal(w, client, err)
	oauth2.WriteError(w, r, err)
	e.strikeAfterAnswer(w, r, endpoint, err)
}

// lookupError is a failed client lookup as the log shows it: the store's
// message, which may quote the id it was asked for, without the presented
// id. Lookups are made only with ids of [\w+] (validClientID), which every
// quoting keeps as they are.
type lookupError struct {
	err error
	id  string
}

func (e *lookupError) Error() string {
	return strings.ReplaceAll(e.err.Error(), e.id, "(presented client id)")
}

func (e *lookupError) Unwrap() error { return e.err }

// tokenReason is why a presented token did not verify, as the log shows it:
// bearer's reason with the value it quotes replaced by its length. That
// value may be request bytes: bearer quotes a token's kid before the
// signature is checked, and anything may be sent as a token.
func tokenReason(err error) string {
	s := err.Error()
	i, j := strings.IndexByte(s, '"'), strings.LastIndexByte(s, '"')
	if i < 0 || j <= i {
		return s
	}
	return s[:i] + "(" + strconv.Itoa(j-i-1) + " bytes)" + s[j+1:]
}
