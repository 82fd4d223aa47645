package e2e

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tollgate/tollgate/internal/function/functest"
)

// The beyond-cognito example run by `tollgate dev` and driven by real
// clients: openid-client scripts (e2e/testdata/oauthclients/*.mjs, run by
// node), each printing what it got as JSON, and a Go client doing DPoP by
// hand with net/http and go-jose.

const (
	beyondConfig = "../examples/beyond-cognito/tollgate.yaml"
	// beyondResource is the resource server's identifier in the example,
	// which is also its API's identifier and audience.
	beyondResource = "https://api.beyond.example"
	// oauthClientsDir holds the Node clients and their lockfile.
	oauthClientsDir = "testdata/oauthclients"
)

// beyondInput is what the Node scripts are told about the running server
// (lib.mjs's input).
type beyondInput struct {
	Issuer      string `json:"issuer"`
	Credentials string `json:"credentials"`
	APIURL      string `json:"apiURL"`
	MTLSAPIURL  string `json:"mtlsAPIURL"`
	Resource    string `json:"resource"`
	MetadataURL string `json:"metadataURL"`
	Clients     struct {
		Key        string `json:"key"`
		MTLS       string `json:"mtls"`
		SelfSigned string `json:"selfsigned"`
		DPoP       string `json:"dpop"`
		DPoPSecret string `json:"dpopSecret"`
	} `json:"clients"`

	tokenURL string // the plain listener's token endpoint
	mtlsBase string // the mTLS listener's URL, "" when dev printed none
}

// nodeAnswer is lib.mjs's answer: an HTTP response as a script saw it.
type nodeAnswer struct {
	Status          int    `json:"status"`
	WWWAuthenticate string `json:"wwwAuthenticate"`
	ContentType     string `json:"contentType"`
	Body            string `json:"body"`
}

