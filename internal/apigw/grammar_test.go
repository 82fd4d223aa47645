package apigw

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tollgate/tollgate"
)

// TestParseIntegrationURIs checks URIs the rules accept, and the names of
// their placeholders.
func TestParseIntegrationURIs(t *testing.T) {
	for _, tc := range []struct {
		uri   string
		names []string
	}{
		{"http://127.0.0.1:9000/{proxy}", []string{"proxy"}},
		{"https://h", nil},
		{"https://h?x=1", nil},
		{"https://h/v1/{a}/x/{b.c}.json?q=1", []string{"a", "b.c"}},
		{"http://[::1]:80/%41/{id}-{name}", []string{"id", "name"}},
		{"HTTP://H/{x}", []string{"x"}},
		// A "." between two placeholders is literal text, not a dot
		// segment: the proxy always served it, and config now accepts it.
		{"http://h/x/{a}.{b}/y", []string{"a", "b"}},
	} {
		u, msg := ParseIntegrationURI(tc.uri)
		if msg != "" || !cmp.Equal(u.Params(), tc.names) {
			t.Errorf("ParseIntegrationURI(%q) = %v, %q; want %q", tc.uri, u, msg, tc.names)
		}
	}
	for _, uri := range []string{"", "h/{x}", "ftp://h/", "http://h/{a}{b}", "http://h/a/%2e%2E/b", "http://h/{x+}", "http://u@h/"} {
		if _, msg := ParseIntegrationURI(uri); !strings.HasPrefix(msg, "invalid uri ") {
			t.Errorf("ParseIntegrationURI(%q) = %q, want a problem", uri, msg)
		}
	}
}

func TestParsePath(t *testing.T) {
	parts, err := ParsePath("/pets/{id}/files/{path+}")
	if err != nil || len(parts) != 4 || FormatPath(parts) != "/pets/{id}/files/{path+}" || !parts[3].Greedy || parts[2].Variable {
		t.Errorf("ParsePath = %v, %v", parts, err)
	}
	if parts, err := ParsePath("/"); err != nil || len(parts) != 0 {
		t.Errorf("root = %v, %v", parts, err)
	}
	if _, err := ParsePath("/x/"); err == nil || err.Error() != `resource path "/x/": must not end with /` {
		t.Errorf("trailing slash: %v", err)
	}
}

// TestStageNames: "Stage names can only contain alphanumeric characters,
// hyphens, and underscores. Maximum length is 128 characters." (the Stage
// and CreateStage API references, stageName:
// https://docs.aws.amazon.com/apigateway/latest/api/API_Stage.html).
func TestStageNames(t *testing.T) {
	for name, ok := range map[string]bool{"prod": true, "v_2": true, strings.Repeat("a", 128): true, "": false, "prod-1": true, "-": true, "prod.1": false, "a b": false, "prod/1": false, strings.Repeat("a", 129): false} {
		if StageNamePattern.MatchString(name) != ok {
			t.Errorf("%q: valid = %v, want %v", name, !ok, ok)
		}
	}
}

func TestRouteKeys(t *testing.T) {
	for _, s := range []string{"GET /pets/{id}", "ANY /{proxy+}", tollgate.DefaultRouteKey} {
		if msg := CheckRouteKey(s); msg != "" {
			t.Errorf("CheckRouteKey(%q) = %q", s, msg)
		}
	}
	for _, s := range []string{"GET", "get /x", "GET x", "TRACE /x", "GET /{a}/{a}", "GET  /x", "$default "} {
		if CheckRouteKey(s) == "" {
			t.Errorf("CheckRouteKey(%q) accepted", s)
		}
	}
}

func TestMethodIndex(t *testing.T) {
	for i, m := range Methods {
		if MethodIndex(m) != i {
			t.Errorf("MethodIndex(%s) = %d, want %d", m, MethodIndex(m), i)
		}
	}
	if Methods[AnyIndex] != MethodAny || len(Methods) != NumMethods || MethodIndex("get") != -1 {
		t.Error("Methods, AnyIndex and NumMethods disagree")
	}
}

func TestTreeConflict(t *testing.T) {
	var tree Tree
	for i, p := range []string{"/pets/{id}", "/pets/{id}/toys", "/stores/{name}"} {
		parts, _ := ParsePath(p)
		if c := tree.Add(parts, i); c != nil {
			t.Fatalf("%s: %v", p, c)
		}
	}
	parts, _ := ParsePath("/pets/{petId}")
	c := tree.Add(parts, 9)
	if c == nil || c.Owner != 0 || c.Parent != "/pets" || c.Sibling.String() != "{id}" {
		t.Fatalf("conflict = %+v", c)
	}
}
