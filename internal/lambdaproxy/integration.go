package lambdaproxy

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/headerpolicy"
)

// Invoker runs the named Lambda function on an event and returns its
// payload: tollgate.InvokeFunc, the one function the server passes to
// Lambda proxy integrations and to the gateway's Lambda authorizers.
type Invoker = tollgate.InvokeFunc

// ErrEventTooLarge is what an Invoker returns for an event over Lambda's
// 6 MB payload limit.
var ErrEventTooLarge = errors.New("event too large for Lambda")

// Integration is an AWS_PROXY (Lambda proxy) integration: it builds the
// request's event, invokes the integration's function with it, and maps
// the result as API Gateway does. On a REST API the event is payload
// format 1.0's (Event) and the result is mapped as §5.2 says: a function
// error or a malformed result is 502 {"message": "Internal server
// error"}, no result within the integration's timeout 504 {"message":
// "Endpoint request timed out"}. On an HTTP API the event is the
// integration's PayloadFormatVersion, 2.0 (HTTPEvent, parseHTTPResult) or
// 1.0 (Event's HTTP API form, the result mapped as a REST API's), and the
// failures are the HTTP API's: 500 {"message":"Internal Server Error"}
// and 503 {"message":"Service Unavailable"} (inv.WriteResponse).
type Integration struct {
	function string
	// f is how a request is served: chosen once by New for the route's
	// API and integration, not on every request.
	f      format
	invoke Invoker
	log    *slog.Logger
}

// format is a payload format: the event, the parsing of the result, and
// the integration's timeout.
type format struct {
	event   func(r *http.Request, inv *gateway.Invocation, body []byte) ([]byte, error)
	parse   func(payload []byte) (*proxyResult, error)
	kind    apiKind // an HTTP API's decodes every base64 body
	timeout time.Duration
}

// restEvent and httpV1Event are payload format 1.0's events of a REST API
// and of an HTTP API.
func restEvent(r *http.Request, inv *gateway.Invocation, body []byte) ([]byte, error) {
	return v1Event(r, inv, body, kindREST)
}

func httpV1Event(r *http.Request, inv *gateway.Invocation, body []byte) ([]byte, error) {
	return v1Event(r, inv, body, kindHTTP)
}

// New returns the integration in of a route of api, whose function invoke
// runs; the event format and the mapping of results are chosen here, once
// for the route. On an HTTP API (api.IsHTTP) in's PayloadFormatVersion
// ("1.0" or "2.0") is the event format; "" is 2.0 there, the format CDK's
// HttpLambdaIntegration and the console choose. A REST API's (or a nil
// api's) is 1.0. Without a Timeout, requests wait
// tollgate.DefaultIntegrationTimeout on a REST API and
// tollgate.DefaultHTTPIntegrationTimeout on an HTTP API.
func New(api *tollgate.RestAPI, in tollgate.Integration, invoke Invoker, log *slog.Logger) *Integration {
	if log == nil {
		log = slog.Default()
	}
	li := &Integration{function: in.Function, invoke: invoke, log: log}
	switch {
	case api == nil || !api.IsHTTP():
		li.f = format{event: restEvent, parse: parseProxyResult, kind: kindREST, timeout: tollgate.DefaultIntegrationTimeout}
	case in.PayloadFormatVersion == "1.0":
		li.f = format{event: httpV1Event, parse: parseProxyResult, kind: kindHTTP, timeout: tollgate.DefaultHTTPIntegrationTimeout}
	default:
		li.f = format{event: HTTPEvent, parse: parseHTTPResult, kind: kindHTTP, timeout: tollgate.DefaultHTTPIntegrationTimeout}
	}
	if in.Timeout > 0 {
		li.f.timeout = in.Timeout
	}
	return li
}

// Serve answers r with the function's result: gateway.Integration.
func (li *Integration) Serve(w http.ResponseWriter, r *http.Request, inv *gateway.Invocation) {
	f := &li.f
	body, ok := readBody(w, r, inv)
	if !ok {
		return
	}
	event, err := f.event(r, inv, body)
	if err != nil {
		li.log.LogAttrs(r.Context(), slog.LevelError, "lambda proxy: building the event", slog.String("request_id", inv.RequestID), slog.String("error", err.Error()))
		inv.WriteResponse(w, gateway.ResponseIntegrationFailure)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), f.timeout)
	defer cancel()
	payload, fnErr, err := li.invoke(ctx, li.function, inv.TraceID, event)
	if err != nil || fnErr {
		li.fail(ctx, w, r, inv, f.timeout, payload, err)
		return
	}
	res, err := f.parse(payload)
	if err != nil {
		li.log.LogAttrs(r.Context(), slog.LevelWarn, "lambda proxy: malformed Lambda proxy response",
			slog.String("request_id", inv.RequestID), slog.String("function", li.function), slog.String("error", err.Error()))
		inv.WriteResponse(w, gateway.ResponseIntegrationFailure)
		return
	}
	res.write(w, r, inv, f.kind)
}

