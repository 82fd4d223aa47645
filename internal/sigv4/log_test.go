package sigv4_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tollgate/tollgate/internal/sigv4"
)

// A secret pasted where a signature's parts go: an access key's secret,
// with the '/' that splits a credential scope, and a client secret.
var pastedSecrets = []string{
	"a/MnXqQ+00dy7+8/FO9fBufnJbI8P+RrtdNs256W",
	"zovuraqo73invajlo4vwf6iylj8uxz9314vgxypot30njigyp9m",
}

// TestErrorsLogNoValueOfTheRequest refuses requests with a secret in each
// part of a signature Verify reads. Message quotes what AWS's messages
// quote, secret included; LogMessage and Error, which logs show, hold
// none of it, each value replaced by its length.
func TestErrorsLogNoValueOfTheRequest(t *testing.T) {
	v := &sigv4.Verifier{Service: "cognito-idp", Secret: secrets, Now: func() time.Time { return now }}
	for _, s := range pastedSecrets {
		good := signedFor(t, keyID, secret, "cognito-idp", "us-east-1")
		auth := good.Header.Get("Authorization")
		for _, c := range []struct {
			name string
			req  *http.Request
			echo bool // AWS's message quotes it
		}{
			{"as the access key id", signedFor(t, s, keyID, "cognito-idp", "us-east-1"), strings.Contains(s, "/")},
			{"as the region", signedFor(t, keyID, secret, "cognito-idp", s), strings.Contains(s, "/")},
			{"as the service", signedFor(t, keyID, secret, s, "us-east-1"), strings.Contains(s, "/")},
			{"as the Authorization header", with(good, "Authorization", s), true},
			{"as a component", with(good, "Authorization", "AWS4-HMAC-SHA256 "+s), true},
			{"as a parameter named twice", with(good, "Authorization", auth+", "+s+"=1, "+s+"=2"), true},
			{"as the credential", with(good, "Authorization", "AWS4-HMAC-SHA256 Credential="+s), true},
			{"as the credential's date", with(good, "Authorization", strings.Replace(auth, "/"+now.Format("20060102")+"/", "/"+strings.ReplaceAll(s, "/", "")+"/", 1)), true},
			{"as a signed header", with(good, "Authorization", strings.Replace(auth, "SignedHeaders=", "SignedHeaders="+strings.ReplaceAll(s, "/", "")+";", 1)), true},
			{"as X-Amz-Date", with(good, "X-Amz-Date", s), true},
			{"as an unsigned header's name", with(good, "X-Amz-"+strings.ReplaceAll(s, "/", ""), "1"), true},
		} {
			_, err := v.Verify(c.req, nil)
			var e *sigv4.Error
			if !errors.As(err, &e) || e.Status != http.StatusBadRequest {
				t.Errorf("the secret %s: got %v, want a refusal", c.name, err)
				continue
			}
			if c.echo && !holdsPart(e.Message, s) {
				t.Errorf("the secret %s: the message %q does not quote it, as AWS's does", c.name, e.Message)
			}
			for what, text := range map[string]string{"LogMessage": e.LogMessage(), "Error": e.Error()} {
				if holdsPart(text, s) {
					t.Errorf("the secret %s: %s holds it: %s", c.name, what, text)
				}
			}
		}
	}
}

// holdsPart reports whether text holds, in any case, a part of secret
// between its '/' (the forms the cases give it) of 8 characters or more.
func holdsPart(text, secret string) bool {
	for _, part := range strings.Split(secret, "/") {
		if len(part) >= 8 && strings.Contains(strings.ToLower(text), strings.ToLower(part)) {
			return true
		}
	}
	return false
}

// signedFor is a request signed by the SDK's signer with whatever it is
// given, at now.
func signedFor(t *testing.T, id, sec, service, region string) *http.Request {
	t.Helper()
	req := httptest.NewRequest("POST", "http://localhost/", nil)
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.ListUserPools")
	sum := sha256.Sum256(nil)
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: id, SecretAccessKey: sec},
		req, hex.EncodeToString(sum[:]), service, region, now)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// with returns a copy of req with the header set.
func with(req *http.Request, name, value string) *http.Request {
	c := req.Clone(req.Context())
	c.Header.Set(name, value)
	return c
}
