package token_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/replay"
	"github.com/tollgate/tollgate/internal/token"
)

// apiID is the identifier of a resource server named by a URI, the kind a
// resource indicator may name (RFC 8707 §2).
const apiID = "https://api.tollgate.test"

// tokenURL is where the tests' token requests are sent, as the client sees
// it: the htu of their DPoP proofs (RFC 9449 §4.2).
const tokenURL = "https://auth.tollgate.test/oauth2/token"

// failingReplay is a replay cache that cannot answer, as a Redis that is
// down.
type failingReplay struct{}

func (failingReplay) Use(context.Context, string, time.Time) (bool, error) {
	return false, errors.New("redis down")
}

// oauthClients is the store's clients with the extensions beyond Cognito
// the test declares for some of them.
type oauthClients struct {
	token.Clients
	oauth map[string]tollgate.ClientOAuth
}

func (c oauthClients) GetClient(ctx context.Context, id string) (*tollgate.Client, error) {
	cl, err := c.Clients.GetClient(ctx, id)
	if err != nil {
		return nil, err
	}
	if o, ok := c.oauth[id]; ok {
		cp := *cl
		cp.OAuth = o
		return &cp, nil
	}
	return cl, nil
}

// ext is what a test declares beyond Cognito.
type ext struct {
	pool    tollgate.PoolOAuth
	clients map[string]tollgate.ClientOAuth
	replay  replay.Cache // nil: a replay.Local on the fixture's clock
	cert    func(r *http.Request) ([]*x509.Certificate, error)
}

// extEndpoint returns an endpoint on f's store with the pool's extensions
// and the clients' of x, and the resource servers of the store, as the
// catalog hands them out.
func (f *fixture) extEndpoint(t testing.TB, x ext) *token.Endpoint {
	t.Helper()
	if x.replay == nil {
		l := replay.NewLocal(0)
		l.Now = f.clock.Now
		x.replay = l
	}
	opts := token.Options{
		Clients: oauthClients{f.st, x.clients}, Signer: f.signer, Keys: f.signer, Revocations: f.st, Vault: f.vault,
		Issuer: func(_ *http.Request, poolID string) string { return issuer(poolID) },
		Now:    f.clock.Now, Logger: slog.New(slog.DiscardHandler),
		Pool: func(poolID string) (*tollgate.UserPool, bool) {
			p, err := f.st.GetPool(context.Background(), poolID)
			if err != nil {
				return nil, false
			}
			p.OAuth = x.pool
			return p, true
		},
		ResourceServers: func(poolID string) []tollgate.ResourceServer {
			list, err := f.st.ListResourceServers(context.Background(), poolID)
			if err != nil {
				t.Errorf("list resource servers: %v", err)
			}
			out := make([]tollgate.ResourceServer, len(list))
			for i, rs := range list {
				out[i] = *rs
			}
			return out
		},
		Replay:     x.replay,
		ClientCert: x.cert,
	}
	return token.New(opts)
}

// addAPI adds to f's pool the resource server apiID (scopes read and
// write) and a client allowed apiID/read and default/default.
func (f *fixture) addAPI(t testing.TB) testClient {
	t.Helper()
	err := f.st.PutResourceServer(f.ctx, &tollgate.ResourceServer{
		PoolID: f.pool.ID, Identifier: apiID, Name: "api",
		Scopes:    []tollgate.Scope{{Name: "read", Description: "r"}, {Name: "write", Description: "w"}},
		CreatedAt: t0, UpdatedAt: t0,
	})
	if err != nil {
		t.Fatal(err)
	}
	return f.createClient(f.pool, "api-client", []string{tollgate.FlowClientCredentials},
		[]string{apiID + "/read", "default/default"}, tollgate.NewClientSecret())
}

// post sends a token request of client c to ep in process, with the form
// kv and the DPoP headers proofs, and returns the answer.
func post(t testing.TB, ep *token.Endpoint, c testClient, proofs []string, kv ...string) *httptest.ResponseRecorder {
	t.Helper()
	body := form(append([]string{"grant_type", "client_credentials"}, kv...)...)
	r := httptest.NewRequest(http.MethodPost, tokenURL, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Authorization", basic(c.ID, c.secret()))
	for _, p := range proofs {
		r.Header.Add("DPoP", p)
	}
	w := httptest.NewRecorder()
	ep.ServeToken(w, r)
	return w
}

// tokenAnswer is a successful token response.
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	TokenType   string `json:"token_type"`
}

