package function

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
)

// InvokePathPrefix is where the Invoke API is served:
// POST /2015-03-31/functions/{FunctionName}/invocations.
const InvokePathPrefix = "/2015-03-31/functions/"

// InvokeHandler serves the Lambda Invoke API, so that `aws lambda invoke
// --endpoint-url …` and the AWS SDKs can call the functions directly. It
// accepts a function's name or ARN, the RequestResponse (default), Event
// and DryRun invocation types, and answers as Lambda does: 200 with the
// function's payload, X-Amz-Function-Error: Unhandled for a function
// error, X-Amz-Executed-Version. Requests are not SigV4-verified: serve it
// only where the callers are trusted (loopback, or the admin listener).
func (r *Runner) InvokeHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+InvokePathPrefix+"{name}/invocations", r.serveInvoke)
	mux.HandleFunc(InvokePathPrefix, func(w http.ResponseWriter, _ *http.Request) {
		writeAPIError(w, http.StatusNotFound, "UnknownOperationException", "Unknown operation")
	})
	return mux
}

func (r *Runner) serveInvoke(w http.ResponseWriter, req *http.Request) {
	name, qualifier := functionName(req.PathValue("name"))
	if q := req.URL.Query().Get("Qualifier"); q != "" {
		qualifier = q
	}
	p := r.pools[name]
	if p == nil || qualifier != "" && qualifier != "$LATEST" {
		arn := (&tollgate.Function{Name: name, Region: r.region()}).ARN()
		if qualifier != "" {
			arn += ":" + qualifier
		}
		writeAPIError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+arn)
		return
	}
	payload, err := io.ReadAll(io.LimitReader(req.Body, MaxPayloadBytes+1))
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestContentException", "Could not read request body")
		return
	}
	if len(payload) > MaxPayloadBytes {
		writeAPIError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation")
		return
	}
	if len(strings.TrimSpace(string(payload))) == 0 {
		payload = []byte("{}")
	} else if !json.Valid(payload) {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json: the payload is not valid JSON")
		return
	}
	switch typ := req.Header.Get("X-Amz-Invocation-Type"); typ {
	case "", "RequestResponse":
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
		return
	case "Event":
		go p.invoke(context.Background(), payload)
		w.WriteHeader(http.StatusAccepted)
		return
	default:
		writeAPIError(w, http.StatusBadRequest, "InvalidParameterValueException", "Unsupported invocation type "+typ)
		return
	}
	// A function may run longer than the server's write timeout allows
	// other requests (up to 900 s): give this answer the time it needs.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(p.fn.Timeout + InitTimeout + 5*time.Second))
	res, err := p.invoke(req.Context(), payload)
	if err != nil {
		if errors.Is(err, ErrClosed) {
			writeAPIError(w, http.StatusServiceUnavailable, "ServiceException", "The function runner is shutting down")
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
// and the body, as the AWS SDKs read it.
func writeAPIError(w http.ResponseWriter, status int, typ, msg string) {
	b, _ := json.Marshal(map[string]string{"Type": "User", "message": msg})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	w.Write(b)
}
