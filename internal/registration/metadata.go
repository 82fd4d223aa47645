package registration

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/oauth2"
)

// Error codes of RFC 7591 §3.2.2.
const (
	CodeInvalidRedirectURI          = "invalid_redirect_uri"
	CodeInvalidClientMetadata       = "invalid_client_metadata"
	CodeUnapprovedSoftwareStatement = "unapproved_software_statement"
)

// Bounds of a request's members.
const (
	// MaxNameLen is Cognito's bound on a ClientName.
	MaxNameLen = 128
	// maxValueLen bounds a jwks_uri and a tls_client_auth_* value.
	maxValueLen = 2048
	// minRSABits is the smallest RSA key accepted (RFC 7518 §3.3).
	minRSABits = 2048
	// maxRSABits is the largest: verifying with a larger modulus costs
	// the token endpoint more than any client needs.
	maxRSABits = 8192
	// MaxJWKSKeys bounds the keys of a registered jwks: a client signs
	// with one key and rolls it over with a second; a set of many would
	// only make the token endpoint try them all.
	MaxJWKSKeys = 16
)

// withCode returns e, a fresh error of the oauth2 package's constructors
// (so its log view still hides client input), under another code.
func withCode(e *oauth2.Error, code string) *oauth2.Error {
	e.Code = code
	return e
}

// invalidMetadata is RFC 7591 §3.2.2 invalid_client_metadata, a 400. Quote
// client input as an oauth2.Input.
func invalidMetadata(format string, args ...any) *oauth2.Error {
	return withCode(oauth2.InvalidRequest(format, args...), CodeInvalidClientMetadata)
}

// request is the client metadata of RFC 7591 §2 and the extensions
// Tollgate understands (RFC 8705 §2.1.2 and §3.4, RFC 9449 §5.2). Pointers
// tell an absent (or null) member from an empty one.
type request struct {
	RedirectURIs            []string        `json:"redirect_uris"`
	TokenEndpointAuthMethod *string         `json:"token_endpoint_auth_method"`
	GrantTypes              []string        `json:"grant_types"`
	ResponseTypes           []string        `json:"response_types"`
	ClientName              *string         `json:"client_name"`
	Scope                   *string         `json:"scope"`
	JWKS                    json.RawMessage `json:"jwks"`
	JWKSURI                 *string         `json:"jwks_uri"`
	SoftwareStatement       *string         `json:"software_statement"`

	TLSSubjectDN *string `json:"tls_client_auth_subject_dn"`
	TLSSANDNS    *string `json:"tls_client_auth_san_dns"`
	TLSSANURI    *string `json:"tls_client_auth_san_uri"`
	TLSSANIP     *string `json:"tls_client_auth_san_ip"`
	TLSSANEmail  *string `json:"tls_client_auth_san_email"`

	DPoPBound        *bool `json:"dpop_bound_access_tokens"`
	CertificateBound *bool `json:"tls_client_certificate_bound_access_tokens"`
}

// parseRequest decodes a body that must be one JSON object. Members it does
// not know are ignored (RFC 7591 §2); a known member of the wrong type is
// invalid_client_metadata.
func parseRequest(body []byte) (*request, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return nil, invalidMetadata("the request body must be a JSON object")
	}
	var req request
	if err := json.Unmarshal(body, &req); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return nil, invalidMetadata("%s has the wrong type", oauth2.Input(oauth2.SanitizeDescription(te.Field)))
		}
		return nil, invalidMetadata("the request body is not valid JSON").WithCause(err)
	}
	if bytes.Equal(req.JWKS, []byte("null")) {
		req.JWKS = nil
	}
	return &req, nil
}

// registered is what a valid request registers.
type registered struct {
	method string // token_endpoint_auth_method, as the response shows it
	name   string // "" for a generated one
	scopes []string
	jwks   json.RawMessage // compact, as registered
	oauth  tollgate.ClientOAuth
	secret bool // whether the client gets a secret
}

