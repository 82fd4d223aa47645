package server

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/reqlog"
)

// TryTimeout bounds a whole try: the token request and the call.
const TryTimeout = 30 * time.Second

// tryBodyLimit is how much of an answer's body a try shows.
const tryBodyLimit = 64 << 10

// tryRemoteAddr is the address a try's requests come from: this host.
const tryRemoteAddr = "127.0.0.1:0"

// Try gets a token for a client and calls a route with it, through this
// server's token endpoint and gateway (console.Backend): both requests are
// served in-process by the handler the main listener serves, with the
// public URL's host, so they meet the same limits, logs and audit as a
// client's. A token the endpoint refuses makes no call. Answers are not
// followed (a redirect is shown as it is) and their bodies are cut at
// 64 KiB.
func (s *Server) Try(ctx context.Context, req console.TryRequest) console.TryResult {
	ctx, cancel := context.WithTimeout(ctx, TryTimeout)
	defer cancel()
	var res console.TryResult

	form := url.Values{"grant_type": {"client_credentials"}}
	if sc := strings.Join(strings.Fields(req.Scope), " "); sc != "" {
		form.Set("scope", sc)
	}
	tr, err := s.tryRequest(ctx, http.MethodPost, s.publicURL+"/oauth2/token", form.Encode())
	if err != nil {
		res.Token = console.TryStep{Method: http.MethodPost, URL: s.publicURL + "/oauth2/token", Err: err.Error()}
		res.Verdict = "Not called: the token request could not be made."
		return res
	}
	tr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// RFC 6749 §2.3.1: each part form-encoded before they are joined.
	tr.SetBasicAuth(url.QueryEscape(req.ClientID), url.QueryEscape(req.Secret))
	res.Token = s.tryServe(tr)
	if res.Token.Status != http.StatusOK {
		res.Verdict = "Not called: the token endpoint refused to issue a token" + tokenRefusal(res.Token.Body)
		return res
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(res.Token.Body), &tok); err != nil || tok.AccessToken == "" {
		res.Verdict = "Not called: the token endpoint's answer holds no access token."
		return res
	}
	res.AccessToken = tok.AccessToken
	res.Claims = decodeClaims(tok.AccessToken)

	s.tryCall(ctx, req, &res)
	return res
}

// tryCall calls the route of req with res's access token, and says what
// the gateway decided.
func (s *Server) tryCall(ctx context.Context, req console.TryRequest, res *console.TryResult) {
	api, route := s.tryRoute(req)
	if api == nil {
		res.Verdict = "Not called: no API " + req.APIID + " is in service."
		return
	}
	method := strings.ToUpper(cmp.Or(req.Method, http.MethodGet))
	target, err := tryURL(s.stageURLs(api)[req.Stage], req.Path)
	var cr *http.Request
	if err == nil {
		cr, err = s.tryRequest(ctx, method, target, req.Body)
	}
	if err != nil {
		res.Call = console.TryStep{Method: method, URL: target, Err: err.Error()}
		res.Verdict = "Not called: " + err.Error()
		return
	}
	cr.Header.Set("Authorization", "Bearer "+res.AccessToken)
	if req.Body != "" {
		cr.Header.Set("Content-Type", "application/json")
	}
	res.Call = s.tryServe(cr)
	res.Decision = s.tryDecision(req, api, route, res)
	res.Verdict = verdict(route, res)
}