// nodeError is lib.mjs's errorOf: an error openid-client threw.
type nodeError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"errorDescription"`
	Status           int    `json:"status"`
	Message          string `json:"message"`
}

// nodeToken is a token a script received, decoded (not verified).
type nodeToken struct {
	TokenType string `json:"tokenType"`
	Header    struct {
		Alg string `json:"alg"`
		Typ string `json:"typ"`
		Kid string `json:"kid"`
	} `json:"header"`
	Claims struct {
		Aud      any               `json:"aud"`
		ClientID string            `json:"client_id"`
		Scope    string            `json:"scope"`
		Iss      string            `json:"iss"`
		TokenUse string            `json:"token_use"`
		Cnf      map[string]string `json:"cnf"`
	} `json:"claims"`
}

// audiences returns the aud claim as a list, whether a string or an array
// (RFC 7519 §4.1.3).
func (tok nodeToken) audiences() []string {
	switch a := tok.Claims.Aud.(type) {
	case string:
		return []string{a}
	case []any:
		out := make([]string, 0, len(a))
		for _, v := range a {
			s, _ := v.(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}

var (
	reBeyondClient  = regexp.MustCompile(`(?m)^  Client (\w+)\n    Client id:\s+(\S+)(?:\n    Client secret:\s+(\S+))?`)
	reBeyondAPIURL  = regexp.MustCompile(`(?m)^  API URL:\s+(\S+)`)
	reBeyondMTLS    = regexp.MustCompile(`(?m)^  mTLS endpoint:\s+(\S+)/oauth2/token`)
	reBeyondCredDir = regexp.MustCompile(`(?m)^Generated credentials \(kept across restarts\) in (\S+)`)
)

// needOAuthClients returns node, failing the test in CI and skipping it
// elsewhere when node or the Node clients' packages are not installed
// (.ci/run installs them with npm ci).
func needOAuthClients(t *testing.T) string {
	t.Helper()
	node := needProgram(t, "node")
	functest.NeedFile(t, filepath.Join(oauthClientsDir, "node_modules", "openid-client", "package.json"),
		"the Node OAuth 2 clients", "npm ci --prefix e2e/"+oauthClientsDir)
	return node
}

// startBeyond runs `tollgate dev` on the example and reads from its output
// what the clients need.
func startBeyond(t *testing.T) (*proc, beyondInput) {
	t.Helper()
	data := t.TempDir()
	p := start(t, nil, `^Stop with Ctrl-C`, "dev", "--config", beyondConfig, "--data", data, "--listen", "127.0.0.1:0", "--poll-interval", "100ms")
	// The extensions' part (generated credentials, DPoP, metadata) is
	// printed before the line start waits for.
	out := p.Output()
	if !strings.Contains(out, "API BeyondApi is the protected resource") {
		t.Fatalf("dev did not print the API's protected resource:\n%s", out)
	}
	var in beyondInput
	in.Resource = beyondResource
	if m := reIssuer.FindStringSubmatch(out); m != nil {
		in.Issuer = m[1]
	}
	if m := reTokenURL.FindStringSubmatch(out); m != nil {
		in.tokenURL = m[1]
	}
	if m := reBeyondAPIURL.FindStringSubmatch(out); m != nil {
		in.APIURL = strings.TrimSuffix(m[1], "/")
		// RFC 9728 §3.1: the well-known segment between the host and the
		// path of the API's URL, as the client reaches it here.
		if u, err := url.Parse(in.APIURL); err == nil {
			in.MetadataURL = u.Scheme + "://" + u.Host + "/.well-known/oauth-protected-resource" + u.Path
		}
	}
	if m := reBeyondCredDir.FindStringSubmatch(out); m != nil {
		in.Credentials = m[1]
	}
	for _, m := range reBeyondClient.FindAllStringSubmatch(out, -1) {
		switch m[1] {
		case "KeyClient":
			in.Clients.Key = m[2]
		case "MtlsClient":
			in.Clients.MTLS = m[2]
		case "SelfSignedClient":
			in.Clients.SelfSigned = m[2]
		case "DPoPClient":
			in.Clients.DPoP, in.Clients.DPoPSecret = m[2], m[3]
		}
	}
	if in.Issuer == "" || in.tokenURL == "" || in.APIURL == "" || in.Clients.Key == "" || in.Clients.MTLS == "" ||
		in.Clients.SelfSigned == "" || in.Clients.DPoP == "" || in.Clients.DPoPSecret == "" {
		t.Fatalf("dev output lacks the issuer, the API URL or a client:\n%s", out)
	}
	// dev writes the credentials under {data}/credentials (agreed layout).
	if want := filepath.Join(data, "credentials"); in.Credentials != want {
		t.Errorf("credentials in %q, want %q", in.Credentials, want)
		in.Credentials = want
	}
	if m := reBeyondMTLS.FindStringSubmatch(out); m != nil {
		in.mtlsBase = m[1]
		u, err := url.Parse(in.APIURL)
		if err != nil {
			t.Fatal(err)
		}
		in.MTLSAPIURL = in.mtlsBase + u.Path
	}
	return p, in
}

// runClient runs a Node client script with in and decodes what it prints
// into out.
func runClient(t *testing.T, node, script string, in beyondInput, out any) {
	t.Helper()
	arg, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script, string(arg))
	cmd.Dir = oauthClientsDir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s: %v\nstdout:\n%s\nstderr:\n%s", script, err, stdout.String(), stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("node %s printed no JSON result: %v\n%s\nstderr:\n%s", script, err, stdout.String(), stderr.String())
	}
}

// challengeError returns the error parameter of the WWW-Authenticate
// challenge of scheme (RFC 9110 §11.6.1), "" when it has none.
func challengeError(header, scheme string) string {
	re := regexp.MustCompile(`(?:^|,\s*)` + scheme + `\s+error="([^"]*)"`)
	if m := re.FindStringSubmatch(header); m != nil {
		return m[1]
	}
	return ""
}

// apiGatewayUnauthorized is the body of API Gateway's 401 (its
// UNAUTHORIZED gateway response, "Unauthorized"; docs.aws.amazon.com
// apigateway/latest/developerguide/supported-gateway-response-types.html).
const apiGatewayUnauthorized = `{"message":"Unauthorized"}`