func okAnswer(t testing.TB, w *httptest.ResponseRecorder) tokenAnswer {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var a tokenAnswer
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
		t.Fatalf("%v: %s", err, w.Body)
	}
	return a
}

func errAnswer(t testing.TB, w *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	var e map[string]string
	_ = json.Unmarshal(w.Body.Bytes(), &e)
	if w.Code != status || e["error"] != code {
		t.Errorf("got %d %s, want %d %s", w.Code, w.Body, status, code)
	}
}

// proofKey is a DPoP key pair with its public JWK and its RFC 7638
// thumbprint, computed here from the JWK's required members in
// lexicographic order (RFC 7638 §3.2), independently of the server's code.
type proofKey struct {
	alg string
	key any // *ecdsa.PrivateKey or ed25519.PrivateKey
	jwk map[string]any
	jkt string
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func newProofKey(t testing.TB, alg string) proofKey {
	t.Helper()
	var k proofKey
	var members string
	switch alg {
	case "ES256":
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := priv.PublicKey.ECDH()
		if err != nil {
			t.Fatal(err)
		}
		raw := pub.Bytes() // 0x04 || X || Y (SEC 1 §2.3.3)
		x, y := b64(raw[1:33]), b64(raw[33:])
		k = proofKey{alg: alg, key: priv, jwk: map[string]any{"kty": "EC", "crv": "P-256", "x": x, "y": y}}
		members = `{"crv":"P-256","kty":"EC","x":"` + x + `","y":"` + y + `"}`
	case "EdDSA":
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		x := b64(pub)
		k = proofKey{alg: alg, key: priv, jwk: map[string]any{"kty": "OKP", "crv": "Ed25519", "x": x}}
		members = `{"crv":"Ed25519","kty":"OKP","x":"` + x + `"}`
	default:
		t.Fatalf("alg %s", alg)
	}
	sum := sha256.Sum256([]byte(members))
	k.jkt = b64(sum[:])
	return k
}

// proofClaims are a DPoP proof's claims (RFC 9449 §4.2) for a token
// request at now.
func proofClaims(now time.Time) map[string]any {
	return map[string]any{"jti": uuid.NewString(), "htm": "POST", "htu": tokenURL, "iat": now.Unix()}
}

// sign makes a compact JWS (RFC 7515 §7.1) of header and claims, signed as
// alg says with key: the proofs are assembled here so that the hostile
// ones can say anything.
func sign(t testing.TB, alg string, key any, header, claims map[string]any) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	input := b64(h) + "." + b64(c)
	var sig []byte
	switch alg {
	case "ES256": // RFC 7518 §3.4: R || S, 32 bytes each
		sum := sha256.Sum256([]byte(input))
		r, s, err := ecdsa.Sign(rand.Reader, key.(*ecdsa.PrivateKey), sum[:])
		if err != nil {
			t.Fatal(err)
		}
		sig = append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	case "EdDSA": // RFC 8037 §3.1
		sig = ed25519.Sign(key.(ed25519.PrivateKey), []byte(input))
	case "HS256": // RFC 7518 §3.2
		m := hmac.New(sha256.New, key.([]byte))
		m.Write([]byte(input))
		sig = m.Sum(nil)
	case "none": // RFC 7518 §3.6
	}
	return input + "." + b64(sig)
}

// proof is a valid DPoP proof of k for a token request at now, with
// change applied to its claims.
func (k proofKey) proof(t testing.TB, now time.Time, change func(map[string]any)) string {
	t.Helper()
	c := proofClaims(now)
	if change != nil {
		change(c)
	}
	return sign(t, k.alg, k.key, map[string]any{"typ": "dpop+jwt", "alg": k.alg, "jwk": k.jwk}, c)
}

