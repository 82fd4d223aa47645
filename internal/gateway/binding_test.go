package gateway_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
)

// memReplay is a replay.Cache in a map, for the gateway's tests; fail
// makes it unable to answer.
type memReplay struct {
	mu   sync.Mutex
	seen map[string]time.Time
	fail bool
}

func (m *memReplay) Use(_ context.Context, key string, exp time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return false, errors.New("replay cache unreachable")
	}
	if m.seen == nil {
		m.seen = map[string]time.Time{}
	}
	if _, ok := m.seen[key]; ok {
		return false, nil
	}
	m.seen[key] = exp
	return true, nil
}

// dpopKey is a client's DPoP key.
type dpopKey struct {
	priv *ecdsa.PrivateKey
	jkt  string // RFC 7638 thumbprint
}

func newDPoPKey(tb testing.TB) dpopKey {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tp, err := (&jose.JSONWebKey{Key: &k.PublicKey}).Thumbprint(crypto.SHA256)
	if err != nil {
		tb.Fatal(err)
	}
	return dpopKey{k, base64.RawURLEncoding.EncodeToString(tp)}
}

// proofClaims are a DPoP proof's claims (RFC 9449 §4.2) for a request to
// htu with method htm, at t0, bound to token (ath).
func proofClaims(htm, htu, token, jti string) map[string]any {
	ath := sha256.Sum256([]byte(token))
	return map[string]any{
		"jti": jti, "htm": htm, "htu": htu, "iat": t0.Unix(),
		"ath": base64.RawURLEncoding.EncodeToString(ath[:]),
	}
}

// proof signs claims as a DPoP proof (typ dpop+jwt, the public key in
// jwk: RFC 9449 §4.2) with k, by alg.
func (k dpopKey) proof(tb testing.TB, c map[string]any) string {
	tb.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k.priv},
		(&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt"))
	if err != nil {
		tb.Fatal(err)
	}
	return sign(tb, s, c)
}

