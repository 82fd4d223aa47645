package e2e

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// secretsConfig is errorsConfig's pool with a third client and a domain:
// three clients (M2M, one with a secret but no flow, one without a
// secret), and a second pool with a domain, on whose host the first pool's
// clients are refused.
const secretsConfig = errorsConfig + `      - id: Public
        userPoolClientName: public
    domains:
      - id: PDomain
        cognitoDomain: {domainPrefix: pone}
  - id: Q
    domains:
      - id: QDomain
        cognitoDomain: {domainPrefix: ptwo}
`

// TestSecretsNeverLogged drives every refusal path of /oauth2/token,
// /oauth2/revoke and /oauth2/introspect (and /oauth2/authorize) of the real
// binary, logging at debug, with two known secrets put everywhere a client
// may put one by mistake: a generated secret, and a custom secret with the
// exact shape of a client id. Neither, nor any base64, percent or hex form
// of them, nor any Authorization header sent, may appear in anything the
// server printed. The secrets belong to a client created by the CLI after
// the server started, so the server never had them to print.
func TestSecretsNeverLogged(t *testing.T) {
	dir := t.TempDir()
	cfg := dir + "/tollgate.yaml"
	writeFile(t, cfg, secretsConfig)
	p, d := startDev(t, dir, "--config", cfg, "--log-level", "debug")
	k := newLeakKit(t, dir, d)

	cases := k.tokenCases()
	for _, ep := range []string{"/oauth2/revoke", "/oauth2/introspect"} {
		cases = append(cases, k.tokenManagementCases(ep)...)
	}
	for _, c := range cases {
		t.Run(strings.TrimPrefix(c.path, "/oauth2/")+": "+c.name, func(t *testing.T) {
			got, body := k.send(t, c)
			if c.status != 0 && got != c.status {
				t.Errorf("status %d %s, want %d", got, body, c.status)
			}
		})
	}
	p.stop() // every line written
	k.assertNotLogged(t, p.Output()+p.Logs(), len(cases))
}

// leakKit holds what the cases need: the server, the client whose secrets
// must not leak, and the other clients and tokens the refusal paths use.
type leakKit struct {
	base, port    string
	id, secret    string // the client the CLI created, and its generated secret
	shaped        string // its second secret: custom, with a client id's shape
	noFlowID      string // has shaped as a secret, and no OAuth flow
	publicID      string // no secret
	ownToken      string // a token of id
	otherToken    string // a token of the dev's M2M client, same pool
	authorization []string
}

func newLeakKit(t *testing.T, dir string, d devInfo) *leakKit {
	t.Helper()
	u, _ := url.Parse(d.TokenURL)
	k := &leakKit{base: u.Scheme + "://" + u.Host, port: u.Port(), shaped: idShapedSecret(t)}
	cli := func(args ...string) string {
		t.Helper()
		stdout, stderr, code := run(t, nil, append(args, "--data", dir)...)
		if code != 0 {
			t.Fatalf("tollgate %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
		}
		return stdout
	}
	var list []struct {
		ClientID   string `json:"ClientId"`
		ClientName string
		UserPoolID string `json:"UserPoolId"`
	}
	unmarshal(t, cli("clients", "list", "--json"), &list)
	pool := ""
	for _, c := range list {
		switch c.ClientName {
		case "no-flow":
			k.noFlowID = c.ClientID
		case "public":
			k.publicID, pool = c.ClientID, c.UserPoolID
		}
	}
	var created struct {
		ClientID     string `json:"ClientId"`
		ClientSecret string
	}
	unmarshal(t, cli("clients", "create", "--pool", pool, "--name", "leak", "--scopes", "default/default", "--json"), &created)
	k.id, k.secret = created.ClientID, created.ClientSecret
	if k.noFlowID == "" || k.publicID == "" || k.id == "" || len(k.secret) != 51 {
		t.Fatalf("clients: no-flow %q, public %q, created %+v", k.noFlowID, k.publicID, created)
	}
	cli("clients", "add-secret", k.id, "--secret", k.shaped)
	cli("clients", "add-secret", k.noFlowID, "--secret", k.shaped)
	k.ownToken = getToken(t, d.TokenURL, k.id, k.secret)
	k.otherToken = getToken(t, d.TokenURL, d.ClientID, d.ClientSecret)
	return k
}

// idShapedSecret is a fresh custom secret of 26 characters of [a-z0-9]:
// exactly the shape of a client id, so that shape alone cannot tell it from
// one.
func idShapedSecret(t *testing.T) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 26)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// leakCase is one request. status 0 accepts any answer, or none (the server
// may close the connection on an oversized upload).
type leakCase struct {
	name    string
	method  string // default POST
	path    string // may carry a query
	host    string // a pool's prefix domain; the port is added
	ctype   string // "" the form type, "-" none
	auth    []string
	body    string
	chunked bool
	status  int
}

