package gateway

// TEMPORARY: a naive stand-in with the signatures of the Lambda
// authorizer's policy API, so that the authorizer compiles and is tested
// against it. The real implementation replaces this file whole.

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// MaxMethodARNBytes is the longest methodArn API Gateway evaluates.
const MaxMethodARNBytes = 1600

// AuthorizerOutput is a Lambda authorizer's answer.
type AuthorizerOutput struct {
	PrincipalID        string
	Policy             *Policy
	Context            map[string]any // string, json.Number, bool, nil
	UsageIdentifierKey string
}

// Policy is an IAM policy document's execute-api:Invoke statements.
type Policy struct {
	statements []statement
}

type statement struct {
	allow     bool
	resources []string
}

// PolicyDecision is what a policy says of a methodArn.
type PolicyDecision int

// Policy decisions.
const (
	PolicyImplicitDeny PolicyDecision = iota
	PolicyAllow
	PolicyExplicitDeny
)

// ParseAuthorizerOutput parses a Lambda authorizer's payload.
func ParseAuthorizerOutput(payload []byte) (*AuthorizerOutput, error) {
	var raw struct {
		PrincipalID    *string `json:"principalId"`
		PolicyDocument *struct {
			Statement json.RawMessage `json:"Statement"`
		} `json:"policyDocument"`
		Context            map[string]any `json:"context"`
		UsageIdentifierKey string         `json:"usageIdentifierKey"`
	}
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber()
	if err := d.Decode(&raw); err != nil {
		return nil, err
	}
	if raw.PolicyDocument == nil {
		return nil, errors.New("no policyDocument")
	}
	for _, v := range raw.Context {
		switch v.(type) {
		case string, json.Number, bool, nil:
		default:
			return nil, errors.New("context holds an object or an array")
		}
	}
	out := &AuthorizerOutput{Context: raw.Context, UsageIdentifierKey: raw.UsageIdentifierKey, Policy: &Policy{}}
	if raw.PrincipalID != nil {
		out.PrincipalID = *raw.PrincipalID
	}
	var sts []json.RawMessage
	if err := json.Unmarshal(raw.PolicyDocument.Statement, &sts); err != nil {
		sts = []json.RawMessage{raw.PolicyDocument.Statement}
	}
	for _, s := range sts {
		var st struct {
			Effect   string `json:"Effect"`
			Action   any    `json:"Action"`
			Resource any    `json:"Resource"`
		}
		if err := json.Unmarshal(s, &st); err != nil {
			return nil, err
		}
		out.Policy.statements = append(out.Policy.statements, statement{allow: st.Effect == "Allow", resources: stringList(st.Resource)})
	}
	return out, nil
}

func stringList(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// Evaluate decides methodARN: a matching Deny wins, then a matching Allow.
func (p *Policy) Evaluate(methodARN string) PolicyDecision {
	d := PolicyImplicitDeny
	for _, s := range p.statements {
		for _, r := range s.resources {
			if !globMatch(r, methodARN) {
				continue
			}
			if !s.allow {
				return PolicyExplicitDeny
			}
			d = PolicyAllow
		}
	}
	return d
}

func globMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if globMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && globMatch(pattern[1:], s[1:])
	}
	return s != "" && s[0] == pattern[0] && globMatch(pattern[1:], s[1:])
}

// MethodARN returns the methodArn of a request.
func MethodARN(region, account, apiID, stage, verb, path string) string {
	return "arn:aws:execute-api:" + region + ":" + account + ":" + apiID + "/" + stage + "/" + verb + "/" + strings.TrimPrefix(path, "/")
}

// StringifyContextValue renders a context value as REST APIs pass it on.
func StringifyContextValue(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	}
	return "", false
}
