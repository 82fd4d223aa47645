package token

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
)

func TestPresentedID(t *testing.T) {
	id := tollgate.NewClientID()
	secret := tollgate.NewClientSecret()
	tests := []struct {
		name  string
		id    string
		found bool
		want  clientRef
	}{
		{"none", "", false, ""},
		{"a client found", id, true, clientRef(id)},
		{"id shape, no client found", id, false, "(unverified)"},
		{"a generated secret", secret, false, "(malformed, 51 bytes)"},
		{"a generated secret, even if a lookup found it", secret, true, "(malformed, 51 bytes)"},
		{"id:secret from a percent-encoded colon", id + ":" + secret, false, "(malformed, 78 bytes)"},
		{"upper case", strings.ToUpper(id), true, "(malformed, 26 bytes)"},
		{"one short", id[1:], true, "(malformed, 25 bytes)"},
	}
	for _, tt := range tests {
		got := presentedID(tt.id)
		if tt.found {
			got = foundID(tt.id)
		}
		if got != tt.want {
			t.Errorf("%s: presentedID/foundID = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestLookupErrorDropsTheID(t *testing.T) {
	secret := tollgate.NewClientSecret()
	cause := errors.New(`get client "` + secret + `": database is locked`)
	err := &lookupError{err: cause, id: secret}
	if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "database is locked") {
		t.Errorf("Error() = %q", err.Error())
	}
	if !errors.Is(err, cause) {
		t.Error("the cause is not unwrapped")
	}
}

func TestTokenReasonDropsQuotedValues(t *testing.T) {
	secret := tollgate.NewClientSecret()
	_, err := bearer.Verify(jws(`{"alg":"RS256","kid":"`+secret+`"}`), bearer.Keys{}, bearer.Expect{Issuer: "https://tollgate.test/p"})
	if err == nil {
		t.Fatal("a forged token verified")
	}
	if got := tokenReason(err); strings.Contains(got, secret) || !strings.Contains(got, "kid") {
		t.Errorf("tokenReason = %q", got)
	}
	// Whatever bearer quotes (an issuer, a token_use) is logged by length.
	quoted := fmt.Errorf("iss %q is not an expected issuer", secret)
	if got := tokenReason(quoted); strings.Contains(got, secret) || got != fmt.Sprintf("iss (%d bytes) is not an expected issuer", len(secret)) {
		t.Errorf("tokenReason = %q", got)
	}
}

// jws is a compact JWS with the given header, an empty payload and a
// garbage signature.
func jws(header string) string {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	return enc(header) + "." + enc("{}") + "." + enc("signature")
}
