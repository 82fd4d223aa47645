package e2e

import (
	"bufio"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/tollgate/tollgate/internal/function/functest"
)

// reClientCreds finds the id and secret of each client `tollgate dev` printed,
// in config order.
var reClientCreds = regexp.MustCompile(`(?m)^\s+Client id:\s+(\S+)\n\s+Client secret:\s+(\S+)`)

// gatewayStack is a tollgate process with two pools and an API whose
// authorizer trusts the first pool and an external issuer the test
// controls, in front of HTTP upstreams.
type gatewayStack struct {
	p        *proc
	tokenURL string
	apiURL   string
	issuer   string // the first pool's issuer
	// partner is a client of the first pool, stranger one of the second.
	partnerID, partnerSecret   string
	strangerID, strangerSecret string
	// extIssuer and extKey are the external issuer's iss and signing key.
	extIssuer string
	extKey    *rsa.PrivateKey
	// seen receives the headers of each request the /items upstream gets.
	seen chan http.Header
}

func startGatewayStack(t *testing.T) *gatewayStack {
	t.Helper()
	s := &gatewayStack{seen: make(chan http.Header, 16)}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			t.Errorf("upstream: reading the body: %v", err)
		}
		select {
		case s.seen <- r.Header.Clone():
		default:
		}
		w.Write([]byte("upstream ok"))
	}))
	t.Cleanup(up.Close)
	// The slow upstream answers only when the gateway gives up on it (the
	// proxy cancels the upstream request) or the test ends.
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })

	// The external issuer of the JWT authorizer: an OpenID discovery
	// document and a JWKS the test serves, with a key it holds.
	var err error
	if s.extKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	jwks := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &s.extKey.PublicKey, KeyID: "ext-1", Algorithm: "RS256", Use: "sig"}}}
	var ext *httptest.Server
	ext = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		var doc any = jwks
		if r.URL.Path == "/issuer/.well-known/openid-configuration" {
			doc = map[string]string{"issuer": s.extIssuer, "jwks_uri": ext.URL + "/jwks.json"}
		}
		if err := json.NewEncoder(w).Encode(doc); err != nil {
			t.Errorf("issuer server: %v", err)
		}
	}))
	t.Cleanup(ext.Close)
	s.extIssuer = ext.URL + "/issuer"

	dir := t.TempDir()
	cfg := filepath.Join(dir, "tollgate.yaml")
	writeFile(t, cfg, "userPools:\n"+partnerPool("api/read", "read")+`  - id: OtherPool
    resourceServers:
      - identifier: api
        userPoolResourceServerName: API
        scopes: [{scopeName: read, scopeDescription: Read}]
    clients:
      - id: Stranger
        generateSecret: true
        oAuth: {flows: {clientCredentials: true}, scopes: [api/read]}
restApis:
  - id: Api
    authorizers:
      - id: Auth
        cognitoUserPools: [Pool]
      - id: Ext
        type: JWT
        jwtConfiguration: {defaultAlgorithms: [RS256], issuers: [{issuer: "`+s.extIssuer+`", audiences: [api]}]}
    resources:
      - path: /items
        methods:
          - {httpMethod: ANY, authorizer: Auth, authorizationScopes: [api/read], integration: {type: HTTP_PROXY, uri: "`+up.URL+`/items"}}
      - path: /ext-items
        methods:
          - {httpMethod: GET, authorizer: Ext, authorizationScopes: [api/read], integration: {type: HTTP_PROXY, uri: "`+up.URL+`/items"}}
      - path: /slow
        methods:
          - {httpMethod: GET, authorizer: Auth, authorizationScopes: [api/read], integration: {type: HTTP_PROXY, uri: "`+slow.URL+`/", timeout: 100ms}}
`)
	s.p, _ = startDev(t, dir, "--config", cfg)
	out := s.p.Output()
	s.tokenURL = reTokenURL.FindStringSubmatch(out)[1]
	s.issuer = reIssuer.FindStringSubmatch(out)[1]
	s.apiURL = reAPIURL.FindStringSubmatch(out)[1]
	creds := reClientCreds.FindAllStringSubmatch(out, -1)
	if len(creds) != 2 {
		t.Fatalf("dev printed %d clients, want 2:\n%s", len(creds), out)
	}
	s.partnerID, s.partnerSecret = creds[0][1], creds[0][2]
	s.strangerID, s.strangerSecret = creds[1][1], creds[1][2]
	return s
}

