// Package sigv4 verifies AWS Signature Version 4 on incoming requests, the
// way an AWS service does: it rebuilds the canonical request from what was
// received (method, URI-encoded path, sorted query, the signed headers, the
// payload's SHA-256), derives the signing key from the secret access key
// and the credential scope (date/region/service/aws4_request), and compares
// signatures in constant time. AWS SDKs only sign; this is the other half.
//
// It answers with AWS's error codes (MissingAuthenticationTokenException,
// IncompleteSignatureException, UnrecognizedClientException,
// InvalidSignatureException) and messages, for the caller to write in its
// protocol's error shape.
//
// A signature must cover what selects and frames the operation: Host,
// Content-Type and every x-amz-* header the request carries (X-Amz-Target
// among them); a request with one of them outside SignedHeaders is
// refused, so that a captured request cannot be replayed as another
// operation by changing an unsigned header.
//
// Only the Authorization header form is accepted (no presigned query
// strings), with the AWS4-HMAC-SHA256 algorithm. Secrets are looked up
// through a function the caller gives; this package never logs or returns
// them. It imports only the standard library.
package sigv4