// tokenCases are the refusals of /oauth2/token (and /oauth2/authorize), in
// the order the endpoint checks, and its success.
func (k *leakKit) tokenCases() []leakCase {
	const tp = "/oauth2/token"
	I, S, Z := k.id, k.secret, k.shaped
	cc := "client_credentials"
	good := formOf("grant_type", cc, "client_id", I, "client_secret", S)
	return []leakCase{
		// The request's shape (RFC 6749 §3.2, §2.3.1, Appendix B).
		{name: "GET with credentials in the query", method: "GET", path: tp + "?" + good, ctype: "-", status: 405},
		{name: "PUT", method: "PUT", path: tp, body: good, status: 405},
		{name: "credentials in the query", path: tp + "?client_id=" + I + "&client_secret=" + S, body: formOf("grant_type", cc), status: 400},
		{name: "secret in the query too", path: tp + "?client_secret=" + S, body: good, status: 400},
		{name: "no Content-Type", path: tp, ctype: "-", body: good, status: 400},
		{name: "JSON body", path: tp, ctype: "application/json", body: `{"grant_type":"client_credentials","client_id":"` + I + `","client_secret":"` + S + `"}`, status: 400},
		{name: "multipart body", path: tp, ctype: "multipart/form-data; boundary=x", body: "--x\r\nContent-Disposition: form-data; name=\"client_secret\"\r\n\r\n" + S + "\r\n--x--\r\n", status: 400},
		{name: "oversized body", path: tp, body: oversized(good, S), status: 400},
		{name: "oversized chunked body", path: tp, body: oversized(good, S), chunked: true},
		{name: "malformed urlencoding in the secret", path: tp, body: "grant_type=client_credentials&client_id=" + I + "&client_secret=" + S + "%zz", status: 400},
		{name: "semicolon separator", path: tp, body: good + ";client_secret=" + S, status: 400},
		{name: "client_secret twice", path: tp, body: good + "&client_secret=" + S, status: 400},
		// The grant type.
		{name: "no grant_type", path: tp, body: formOf("client_id", I, "client_secret", S), status: 400},
		{name: "secret as grant_type", path: tp, body: formOf("grant_type", S, "client_id", I, "client_secret", S), status: 400},
		{name: "id-shaped secret as grant_type, Basic", path: tp, auth: []string{basicOf(I, Z)}, body: formOf("grant_type", Z), status: 400},
		// Client authentication (RFC 6749 §2.3.1).
		{name: "no client authentication", path: tp, body: formOf("grant_type", cc), status: 401},
		{name: "client_secret without client_id", path: tp, body: formOf("grant_type", cc, "client_secret", S), status: 400},
		{name: "secret as the Basic credentials", path: tp, auth: []string{"Basic " + S}, body: formOf("grant_type", cc), status: 401},
		{name: "Basic without a colon", path: tp, auth: []string{rawBasic(S)}, body: formOf("grant_type", cc), status: 401},
		{name: "Basic with a percent-encoded colon", path: tp, auth: []string{rawBasic(I + "%3A" + S)}, body: formOf("grant_type", cc), status: 401},
		{name: "Basic with a percent-encoded colon, then a colon", path: tp, auth: []string{rawBasic(I + "%3A" + S + ":")}, body: formOf("grant_type", cc), status: 401},
		{name: "Basic with id and secret swapped", path: tp, auth: []string{basicOf(S, I)}, body: formOf("grant_type", cc), status: 401},
		{name: "Basic with the id-shaped secret as the id", path: tp, auth: []string{basicOf(Z, S)}, body: formOf("grant_type", cc), status: 401},
		{name: "Basic with an empty secret", path: tp, auth: []string{rawBasic(S + ":")}, body: formOf("grant_type", cc), status: 401},
		{name: "Basic with a bad escape", path: tp, auth: []string{rawBasic(I + ":" + S + "%zz")}, body: formOf("grant_type", cc), status: 401},
		{name: "Bearer instead of Basic", path: tp, auth: []string{"Bearer " + S}, body: formOf("grant_type", cc), status: 401},
		{name: "two Authorization headers", path: tp, auth: []string{basicOf(I, S), basicOf(I, S)}, body: formOf("grant_type", cc), status: 401},
		{name: "Basic and client_secret", path: tp, auth: []string{basicOf(I, S)}, body: formOf("grant_type", cc, "client_secret", S), status: 400},
		{name: "Basic and the secret as body client_id", path: tp, auth: []string{basicOf(I, S)}, body: formOf("grant_type", cc, "client_id", S), status: 400},
		{name: "secret sent as client_id", path: tp, body: formOf("grant_type", cc, "client_id", S), status: 400},
		{name: "id-shaped secret sent as client_id", path: tp, body: formOf("grant_type", cc, "client_id", Z), status: 400},
		{name: "id and secret swapped", path: tp, body: formOf("grant_type", cc, "client_id", S, "client_secret", I), status: 400},
		{name: "id-shaped secret as client_id, the other as secret", path: tp, body: formOf("grant_type", cc, "client_id", Z, "client_secret", S), status: 400},
		{name: "wrong secret", path: tp, body: formOf("grant_type", cc, "client_id", I, "client_secret", S+"x"), status: 400},
		{name: "public client", path: tp, body: formOf("grant_type", cc, "client_id", k.publicID, "client_secret", S), status: 400},
		{name: "another pool's host", path: tp, host: "ptwo.auth.us-east-1.localhost", body: good, status: 400},
		// The grant.
		{name: "client_credentials not allowed", path: tp, body: formOf("grant_type", cc, "client_id", k.noFlowID, "client_secret", Z), status: 400},
		{name: "secret as scope", path: tp, body: good + "&scope=" + S, status: 400},
		{name: "id-shaped secret as scope", path: tp, auth: []string{basicOf(I, Z)}, body: formOf("grant_type", cc, "scope", "default/default "+Z), status: 400},
		{name: "malformed scope", path: tp, body: good + "&scope=" + url.QueryEscape(S+`"`), status: 400},
		{name: "scope too long", path: tp, body: good + "&scope=" + url.QueryEscape(strings.Repeat(S+" ", 200)), status: 400},
		{name: "secret as a code", path: tp, body: formOf("grant_type", "authorization_code", "code", S, "client_id", I, "client_secret", S), status: 400},
		{name: "no code", path: tp, body: formOf("grant_type", "authorization_code", "client_id", I, "client_secret", S), status: 400},
		{name: "secret as a refresh token", path: tp, auth: []string{basicOf(I, S)}, body: formOf("grant_type", "refresh_token", "refresh_token", Z), status: 400},
		{name: "no refresh token", path: tp, body: formOf("grant_type", "refresh_token", "client_id", I, "client_secret", S), status: 400},
		{name: "authorize with the secret as client_id", method: "GET", path: "/oauth2/authorize?response_type=code&client_id=" + S, ctype: "-", status: 400},
		{name: "authorize with the id-shaped secret as client_id", method: "GET", path: "/oauth2/authorize?client_id=" + Z, ctype: "-", status: 400},
		{name: "success", path: tp, host: "pone.auth.us-east-1.localhost", auth: []string{basicOf(I, Z)}, body: formOf("grant_type", cc), status: 200},
	}
}

