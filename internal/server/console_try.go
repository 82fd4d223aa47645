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
	"strconv"
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
	res.Decision = s.tryDecision(ctx, req, api, route, res)
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
// of the request id it answered with (x-amzn-RequestId, or an HTTP API's
// apigw-requestid), with the gateway's own reason of a refusal; else what
// the answer says, its reason left blank. A token of a pool the route's
// authorizer does not accept is said in words of pools.
func (s *Server) tryDecision(ctx context.Context, req console.TryRequest, api *tollgate.RestAPI, route *tollgate.Route, res *console.TryResult) reqlog.Entry {
	id := cmp.Or(res.Call.Header.Get(gateway.HeaderRequestID), res.Call.Header.Get(gateway.HeaderHTTPRequestID))
	var e reqlog.Entry
	found := false
	if s.requests != nil && id != "" {
		if es := s.requests.Recent(reqlog.Filter{RequestID: id, Limit: 1}); len(es) == 1 {
			e, found = es[0], true
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
	if e.Refused() && route != nil {
		if d := s.otherPool(ctx, route.Authorizer, res.Claims); d != "" {
			e.Detail = d
		}
	}
	return e
}

// otherPool says, when the token's issuer is a pool of this server that
// the authorizer (Cognito or JWT) does not accept, which pool the token is
// from and which the authorizer accepts; "" otherwise.
func (s *Server) otherPool(ctx context.Context, a *tollgate.Authorizer, claims map[string]any) string {
	if a == nil || a.Kind() != tollgate.AuthorizerCognito && a.Kind() != tollgate.AuthorizerJWT {
		return ""
	}
	iss, _ := claims["iss"].(string)
	from, ok := strings.CutPrefix(iss, s.Issuer(""))
	if !ok || from == "" || strings.Contains(from, "/") {
		return ""
	}
	accepted := slices.Clone(a.PoolIDs)
	if a.JWT != nil {
		for _, is := range a.JWT.Issuers {
			if p, ok := strings.CutPrefix(is.Issuer, s.Issuer("")); ok && p != "" && !strings.Contains(p, "/") {
				accepted = append(accepted, p)
			}
		}
	}
	if slices.Contains(accepted, from) {
		return ""
	}
	names := make([]string, 0, len(accepted))
	for _, p := range accepted {
		names = append(names, s.poolName(ctx, p))
	}
	accepts := "no pool of this server"
	if len(names) > 0 {
		accepts = strings.Join(names, ", ")
	}
	return "the token is from pool " + s.poolName(ctx, from) + "; this route's authorizer accepts " + accepts
}

// poolName is "name (id)" of a pool, or its id when it names none.
func (s *Server) poolName(ctx context.Context, id string) string {
	if p, err := s.opts.Store.GetPool(ctx, id); err == nil && p.Name != "" {
		return p.Name + " (" + id + ")"
	}
	return id
}

// apiAnswer is the message of a refusal's answer (a {"message"} body, or
// the challenge's error_description), labelled as the API's own words and
// cut at 200 characters; "" when it has none.
func apiAnswer(res *console.TryResult) string {
	msg := cmp.Or(messageOf(res.Call.Body), challengeParam(res.Call.Header.Get("WWW-Authenticate"), "error_description"))
	if msg == "" {
		return ""
	}
	if r := []rune(msg); len(r) > 200 {
		msg = string(r[:200]) + "…"
	}
	return msg
}

// verdict says the decision in words.
func verdict(route *tollgate.Route, res *console.TryResult) string {
	e := &res.Decision
	if e.Refused() {
		v := "Refused"
		if e.Reason != "" {
			v += " (" + e.Reason + ")"
		}
		v += ": " + cmp.Or(e.Detail, "the gateway answered "+strconv.Itoa(e.Status)+" "+http.StatusText(e.Status))
		if m := apiAnswer(res); m != "" {
			v += `; the API answered: "` + m + `"`
		}
		return v + "."
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

// tokenRefusal is ` (error); it answered: "description".` of an RFC 6749
// §5.2 answer.
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
	// The description may quote what was asked: the endpoint's words,
	// not the console's.
	if r := []rune(e.Description); len(r) > 200 {
		e.Description = string(r[:200]) + "…"
	}
	return " (" + e.Error + `); it answered: "` + e.Description + `".`
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
