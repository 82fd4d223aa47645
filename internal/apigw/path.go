package apigw

import (
	"fmt"
	"strings"
)

// MaxPathParams is the most path parameters one resource path may hold.
// It bounds the array the gateway's matches keep them in, so matching does
// not allocate.
const MaxPathParams = 16

// Part is one parsed part of a resource path template.
type Part struct {
	Text     string // the literal, or the variable's name
	Variable bool
	Greedy   bool // {name+}; only the last part
}

// String returns the part as written in a template: text, {name} or
// {name+}.
func (p Part) String() string {
	switch {
	case p.Greedy:
		return "{" + p.Text + "+}"
	case p.Variable:
		return "{" + p.Text + "}"
	}
	return p.Text
}

// FormatPath renders parts as a resource path ("/" for none).
func FormatPath(parts []Part) string {
	if len(parts) == 0 {
		return "/"
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteByte('/')
		b.WriteString(p.String())
	}
	return b.String()
}

// PathError is a resource path that is not a valid template.
type PathError struct {
	Path string
	// Part is the offending path part, or "" when the reason is about the
	// whole path, and reads after "it".
	Part   string
	Reason string // "must not end with /", "the path parameter \"id\" appears twice"...
}

func (e *PathError) Error() string { return fmt.Sprintf("resource path %q: %s", e.Path, e.Reason) }

// ParsePath parses a resource path template, "/" or "/part/part…", with
// API Gateway's rule for a path part (CreateResource's pathPart): letters,
// digits, '.', '_' and '-', or a variable {name}, or a greedy variable
// {name+} as the last part. A variable name may not repeat, and at most
// MaxPathParams parts may be variables.
func ParsePath(p string) ([]Part, *PathError) {
	bad := func(part, why string) ([]Part, *PathError) { return nil, &PathError{Path: p, Part: part, Reason: why} }
	switch {
	case p == "/":
		return nil, nil
	case !strings.HasPrefix(p, "/"):
		return bad("", "must start with /")
	case strings.HasSuffix(p, "/"):
		return bad("", "must not end with /")
	}
	raw := strings.Split(p[1:], "/")
	parts := make([]Part, 0, len(raw))
	vars := 0
	for i, s := range raw {
		part, why := parsePart(s)
		if why == "" && part.Greedy && i != len(raw)-1 {
			why = fmt.Sprintf("the greedy path part %q must be the last", s)
		}
		if why == "" && part.Variable {
			why = checkVariable(parts, part)
			vars++
		}
		if why != "" {
			return bad(s, why)
		}
		if vars > MaxPathParams {
			return bad("", fmt.Sprintf("has more than %d path parameters", MaxPathParams))
		}
		parts = append(parts, part)
	}
	return parts, nil
}

// parsePart parses one path part.
func parsePart(s string) (Part, string) {
	if s == "" {
		return Part{}, "has an empty path part (//)"
	}
	if !strings.HasPrefix(s, "{") && !strings.HasSuffix(s, "}") {
		if !validName(s) {
			return Part{}, fmt.Sprintf("path part %q may only hold letters, digits, '.', '_' and '-' (or be {name} or {name+})", s)
		}
		return Part{Text: s}, ""
	}
	if len(s) < 3 || s[0] != '{' || s[len(s)-1] != '}' {
		return Part{}, fmt.Sprintf("path part %q must be {name} or {name+}", s)
	}
	v := Part{Text: s[1 : len(s)-1], Variable: true}
	if strings.HasSuffix(v.Text, "+") {
		v.Text, v.Greedy = v.Text[:len(v.Text)-1], true
	}
	if !validName(v.Text) {
		return Part{}, fmt.Sprintf("path part %q is not a variable name: a parameter name may only hold letters, digits, '.', '_' and '-'", s)
	}
	return v, ""
}

// checkVariable checks a variable part against the parts before it.
func checkVariable(before []Part, v Part) string {
	for _, o := range before {
		if o.Variable && o.Text == v.Text {
			return fmt.Sprintf("the path parameter %q appears twice", v.Text)
		}
	}
	return ""
}

// validName reports whether s is a literal path part or a variable's name:
// letters, digits, '.', '_' and '-', at least one.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// Params returns the names of the variables of parts, in order.
func Params(parts []Part) []string {
	var names []string
	for _, p := range parts {
		if p.Variable {
			names = append(names, p.Text)
		}
	}
	return names
}

// Tree is the resource tree the paths of one API make. API Gateway allows
// one variable path part per level ("A sibling ({id}) of this resource
// already has a variable path part -- only one is allowed"): Add reports a
// path whose variable part differs from its sibling's.
type Tree struct{ root treeNode }

type treeNode struct {
	literals map[string]*treeNode
	variable *treeNode
	part     Part // of the variable child
	owner    int  // who added the variable child
}

// Conflict is a variable path part that differs from its sibling.
type Conflict struct {
	Part, Sibling Part
	// Parent is the path of the level the two parts are on.
	Parent string
	// Owner is the owner given to Add with the path that made the sibling.
	Owner int
}

// Error says what conflicts with what, and where.
func (c *Conflict) Error() string {
	return fmt.Sprintf("path part %s conflicts with its sibling %s under %q: API Gateway allows one variable path part per level", c.Part, c.Sibling, c.Parent)
}

// Add adds a parsed path to the tree, owner naming who declares it (an
// index, say), and returns the conflict it makes, or nil.
func (t *Tree) Add(parts []Part, owner int) *Conflict {
	n := &t.root
	for k, p := range parts {
		if !p.Variable {
			if n.literals == nil {
				n.literals = map[string]*treeNode{}
			}
			c := n.literals[p.Text]
			if c == nil {
				c = &treeNode{}
				n.literals[p.Text] = c
			}
			n = c
			continue
		}
		if n.variable == nil {
			n.variable, n.part, n.owner = &treeNode{}, p, owner
		} else if n.part != p {
			return &Conflict{Part: p, Sibling: n.part, Parent: FormatPath(parts[:k]), Owner: n.owner}
		}
		n = n.variable
	}
	return nil
}