// tokenManagementCases are the refusals of /oauth2/revoke or
// /oauth2/introspect, the tokens they answer as if all were well, and their
// success.
func (k *leakKit) tokenManagementCases(ep string) []leakCase {
	I, S, Z := k.id, k.secret, k.shaped
	good := formOf("token", k.ownToken, "client_id", I, "client_secret", S)
	cases := []leakCase{
		{name: "GET with credentials in the query", method: "GET", path: ep + "?" + good, ctype: "-", status: 405},
		{name: "credentials in the query", path: ep + "?client_id=" + I + "&client_secret=" + S, body: formOf("token", k.ownToken), status: 400},
		{name: "JSON body", path: ep, ctype: "application/json", body: `{"token":"x","client_id":"` + I + `","client_secret":"` + S + `"}`, status: 400},
		{name: "oversized body", path: ep, body: oversized(good, S), status: 400},
		{name: "malformed urlencoding in the secret", path: ep, body: "token=x&client_id=" + I + "&client_secret=" + S + "%zz", status: 400},
		{name: "client_secret twice", path: ep, body: good + "&client_secret=" + S, status: 400},
		{name: "no token, secret as client_id", path: ep, body: formOf("client_id", S, "client_secret", I), status: 400},
		{name: "no token", path: ep, body: formOf("client_id", I, "client_secret", S), status: 400},
		{name: "Basic with id and secret swapped", path: ep, auth: []string{basicOf(S, I)}, body: formOf("token", "x"), status: 401},
		{name: "Basic with a percent-encoded colon, then a colon", path: ep, auth: []string{rawBasic(I + "%3A" + S + ":")}, body: formOf("token", "x"), status: 401},
		{name: "id-shaped secret as client_id", path: ep, body: formOf("token", "x", "client_id", Z, "client_secret", S), status: 400},
		{name: "secret as client_id", path: ep, body: formOf("token", "x", "client_id", S), status: 400},
		{name: "wrong secret", path: ep, body: formOf("token", "x", "client_id", I, "client_secret", S+"x"), status: 400},
		{name: "Basic and client_secret", path: ep, auth: []string{basicOf(I, S)}, body: formOf("token", "x", "client_secret", S), status: 400},
		{name: "secret as the token", path: ep, body: formOf("token", S, "client_id", I, "client_secret", S), status: 200},
		{name: "the secret as a token's kid", path: ep, body: formOf("token", jwsWithKid(S), "client_id", I, "client_secret", S), status: 200},
	}
	if ep == "/oauth2/revoke" {
		return append(cases,
			leakCase{name: "another client's token", path: ep, auth: []string{basicOf(I, Z)}, body: formOf("token", k.otherToken), status: 400},
			leakCase{name: "success", path: ep, auth: []string{basicOf(I, Z)}, body: formOf("token", k.ownToken), status: 200})
	}
	return append(cases, leakCase{name: "success", path: ep, body: formOf("token", k.otherToken, "client_id", I, "client_secret", Z), status: 200})
}

