package tollgate

import (
	"crypto/rand"
	"regexp"
)

const (
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	alnum      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// Lengths of generated identifiers and secrets.
const (
	ClientIDLength = 26 // as Cognito's client ids
	// ClientSecretLength is 51 characters of [a-z0-9]: about 263 bits, the
	// shape of Cognito's generated secrets.
	ClientSecretLength = 51
	poolSuffixLength   = 9
)

// PoolIDPattern is what a pool id looks like: {region}_{alphanumerics}.
var PoolIDPattern = regexp.MustCompile(`^([a-z]{2}(?:-gov)?-[a-z]+-\d)_([a-zA-Z0-9]+)$`)

// RegionPattern is what an AWS-style region name looks like.
var RegionPattern = regexp.MustCompile(`^[a-z]{2}(?:-gov)?-[a-z]+-\d$`)

// NewPoolID returns a fresh pool id for the region.
func NewPoolID(region string) string { return region + "_" + randomString(alnum, poolSuffixLength) }

// NewClientID returns a fresh client id.
func NewClientID() string { return randomString(lowerAlnum, ClientIDLength) }

// NewClientSecret returns a fresh client secret.
func NewClientSecret() string { return randomString(lowerAlnum, ClientSecretLength) }

// NewSecretID returns a fresh id for a client secret.
func NewSecretID() string { return randomString(lowerAlnum, 16) }

// randomString draws n characters uniformly from alphabet, by rejection
// sampling so that no character is more likely than another.
func randomString(alphabet string, n int) string {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			panic("tollgate: crypto/rand failed: " + err.Error())
		}
		for _, b := range buf {
			if int(b) < limit {
				out = append(out, alphabet[int(b)%len(alphabet)])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out)
}
