package template

import (
	"regexp"
	"strings"

	"github.com/tollgate/tollgate/internal/config"
)

// Output is a resolved output of the template.
type Output struct {
	Key         string `json:"key"`
	Description string `json:"description,omitempty"`
	// Value is what CloudFormation would give, with the physical ids of
	// this Tollgate: an API endpoint or a domain URL keeps AWS's form.
	Value string `json:"value"`
	// Local is the Tollgate URL a Value that is an AWS endpoint URL stands
	// for (the API's invoke URL, the pool's issuer, the token endpoint);
	// empty when Value is not such a URL.
	Local      string `json:"localUrl,omitempty"`
	ExportName string `json:"exportName,omitempty"`
}

// Endpoints say where this Tollgate serves what the template declares.
type Endpoints struct {
	// PublicURL is the server's public URL.
	PublicURL string
	// Issuer returns a pool's issuer URL.
	Issuer func(poolID string) string
}

// Outputs returns the template's Outputs, resolved with the ids Deploy was
// given (Options.IDs). A client secret is never printed: its place holds a
// command that reveals it. res, the result of applying the plan, may be nil.
func (p *Plan) Outputs(res *config.Result, ep Endpoints) []Output {
	out := make([]Output, 0, len(p.outputs))
	for _, o := range p.outputs {
		v := placeholderRE.ReplaceAllStringFunc(o.value, func(m string) string {
			id := placeholders(m)[0][0]
			cid := p.clientIDs[id]
			if res != nil {
				if applied, ok := res.ClientID(p.clientPools[id], id); ok {
					cid = applied
				}
			}
			return "(secret: tollgate clients describe " + cid + " --show-secret)"
		})
		out = append(out, Output{Key: o.key, Description: o.description, Value: v, Local: p.local(v, ep), ExportName: o.export})
	}
	return out
}

var (
	apiURL      = regexp.MustCompile(`^https://([a-z0-9]{10})\.execute-api\.[a-z0-9-]+\.amazonaws\.com(/.*)?$`)
	issuerURL   = regexp.MustCompile(`^https://cognito-idp\.[a-z0-9-]+\.amazonaws\.com/([A-Za-z0-9-]+_[A-Za-z0-9]+)(/.*)?$`)
	prefixURL   = regexp.MustCompile(`^https://([a-z0-9-]+)\.auth\.[a-z0-9-]+\.amazoncognito\.com(/.*)?$`)
	hostPathURL = regexp.MustCompile(`^https://([^/]+)(/.*)?$`)
)

// local maps an AWS endpoint URL of the stack to the Tollgate URL that
// serves it. The public URL serves every pool's token endpoint (the client
// id picks the pool), so a domain URL maps to it.
func (p *Plan) local(v string, ep Endpoints) string {
	base := strings.TrimRight(ep.PublicURL, "/")
	if m := apiURL.FindStringSubmatch(v); m != nil && p.apis[m[1]] != "" {
		return base + "/apis/" + m[1] + m[2]
	}
	if m := issuerURL.FindStringSubmatch(v); m != nil && ep.Issuer != nil {
		return ep.Issuer(m[1]) + m[2]
	}
	if m := prefixURL.FindStringSubmatch(v); m != nil && p.domains[m[1]] {
		return base + m[2]
	}
	if m := hostPathURL.FindStringSubmatch(v); m != nil && p.domains[m[1]] {
		return base + m[2]
	}
	return ""
}
