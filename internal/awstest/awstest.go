// Package awstest holds what tests that drive Tollgate with the AWS SDK
// for Go share. Only tests import it.
package awstest

import (
	"bytes"
	"io"
	"net/http"
)

// HTTPClient is the HTTP client for the SDK's clients in tests. It works
// around a race in the SDK's request body (smithy-go v1.28.9,
// transport/http/internal/io/safe.go): the SDK closes the body once the
// response has arrived, and a closed body's WriteTo answers io.EOF as an
// error. net/http's transport, after sending a body of known length, reads
// on to check that nothing is left; when a server on loopback answers
// before that read, the read meets the closed body, the transport takes its
// io.EOF for a write error and closes the connection, and the SDK fails to
// read the answer ("use of closed network connection"; see also
// aws/aws-sdk-go-v2#2737). A remote endpoint is rarely fast enough to hit
// it; Tollgate on loopback hits it about once in thirty calls under load.
// The client hands the transport its own copy of the body, which the SDK
// does not close, so every call gets exactly one answer and the tests need
// no retries (which would repeat calls that create things).
func HTTPClient() *http.Client {
	return &http.Client{Transport: ownBody{http.DefaultTransport.(*http.Transport).Clone()}}
}

// ownBody is a RoundTripper that sends a copy of each request's body.
type ownBody struct{ next http.RoundTripper }

func (o ownBody) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return o.next.RoundTrip(r)
	}
	b, err := io.ReadAll(r.Body)
	_ = r.Body.Close() // the SDK's body; its Close error says nothing here
	if err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return o.next.RoundTrip(r)
}