// TestDPoPBoundToken: a pool with DPoP binds the tokens of requests
// carrying a valid proof to the proof's key: token_type DPoP (RFC 9449 §5)
// and cnf.jkt, the key's RFC 7638 thumbprint (RFC 9449 §6.1).
func TestDPoPBoundToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ep := f.extEndpoint(t, ext{pool: tollgate.PoolOAuth{DPoP: &tollgate.DPoPPolicy{}}})
	for _, alg := range []string{"ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			k := newProofKey(t, alg)
			a := okAnswer(t, post(t, ep, f.m2m, []string{k.proof(t, t0, nil)}))
			if a.TokenType != "DPoP" {
				t.Errorf("token_type %q, want DPoP (RFC 9449 §5)", a.TokenType)
			}
			cnf, _ := payload(t, a.AccessToken)["cnf"].(map[string]any)
			if cnf["jkt"] != k.jkt || len(cnf) != 1 {
				t.Errorf("cnf %v, want {jkt: %s} (RFC 9449 §6.1)", cnf, k.jkt)
			}
		})
	}
	t.Run("without a proof the token is a bearer token", func(t *testing.T) {
		a := okAnswer(t, post(t, ep, f.m2m, nil))
		if a.TokenType != "Bearer" {
			t.Errorf("token_type %q", a.TokenType)
		}
		if _, ok := payload(t, a.AccessToken)["cnf"]; ok {
			t.Error("unbound token has cnf")
		}
	})
}

// TestDPoPProofRefused: proofs RFC 9449 §4.3 says to refuse are answered
// 400 invalid_dpop_proof (§5.2) and no token is issued.
func TestDPoPProofRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ep := f.extEndpoint(t, ext{pool: tollgate.PoolOAuth{DPoP: &tollgate.DPoPPolicy{MaxAge: time.Minute}}})
	k := newProofKey(t, "ES256")
	replayed := k.proof(t, t0, nil)
	okAnswer(t, post(t, ep, f.m2m, []string{replayed}))
	header := func(alg string) map[string]any { return map[string]any{"typ": "dpop+jwt", "alg": alg, "jwk": k.jwk} }
	privateJWK := map[string]any{}
	for n, v := range k.jwk {
		privateJWK[n] = v
	}
	d, err := k.key.(*ecdsa.PrivateKey).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	privateJWK["d"] = b64(d)
	cases := []struct {
		name   string
		proofs []string
	}{
		{"replayed proof (§4.3 check 12, §11.1)", []string{replayed}},
		{"htm GET (§4.3 check 8)", []string{k.proof(t, t0, func(c map[string]any) { c["htm"] = "GET" })}},
		{"htu of another path (§4.3 check 9)", []string{k.proof(t, t0, func(c map[string]any) { c["htu"] = "https://auth.tollgate.test/oauth2/revoke" })}},
		{"htu of another host (§4.3 check 9)", []string{k.proof(t, t0, func(c map[string]any) { c["htu"] = "https://evil.test/oauth2/token" })}},
		{"stale iat (§4.3 check 11)", []string{k.proof(t, t0.Add(-2*time.Minute), nil)}},
		{"iat in the future (§4.3 check 11)", []string{k.proof(t, t0.Add(time.Minute), nil)}},
		{"alg none (§4.3 check 5)", []string{sign(t, "none", nil, header("none"), proofClaims(t0))}},
		{"HS256 (§4.3 check 5)", []string{sign(t, "HS256", []byte("0123456789abcdef0123456789abcdef"), header("HS256"), proofClaims(t0))}},
		{"private key in jwk (§4.3 check 6)", []string{sign(t, "ES256", k.key, map[string]any{"typ": "dpop+jwt", "alg": "ES256", "jwk": privateJWK}, proofClaims(t0))}},
		{"typ not dpop+jwt (§4.3 check 4)", []string{sign(t, "ES256", k.key, map[string]any{"typ": "JWT", "alg": "ES256", "jwk": k.jwk}, proofClaims(t0))}},
		{"two DPoP headers (§4.3 check 1)", []string{k.proof(t, t0, nil), k.proof(t, t0, nil)}},
		{"not a JWT (§4.3 check 2)", []string{"not-a-jwt"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := post(t, ep, f.m2m, c.proofs)
			errAnswer(t, w, http.StatusBadRequest, "invalid_dpop_proof")
		})
	}
}

