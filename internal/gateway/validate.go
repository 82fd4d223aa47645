package gateway

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/tollgate/tollgate"
)

// Problem is one thing wrong with (or, from Warnings, questionable about) a
// REST API's declaration.
type Problem struct {
	// Route is the index of the route in RestAPI.Routes the problem is
	// about, or -1 when it is about the API or a stage.
	Route int
	// Field names what is wrong, relative to the route when Route >= 0
	// ("ResourcePath", "Method", "Authorizer.PoolIDs[0]") and to the API
	// otherwise ("Stages[1].Name").
	Field   string
	Message string
}

func (p Problem) String() string {
	if p.Route >= 0 {
		return fmt.Sprintf("Routes[%d].%s: %s", p.Route, p.Field, p.Message)
	}
	return p.Field + ": " + p.Message
}

// Problems is every problem found in one run; as an error it lists them
// all, one a line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

func (ps *Problems) add(route int, field, format string, args ...any) {
	*ps = append(*ps, Problem{Route: route, Field: field, Message: fmt.Sprintf(format, args...)})
}

// Validate checks a REST API declaration whole, without starting anything,
// and returns every problem as Problems (nil when there is none): the
// route tree (NewRouter's checks), stage names and throttles, authorizers
// (at least one pool or issuer, pool ids of Cognito's shape, JWKS URLs) and
// integration types. New runs it on every API.
func Validate(api *tollgate.RestAPI) error {
	var probs Problems
	if api.ID == "" {
		probs.add(-1, "ID", "the API has no id")
	}
	if len(api.Stages) == 0 {
		probs.add(-1, "Stages", "the API has no stage, so it cannot be invoked")
	}
	seen := map[string]bool{}
	for i, st := range api.Stages {
		field := fmt.Sprintf("Stages[%d]", i)
		if !validStageName(st.Name) {
			probs.add(-1, field+".Name", "stage name %q may only hold a-zA-Z0-9_- (1 to 128 characters)", st.Name)
		}
		if seen[st.Name] {
			probs.add(-1, field+".Name", "stage %q is declared twice", st.Name)
		}
		seen[st.Name] = true
		checkThrottle(&probs, field+".Throttle", st.Throttle)
		checkThrottle(&probs, field+".ClientThrottle", st.ClientThrottle)
	}
	if _, err := NewRouter(api.Routes); err != nil {
		probs = append(probs, err.(Problems)...)
	}
	for i := range api.Routes {
		r := &api.Routes[i]
		if r.Authorizer != nil {
			checkAuthorizer(&probs, i, r.Authorizer)
		}
		switch r.Integration.Type {
		case tollgate.IntegrationHTTPProxy, tollgate.IntegrationAWSProxy, tollgate.IntegrationMock:
		default:
			probs.add(i, "Integration.Type", "integration type %q is not HTTP_PROXY, AWS_PROXY or MOCK", r.Integration.Type)
		}
		if s := r.Integration.MockStatus; r.Integration.Type == tollgate.IntegrationMock && s != 0 && (s < 100 || s > 599) {
			probs.add(i, "Integration.MockStatus", "status %d is not an HTTP status", s)
		}
		for k, v := range r.Integration.MockHeaders {
			if !validHeader(k, v) {
				probs.add(i, "Integration.MockHeaders", "header %q: %q is not a valid header name and value", k, v)
			}
		}
		if r.Integration.Timeout < 0 {
			probs.add(i, "Integration.Timeout", "timeout %s is negative", r.Integration.Timeout)
		}
	}
	if len(probs) > 0 {
		return probs
	}
	return nil
}

func checkThrottle(probs *Problems, field string, t tollgate.Throttle) {
	if t.Rate < 0 {
		probs.add(-1, field+".Rate", "rate %g is negative", t.Rate)
	}
	if t.Burst < 0 {
		probs.add(-1, field+".Burst", "burst %d is negative", t.Burst)
	}
}

func checkAuthorizer(probs *Problems, route int, a *tollgate.Authorizer) {
	if len(a.PoolIDs) == 0 && len(a.Issuers) == 0 {
		probs.add(route, "Authorizer", "authorizer %q names no user pool and no issuer, so it accepts no token", a.Name)
	}
	for i, id := range a.PoolIDs {
		if !tollgate.PoolIDPattern.MatchString(id) {
			probs.add(route, fmt.Sprintf("Authorizer.PoolIDs[%d]", i), "%q is not a user pool id ({region}_{alphanumerics})", id)
		}
	}
	for i, iss := range a.Issuers {
		field := fmt.Sprintf("Authorizer.Issuers[%d]", i)
		if iss.Issuer == "" {
			probs.add(route, field+".Issuer", "the issuer is empty")
		}
		u, err := url.Parse(iss.JWKSURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			probs.add(route, field+".JWKSURL", "%q is not an http(s) URL", iss.JWKSURL)
		}
	}
	if h := identityHeader(a.IdentitySource); h == "" {
		probs.add(route, "Authorizer.IdentitySource", "%q does not name a request header", a.IdentitySource)
	}
}

// validStageName is API Gateway's rule for stage names.
func validStageName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Warnings returns what is legal in a REST API declaration but surely not
// meant: today, methods behind a Cognito authorizer without
// AuthorizationScopes. API Gateway treats their tokens as ID tokens and
// refuses access tokens with 401 (contract §4.1); Tollgate issues no ID
// tokens and verifies access tokens only, so every request to such a
// method is answered 401 Unauthorized.
func Warnings(api *tollgate.RestAPI) []Problem {
	var out Problems
	for i := range api.Routes {
		r := &api.Routes[i]
		if r.Authorizer != nil && len(r.AuthorizationScopes) == 0 {
			out.add(i, "AuthorizationScopes", "%s %s has Cognito authorizer %q but no authorization scopes: API Gateway then accepts ID tokens only, and Tollgate issues none, so every request is answered 401 Unauthorized; add the scopes a token must carry (e.g. \"default/default\")",
				r.Method, r.ResourcePath, r.Authorizer.Name)
		}
	}
	return out
}