// send makes the request and returns the status (0 if the server closed
// the connection) and body.
func (k *leakKit) send(t *testing.T, c leakCase) (int, string) {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
		if c.chunked {
			body = io.MultiReader(body) // no length: sent chunked
		}
	}
	method := c.method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequest(method, k.base+c.path, body)
	if err != nil {
		t.Fatal(err)
	}
	switch c.ctype {
	case "":
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case "-":
	default:
		req.Header.Set("Content-Type", c.ctype)
	}
	if len(c.auth) > 0 {
		req.Header["Authorization"] = c.auth
		k.authorization = append(k.authorization, c.auth...)
	}
	if c.host != "" {
		req.Host = c.host + ":" + k.port
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if c.status == 0 {
			return 0, err.Error()
		}
		t.Fatalf("%s %s: %v", method, c.path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// assertNotLogged fails if out holds a secret in any form, or an
// Authorization header sent; and if it does not show the refusals logged,
// with markers in place of ids that are not a known client's, so that the
// test cannot pass by logging nothing.
func (k *leakKit) assertNotLogged(t *testing.T, out string, requests int) {
	t.Helper()
	forms := map[string]string{} // what must not appear → what it is
	for _, s := range []string{k.secret, k.shaped} {
		for form, enc := range encodings(s) {
			forms[enc] = "a secret, " + form
		}
	}
	for _, a := range k.authorization {
		if _, cred, _ := strings.Cut(a, " "); cred != "" {
			forms[cred] = "Authorization credentials"
		}
	}
	leaks := 0
	for line := range strings.Lines(out) {
		for enc, what := range forms {
			if strings.Contains(line, enc) {
				leaks++
				t.Errorf("the server's output holds %s in:\n%s", what, line)
				break
			}
		}
	}
	if leaks > 0 {
		t.Errorf("%d lines of the server's output hold a secret", leaks)
	}
	if n := strings.Count(out, `"msg":"request"`); n < requests {
		t.Errorf("%d access log lines for %d requests", n, requests)
	}
	for _, want := range []string{
		`"msg":"oauth2 request refused"`,
		`"client_id":"(malformed, 51 bytes)"`, // the generated secret where the id goes
		`"client_id":"(unverified)"`,          // the id-shaped secret where the id goes
		`"client_id":"` + k.id + `"`,          // a known client's id is still logged
		`"description":"unsupported grant type (51 bytes)`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %s", want)
		}
	}
}

// encodings are the forms in which a secret could be written: as is,
// percent-encoded, hex, and base64 (standard and URL alphabets) at each of
// the three alignments it may have inside a longer encoded string (such as
// Basic credentials), trimmed to the characters that depend on the secret
// alone.
func encodings(s string) map[string]string {
	m := map[string]string{"as is": s, "percent-encoded": url.QueryEscape(s), "hex": hex.EncodeToString([]byte(s))}
	for off := range 3 {
		for name, enc := range map[string]*base64.Encoding{"base64": base64.StdEncoding, "base64url": base64.URLEncoding} {
			e := enc.EncodeToString([]byte(strings.Repeat("x", off) + s))
			lo := 0
			if off > 0 {
				lo = 4
			}
			m[fmt.Sprintf("%s at offset %d", name, off)] = e[lo : len(e)-4]
		}
	}
	return m
}

// formOf encodes name/value pairs in order.
func formOf(kv ...string) string {
	parts := make([]string, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, url.QueryEscape(kv[i])+"="+url.QueryEscape(kv[i+1]))
	}
	return strings.Join(parts, "&")
}

