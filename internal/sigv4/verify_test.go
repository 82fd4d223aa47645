package sigv4_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tollgate/tollgate/internal/sigv4"
)

const (
	keyID  = "AKIAIOSFODNN7EXAMPLE"
	secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

var now = time.Date(2026, 12, 2, 1, 30, 0, 0, time.UTC)

func secrets(ctx context.Context, id string) (string, error) {
	if id == keyID {
		return secret, nil
	}
	return "", sigv4.ErrUnknownKey
}

// server verifies every request it gets and answers with the outcome as
// JSON: {"code": "", "message": ""} on success.
func server(t *testing.T, v *sigv4.Verifier) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		out := map[string]any{}
		cred, err := v.Verify(r, body)
		var e *sigv4.Error
		switch {
		case err == nil:
			out["key"], out["region"] = cred.AccessKeyID, cred.Region
		case errors.As(err, &e):
			out["code"], out["message"], out["status"] = e.Code, e.Message, e.Status
		default:
			out["code"] = "unexpected " + err.Error()
		}
		if err := json.NewEncoder(w).Encode(out); err != nil {
			t.Error(err)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

type request struct {
	method, path, query string
	body                string
	header              map[string]string
}

func signed(t *testing.T, base string, rq request, key, sec, service, region string, at time.Time, tamper func(*http.Request)) *http.Request {
	t.Helper()
	u := base + rq.path
	if rq.query != "" {
		u += "?" + rq.query
	}
	req, err := http.NewRequest(rq.method, u, strings.NewReader(rq.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range rq.header {
		req.Header.Set(k, v)
	}
	sum := sha256.Sum256([]byte(rq.body))
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: sec}, req, hex.EncodeToString(sum[:]), service, region, at)
	if err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		tamper(req)
	}
	return req
}

func do(t *testing.T, req *http.Request) map[string]any {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]any{}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVerifyAgainstSDKSigner(t *testing.T) {
	v := &sigv4.Verifier{Service: "cognito-idp", Secret: secrets, Now: func() time.Time { return now }}
	srv := server(t, v)
	jsonReq := request{
		method: "POST", path: "/", body: `{"MaxResults":10}`,
		header: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools"},
	}
	ok := func(got map[string]any) string {
		if got["code"] != nil {
			return "refused: " + got["code"].(string) + ": " + got["message"].(string)
		}
		return ""
	}
	refused := func(code, msgPart string) func(map[string]any) string {
		return func(got map[string]any) string {
			if got["code"] != code || !strings.Contains(got["message"].(string), msgPart) {
				return "got " + jsonString(got) + ", want " + code + " with " + msgPart
			}
			return ""
		}
	}
	for _, tt := range []struct {
		name    string
		rq      request
		key     string
		sec     string
		service string
		region  string
		at      time.Time
		tamper  func(*http.Request)
		check   func(map[string]any) string
	}{
		{name: "valid", rq: jsonReq, check: ok},
		{name: "valid, another region", rq: jsonReq, region: "eu-west-3", check: ok},
		{name: "valid, signed 14 minutes ago", rq: jsonReq, at: now.Add(-14 * time.Minute), check: ok},
		{name: "valid, signed 14 minutes ahead", rq: jsonReq, at: now.Add(14 * time.Minute), check: ok},
		{name: "valid, with X-Amz-Content-Sha256", rq: request{method: "POST", path: "/", body: "{}", header: map[string]string{"X-Amz-Content-Sha256": "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"}}, check: ok},
		{name: "valid, GET with a query and an odd path", rq: request{method: "GET", path: "/a%20b/c~d/$x", query: "b=2&a=1&a=0&sp=x%20y&plus=%2B&tilde=~&empty="}, check: ok},
		{name: "valid, empty body", rq: request{method: "POST", path: "/"}, check: ok},
		{name: "valid, header with inner spaces", rq: request{method: "POST", path: "/", body: "{}", header: map[string]string{"X-Amz-Meta": "  a   b  "}}, check: ok},
		{name: "tampered body", rq: jsonReq, tamper: func(r *http.Request) {
			b := `{"MaxResults":60}`
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader(b)), int64(len(b))
		}, check: refused("InvalidSignatureException", "does not match")},
		{name: "tampered body with X-Amz-Content-Sha256", rq: request{method: "POST", path: "/", body: "{}", header: map[string]string{"X-Amz-Content-Sha256": "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"}}, tamper: func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader("[]"))
		}, check: refused("InvalidSignatureException", "x-amz-content-sha256")},
		{name: "tampered target", rq: jsonReq, tamper: func(r *http.Request) {
			r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.DeleteUserPool")
		}, check: refused("InvalidSignatureException", "does not match")},
		{name: "tampered query", rq: request{method: "GET", path: "/", query: "a=1"}, tamper: func(r *http.Request) { r.URL.RawQuery = "a=2" }, check: refused("InvalidSignatureException", "does not match")},
		{name: "wrong secret", rq: jsonReq, sec: strings.Repeat("x", 40), check: refused("InvalidSignatureException", "does not match")},
		{name: "unknown access key", rq: jsonReq, key: "AKIAAAAAAAAAAAAAAAAA", check: refused("UnrecognizedClientException", "security token included in the request is invalid")},
		{name: "wrong service", rq: jsonReq, service: "lambda", check: refused("InvalidSignatureException", "Credential should be scoped to correct service: 'cognito-idp'")},
		{name: "not a region", rq: jsonReq, region: "mars", check: refused("InvalidSignatureException", "Credential should be scoped to a valid region")},
		{name: "region changed after signing", rq: jsonReq, tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/us-east-1/", "/us-west-2/", 1))
		}, check: refused("InvalidSignatureException", "does not match")},
		{name: "stale date", rq: jsonReq, at: now.Add(-16 * time.Minute), check: refused("InvalidSignatureException", "Signature expired: 20261202T011400Z is now earlier than 20261202T011500Z (20261202T013000Z - 15 min.)")},
		{name: "date in the future", rq: jsonReq, at: now.Add(16 * time.Minute), check: refused("InvalidSignatureException", "Signature not yet current")},
		{name: "scope date not the request's", rq: jsonReq, tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/20261202/", "/20261201/", 1))
		}, check: refused("InvalidSignatureException", "Date in Credential scope does not match")},
		{name: "missing Authorization header", rq: jsonReq, tamper: func(r *http.Request) { r.Header.Del("Authorization") }, check: refused("MissingAuthenticationTokenException", "Missing Authentication Token")},
		{name: "missing X-Amz-Date", rq: jsonReq, tamper: func(r *http.Request) { r.Header.Del("X-Amz-Date") }, check: refused("IncompleteSignatureException", "X-Amz-Date")},
		{name: "other algorithm", rq: jsonReq, tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1", 1))
		}, check: refused("IncompleteSignatureException", "Unsupported AWS 'algorithm'")},
		{name: "host not signed", rq: jsonReq, tamper: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", strings.Replace(a, "SignedHeaders=content-length;content-type;host;", "SignedHeaders=content-length;content-type;", 1))
		}, check: refused("InvalidSignatureException", "'Host' must be a 'SignedHeader'")},
		{name: "host not signed, signature valid over the rest", rq: jsonReq, tamper: resign("host"),
			check: refused("InvalidSignatureException", "'Host' must be a 'SignedHeader' in the AWS Authorization.")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			key, sec, service, region, at := keyID, secret, "cognito-idp", "us-east-1", now
			if tt.key != "" {
				key = tt.key
			}
			if tt.sec != "" {
				sec = tt.sec
			}
			if tt.service != "" {
				service = tt.service
			}
			if tt.region != "" {
				region = tt.region
			}
			if !tt.at.IsZero() {
				at = tt.at
			}
			req := signed(t, srv.URL, tt.rq, key, sec, service, region, at, tt.tamper)
			if msg := tt.check(do(t, req)); msg != "" {
				t.Error(msg)
			}
		})
	}
}

