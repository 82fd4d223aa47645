package propagation

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Probe asks a node, given by its base URL, what it enforces.
type Probe struct {
	// HTTP sends the probes; it should have a timeout.
	HTTP *http.Client
	// RoutePath is the path of a gateway route of the cluster's API
	// ("/apis/{id}/prod/ping") that answers 200 to a token it accepts and
	// 401 to one it refuses.
	RoutePath string
	// IntrospectorID and IntrospectorSecret authenticate introspection
	// requests: a client of the pool whose tokens are asked about (RFC
	// 7662 §2.1: the caller authenticates, and may ask about any token of
	// its pool).
	IntrospectorID, IntrospectorSecret string
}

// Token asks base's token endpoint for a client_credentials token
// (client_secret_post). It returns the token, or "" and the OAuth error
// code of a refusal (RFC 6749 §5.2).
func (p *Probe) Token(base, id, secret string) (tok, refusal string, err error) {
	resp, err := p.HTTP.PostForm(base+"/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}})
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return "", "", fmt.Errorf("token endpoint: %s: %w", resp.Status, err)
	}
	if resp.StatusCode == http.StatusOK && body.AccessToken != "" {
		return body.AccessToken, "", nil
	}
	if body.Error == "" {
		return "", "", fmt.Errorf("token endpoint: %s without an error code", resp.Status)
	}
	return "", body.Error, nil
}

// MustToken is Token for credentials that must work: a refusal is an
// error.
func (p *Probe) MustToken(base, id, secret string) (string, error) {
	tok, refusal, err := p.Token(base, id, secret)
	if err == nil && tok == "" {
		err = fmt.Errorf("%s refused a token: %s", base, refusal)
	}
	return tok, err
}

// Refused reports whether base's token endpoint refuses the credentials
// with invalid_client (RFC 6749 §5.2); any other refusal is an error.
func (p *Probe) Refused(base, id, secret string) (bool, error) {
	_, refusal, err := p.Token(base, id, secret)
	if err != nil || refusal == "" {
		return false, err
	}
	if refusal != "invalid_client" {
		return false, fmt.Errorf("%s refused with %s, want invalid_client", base, refusal)
	}
	return true, nil
}

// Gateway calls the route on base with tok and returns the status: 200 or
// 401 (any other status is an error).
func (p *Probe) Gateway(base, tok string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, base+p.RoutePath, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := p.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body) // drained for the connection's reuse; the status is the answer
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusUnauthorized {
		return 0, fmt.Errorf("%s gateway: %s", base, resp.Status)
	}
	return resp.StatusCode, nil
}

// Active asks base's introspection endpoint (RFC 7662 §2.2) whether tok
// is active.
func (p *Probe) Active(base, tok string) (bool, error) {
	resp, err := p.HTTP.PostForm(base+"/oauth2/introspect", url.Values{"token": {tok}, "client_id": {p.IntrospectorID}, "client_secret": {p.IntrospectorSecret}})
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	var body struct {
		Active *bool `json:"active"`
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	if err == nil && (resp.StatusCode != http.StatusOK || body.Active == nil) {
		err = errors.New("no active member")
	}
	if err != nil {
		return false, fmt.Errorf("%s introspection: %s: %w", base, resp.Status, err)
	}
	return *body.Active, nil
}

// Accepted reports whether tok passes both base's gateway and its
// introspection; Rejected whether both refuse it. A mixed answer is
// neither.
func (p *Probe) Accepted(base, tok string) (accepted, rejected bool, err error) {
	status, err := p.Gateway(base, tok)
	if err != nil {
		return false, false, err
	}
	active, err := p.Active(base, tok)
	if err != nil {
		return false, false, err
	}
	return status == http.StatusOK && active, status == http.StatusUnauthorized && !active, nil
}

// MustAccept returns an error unless every base accepts tok.
func (p *Probe) MustAccept(bases []string, tok string) error {
	for _, base := range bases {
		ok, _, err := p.Accepted(base, tok)
		if err == nil && !ok {
			err = errors.New("the gateway or introspection refuses it")
		}
		if err != nil {
			return fmt.Errorf("%s does not accept the token: %w", base, err)
		}
	}
	return nil
}

// KeyID returns the kid of a token's JOSE header, or "".
func KeyID(tok string) string {
	head, _, _ := strings.Cut(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return ""
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if json.Unmarshal(b, &h) != nil {
		return ""
	}
	return h.Kid
}