// resolve checks the request against the pool and its policy (see the
// package documentation for the rules) and returns what to register.
// allowed are the scopes a registered client may have.
// uris is what jwks_uri may name.
func (req *request) resolve(pool *tollgate.UserPool, policy *tollgate.RegistrationPolicy, allowed []string, uris uriPolicy) (*registered, error) {
	if req.SoftwareStatement != nil {
		return nil, withCode(oauth2.InvalidRequest("software statements are not supported"), CodeUnapprovedSoftwareStatement)
	}
	if len(req.RedirectURIs) > 0 {
		return nil, withCode(oauth2.InvalidRequest("redirect_uris must be absent: a client_credentials client has no redirection endpoint"), CodeInvalidRedirectURI)
	}
	for _, g := range req.GrantTypes {
		if g != tollgate.FlowClientCredentials {
			return nil, invalidMetadata("grant type %s is not supported: only client_credentials is", oauth2.Input(short(g)))
		}
	}
	if len(req.ResponseTypes) > 0 {
		return nil, invalidMetadata("response_types must be absent or empty: client_credentials uses none")
	}
	reg := &registered{}
	if err := reg.setMethod(req, pool, policy); err != nil {
		return nil, err
	}
	if err := reg.setKeys(req, uris); err != nil {
		return nil, err
	}
	if err := reg.setTLS(req); err != nil {
		return nil, err
	}
	if req.DPoPBound != nil && *req.DPoPBound {
		if pool.OAuth.DPoP == nil {
			return nil, invalidMetadata("dpop_bound_access_tokens: the pool does not support DPoP")
		}
		reg.oauth.RequireDPoP = true
	}
	if req.CertificateBound != nil && *req.CertificateBound {
		if !pool.OAuth.MTLS {
			return nil, invalidMetadata("tls_client_certificate_bound_access_tokens: the pool does not support mutual TLS")
		}
		reg.oauth.CertificateBound = true
	}
	if err := reg.setScopes(req, allowed); err != nil {
		return nil, err
	}
	if req.ClientName != nil {
		reg.name = cleanName(*req.ClientName)
	}
	return reg, nil
}

// setMethod checks token_endpoint_auth_method against the policy.
func (reg *registered) setMethod(req *request, pool *tollgate.UserPool, policy *tollgate.RegistrationPolicy) error {
	methods := policy.AuthMethods
	if len(methods) == 0 {
		methods = []string{tollgate.AuthPrivateKeyJWT}
	}
	m := tollgate.AuthClientSecretBasic // RFC 7591 §2's default
	if req.TokenEndpointAuthMethod != nil {
		m = *req.TokenEndpointAuthMethod
	} else if !slices.Contains(methods, m) {
		return invalidMetadata("token_endpoint_auth_method is required: the default client_secret_basic is not allowed here, use one of %s", strings.Join(methods, " "))
	}
	if !slices.Contains(methods, m) {
		return invalidMetadata("token_endpoint_auth_method %s is not allowed: use one of %s", oauth2.Input(short(m)), strings.Join(methods, " "))
	}
	switch m {
	case tollgate.AuthClientSecretBasic, tollgate.AuthClientSecretPost:
		reg.secret = true // a secret's method: AuthMethod stays Cognito's ""
	case tollgate.AuthPrivateKeyJWT:
		reg.oauth.AuthMethod = m
	case tollgate.AuthTLSClient, tollgate.AuthSelfSignedTLSClient:
		if !pool.OAuth.MTLS {
			return invalidMetadata("token_endpoint_auth_method %s: the pool does not support mutual TLS", m)
		}
		reg.oauth.AuthMethod = m
	default: // a policy naming none or an unknown method
		return invalidMetadata("token_endpoint_auth_method %s is not supported", oauth2.Input(short(m)))
	}
	reg.method = m
	return nil
}

