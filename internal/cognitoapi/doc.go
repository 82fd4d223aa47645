// Package cognitoapi serves the management half of the Cognito Identity
// Provider API — user pools, resource servers, app clients and their
// secrets, domains — in its AWS JSON 1.1 protocol (POST / with
// X-Amz-Target: AWSCognitoIdentityProviderService.<Op>), so that the AWS
// SDKs and the AWS CLI manage Tollgate with --endpoint-url. Requests are
// SigV4-signed with access keys that Tollgate issues (internal/sigv4
// verifies them); request and response shapes, defaults, validation
// messages and error types ({"__type", "message"}) are AWS's.
//
// It is a translator: each operation validates the request's shape as
// Cognito does, turns it into a spec of internal/domain, calls the domain's
// Service, which states and enforces every business rule (scope existence,
// quotas, validity bounds, name uniqueness, secret protection, the
// read-only rule for config- and stack-owned objects), and maps the
// domain's refusals to Cognito's error types and recorded messages. Where
// Cognito answers one refusal before another, it calls the domain's rule
// early (domain.CheckWritable, CheckValidities, CheckScopes, CheckPrefix).
// Reads (Describe, List) go to the Store directly.
//
// Request members are matched by their exact names: a member that differs
// from one only by case is an unknown member, ignored as AWS ignores
// unknown members.
//
// A pool's Lambda triggers (LambdaConfig of CreateUserPool and
// UpdateUserPool) are one: pre token generation, set by
// PreTokenGenerationConfig or its legacy PreTokenGeneration, and shown by
// DescribeUserPool and ListUserPools in both members, as Cognito shows it.
// The other triggers belong to user flows Tollgate does not have; a request
// that sets one is refused with InvalidParameterException naming it
// (lambda_config.go). UpdateUserPool resets what it is not given, as
// Cognito's does: without LambdaConfig the pool loses its trigger.
//
// Writes run with the signing access key id as the audit actor
// (internal/audit), and a call refused for its signature is an audit
// event (SignatureRefused, which the Invoke API's check shares).
//
// It imports the root package, internal/audit, internal/domain,
// internal/sigv4 and internal/vault (to open client secrets and access
// keys for the answers); never other adapters.
package cognitoapi