// externalToken signs claims for the external issuer, expiring at exp.
func (s *gatewayStack) externalToken(t *testing.T, exp time.Time) string {
	t.Helper()
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: s.extKey},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "ext-1"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(sig).Claims(map[string]any{
		"sub": "ext-client", "client_id": "ext-client", "aud": "api", "token_use": "access", "scope": "api/read",
		"iss": s.extIssuer, "iat": exp.Add(-time.Hour).Unix(), "exp": exp.Unix(), "jti": "ext-jti",
	}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// hs256WithPublicKey forges the classic algorithm-confusion token: the
// claims of a valid token, alg HS256 and the pool's kid, "signed" with the
// pool's public key as the HMAC secret. A verifier that let the token pick
// its algorithm would accept it.
func hs256WithPublicKey(t *testing.T, issuer, valid string) []string {
	t.Helper()
	parts := strings.Split(valid, ".")
	var hdr struct {
		Kid string `json:"kid"`
	}
	b, _ := base64.RawURLEncoding.DecodeString(parts[0])
	unmarshal(t, string(b), &hdr)
	set := fetchJWKS(t, issuer+"/.well-known/jwks.json")
	keys := set.Key(hdr.Kid)
	if len(keys) != 1 {
		t.Fatalf("kid %q not in the pool's JWKS", hdr.Kid)
	}
	pub := keys[0].Key.(*rsa.PublicKey)
	pkix, _ := x509.MarshalPKIXPublicKey(pub)
	secrets := [][]byte{
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix}),
		pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub)}),
		pkix,
	}
	var out []string
	head := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"alg":"HS256","kid":%q,"typ":"JWT"}`, hdr.Kid)))
	for _, secret := range secrets {
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(head + "." + parts[1]))
		out = append(out, head+"."+parts[1]+"."+base64.RawURLEncoding.EncodeToString(mac.Sum(nil)))
	}
	return out
}

// TestGatewayResponseRows covers the rows of the gateway-response table
// that need more than the seed stack: an algorithm-confusion token,
// another pool's token, an expired token, an oversized body and a slow
// upstream.
func TestGatewayResponseRows(t *testing.T) {
	s := startGatewayStack(t)
	tok := getToken(t, s.tokenURL, s.partnerID, s.partnerSecret)
	stranger := getToken(t, s.tokenURL, s.strangerID, s.strangerSecret)

	// The tokens the refusals are made of are good ones where they come
	// from: the pool's token and the external issuer's unexpired token pass.
	if resp, body := call(t, "GET", s.apiURL+"items", "Bearer "+tok, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("pool token: %s %s", resp.Status, body)
	}
	if resp, body := call(t, "GET", s.apiURL+"ext-items", "Bearer "+s.externalToken(t, time.Now().Add(time.Hour)), nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("external issuer's token: %s %s", resp.Status, body)
	}

	type row struct {
		name, method, path, auth string
		status                   int
		message, errorType       string
	}
	var rows []row
	for i, forged := range hs256WithPublicKey(t, s.issuer, tok) {
		rows = append(rows, row{fmt.Sprintf("HS256 signed with the public key #%d", i), "GET", "items", "Bearer " + forged, 401, "Unauthorized", "UnauthorizedException"})
	}
	rows = append(rows,
		row{"another pool's token", "GET", "items", "Bearer " + stranger, 401, "Unauthorized", "UnauthorizedException"},
		// An expired token at a JWT authorizer: 401 {"message":"Unauthorized"}
		// (contract apigw-beyond.md §1.6, unverified on AWS).
		row{"expired", "GET", "ext-items", "Bearer " + s.externalToken(t, time.Now().Add(-time.Hour)), 401, "Unauthorized", "UnauthorizedException"},
		row{"upstream slow", "GET", "slow", "Bearer " + tok, 504, "Endpoint request timed out", "InternalServerErrorException"},
	)
	for _, tc := range rows {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := call(t, tc.method, s.apiURL+tc.path, tc.auth, nil)
			checkGatewayResponse(t, resp, body, tc.status, tc.message, tc.errorType)
		})
	}

	t.Run("oversized body", func(t *testing.T) {
		// A Content-Length over 10 MiB is refused before the body is read
		// (and before the token is looked at), so a raw request that sends
		// none gets the answer without uploading 10 MiB.
		u := strings.TrimPrefix(s.apiURL, "http://")
		host, path, _ := strings.Cut(u, "/")
		conn, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /%sitems HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n",
			path, host, tok, 10<<20+1)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || resp.Header.Get("x-amzn-RequestId") == "" || !strings.Contains(string(body), `"message"`) {
			t.Errorf("got %s %s", resp.Status, body)
		}
	})
}

func checkGatewayResponse(t *testing.T, resp *http.Response, body []byte, status int, message, errorType string) {
	t.Helper()
	var msg struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(body, &msg) // a body that is not JSON fails the check below, which shows it
	if resp.StatusCode != status || msg.Message != message || resp.Header.Get("x-amzn-ErrorType") != errorType ||
		resp.Header.Get("x-amzn-RequestId") == "" || resp.Header.Get("x-amz-apigw-id") == "" {
		t.Errorf("got %s %s (type %q, headers %v), want %d %q %q", resp.Status, body, resp.Header.Get("x-amzn-ErrorType"), resp.Header, status, message, errorType)
	}
}

// TestOAuth2ClientCallsAPI is how a Go caller uses the seed's system: a
// clientcredentials.Config gets and attaches the token by itself through
// oauth2.Client, and the HTTP upstream learns which client called.
func TestOAuth2ClientCallsAPI(t *testing.T) {
	s := startGatewayStack(t)
	cc := clientcredentials.Config{ClientID: s.partnerID, ClientSecret: s.partnerSecret, TokenURL: s.tokenURL, Scopes: []string{"api/read"}}
	client := cc.Client(ctxTimeout(t))
	for i := range 2 { // the second call reuses the cached token
		resp, err := client.Get(s.apiURL + "items")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(body) != "upstream ok" {
			t.Fatalf("call %d: %s %s", i, resp.Status, body)
		}
		h := <-s.seen
		if got := h.Get("X-Tollgate-Client-Id"); got != s.partnerID {
			t.Errorf("call %d: upstream saw X-Tollgate-Client-Id %q, want %q", i, got, s.partnerID)
		}
		if got := h.Get("X-Tollgate-Scopes"); got != "api/read" {
			t.Errorf("call %d: upstream saw X-Tollgate-Scopes %q", i, got)
		}
	}
}

// TestGatewayAccessLog: each gateway request has one JSON access log line
// with its request id, client id, route, status, latency and bytes.
func TestGatewayAccessLog(t *testing.T) {
	s := startGatewayStack(t)
	tok := getToken(t, s.tokenURL, s.partnerID, s.partnerSecret)
	resp, body := call(t, "GET", s.apiURL+"items?q=zq-private-query", "Bearer "+tok, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("call: %s %s", resp.Status, body)
	}
	id := resp.Header.Get("x-amzn-RequestId")
	type line struct {
		Msg       string  `json:"msg"`
		RequestID string  `json:"request_id"`
		API       string  `json:"api"`
		Stage     string  `json:"stage"`
		Route     string  `json:"route"`
		ClientID  string  `json:"client_id"`
		Status    int     `json:"status"`
		Bytes     int     `json:"bytes"`
		Latency   float64 `json:"latency_ms"`
	}
	var got *line
	functest.Eventually(t, "the access log line of "+id, func() bool {
		for _, l := range strings.Split(s.p.Logs(), "\n") {
			var ln line
			if json.Unmarshal([]byte(l), &ln) == nil && ln.Msg == "request" && ln.RequestID == id {
				got = &ln
				return true
			}
		}
		return false
	})
	if got.Route != "ANY /items" || got.ClientID != s.partnerID || got.Stage != "prod" || got.API == "" ||
		got.Status != 200 || got.Bytes != len("upstream ok") || got.Latency <= 0 {
		t.Errorf("access log line %+v", *got)
	}
	if strings.Contains(s.p.Logs(), "zq-private-query") || strings.Contains(s.p.Logs(), tok) {
		t.Error("the access log holds the query string or the token")
	}
}

// TestGatewayExpectContinue: a client that waits for 100 Continue before
// sending its body gets it, then a final answer that still carries the
// gateway's request ids, and the access log records that answer's status,
// not the 100.
func TestGatewayExpectContinue(t *testing.T) {
	s := startGatewayStack(t)
	tok := getToken(t, s.tokenURL, s.partnerID, s.partnerSecret)
	got100 := false
	ctx := httptrace.WithClientTrace(ctxTimeout(t), &httptrace.ClientTrace{Got100Continue: func() { got100 = true }})
	req, err := http.NewRequestWithContext(ctx, "POST", s.apiURL+"items", strings.NewReader(`{"name":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Expect", "100-continue")
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Minute}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	id := resp.Header.Get("x-amzn-RequestId")
	if resp.StatusCode != http.StatusOK || string(body) != "upstream ok" || !got100 || id == "" || resp.Header.Get("x-amz-apigw-id") == "" {
		t.Fatalf("got %s %q, 100 Continue %v, headers %v", resp.Status, body, got100, resp.Header)
	}
	functest.Eventually(t, "the access log line of "+id, func() bool {
		for _, l := range strings.Split(s.p.Logs(), "\n") {
			var ln struct {
				Msg       string `json:"msg"`
				RequestID string `json:"request_id"`
				Status    int    `json:"status"`
			}
			if json.Unmarshal([]byte(l), &ln) == nil && ln.Msg == "request" && ln.RequestID == id {
				if ln.Status != http.StatusOK {
					t.Fatalf("access log status %d, want 200: %s", ln.Status, l)
				}
				return true
			}
		}
		return false
	})
}