// setKeys checks jwks and jwks_uri: one of them for the methods that
// verify a key (private_key_jwt, self_signed_tls_client_auth), never both
// (RFC 7591 §2), neither for the others.
func (reg *registered) setKeys(req *request, uris uriPolicy) error {
	hasJWKS, hasURI := req.JWKS != nil, req.JWKSURI != nil
	if hasJWKS && hasURI {
		return invalidMetadata("jwks and jwks_uri must not both be present")
	}
	m := reg.oauth.AuthMethod
	needKeys := m == tollgate.AuthPrivateKeyJWT || m == tollgate.AuthSelfSignedTLSClient
	switch {
	case needKeys && !hasJWKS && !hasURI:
		return invalidMetadata("token_endpoint_auth_method %s needs jwks or jwks_uri", m)
	case !needKeys && (hasJWKS || hasURI):
		return invalidMetadata("jwks and jwks_uri are for private_key_jwt and self_signed_tls_client_auth only")
	case hasURI:
		if err := uris.checkJWKSURI(*req.JWKSURI); err != nil {
			return err
		}
		reg.oauth.JWKSURI = *req.JWKSURI
	case hasJWKS:
		compact, err := checkJWKS(req.JWKS, m)
		if err != nil {
			return err
		}
		reg.jwks, reg.oauth.JWKS = compact, string(compact)
	}
	return nil
}

// privateMembers are the JWK members of private and symmetric keys (RFC
// 7518 §6.2.2, §6.3.2, §6.4.1, RFC 8037 §2): a registered JWKS holds
// public keys only, and one that does not was leaked by its sender.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// checkJWKS checks an inline JWKS (RFC 7517 §5): a non-empty set of
// public signature keys of the types client assertions use (RSA of at
// least 2048 bits, EC, Ed25519), each with its certificate (x5c) for
// self_signed_tls_client_auth (method). It returns the set compacted.
func checkJWKS(raw json.RawMessage, method string) (json.RawMessage, error) {
	var members struct {
		Keys []map[string]json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(raw, &members); err != nil || len(members.Keys) == 0 {
		return nil, invalidMetadata("jwks must be a JSON Web Key Set with a keys array of at least one key")
	}
	if len(members.Keys) > MaxJWKSKeys {
		return nil, invalidMetadata("jwks holds %d keys: register at most %d", len(members.Keys), MaxJWKSKeys)
	}
	for i, k := range members.Keys {
		for _, p := range privateMembers {
			if _, ok := k[p]; ok {
				return nil, invalidMetadata("jwks key %d holds the private or symmetric member %s: register public keys only", i, p)
			}
		}
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil, invalidMetadata("jwks holds a key that is not a valid JWK").WithCause(err)
	}
	for i, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			return nil, invalidMetadata("jwks key %d has use %s: only sig keys are registered", i, oauth2.Input(short(k.Use)))
		}
		switch pub := k.Key.(type) {
		case *rsa.PublicKey:
			if pub.N.BitLen() < minRSABits {
				return nil, invalidMetadata("jwks key %d is an RSA key of fewer than %d bits", i, minRSABits)
			}
			if pub.N.BitLen() > maxRSABits {
				return nil, invalidMetadata("jwks key %d is an RSA key of more than %d bits", i, maxRSABits)
			}
		case *ecdsa.PublicKey, ed25519.PublicKey:
		default:
			return nil, invalidMetadata("jwks key %d is not an RSA, EC or Ed25519 public key", i)
		}
		if method == tollgate.AuthSelfSignedTLSClient && len(k.Certificates) == 0 {
			return nil, invalidMetadata("jwks key %d has no certificate (x5c): self_signed_tls_client_auth registers certificates", i)
		}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, invalidMetadata("jwks is not valid JSON")
	}
	return buf.Bytes(), nil
}

// uriPolicy is what a registered jwks_uri may name.
type uriPolicy struct {
	// allowPrivate is Options.AllowPrivateJWKSURI.
	allowPrivate bool
}

// checkJWKSURI requires an absolute https URL without fragment or user
// information, whose host is not a loopback, private, link-local or
// otherwise local address, nor localhost or a name under it (RFC 6761
// §6.3): the token endpoint fetches it, and a client must not make the
// server fetch from its own network (a server-side request forgery,
// RFC 7591 §5 and RFC 9700 §4.16's concern). A policy allowing private
// hosts lifts the host rule and allows http on a loopback host, for
// development.
func (p uriPolicy) checkJWKSURI(s string) error {
	u, err := url.Parse(s)
	if err != nil || len(s) > maxValueLen || u.Host == "" || u.Fragment != "" || u.User != nil || strings.Contains(s, "#") {
		return invalidMetadata("jwks_uri must be an absolute https URL without fragment")
	}
	host := u.Hostname()
	if !p.allowPrivate && localHost(host) {
		return invalidMetadata("jwks_uri must name a public host, not a loopback, private or link-local address")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if p.allowPrivate && isLoopback(host) {
			return nil
		}
	}
	return invalidMetadata("jwks_uri must be an https URL")
}

