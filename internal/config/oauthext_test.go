package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
)

// edJWK is the Ed25519 public key of RFC 8037 Appendix A.2.
const edJWK = `{kty: OKP, crv: Ed25519, x: 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo}`

// oauthPools declares a plain pool and one with every extension, and the
// scopes both name.
const oauthPools = `userPools:
  - id: Plain
    resourceServers:
      - identifier: orders
        scopes: [{scopeName: read, scopeDescription: Read}]
    clients:
      - id: secret
        generateSecret: true
        tokenEndpointAuthMethod: client_secret_post
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}
      - id: nosecret
        tokenEndpointAuthMethod: client_secret_basic # want userPools[0].clients[1].tokenEndpointAuthMethod: client_secret_basic needs generateSecret: true
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]} # want userPools[0].clients[1].oAuth.flows.clientCredentials: client_credentials flow can not be selected if client does not have a client secret
      - id: bound
        generateSecret: true
        dpopBoundAccessTokens: true # want userPools[0].clients[2].dpopBoundAccessTokens: dpopBoundAccessTokens needs the pool's dpop
        tlsClientCertificateBoundAccessTokens: true # want userPools[0].clients[2].tlsClientCertificateBoundAccessTokens: tlsClientCertificateBoundAccessTokens needs the pool's mtls: true
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}
      - id: mtls
        tokenEndpointAuthMethod: tls_client_auth # want userPools[0].clients[3].tokenEndpointAuthMethod: tls_client_auth needs the pool's mtls: true
        tlsClientAuth: {subjectDn: "CN=mtls"}
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}
  - id: Ext
    signingAlgorithm: HS256 # want userPools[1].signingAlgorithm: invalid signingAlgorithm "HS256": want one of RS256, ES256, EdDSA
    accessTokenType: jwt # want userPools[1].accessTokenType: invalid accessTokenType "jwt": want "at+jwt" (RFC 9068) or nothing (Cognito's access tokens)
    mtls: true
    dpop:
      algorithms: [ES256, HS256, none] # want userPools[1].dpop.algorithms[1]: invalid DPoP algorithm "HS256": want asymmetric ones # want userPools[1].dpop.algorithms[2]: invalid DPoP algorithm "none"
      maxAge: 11m # want userPools[1].dpop.maxAge: maxAge must be 1s to 10m0s, got 11m0s
    registration:
      scopes: [orders/read, orders/write] # want userPools[1].registration.scopes[1]: orders/write
      authMethods: [private_key_jwt, none] # want userPools[1].registration.authMethods[1]: invalid auth method "none"
      initialAccessScope: admin/register # want userPools[1].registration.initialAccessScope: admin/register
      maxClients: 1001 # want userPools[1].registration.maxClients: maxClients must be 0 (the default, 100) to 1000, got 1001
    resourceServers:
      - identifier: orders
        scopes: [{scopeName: read, scopeDescription: Read}]
    clients:
      - id: jwt
        tokenEndpointAuthMethod: private_key_jwt
        dpopBoundAccessTokens: true
        jwks: {keys: [` + edJWK + `]}
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}
      - id: nokeys
        tokenEndpointAuthMethod: private_key_jwt # want userPools[1].clients[1].tokenEndpointAuthMethod: private_key_jwt needs the client's public keys: one of jwks, jwksFile and jwksUri (tollgate dev generates them: validate --dev checks the config as dev runs it)
        generateSecret: true # want userPools[1].clients[1].generateSecret: a private_key_jwt client has no secret: remove generateSecret
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}
      - id: twokeys
        tokenEndpointAuthMethod: private_key_jwt
        jwks: {keys: [` + edJWK + `]}
        jwksUri: https://client.example/jwks # want userPools[1].clients[2].jwksUri: a client has one of jwks, jwksFile and jwksUri, got jwks and jwksUri
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}
      - id: private
        tokenEndpointAuthMethod: private_key_jwt
        jwks:
          keys:
            - kty: OKP
              crv: Ed25519
              x: 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo
              d: nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A # want userPools[1].clients[3].jwks.keys[0].d: the key holds private key material ("d"): give the public key only
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}
      - id: oct
        tokenEndpointAuthMethod: private_key_jwt
        jwks: {keys: [{kty: oct, k: c2VjcmV0}]} # want userPools[1].clients[4].jwks.keys[0].kty: a symmetric key (kty "oct") is not a client's public key
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}
      - id: plainuri
        tokenEndpointAuthMethod: private_key_jwt
        jwksUri: http://client.example/jwks # want userPools[1].clients[5].jwksUri: invalid jwksUri "http://client.example/jwks": want https (http only on loopback or localhost)
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}
      - id: loopuri
        tokenEndpointAuthMethod: private_key_jwt
        jwksUri: http://127.0.0.1:8080/jwks
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}
      - id: mtls
        tokenEndpointAuthMethod: tls_client_auth
        tlsClientAuth: {subjectDn: "CN=mtls", sanDns: mtls.example} # want userPools[1].clients[7].tlsClientAuth.sanDns: tlsClientAuth has one name (RFC 8705 §2.1.2), got subjectDn and sanDns
        tlsClientCertificateBoundAccessTokens: true
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}
      - id: noname
        tokenEndpointAuthMethod: tls_client_auth # want userPools[1].clients[8].tokenEndpointAuthMethod: tls_client_auth needs tlsClientAuth
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}
      - id: selfnox5c
        tokenEndpointAuthMethod: self_signed_tls_client_auth
        jwks: {keys: [` + edJWK + `]} # want userPools[1].clients[9].jwks.keys[0]: self_signed_tls_client_auth needs the key's certificate in x5c
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}
      - id: bad
        tokenEndpointAuthMethod: client_secret_jwt # want userPools[1].clients[10].tokenEndpointAuthMethod: invalid tokenEndpointAuthMethod "client_secret_jwt": want one of client_secret_basic, client_secret_post, private_key_jwt, tls_client_auth, self_signed_tls_client_auth
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]} # want userPools[1].clients[10].oAuth.flows.clientCredentials: client_credentials flow can not be selected if client does not have a client secret
      - id: missingfile
        tokenEndpointAuthMethod: private_key_jwt
        jwksFile: nowhere.json # want userPools[1].clients[11].jwksFile: cannot read
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}
`

