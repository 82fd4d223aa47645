package config

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/tollgate/tollgate"
)

// The checks of the OAuth 2 extensions beyond Cognito (tollgate.PoolOAuth,
// tollgate.ClientOAuth, tollgate.ProtectedResource): each is opt-in, and a
// config declaring none of them is checked as before.

// dpopAlgorithms are the JWS algorithms a DPoP proof may use: asymmetric
// only (RFC 9449 §4.2 forbids none and MAC-based algorithms; RFC 7518
// §3.1, RFC 8037 §3.1).
var dpopAlgorithms = []string{"ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA"}

// Bounds of a DPoP policy's maxAge: a proof is fresh for seconds to
// minutes (RFC 9449 §11.1).
const (
	minDPoPMaxAge = time.Second
	maxDPoPMaxAge = 10 * time.Minute
)

// clientAuthMethods are the token_endpoint_auth_method values a client
// may have (RFC 7591 §2, RFC 8705 §2).
var clientAuthMethods = []string{tollgate.AuthClientSecretBasic, tollgate.AuthClientSecretPost,
	tollgate.AuthPrivateKeyJWT, tollgate.AuthTLSClient, tollgate.AuthSelfSignedTLSClient}

// bindings are the values of requireBinding.
var bindings = []string{tollgate.BindingAny, tollgate.BindingDPoP, tollgate.BindingMTLS}

// maxRegisteredClients bounds a registration policy's maxClients.
const maxRegisteredClients = 1000

// checkOAuth checks a pool's extensions; scopes are the scopes its
// resource servers define.
func (p *UserPool) checkOAuth(r *report, pp string, scopes map[string]map[string]bool) {
	if a := p.SigningAlgorithm; a != "" && !slices.Contains(tollgate.SigningAlgorithms, a) {
		r.add(field(pp, "signingAlgorithm"), "invalid signingAlgorithm %q: want one of %s", a, strings.Join(tollgate.SigningAlgorithms, ", "))
	}
	if t := p.AccessTokenType; t != "" && t != tollgate.AccessTokenJWTType {
		r.add(field(pp, "accessTokenType"), "invalid accessTokenType %q: want %q (RFC 9068) or nothing (Cognito's access tokens)", t, tollgate.AccessTokenJWTType)
	}
	if p.DPoP != nil {
		checkDPoP(r, p.DPoP, field(pp, "dpop"))
	}
	if reg := p.Registration; reg != nil {
		rp := field(pp, "registration")
		seen := firstSeen{}
		for k, s := range reg.Scopes {
			path := index(field(rp, "scopes"), k)
			if msg := checkScopeRef(s, scopes); msg != "" {
				r.add(path, "%s", msg)
				continue
			}
			seen.check(r, s, path, "scope")
		}
		for k, m := range reg.AuthMethods {
			if !slices.Contains(clientAuthMethods, m) {
				r.add(index(field(rp, "authMethods"), k), "invalid auth method %q: want one of %s", m, strings.Join(clientAuthMethods, ", "))
			}
		}
		if s := reg.InitialAccessScope; s != "" {
			if msg := checkScopeRef(s, scopes); msg != "" {
				r.add(field(rp, "initialAccessScope"), "%s", msg)
			}
		}
		if n := reg.MaxClients; n < 0 || n > maxRegisteredClients {
			r.add(field(rp, "maxClients"), "maxClients must be 0 (the default, 100) to %d, got %d", maxRegisteredClients, n)
		}
	}
}

// checkDPoP checks a DPoP policy at path.
func checkDPoP(r *report, d *DPoP, path string) {
	for k, a := range d.Algorithms {
		if !slices.Contains(dpopAlgorithms, a) {
			r.add(index(field(path, "algorithms"), k), "invalid DPoP algorithm %q: want asymmetric ones among %s (RFC 9449 §4.2)", a, strings.Join(dpopAlgorithms, ", "))
		}
	}
	if mp := field(path, "maxAge"); d.MaxAge != 0 || r.has(mp) {
		if d.MaxAge < minDPoPMaxAge || d.MaxAge > maxDPoPMaxAge {
			r.add(mp, "maxAge must be %s to %s, got %s", minDPoPMaxAge, maxDPoPMaxAge, d.MaxAge)
		}
	}
}

