package tollgate

import (
	"regexp"
	"strings"
	"time"
)

// UserPool is an OAuth 2 authorization server: it owns resource servers,
// app clients, domains and signing keys, and it is the issuer of the tokens
// its clients get. Its ID has Cognito's shape, {region}_{9 alphanumerics}.
type UserPool struct {
	ID     string // e.g. "us-east-1_pxAHZcSSX"; never changes
	Name   string // PoolName; unique among pools
	Region string // e.g. "us-east-1"; the prefix of ID

	// ConfigKey is the logical id of the config object that declares the
	// pool, or empty when the pool was created by hand (CLI or API). Objects
	// with a ConfigKey are owned by the config: applying it creates, updates
	// and deletes them; by-hand objects are left alone.
	ConfigKey string

	// PreTokenGeneration is the pool's pre token generation trigger
	// (LambdaConfig.PreTokenGenerationConfig), or nil.
	PreTokenGeneration *LambdaTrigger

	// TokenLimits are the token endpoint's quotas for the pool's clients
	// (unless a client has its own) and its lockout of failing client ids.
	TokenLimits TokenLimits

	// OAuth are the pool's extensions beyond Cognito (oauthext.go); the
	// zero value is Cognito's behaviour.
	OAuth PoolOAuth

	CreatedAt time.Time
	UpdatedAt time.Time
}

// LambdaTrigger is a Lambda function a pool invokes at a point of its flows.
type LambdaTrigger struct {
	// LambdaARN is the function's ARN, as Cognito keeps it; Tollgate runs the
	// local function of that name (FunctionNameFromARN).
	LambdaARN string
	// LambdaVersion is the event version: V1_0, V2_0 or V3_0. Only V3_0 is
	// invoked for client_credentials tokens, as on Cognito.
	LambdaVersion string
}

// Pre token generation event versions (PreTokenGenerationConfig's
// LambdaVersion).
const (
	LambdaVersionV1 = "V1_0"
	LambdaVersionV2 = "V2_0"
	LambdaVersionV3 = "V3_0"
)

// Cognito's quotas on a pool's objects, from its quotas page and the API
// references. The store enforces the counts in the transaction that writes
// (MaxClientsPerPool, MaxResourceServersPerPool), so that they hold
// whichever writer, and however many at once; config files are checked
// against the same numbers before anything is written.
const (
	MaxResourceServersPerPool = 25
	MaxScopesPerServer        = 100
	MaxScopesPerClient        = 50
	MaxClientsPerPool         = 1000
)

// Object names a kind of object a pool owns (or the pool itself), in
// messages and change lists.
type Object string

// Objects.
const (
	ObjectPool           Object = "pool"
	ObjectResourceServer Object = "resource server"
	ObjectClient         Object = "client"
	ObjectDomain         Object = "domain"
)

// ResourceServer is an API that a pool issues tokens for, with the custom
// scopes it defines. A scope's full name is "{Identifier}/{ScopeName}".
type ResourceServer struct {
	PoolID     string
	Identifier string // e.g. "default" or "https://api.example.com"
	Name       string
	Scopes     []Scope
	ConfigKey  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Scope is a custom scope of a resource server.
type Scope struct {
	Name        string // ScopeName, e.g. "read"
	Description string
}

// FullScopeNames returns the scope strings a client can be allowed and a
// token can carry: "{identifier}/{name}" for each scope.
func (rs *ResourceServer) FullScopeNames() []string {
	out := make([]string, len(rs.Scopes))
	for i, s := range rs.Scopes {
		out[i] = rs.Identifier + "/" + s.Name
	}
	return out
}

// Domain is a host name on which a pool's OAuth endpoints answer: either a
// Cognito-style prefix ("{prefix}.auth.{region}.{base domain}") or a custom
// domain served with its own TLS certificate.
type Domain struct {
	// Domain is the prefix for a prefix domain, or the fully qualified host
	// name for a custom domain. It is unique across all pools.
	Domain string
	PoolID string
	Custom bool
	// CertFile and KeyFile are PEM files (absolute paths) for a custom
	// domain's certificate chain and private key. Empty for prefix domains.
	CertFile  string
	KeyFile   string
	ConfigKey string
	CreatedAt time.Time
}

// Host returns the host name the domain answers on, given the pool's region
// and the server's base domain (e.g. "localhost" or "amazoncognito.com").
func (d *Domain) Host(region, baseDomain string) string {
	if d.Custom {
		return d.Domain
	}
	return d.Domain + ".auth." + region + "." + baseDomain
}

// DomainPrefixPattern is what a prefix domain must match: one DNS label in
// lower case (Cognito's DomainType for a prefix). Labels of custom domain
// names are checked against it too.
var DomainPrefixPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// reservedDomainWords may not appear in a prefix domain, as AWS's
// documentation lists them.
var reservedDomainWords = []string{"aws", "amazon", "cognito"}

// ReservedWordIn returns the first word a prefix domain may not contain
// that prefix contains, or "".
func ReservedWordIn(prefix string) string {
	for _, w := range reservedDomainWords {
		if strings.Contains(prefix, w) {
			return w
		}
	}
	return ""
}
