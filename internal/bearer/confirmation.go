package bearer

import (
	"encoding/json"
	"errors"
	"slices"
)

// Audience is an aud claim (RFC 7519 §4.1.3): one string or an array of
// them. It marshals as a string when it holds one value, as RFC 9068 §2.2
// and most verifiers expect, and as an array otherwise.
type Audience []string

// MarshalJSON writes one value as a string, several as an array.
func (a Audience) MarshalJSON() ([]byte, error) {
	if len(a) == 1 {
		return json.Marshal(a[0])
	}
	return json.Marshal([]string(a))
}

// UnmarshalJSON reads a string or an array of strings.
func (a *Audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = Audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("aud is not a string or an array of strings")
	}
	*a = many
	return nil
}

// Contains reports whether aud holds one of values.
func (a Audience) Contains(values ...string) bool {
	for _, v := range values {
		if slices.Contains(a, v) {
			return true
		}
	}
	return false
}

// Confirmation is a cnf claim (RFC 7800 §3.1) with the members Tollgate
// binds tokens with. Other members are ignored.
type Confirmation struct {
	// JKT is the base64url SHA-256 JWK thumbprint (RFC 7638) of the DPoP
	// key the token is bound to (RFC 9449 §6.1).
	JKT string `json:"jkt,omitempty"`
	// X5TS256 is the base64url SHA-256 of the DER of the TLS client
	// certificate the token is bound to (RFC 8705 §3.1).
	X5TS256 string `json:"x5t#S256,omitempty"`
}

// Bound reports whether the confirmation binds the token to anything.
func (c *Confirmation) Bound() bool { return c != nil && (c.JKT != "" || c.X5TS256 != "") }