// checkOAuth checks a client's extensions against its pool's; dir
// resolves a relative jwksFile. It fills ResolvedJWKS.
func (cl *Client) checkOAuth(r *report, cp string, p *UserPool, dir string) {
	cl.ResolvedJWKS = ""
	method := cl.TokenEndpointAuthMethod
	if method != "" && !slices.Contains(clientAuthMethods, method) {
		r.add(field(cp, "tokenEndpointAuthMethod"), "invalid tokenEndpointAuthMethod %q: want one of %s", method, strings.Join(clientAuthMethods, ", "))
		return
	}
	declared := cl.keySources(r, cp)
	if len(declared) > 1 {
		r.add(field(cp, declared[1]), "a client has one of jwks, jwksFile and jwksUri, got %s", strings.Join(declared, " and "))
		return
	}
	cl.checkAuthMethod(r, cp, p, declared)
	if len(declared) == 1 {
		cl.checkKeys(r, cp, declared[0], dir)
	}
	if cl.DPoPBoundAccessTokens && p.DPoP == nil {
		r.add(field(cp, "dpopBoundAccessTokens"), "dpopBoundAccessTokens needs the pool's dpop")
	}
	if cl.TLSClientCertificateBoundAccessTokens && !p.MTLS {
		r.add(field(cp, "tlsClientCertificateBoundAccessTokens"), "tlsClientCertificateBoundAccessTokens needs the pool's mtls: true")
	}
}

// keySources lists the fields that declare the client's keys.
func (cl *Client) keySources(r *report, cp string) []string {
	declared := []string{}
	if len(cl.JWKS) > 0 || r.has(field(cp, "jwks")) {
		declared = append(declared, "jwks")
	}
	if cl.JWKSFile != "" {
		declared = append(declared, "jwksFile")
	}
	if cl.JWKSURI != "" {
		declared = append(declared, "jwksUri")
	}
	return declared
}

// checkAuthMethod checks what the client's method needs: a secret or
// none, keys (declared: the fields that declare them), a certificate
// name, the pool's mtls.
func (cl *Client) checkAuthMethod(r *report, cp string, p *UserPool, declared []string) {
	method := cl.TokenEndpointAuthMethod
	mpath := field(cp, "tokenEndpointAuthMethod")
	if cl.TLSClientAuth != nil && method != tollgate.AuthTLSClient {
		r.addKey(field(cp, "tlsClientAuth"), "tlsClientAuth is for clients of tokenEndpointAuthMethod tls_client_auth")
	}
	keyed := method == tollgate.AuthPrivateKeyJWT || method == tollgate.AuthSelfSignedTLSClient
	if len(declared) > 0 && !keyed {
		r.add(field(cp, declared[0]), "%s is for clients of tokenEndpointAuthMethod private_key_jwt or self_signed_tls_client_auth", declared[0])
	}
	if cl.authenticatesWithoutSecret() && cl.GenerateSecret {
		r.add(field(cp, "generateSecret"), "a %s client has no secret: remove generateSecret", method)
	}
	if (method == tollgate.AuthTLSClient || method == tollgate.AuthSelfSignedTLSClient) && !p.MTLS {
		r.add(mpath, "%s needs the pool's mtls: true", method)
	}
	switch method {
	case tollgate.AuthClientSecretBasic, tollgate.AuthClientSecretPost:
		if !cl.GenerateSecret {
			r.add(mpath, "%s needs generateSecret: true", method)
		}
	case tollgate.AuthPrivateKeyJWT:
		if len(declared) == 0 {
			r.add(mpath, "private_key_jwt needs the client's public keys: one of jwks, jwksFile and jwksUri (tollgate dev generates them: validate --dev checks the config as dev runs it)")
		}
	case tollgate.AuthTLSClient:
		if cl.TLSClientAuth == nil {
			r.add(mpath, "tls_client_auth needs tlsClientAuth: the one name the client's certificate carries (subjectDn, sanDns, sanUri, sanIp or sanEmail)")
		} else {
			checkTLSName(r, cl.TLSClientAuth, field(cp, "tlsClientAuth"))
		}
	case tollgate.AuthSelfSignedTLSClient:
		if len(declared) == 0 || declared[0] == "jwksUri" {
			r.add(mpath, "self_signed_tls_client_auth needs the client's certificates in x5c of jwks or jwksFile (tollgate dev generates them: validate --dev checks the config as dev runs it)")
		}
	}
}

