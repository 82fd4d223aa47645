package console

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

// clientsScope is a scope the pool defines, as a checkbox of a client's
// form.
type clientsScope struct {
	Name        string // the full name, e.g. "orders/read": the checkbox's value and label
	Description string
	Server      string // its resource server's name
	InputID     string
	Checked     bool
}

// clientsValidity is one token validity of a client's form: a number and
// a unit.
type clientsValidity struct {
	Field   string // the form fields' prefix: "access", "id" or "refresh"
	Label   string // "Access token validity"
	Value   string
	Unit    string
	Units   []string
	Hint    string
	current tollgate.Validity
}

// InputID is the number input's id; the unit select's is InputID+"-unit".
func (v clientsValidity) InputID() string { return "validity-" + v.Field }

// clientsForm is the settings of a client as its forms show them: what the
// operator gave, kept as typed so that a refused form shows it again.
type clientsForm struct {
	Name   string
	Scopes []clientsScope
	// Extra are scopes the form carried that the pool does not define: the
	// domain refuses them, with its own message.
	Extra []string
	// Flows are the OAuth flows asked for; the form shows
	// client_credentials, the only one Tollgate serves.
	Flows []string
	// Generate is "Generate a client secret" (creating only).
	Generate   bool
	Validities []clientsValidity
}

// ClientCredentials reports whether the client_credentials flow is checked.
func (f clientsForm) ClientCredentials() bool {
	return slices.Contains(f.Flows, tollgate.FlowClientCredentials)
}

// clientsUnits are the units a validity is chosen in.
var clientsUnits = []string{string(tollgate.Minutes), string(tollgate.Hours), string(tollgate.Days)}

// clientsValidities returns the form's validity fields for a client's
// validities (access, ID, refresh).
func clientsValidities(access, id, refresh tollgate.Validity) []clientsValidity {
	vs := []clientsValidity{
		{Field: "access", Label: "Access token validity", current: access,
			Hint: "How long an access token lasts: 5 minutes to 1 day."},
		{Field: "id", Label: "ID token validity", current: id,
			Hint: "5 minutes to 1 day. Kept for Cognito's API: client_credentials issues no ID token."},
		{Field: "refresh", Label: "Refresh token validity", current: refresh,
			Hint: "1 hour to 3650 days. Kept for Cognito's API: client_credentials issues no refresh token."},
	}
	for i := range vs {
		v := &vs[i]
		v.Value, v.Unit = strconv.FormatInt(v.current.Value, 10), string(v.current.Unit)
		v.setUnits()
	}
	return vs
}

// setUnits lists the units to choose from: the usual three, and the
// validity's own unit when it is another (seconds, set through Cognito's
// API), so that saving keeps it.
func (v *clientsValidity) setUnits() {
	v.Units = clientsUnits
	if v.Unit != "" && !slices.Contains(clientsUnits, v.Unit) {
		v.Units = append([]string{v.Unit}, clientsUnits...)
	}
}

// clientsFormFor returns the form of client cl (nil: a new client's, with
// the defaults) over the pool's scopes.
func clientsFormFor(cl *tollgate.Client, scopes []clientsScope) clientsForm {
	f := clientsForm{Scopes: slices.Clone(scopes)}
	if cl == nil {
		f.Flows = []string{tollgate.FlowClientCredentials}
		f.Generate = true
		f.Validities = clientsValidities(tollgate.DefaultAccessTokenValidity, tollgate.DefaultIDTokenValidity, tollgate.DefaultRefreshTokenValidity)
		return f
	}
	f.Name = cl.Name
	f.Flows = slices.Clone(cl.AllowedOAuthFlows)
	for i := range f.Scopes {
		f.Scopes[i].Checked = slices.Contains(cl.AllowedOAuthScopes, f.Scopes[i].Name)
	}
	f.Validities = clientsValidities(cl.AccessTokenValidity, cl.IDTokenValidity, cl.RefreshTokenValidity)
	return f
}

// clientsFormFromRequest reads a client's form as posted: scopes
// ("scope", repeated), flows ("flow"), "generate_secret", and each
// validity ("{field}_validity" and "{field}_validity_unit"). An update
// (cl not nil) whose form lacks a validity keeps the client's.
func clientsFormFromRequest(r *http.Request, scopes []clientsScope, cl *tollgate.Client) clientsForm {
	f := clientsFormFor(cl, scopes)
	f.Name = strings.TrimSpace(r.PostFormValue("name"))
	if cl != nil {
		f.Name = cl.Name
	}
	asked := r.PostForm["scope"]
	for i := range f.Scopes {
		f.Scopes[i].Checked = slices.Contains(asked, f.Scopes[i].Name)
	}
	for _, s := range asked {
		s = strings.TrimSpace(s)
		if s != "" && !slices.ContainsFunc(f.Scopes, func(sc clientsScope) bool { return sc.Name == s }) {
			f.Extra = append(f.Extra, s)
		}
	}
	f.Flows = nil
	for _, fl := range r.PostForm["flow"] {
		if fl = strings.TrimSpace(fl); fl != "" {
			f.Flows = append(f.Flows, fl)
		}
	}
	f.Generate = r.PostFormValue("generate_secret") != ""
	for i := range f.Validities {
		v := &f.Validities[i]
		if _, ok := r.PostForm[v.Field+"_validity"]; ok {
			v.Value = strings.TrimSpace(r.PostFormValue(v.Field + "_validity"))
		}
		if _, ok := r.PostForm[v.Field+"_validity_unit"]; ok {
			v.Unit = strings.TrimSpace(r.PostFormValue(v.Field + "_validity_unit"))
		}
		v.setUnits()
	}
	return f
}

// spec returns the domain's ClientSpec of the form, or why the form cannot
// be read (msg not empty). The domain checks the rest: bounds, scopes,
// flows, the secret.
func (f clientsForm) spec() (spec domain.ClientSpec, msg string) {
	spec = domain.ClientSpec{Name: f.Name, OAuthFlows: f.Flows}
	for _, s := range f.Scopes {
		if s.Checked {
			spec.Scopes = append(spec.Scopes, s.Name)
		}
	}
	spec.Scopes = append(spec.Scopes, f.Extra...)
	for _, v := range f.Validities {
		n, err := strconv.ParseInt(v.Value, 10, 64)
		if err != nil {
			return spec, v.Label + " must be a whole number, got \"" + v.Value + "\"."
		}
		val := tollgate.Validity{Value: n, Unit: tollgate.TimeUnit(v.Unit)}
		if val == (tollgate.Validity{}) {
			continue
		}
		switch v.Field {
		case "access":
			spec.AccessToken = val
		case "id":
			spec.IDToken = val
		case "refresh":
			spec.RefreshToken = val
		}
	}
	return spec, ""
}