// basicOf is Basic credentials as RFC 6749 §2.3.1 has them; rawBasic
// encodes s as it is.
func basicOf(id, secret string) string {
	return rawBasic(url.QueryEscape(id) + ":" + url.QueryEscape(secret))
}

func rawBasic(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }

// oversized is a body over the endpoints' 64 KiB, full of the secret.
func oversized(body, secret string) string {
	return body + "&pad=" + strings.Repeat(secret, (64<<10)/len(secret)+1)
}

// jwsWithKid is a compact JWS, RS256, whose kid is kid and whose signature
// is garbage.
func jwsWithKid(kid string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","kid":"`+kid+`"}`)) + "." + enc([]byte(`{}`)) + "." + enc([]byte("signature"))
}

// TestSecretsNeverLoggedOutsideOAuth2 drives the refusals of the Cognito
// management API, the Lambda Invoke API and the gateway's authorizer of the
// real binary, logging at debug, with three known secrets put where a
// caller may put one by mistake: a client's generated secret, a custom
// client secret with the shape of a client id, and an access key's secret
// with a '/' (which splits a SigV4 credential scope). Each goes in every id
// field of every management operation; in place of the access key id (id
// and secret swapped), the region and the service of a signature; in the
// Authorization and X-Amz-Date headers; and in the alg, kid, typ, crit,
// jwk and iss of a token sent to the gateway. The refusals quote them back
// to the caller, as AWS's do; the log must hold none of them in any form,
// and still record every refusal.
func TestSecretsNeverLoggedOutsideOAuth2(t *testing.T) {
	dir := t.TempDir()
	p, d := startDev(t, dir, "--log-level", "debug")
	k := newAPILeakKit(t, dir, p, d)
	var refused apiRefusals
	t.Run("cognito", func(t *testing.T) { refused.cognito = k.driveCognito(t) })
	t.Run("sigv4", func(t *testing.T) { refused.cognitoSigV4, refused.invoke = k.driveSigV4(t) })
	t.Run("gateway", func(t *testing.T) { refused.gateway = k.driveGateway(t) })
	p.stop() // every line written
	k.assertNotLogged(t, p.Output()+p.Logs(), refused)
}

// apiLeakKit holds the server, what the requests need to reach the check
// they are meant for (a working key, a pool, a client, a kid), and the
// secrets that must not leak, by what they are.
type apiLeakKit struct {
	base, apiURL, invokePath string
	keyID, keySecret         string // dev's access key, which works
	poolID, clientID         string
	issuer, kid              string
	secrets                  map[string]string
}