func TestOAuthProblems(t *testing.T) {
	checkProblems(t, filepath.Join(t.TempDir(), "orders.yaml"), oauthPools)
}

func TestProtectedResourceProblems(t *testing.T) {
	src := `userPools:
  - id: Pool
    resourceServers:
      - identifier: orders
        scopes: [{scopeName: read, scopeDescription: Read}]
restApis:
  - id: Api
    protectedResource:
      identifier: "http://orders.example/#x" # want restApis[0].protectedResource.identifier: invalid identifier "http://orders.example/#x": want a URL without fragment
      audiences: [ok, ""] # want restApis[0].protectedResource.audiences[1]: an audience is a non-empty string
      requireBinding: tls # want restApis[0].protectedResource.requireBinding: invalid requireBinding "tls": want one of any, dpop, mtls
      dpop: {maxAge: 500ms} # want restApis[0].protectedResource.dpop.maxAge: maxAge must be 1s to 10m0s, got 500ms
    authorizers:
      - {id: Cognito, type: COGNITO_USER_POOLS, cognitoUserPools: [Pool]}
    resources:
      - path: /
        methods:
          - httpMethod: GET
            authorizer: Cognito
            authorizationScopes: [orders/read]
            requireBinding: dpop
            integration: {type: MOCK}
          - httpMethod: POST
            requireBinding: mtls # want restApis[0].resources[0].methods[1].requireBinding: requireBinding needs a COGNITO_USER_POOLS or JWT authorizer
            integration: {type: MOCK}
  - id: Loop
    protectedResource: {identifier: "http://localhost:8080/orders", metadata: true, requireBinding: any}
    resources:
      - path: /
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
httpApis:
  - id: Http
    protectedResource:
      identifier: http://orders.example/ # want httpApis[0].protectedResource.identifier: want https (http only on loopback or localhost)
    routes:
      - path: /x
        requireBinding: any # want httpApis[0].routes[0].requireBinding: requireBinding needs a COGNITO_USER_POOLS or JWT authorizer
        integration: {type: HTTP_PROXY, url: "http://127.0.0.1:9/x"}
      - path: /y
        requireBinding: both # want httpApis[0].routes[1].requireBinding: invalid requireBinding "both"
        integration: {type: HTTP_PROXY, url: "http://127.0.0.1:9/y"}
`
	checkProblems(t, "apis.yaml", src)
}