// resign signs r again as a signer that leaves the named headers out of
// SignedHeaders would: the signature is valid, over fewer headers. It is
// what a captured request from such a signer looks like.
func resign(drop ...string) func(*http.Request) {
	return func(r *http.Request) {
		a, err := sigv4.ParseAuthorization(r.Header.Get("Authorization"))
		if err != nil {
			panic(err)
		}
		var keep []string
		for _, h := range a.SignedHeaders {
			if !slices.Contains(drop, h) {
				keep = append(keep, h)
			}
		}
		var body []byte
		if r.GetBody != nil {
			rc, _ := r.GetBody()
			body, _ = io.ReadAll(rc)
		}
		creq := sigv4.CanonicalRequest(r, keep, sha256Hex(body))
		scope := a.Date + "/" + a.Region + "/" + a.Service + "/aws4_request"
		toSign := sigv4.Algorithm + "\n" + r.Header.Get("X-Amz-Date") + "\n" + scope + "\n" + sha256Hex([]byte(creq))
		m := hmac.New(sha256.New, sigv4.SigningKey(secret, a.Date, a.Region, a.Service))
		m.Write([]byte(toSign))
		r.Header.Set("Authorization", fmt.Sprintf("%s Credential=%s/%s, SignedHeaders=%s, Signature=%x",
			sigv4.Algorithm, a.AccessKeyID, scope, strings.Join(keep, ";"), m.Sum(nil)))
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestVerifySignedHeaders: the signature must cover Host, Content-Type and
// every x-amz-* header of the request, so that no unsigned header can
// change the operation; the headers the AWS signers leave unsigned may
// come and go.
func TestVerifySignedHeaders(t *testing.T) {
	v := &sigv4.Verifier{Service: "cognito-idp", Secret: secrets, Now: func() time.Time { return now }}
	srv := server(t, v)
	describe := request{
		method: "POST", path: "/", body: `{"UserPoolId":"us-east-1_abcdefghi"}`,
		header: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService.DescribeUserPool"},
	}
	withHeader := func(k, v string) request {
		rq := describe
		rq.header = maps.Clone(describe.header)
		rq.header[k] = v
		return rq
	}
	add := func(k, v string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set(k, v) }
	}
	// The message AWS gives for a required header left unsigned: DynamoDB's
	// "'Host' must be a 'SignedHeader' in the AWS Authorization." (recorded
	// in mhart/dynalite, index.js), the same wording for other headers in
	// dacut/scratchstack-aws-signature's error-ordering tests.
	notSigned := func(name string) string { return "'" + name + "' must be a 'SignedHeader' in the AWS Authorization." }
	for _, tt := range []struct {
		name   string
		rq     request
		tamper func(*http.Request)
		want   string // "" accepted, else the message of the InvalidSignatureException
	}{
		{name: "every header signed", rq: describe},
		{name: "re-signed over the same headers (the helper signs validly)", rq: describe, tamper: resign()},
		{name: "Describe replayed as Delete with an unsigned X-Amz-Target", rq: describe, tamper: func(r *http.Request) {
			resign("x-amz-target")(r)
			r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.DeleteUserPool")
		}, want: notSigned("x-amz-target")},
		{name: "X-Amz-Target added after signing", rq: request{method: "POST", path: "/", body: "{}"},
			tamper: add("X-Amz-Target", "AWSCognitoIdentityProviderService.DeleteUserPool"), want: notSigned("x-amz-target")},
		{name: "X-Amz-Target not signed", rq: describe, tamper: resign("x-amz-target"), want: notSigned("x-amz-target")},
		{name: "Content-Type not signed", rq: describe, tamper: resign("content-type"), want: notSigned("Content-Type")},
		{name: "Content-Type added after signing", rq: request{method: "POST", path: "/", body: "{}"},
			tamper: add("Content-Type", "application/x-amz-json-1.1"), want: notSigned("Content-Type")},
		{name: "X-Amz-Date not signed", rq: describe, tamper: resign("x-amz-date"), want: notSigned("x-amz-date")},
		{name: "X-Amz-Content-Sha256 not signed", rq: withHeader("X-Amz-Content-Sha256", sha256Hex([]byte(describe.body))),
			tamper: resign("x-amz-content-sha256"), want: notSigned("x-amz-content-sha256")},
		{name: "X-Amz-Security-Token not signed", rq: withHeader("X-Amz-Security-Token", "FQoGZXIvYXdzEXAMPLE"),
			tamper: resign("x-amz-security-token"), want: notSigned("x-amz-security-token")},
		{name: "another x-amz-* header added after signing", rq: describe,
			tamper: add("X-Amz-Invocation-Type", "Event"), want: notSigned("x-amz-invocation-type")},
		{name: "several unsigned: the first in byte order is named", rq: describe,
			tamper: resign("x-amz-target", "content-type", "x-amz-date"), want: notSigned("Content-Type")},
		// What the signers leave unsigned: aws-sdk-go-v2's IgnoredHeaders
		// (aws/signer/internal/v4/headers.go: Authorization, User-Agent,
		// X-Amzn-Trace-Id, Expect, Transfer-Encoding) and botocore's
		// SIGNED_HEADERS_BLACKLIST (botocore/auth.py: hop-by-hop headers,
		// user-agent, x-amzn-trace-id); proxies add X-Forwarded-*.
		{name: "User-Agent added after signing", rq: describe, tamper: add("User-Agent", "aws-cli/2.15.0")},
		{name: "X-Amzn-Trace-Id added after signing", rq: describe, tamper: add("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793")},
		{name: "amz-sdk-* headers added after signing", rq: describe, tamper: func(r *http.Request) {
			r.Header.Set("Amz-Sdk-Invocation-Id", "e2c5a3b0-1b0f-4a4b-9a0e-2f1e4c0b6d11")
			r.Header.Set("Amz-Sdk-Request", "attempt=1; max=3")
		}},
		{name: "X-Forwarded-For added by a proxy", rq: describe, tamper: add("X-Forwarded-For", "203.0.113.7")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := do(t, signed(t, srv.URL, tt.rq, keyID, secret, "cognito-idp", "us-east-1", now, tt.tamper))
			switch {
			case tt.want == "" && got["code"] != nil:
				t.Errorf("refused: %v", got)
			case tt.want != "" && (got["code"] != "InvalidSignatureException" || got["message"] != tt.want || got["status"] != float64(400)):
				t.Errorf("got %v, want a 400 InvalidSignatureException %q", got, tt.want)
			}
		})
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestVerifyRegions(t *testing.T) {
	v := &sigv4.Verifier{Service: "cognito-idp", Regions: []string{"eu-west-1"}, Secret: secrets, Now: func() time.Time { return now }}
	srv := server(t, v)
	rq := request{method: "POST", path: "/", body: "{}"}
	if got := do(t, signed(t, srv.URL, rq, keyID, secret, "cognito-idp", "eu-west-1", now, nil)); got["code"] != nil {
		t.Errorf("allowed region refused: %v", got)
	}
	if got := do(t, signed(t, srv.URL, rq, keyID, secret, "cognito-idp", "us-east-1", now, nil)); got["code"] != "InvalidSignatureException" {
		t.Errorf("other region: got %v, want InvalidSignatureException", got)
	}
}

func TestVerifyLookupFailureIsInternal(t *testing.T) {
	v := &sigv4.Verifier{Service: "cognito-idp", Now: func() time.Time { return now }, Secret: func(context.Context, string) (string, error) {
		return "", errors.New("database is down")
	}}
	srv := server(t, v)
	got := do(t, signed(t, srv.URL, request{method: "POST", path: "/"}, keyID, secret, "cognito-idp", "us-east-1", now, nil))
	if got["code"] != "InternalFailure" || got["status"] != float64(500) || strings.Contains(got["message"].(string), "database") {
		t.Errorf("got %v, want InternalFailure 500 without the cause", got)
	}
}

func TestParseAuthorization(t *testing.T) {
	good := "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261202/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("ab", 32)
	a, err := sigv4.ParseAuthorization(good)
	if err != nil {
		t.Fatal(err)
	}
	if a.AccessKeyID != keyID || a.Date != "20261202" || a.Region != "us-east-1" || a.Service != "cognito-idp" || len(a.SignedHeaders) != 2 {
		t.Errorf("parsed %+v", a)
	}
	for _, bad := range []string{
		"",
		"AWS4-HMAC-SHA256",
		"Basic dXNlcjpwYXNz",
		strings.Replace(good, "Credential=", "Cred=", 1),
		strings.Replace(good, ", Signature=", ", Sig=", 1),
		strings.Replace(good, "SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date;host", 1),
		strings.Replace(good, "SignedHeaders=host;x-amz-date", "SignedHeaders=Host", 1),
		strings.Replace(good, "SignedHeaders=host;x-amz-date", "SignedHeaders=host;;x", 1),
		strings.Replace(good, "/aws4_request", "/aws5_request", 1),
		strings.Replace(good, "/20261202/", "/2026-12-02/", 1),
		strings.Replace(good, "AKIAIOSFODNN7EXAMPLE/", "/", 1),
		good + ", Signature=" + strings.Repeat("cd", 32),
		strings.Replace(good, strings.Repeat("ab", 32), strings.Repeat("AB", 32), 1),
		good[:len(good)-2],
		good + strings.Repeat(" ", 5000),
	} {
		_, err := sigv4.ParseAuthorization(bad)
		var e *sigv4.Error
		if !errors.As(err, &e) || e.Code != sigv4.CodeIncomplete || e.Status != 400 {
			t.Errorf("ParseAuthorization(%.80q) = %v, want IncompleteSignatureException", bad, err)
		}
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261202/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("ab", 32))
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e,SignedHeaders=,Signature=")
	f.Add("AWS4-HMAC-SHA256 ,,,=,==")
	f.Add("Bearer x")
	f.Fuzz(func(t *testing.T, h string) {
		a, err := sigv4.ParseAuthorization(h)
		if err != nil {
			var e *sigv4.Error
			if !errors.As(err, &e) || e.Code != sigv4.CodeIncomplete {
				t.Fatalf("error %v is not an IncompleteSignatureException", err)
			}
			if len(e.Message) > 2000 || strings.ContainsAny(e.Message, "\r\n") {
				t.Fatalf("message too long or with line breaks: %q", e.Message)
			}
			return
		}
		if a.AccessKeyID == "" || len(a.Signature) != 64 || len(a.SignedHeaders) == 0 || len(a.Date) != 8 {
			t.Fatalf("accepted an incomplete header %q: %+v", h, a)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	v := &sigv4.Verifier{Service: "cognito-idp", Secret: secrets, Now: func() time.Time { return now }}
	body := []byte(`{"UserPoolId":"us-east-1_abcdefghi","ClientId":"abcdefghijklmnopqrstuvwxyz"}`)
	req := httptest.NewRequest("POST", "http://cognito-idp.us-east-1.amazonaws.com/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.DescribeUserPoolClient")
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}, req, hex.EncodeToString(sum[:]), "cognito-idp", "us-east-1", now); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(req, body); err != nil {
			b.Fatal(err)
		}
	}
}