// resourceMetadataParam is the resource_metadata parameter the API's 401
// challenges carry (RFC 9728 §5.1): the metadata URL of its identifier
// (§3.1).
const resourceMetadataParam = `resource_metadata="` + beyondResource + `/.well-known/oauth-protected-resource"`

func TestBeyondCognito(t *testing.T) {
	node := needOAuthClients(t)
	_, in := startBeyond(t)

	t.Run("private_key_jwt", func(t *testing.T) {
		var got struct {
			Discovery struct {
				Issuer                     string   `json:"issuer"`
				TokenEndpoint              string   `json:"token_endpoint"`
				JWKSURI                    string   `json:"jwks_uri"`
				AuthMethods                []string `json:"token_endpoint_auth_methods_supported"`
				AuthSigningAlgs            []string `json:"token_endpoint_auth_signing_alg_values_supported"`
				DPoPAlgs                   []string `json:"dpop_signing_alg_values_supported"`
				CertificateBound           bool     `json:"tls_client_certificate_bound_access_tokens"`
				RegistrationEndpoint       string   `json:"registration_endpoint"`
				IDTokenSigningAlgsProvided []string `json:"id_token_signing_alg_values_supported"`
			} `json:"discovery"`
			Token             nodeToken  `json:"token"`
			ResourceToken     nodeToken  `json:"resourceToken"`
			ForeignResource   nodeError  `json:"foreignResource"`
			AssertionFirst    nodeAnswer `json:"assertionFirst"`
			AssertionReplayed nodeAnswer `json:"assertionReplayed"`
		}
		runClient(t, node, "private_key_jwt.mjs", in, &got)

		// Discovery advertises what the pool supports (RFC 8414 §2; RFC
		// 9449 §5.1; RFC 8705 §3.3; RFC 7591 §3 via RFC 8414 §2).
		d := got.Discovery
		if d.Issuer != in.Issuer || d.TokenEndpoint != in.tokenURL {
			t.Errorf("discovery issuer %q token_endpoint %q, want %q and %q", d.Issuer, d.TokenEndpoint, in.Issuer, in.tokenURL)
		}
		for _, m := range []string{"private_key_jwt", "tls_client_auth", "self_signed_tls_client_auth", "client_secret_basic"} {
			if !slices.Contains(d.AuthMethods, m) {
				t.Errorf("token_endpoint_auth_methods_supported = %v, lacks %s", d.AuthMethods, m)
			}
		}
		if !slices.Contains(d.AuthSigningAlgs, "ES256") || slices.Contains(d.AuthSigningAlgs, "none") || slices.Contains(d.AuthSigningAlgs, "HS256") {
			t.Errorf("token_endpoint_auth_signing_alg_values_supported = %v, want asymmetric algorithms with ES256 (RFC 8414 §2 forbids none)", d.AuthSigningAlgs)
		}
		if !slices.Contains(d.DPoPAlgs, "ES256") {
			t.Errorf("dpop_signing_alg_values_supported = %v, want ES256 among them (RFC 9449 §5.1)", d.DPoPAlgs)
		}
		if !d.CertificateBound {
			t.Error("tls_client_certificate_bound_access_tokens is not true (RFC 8705 §3.3)")
		}
		if d.RegistrationEndpoint == "" {
			t.Error("no registration_endpoint, though the pool opens registration (RFC 8414 §2)")
		}

		// RFC 9068 §2.1: typ at+jwt; the pool signs with ES256; aud is the
		// resource server of the token's scopes (§2.2, RFC 8707 §2).
		for name, tok := range map[string]nodeToken{"token": got.Token, "token with resource": got.ResourceToken} {
			if tok.Header.Alg != "ES256" || tok.Header.Typ != "at+jwt" {
				t.Errorf("%s header alg %q typ %q, want ES256 and at+jwt", name, tok.Header.Alg, tok.Header.Typ)
			}
			if aud := tok.audiences(); !slices.Equal(aud, []string{beyondResource}) {
				t.Errorf("%s aud = %v, want [%s]", name, aud, beyondResource)
			}
			if tok.Claims.ClientID != in.Clients.Key || tok.Claims.Iss != in.Issuer || tok.Claims.TokenUse != "access" {
				t.Errorf("%s client_id %q iss %q token_use %q", name, tok.Claims.ClientID, tok.Claims.Iss, tok.Claims.TokenUse)
			}
			// openid-client lower-cases token_type (RFC 6749 §7.1: case
			// insensitive); not bound: Bearer, no cnf.
			if tok.TokenType != "bearer" || tok.Claims.Cnf != nil {
				t.Errorf("%s token_type %q cnf %v, want an unbound bearer token", name, tok.TokenType, tok.Claims.Cnf)
			}
		}
		// A resource the client may not use (RFC 8707 §2).
		if got.ForeignResource.Error != "invalid_target" {
			t.Errorf("foreign resource: %+v, want invalid_target (RFC 8707 §2)", got.ForeignResource)
		}
		// A replayed assertion (RFC 7523 §3 item 7; RFC 6749 §5.2).
		if got.AssertionFirst.Status != http.StatusOK {
			t.Errorf("first use of an assertion: %d %s", got.AssertionFirst.Status, got.AssertionFirst.Body)
		}
		if a := got.AssertionReplayed; (a.Status != http.StatusBadRequest && a.Status != http.StatusUnauthorized) || !strings.Contains(a.Body, `"error":"invalid_client"`) {
			t.Errorf("replayed assertion: %d %s, want invalid_client (RFC 6749 §5.2)", a.Status, a.Body)
		}
	})

	t.Run("dpop", func(t *testing.T) {
		var got struct {
			DPoPAlgs          []string              `json:"dpopAlgs"`
			WithoutProof      nodeError             `json:"withoutProof"`
			Token             nodeToken             `json:"token"`
			KeyThumbprint     string                `json:"keyThumbprint"`
			Call              nodeAnswer            `json:"call"`
			DPoPRoute         nodeAnswer            `json:"dpopRoute"`
			AsBearer          nodeAnswer            `json:"asBearer"`
			WithoutProofAtAPI nodeAnswer            `json:"withoutProofAtAPI"`
			Replayed          nodeAnswer            `json:"replayed"`
			Hostile           map[string]nodeAnswer `json:"hostile"`
			TokenEndpoint     map[string]nodeAnswer `json:"tokenEndpoint"`
		}
		runClient(t, node, "dpop.mjs", in, &got)

		// dpop_bound_access_tokens: a request without a proof is refused
		// (RFC 9449 §5.2).
		if got.WithoutProof.Error != "invalid_dpop_proof" {
			t.Errorf("token request without a proof: %+v, want invalid_dpop_proof", got.WithoutProof)
		}
		// RFC 9449 §5: token_type DPoP (lower-cased by openid-client);
		// §6.1: cnf.jkt is the proof key's RFC 7638 thumbprint.
		if got.Token.TokenType != "dpop" || got.Token.Claims.Cnf["jkt"] != got.KeyThumbprint || got.KeyThumbprint == "" {
			t.Errorf("token_type %q cnf %v, want dpop and jkt %q", got.Token.TokenType, got.Token.Claims.Cnf, got.KeyThumbprint)
		}
		if got.Token.Header.Typ != "at+jwt" || !slices.Equal(got.Token.audiences(), []string{beyondResource}) {
			t.Errorf("token typ %q aud %v", got.Token.Header.Typ, got.Token.audiences())
		}
		for name, a := range map[string]nodeAnswer{"/reports": got.Call, "/dpop": got.DPoPRoute} {
			if a.Status != http.StatusOK {
				t.Errorf("fetchProtectedResource %s: %d %s %s, want 200", name, a.Status, a.WWWAuthenticate, a.Body)
			}
		}
		// Refusals keep API Gateway's 401 body and carry RFC 9449 §7.1's
		// DPoP challenge, with algs and the resource metadata (RFC 9728
		// §5.1).
		refused := map[string]struct {
			a    nodeAnswer
			want string // the DPoP challenge's error
		}{
			// A DPoP-bound token as a bearer token (RFC 9449 §7.2).
			"as a bearer token": {got.AsBearer, "invalid_token"},
			"without a proof":   {got.WithoutProofAtAPI, "invalid_dpop_proof"},
			// A proof's jti is used once (RFC 9449 §11.1).
			"replayed proof": {got.Replayed, "invalid_dpop_proof"},
		}
		// Each hostile proof breaks one check of RFC 9449 §4.3: alg none
		// or a MAC (items 5-6), stale or future iat (11), htm (8), htu (9),
		// no ath (§7, 12), typ (4), another key than the token's (§7.1).
		for _, name := range []string{"algNone", "hs256", "staleIat", "futureIat", "wrongHtm", "wrongHtu", "noAth", "wrongTyp", "otherKey"} {
			a, ok := got.Hostile[name]
			if !ok {
				t.Errorf("no result for the %s proof", name)
				continue
			}
			refused["proof "+name] = struct {
				a    nodeAnswer
				want string
			}{a, "invalid_dpop_proof"}
		}
		for name, r := range refused {
			if r.a.Status != http.StatusUnauthorized || r.a.Body != apiGatewayUnauthorized {
				t.Errorf("%s: %d %s, want 401 %s", name, r.a.Status, r.a.Body, apiGatewayUnauthorized)
			}
			if e := challengeError(r.a.WWWAuthenticate, "DPoP"); e != r.want {
				t.Errorf("%s: WWW-Authenticate %q: DPoP error %q, want %q", name, r.a.WWWAuthenticate, e, r.want)
			}
			if !strings.Contains(r.a.WWWAuthenticate, `algs="`) || !strings.Contains(r.a.WWWAuthenticate, resourceMetadataParam) {
				t.Errorf("%s: WWW-Authenticate %q lacks algs or %s", name, r.a.WWWAuthenticate, resourceMetadataParam)
			}
		}
		// The control: a correct proof built the same way is accepted.
		if a := got.Hostile["fresh"]; a.Status != http.StatusOK {
			t.Errorf("a correct jose-built proof: %d %s", a.Status, a.WWWAuthenticate)
		}
		// At the token endpoint: 400 invalid_dpop_proof (RFC 9449 §5).
		for _, name := range []string{"staleIat", "wrongHtu", "algNone"} {
			a := got.TokenEndpoint[name]
			if a.Status != http.StatusBadRequest || !strings.Contains(a.Body, `"error":"invalid_dpop_proof"`) {
				t.Errorf("token endpoint, proof %s: %d %s, want 400 invalid_dpop_proof", name, a.Status, a.Body)
			}
		}
	})

	t.Run("mtls", func(t *testing.T) {
		if in.mtlsBase == "" {
			t.Fatal("dev printed no mTLS endpoint, though the pool enables mtls")
		}
		type flow struct {
			CertificateThumbprint string     `json:"certificateThumbprint"`
			Token                 nodeToken  `json:"token"`
			WithCertificate       nodeAnswer `json:"withCertificate"`
			WithoutCertificate    nodeAnswer `json:"withoutCertificate"`
			OtherCertificate      nodeAnswer `json:"otherCertificate"`
			PlainListener         nodeAnswer `json:"plainListener"`
			DPoPRoute             nodeAnswer `json:"dpopRoute"`
		}
		var got struct {
			MTLSAliases        map[string]string `json:"mtlsAliases"`
			MTLS               flow              `json:"mtls"`
			SelfSigned         flow              `json:"selfSigned"`
			NoCertificateToken nodeError         `json:"noCertificateToken"`
		}
		runClient(t, node, "mtls.mjs", in, &got)

		// RFC 8705 §5: the mTLS listener's token endpoint.
		if a := got.MTLSAliases["token_endpoint"]; a != in.mtlsBase+"/oauth2/token" {
			t.Errorf("mtls_endpoint_aliases.token_endpoint = %q, want %q", a, in.mtlsBase+"/oauth2/token")
		}
		for name, f := range map[string]flow{"tls_client_auth": got.MTLS, "self_signed_tls_client_auth": got.SelfSigned} {
			// RFC 8705 §3.1: cnf.x5t#S256 is the certificate's SHA-256
			// thumbprint; the token type stays Bearer (§3, RFC 6750).
			if x5t := f.Token.Claims.Cnf["x5t#S256"]; x5t == "" || x5t != f.CertificateThumbprint {
				t.Errorf("%s: cnf %v, want x5t#S256 %q", name, f.Token.Claims.Cnf, f.CertificateThumbprint)
			}
			if f.Token.TokenType != "bearer" {
				t.Errorf("%s: token_type %q, want bearer (RFC 8705 §3)", name, f.Token.TokenType)
			}
			if f.WithCertificate.Status != http.StatusOK {
				t.Errorf("%s: the API over mTLS with the certificate: %d %s %s", name, f.WithCertificate.Status, f.WithCertificate.WWWAuthenticate, f.WithCertificate.Body)
			}
			// RFC 8705 §3: without the certificate, or with another, the
			// token is refused (RFC 6750 §3.1 invalid_token).
			for what, a := range map[string]nodeAnswer{
				"over mTLS without a certificate":             f.WithoutCertificate,
				"over mTLS with another client's certificate": f.OtherCertificate,
				"on the plain listener":                       f.PlainListener,
				"on the DPoP-only route":                      f.DPoPRoute,
			} {
				if a.Status != http.StatusUnauthorized || a.Body != apiGatewayUnauthorized {
					t.Errorf("%s: the API %s: %d %s, want 401 %s", name, what, a.Status, a.Body, apiGatewayUnauthorized)
				}
				if !strings.Contains(a.WWWAuthenticate, resourceMetadataParam) {
					t.Errorf("%s: the API %s: WWW-Authenticate %q lacks %s", name, what, a.WWWAuthenticate, resourceMetadataParam)
				}
			}
		}
		// Without a certificate a tls_client_auth client cannot
		// authenticate (RFC 8705 §2; RFC 6749 §5.2).
		if got.NoCertificateToken.Error != "invalid_client" {
			t.Errorf("tls_client_auth without a certificate: %+v, want invalid_client", got.NoCertificateToken)
		}
	})

	t.Run("protected resource metadata", func(t *testing.T) {
		var got struct {
			Metadata struct {
				nodeAnswer
				JSON struct {
					Resource             string   `json:"resource"`
					AuthorizationServers []string `json:"authorization_servers"`
					ScopesSupported      []string `json:"scopes_supported"`
					BearerMethods        []string `json:"bearer_methods_supported"`
					ResourceName         string   `json:"resource_name"`
					DPoPAlgs             []string `json:"dpop_signing_alg_values_supported"`
				} `json:"json"`
			} `json:"metadata"`
			NoToken  nodeAnswer `json:"noToken"`
			BadToken nodeAnswer `json:"badToken"`
			Health   nodeAnswer `json:"health"`
		}
		runClient(t, node, "metadata.mjs", in, &got)

		// RFC 9728 §2, §3.2.
		m := got.Metadata
		if m.Status != http.StatusOK || !strings.HasPrefix(m.ContentType, "application/json") {
			t.Fatalf("GET %s: %d %s %s", in.MetadataURL, m.Status, m.ContentType, m.Body)
		}
		if m.JSON.Resource != beyondResource {
			t.Errorf("resource = %q, want %q (RFC 9728 §3.3: the identifier)", m.JSON.Resource, beyondResource)
		}
		if !slices.Equal(m.JSON.AuthorizationServers, []string{in.Issuer}) {
			t.Errorf("authorization_servers = %v, want the pool's issuer %s", m.JSON.AuthorizationServers, in.Issuer)
		}
		if !slices.Equal(m.JSON.ScopesSupported, []string{beyondResource + "/reports.read"}) {
			t.Errorf("scopes_supported = %v, want the routes' scope", m.JSON.ScopesSupported)
		}
		if m.JSON.ResourceName != "Beyond API" || !slices.Equal(m.JSON.BearerMethods, []string{"header"}) || len(m.JSON.DPoPAlgs) == 0 {
			t.Errorf("resource_name %q bearer_methods_supported %v dpop_signing_alg_values_supported %v", m.JSON.ResourceName, m.JSON.BearerMethods, m.JSON.DPoPAlgs)
		}
		// A request without a token: API Gateway's 401, a challenge with
		// no error code (RFC 6750 §3.1) and resource_metadata (RFC 9728
		// §5.1); with a bad token, invalid_token.
		if a := got.NoToken; a.Status != http.StatusUnauthorized || a.Body != apiGatewayUnauthorized ||
			!strings.Contains(a.WWWAuthenticate, resourceMetadataParam) || strings.Contains(a.WWWAuthenticate, "error=") {
			t.Errorf("no token: %d %s WWW-Authenticate %q", a.Status, a.Body, a.WWWAuthenticate)
		}
		if a := got.BadToken; a.Status != http.StatusUnauthorized || challengeError(a.WWWAuthenticate, "Bearer") != "invalid_token" ||
			!strings.Contains(a.WWWAuthenticate, resourceMetadataParam) {
			t.Errorf("bad token: %d %s WWW-Authenticate %q", a.Status, a.Body, a.WWWAuthenticate)
		}
		if got.Health.Status != http.StatusOK {
			t.Errorf("a method without an authorizer: %d", got.Health.Status)
		}
	})

	t.Run("dynamic registration", func(t *testing.T) {
		var got struct {
			RegistrationEndpoint string    `json:"registrationEndpoint"`
			WithoutInitialToken  nodeError `json:"withoutInitialToken"`
			OutsidePolicy        nodeError `json:"outsidePolicy"`
			Registered           struct {
				ClientID   string `json:"clientId"`
				AuthMethod string `json:"authMethod"`
				HasSecret  bool   `json:"hasSecret"`
			} `json:"registered"`
			Token nodeToken `json:"token"`
		}
		runClient(t, node, "register.mjs", in, &got)

		if got.RegistrationEndpoint != in.Issuer+"/oauth2/register" {
			t.Errorf("registration_endpoint = %q", got.RegistrationEndpoint)
		}
		// RFC 7591 §3: the policy asks for an initial access token, a
		// bearer token (RFC 6750 §3.1: 401 without one).
		if got.WithoutInitialToken.Status != http.StatusUnauthorized {
			t.Errorf("registration without the initial access token: %+v, want 401", got.WithoutInitialToken)
		}
		// RFC 7591 §3.2.2: metadata the policy refuses.
		if got.OutsidePolicy.Error != "invalid_client_metadata" {
			t.Errorf("registration outside the policy: %+v, want invalid_client_metadata", got.OutsidePolicy)
		}
		r := got.Registered
		if r.ClientID == "" || r.AuthMethod != "private_key_jwt" || r.HasSecret {
			t.Errorf("registered client %+v, want a private_key_jwt client without a secret", r)
		}
		if got.Token.Claims.ClientID != r.ClientID || !slices.Equal(got.Token.audiences(), []string{beyondResource}) {
			t.Errorf("the registered client's token: client_id %q aud %v", got.Token.Claims.ClientID, got.Token.audiences())
		}
	})

	t.Run("Go DPoP client", func(t *testing.T) {
		goDPoPClient(t, in)
	})
}