// unsignedProof is a proof with alg none (RFC 9449 §4.3 check 5 forbids it).
func (k dpopKey) unsignedProof(c map[string]any) string {
	jwk, _ := json.Marshal(jose.JSONWebKey{Key: &k.priv.PublicKey})
	payload, _ := json.Marshal(c)
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"typ":"dpop+jwt","alg":"none","jwk":`+string(jwk)+`}`)) + "." + enc(payload) + "."
}

// hmacProof is a proof with a MAC (RFC 9449 §4.3 check 5 forbids it).
func (k dpopKey) hmacProof(tb testing.TB, c map[string]any) string {
	tb.Helper()
	jwk, _ := json.Marshal(jose.JSONWebKey{Key: &k.priv.PublicKey})
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("0123456789abcdef0123456789abcdef")},
		(&jose.SignerOptions{}).WithType("dpop+jwt").WithHeader("jwk", json.RawMessage(jwk)))
	if err != nil {
		tb.Fatal(err)
	}
	return sign(tb, s, c)
}

// x5t is a certificate's x5t#S256 (RFC 8705 §3.1): the base64url SHA-256
// of its DER.
func x5t(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// randText returns a random jti.
func randText() string { return rand.Text() }

// selfSigned returns a client certificate.
func selfSigned(tb testing.TB, cn string) *x509.Certificate {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: t0.Add(-time.Hour), NotAfter: t0.Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// bindingAPI adds the routes of the binding tests to the test API.
func bindingAPI(api *tollgate.RestAPI, o *gateway.Options, rp *memReplay) {
	authz := api.Routes[1].Authorizer
	mock := tollgate.Integration{Type: tollgate.IntegrationMock}
	api.Routes = append(api.Routes,
		tollgate.Route{ResourcePath: "/dpop-only", Method: "GET", Authorizer: authz, AuthorizationScopes: []string{scope}, Integration: mock, RequireBinding: tollgate.BindingDPoP},
		tollgate.Route{ResourcePath: "/mtls-only", Method: "GET", Authorizer: authz, AuthorizationScopes: []string{scope}, Integration: mock, RequireBinding: tollgate.BindingMTLS},
		tollgate.Route{ResourcePath: "/bound", Method: "GET", Authorizer: authz, AuthorizationScopes: []string{scope}, Integration: mock, RequireBinding: tollgate.BindingAny},
	)
	o.Replay = rp
	o.ClientCert = func(r *http.Request) (*x509.Certificate, error) {
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
			return nil, nil
		}
		return r.TLS.PeerCertificates[0], nil
	}
}

// bindingFixture is an env whose API declares bindings (bindingAPI), two
// DPoP keys, two client certificates, and tokens of poolA bound to key,
// bound to cert, and bound to neither.
type bindingFixture struct {
	e                       *env
	rp                      *memReplay
	key, other              dpopKey
	cert, otherCert         *x509.Certificate
	dpopTok, certTok, plain string
}

func newBindingFixture(t *testing.T) *bindingFixture {
	f := &bindingFixture{rp: &memReplay{}, key: newDPoPKey(t), other: newDPoPKey(t),
		cert: selfSigned(t, "client"), otherCert: selfSigned(t, "other")}
	f.e = newEnv(t, func(api *tollgate.RestAPI, o *gateway.Options) { bindingAPI(api, o, f.rp) })
	good := claims(issuerOf(poolA))
	f.dpopTok = mint(t, keyA, keyA.kid, with(good, "cnf", map[string]any{"jkt": f.key.jkt}))
	f.certTok = mint(t, keyA, keyA.kid, with(good, "cnf", map[string]any{"x5t#S256": x5t(f.cert)}))
	f.plain = mint(t, keyA, keyA.kid, good)
	return f
}

// bindingRequest is GET target with auth, the DPoP proofs and, when c is
// not nil, c as the TLS client certificate.
func bindingRequest(target, auth string, proofs []string, c *x509.Certificate) *http.Request {
	r := request("GET", execHost, target, "")
	r.Header.Set("Authorization", auth)
	for _, p := range proofs {
		r.Header.Add("DPoP", p)
	}
	if c != nil {
		r.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{c}}
	}
	return r
}

// TestGatewayBinding: sender-constrained tokens on an API that declares
// nothing: a token bound to a DPoP key needs a proof of it (RFC 9449 §7.1,
// §4.3), one bound to a certificate that certificate (RFC 8705 §3);
// refusals are API Gateway's 401 with RFC 9449 §7.1 / RFC 6750 §3
// challenges of the refused scheme.
func TestGatewayBinding(t *testing.T) {
	f := newBindingFixture(t)
	e, rp, key, other, cert, otherCert := f.e, f.rp, f.key, f.other, f.cert, f.otherCert
	dpopTok, certTok, plain := f.dpopTok, f.certTok, f.plain
	const (
		htu    = "http://" + execHost + "/prod/mock"
		algs   = `algs="ES256 ES384 ES512 RS256 PS256 EdDSA"`
		unauth = `{"message":"Unauthorized"}`
	)
	pc := func(mod ...any) map[string]any {
		return with(proofClaims("GET", htu, dpopTok, "j-"+randText()), mod...)
	}
	invalidProof := func(desc string) string {
		return `DPoP error="invalid_dpop_proof", error_description="` + desc + `", ` + algs
	}
	replayed := key.proof(t, pc())
	tests := []struct {
		name   string
		target string
		auth   string
		proofs []string
		cert   *x509.Certificate
		status int
		// challenge is the WWW-Authenticate value; prefix compares its
		// start only (the description of a proof's refusal is the
		// verifier's).
		challenge string
		prefix    bool
	}{
		{name: "DPoP-bound token with a valid proof (RFC 9449 §7.1)", target: "/prod/mock", auth: "DPoP " + dpopTok, proofs: []string{key.proof(t, pc())}, status: 200},
		{name: "scheme in lower case (RFC 9110 §11.1)", target: "/prod/mock", auth: "dpop " + dpopTok, proofs: []string{key.proof(t, pc())}, status: 200},
		{name: "DPoP-bound token as a Bearer token (RFC 9449 §7.2)", target: "/prod/mock", auth: "Bearer " + dpopTok, proofs: []string{key.proof(t, pc())}, status: 401,
			challenge: `DPoP error="invalid_token", error_description="a DPoP-bound token must be sent with the DPoP scheme", ` + algs},
		{name: "raw DPoP-bound token (RFC 9449 §7.2)", target: "/prod/mock", auth: dpopTok, proofs: []string{key.proof(t, pc())}, status: 401,
			challenge: `DPoP error="invalid_token", error_description="a DPoP-bound token must be sent with the DPoP scheme", ` + algs},
		{name: "no proof (RFC 9449 §4.3 check 1)", target: "/prod/mock", auth: "DPoP " + dpopTok, status: 401, challenge: `DPoP error="invalid_dpop_proof"`, prefix: true},
		{name: "two proofs (RFC 9449 §4.3 check 1)", target: "/prod/mock", auth: "DPoP " + dpopTok, proofs: []string{key.proof(t, pc()), key.proof(t, pc())}, status: 401, challenge: `DPoP error="invalid_dpop_proof"`, prefix: true},
		{name: "proof for another method (check 8)", target: "/prod/mock", auth: "DPoP " + dpopTok, proofs: []string{key.proof(t, pc("htm", "POST"))}, status: 401, challenge: `DPoP error="invalid_dpop_proof"`, prefix: true},
		{name: "proof for another URL (check 9)", target: "/prod/mock", auth: "DPoP " + dpopTok, proofs: []string{key.proof(t, pc("htu", "http://"+execHost+"/prod/x"))}, status: 401, challenge: `DPoP error="invalid_dpop_proof"`, prefix: true},
		{name: "proof for the path without its stage", target: "/prod/mock", auth: "DPoP " + dpopTok, proofs: []string{key.proof(t, pc("htu", "http://"+execHost+"/mock"))}, status: 401, challenge: `DPoP error="invalid_dpop_proof"`, prefix: true},
		{name: "stale iat (check 11)", target: "/prod/mock", auth: "DPoP " + dpopTok, proofs: []string{key.proof(t, pc("iat", t0.Add(-2*time.Minute).Unix()))}, status: 401, challenge: `DPoP error="invalid_dpop_proof"`, prefix: true},
		{name: "ath of another token (check 10)", target: "/prod/mock", auth: "DPoP " + dpopTok, proofs: []string{key.proof(t, pc("ath", base64.RawURLEncoding.EncodeToString(make([]byte, 32))))}, status: 401, challenge: `DPoP error="invalid_dpop_proof"`, prefix: true},
		{name: "proof of another key (check 12)", target: "/prod/mock", auth: "DPoP " + dpopTok, proofs: []string{other.proof(t, pc())}, status: 401,
			challenge: invalidProof("the proof's key is not the token's")},
		{name: "alg none (check 5)", target: "/prod/mock", auth: "DPoP " + dpopTok, proofs: []string{key.unsignedProof(pc())}, status: 401, challenge: `DPoP error="invalid_dpop_proof"`, prefix: true},
		{name: "HS256 (check 5)", target: "/prod/mock", auth: "DPoP " + dpopTok, proofs: []string{key.hmacProof(t, pc())}, status: 401, challenge: `DPoP error="invalid_dpop_proof"`, prefix: true},
		{name: "replayed proof: first use", target: "/prod/mock", auth: "DPoP " + dpopTok, proofs: []string{replayed}, status: 200},
		{name: "replayed proof: second use (RFC 9449 §11.1)", target: "/prod/mock", auth: "DPoP " + dpopTok, proofs: []string{replayed}, status: 401, challenge: `DPoP error="invalid_dpop_proof"`, prefix: true},
		// A route declaring nothing: refused as API Gateway refuses a
		// value that is no token (TestGatewayDPoPSchemeUndeclared).
		{name: "token without cnf with the DPoP scheme (RFC 9449 §7.2)", target: "/prod/mock", auth: "DPoP " + plain, proofs: []string{key.proof(t, pc())}, status: 401},
		{name: "token without cnf with the DPoP scheme, route requires dpop (RFC 9449 §7.2)", target: "/prod/dpop-only", auth: "DPoP " + plain,
			proofs: []string{key.proof(t, pc("htu", "http://"+execHost+"/prod/dpop-only"))}, status: 401,
			challenge: `DPoP error="invalid_token", error_description="the token is not DPoP-bound", ` + algs},
		{name: "token without cnf with the DPoP scheme, route requires any (RFC 9449 §7.2)", target: "/prod/bound", auth: "DPoP " + plain, status: 401,
			challenge: `DPoP error="invalid_token", error_description="the token is not DPoP-bound", ` + algs},
		{name: "certificate-bound token with its certificate (RFC 8705 §3)", target: "/prod/mock", auth: "Bearer " + certTok, cert: cert, status: 200},
		{name: "certificate-bound token without a certificate", target: "/prod/mock", auth: "Bearer " + certTok, status: 401,
			challenge: `Bearer error="invalid_token", error_description="the token is bound to a client certificate the request did not present"`},
		{name: "certificate-bound token with another certificate", target: "/prod/mock", auth: "Bearer " + certTok, cert: otherCert, status: 401,
			challenge: `Bearer error="invalid_token", error_description="the token is bound to another client certificate"`},
		{name: "route requires dpop: DPoP-bound token", target: "/prod/dpop-only", auth: "DPoP " + dpopTok, proofs: []string{key.proof(t, pc("htu", "http://"+execHost+"/prod/dpop-only"))}, status: 200},
		{name: "route requires dpop: bearer token", target: "/prod/dpop-only", auth: "Bearer " + plain, status: 401,
			challenge: `DPoP error="invalid_token", error_description="the token is not DPoP-bound", ` + algs},
		{name: "route requires dpop: certificate-bound token", target: "/prod/dpop-only", auth: "Bearer " + certTok, cert: cert, status: 401,
			challenge: `DPoP error="invalid_token", error_description="the token is not DPoP-bound", ` + algs},
		{name: "route requires mtls: certificate-bound token", target: "/prod/mtls-only", auth: "Bearer " + certTok, cert: cert, status: 200},
		{name: "route requires mtls: bearer token", target: "/prod/mtls-only", auth: "Bearer " + plain, status: 401,
			challenge: `Bearer error="invalid_token", error_description="the token is not bound to a client certificate"`},
		{name: "route requires any: certificate-bound token", target: "/prod/bound", auth: "Bearer " + certTok, cert: cert, status: 200},
		{name: "route requires any: bearer token", target: "/prod/bound", auth: "Bearer " + plain, status: 401,
			challenge: `Bearer error="invalid_token", error_description="the token is not sender-constrained"`},
		{name: "bearer token, nothing required: unchanged", target: "/prod/mock", auth: "Bearer " + plain, status: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := e.do(bindingRequest(tt.target, tt.auth, tt.proofs, tt.cert))
			if w.Code != tt.status {
				t.Fatalf("%d %s, want %d", w.Code, w.Body, tt.status)
			}
			if tt.status != 401 {
				return
			}
			if w.Body.String() != unauth {
				t.Errorf("body %s, want API Gateway's %s", w.Body, unauth)
			}
			got := w.Header().Values("WWW-Authenticate")
			if tt.challenge == "" {
				if len(got) != 0 {
					t.Errorf("WWW-Authenticate %q, want none (API Gateway's)", got)
				}
				return
			}
			if len(got) != 1 || (!tt.prefix && got[0] != tt.challenge) || (tt.prefix && !strings.HasPrefix(got[0], tt.challenge)) {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.challenge)
			}
			if tt.prefix && !strings.HasSuffix(got[0], algs) {
				t.Errorf("WWW-Authenticate %q lacks %s (RFC 9449 §7.1)", got, algs)
			}
		})
	}

	// The replay cache cannot answer: the server's failure, 503.
	rp.mu.Lock()
	rp.fail = true
	rp.mu.Unlock()
	r := request("GET", execHost, "/prod/mock", "")
	r.Header.Set("Authorization", "DPoP "+dpopTok)
	r.Header.Set("DPoP", key.proof(t, pc()))
	if w := e.do(r); w.Code != 503 || w.Header().Get("WWW-Authenticate") != "" {
		t.Errorf("replay cache down: %d %s %q, want 503", w.Code, w.Body, w.Header().Get("WWW-Authenticate"))
	}
}

// TestGatewayBindingPathStyle: the proof's htu is the URL as the client
// sent it, /apis/{id}/{stage} included (RFC 9449 §4.3 check 9), and behind
// a proxy the scheme and host Options.ExternalURL says.
func TestGatewayBindingPathStyle(t *testing.T) {
	rp := &memReplay{}
	e := newEnv(t, func(api *tollgate.RestAPI, o *gateway.Options) {
		bindingAPI(api, o, rp)
		o.ExternalURL = func(*http.Request) string { return "https://api.example.com" }
	})
	key := newDPoPKey(t)
	tok := mint(t, keyA, keyA.kid, with(claims(issuerOf(poolA)), "cnf", map[string]any{"jkt": key.jkt}))
	for _, c := range []struct {
		htu    string
		status int
	}{
		{"https://api.example.com/apis/" + apiID + "/prod/mock", 200},
		{"https://api.example.com/prod/mock", 401},
		{"http://127.0.0.1:8080/apis/" + apiID + "/prod/mock", 401},
	} {
		r := request("GET", "127.0.0.1:8080", "/apis/"+apiID+"/prod/mock", "")
		r.Header.Set("Authorization", "DPoP "+tok)
		r.Header.Set("DPoP", key.proof(t, proofClaims("GET", c.htu, tok, randText())))
		if w := e.do(r); w.Code != c.status {
			t.Errorf("htu %s: %d %s, want %d", c.htu, w.Code, w.Body, c.status)
		}
	}
}

// protectedAPI declares the test API a protected resource.
func protectedAPI(pr tollgate.ProtectedResource) func(*tollgate.RestAPI, *gateway.Options) {
	return func(api *tollgate.RestAPI, o *gateway.Options) {
		api.Resource = &pr
		o.Replay = &memReplay{}
	}
}

// TestGatewayProtectedResource: an API's audiences (RFC 8707 §3), its
// binding requirement and the challenges of its 401s, with
// resource_metadata (RFC 9728 §5.1) and both schemes (RFC 9449 §7.1).
func TestGatewayProtectedResource(t *testing.T) {
	const aud = "https://api.example.com/orders"
	keys(t)
	good := claims(issuerOf(poolA))
	withAud := mint(t, keyA, keyA.kid, with(good, "aud", aud))
	noAud := mint(t, keyA, keyA.kid, good)
	otherAud := mint(t, keyA, keyA.kid, with(good, "aud", []string{"https://other.example.com", "x"}))
	const (
		rm   = `resource_metadata="http://127.0.0.1:8080/.well-known/oauth-protected-resource/apis/` + apiID + `/prod"`
		algs = `algs="ES256 ES384 ES512 RS256 PS256 EdDSA"`
	)
	tests := []struct {
		name   string
		pr     tollgate.ProtectedResource
		token  string
		status int
		want   []string
	}{
		{"audience held", tollgate.ProtectedResource{Audiences: []string{aud}}, withAud, 200, nil},
		{"audience in an array", tollgate.ProtectedResource{Audiences: []string{"x"}}, otherAud, 200, nil},
		{"no aud", tollgate.ProtectedResource{Audiences: []string{aud}}, noAud, 401, []string{
			`Bearer error="invalid_token", error_description="the token's audience is not this resource"`, "DPoP " + algs}},
		{"another aud", tollgate.ProtectedResource{Audiences: []string{aud}}, otherAud, 401, []string{
			`Bearer error="invalid_token", error_description="the token's audience is not this resource"`, "DPoP " + algs}},
		{"no token, metadata served (RFC 6750 §3.1: no error)", tollgate.ProtectedResource{Metadata: true}, "", 401, []string{
			"Bearer " + rm, "DPoP " + algs + ", " + rm}},
		{"invalid token, metadata served", tollgate.ProtectedResource{Metadata: true}, "garbage", 401, []string{
			`Bearer error="invalid_token", error_description="the access token is not valid", ` + rm, "DPoP " + algs + ", " + rm}},
		{"missing scope: Cognito's 401, metadata served", tollgate.ProtectedResource{Metadata: true}, mint(t, keyA, keyA.kid, with(good, "scope", "other/read")), 401, []string{
			`Bearer error="invalid_token", error_description="the access token is not valid", ` + rm, "DPoP " + algs + ", " + rm}},
		{"expired: Cognito's message (gateway response EXPIRED_TOKEN)", tollgate.ProtectedResource{}, mint(t, keyA, keyA.kid, with(good, "exp", t0.Unix()-1)), 401, []string{
			`Bearer error="invalid_token", error_description="the access token expired"`, "DPoP " + algs}},
		{"API requires dpop: bearer token", tollgate.ProtectedResource{RequireBinding: tollgate.BindingDPoP, Metadata: true}, noAud, 401, []string{
			`DPoP error="invalid_token", error_description="the token is not DPoP-bound", ` + algs + ", " + rm}},
		{"API requires mtls: no token", tollgate.ProtectedResource{RequireBinding: tollgate.BindingMTLS}, "", 401, []string{"Bearer"}},
		{"API's algorithms", tollgate.ProtectedResource{DPoPAlgorithms: []string{"ES256"}}, "", 401, []string{"Bearer", `DPoP algs="ES256"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, protectedAPI(tt.pr))
			w := e.do(request("GET", "127.0.0.1:8080", "/apis/"+apiID+"/prod/mock", tt.token))
			if w.Code != tt.status {
				t.Fatalf("%d %s, want %d", w.Code, w.Body, tt.status)
			}
			if got := w.Header().Values("WWW-Authenticate"); !slices.Equal(got, tt.want) {
				t.Errorf("WWW-Authenticate\n%q, want\n%q", got, tt.want)
			}
			if want := `{"message":"Unauthorized"}`; strings.HasPrefix(tt.name, "expired") {
				if w.Body.String() != `{"message":"The incoming token has expired"}` {
					t.Errorf("body %s, want API Gateway's", w.Body)
				}
			} else if tt.status == 401 && w.Body.String() != want {
				t.Errorf("body %s, want API Gateway's", w.Body)
			}
		})
	}
}

