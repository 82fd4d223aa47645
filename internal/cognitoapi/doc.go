// Package cognitoapi serves the management half of the Cognito Identity
// Provider API — user pools, resource servers, app clients and their
// secrets, domains — in its AWS JSON 1.1 protocol (POST / with
// X-Amz-Target: AWSCognitoIdentityProviderService.<Op>), so that the AWS
// SDKs and the AWS CLI manage Tollgate with --endpoint-url. Requests are
// SigV4-signed with access keys that Tollgate issues (internal/sigv4
// verifies them); request and response shapes, defaults, validation
// messages and error types ({"__type", "message"}) are AWS's.
//
// It writes through the Store, with the same domain rules and id and
// secret generators as the CLI and config.Apply, and refuses to change
// objects declared in a config file (they carry a ConfigKey), naming where
// they are declared.
//
// It imports the root package, internal/sigv4 and internal/vault (to seal
// client secrets and access keys); never other adapters.
package cognitoapi