// goDPoPClient is a second, independent DPoP client: net/http and go-jose,
// following RFC 9449 step by step, checking the token's ES256 signature
// against the pool's JWKS.
func goDPoPClient(t *testing.T, in beyondInput) {
	key := newDPoPKey(t)
	proof := key.proof
	jkt := key.jkt
	req, err := http.NewRequest(http.MethodPost, in.tokenURL, strings.NewReader(url.Values{
		"grant_type": {"client_credentials"}, "resource": {beyondResource},
	}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(in.Clients.DPoP, in.Clients.DPoPSecret)
	req.Header.Set("DPoP", proof(t, http.MethodPost, in.tokenURL, ""))
	resp, body := send(t, req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token: %s %s", resp.Status, body)
	}
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		t.Fatal(err)
	}
	// RFC 9449 §5: token_type is "DPoP", as the server writes it.
	if tr.TokenType != "DPoP" {
		t.Errorf("token_type = %q, want DPoP", tr.TokenType)
	}

	// The token's signature, against the JWKS discovery names: ES256 keys
	// published with alg and use (RFC 7517 §4.2, §4.4), kid the RFC 7638
	// thumbprint; header typ at+jwt (RFC 9068 §2.1).
	set := fetchJWKS(t, in.Issuer+"/.well-known/jwks.json")
	tok, err := jwt.ParseSigned(tr.AccessToken, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("parse token: %v", err)
	}
	h := tok.Headers[0]
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "at+jwt" {
		t.Errorf("typ = %q, want at+jwt", typ)
	}
	keys := set.Key(h.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q: %d keys in the JWKS", h.KeyID, len(keys))
	}
	k := keys[0]
	if k.Algorithm != "ES256" || k.Use != "sig" {
		t.Errorf("JWKS key alg %q use %q, want ES256 and sig", k.Algorithm, k.Use)
	}
	if tp, err := k.Thumbprint(crypto.SHA256); err != nil || base64.RawURLEncoding.EncodeToString(tp) != h.KeyID {
		t.Errorf("kid %q is not the key's RFC 7638 thumbprint (%v)", h.KeyID, err)
	}
	var claims struct {
		jwt.Claims
		Cnf map[string]string `json:"cnf"`
	}
	if err := tok.Claims(k.Key, &claims); err != nil {
		t.Fatalf("verify token: %v", err)
	}
	if claims.Cnf["jkt"] != jkt {
		t.Errorf("cnf = %v, want jkt %s (RFC 9449 §6.1)", claims.Cnf, jkt)
	}
	if !slices.Equal([]string(claims.Audience), []string{beyondResource}) {
		t.Errorf("aud = %v, want [%s] (RFC 8707 §2)", claims.Audience, beyondResource)
	}

	// The API with a fresh proof per request (RFC 9449 §7), then the same
	// proof again (§11.1).
	target := in.APIURL + "/dpop"
	call := func(p string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, target, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "DPoP "+tr.AccessToken)
		req.Header.Set("DPoP", p)
		return send(t, req)
	}
	p := proof(t, http.MethodGet, target, tr.AccessToken)
	if resp, body := call(p); resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %s %s %s", target, resp.Status, wwwAuthenticate(resp), body)
	}
	if resp, body := call(proof(t, http.MethodGet, target, tr.AccessToken)); resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s with a second proof: %s %s", target, resp.Status, body)
	}
	resp, body = call(p)
	if resp.StatusCode != http.StatusUnauthorized || string(body) != apiGatewayUnauthorized ||
		challengeError(wwwAuthenticate(resp), "DPoP") != "invalid_dpop_proof" {
		t.Errorf("a replayed proof: %s %s WWW-Authenticate %q, want 401 invalid_dpop_proof", resp.Status, body, wwwAuthenticate(resp))
	}
}