// TestDPoPPolicy: what a client and a pool declare decides whether a proof
// is required, checked or ignored.
func TestDPoPPolicy(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	k := newProofKey(t, "ES256")
	requireDPoP := map[string]tollgate.ClientOAuth{f.m2m.ID: {RequireDPoP: true}}

	t.Run("a client requiring DPoP without a proof is refused (RFC 9449 §5.2)", func(t *testing.T) {
		ep := f.extEndpoint(t, ext{pool: tollgate.PoolOAuth{DPoP: &tollgate.DPoPPolicy{}}, clients: requireDPoP})
		w := post(t, ep, f.m2m, nil)
		errAnswer(t, w, http.StatusBadRequest, "invalid_dpop_proof")
		if !strings.Contains(w.Body.String(), "must be DPoP-bound") {
			t.Errorf("description: %s", w.Body)
		}
		if a := okAnswer(t, post(t, ep, f.m2m, []string{k.proof(t, t0, nil)})); a.TokenType != "DPoP" {
			t.Errorf("token_type %q", a.TokenType)
		}
	})
	t.Run("a pool without DPoP ignores the header, as Cognito does", func(t *testing.T) {
		ep := f.extEndpoint(t, ext{})
		w := post(t, ep, f.m2m, []string{"not-a-jwt", "twice"})
		a := okAnswer(t, w)
		if a.TokenType != "Bearer" {
			t.Errorf("token_type %q", a.TokenType)
		}
		if tokenBody.Find(w.Body.Bytes()) == nil {
			t.Errorf("not Cognito's answer: %s", w.Body)
		}
		if _, ok := payload(t, a.AccessToken)["cnf"]; ok {
			t.Error("cnf in a Cognito pool's token")
		}
	})
	t.Run("an algorithm the pool does not accept (RFC 9449 §4.3 check 5)", func(t *testing.T) {
		ep := f.extEndpoint(t, ext{pool: tollgate.PoolOAuth{DPoP: &tollgate.DPoPPolicy{Algorithms: []string{"EdDSA"}}}})
		errAnswer(t, post(t, ep, f.m2m, []string{k.proof(t, t0, nil)}), http.StatusBadRequest, "invalid_dpop_proof")
	})
	t.Run("a replay cache that fails refuses the proof, 503", func(t *testing.T) {
		ep := f.extEndpoint(t, ext{pool: tollgate.PoolOAuth{DPoP: &tollgate.DPoPPolicy{}}, replay: failingReplay{}})
		errAnswer(t, post(t, ep, f.m2m, []string{k.proof(t, t0, nil)}), http.StatusServiceUnavailable, "temporarily_unavailable")
	})
}

// selfSigned returns a TLS client certificate and its key.
func selfSigned(t testing.TB, cn string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: t0.Add(-time.Hour), NotAfter: t0.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// TestCertificateBoundToken: a certificate-bound client's token carries
// cnf.x5t#S256, the SHA-256 of the DER of the TLS client certificate of
// the request (RFC 8705 §3.1), and stays a Bearer token (RFC 8705 §3);
// over a connection without a client certificate it gets none. The server
// is a real TLS server asking for client certificates, as the mTLS
// listener does.
func TestCertificateBoundToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ep := f.extEndpoint(t, ext{
		clients: map[string]tollgate.ClientOAuth{f.m2m.ID: {CertificateBound: true}},
		cert: func(r *http.Request) ([]*x509.Certificate, error) {
			if r.TLS == nil {
				return nil, nil
			}
			return r.TLS.PeerCertificates, nil
		},
	})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(ep.ServeToken))
	srv.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	cert := selfSigned(t, "m2m")
	sum := sha256.Sum256(cert.Leaf.Raw)
	want := b64(sum[:])

	do := func(t *testing.T, certs []tls.Certificate) (int, []byte) {
		tr := srv.Client().Transport.(*http.Transport).Clone()
		tr.TLSClientConfig.Certificates = certs
		c := &http.Client{Transport: tr}
		t.Cleanup(c.CloseIdleConnections)
		r, err := http.NewRequest(http.MethodPost, srv.URL+"/oauth2/token", strings.NewReader(form("grant_type", "client_credentials")))
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Authorization", basic(f.m2m.ID, f.m2m.secret()))
		resp, err := c.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, b
	}
	t.Run("with a certificate", func(t *testing.T) {
		status, body := do(t, []tls.Certificate{cert})
		if status != 200 {
			t.Fatalf("status %d: %s", status, body)
		}
		var a tokenAnswer
		if err := json.Unmarshal(body, &a); err != nil {
			t.Fatal(err)
		}
		if a.TokenType != "Bearer" {
			t.Errorf("token_type %q, want Bearer (RFC 8705 §3)", a.TokenType)
		}
		cnf, _ := payload(t, a.AccessToken)["cnf"].(map[string]any)
		if cnf["x5t#S256"] != want || len(cnf) != 1 {
			t.Errorf("cnf %v, want {x5t#S256: %s} (RFC 8705 §3.1)", cnf, want)
		}
	})
	t.Run("without a certificate", func(t *testing.T) {
		status, body := do(t, nil)
		var e map[string]string
		_ = json.Unmarshal(body, &e)
		if status != 400 || e["error"] != "invalid_request" {
			t.Errorf("got %d %s, want 400 invalid_request", status, body)
		}
	})
}