// localPrefixes are IPv4 ranges that are global unicast to net/netip but
// not on the public Internet: RFC 6598's shared address space, private to
// a carrier's network, and RFC 1122's "this network", which reaches this
// machine.
var localPrefixes = []netip.Prefix{netip.MustParsePrefix("100.64.0.0/10"), netip.MustParsePrefix("0.0.0.0/8")}

// localHost reports whether a URL's host names this machine or a private
// network: localhost and its subdomains (RFC 6761 §6.3), an IP literal
// that is not a global unicast address (loopback, RFC 1918 and RFC 4193
// private, RFC 6598 shared, link-local such as the cloud metadata address
// 169.254.169.254, unspecified, multicast), and the numeric spellings of
// IPv4 addresses some resolvers accept ("2130706433", "0x7f.1"), which
// WHATWG URL parsing reads as IPv4 when the last label is numeric.
func localHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	if ip, err := netip.ParseAddr(h); err == nil {
		ip = ip.Unmap()
		if !ip.IsGlobalUnicast() || ip.IsPrivate() {
			return true
		}
		for _, p := range localPrefixes {
			if p.Contains(ip) {
				return true
			}
		}
		return false
	}
	last := h[strings.LastIndexByte(h, '.')+1:]
	if strings.HasPrefix(last, "0x") {
		return true
	}
	return last != "" && strings.Trim(last, "0123456789") == ""
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// setTLS checks the tls_client_auth_* members: exactly one for
// tls_client_auth (RFC 8705 §2.1.2), none for other methods.
func (reg *registered) setTLS(req *request) error {
	type member struct {
		name  string
		value *string
		set   *string
		check func(string) bool
	}
	t := &reg.oauth.TLS
	members := []member{
		{"tls_client_auth_subject_dn", req.TLSSubjectDN, &t.SubjectDN, func(v string) bool { return strings.Contains(v, "=") }},
		{"tls_client_auth_san_dns", req.TLSSANDNS, &t.SANDNS, validDNSName},
		{"tls_client_auth_san_uri", req.TLSSANURI, &t.SANURI, func(v string) bool { u, err := url.Parse(v); return err == nil && u.Scheme != "" }},
		{"tls_client_auth_san_ip", req.TLSSANIP, &t.SANIP, func(v string) bool { return net.ParseIP(v) != nil }},
		{"tls_client_auth_san_email", req.TLSSANEmail, &t.SANEmail, func(v string) bool { a, err := mail.ParseAddress(v); return err == nil && a.Address == v }},
	}
	n := 0
	for _, m := range members {
		if m.value != nil {
			n++
		}
	}
	if reg.oauth.AuthMethod != tollgate.AuthTLSClient {
		if n > 0 {
			return invalidMetadata("tls_client_auth_* members are for tls_client_auth only")
		}
		return nil
	}
	if n != 1 {
		return invalidMetadata("tls_client_auth needs exactly one tls_client_auth_* member")
	}
	for _, m := range members {
		if m.value == nil {
			continue
		}
		v := *m.value
		if v == "" || len(v) > maxValueLen || !printable(v) || !m.check(v) {
			return invalidMetadata("%s is not a valid value", m.name)
		}
		*m.set = v
	}
	return nil
}

// validDNSName accepts a DNS name, with a leading wildcard label.
func validDNSName(v string) bool {
	v = strings.TrimPrefix(v, "*.")
	if v == "" || len(v) > 253 {
		return false
	}
	for label := range strings.SplitSeq(v, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range []byte(label) {
			switch {
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-':
			default:
				return false
			}
		}
	}
	return true
}