// TestGatewayResourceMetadata: RFC 9728 §3's document, at the well-known
// URL of the API's identifier (§3.1).
func TestGatewayResourceMetadata(t *testing.T) {
	e := newEnv(t, func(api *tollgate.RestAPI, o *gateway.Options) {
		protectedAPI(tollgate.ProtectedResource{Metadata: true, Name: "Orders", RequireBinding: tollgate.BindingDPoP})(api, o)
		// DPoP-bound tokens only: certificate-bound ones are not taken,
		// whatever the gateway can check.
		o.ClientCert = func(*http.Request) (*x509.Certificate, error) { return nil, nil }
		o.AuthDomain = func(host string) bool { return host == "auth.example.com" }
	})
	withCert := newEnv(t, func(api *tollgate.RestAPI, o *gateway.Options) {
		protectedAPI(tollgate.ProtectedResource{Metadata: true})(api, o)
		o.ClientCert = func(*http.Request) (*x509.Certificate, error) { return nil, nil }
	})
	declared := newEnv(t, protectedAPI(tollgate.ProtectedResource{
		Metadata: true, Identifier: "https://api.example.com/orders/", Scopes: []string{"orders/read"},
		AuthorizationServers: []string{"https://auth.example.com"}, RequireBinding: tollgate.BindingMTLS,
	}))
	declaredDoc := map[string]any{
		"resource":                                   "https://api.example.com/orders/",
		"authorization_servers":                      []any{"https://auth.example.com"},
		"scopes_supported":                           []any{"orders/read"},
		"bearer_methods_supported":                   []any{"header"},
		"tls_client_certificate_bound_access_tokens": true,
	}
	tests := []struct {
		name       string
		e          *env
		method     string
		host, path string
		want       map[string]any // nil: not answered
	}{
		{"path style", e, "GET", "127.0.0.1:8080", "/.well-known/oauth-protected-resource/apis/" + apiID + "/prod", map[string]any{
			"resource":                          "http://127.0.0.1:8080/apis/" + apiID + "/prod",
			"authorization_servers":             []any{issuerOf(poolA), issuerOf(poolB)},
			"scopes_supported":                  []any{scope},
			"bearer_methods_supported":          []any{"header"},
			"resource_name":                     "Orders",
			"dpop_signing_alg_values_supported": []any{"ES256", "ES384", "ES512", "RS256", "PS256", "EdDSA"},
			"dpop_bound_access_tokens_required": true,
		}},
		{"execute-api host", e, "GET", execHost, "/.well-known/oauth-protected-resource/prod", map[string]any{
			"resource":                          "http://" + execHost + "/prod",
			"authorization_servers":             []any{issuerOf(poolA), issuerOf(poolB)},
			"scopes_supported":                  []any{scope},
			"bearer_methods_supported":          []any{"header"},
			"resource_name":                     "Orders",
			"dpop_signing_alg_values_supported": []any{"ES256", "ES384", "ES512", "RS256", "PS256", "EdDSA"},
			"dpop_bound_access_tokens_required": true,
		}},
		{"below the stage", e, "GET", execHost, "/.well-known/oauth-protected-resource/prod/mock", nil},
		{"unknown stage", e, "GET", execHost, "/.well-known/oauth-protected-resource/test", nil},
		{"another well-known", e, "GET", execHost, "/.well-known/oauth-protected-resourcex/prod", nil},
		// RFC 9728 §3.1: the well-known segment between the host and the
		// path, whose trailing slash stays (only a slash right after the
		// host is removed).
		{"declared identifier", declared, "GET", "api.example.com", "/.well-known/oauth-protected-resource/orders/", declaredDoc},
		{"declared identifier: without its trailing slash", declared, "GET", "api.example.com", "/.well-known/oauth-protected-resource/orders", nil},
		// At the stage's URL too, on the hosts that reach it (where a
		// client knowing only the API's URL looks, RFC 9728 §3.1), the
		// resource still the identifier.
		{"declared identifier: at the stage's URL", declared, "GET", execHost, "/.well-known/oauth-protected-resource/prod", declaredDoc},
		{"declared identifier: at the stage's URL, path style", declared, "GET", "127.0.0.1:8080", "/.well-known/oauth-protected-resource/apis/" + apiID + "/prod", declaredDoc},
		{"declared identifier: path style on a pool's auth domain", declared, "GET", "mypool.auth.us-east-1.localhost", "/.well-known/oauth-protected-resource/apis/" + apiID + "/prod", nil},
		// On a host that reaches the API (a proxy forwarding its
		// execute-api host), and on no other.
		{"declared identifier: the API's execute-api host", declared, "GET", execHost, "/.well-known/oauth-protected-resource/orders/", declaredDoc},
		{"declared identifier: an unrelated host", declared, "GET", "127.0.0.1:8080", "/.well-known/oauth-protected-resource/orders/", nil},
		{"declared identifier: a pool's auth domain", declared, "GET", "mypool.auth.us-east-1.localhost", "/.well-known/oauth-protected-resource/orders/", nil},
		{"declared identifier: another API's host", declared, "GET", "other00001.execute-api.us-east-1.localhost", "/.well-known/oauth-protected-resource/orders/", nil},
		// Path style on the server's own host only: a pool's auth domain
		// (prefix form, or one Options.AuthDomain names) answers as
		// before, the gateway declining.
		{"path style: a pool's prefix domain", e, "GET", "mypool.auth.us-east-1.localhost", "/.well-known/oauth-protected-resource/apis/" + apiID + "/prod", nil},
		{"path style: a pool's custom domain", e, "GET", "auth.example.com", "/.well-known/oauth-protected-resource/apis/" + apiID + "/prod", nil},
		{"path style: another API's host", e, "GET", "other00001.execute-api.us-east-1.localhost", "/.well-known/oauth-protected-resource/apis/" + apiID + "/prod", nil},
		// RFC 9728 §2, RFC 8705 §3: certificate-bound tokens are checked
		// whenever a client certificate source is set.
		{"certificate-bound tokens checked", withCert, "GET", "127.0.0.1:8080", "/.well-known/oauth-protected-resource/apis/" + apiID + "/prod", map[string]any{
			"resource":                                   "http://127.0.0.1:8080/apis/" + apiID + "/prod",
			"authorization_servers":                      []any{issuerOf(poolA), issuerOf(poolB)},
			"scopes_supported":                           []any{scope},
			"bearer_methods_supported":                   []any{"header"},
			"dpop_signing_alg_values_supported":          []any{"ES256", "ES384", "ES512", "RS256", "PS256", "EdDSA"},
			"tls_client_certificate_bound_access_tokens": true,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := request(tt.method, tt.host, tt.path, "")
			w := httptest.NewRecorder()
			ok := tt.e.gw.ServeResourceMetadata(w, r)
			if tt.want == nil {
				if ok {
					t.Fatalf("answered %d %s", w.Code, w.Body)
				}
				return
			}
			if !ok || w.Code != 200 || w.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("%v %d %q %s", ok, w.Code, w.Header().Get("Content-Type"), w.Body)
			}
			var got map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			gb, _ := json.Marshal(got)
			wb, _ := json.Marshal(tt.want)
			if string(gb) != string(wb) {
				t.Errorf("document\n%s, want\n%s", gb, wb)
			}
		})
	}
	// The 401's resource_metadata is the same URL, trailing slash kept
	// (RFC 9728 §5.1, §3.1).
	w401 := declared.do(request("GET", execHost, "/prod/mock", ""))
	if got := w401.Header().Get("WWW-Authenticate"); w401.Code != 401 ||
		!strings.Contains(got, `resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/orders/"`) {
		t.Errorf("401: %d %q", w401.Code, got)
	}
	// HEAD: the headers alone (RFC 9110 §9.3.2).
	w := httptest.NewRecorder()
	if !e.gw.ServeResourceMetadata(w, request("HEAD", execHost, "/.well-known/oauth-protected-resource/prod", "")) || w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Length") == "" {
		t.Errorf("HEAD: %d %q %q", w.Code, w.Body, w.Header())
	}
	if w := httptest.NewRecorder(); !e.gw.ServeResourceMetadata(w, request("POST", execHost, "/.well-known/oauth-protected-resource/prod", "")) || w.Code != 405 {
		t.Errorf("POST: %d", w.Code)
	}
}