// checkKeys checks the client's keys, declared by the field source, and
// sets ResolvedJWKS from jwks or jwksFile.
func (cl *Client) checkKeys(r *report, cp, source, dir string) {
	method := cl.TokenEndpointAuthMethod
	switch source {
	case "jwks":
		b, err := json.Marshal(cl.JWKS)
		if err != nil {
			r.add(field(cp, "jwks"), "jwks is not JSON: %v", err)
			return
		}
		if path, msg := checkJWKS(b, method); msg != "" {
			r.add(field(field(cp, "jwks"), path), "%s", msg)
			return
		}
		cl.ResolvedJWKS = string(b)
	case "jwksFile":
		fp := field(cp, "jwksFile")
		if !filepath.IsAbs(cl.JWKSFile) {
			cl.JWKSFile = filepath.Join(dir, cl.JWKSFile)
		}
		if abs, err := filepath.Abs(cl.JWKSFile); err == nil {
			cl.JWKSFile = abs
		}
		b, err := readSmallFile(cl.JWKSFile)
		if err != nil {
			r.add(fp, "%v", err)
			return
		}
		if path, msg := checkJWKS(b, method); msg != "" {
			if path != "" {
				msg = path + ": " + msg
			}
			r.add(fp, "%s: %s", cl.JWKSFile, msg)
			return
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, b); err == nil {
			cl.ResolvedJWKS = compact.String()
		}
	case "jwksUri":
		if msg := checkHTTPSURL(cl.JWKSURI); msg != "" {
			r.add(field(cp, "jwksUri"), "invalid jwksUri %q: %s", cl.JWKSURI, msg)
		}
	}
}

// checkTLSName checks that exactly one name of a tls_client_auth client
// is set (RFC 8705 §2.1.2), and that it is well formed.
func checkTLSName(r *report, t *TLSClientAuth, path string) {
	set := []string{}
	for _, f := range []struct{ name, value string }{
		{"subjectDn", t.SubjectDN}, {"sanDns", t.SANDNS}, {"sanUri", t.SANURI}, {"sanIp", t.SANIP}, {"sanEmail", t.SANEmail},
	} {
		if f.value != "" {
			set = append(set, f.name)
		}
	}
	switch {
	case len(set) == 0:
		r.addKey(path, "tlsClientAuth needs one of subjectDn, sanDns, sanUri, sanIp and sanEmail")
	case len(set) > 1:
		r.add(field(path, set[1]), "tlsClientAuth has one name (RFC 8705 §2.1.2), got %s", strings.Join(set, " and "))
	case t.SANIP != "" && net.ParseIP(t.SANIP) == nil:
		r.add(field(path, "sanIp"), "invalid sanIp %q: want an IPv4 or IPv6 address", t.SANIP)
	case t.SANURI != "":
		if u, err := url.Parse(t.SANURI); err != nil || !u.IsAbs() {
			r.add(field(path, "sanUri"), "invalid sanUri %q: want an absolute URI", t.SANURI)
		}
	case t.SANEmail != "" && !strings.Contains(t.SANEmail, "@"):
		r.add(field(path, "sanEmail"), "invalid sanEmail %q: want an email address", t.SANEmail)
	}
}

// privateMembers are the JWK members that hold private or secret key
// material (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// Bounds of a client's JWK Set, as the token endpoint applies them
// (internal/token, client_keys.go).
const (
	maxClientKeys    = 16
	minClientRSABits = 2048
	maxClientRSABits = 8192
)

