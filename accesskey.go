package tollgate

import (
	"regexp"
	"time"
)

// AccessKey is a credential for Tollgate's Cognito management API: an AWS
// style access key id and secret access key, with which AWS SDKs and the
// AWS CLI sign requests (Signature Version 4). Tollgate issues the keys and
// verifies the signatures; they grant every management operation.
//
// The secret is never stored in clear: SigV4 needs it to recompute a
// signature, so it is kept sealed under the master key (bound to the key
// id) rather than hashed.
type AccessKey struct {
	ID          string // "AKIA" and 16 characters of [A-Z2-7]; never changes
	Description string // what the key is for; free text
	Sealed      []byte // the secret access key, sealed under the master key
	CreatedAt   time.Time
}

// String never shows the secret.
func (k AccessKey) String() string { return "AccessKey(" + k.ID + ")" }

// Lengths of access key ids and secrets, as AWS has them.
const (
	AccessKeyIDLength     = 20
	SecretAccessKeyLength = 40
)

const (
	base32Upper  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	secretKeyAlp = alnum + "+/"
)

// AccessKeyIDPattern is what an access key id Tollgate issues looks like.
var AccessKeyIDPattern = regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`)

// NewAccessKeyID returns a fresh access key id, shaped like AWS's long-term
// keys (AKIA…), so that tools that check the shape accept it.
func NewAccessKeyID() string { return "AKIA" + randomString(base32Upper, AccessKeyIDLength-4) }

// NewSecretAccessKey returns a fresh secret access key: 40 characters of
// base64's alphabet, about 240 bits.
func NewSecretAccessKey() string { return randomString(secretKeyAlp, SecretAccessKeyLength) }