// dpopKey is a client's DPoP key (ES256) and its RFC 7638 thumbprint, the
// cnf.jkt of the tokens bound to it.
type dpopKey struct {
	key *ecdsa.PrivateKey
	jkt string
}

func newDPoPKey(t *testing.T) *dpopKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub := jose.JSONWebKey{Key: key.Public(), Algorithm: string(jose.ES256)}
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return &dpopKey{key: key, jkt: base64.RawURLEncoding.EncodeToString(tp)}
}

// proof signs an RFC 9449 §4.2 proof for a request: typ dpop+jwt, the
// public key as jwk, htm, htu, iat now, a fresh jti, and ath when token is
// given (§4.3 check 12).
func (k *dpopKey) proof(t *testing.T, method, target, token string) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k.key},
		(&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt"))
	if err != nil {
		t.Fatal(err)
	}
	jti := make([]byte, 16)
	_, _ = rand.Read(jti)
	claims := map[string]any{"htm": method, "htu": target, "iat": time.Now().Unix(), "jti": base64.RawURLEncoding.EncodeToString(jti)}
	if token != "" {
		sum := sha256.Sum256([]byte(token))
		claims["ath"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	s, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// wwwAuthenticate returns every challenge of a response, its
// WWW-Authenticate fields joined as one list (RFC 9110 §11.6.1, §5.3).
func wwwAuthenticate(resp *http.Response) string {
	return strings.Join(resp.Header.Values("WWW-Authenticate"), ", ")
}