func newAPILeakKit(t *testing.T, dir string, p *proc, d devInfo) *apiLeakKit {
	t.Helper()
	key := parseInvokeLine(t, p.Output())
	k := &apiLeakKit{
		base:       strings.TrimSuffix(d.TokenURL, "/oauth2/token"),
		apiURL:     reAPIURL.FindStringSubmatch(p.Output())[1],
		invokePath: "/2015-03-31/functions/ProxyLambda/invocations",
		keyID:      key.KeyID, keySecret: key.Secret,
		poolID: d.PoolID, issuer: d.Issuer,
		secrets: map[string]string{"id-shaped client secret": idShapedSecret(t)},
	}
	// Made after the server started: it never had them to print.
	out, errOut, code := run(t, nil, "--data", dir, "clients", "create", "--pool", d.PoolID, "--name", "leak-api", "--scopes", "default/default", "--json")
	var created struct {
		ClientID     string `json:"ClientId"`
		ClientSecret string
	}
	if code != 0 || json.Unmarshal([]byte(out), &created) != nil || len(created.ClientSecret) != 51 {
		t.Fatalf("clients create: exit %d %s %s", code, out, errOut)
	}
	k.clientID, k.secrets["client secret"] = created.ClientID, created.ClientSecret
	if _, errOut, code := run(t, nil, "--data", dir, "clients", "add-secret", k.clientID, "--secret", k.secrets["id-shaped client secret"]); code != 0 {
		t.Fatalf("clients add-secret: %s", errOut)
	}
	for range 30 { // each secret has a '/' with odds of 1-(63/64)^40, about one in two
		if _, s := accessKey(t, dir); strings.Contains(s, "/") {
			k.secrets["access key secret with a '/'"] = s
			break
		}
	}
	if k.secrets["access key secret with a '/'"] == "" {
		t.Fatal("30 access keys, none with a '/' in its secret")
	}
	header, _, _ := strings.Cut(getToken(t, d.TokenURL, d.ClientID, d.ClientSecret), ".")
	b, _ := base64.RawURLEncoding.DecodeString(header)
	var h struct{ Kid string }
	if json.Unmarshal(b, &h) != nil || h.Kid == "" {
		t.Fatalf("a token's header without kid: %s", b)
	}
	k.kid = h.Kid
	return k
}

// apiRefusals counts the requests of each kind that must have been logged
// as refused.
type apiRefusals struct{ cognito, cognitoSigV4, invoke, gateway int }

// cognitoOperation is a management operation, a valid body, and the
// fields that name something.
type cognitoOperation struct {
	op     string
	body   map[string]any
	fields []string
}

// describedAnyway are the operations that answer 200 with a secret in a
// field: an unknown domain is described as empty, as Cognito does.
var describedAnyway = map[string]bool{"DescribeUserPoolDomain": true}