// readBody reads the request's body, bounded by the gateway's
// MaxBytesReader. ok is false when the request was answered (413) or the
// client is gone.
func readBody(w http.ResponseWriter, r *http.Request, inv *gateway.Invocation) (body []byte, ok bool) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, true
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			inv.WriteResponse(w, gateway.ResponseRequestTooLarge)
		}
		return nil, false // otherwise the client is gone
	}
	return body, true
}

// fail answers an invocation that failed (err) or whose function failed
// (payload is Lambda's error document). ctx is the invocation's, bounded
// by timeout.
func (li *Integration) fail(ctx context.Context, w http.ResponseWriter, r *http.Request, inv *gateway.Invocation, timeout time.Duration, payload []byte, err error) {
	attrs := []slog.Attr{slog.String("request_id", inv.RequestID), slog.String("function", li.function)}
	switch {
	case errors.Is(err, ErrEventTooLarge):
		inv.WriteResponse(w, gateway.ResponseRequestTooLarge)
	case err != nil && r.Context().Err() != nil:
		// the client is gone
	case err != nil && ctx.Err() != nil:
		li.log.LogAttrs(r.Context(), slog.LevelWarn, "lambda proxy: integration timed out", append(attrs, slog.Int64("timeout_ms", timeout.Milliseconds()))...)
		inv.WriteResponse(w, gateway.ResponseIntegrationTimeout)
	case err != nil:
		li.log.LogAttrs(r.Context(), slog.LevelError, "lambda proxy: invocation failed", append(attrs, slog.String("error", err.Error()))...)
		inv.WriteResponse(w, gateway.ResponseIntegrationFailure)
	default:
		li.log.LogAttrs(r.Context(), slog.LevelWarn, "lambda proxy: function error", append(attrs, slog.String("error", string(payload)))...)
		inv.WriteResponse(w, gateway.ResponseIntegrationFailure)
	}
}

// proxyResult is a Lambda proxy integration's response, validated.
type proxyResult struct {
	status   int
	headers  [][2]string // in the order to set them; a name may repeat
	body     []byte
	isBase64 bool
}

// parseProxyResult validates a function's result as API Gateway does:
// a JSON object with only statusCode (a number or a numeric string),
// headers (values scalars), multiValueHeaders (values lists of scalars),
// body (a string or null) and isBase64Encoded (a bool); anything else is
// an error (502).
func parseProxyResult(payload []byte) (*proxyResult, error) {
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&fields); err != nil {
		return nil, fmt.Errorf("the result is not a JSON object: %w", err)
	}
	if fields == nil {
		return nil, errors.New("the result is null")
	}
	if dec.More() {
		return nil, errors.New("data after the result's JSON object")
	}
	res := &proxyResult{status: http.StatusOK}
	var hs resultHeaders
	for k, raw := range fields {
		if err := res.setField(&hs, k, raw); err != nil {
			return nil, err
		}
	}
	res.headers = hs.merged()
	return res, nil
}

// resultHeaders are a result's headers and multiValueHeaders.
type resultHeaders struct {
	single     map[string]string
	multi      map[string][]string
	multiOrder []string
}

// setField sets the result's field k from its JSON value raw.
func (res *proxyResult) setField(hs *resultHeaders, k string, raw json.RawMessage) error {
	switch k {
	case "statusCode":
		s, err := parseStatus(raw)
		if err != nil {
			return err
		}
		res.status = s
	case "headers":
		m, err := scalarMap(raw)
		if err != nil {
			return fmt.Errorf("headers: %w", err)
		}
		hs.single = m
	case "multiValueHeaders":
		return hs.setMulti(raw)
	case "body":
		if absent(raw) {
			return nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return errors.New("body must be a string")
		}
		res.body = []byte(s)
	case "isBase64Encoded":
		if absent(raw) {
			return nil
		}
		if err := json.Unmarshal(raw, &res.isBase64); err != nil {
			return errors.New("isBase64Encoded must be a boolean")
		}
	default:
		return fmt.Errorf("unknown field %q", k)
	}
	return nil
}

// setMulti sets multiValueHeaders: lists of scalars.
func (hs *resultHeaders) setMulti(raw json.RawMessage) error {
	var m map[string][]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("multiValueHeaders: every value must be a list: %w", err)
	}
	hs.multi = make(map[string][]string, len(m))
	for name, vs := range m {
		for _, v := range vs {
			s, err := scalar(v)
			if err != nil {
				return fmt.Errorf("multiValueHeaders.%s: %w", name, err)
			}
			hs.multi[name] = append(hs.multi[name], s)
		}
		hs.multiOrder = append(hs.multiOrder, name)
	}
	return nil
}