// TestGatewayBindingUndeclared: an API declaring nothing and tokens
// without cnf answer as before, WWW-Authenticate included (none by
// default, as API Gateway).
func TestGatewayBindingUndeclared(t *testing.T) {
	e := newEnv(t, nil)
	plain := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	for _, c := range []struct {
		auth   string
		status int
	}{
		{"Bearer " + plain, 200},
		{plain, 200},
		{"", 401},
		{"Bearer garbage", 401},
	} {
		r := request("GET", execHost, "/prod/mock", "")
		if c.auth != "" {
			r.Header.Set("Authorization", c.auth)
		}
		w := e.do(r)
		if w.Code != c.status || w.Header().Get("WWW-Authenticate") != "" {
			t.Errorf("%.20q: %d %q", c.auth, w.Code, w.Header().Get("WWW-Authenticate"))
		}
	}
}

// TestGatewayDPoPSchemeUndeclared: on routes requiring no binding, of an
// API declaring no ProtectedResource, a value with the DPoP scheme whose
// token is not DPoP-bound is refused (RFC 9449 §7.2) with the answer such
// a value got before Tollgate read the scheme, API Gateway's for a value
// that is no token: the scheme's name read as part of it. REST: 401
// {"message":"Unauthorized"}, no WWW-Authenticate (unless
// Options.Challenge), for an expired token too, not EXPIRED_TOKEN's
// message; an HTTP API: its JWT authorizer's challenge of a malformed
// token (http-api-troubleshooting-jwt.html's form; the description is
// golang-jwt's wording, refusalDescriptions). No DPoP challenge.
func TestGatewayDPoPSchemeUndeclared(t *testing.T) {
	keys(t)
	local := claims(issuerOf(poolA))
	plain := mint(t, keyA, keyA.kid, local)
	expired := mint(t, keyA, keyA.kid, with(local, "exp", t0.Add(-time.Second).Unix()))
	certBound := mint(t, keyA, keyA.kid, with(local, "cnf", map[string]any{"x5t#S256": x5t(selfSigned(t, "client"))}))
	const unauth = `{"message":"Unauthorized"}`
	values := []string{"DPoP " + plain, "dpop  " + plain, " DPoP " + plain + " ", "DPoP " + expired, "DPoP " + certBound}

	rest := newEnv(t, func(_ *tollgate.RestAPI, o *gateway.Options) { o.Replay = &memReplay{} })
	challenged := newEnv(t, func(_ *tollgate.RestAPI, o *gateway.Options) { o.Challenge, o.Replay = true, &memReplay{} })
	httpAPI := newHTTPJWTEnv(t, func(o *gateway.Options) { o.Replay = &memReplay{} })
	for _, c := range []struct {
		name      string
		do        func(auth string) *httptest.ResponseRecorder
		challenge []string
	}{
		{"REST", func(auth string) *httptest.ResponseRecorder {
			r := request("GET", execHost, "/prod/mock", "")
			r.Header.Set("Authorization", auth)
			return rest.do(r)
		}, nil},
		{"REST, Options.Challenge", func(auth string) *httptest.ResponseRecorder {
			r := request("GET", execHost, "/prod/mock", "")
			r.Header.Set("Authorization", auth)
			return challenged.do(r)
		}, []string{`Bearer realm="` + apiID + `", error="invalid_token", error_description="the access token is not valid"`}},
		{"HTTP API", func(auth string) *httptest.ResponseRecorder { return httpAPI.getAuth("/scoped", auth) },
			[]string{invalidToken("token is malformed")}},
	} {
		for _, v := range values {
			w := c.do(v)
			if w.Code != 401 || w.Body.String() != unauth || !slices.Equal(w.Header().Values("WWW-Authenticate"), c.challenge) {
				t.Errorf("%s, %.12q: %d %s %q, want 401 %s %q", c.name, v, w.Code, w.Body, w.Header().Values("WWW-Authenticate"), unauth, c.challenge)
			}
		}
	}
}