// cognitoOperations are the management API's operations with the fields
// that name something, each given a valid value: a request with a secret
// in one of them, the others left as they are, is refused for that one.
// The Create operations name a pool that does not exist, so that their
// new object's id is checked and nothing is created (CreateUserPool names
// nothing).
func (k *apiLeakKit) cognitoOperations() []cognitoOperation {
	const none = "us-east-1_NoSuchPool"
	type body = map[string]any
	pc := body{"UserPoolId": k.poolID, "ClientId": k.clientID}
	return []cognitoOperation{
		{"DescribeUserPool", body{"UserPoolId": k.poolID}, []string{"UserPoolId"}},
		{"ListUserPools", body{"MaxResults": 10}, []string{"NextToken"}},
		{"DeleteUserPool", body{"UserPoolId": k.poolID}, []string{"UserPoolId"}},
		{"CreateResourceServer", body{"UserPoolId": none, "Identifier": "x", "Name": "x"}, []string{"UserPoolId", "Identifier"}},
		{"DescribeResourceServer", body{"UserPoolId": k.poolID, "Identifier": "default"}, []string{"UserPoolId", "Identifier"}},
		{"ListResourceServers", body{"UserPoolId": k.poolID, "MaxResults": 10}, []string{"UserPoolId", "NextToken"}},
		{"UpdateResourceServer", body{"UserPoolId": k.poolID, "Identifier": "default", "Name": "x"}, []string{"UserPoolId", "Identifier"}},
		{"DeleteResourceServer", body{"UserPoolId": k.poolID, "Identifier": "default"}, []string{"UserPoolId", "Identifier"}},
		{"CreateUserPoolClient", body{"UserPoolId": none, "ClientName": "x"}, []string{"UserPoolId"}},
		{"DescribeUserPoolClient", pc, []string{"UserPoolId", "ClientId"}},
		{"UpdateUserPoolClient", pc, []string{"UserPoolId", "ClientId"}},
		{"DeleteUserPoolClient", pc, []string{"UserPoolId", "ClientId"}},
		{"ListUserPoolClients", body{"UserPoolId": k.poolID, "MaxResults": 10}, []string{"UserPoolId", "NextToken"}},
		{"AddUserPoolClientSecret", pc, []string{"UserPoolId", "ClientId"}},
		{"ListUserPoolClientSecrets", pc, []string{"UserPoolId", "ClientId"}},
		{"DeleteUserPoolClientSecret", body{"UserPoolId": k.poolID, "ClientId": k.clientID, "ClientSecretId": "nosuchsecret"}, []string{"UserPoolId", "ClientId", "ClientSecretId"}},
		{"CreateUserPoolDomain", body{"UserPoolId": none, "Domain": "nosuchdomain"}, []string{"UserPoolId", "Domain"}},
		{"DescribeUserPoolDomain", body{"Domain": "nosuchdomain"}, []string{"Domain"}},
		{"DeleteUserPoolDomain", body{"UserPoolId": k.poolID, "Domain": "nosuchdomain"}, []string{"UserPoolId", "Domain"}},
	}
}

// driveCognito sends every operation with each secret in each of its
// fields, signed with the working key; every one must be refused.
func (k *apiLeakKit) driveCognito(t *testing.T) int {
	n := 0
	for _, o := range k.cognitoOperations() {
		for _, field := range o.fields {
			for what, s := range k.secrets {
				body := maps.Clone(o.body)
				body[field] = s
				b, _ := json.Marshal(body)
				req := k.signed(t, "/"+o.op, string(b), "cognito-idp", "us-east-1", k.keyID, k.keySecret)
				want := 400
				if describedAnyway[o.op] {
					want = 200
				}
				if status, answer := roundTrip(t, req); status != want {
					t.Errorf("%s with the %s as %s: %d %s, want %d", o.op, what, field, status, answer, want)
				}
				if want == 400 {
					n++
				}
			}
		}
	}
	return n
}

// driveSigV4 sends to the management API and to the Invoke API requests
// whose signature holds a secret where something else goes; each must be
// refused. It returns how many each API got.
func (k *apiLeakKit) driveSigV4(t *testing.T) (cognito, invoke int) {
	for _, api := range []struct {
		path, service string
		refused       int
		n             *int
	}{{"/ListUserPools", "cognito-idp", 400, &cognito}, {k.invokePath, "lambda", 403, &invoke}} {
		for what, s := range k.secrets {
			for _, c := range []struct {
				name string
				req  *http.Request
			}{
				{"as the access key id, the id as the secret", k.signed(t, api.path, "{}", api.service, "us-east-1", s, k.keyID)},
				{"as the region", k.signed(t, api.path, "{}", api.service, s, k.keyID, k.keySecret)},
				{"as the service", k.signed(t, api.path, "{}", s, "us-east-1", k.keyID, k.keySecret)},
				{"as the Authorization header", k.withHeader(k.signed(t, api.path, "{}", api.service, "us-east-1", k.keyID, k.keySecret), "Authorization", s)},
				{"as the credential", k.withHeader(k.signed(t, api.path, "{}", api.service, "us-east-1", k.keyID, k.keySecret), "Authorization", "AWS4-HMAC-SHA256 Credential="+s)},
				{"as X-Amz-Date", k.withHeader(k.signed(t, api.path, "{}", api.service, "us-east-1", k.keyID, k.keySecret), "X-Amz-Date", s)},
			} {
				if status, answer := roundTrip(t, c.req); status != api.refused {
					t.Errorf("%s: the %s %s: %d %s, want %d", api.service, what, c.name, status, answer, api.refused)
				}
				*api.n++
			}
		}
	}
	return cognito, invoke
}

