package proxy

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"net/url"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/apigw"
	"github.com/tollgate/tollgate/internal/claimsheader"
	"github.com/tollgate/tollgate/internal/gateway"
)

// cleanPath reports whether p, which starts with '/', is a percent-encoded
// path without dot segments: one an integration URI may hold.
func cleanPath(p string) bool {
	u, msg := apigw.ParseIntegrationURI("http://h" + p)
	return msg == "" && len(u.Params()) == 0 && !strings.Contains(p, "?")
}

// FuzzExpand checks what a client controls: a path parameter's value. The
// result must be refused for a dot segment, or be a valid percent-encoded
// path under the URI's prefix, free of dot segments, and equal to the
// value itself when the value is already a clean path.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{"a/b/c", "../../etc/passwd", "%2e%2E/x", "a%2Fb", "é ?#%", "a//b/", ".", "..", "%", "%2", "a/./b/../c", ".../x", "%00"} {
		f.Add(s)
	}
	tmpl, err := parseTemplate("http://up/api/{proxy}")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, v string) {
		p, err := tmpl.expand(lookup(map[string]string{"proxy": v}))
		if err != nil {
			if errors.Is(err, errDotSegment) && apigw.HasDotSegment(v) {
				return
			}
			t.Fatalf("expand(%q): %v", v, err)
		}
		if !strings.HasPrefix(p, "/api/") {
			t.Fatalf("expand(%q) = %q: left the prefix", v, p)
		}
		if !cleanPath(p) {
			t.Fatalf("expand(%q) = %q: invalid or has a dot segment", v, p)
		}
		if cleanPath("/"+v) && p != "/api/"+v {
			t.Fatalf("expand(%q) = %q: a clean value must pass unchanged", v, p)
		}
		u := &url.URL{Scheme: "http", Host: "up"}
		setPath(u, p)
		if u.EscapedPath() != p {
			t.Fatalf("the wire path %q differs from %q", u.EscapedPath(), p)
		}
	})
}

// FuzzJoinPath checks an HTTP API's $default route path, which the client
// writes whole: refused for a dot segment, or a valid percent-encoded path
// under the URI's path, free of dot segments, equal to prefix and the path
// itself when that is already clean, and reaching the wire as built.
func FuzzJoinPath(f *testing.F) {
	for _, s := range []string{"/store/checkout", "/", "", "x", "/a//b/", "/../etc/passwd", "/%2e%2E/x", "/a%2Fb", "/é ?#%",
		"/.", "/..", "/%", "/%2", "/a/./b", "/.../x", "/%00", "//x", "/v1.2/.x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, prefix := range []string{"", "/api"} {
			p, err := joinPath(prefix, raw)
			if err != nil {
				if errors.Is(err, errDotSegment) && apigw.HasDotSegment("/"+raw) {
					continue
				}
				t.Fatalf("joinPath(%q, %q): %v", prefix, raw, err)
			}
			if !strings.HasPrefix(p, prefix+"/") {
				t.Fatalf("joinPath(%q, %q) = %q: left the prefix", prefix, raw, p)
			}
			if !cleanPath(p) {
				t.Fatalf("joinPath(%q, %q) = %q: invalid or has a dot segment", prefix, raw, p)
			}
			if strings.HasPrefix(raw, "/") && cleanPath(raw) && p != prefix+raw {
				t.Fatalf("joinPath(%q, %q) = %q: a clean path must pass unchanged", prefix, raw, p)
			}
			u := &url.URL{Scheme: "http", Host: "up"}
			setPath(u, p)
			if u.EscapedPath() != p {
				t.Fatalf("the wire path %q differs from %q", u.EscapedPath(), p)
			}
		}
	})
}

// FuzzTemplate checks integration URIs (config text) with any value: a URI
// either is refused or always yields a path that reaches the wire as built.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		"http://h/{proxy}", "https://h:8443/v1/{a}/x/{b}.json?k=v", "http://h", "http://h/{proxy+}",
		"http://{h}/", "http://h/{a}{b}", "http://h/%zz", "http://h/${stageVariables.x}", "ftp://h/",
		"http://[::1]:80/{x}", "http://h/{a}.{b}", "http://h/a/../b",
	} {
		f.Add(s, "v/..")
	}
	f.Fuzz(func(t *testing.T, uri, v string) {
		tmpl, err := parseTemplate(uri)
		if err != nil {
			return
		}
		params := map[string]string{}
		for _, pt := range tmpl.parts {
			if pt.Param != "" {
				params[pt.Param] = v
			}
		}
		p, err := tmpl.expand(lookup(params))
		if err != nil {
			if errors.Is(err, errDotSegment) && (tmpl.shared || apigw.HasDotSegment(v)) {
				return
			}
			t.Fatalf("%q with %q: %v", uri, v, err)
		}
		if !strings.HasPrefix(p, "/") || !cleanPath(p) {
			t.Fatalf("%q with %q = %q", uri, v, p)
		}
		u := &url.URL{Scheme: tmpl.scheme, Host: tmpl.host}
		setPath(u, p)
		if u.EscapedPath() != p {
			t.Fatalf("the wire path %q differs from %q", u.EscapedPath(), p)
		}
		if _, err := url.Parse(u.String()); err != nil {
			t.Fatalf("%q builds an unparsable URL %q: %v", uri, u.String(), err)
		}
	})
}

