package function

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

type traceKey struct{}

// WithTraceID returns ctx carrying the X-Amzn-Trace-Id of the request an
// invocation serves ("Root=1-…", as API Gateway sends it): the
// invocation's Lambda-Runtime-Trace-Id, which runtimes expose as
// _X_AMZN_TRACE_ID, continues that Root, as Lambda continues API Gateway's
// trace, instead of starting one of its own.
func WithTraceID(ctx context.Context, traceID string) context.Context {
	return context.WithValue(ctx, traceKey{}, traceID)
}

// runtimeTraceID is the Lambda-Runtime-Trace-Id of an invocation: the
// caller's Root when ctx carries one (WithTraceID), a new Root otherwise
// (Root=1-{hex time}-{24 hex}), with a Parent segment id of the
// invocation's own and Sampled=0 (contract §6).
func runtimeTraceID(ctx context.Context, requestID string) string {
	root := ""
	if t, ok := ctx.Value(traceKey{}).(string); ok {
		root, _, _ = strings.Cut(t, ";")
	}
	if !strings.HasPrefix(root, "Root=1-") {
		hexID := strings.ReplaceAll(requestID, "-", "")
		if len(hexID) > 24 {
			hexID = hexID[:24]
		}
		root = "Root=1-" + strconv.FormatInt(time.Now().Unix(), 16) + "-" + hexID
	}
	var parent [8]byte
	rand.Read(parent[:])
	return root + ";Parent=" + hex.EncodeToString(parent[:]) + ";Sampled=0"
}