// driveGateway sends the seed API tokens whose header or payload fields
// hold a secret; each must be refused.
func (k *apiLeakKit) driveGateway(t *testing.T) int {
	n := 0
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	payload := map[string]any{"iss": k.issuer, "token_use": "access", "client_id": k.clientID, "scope": "default/default", "exp": time.Now().Add(time.Hour).Unix()}
	for what, s := range k.secrets {
		for _, c := range []struct {
			name   string
			header map[string]any
			iss    string
		}{
			{"alg", map[string]any{"alg": s, "kid": k.kid}, k.issuer},
			{"kid", map[string]any{"alg": "RS256", "kid": s}, k.issuer},
			{"kid, as an object", map[string]any{"alg": "RS256", "kid": map[string]string{"id": s}}, k.issuer},
			{"typ", map[string]any{"alg": "RS256", "kid": k.kid, "typ": s}, k.issuer},
			{"crit", map[string]any{"alg": "RS256", "kid": k.kid, "crit": []string{s}, s: 1}, k.issuer},
			{"jwk", map[string]any{"alg": "RS256", "kid": k.kid, "jwk": map[string]string{"kty": s}}, k.issuer},
			{"iss", map[string]any{"alg": "RS256", "kid": k.kid}, s},
		} {
			payload["iss"] = c.iss
			tok := enc(c.header) + "." + enc(payload) + "." + base64.RawURLEncoding.EncodeToString([]byte("not a signature"))
			req, _ := http.NewRequest("GET", k.apiURL+"hello/world", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			if status, answer := roundTrip(t, req); status != 401 {
				t.Errorf("a token whose %s is the %s: %d %s, want 401", c.name, what, status, answer)
			}
			n++
		}
	}
	return n
}

// signed is a POST of body, signed with the SDK's signer for service and
// region with the given credentials, whatever they are. to is the Invoke
// API's path, or "/" and a management operation's name.
func (k *apiLeakKit) signed(t *testing.T, to, body, service, region, id, secret string) *http.Request {
	t.Helper()
	path, op, cognito := "/", "", !strings.HasPrefix(to, "/2015-03-31/")
	if cognito {
		op = strings.TrimPrefix(to, "/")
	} else {
		path = to
	}
	req, err := http.NewRequest("POST", k.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if cognito {
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	}
	sum := sha256.Sum256([]byte(body))
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: id, SecretAccessKey: secret},
		req, hex.EncodeToString(sum[:]), service, region, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func (k *apiLeakKit) withHeader(req *http.Request, name, value string) *http.Request {
	req.Header.Set(name, value)
	return req
}

// roundTrip sends req and returns the status and body.
func roundTrip(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// assertNotLogged fails if out holds a secret in any form; and if it does
// not record the refusals, values shown by their length, so that the test
// cannot pass by logging nothing.
func (k *apiLeakKit) assertNotLogged(t *testing.T, out string, refused apiRefusals) {
	t.Helper()
	forms := map[string]string{}
	for what, s := range k.secrets {
		for form, enc := range encodings(s) {
			forms[enc] = what + ", " + form
		}
	}
	leaks := 0
	for line := range strings.Lines(out) {
		for enc, what := range forms {
			if strings.Contains(line, enc) {
				leaks++
				t.Errorf("the server's output holds the %s in:\n%s", what, line)
				break
			}
		}
	}
	if leaks > 0 {
		t.Errorf("%d lines of the server's output hold a secret", leaks)
	}
	for msg, want := range map[string]int{
		`"msg":"cognito api call refused"`: refused.cognito + refused.cognitoSigV4,
		`"msg":"lambda invoke refused"`:    refused.invoke,
		`"msg":"gateway: request refused"`: refused.gateway,
	} {
		if got := strings.Count(out, msg); got < want {
			t.Errorf("%d lines %s for %d refused requests", got, msg, want)
		}
	}
	for _, want := range []string{
		`"message":"User pool client (51 bytes) does not exist."`,
		`"message":"Credential should have the form 'ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request'. Got '(`,
		`"reason":"invalid token: parse: alg (51 bytes) is not RS256, ES256 or EdDSA"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %s", want)
		}
	}
}