// merged returns the headers in the order to set them: headers and
// multiValueHeaders with the same name merge into one value, the
// multi-value ones first.
func (hs *resultHeaders) merged() [][2]string {
	var out [][2]string
	for _, name := range hs.multiOrder {
		vs := hs.multi[name]
		if v, ok := lookupFold(hs.single, name); ok {
			out = append(out, [2]string{name, strings.Join(append(vs, v), ", ")})
			continue
		}
		for _, v := range vs {
			out = append(out, [2]string{name, v})
		}
	}
	for name, v := range hs.single {
		if _, ok := lookupFoldMulti(hs.multi, name); !ok {
			out = append(out, [2]string{name, v})
		}
	}
	return out
}

func parseStatus(raw json.RawMessage) (int, error) {
	s := string(raw)
	if len(s) > 0 && s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, err
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 || n > 599 {
		return 0, fmt.Errorf("statusCode %s is not an HTTP status", raw)
	}
	return n, nil
}

// absent reports whether a field's JSON value raw is null or missing (nil).
func absent(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

func scalarMap(raw json.RawMessage) (map[string]string, error) {
	if absent(raw) {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, errors.New("must be an object")
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		s, err := scalar(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = s
	}
	return out, nil
}

// scalar renders a header value: strings as they are, numbers and booleans
// as their JSON text ("true"), null as "".
func scalar(raw json.RawMessage) (string, error) {
	s := string(bytes.TrimSpace(raw))
	switch {
	case s == "null":
		return "", nil
	case len(s) > 0 && s[0] == '"':
		var v string
		err := json.Unmarshal(raw, &v)
		return v, err
	case s == "true" || s == "false":
		return s, nil
	case len(s) > 0 && (s[0] == '-' || s[0] >= '0' && s[0] <= '9'):
		return s, nil
	}
	return "", errors.New("a header value must be a string, number or boolean")
}

func lookupFold(m map[string]string, name string) (string, bool) {
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

func lookupFoldMulti(m map[string][]string, name string) ([]string, bool) {
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// write answers with the result. On a REST API a base64 body is decoded
// only when the API's binaryMediaTypes match the request's Accept or the
// response's Content-Type; otherwise it is sent as the base64 text it is,
// as API Gateway does. An HTTP API (kind) has no binaryMediaTypes and
// decodes every base64 body (http-api-develop-integrations-lambda:
// "isBase64Encoded ... true if the body is ... base64-encoded";
// ministackorg/ministack#766 measured it). A body that is not base64 is a
// malformed result.
//
// Content-Type defaults to application/json on a REST API and to
// text/plain; charset=utf-8 on an HTTP API, for payload 1.0 as for 2.0
// (parseHTTPResult sets application/json on the results it makes the body
// of). Recorded HTTP API answers to results without one carry
// "content-type: text/plain; charset=utf-8" (code-index 21373836058, a
// 2025 capture; aasisodiya.github.io's nodejs-aws-apigw notes), with no
// word of the payload version: the answer is the gateway's, not the
// format's, so 1.0 gets the same. An HTTP API's answer carries the
// gateway's apigw-requestid alone, a function's own is dropped, and no
// X-Amzn-Trace-Id: recorded HTTP API answers have none (the same capture:
// date, content-type, content-length, apigw-requestid).
func (res *proxyResult) write(w http.ResponseWriter, r *http.Request, inv *gateway.Invocation, kind apiKind) {
	api := inv.API
	h := w.Header()
	for _, kv := range res.headers {
		if !headerpolicy.ValidField(kv[0], kv[1]) {
			continue
		}
		// The function's Date, Server, Content-Length, request ids… reach
		// the client as x-amzn-Remapped-*: the gateway's own are the ones.
		if name := headerpolicy.RemappedName(kv[0]); name != kv[0] {
			h[name] = append(h[name], kv[1])
			continue
		}
		switch http.CanonicalHeaderKey(kv[0]) {
		case "Transfer-Encoding":
			continue // framing is the gateway's
		case gateway.HeaderHTTPRequestID:
			if kind == kindHTTP {
				continue // the gateway's is the one
			}
		}
		h.Add(kv[0], kv[1])
	}
	if kind == kindREST && inv.TraceID != "" {
		h[headerpolicy.TraceID] = []string{inv.TraceID}
	}
	if h.Get("Content-Type") == "" {
		if kind == kindHTTP {
			h.Set("Content-Type", "text/plain; charset=utf-8")
		} else {
			h.Set("Content-Type", "application/json")
		}
	}
	body := res.body
	if res.isBase64 && (kind == kindHTTP || api != nil && (matchesAccept(api.BinaryMediaTypes, r.Header.Get("Accept")) ||
		matchesMediaType(api.BinaryMediaTypes, h.Get("Content-Type")))) {
		dec, err := base64.StdEncoding.DecodeString(string(body))
		if err != nil {
			h.Del("Content-Type")
			inv.WriteResponse(w, gateway.ResponseIntegrationFailure)
			return
		}
		body = dec
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(res.status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// matchesAccept reports whether any media type of an Accept header
// matches one of types.
func matchesAccept(types []string, accept string) bool {
	for part := range strings.SplitSeq(accept, ",") {
		if matchesMediaType(types, strings.TrimSpace(part)) {
			return true
		}
	}
	return false
}
