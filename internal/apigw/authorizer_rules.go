package apigw

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
)

// JWTAlgorithms are the signature algorithms a JWT authorizer may name in
// DefaultAlgorithms (API reference: JwtConfigurationInput).
var JWTAlgorithms = []string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512"}

// ReservedJWTClaims are the claims a JWT authorizer's AdditionalClaims may
// not name: it checks them itself (API reference: JwtAdditionalClaim).
var ReservedJWTClaims = []string{"iss", "aud", "exp", "nbf", "iat", "scope", "scp"}

// JWTClaimFormat is the one Format of an AdditionalClaim: the claim is
// compared as one string.
const JWTClaimFormat = "SINGLE_STRING"

// CheckResultTTL returns what is wrong with a Lambda authorizer's result
// TTL, or "": whole seconds from 0 (no caching) to an hour
// (AuthorizerResultTtlInSeconds).
func CheckResultTTL(ttl time.Duration) string {
	switch {
	case ttl < 0 || ttl > tollgate.MaxAuthorizerResultTTL:
		return fmt.Sprintf("the result TTL must be between 0s (no caching) and 3600s, got %s", ttl)
	case ttl%time.Second != 0:
		return fmt.Sprintf("the result TTL must be whole seconds (AuthorizerResultTtlInSeconds), got %s", ttl)
	}
	return ""
}

// javaOnly finds regular expression syntax Java has and RE2 has not:
// lookaround, atomic groups, possessive quantifiers and backreferences.
var javaOnly = regexp.MustCompile(`\(\?<?[=!]|\(\?>|[*+?}]\+|\\[1-9]|\\k<`)

// CheckValidationExpression returns what is wrong with a TOKEN
// authorizer's IdentityValidationExpression, or "". API Gateway compiles
// it as a Java regular expression; Tollgate uses Go's RE2, which has the
// same syntax but for the constructs that need backtracking, refused here
// with what to write instead.
func CheckValidationExpression(expr string) string {
	if _, err := regexp.Compile(expr); err != nil {
		if m := javaOnly.FindString(expr); m != "" {
			return fmt.Sprintf("invalid regular expression %q: %q is Java syntax that Go's RE2 does not have (no lookaround, atomic groups, possessive quantifiers or backreferences); rewrite it without", expr, m)
		}
		return fmt.Sprintf("invalid regular expression %q: %s", expr, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	return ""
}

// CheckJWTAlgorithm returns what is wrong with one of a JWT authorizer's
// DefaultAlgorithms, or "".
func CheckJWTAlgorithm(alg string) string {
	if slices.Contains(JWTAlgorithms, alg) {
		return ""
	}
	return fmt.Sprintf("unsupported algorithm %q: want one of %s", alg, strings.Join(JWTAlgorithms, ", "))
}

// CheckJWTIssuer returns what is wrong with a JWT authorizer's issuer, or
// "": an absolute https URL (http only on a loopback host), without
// credentials, query or fragment (API reference: JwtIssuerInput).
func CheckJWTIssuer(iss string) string {
	if msg := CheckFetchURL(iss); msg != "" {
		return fmt.Sprintf("invalid issuer %q: %s", iss, msg)
	}
	if strings.Contains(iss, "?") {
		return fmt.Sprintf("invalid issuer %q: a query is not allowed", iss)
	}
	return ""
}

// CheckJWTClaimName returns what is wrong with the ClaimName of an
// AdditionalClaim, or "".
func CheckJWTClaimName(name string) string {
	switch {
	case name == "":
		return "claimName is required: the name of a top-level claim of the token"
	case slices.Contains(ReservedJWTClaims, name):
		return fmt.Sprintf("claim %q cannot be an additional claim: the authorizer checks %s itself", name, strings.Join(ReservedJWTClaims, ", "))
	}
	return ""
}

// cognitoPoolARN is the ARN of a Cognito user pool:
// arn:{partition}:cognito-idp:{region}:{account}:userpool/{poolId}.
var cognitoPoolARN = regexp.MustCompile(`^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):\d{12}:userpool/([a-z0-9-]+)_([A-Za-z0-9]+)$`)

// CognitoPool is a Cognito user pool on AWS, named by its ARN.
type CognitoPool struct{ Region, PoolID string }

// Issuer is the iss of the pool's tokens.
func (p CognitoPool) Issuer() string {
	return "https://cognito-idp." + p.Region + ".amazonaws.com/" + p.PoolID
}

// JWKSURL is where the pool publishes its signing keys.
func (p CognitoPool) JWKSURL() string { return p.Issuer() + "/.well-known/jwks.json" }

// IsCognitoPoolARN reports whether s looks like a user pool ARN at all,
// so that a malformed one is told apart from a logical id.
func IsCognitoPoolARN(s string) bool { return strings.HasPrefix(s, "arn:") }

// ParseCognitoPoolARN parses a user pool's ARN, as CDK's
// UserPool.fromUserPoolArn takes it, and returns what is wrong with it, or
// "": the pool id must start with the ARN's region.
func ParseCognitoPoolARN(arn string) (CognitoPool, string) {
	m := cognitoPoolARN.FindStringSubmatch(arn)
	if m == nil {
		return CognitoPool{}, fmt.Sprintf("invalid user pool ARN %q: want arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}, with a 12-digit account and a pool id like us-east-1_AbC123", arn)
	}
	if m[1] != m[2] {
		return CognitoPool{}, fmt.Sprintf("invalid user pool ARN %q: the pool id %s_%s is of region %s, not the ARN's %s", arn, m[2], m[3], m[2], m[1])
	}
	return CognitoPool{Region: m[1], PoolID: m[2] + "_" + m[3]}, ""
}