// TestDPoPAndCertificateBound: a token may be bound both ways; its cnf then
// has both members (RFC 7800 §3.1 allows several confirmation methods).
func TestDPoPAndCertificateBound(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cert := selfSigned(t, "m2m")
	ep := f.extEndpoint(t, ext{
		pool:    tollgate.PoolOAuth{DPoP: &tollgate.DPoPPolicy{}},
		clients: map[string]tollgate.ClientOAuth{f.m2m.ID: {CertificateBound: true}},
		cert:    func(*http.Request) ([]*x509.Certificate, error) { return []*x509.Certificate{cert.Leaf}, nil },
	})
	k := newProofKey(t, "EdDSA")
	a := okAnswer(t, post(t, ep, f.m2m, []string{k.proof(t, t0, nil)}))
	sum := sha256.Sum256(cert.Leaf.Raw)
	cnf, _ := payload(t, a.AccessToken)["cnf"].(map[string]any)
	if cnf["jkt"] != k.jkt || cnf["x5t#S256"] != b64(sum[:]) || a.TokenType != "DPoP" {
		t.Errorf("token_type %s, cnf %v", a.TokenType, cnf)
	}
}

// TestResourceIndicator: resource (RFC 8707 §2) names the resource server
// the token is for; the token's aud is its identifier. Amazon Cognito
// announced resource indicators for its authorization code and implicit
// grants, setting "the audience claim set to the specific resource"
// (https://cloudsteak.com/aws-amazon-cognito-now-supports-resource-indicators-to-simplify-enhancing-protection-of-oauth-2-0-resources,
// and the developer guide's "Resource binding" section,
// https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-define-resource-servers.html);
// its error answers are not documented, so Tollgate answers RFC 8707's
// invalid_target. Only in a pool with ResourceIndicators: see
// TestResourceIgnored.
func TestResourceIndicator(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	api := f.addAPI(t)
	ep := f.extEndpoint(t, ext{pool: tollgate.PoolOAuth{ResourceIndicators: true}})
	t.Run("valid: aud is the resource, scopes are its own", func(t *testing.T) {
		for _, c := range []struct {
			kv    []string
			scope string
		}{
			{[]string{"resource", apiID}, apiID + "/read"},
			{[]string{"resource", apiID, "scope", apiID + "/read"}, apiID + "/read"},
		} {
			a := okAnswer(t, post(t, ep, api, nil, c.kv...))
			p := payload(t, a.AccessToken)
			if p["aud"] != apiID || p["scope"] != c.scope {
				t.Errorf("%v: aud %v scope %v, want %s, %s (RFC 8707 §2)", c.kv, p["aud"], p["scope"], apiID, c.scope)
			}
		}
	})
	t.Run("without resource the token is Cognito's", func(t *testing.T) {
		w := post(t, ep, api, nil)
		a := okAnswer(t, w)
		if _, ok := payload(t, a.AccessToken)["aud"]; ok {
			t.Errorf("aud without resource: %s", w.Body)
		}
	})
	cases := []struct {
		name string
		c    testClient
		kv   []string
		code string
	}{
		{"unknown resource", api, []string{"resource", "https://unknown.tollgate.test"}, "invalid_target"},
		{"a resource of which the client may use no scope", f.m2m, []string{"resource", apiID}, "invalid_target"},
		{"an identifier that is not an absolute URI (RFC 8707 §2)", api, []string{"resource", "default"}, "invalid_target"},
		{"a fragment (RFC 8707 §2)", api, []string{"resource", apiID + "#x"}, "invalid_target"},
		{"two resources: one token, one audience", api, []string{"resource", apiID, "resource", apiID}, "invalid_target"},
		{"scopes of another server (RFC 8707 §2.2)", api, []string{"resource", apiID, "scope", "default/default"}, "invalid_scope"},
		{"a scope of the resource the client may not use", api, []string{"resource", apiID, "scope", apiID + "/write"}, "invalid_scope"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errAnswer(t, post(t, ep, c.c, nil, c.kv...), http.StatusBadRequest, c.code)
		})
	}
}

