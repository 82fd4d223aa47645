package cognitoapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/sigv4"
	"github.com/tollgate/tollgate/internal/vault"
)

// TargetPrefix is the X-Amz-Target prefix of the Cognito Identity Provider
// API's operations.
const TargetPrefix = "AWSCognitoIdentityProviderService."

// Service is the SigV4 service name requests are signed for.
const Service = "cognito-idp"

// DefaultAccountID is the AWS account id that ARNs and domain descriptions
// show when Options.AccountID is empty.
const DefaultAccountID = "000000000000"

// maxBody bounds a request's JSON body.
const maxBody = 1 << 20

// Options configure a Handler.
type Options struct {
	Store tollgate.Store
	// Vault seals the client secrets the API makes and opens them for
	// DescribeUserPoolClient, and opens access keys.
	Vault *vault.Vault
	// AccountID is shown in ARNs (default DefaultAccountID).
	AccountID string
	// OnChange, if set, runs after every successful write, so that the
	// server's in-memory views see the change at once.
	OnChange func(ctx context.Context)
	// Audit, if set, records every write (as the access key that signed
	// it) and every call refused for its signature.
	Audit  *audit.Sink
	Now    func() time.Time
	Logger *slog.Logger
}

// Handler serves the API. Build it with New.
type Handler struct {
	opts     Options
	svc      *domain.Service
	verifier *sigv4.Verifier
	ops      map[string]operation
}

// operation runs one operation: in is the request body, region the
// signature's region. It returns the response body (marshalled as JSON) or
// an error (*apiError, or a store error mapped by toAPIError).
type operation func(ctx context.Context, region string, in []byte) (any, error)

// New returns the API handler.
func New(opts Options) *Handler {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.AccountID == "" {
		opts.AccountID = DefaultAccountID
	}
	h := &Handler{opts: opts, svc: domain.New(opts.Store, opts.Vault, opts.Now).WithAudit(opts.Audit)}
	h.verifier = &sigv4.Verifier{Service: Service, Secret: Secrets(opts.Store, opts.Vault), Now: opts.Now}
	h.ops = map[string]operation{
		"CreateUserPool":             h.createUserPool,
		"DescribeUserPool":           h.describeUserPool,
		"UpdateUserPool":             h.updateUserPool,
		"ListUserPools":              h.listUserPools,
		"DeleteUserPool":             h.deleteUserPool,
		"CreateResourceServer":       h.createResourceServer,
		"DescribeResourceServer":     h.describeResourceServer,
		"ListResourceServers":        h.listResourceServers,
		"UpdateResourceServer":       h.updateResourceServer,
		"DeleteResourceServer":       h.deleteResourceServer,
		"CreateUserPoolClient":       h.createUserPoolClient,
		"DescribeUserPoolClient":     h.describeUserPoolClient,
		"UpdateUserPoolClient":       h.updateUserPoolClient,
		"DeleteUserPoolClient":       h.deleteUserPoolClient,
		"ListUserPoolClients":        h.listUserPoolClients,
		"AddUserPoolClientSecret":    h.addUserPoolClientSecret,
		"ListUserPoolClientSecrets":  h.listUserPoolClientSecrets,
		"DeleteUserPoolClientSecret": h.deleteUserPoolClientSecret,
		"CreateUserPoolDomain":       h.createUserPoolDomain,
		"DescribeUserPoolDomain":     h.describeUserPoolDomain,
		"DeleteUserPoolDomain":       h.deleteUserPoolDomain,
	}
	return h
}

// Owns reports whether r is a call of this API: POST / with a Cognito
// Identity Provider X-Amz-Target.
func Owns(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/" && strings.HasPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
}

