package config

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tollgate/tollgate"
)

// Cognito's patterns for the userPools section. Sources: the
// CreateUserPool, CreateResourceServer, CreateUserPoolClient and
// CreateUserPoolDomain API references. Its quotas are the root's
// (tollgate.MaxClientsPerPool, …), which the store enforces for every writer.
var (
	// logicalIDPattern is what a logical id looks like. It is stricter
	// than a CDK construct id so that it can be joined with "/" into a
	// ConfigKey and read back.
	logicalIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
	// namePattern is Cognito's pattern for pool, client and resource
	// server names.
	namePattern = regexp.MustCompile(`^[\w\s+=,.@-]+$`)
	// identifierPattern is Cognito's resource server identifier: printable
	// ASCII but '"' and '\'.
	identifierPattern = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]{1,256}$`)
	// scopeNamePattern is Cognito's scope name: as an identifier, minus '/'.
	scopeNamePattern = regexp.MustCompile(`^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$`)
)

// maxCertFileSize bounds what is read of a certificate or key file.
const maxCertFileSize = 1 << 20

// firstSeen remembers values and the path where each first appeared, to
// report duplicates.
type firstSeen map[string]string

// check reports path if value was seen before, and remembers it otherwise.
func (s firstSeen) check(r *report, value, path, what string) {
	if first, dup := s[value]; dup {
		r.add(path, "%s %q is already used at %s", what, value, r.where(first))
		return
	}
	s[value] = path
}

// checkID reports a missing or malformed logical id at path, and one that
// an object of its kind (what: "pool id") already has.
func (s firstSeen) checkID(r *report, id, path, what string) {
	checkLogicalID(r, id, path)
	if id != "" {
		s.check(r, id, path, what)
	}
}

// checkName fills an empty pool or client name with the object's id, then
// reports a malformed name, or one that an object of its kind (what: "user
// pool name") already has.
func (s firstSeen) checkName(r *report, name *string, id, path, what string) {
	if *name == "" {
		*name = id
	}
	checkName(r, *name, path, 128)
	if *name != "" {
		s.check(r, *name, path, what)
	}
}

// checkUserPools fills the defaults of the userPools section and validates
// it. domains collects the pools' domains, which are unique across the
// config.
func (c *Config) checkUserPools(r *report, domains firstSeen) {
	ids, names := firstSeen{}, firstSeen{}
	functions := c.functionIDs()
	for i := range c.UserPools {
		p := &c.UserPools[i]
		pp := index("userPools", i)

		ids.checkID(r, p.ID, field(pp, "id"), "pool id")
		names.checkName(r, &p.UserPoolName, p.ID, field(pp, "userPoolName"), "user pool name")
		if p.Region == "" {
			p.Region = c.Region
		} else if !tollgate.RegionPattern.MatchString(p.Region) {
			r.add(field(pp, "region"), "invalid region %q: want an AWS-style region name like us-east-1", p.Region)
		}

		scopes := p.checkResourceServers(r, pp)
		p.checkClients(r, pp, scopes)
		p.checkOAuth(r, pp, scopes)
		for j := range p.Clients {
			p.Clients[j].checkOAuth(r, index(field(pp, "clients"), j), p, c.dir())
		}
		p.checkDomains(r, pp, domains, c.dir())
		p.checkTriggers(r, pp, functions)
		if p.TokenLimits != nil {
			checkPoolTokenLimits(r, p.TokenLimits, field(pp, "tokenLimits"))
		}
	}
}

// checkResourceServers validates a pool's resource servers and returns the
// scopes they define, by identifier.
func (p *UserPool) checkResourceServers(r *report, pp string) map[string]map[string]bool {
	list := field(pp, "resourceServers")
	if n := len(p.ResourceServers); n > tollgate.MaxResourceServersPerPool {
		r.addKey(list, "a pool has at most %d resource servers, got %d", tollgate.MaxResourceServersPerPool, n)
	}
	scopes := map[string]map[string]bool{}
	ids, identifiers := firstSeen{}, firstSeen{}
	for j := range p.ResourceServers {
		rs := &p.ResourceServers[j]
		rp := index(list, j)

		switch {
		case rs.Identifier == "":
			r.add(field(rp, "identifier"), "identifier is required")
		case !identifierPattern.MatchString(rs.Identifier):
			r.add(field(rp, "identifier"), "invalid identifier %q: want 1 to 256 printable ASCII characters other than space, '\"' and '\\'", rs.Identifier)
		default:
			identifiers.check(r, rs.Identifier, field(rp, "identifier"), "resource server identifier")
		}
		if rs.ID == "" {
			rs.ID = rs.Identifier
		} else {
			checkLogicalID(r, rs.ID, field(rp, "id"))
		}
		if rs.ID != "" {
			ids.check(r, rs.ID, field(rp, "id"), "resource server id")
		}

		namePath := field(rp, "userPoolResourceServerName")
		if rs.UserPoolResourceServerName == "" && rs.Identifier != "" && !namePattern.MatchString(rs.Identifier) {
			r.add(namePath, "userPoolResourceServerName is required: it defaults to the identifier, and %q is not a valid name (letters, digits, spaces and +=,.@_-)", rs.Identifier)
		} else {
			if rs.UserPoolResourceServerName == "" {
				rs.UserPoolResourceServerName = rs.Identifier
			}
			checkName(r, rs.UserPoolResourceServerName, namePath, 256)
		}

		defined := rs.checkScopes(r, rp)
		if rs.Identifier != "" && scopes[rs.Identifier] == nil {
			scopes[rs.Identifier] = defined
		}
	}
	return scopes
}

// checkScopes validates a resource server's scopes and returns the names
// it defines.
func (rs *ResourceServer) checkScopes(r *report, rp string) map[string]bool {
	spath := field(rp, "scopes")
	if n := len(rs.Scopes); n > tollgate.MaxScopesPerServer {
		r.addKey(spath, "a resource server has at most %d scopes, got %d", tollgate.MaxScopesPerServer, n)
	}
	defined := map[string]bool{}
	seen := firstSeen{}
	for k, s := range rs.Scopes {
		sp := index(spath, k)
		switch {
		case s.ScopeName == "":
			r.add(field(sp, "scopeName"), "scopeName is required")
		case !scopeNamePattern.MatchString(s.ScopeName):
			r.add(field(sp, "scopeName"), "invalid scope name %q: want 1 to 256 printable ASCII characters other than space, '\"', '/' and '\\'", s.ScopeName)
		default:
			seen.check(r, s.ScopeName, field(sp, "scopeName"), "scope name")
			defined[s.ScopeName] = true
		}
		switch n := utf8.RuneCountInString(s.ScopeDescription); {
		case n == 0:
			r.add(field(sp, "scopeDescription"), "scopeDescription is required")
		case n > 256:
			r.add(field(sp, "scopeDescription"), "scopeDescription is longer than 256 characters")
		}
	}
	return defined
}

// checkClients validates a pool's app clients against the scopes its
// resource servers define.
func (p *UserPool) checkClients(r *report, pp string, scopes map[string]map[string]bool) {
	list := field(pp, "clients")
	if n := len(p.Clients); n > tollgate.MaxClientsPerPool {
		r.addKey(list, "a pool has at most %d app clients, got %d", tollgate.MaxClientsPerPool, n)
	}
	ids, names := firstSeen{}, firstSeen{}
	for j := range p.Clients {
		cl := &p.Clients[j]
		cp := index(list, j)

		ids.checkID(r, cl.ID, field(cp, "id"), "client id")
		names.checkName(r, &cl.UserPoolClientName, cl.ID, field(cp, "userPoolClientName"), "client name")

		sp := cl.checkFlows(r, cp)
		if n := len(cl.OAuth.Scopes); n > tollgate.MaxScopesPerClient {
			r.addKey(sp, "a client has at most %d scopes, got %d", tollgate.MaxScopesPerClient, n)
		}
		seen := firstSeen{}
		for k, s := range cl.OAuth.Scopes {
			path := index(sp, k)
			if msg := checkScopeRef(s, scopes); msg != "" {
				r.add(path, "%s", msg)
				continue
			}
			seen.check(r, s, path, "scope")
		}

		cl.checkValidities(r, cp)
		if cl.TokenLimits != nil {
			checkClientTokenLimits(r, cl.TokenLimits, field(cp, "tokenLimits"))
		}
	}
}

// checkFlows validates a client's sign-in and OAuth flows, and that it
// lists scopes exactly when it has an OAuth flow. It returns the path of
// its scopes.
func (cl *Client) checkFlows(r *report, cp string) string {
	af := field(cp, "authFlows")
	for _, f := range []struct {
		name string
		on   bool
	}{
		{"userSrp", cl.AuthFlows.UserSRP}, {"userPassword", cl.AuthFlows.UserPassword},
		{"adminUserPassword", cl.AuthFlows.AdminUserPassword}, {"user", cl.AuthFlows.User}, {"custom", cl.AuthFlows.Custom},
	} {
		if f.on {
			r.add(field(af, f.name), "Tollgate serves no user sign-in flows: only false is accepted")
		}
	}

	oa := field(cp, "oAuth")
	flows := field(oa, "flows")
	if cl.OAuth.Flows.AuthorizationCodeGrant {
		r.add(field(flows, "authorizationCodeGrant"), "not supported: the authorization code grant needs users, and Tollgate has none; use clientCredentials")
	}
	if cl.OAuth.Flows.ImplicitCodeGrant {
		r.add(field(flows, "implicitCodeGrant"), "not supported: the implicit grant needs users, and Tollgate has none; use clientCredentials")
	}
	if cl.OAuth.Flows.ClientCredentials && !cl.GenerateSecret && !cl.authenticatesWithoutSecret() {
		r.add(field(flows, "clientCredentials"), "client_credentials flow can not be selected if client does not have a client secret: set generateSecret: true")
	}
	anyFlow := cl.OAuth.Flows.ClientCredentials || cl.OAuth.Flows.AuthorizationCodeGrant || cl.OAuth.Flows.ImplicitCodeGrant
	sp := field(oa, "scopes")
	switch {
	case anyFlow && len(cl.OAuth.Scopes) == 0:
		r.add(sp, "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows: list the scopes the client may request")
	case !anyFlow && len(cl.OAuth.Scopes) > 0:
		r.add(sp, "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows: scopes are listed but no flow is enabled (set oAuth.flows.clientCredentials: true)")
	}
	return sp
}

// checkScopeRef returns what is wrong with a client's scope, or "".
func checkScopeRef(s string, scopes map[string]map[string]bool) string {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return fmt.Sprintf("scope %q is not a custom scope: want \"identifier/scopeName\", like default/default (the client_credentials grant allows only the scopes of resource servers)", s)
	}
	identifier, name := s[:i], s[i+1:]
	if identifier == "" || name == "" {
		return fmt.Sprintf("malformed scope %q: want \"identifier/scopeName\", like default/default", s)
	}
	defined, ok := scopes[identifier]
	if !ok {
		return fmt.Sprintf("scope %q names no resource server of this pool: no resource server has identifier %q", s, identifier)
	}
	if !defined[name] {
		return fmt.Sprintf("scope %q is not defined: resource server %q has no scope %q", s, identifier, name)
	}
	return ""
}

// checkValidities fills the default token lifetimes and checks them against
// Cognito's bounds. As CDK does, it also wants the access and ID token
// lifetimes no longer than the refresh token's.
func (cl *Client) checkValidities(r *report, cp string) {
	checks := []struct {
		name, what string
		val        *tollgate.Validity
		def        tollgate.Validity
		min, max   time.Duration
	}{
		{"accessTokenValidity", "access token validity", &cl.AccessTokenValidity, tollgate.DefaultAccessTokenValidity, tollgate.AccessTokenMin, tollgate.AccessTokenMax},
		{"idTokenValidity", "ID token validity", &cl.IDTokenValidity, tollgate.DefaultIDTokenValidity, tollgate.IDTokenMin, tollgate.IDTokenMax},
		{"refreshTokenValidity", "refresh token validity", &cl.RefreshTokenValidity, tollgate.DefaultRefreshTokenValidity, tollgate.RefreshTokenMin, tollgate.RefreshTokenMax},
	}
	inBounds := true
	for _, c := range checks {
		if *c.val == (tollgate.Validity{}) {
			*c.val = c.def
		}
		if err := tollgate.CheckValidity(c.what, *c.val, c.min, c.max); err != nil {
			r.add(field(cp, c.name), "%v", err)
			inBounds = false
		}
	}
	if !inBounds {
		return
	}
	refresh := cl.RefreshTokenValidity
	for _, c := range checks[:2] {
		if c.val.Duration() > refresh.Duration() {
			r.add(field(cp, c.name), "the %s (%s) must not be longer than the refresh token validity (%s)", c.what, c.val, refresh)
		}
	}
}

// checkDomains validates a pool's domains. seen holds every domain of the
// config, since a domain belongs to one pool only.
func (p *UserPool) checkDomains(r *report, pp string, seen firstSeen, dir string) {
	list := field(pp, "domains")
	ids := firstSeen{}
	var prefixAt, customAt string
	for j := range p.Domains {
		d := &p.Domains[j]
		dp := index(list, j)

		ids.checkID(r, d.ID, field(dp, "id"), "domain id")
		switch {
		case d.CognitoDomain == nil && d.CustomDomain == nil:
			r.add(dp, "want cognitoDomain or customDomain")
		case d.CognitoDomain != nil && d.CustomDomain != nil:
			r.addKey(field(dp, "customDomain"), "cognitoDomain and customDomain exclude each other: give each its own entry")
		case d.CognitoDomain != nil:
			path := field(field(dp, "cognitoDomain"), "domainPrefix")
			if prefixAt != "" {
				r.addKey(field(dp, "cognitoDomain"), "a pool has at most one cognitoDomain; another is at %s", prefixAt)
			}
			prefixAt = dp
			if msg := checkDomainPrefix(d.CognitoDomain.DomainPrefix); msg != "" {
				r.add(path, "%s", msg)
			} else {
				seen.check(r, d.CognitoDomain.DomainPrefix, path, "domain prefix")
			}
		case d.CustomDomain != nil:
			cd := field(dp, "customDomain")
			path := field(cd, "domainName")
			if customAt != "" {
				r.addKey(cd, "a pool has at most one customDomain; another is at %s", customAt)
			}
			customAt = dp
			if msg := checkHostName(d.CustomDomain.DomainName); msg != "" {
				r.add(path, "%s", msg)
			} else {
				seen.check(r, d.CustomDomain.DomainName, path, "domain")
			}
			if d.CustomDomain.Certificate != nil {
				checkCertificate(r, d.CustomDomain.Certificate, field(cd, "certificate"), d.CustomDomain.DomainName, dir)
			}
		}
	}
}

// checkDomainPrefix returns what is wrong with a Cognito domain prefix, or "".
func checkDomainPrefix(s string) string {
	if s == "" {
		return "domainPrefix is required"
	}
	if !tollgate.DomainPrefixPattern.MatchString(s) {
		return fmt.Sprintf("invalid domain prefix %q: want 1 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen", s)
	}
	if reserved := tollgate.ReservedWordIn(s); reserved != "" {
		return fmt.Sprintf("invalid domain prefix %q: it must not contain %q", s, reserved)
	}
	return ""
}

// checkHostName returns what is wrong with a custom domain name, or "".
// It wants a fully qualified name in lower case, without a trailing dot.
func checkHostName(s string) string {
	if s == "" {
		return "domainName is required"
	}
	bad := func(why string) string { return fmt.Sprintf("invalid domain name %q: %s", s, why) }
	if len(s) > 253 {
		return bad("longer than 253 characters")
	}
	if strings.HasSuffix(s, ".") {
		return bad("write it without the trailing dot")
	}
	if strings.ToLower(s) != s {
		return bad("write it in lower case")
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return bad("want a fully qualified host name like auth.example.com")
	}
	for _, l := range labels {
		if !tollgate.DomainPrefixPattern.MatchString(l) {
			return bad(fmt.Sprintf("label %q: want 1 to 63 letters, digits and hyphens, not starting or ending with a hyphen", l))
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return bad("want a host name, not an IP address")
	}
	return ""
}

// checkCertificate checks that a custom domain's certificate files exist,
// hold a certificate and its key, and cover the domain; it then makes their
// paths absolute.
func checkCertificate(r *report, c *Certificate, path, domain, dir string) {
	certPath, keyPath := field(path, "certFile"), field(path, "keyFile")
	var certPEM, keyPEM []byte
	var ok = true
	for _, f := range []struct {
		name    *string
		path    string
		field   string
		content *[]byte
	}{{&c.CertFile, certPath, "certFile", &certPEM}, {&c.KeyFile, keyPath, "keyFile", &keyPEM}} {
		if *f.name == "" {
			r.add(f.path, "%s is required", f.field)
			ok = false
			continue
		}
		if !filepath.IsAbs(*f.name) {
			*f.name = filepath.Join(dir, *f.name)
		}
		if abs, err := filepath.Abs(*f.name); err == nil {
			*f.name = abs
		}
		b, err := readSmallFile(*f.name)
		if err != nil {
			r.add(f.path, "%v", err)
			ok = false
			continue
		}
		*f.content = b
	}
	if !ok {
		return
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		r.addKey(path, "%s and %s are not a certificate and its private key: %v", c.CertFile, c.KeyFile, err)
		return
	}
	if pair.Leaf != nil && domain != "" {
		if err := pair.Leaf.VerifyHostname(domain); err != nil {
			r.add(certPath, "the certificate in %s does not cover %s: %v", c.CertFile, domain, err)
		}
	}
}

// readSmallFile reads a regular file of at most maxCertFileSize bytes.
// It checks the file's type before opening it, since opening a FIFO would
// block.
func readSmallFile(name string) ([]byte, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", name, errorText(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", name)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", name, errorText(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCertFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", name, errorText(err))
	}
	if len(b) > maxCertFileSize {
		return nil, fmt.Errorf("%s is larger than %d KiB", name, maxCertFileSize>>10)
	}
	return b, nil
}

// errorText drops the file name from a *PathError; the caller names it.
func errorText(err error) error {
	if pe := (*os.PathError)(nil); errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// checkLogicalID reports a missing or malformed logical id.
func checkLogicalID(r *report, id, path string) {
	switch {
	case id == "":
		r.add(path, "id is required")
	case !logicalIDPattern.MatchString(id):
		r.add(path, "invalid id %q: want up to 128 letters, digits, '.', '_' and '-', starting with a letter or digit", id)
	}
}

// checkName reports a malformed pool, client or resource server name.
func checkName(r *report, name, path string, maxLen int) {
	switch {
	case name == "":
		// The id it defaults to is missing too; that is reported there.
	case utf8.RuneCountInString(name) > maxLen:
		r.add(path, "name is longer than %d characters", maxLen)
	case !namePattern.MatchString(name):
		r.add(path, "invalid name %q: want letters, digits, spaces and +=,.@_-", name)
	}
}