func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// setScopes checks scope against the allowed scopes; absent, the client
// gets them all.
func (reg *registered) setScopes(req *request, allowed []string) error {
	if req.Scope == nil {
		if len(allowed) == 0 {
			return invalidMetadata("the pool has no scope a registered client may have")
		}
		reg.scopes = slices.Clone(allowed)
		return nil
	}
	scopes, err := oauth2.ParseScope(*req.Scope)
	if err != nil {
		var oe *oauth2.Error
		if errors.As(err, &oe) {
			return withCode(oe, CodeInvalidClientMetadata)
		}
		return invalidMetadata("scope is malformed")
	}
	if len(scopes) == 0 {
		return invalidMetadata("scope names no scope")
	}
	for _, s := range scopes {
		if !slices.Contains(allowed, s) {
			return invalidMetadata("scope %s is not one a registered client may have", oauth2.Input(short(s)))
		}
	}
	reg.scopes = scopes
	return nil
}

// cleanName fits a client_name to Cognito's ClientName pattern
// [\w\s+=,.@-]+ and length: other characters become '-' (a space for
// whitespace), the ends are trimmed.
func cleanName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= MaxNameLen {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("_+=,.@- ", r):
			b.WriteRune(r)
		case r == '\t' || r == '\n' || r == '\r' || r == '\f':
			b.WriteByte(' ')
		default:
			b.WriteByte('-')
		}
	}
	return strings.TrimSpace(b.String())
}

// short cuts client input quoted in a description.
func short(s string) string {
	const limit = 64
	s = oauth2.SanitizeDescription(s)
	if len(s) > limit {
		return s[:limit] + "..."
	}
	return s
}

// response is the client information response of RFC 7591 §3.2.1: the
// client's credentials and the metadata registered.
type response struct {
	ClientID              string `json:"client_id"`
	ClientSecret          string `json:"client_secret,omitempty"`
	ClientIDIssuedAt      int64  `json:"client_id_issued_at"`
	ClientSecretExpiresAt *int64 `json:"client_secret_expires_at,omitempty"`

	ClientName              string          `json:"client_name"`
	TokenEndpointAuthMethod string          `json:"token_endpoint_auth_method"`
	GrantTypes              []string        `json:"grant_types"`
	ResponseTypes           []string        `json:"response_types"`
	Scope                   string          `json:"scope"`
	JWKS                    json.RawMessage `json:"jwks,omitempty"`
	JWKSURI                 string          `json:"jwks_uri,omitempty"`

	TLSSubjectDN string `json:"tls_client_auth_subject_dn,omitempty"`
	TLSSANDNS    string `json:"tls_client_auth_san_dns,omitempty"`
	TLSSANURI    string `json:"tls_client_auth_san_uri,omitempty"`
	TLSSANIP     string `json:"tls_client_auth_san_ip,omitempty"`
	TLSSANEmail  string `json:"tls_client_auth_san_email,omitempty"`

	DPoPBound        bool `json:"dpop_bound_access_tokens,omitempty"`
	CertificateBound bool `json:"tls_client_certificate_bound_access_tokens,omitempty"`
}

// response returns the answer for the created client c, whose secret in
// clear (shown once) is secret.
func (reg *registered) response(c *tollgate.Client, secret string, issued time.Time) *response {
	res := &response{
		ClientID: c.ID, ClientIDIssuedAt: issued.Unix(),
		ClientName: c.Name, TokenEndpointAuthMethod: reg.method,
		GrantTypes: []string{tollgate.FlowClientCredentials}, ResponseTypes: []string{},
		Scope: strings.Join(c.AllowedOAuthScopes, " "), JWKS: reg.jwks, JWKSURI: c.OAuth.JWKSURI,
		TLSSubjectDN: c.OAuth.TLS.SubjectDN, TLSSANDNS: c.OAuth.TLS.SANDNS, TLSSANURI: c.OAuth.TLS.SANURI,
		TLSSANIP: c.OAuth.TLS.SANIP, TLSSANEmail: c.OAuth.TLS.SANEmail,
		DPoPBound: c.OAuth.RequireDPoP, CertificateBound: c.OAuth.CertificateBound,
	}
	if secret != "" {
		var never int64 // RFC 7591 §3.2.1: 0, the secret does not expire
		res.ClientSecret, res.ClientSecretExpiresAt = secret, &never
	}
	return res
}