// ServeHTTP verifies the request's signature, runs the operation and writes
// its answer, or AWS's error shape.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := newRequestID()
	w.Header().Set("x-amzn-RequestId", requestID)
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	log := h.opts.Logger.With("request_id", requestID, "operation", h.operationLogged(op))

	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		h.writeError(w, log, errorf(http.StatusBadRequest, "SerializationException", "Could not read the request body."))
		return
	}
	if len(body) > maxBody {
		h.writeError(w, log, errorf(http.StatusRequestEntityTooLarge, "SerializationException", "The request body is larger than %d bytes.", maxBody))
		return
	}
	cred, err := h.verifier.Verify(r, body)
	if err != nil {
		h.refuseSignature(w, r, log, requestID, err)
		return
	}
	log = log.With("access_key_id", cred.AccessKeyID)
	run, ok := h.ops[op]
	if !ok {
		h.writeError(w, log, errorf(http.StatusBadRequest, "UnknownOperationException", "Tollgate does not implement the operation %s.", printable(op)))
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	ctx := audit.WithRequestID(audit.WithActor(r.Context(), cred.AccessKeyID), requestID)
	out, err := run(ctx, cred.Region, body)
	if err != nil {
		h.writeError(w, log, toAPIError(err))
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		h.writeError(w, log, toAPIError(err))
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
	log.Debug("cognito api call")
}

// refuseSignature answers a request whose signature Verify refused with
// err, and records the refusal on the audit log (an internal failure is
// logged instead).
func (h *Handler) refuseSignature(w http.ResponseWriter, r *http.Request, log *slog.Logger, requestID string, err error) {
	var se *sigv4.Error
	if !errors.As(err, &se) {
		h.writeError(w, log, toAPIError(err))
		return
	}
	if se.Cause != nil {
		log.Error("verify signature", "err", se.Cause)
	} else {
		SignatureRefused(h.opts.Audit, h.opts.Store, r, Service, requestID, se)
	}
	h.writeError(w, log, sigv4Error(se))
}

// operationLogged is the operation of X-Amz-Target as the log shows it:
// the name of one the API has, or, as for any other value of the request
// (a caller may paste anything into any header), its length.
func (h *Handler) operationLogged(op string) string {
	if _, ok := h.ops[op]; ok || op == "" {
		return op
	}
	return "(unknown, " + strconv.Itoa(len(op)) + " bytes)"
}

// writeError answers e, and logs it: the log gets e's logText, never its
// Message, which may quote the request.
func (h *Handler) writeError(w http.ResponseWriter, log *slog.Logger, e *apiError) {
	if e.Status >= 500 {
		log.Error("cognito api call failed", "type", e.Type, "err", e.cause)
	} else {
		log.Info("cognito api call refused", "type", e.Type, "message", e.logText)
	}
	b, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.Type, e.Message})
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-ErrorType", e.Type)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.Status)
	w.Write(b)
}

// changed tells the server about a write.
func (h *Handler) changed(ctx context.Context) {
	if h.opts.OnChange != nil {
		h.opts.OnChange(ctx)
	}
}

// decode reads an operation's input. A body that is not a JSON object of
// the operation's shape is AWS's SerializationException. Members are
// matched by their exact names; a member that names no field of the shape,
// even one that differs from a field's name only by case, is ignored
// (exactMembers), as AWS ignores unknown members.
func decode(in []byte, v any) error {
	if json.Valid(in) {
		var err error
		if in, err = exactMembers(in, reflect.TypeOf(v)); err != nil {
			return errorf(http.StatusBadRequest, "SerializationException", "The request body is not valid JSON.")
		}
	}
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return errorf(http.StatusBadRequest, "SerializationException", "Unexpected value for member %s: want %s.", held(memberPath(te.Field)), held(te.Type.String()))
		}
		return errorf(http.StatusBadRequest, "SerializationException", "The request body is not valid JSON.")
	}
	if dec.More() {
		return errorf(http.StatusBadRequest, "SerializationException", "The request body is not valid JSON.")
	}
	return nil
}

// memberPath is the member a type error names, as the caller wrote it: Go's
// decoder also names the embedded structs the member is promoted from
// (clientRef.poolRef.UserPoolId), which are Go's, lower case, and never a
// member of Cognito's (whose names are capitalized).
func memberPath(field string) string {
	parts := strings.Split(field, ".")
	kept := parts[:0]
	for _, p := range parts {
		if r, _ := utf8.DecodeRuneInString(p); !unicode.IsLower(r) {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ".")
}

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// epoch renders a time as the JSON 1.1 protocol does: seconds since the
// epoch, with a fraction.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	return []byte(strconv.FormatFloat(float64(tt.UnixMilli())/1000, 'f', -1, 64)), nil
}

// page returns the slice of n items a request asks for, and the token of
// the next page ("" when this is the last). The token is the offset of the
// next item, opaque to the caller.
func page(n int, maxResults *int, nextToken *string, limit int) (from, to int, next *string, err error) {
	size := limit
	if maxResults != nil {
		size = *maxResults
	}
	if nextToken != nil && *nextToken != "" {
		b, derr := base64.RawURLEncoding.DecodeString(*nextToken)
		off, perr := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
		if derr != nil || perr != nil || !strings.HasPrefix(string(b), "offset:") || off < 0 {
			return 0, 0, nil, errorf(http.StatusBadRequest, "InvalidParameterException", "Invalid pagination token.")
		}
		from = off
	}
	from = min(from, n)
	to = min(from+size, n)
	if to < n {
		s := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprint("offset:", to)))
		next = &s
	}
	return from, to, next, nil
}
