package function

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
)

// InvokePathPrefix is where the Invoke API is served:
// POST /2015-03-31/functions/{FunctionName}/invocations.
const InvokePathPrefix = "/2015-03-31/functions/"

// Authenticator decides whether a call of the Invoke API may run. It gets
// the request and its whole body (read by the handler, at most
// maxPayloadBytes) and returns nil to let the call through, or the error to
// answer with.
type Authenticator func(r *http.Request, body []byte) *APIError

// APIError is an error answer of the Lambda API: the HTTP status, the
// error type (sent in X-Amzn-ErrorType, which the AWS SDKs read first) and
// the message.
type APIError struct {
	Status  int
	Type    string
	Message string
}

// InvokeHandler serves the Lambda Invoke API, so that `aws lambda invoke
// --endpoint-url …` and the AWS SDKs can call the functions directly. Every
// call goes through auth first, before anything of the call is looked at:
// the Invoke API reaches functions without any authorizer, so it is never
// served without one (auth must not be nil). It accepts a function's name
// or ARN, the RequestResponse (default), Event and DryRun invocation types,
// and answers as Lambda does: 200 with the function's payload,
// X-Amz-Function-Error: Unhandled for a function error,
// X-Amz-Executed-Version.
func (r *Runner) InvokeHandler(auth Authenticator) http.Handler {
	if auth == nil {
		panic("function: InvokeHandler needs an Authenticator")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var body []byte
		var e *APIError
		if req.Header.Get("Authorization") == "" {
			// An unsigned call is refused before its body (up to 6 MB) is
			// read: nobody pays for the memory of anonymous calls.
			e = auth(req, nil)
		}
		if e == nil {
			if body, e = readPayload(req); e == nil {
				e = auth(req, body)
			}
		}
		if e != nil {
			writeAPIError(w, e)
			return
		}
		name, ok := invokedName(req)
		if !ok {
			writeAPIError(w, &APIError{http.StatusNotFound, "UnknownOperationException", "Unknown operation"})
			return
		}
		r.serveInvoke(w, req, name, body)
	})
}

// readPayload reads a call's body, up to Lambda's limit.
func readPayload(req *http.Request) ([]byte, *APIError) {
	payload, err := io.ReadAll(io.LimitReader(req.Body, maxPayloadBytes+1))
	if err != nil {
		return nil, &APIError{http.StatusBadRequest, "InvalidRequestContentException", "Could not read request body"}
	}
	if len(payload) > maxPayloadBytes {
		return nil, &APIError{http.StatusRequestEntityTooLarge, "RequestTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation"}
	}
	return payload, nil
}

// invokedName returns the FunctionName of POST
// /2015-03-31/functions/{FunctionName}/invocations, unescaped (an ARN's
// colons may come as %3A).
func invokedName(req *http.Request) (string, bool) {
	if req.Method != http.MethodPost {
		return "", false
	}
	rest, ok := strings.CutPrefix(req.URL.EscapedPath(), InvokePathPrefix)
	if !ok {
		return "", false
	}
	rest, ok = strings.CutSuffix(rest, "/invocations")
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return "", false
	}
	name, err := url.PathUnescape(rest)
	return name, err == nil && name != ""
}