// TestHTTPAPIProtectedResource: an HTTP API's JWT authorizer: a bound
// token's cnf is read (RFC 7800 §3.1), and the www-authenticate values
// AWS sends gain resource_metadata (RFC 9728 §5.1), beside the DPoP
// challenge (RFC 9449 §7.1).
func TestHTTPAPIProtectedResource(t *testing.T) {
	keys(t)
	e := newEnv(t, func(api *tollgate.RestAPI, o *gateway.Options) {
		cfg := &tollgate.JWTConfiguration{Issuers: []tollgate.JWTIssuer{{PoolID: poolA, Audiences: []string{clientA}}}}
		authz := &tollgate.Authorizer{Name: "jwt", Type: tollgate.AuthorizerJWT, IdentitySource: "$request.header.Authorization", JWT: cfg}
		api.Protocol = tollgate.ProtocolHTTP
		api.Stages = []tollgate.Stage{{Name: tollgate.DefaultStageName}}
		api.DomainNames = nil
		api.Routes = []tollgate.Route{{ResourcePath: "/orders", Method: "GET", Authorizer: authz,
			Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://upstream.internal/"}}}
		api.Resource = &tollgate.ProtectedResource{Metadata: true}
		o.Replay = &memReplay{}
	})
	const (
		rm   = `resource_metadata="http://` + execHost + `/.well-known/oauth-protected-resource"`
		dpop = `DPoP algs="ES256 ES384 ES512 RS256 PS256 EdDSA", ` + rm
	)
	key := newDPoPKey(t)
	good := claims(issuerOf(poolA))
	for _, c := range []struct {
		name, auth string
		status     int
		want       []string
	}{
		{"bearer token", "Bearer " + mint(t, keyA, keyA.kid, good), 200, nil},
		{"no token", "", 401, []string{"Bearer " + rm, dpop}},
		// http-api-troubleshooting-jwt.html's value, completed.
		{"malformed token", "Bearer garbage", 401, []string{invalidToken("token contains an invalid number of segments") + " " + rm, dpop}},
		{"DPoP-bound token as a bearer token", "Bearer " + mint(t, keyA, keyA.kid, with(good, "cnf", map[string]any{"jkt": key.jkt})), 401, []string{
			`DPoP error="invalid_token", error_description="a DPoP-bound token must be sent with the DPoP scheme", algs="ES256 ES384 ES512 RS256 PS256 EdDSA", ` + rm,
			"Bearer " + rm}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := e.getAuth("/orders", c.auth)
			if w.Code != c.status {
				t.Fatalf("%d %s, want %d", w.Code, w.Body, c.status)
			}
			if got := w.Header().Values("WWW-Authenticate"); !slices.Equal(got, c.want) {
				t.Errorf("www-authenticate\n%q, want\n%q", got, c.want)
			}
		})
	}
	w := httptest.NewRecorder()
	if !e.gw.ServeResourceMetadata(w, request("GET", execHost, "/.well-known/oauth-protected-resource", "")) ||
		w.Body.String() != `{"resource":"http://`+execHost+`","authorization_servers":["`+issuerOf(poolA)+`"],"bearer_methods_supported":["header"],"dpop_signing_alg_values_supported":["ES256","ES384","ES512","RS256","PS256","EdDSA"]}` {
		t.Errorf("metadata: %d %s", w.Code, w.Body)
	}
}
