package gateway

import (
	"testing"

	"github.com/tollgate/tollgate"
)

// A route implies another's binding checks only when its requirement is
// at least as strict (none < any < dpop | mtls, dpop and mtls
// incomparable: RFC 9449 §7.2, RFC 8705 §3) and it checks the same
// audiences (RFC 8707 §3).
func TestBindsAsStrictly(t *testing.T) {
	res := func(aud ...string) *resourceState {
		return &resourceState{decl: &tollgate.ProtectedResource{Audiences: aud}}
	}
	b := func(require string, r *resourceState) *binding { return &binding{require: require, res: r} }
	plain, api := res(), res("https://api.example.com")
	for _, tt := range []struct {
		name          string
		strict, other *binding
		want          bool
	}{
		{"none, none", nil, nil, true},
		{"none, any", nil, b(tollgate.BindingAny, plain), false},
		{"any, none", b(tollgate.BindingAny, plain), nil, true},
		{"any, dpop", b(tollgate.BindingAny, plain), b(tollgate.BindingDPoP, plain), false},
		{"dpop, any", b(tollgate.BindingDPoP, plain), b(tollgate.BindingAny, plain), true},
		{"mtls, any", b(tollgate.BindingMTLS, plain), b(tollgate.BindingAny, plain), true},
		{"dpop, dpop", b(tollgate.BindingDPoP, plain), b(tollgate.BindingDPoP, plain), true},
		{"dpop, mtls", b(tollgate.BindingDPoP, plain), b(tollgate.BindingMTLS, plain), false},
		{"mtls, dpop", b(tollgate.BindingMTLS, plain), b(tollgate.BindingDPoP, plain), false},
		{"no audiences, audiences", b("", plain), b("", api), false},
		{"nil, audiences", nil, b("", api), false},
		{"audiences, none", b("", api), b("", plain), true},
		{"same audiences", b("", api), b("", res("https://api.example.com")), true},
		{"other audiences", b("", res("https://other.example.com")), b("", api), false},
	} {
		if got := bindsAsStrictly(tt.strict, tt.other); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