// selfSignedJWKS writes a JWKS file holding a self-signed certificate's
// key, with the certificate in x5c, and returns its contents.
func selfSignedJWKS(t *testing.T, file string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "self"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, Certificates: []*x509.Certificate{cert}, Algorithm: "ES256"}}}
	b, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseOAuth(t *testing.T) {
	dir := t.TempDir()
	selfSignedJWKS(t, filepath.Join(dir, "self.jwks.json"))
	if err := os.WriteFile(filepath.Join(dir, "private.jwks.json"), []byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	src := `userPools:
  - id: Pool
    signingAlgorithm: ES256
    accessTokenType: at+jwt
    resourceIndicators: true
    mtls: true
    dpop: {algorithms: [ES256, EdDSA], maxAge: 2m}
    registration: {scopes: [orders/read], authMethods: [private_key_jwt], initialAccessScope: orders/admin, maxClients: 10}
    resourceServers:
      - identifier: orders
        scopes: [{scopeName: read, scopeDescription: Read}, {scopeName: admin, scopeDescription: Admin}]
    clients:
      - id: jwt
        tokenEndpointAuthMethod: private_key_jwt
        dpopBoundAccessTokens: true
        jwks: {keys: [` + edJWK + `]}
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}
      - id: self
        tokenEndpointAuthMethod: self_signed_tls_client_auth
        jwksFile: self.jwks.json
        tlsClientCertificateBoundAccessTokens: true
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}
      - id: ca
        tokenEndpointAuthMethod: tls_client_auth
        tlsClientAuth: {sanDns: ca.example}
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}
      - id: private
        tokenEndpointAuthMethod: private_key_jwt
        jwksFile: private.jwks.json # want userPools[0].clients[3].jwksFile: keys[0].d: the key holds private key material ("d")
        oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}
`
	file := filepath.Join(dir, "tollgate.yaml")
	checkProblems(t, file, src)
	i := strings.Index(src, "      - id: private")
	cfg, err := Parse(file, []byte(src[:i]))
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.UserPools[0]
	wantPool := tollgate.PoolOAuth{SigningAlgorithm: tollgate.AlgES256, AccessTokenJWT: true, ResourceIndicators: true, MTLS: true,
		DPoP:         &tollgate.DPoPPolicy{Algorithms: []string{"ES256", "EdDSA"}, MaxAge: 2 * time.Minute},
		Registration: &tollgate.RegistrationPolicy{Scopes: []string{"orders/read"}, AuthMethods: []string{"private_key_jwt"}, InitialAccessScope: "orders/admin", MaxClients: 10}}
	if diff := cmp.Diff(wantPool, poolOAuth(&p)); diff != "" {
		t.Errorf("poolOAuth (-want +got):\n%s", diff)
	}
	wantClients := []tollgate.ClientOAuth{
		{AuthMethod: tollgate.AuthPrivateKeyJWT, RequireDPoP: true,
			JWKS: `{"keys":[{"crv":"Ed25519","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`},
		{AuthMethod: tollgate.AuthSelfSignedTLSClient, CertificateBound: true, JWKS: p.Clients[1].ResolvedJWKS},
		{AuthMethod: tollgate.AuthTLSClient, TLS: tollgate.TLSClientAuth{SANDNS: "ca.example"}},
	}
	for j, want := range wantClients {
		if diff := cmp.Diff(want, clientOAuth(&p.Clients[j])); diff != "" {
			t.Errorf("clientOAuth of %s (-want +got):\n%s", p.Clients[j].ID, diff)
		}
	}
	if js := p.Clients[1].ResolvedJWKS; !strings.HasPrefix(js, `{"keys":[{`) || strings.ContainsAny(js, "\n ") || !strings.Contains(js, `"x5c":[`) {
		t.Errorf("the jwksFile's JWKS is not kept as compact JSON with x5c: %s", js)
	}
	if got, want := p.Clients[1].JWKSFile, filepath.Join(dir, "self.jwks.json"); got != want {
		t.Errorf("jwksFile = %q, want %q (resolved against the config's directory)", got, want)
	}
}

func TestNeedsGeneratedKeys(t *testing.T) {
	src := `userPools:
  - id: Pool
    mtls: true
    resourceServers:
      - identifier: orders
        scopes: [{scopeName: read, scopeDescription: Read}]
    clients:
      - {id: jwt, tokenEndpointAuthMethod: private_key_jwt, oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}}
      - {id: ca, tokenEndpointAuthMethod: tls_client_auth, oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}}
      - {id: self, tokenEndpointAuthMethod: self_signed_tls_client_auth, oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}}
      - {id: secret, generateSecret: true, oAuth: {flows: {clientCredentials: true}, scopes: [orders/read]}}
`
	dir := t.TempDir()
	jwks := selfSignedJWKS(t, filepath.Join(dir, "self.json"))
	var kinds []string
	cfg, err := ParseWith(filepath.Join(dir, "tollgate.yaml"), []byte(src), func(c *Config) error {
		for i := range c.UserPools[0].Clients {
			cl := &c.UserPools[0].Clients[i]
			kind := cl.NeedsGeneratedKeys()
			kinds = append(kinds, kind)
			switch kind {
			case GenerateAssertionKey:
				if err := cl.SetJWKS([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`)); err != nil {
					return err
				}
			case GenerateCACertificate:
				if got := cl.SetDefaultTLSName(); got.SubjectDN != "CN=ca" {
					t.Errorf("SetDefaultTLSName = %+v, want subject CN=ca", got)
				}
			case GenerateSelfSignedCertificate:
				if err := cl.SetJWKS(jwks); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{GenerateAssertionKey, GenerateCACertificate, GenerateSelfSignedCertificate, ""}; !cmp.Equal(kinds, want) {
		t.Errorf("NeedsGeneratedKeys = %q, want %q", kinds, want)
	}
	for _, cl := range cfg.UserPools[0].Clients[:3] {
		if cl.NeedsGeneratedKeys() == GenerateAssertionKey || (cl.ID != "ca" && cl.ResolvedJWKS == "") {
			t.Errorf("client %s: keys not set after prepare: %+v", cl.ID, cl)
		}
	}
	if _, err := Parse("tollgate.yaml", []byte(src)); err == nil {
		t.Error("Parse without prepare accepted clients without keys")
	}
}

// TestProtectedResourceUse: an API's protectedResource must fit the API.
// Its identifier is one a client can ask the API's local pools a token for
// (RFC 9728 §2 resource, RFC 8707 §2): a resource server of a pool its
// authorizers accept (not checked for APIs accepting external issuers
// only). API-level requireBinding and audiences are checked on the token
// a COGNITO_USER_POOLS or JWT authorizer reads; a Lambda authorizer's
// method or route would pass them unchecked, so it is a problem; an
// unauthorized one carries no token.
func TestProtectedResourceUse(t *testing.T) {
	src := `userPools:
  - id: Pool
    resourceServers:
      - identifier: https://orders.example
        userPoolResourceServerName: Orders
        scopes: [{scopeName: read, scopeDescription: Read}]
    clients: [{id: M2M, generateSecret: true}]
functions:
  - {id: Auth, runtime: nodejs22.x, handler: index.handler, code: .}
restApis:
  - id: Good
    protectedResource: {identifier: https://orders.example, requireBinding: dpop, audiences: [https://orders.example]}
    authorizers:
      - {id: Cognito, type: COGNITO_USER_POOLS, cognitoUserPools: [Pool]}
    resources:
      - path: /
        methods:
          - {httpMethod: GET, authorizer: Cognito, authorizationScopes: [https://orders.example/read], integration: {type: MOCK}}
          - {httpMethod: OPTIONS, integration: {type: MOCK}}
  - id: Unknown
    protectedResource:
      identifier: https://billing.example # want restApis[1].protectedResource.identifier: identifier "https://billing.example" is not the identifier of a resource server of the user pools the API's authorizers accept (Pool)
    authorizers:
      - {id: Cognito, type: COGNITO_USER_POOLS, cognitoUserPools: [Pool]}
    resources:
      - path: /
        methods: [{httpMethod: GET, authorizer: Cognito, authorizationScopes: [https://orders.example/read], integration: {type: MOCK}}]
  - id: External
    protectedResource: {identifier: https://billing.example}
    authorizers:
      - {id: Jwt, type: JWT, jwtConfiguration: {defaultAlgorithms: [RS256], issuers: [{issuer: "https://issuer.example.com", audiences: [a]}]}}
    resources:
      - path: /
        methods: [{httpMethod: GET, authorizer: Jwt, integration: {type: MOCK}}]
  - id: Lambda
    protectedResource:
      requireBinding: any # want restApis[3].protectedResource.requireBinding: requireBinding applies to every authorized method of the API, and POST / has a TOKEN authorizer
      audiences: [https://orders.example] # want restApis[3].protectedResource.audiences: audiences applies to every authorized method of the API, and POST / has a TOKEN authorizer
    authorizers:
      - {id: Cognito, type: COGNITO_USER_POOLS, cognitoUserPools: [Pool]}
      - {id: Token, type: TOKEN, function: Auth}
    resources:
      - path: /
        methods:
          - {httpMethod: GET, authorizer: Cognito, authorizationScopes: [https://orders.example/read], integration: {type: MOCK}}
          - {httpMethod: POST, authorizer: Token, integration: {type: MOCK}}
httpApis:
  - id: Http
    protectedResource:
      identifier: https://billing.example # want httpApis[0].protectedResource.identifier: identifier "https://billing.example" is not the identifier of a resource server
      requireBinding: mtls # want httpApis[0].protectedResource.requireBinding: requireBinding applies to every authorized method of the API, and GET /l has a REQUEST authorizer
    defaultAuthorizer: Jwt
    authorizers:
      - {id: Jwt, type: JWT, userPool: Pool, userPoolClients: [M2M]}
      - {id: L, type: REQUEST, function: Auth, responseTypes: [SIMPLE]}
    routes:
      - {path: /j, integration: {type: HTTP_PROXY, url: "http://127.0.0.1:9/j"}}
      - {path: /open, authorizer: NONE, integration: {type: HTTP_PROXY, url: "http://127.0.0.1:9/o"}}
      - {path: /l, methods: [GET], authorizer: L, integration: {type: HTTP_PROXY, url: "http://127.0.0.1:9/l"}}
`
	checkProblems(t, "apis.yaml", src)
}

// TestCheckJWKSBounds: a client's JWK Set holds at most 16 keys and its RSA
// signature keys have 2048 (RFC 7518 §3.3) to 8192 bits, as the token
// endpoint requires of the sets it verifies assertions with.
func TestCheckJWKSBounds(t *testing.T) {
	set := func(keys ...jose.JSONWebKey) []byte {
		b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ec := func() jose.JSONWebKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return jose.JSONWebKey{Key: &k.PublicKey}
	}
	rsaKey := func(bits int) jose.JSONWebKey {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		return jose.JSONWebKey{Key: &k.PublicKey}
	}
	many := make([]jose.JSONWebKey, 17)
	for i := range many {
		many[i] = ec()
	}
	for _, c := range []struct {
		name string
		jwks []byte
		ok   bool
	}{
		{"16 keys", set(many[:16]...), true},
		{"17 keys", set(many...), false},
		{"RSA 2048", set(rsaKey(2048)), true},
		{"RSA 1024", set(rsaKey(1024)), false},
	} {
		if err := CheckJWKS(c.jwks, "private_key_jwt"); (err == nil) != c.ok {
			t.Errorf("%s: %v, want ok %v", c.name, err, c.ok)
		}
	}
}