func TestDotSegmentsAcrossLiteralText(t *testing.T) {
	tmpl, err := parseTemplate("http://h/x/{a}.{b}/y")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmpl.expand(lookup(map[string]string{"a": ".", "b": "."})); !errors.Is(err, errDotSegment) {
		t.Errorf("a dot segment formed with literal text: err %v, want errDotSegment", err)
	}
	if p, err := tmpl.expand(lookup(map[string]string{"a": "v1", "b": "json"})); err != nil || p != "/x/v1.json/y" {
		t.Errorf("got %q, %v", p, err)
	}
}

func TestForged(t *testing.T) {
	for name, want := range map[string]bool{
		"X-Tollgate-Client-Id": true, "x-tollgate-": true, "X_TOLLGATE_SCOPES": true, "X-Tollgate_Stage": true,
		"X-Forwarded-Port": true, "x_forwarded_for": true, "Forwarded": true, "X-Real-Ip": true, "x_real_ip": true,
		"X-Tollgat": false, "X-Tollgatex-A": false, "Authorization": false, "X-Forwarded": false, "Forwarded-For": false,
	} {
		if forged(name) != want {
			t.Errorf("forged(%q) = %v, want %v", name, !want, want)
		}
	}
}

// FuzzClaims checks the hand-written claims encoding against
// encoding/json: both must decode to the same object.
func FuzzClaims(f *testing.F) {
	f.Add("scope", "default/default")
	f.Add("k\"\\", "\x00\n\t\u2028<&>é\xff")
	f.Fuzz(func(t *testing.T, k, v string) {
		m := map[string]string{k: v, "sub": "6rupb256qn12tju82occ9eppqr"}
		raw, err := base64.RawURLEncoding.DecodeString(claimsheader.Encode(m))
		if err != nil {
			t.Fatal(err)
		}
		var got, want map[string]string
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("%q is not JSON: %v", raw, err)
		}
		std, _ := json.Marshal(m)
		if err := json.Unmarshal(std, &want); err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, want) {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
}

// lookup is a map's lookup, the shape expand takes.
func lookup(m map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

// FuzzPathReuse: the path of an invocation is the one expand builds,
// whether the request's own path is reused (reuse) or not.
func FuzzPathReuse(f *testing.F) {
	for _, s := range []string{"orders/42", "a%2Fb", "a b", "%41", "a%", "a%4", "../x", "%2e%2E/x", "a/./b", "x!*'()", "é", ""} {
		f.Add(s, true)
		f.Add(s, false)
	}
	templates := []*template{}
	for _, uri := range []string{"http://h/{proxy}", "http://h/base/{proxy}", "http://h/v1/{id}.json", "http://h/{a}/{b}"} {
		tmpl, err := parseTemplate(uri)
		if err != nil {
			f.Fatal(err)
		}
		templates = append(templates, tmpl)
	}
	f.Fuzz(func(t *testing.T, v string, slash bool) {
		for _, tmpl := range templates {
			params := []gateway.Param{{Name: "proxy", Value: v}, {Name: "id", Value: v}, {Name: "a", Value: v}, {Name: "b", Value: v}}
			for _, path := range []string{"/" + v, "/base/" + v, "/" + v + "/"} {
				if !slash {
					path = strings.TrimPrefix(path, "/")
				}
				inv := &gateway.Invocation{Path: path, PathParams: params}
				got, gotErr := tmpl.path(inv)
				want, wantErr := tmpl.expand(inv.PathParameter)
				if got != want || !errors.Is(gotErr, wantErr) {
					t.Fatalf("%v path(%q) = %q, %v; expand = %q, %v", tmpl.parts, path, got, gotErr, want, wantErr)
				}
			}
		}
	})
}
