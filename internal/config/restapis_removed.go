package config

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// removedField returns the problem for key, a field that the struct of
// type t no longer has, saying what to write instead; "" when key was
// never a field of t.
func removedField(t reflect.Type, key string, value ast.Node) string {
	if t == reflect.TypeFor[Authorizer]() && key == "externalIssuers" {
		return externalIssuersRemoved(value)
	}
	return ""
}

// cognitoIssuer is the issuer of a Cognito pool on AWS.
var cognitoIssuer = regexp.MustCompile(`^https://cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/([a-z0-9-]+_[A-Za-z0-9]+)$`)

// externalIssuersRemoved says what replaces an authorizer's
// externalIssuers: a Cognito pool on AWS is named by its ARN in the
// cognitoUserPools of a COGNITO_USER_POOLS authorizer, any other issuer by
// a JWT authorizer. The issuers the value lists are written out in the
// new form.
func externalIssuersRemoved(value ast.Node) string {
	var arns, others, notes []string
	for _, iss := range issuersIn(value) {
		if m := cognitoIssuer.FindStringSubmatch(iss); m != nil {
			// A pool id's prefix is its region, which the ARN must
			// repeat (ParseCognitoPoolARN).
			region, _, _ := strings.Cut(m[2], "_")
			arns = append(arns, "arn:aws:cognito-idp:"+region+":{account}:userpool/"+m[2])
			if region != m[1] {
				notes = append(notes, fmt.Sprintf("the issuer %q is inconsistent: its pool %s is of region %s, not %s", iss, m[2], region, m[1]))
			}
		} else {
			others = append(others, fmt.Sprintf("{issuer: %q, audiences: [{audience}]}", iss))
		}
	}
	const (
		cognito = "cognitoUserPools of a COGNITO_USER_POOLS authorizer"
		jwt     = " (its keys are found by OpenID discovery; jwksUrl goes; for tokens without aud, like Cognito's access tokens, an audience is the client id)"
	)
	var b strings.Builder
	b.WriteString("externalIssuers is no longer supported: ")
	switch {
	case len(arns) == 0 && len(others) == 0:
		b.WriteString("name a Cognito pool on AWS by its ARN in " + cognito + " (arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}), and any other issuer with an authorizer of type JWT (jwtConfiguration: {defaultAlgorithms: [RS256], issuers: [{issuer: ..., audiences: [...]}]})" + jwt)
	default:
		var parts []string
		if len(arns) > 0 {
			parts = append(parts, "add to "+cognito+" "+strings.Join(arns, ", ")+" (with your AWS account id for {account})")
		}
		if len(others) > 0 {
			parts = append(parts, "declare an authorizer of type JWT with jwtConfiguration: {defaultAlgorithms: [RS256], issuers: ["+strings.Join(others, ", ")+"]}"+jwt)
		}
		b.WriteString(strings.Join(parts, "; and "))
		if len(arns) > 0 && len(others) > 0 {
			b.WriteString("; a method has one authorizer, so each method must then name one authorizer or the other")
		}
	}
	for _, n := range notes {
		b.WriteString("; " + n)
	}
	return b.String()
}

// issuersIn returns the issuer values of an externalIssuers list, as far
// as it is well formed.
func issuersIn(n ast.Node) []string {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		return nil
	}
	var out []string
	for _, item := range seq.Values {
		var kvs []*ast.MappingValueNode
		switch m := item.(type) {
		case *ast.MappingNode:
			kvs = m.Values
		case *ast.MappingValueNode:
			kvs = []*ast.MappingValueNode{m}
		}
		for _, kv := range kvs {
			if k, ok := keyString(kv.Key); ok && k == "issuer" {
				if s, ok := kv.Value.(*ast.StringNode); ok {
					out = append(out, s.Value)
				}
			}
		}
	}
	return out
}