// checkJWKS checks that b is a JWK Set (RFC 7517 §5) of public asymmetric
// keys only, each with x5c for a client of method
// self_signed_tls_client_auth. It returns the path of the offending value
// within the set ("keys[1].d") and what is wrong, or "".
func checkJWKS(b []byte, method string) (path, msg string) {
	needX5C := method == tollgate.AuthSelfSignedTLSClient
	var raw struct {
		Keys []map[string]json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return "", "not a JWK Set: " + err.Error()
	}
	if len(raw.Keys) == 0 {
		return "keys", "a JWK Set needs at least one key in keys"
	}
	if len(raw.Keys) > maxClientKeys {
		return "keys", fmt.Sprintf("%d keys: a client's JWK Set holds at most %d", len(raw.Keys), maxClientKeys)
	}
	for i, k := range raw.Keys {
		kp := fmt.Sprintf("keys[%d]", i)
		var kty string
		_ = json.Unmarshal(k["kty"], &kty)
		if kty == "oct" {
			return field(kp, "kty"), `a symmetric key (kty "oct") is not a client's public key`
		}
		for _, m := range privateMembers {
			if _, ok := k[m]; ok {
				return field(kp, m), fmt.Sprintf("the key holds private key material (%q): give the public key only", m)
			}
		}
		one, _ := json.Marshal(k)
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(one); err != nil {
			return kp, "not a valid JWK: " + err.Error()
		}
		if !jwk.Valid() || !jwk.IsPublic() {
			return kp, "not a valid public key"
		}
		if pub, ok := jwk.Key.(*rsa.PublicKey); ok && (jwk.Use == "" || jwk.Use == "sig") {
			if n := pub.N.BitLen(); n < minClientRSABits || n > maxClientRSABits {
				return kp, fmt.Sprintf("an RSA key of %d bits: want %d to %d (RFC 7518 §3.3)", n, minClientRSABits, maxClientRSABits)
			}
		}
		if needX5C && len(jwk.Certificates) == 0 {
			return kp, "self_signed_tls_client_auth needs the key's certificate in x5c"
		}
	}
	return "", ""
}

// checkResourceURL says what is wrong with u as a resource or issuer
// identifier: an https URL (http on loopback or localhost) without
// fragment; "" when nothing.
func checkResourceURL(u string) string {
	if strings.Contains(u, "#") {
		if _, err := url.Parse(u); err == nil {
			return "want a URL without fragment"
		}
	}
	return checkHTTPSURL(u)
}

// checkHTTPSURL says what is wrong with u as an https URL (http on
// loopback or localhost), "" when nothing.
func checkHTTPSURL(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return "not a URL"
	}
	if !parsed.IsAbs() || parsed.Host == "" {
		return "want an absolute https URL"
	}
	switch parsed.Scheme {
	case "https":
		return ""
	case "http":
		if isLoopback(parsed.Hostname()) {
			return ""
		}
		return "want https (http only on loopback or localhost)"
	}
	return "want an https URL"
}

// isLoopback reports whether host is localhost, a name under it, or a
// loopback address.
func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkProtectedResource checks an API's protectedResource at path.
func checkProtectedResource(r *report, pr *ProtectedResource, path string) {
	if pr.Identifier != "" {
		if msg := checkResourceURL(pr.Identifier); msg != "" {
			r.add(field(path, "identifier"), "invalid identifier %q: %s (RFC 9728 §2, RFC 8707 §2)", pr.Identifier, msg)
		}
	}
	for k, a := range pr.Audiences {
		if a == "" {
			r.add(index(field(path, "audiences"), k), "an audience is a non-empty string")
		}
	}
	if b := pr.RequireBinding; b != "" && !slices.Contains(bindings, b) {
		r.add(field(path, "requireBinding"), "invalid requireBinding %q: want one of %s", b, strings.Join(bindings, ", "))
	}
	for k, s := range pr.AuthorizationServers {
		if msg := checkResourceURL(s); msg != "" {
			r.add(index(field(path, "authorizationServers"), k), "invalid authorization server %q: %s", s, msg)
		}
	}
	for k, s := range pr.Scopes {
		if s == "" {
			r.add(index(field(path, "scopes"), k), "a scope is a non-empty string")
		}
	}
	if pr.DPoP != nil {
		checkDPoP(r, pr.DPoP, field(path, "dpop"))
	}
}

// checkRequireBinding checks a method's or a route's requireBinding:
// a known value, on a method whose authorizer reads tokens
// (COGNITO_USER_POOLS or JWT). authorizerType is "" for none.
func checkRequireBinding(r *report, binding, path, authorizerType string) {
	if binding == "" {
		return
	}
	if !slices.Contains(bindings, binding) {
		r.add(path, "invalid requireBinding %q: want one of %s", binding, strings.Join(bindings, ", "))
		return
	}
	if authorizerType != AuthorizerCognito && authorizerType != AuthorizerJWT {
		r.add(path, "requireBinding needs a COGNITO_USER_POOLS or JWT authorizer, which read the token it binds")
	}
}