// tryRequest builds an in-process request to target, as a client on this
// host would send it.
func (s *Server) tryRequest(ctx context.Context, method, target, body string) (*http.Request, error) {
	r, err := http.NewRequestWithContext(ctx, method, target, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.RequestURI = r.URL.RequestURI()
	r.RemoteAddr = tryRemoteAddr
	if r.URL.Scheme == "https" {
		// As httptest does: what a handler sees of a request over TLS.
		r.TLS = &tls.ConnectionState{Version: tls.VersionTLS13, HandshakeComplete: true, ServerName: r.URL.Hostname()}
	}
	if body == "" {
		r.Body = http.NoBody
	}
	return r, nil
}

// tryServe serves r with the main handler and records the answer.
func (s *Server) tryServe(r *http.Request) console.TryStep {
	step := console.TryStep{Method: r.Method, URL: r.URL.String()}
	w := httptest.NewRecorder()
	s.handler.ServeHTTP(w, r)
	resp := w.Result()
	step.Status = resp.StatusCode
	step.Header = resp.Header
	body, _ := io.ReadAll(io.LimitReader(resp.Body, tryBodyLimit+1))
	if len(body) > tryBodyLimit {
		body, step.Truncated = body[:tryBodyLimit], true
	}
	step.Body = string(body)
	return step
}

// tryURL is the URL of path (with its query, if any) below a stage's
// base URL.
func tryURL(base, path string) (string, error) {
	if base == "" {
		return "", fmt.Errorf("the API has no such stage")
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	u, err := url.Parse(base + path)
	if err != nil {
		return "", fmt.Errorf("the path %q is not a URL path", path)
	}
	return u.String(), nil
}

// tryRoute returns the API of req in service and its route named by
// req.Route (nil when it names none).
func (s *Server) tryRoute(req console.TryRequest) (*tollgate.RestAPI, *tollgate.Route) {
	d := s.acquire()
	defer d.release()
	for _, api := range d.apiList {
		if api.ID != req.APIID {
			continue
		}
		for i := range api.Routes {
			if api.Routes[i].Key() == req.Route {
				return api, &api.Routes[i]
			}
		}
		return api, nil
	}
	return nil, nil
}

// tryDecision is the gateway's record of the call: this node's log entry
// of the request id it answered with, when there is one; else what the
// answer says. Either way a refusal gets a reason, from the entry or
// worked out from the answer, the route and the token.
func (s *Server) tryDecision(req console.TryRequest, api *tollgate.RestAPI, route *tollgate.Route, res *console.TryResult) reqlog.Entry {
	id := res.Call.Header.Get(gateway.HeaderRequestID)
	var e reqlog.Entry
	found := false
	if s.requests != nil && id != "" {
		for _, x := range s.requests.Recent(reqlog.Filter{Limit: 200}) {
			if x.RequestID == id {
				e, found = x, true
				break
			}
		}
	}
	if !found {
		e = reqlog.Entry{Time: time.Now(), RequestID: id, Method: res.Call.Method, Kind: "gateway",
			API: api.ID, Stage: req.Stage, Status: res.Call.Status, Remote: tryRemoteAddr}
		if u, err := url.Parse(res.Call.URL); err == nil {
			e.Host, e.Path = u.Host, u.Path
		}
		if route != nil {
			e.Route = route.Key()
		}
		if c, ok := res.Claims["client_id"].(string); ok {
			e.ClientID = c
		}
	}
	if e.Refused() && e.Reason == "" {
		e.Reason, e.Detail = refusalOf(route, res)
	}
	return e
}

// refusalOf works a refusal's reason out of the answer, the route and the
// token's scopes.
func refusalOf(route *tollgate.Route, res *console.TryResult) (reason, detail string) {
	status := res.Call.Status
	challenge := res.Call.Header.Get("WWW-Authenticate")
	if route != nil && route.Authorizer != nil && len(route.AuthorizationScopes) > 0 &&
		(status == http.StatusUnauthorized || status == http.StatusForbidden) &&
		!slices.ContainsFunc(route.AuthorizationScopes, func(sc string) bool { return slices.Contains(tokenScopes(res.Claims), sc) }) {
		return "insufficient_scope", "the token lacks a scope the route requires (" + strings.Join(route.AuthorizationScopes, " or ") + ")"
	}
	if code := challengeParam(challenge, "error"); code != "" {
		d := challengeParam(challenge, "error_description")
		return code, cmp.Or(d, "the authorizer refused the token")
	}
	msg := messageOf(res.Call.Body)
	switch {
	case status == http.StatusForbidden && noRoute(res.Call.Header.Get("X-Amzn-Errortype")):
		// A REST API's answer to a path no resource of the stage matches
		// (quoting a token sent back, which is not worth repeating).
		return "no_route", "no route of the stage matches " + res.Call.Method + " " + pathOf(res.Call.URL) + " (API Gateway answers such a request 403)"
	case status == http.StatusUnauthorized:
		return "unauthorized", cmp.Or(msg, "the authorizer refused the token")
	case status == http.StatusForbidden:
		return "forbidden", cmp.Or(msg, "the authorizer denied the call")
	case status == http.StatusNotFound:
		return "not_found", "no route of the stage matches " + res.Call.Method + " " + pathOf(res.Call.URL)
	case status == http.StatusTooManyRequests:
		return "throttled", cmp.Or(msg, "a throttle or quota refused the call")
	case status >= 500:
		return "error", cmp.Or(msg, "the integration or authorizer failed")
	}
	return "refused", cmp.Or(msg, http.StatusText(status))
}

// noRoute reports whether a REST API's error type is its answer to a
// request no route matches: MissingAuthenticationTokenException, or
// IncompleteSignatureException when it carried an Authorization header.
func noRoute(errorType string) bool {
	t, _, _ := strings.Cut(errorType, ":")
	return t == "MissingAuthenticationTokenException" || t == "IncompleteSignatureException"
}

// verdict says the decision in words.
func verdict(route *tollgate.Route, res *console.TryResult) string {
	e := &res.Decision
	if e.Refused() {
		return "Refused (" + e.Reason + "): " + e.Detail
	}
	if route == nil || route.Authorizer == nil {
		return "Allowed: the route has no authorizer, so any caller may call it."
	}
	a := route.Authorizer
	var kind string
	switch a.Kind() {
	case tollgate.AuthorizerCognito:
		kind = "Cognito authorizer"
	case tollgate.AuthorizerJWT:
		kind = "JWT authorizer"
	default:
		kind = "Lambda authorizer"
	}
	v := "Allowed: " + kind + " " + a.Name + " accepted the token"
	switch {
	case a.Kind() != tollgate.AuthorizerCognito && a.Kind() != tollgate.AuthorizerJWT:
	case len(route.AuthorizationScopes) == 0:
		v += "; the route requires no scope"
	default:
		held := tokenScopes(res.Claims)
		var ok []string
		for _, sc := range route.AuthorizationScopes {
			if slices.Contains(held, sc) {
				ok = append(ok, sc)
			}
		}
		v += "; scopes ok (" + strings.Join(ok, ", ") + ")"
	}
	return v + "."
}

// decodeClaims returns the claims of a JWT's payload, unverified (for
// display only), or nil.
func decodeClaims(jwt string) map[string]any {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var claims map[string]any
	if dec.Decode(&claims) != nil {
		return nil
	}
	return claims
}

// tokenScopes are the scopes of a token's claims.
func tokenScopes(claims map[string]any) []string {
	s, _ := claims["scope"].(string)
	return strings.Fields(s)
}

// tokenRefusal is ": error (description)" of an RFC 6749 §5.2 answer.
func tokenRefusal(body string) string {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
		return "."
	}
	if e.Description == "" {
		return " (" + e.Error + ")."
	}
	return " (" + e.Error + "): " + e.Description + "."
}

// messageOf is the message of a {"message": …} answer ("" otherwise).
func messageOf(body string) string {
	var m struct {
		Message *string `json:"message"`
	}
	if json.Unmarshal([]byte(body), &m) != nil || m.Message == nil {
		return ""
	}
	return *m.Message
}

// challengeParam returns the quoted or bare parameter name of a
// WWW-Authenticate value (RFC 9110 §11.2), "" without it.
func challengeParam(challenge, name string) string {
	i := strings.Index(challenge, name+"=")
	for i > 0 && challenge[i-1] != ' ' && challenge[i-1] != ',' {
		j := strings.Index(challenge[i+1:], name+"=")
		if j < 0 {
			return ""
		}
		i += 1 + j
	}
	if i < 0 {
		return ""
	}
	v := challenge[i+len(name)+1:]
	if strings.HasPrefix(v, `"`) {
		v = v[1:]
		if end := strings.IndexByte(v, '"'); end >= 0 {
			return v[:end]
		}
		return v
	}
	if end := strings.IndexAny(v, ", "); end >= 0 {
		return v[:end]
	}
	return v
}

// pathOf is the path of URL u.
func pathOf(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Path
	}
	return u
}