func (r *Runner) serveInvoke(w http.ResponseWriter, req *http.Request, fnName string, payload []byte) {
	name, qualifier := functionName(fnName)
	if q := req.URL.Query().Get("Qualifier"); q != "" {
		qualifier = q
	}
	p := r.pools[name]
	if p == nil || qualifier != "" && qualifier != "$LATEST" {
		// Lambda names the version it looked for: the qualifier, or
		// $LATEST when none was given (LocalStack's lambda_service.py,
		// invoke: invoked_arn += ":$LATEST" for an unknown function).
		if qualifier == "" {
			qualifier = "$LATEST"
		}
		arn := (&tollgate.Function{Name: name, Region: r.region()}).ARN() + ":" + qualifier
		writeAPIError(w, &APIError{http.StatusNotFound, "ResourceNotFoundException", "Function not found: " + arn})
		return
	}
	if len(strings.TrimSpace(string(payload))) == 0 {
		payload = []byte("{}")
	} else if !json.Valid(payload) {
		writeAPIError(w, &APIError{http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json: the payload is not valid JSON"})
		return
	}
	switch typ := req.Header.Get("X-Amz-Invocation-Type"); typ {
	case "", "RequestResponse":
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
		return
	case "Event":
		go p.invokeAsync(payload) //nolint:gosec // G118: an Event invocation outlives the request that queued it, as on Lambda
		w.WriteHeader(http.StatusAccepted)
		return
	default:
		writeAPIError(w, &APIError{http.StatusBadRequest, "InvalidParameterValueException", "Unsupported invocation type " + typ})
		return
	}
	// A function may run longer than the server's write timeout allows
	// other requests (up to 900 s): give this answer the time it needs.
	// Without that (a writer that cannot set one), the server's own
	// timeout stands: the answer may be cut, which the log tells.
	if err := http.NewResponseController(w).SetWriteDeadline(time.Now().Add(p.fn.Timeout + InitTimeout + 5*time.Second)); err != nil {
		p.r.opts.Logger.Debug("function: cannot extend the write deadline of an Invoke answer", "function", p.fn.Name, "error", err.Error())
	}
	res, err := p.invoke(req.Context(), payload)
	if err != nil {
		if errors.Is(err, ErrClosed) {
			writeAPIError(w, &APIError{http.StatusServiceUnavailable, "ServiceException", "The function runner is shutting down"})
		}
		return // the caller went away
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amz-Executed-Version", "$LATEST")
	h.Set("X-Amzn-RequestId", res.RequestID)
	if res.FunctionError != "" {
		h.Set("X-Amz-Function-Error", res.FunctionError)
	}
	w.WriteHeader(http.StatusOK)
	w.Write(res.Payload)
}

// functionName takes a FunctionName as Lambda accepts it — a name, a
// partial ARN ("123456789012:function:name") or an ARN, each with an
// optional ":qualifier" — and returns the name and qualifier.
func functionName(s string) (name, qualifier string) {
	parts := strings.Split(s, ":")
	switch {
	case len(parts) >= 7 && parts[0] == "arn": // arn:aws:lambda:region:account:function:name[:q]
		name = parts[6]
		if len(parts) > 7 {
			qualifier = parts[7]
		}
	case len(parts) >= 3 && parts[1] == "function": // account:function:name[:q]
		name = parts[2]
		if len(parts) > 3 {
			qualifier = parts[3]
		}
	default:
		name = parts[0]
		if len(parts) > 1 {
			qualifier = parts[1]
		}
	}
	return name, qualifier
}

func (r *Runner) region() string {
	for _, p := range r.pools {
		return p.fn.Region
	}
	return "us-east-1"
}

// writeAPIError writes a Lambda API error: the type in X-Amzn-ErrorType
// and a JSON body, as the AWS SDKs read them. The body's shape depends on
// who answers on AWS:
//   - a request refused by the signature check (AWS's front end, before
//     Lambda) has only a lower-case "message": a 403 with
//     {"message":"The request signature we calculated does not match …"}
//     and x-amzn-errortype InvalidSignatureException (erlcloud/erlcloud#690,
//     a raw response of lambda.amazonaws.com);
//   - ResourceNotFoundException has "Message" with "Type": "User": a 404 with
//     {"Message":"Function not found: arn:aws:lambda:…","Type":"User"}
//     (aarondfrancis/sidecar#23, a raw response of Invoke; the same shape
//     in aws-sam-cli's local Lambda service, lambda_error_responses.py);
//   - the Invoke errors Lambda itself raises otherwise carry "Type" and
//     "message".
func writeAPIError(w http.ResponseWriter, e *APIError) {
	var body any
	switch e.Type {
	case "MissingAuthenticationTokenException", "IncompleteSignatureException", "InvalidSignatureException", "UnrecognizedClientException":
		body = struct {
			Message string `json:"message"`
		}{e.Message}
	case "ResourceNotFoundException":
		body = struct {
			Message string
			Type    string
		}{e.Message, "User"}
	default:
		body = struct {
			Type    string
			Message string `json:"message"`
		}{"User", e.Message}
	}
	b, _ := json.Marshal(body)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-ErrorType", e.Type)
	h.Set("X-Amzn-RequestId", newRequestID())
	w.WriteHeader(e.Status)
	w.Write(b)
}

// invokeAsync runs an Event invocation: nobody waits for its result, so a
// failure to run it at all is logged (a function error is the function's
// own log's business, as on Lambda).
func (p *pool) invokeAsync(payload []byte) {
	if _, err := p.invoke(context.Background(), payload); err != nil {
		p.r.opts.Logger.Warn("function: an Event invocation did not run", "function", p.fn.Name, "error", err.Error())
	}
}