// authenticatesWithoutSecret reports whether the client authenticates
// with a key or a certificate rather than a secret, which lets it use
// client_credentials without one.
func (cl *Client) authenticatesWithoutSecret() bool {
	switch cl.TokenEndpointAuthMethod {
	case tollgate.AuthPrivateKeyJWT, tollgate.AuthTLSClient, tollgate.AuthSelfSignedTLSClient:
		return true
	}
	return false
}

// CheckJWKS checks that jwks is a JWK Set of public asymmetric keys only
// (no private members, no "oct" key), each with its certificate in x5c
// for a client of method self_signed_tls_client_auth, as a client's jwks
// and jwksFile are checked.
func CheckJWKS(jwks []byte, method string) error {
	path, msg := checkJWKS(jwks, method)
	switch {
	case msg == "":
		return nil
	case path != "":
		return fmt.Errorf("%s: %s", path, msg)
	}
	return errors.New(msg)
}

// CheckJWKSURI says what is wrong with a client's jwks_uri: it must be an
// https URL, or http on loopback or localhost.
func CheckJWKSURI(u string) error {
	if msg := checkHTTPSURL(u); msg != "" {
		return fmt.Errorf("invalid jwks_uri %q: %s", u, msg)
	}
	return nil
}

// apiRoute is a method of a REST API or a route of an HTTP API, as the
// checks of its API's protectedResource see it: where it is, and the type
// of its authorizer ("" for none).
type apiRoute struct {
	path, authorizerType string
}

// resourceServerIDs returns the identifiers of the resource servers of the
// config's pools, by pool logical id.
func (c *Config) resourceServerIDs() map[string][]string {
	out := map[string][]string{}
	for _, p := range c.UserPools {
		for _, rs := range p.ResourceServers {
			out[p.ID] = append(out[p.ID], rs.Identifier)
		}
	}
	return out
}

// checkResourceUse checks an API's protectedResource against the API:
//
//   - a declared identifier must be the identifier of a resource server of
//     one of the local pools (local) the API's authorizers accept, so that
//     a client that reads it in the API's RFC 9728 metadata can ask that
//     pool for a token for it (RFC 8707 §2, with the pool's
//     resourceIndicators); not checked when the API accepts no local pool
//     (external issuers, pools on AWS), whose resources Tollgate cannot see;
//   - API-level requireBinding and audiences are checked by the gateway on
//     the token a COGNITO_USER_POOLS or JWT authorizer reads: a method or
//     route with a Lambda authorizer (TOKEN, REQUEST), which hands the
//     token to a function, could not check them, so it is a problem.
//     Methods and routes without authorizer carry no token to check.
func checkResourceUse(r *report, pr *ProtectedResource, path string, local []string, ids map[string][]string, routes []apiRoute) {
	if pr.Identifier != "" && len(local) > 0 && r.clean(field(path, "identifier")) {
		found := false
		var known []string
		for _, p := range local {
			for _, id := range ids[p] {
				known = append(known, id)
				found = found || id == pr.Identifier
			}
		}
		if !found {
			r.add(field(path, "identifier"), "identifier %q is not the identifier of a resource server of the user pools the API's authorizers accept (%s): a client reading the API's metadata (RFC 9728) asks those pools for a token for it (RFC 8707)%s",
				pr.Identifier, strings.Join(local, ", "), listHint(setOf(known)))
		}
	}
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"requireBinding", pr.RequireBinding != ""},
		{"audiences", len(pr.Audiences) > 0},
	} {
		if !f.set {
			continue
		}
		for _, rt := range routes {
			if rt.authorizerType != "" && rt.authorizerType != AuthorizerCognito && rt.authorizerType != AuthorizerJWT {
				r.add(field(path, f.name), "%s applies to every authorized method of the API, and %s has a %s authorizer, which hands the token to a function: the gateway cannot check it there (use COGNITO_USER_POOLS or JWT authorizers)",
					f.name, rt.path, rt.authorizerType)
				break
			}
		}
	}
}