// TestResourceIgnored: a pool without ResourceIndicators ignores resource,
// valid or not, repeated or not, as Cognito ignores it in client_credentials
// requests: "You can't request a resource binding with client-credentials
// M2M grants" (Amazon Cognito Developer Guide, "Scopes, M2M, and resource
// servers", Resource binding,
// https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-define-resource-servers.html),
// and any parameter it does not define (RFC 6749 §3.2). A pool issuing RFC
// 9068 tokens keeps its default aud, that of the granted scopes.
func TestResourceIgnored(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	api := f.addAPI(t)
	for _, c := range []struct {
		name string
		pool tollgate.PoolOAuth
		aud  any
	}{
		{"Cognito's pool", tollgate.PoolOAuth{}, nil},
		{"RFC 9068 pool", tollgate.PoolOAuth{AccessTokenJWT: true}, []any{apiID, "default"}},
	} {
		ep := f.extEndpoint(t, ext{pool: c.pool})
		for _, kv := range [][]string{
			{"resource", apiID},
			{"resource", "https://unknown.tollgate.test"},
			{"resource", "not a URI#x"},
			{"resource", apiID, "resource", apiID},
			{"resource", apiID, "resource", "https://unknown.tollgate.test"},
		} {
			p := payload(t, okAnswer(t, post(t, ep, api, nil, kv...)).AccessToken)
			got, _ := json.Marshal(p["aud"])
			want, _ := json.Marshal(c.aud)
			if string(got) != string(want) {
				t.Errorf("%s, %v: aud %s, want %s", c.name, kv, got, want)
			}
		}
	}
}

// TestAccessTokenJWTAudience: a pool issuing RFC 9068 tokens gives every
// token an aud (§2.2): the requested resource, or the identifiers of the
// resource servers of its scopes, in order, one as a string.
func TestAccessTokenJWTAudience(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	api := f.addAPI(t)
	ep := f.extEndpoint(t, ext{pool: tollgate.PoolOAuth{AccessTokenJWT: true, ResourceIndicators: true}})
	cases := []struct {
		kv  []string
		aud any
	}{
		{nil, []any{apiID, "default"}},
		{[]string{"scope", "default/default " + apiID + "/read"}, []any{"default", apiID}},
		{[]string{"scope", "default/default"}, "default"},
		{[]string{"resource", apiID}, apiID},
	}
	for _, c := range cases {
		p := payload(t, okAnswer(t, post(t, ep, api, nil, c.kv...)).AccessToken)
		got, _ := json.Marshal(p["aud"])
		want, _ := json.Marshal(c.aud)
		if string(got) != string(want) {
			t.Errorf("%v: aud %s, want %s (RFC 9068 §2.2)", c.kv, got, want)
		}
	}
}

// TestIntrospectBoundToken: introspection tells a bound token's cnf, and
// token_type DPoP for a DPoP-bound one (RFC 9449 §6.2, RFC 8705 §3.2), and
// the token's aud (RFC 7662 §2.2).
func TestIntrospectBoundToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	api := f.addAPI(t)
	ep := f.extEndpoint(t, ext{pool: tollgate.PoolOAuth{DPoP: &tollgate.DPoPPolicy{}, ResourceIndicators: true}})
	k := newProofKey(t, "ES256")
	tok := okAnswer(t, post(t, ep, api, []string{k.proof(t, t0, nil)}, "resource", apiID)).AccessToken
	r := httptest.NewRequest(http.MethodPost, "https://auth.tollgate.test/oauth2/introspect", strings.NewReader(form("token", tok)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Authorization", basic(f.m2m.ID, f.m2m.secret()))
	w := httptest.NewRecorder()
	ep.ServeIntrospect(w, r)
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil || w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	cnf, _ := m["cnf"].(map[string]any)
	if m["active"] != true || m["token_type"] != "DPoP" || cnf["jkt"] != k.jkt || m["aud"] != apiID {
		t.Errorf("introspection %s", w.Body)
	}
	// An unbound token's answer has neither.
	plain := f.introspect(t, f.m2m, f.issue(t, f.m2m))
	if _, ok := plain["cnf"]; ok || plain["token_type"] != "Bearer" {
		t.Errorf("plain token introspected as %v", plain)
	}
	if _, ok := plain["aud"]; ok {
		t.Errorf("plain token has aud: %v", plain)
	}
}
