package template

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/tollgate/tollgate/internal/config"
)

// MaxFileSize is the largest template Load and Parse accept: CloudFormation
// takes 1 MB from S3; this leaves room for templates written by hand.
const MaxFileSize = 8 << 20

// Limits on the shape of a template, so that a hostile file cannot make
// parsing or resolving unbounded.
const (
	maxDepth  = 64
	maxValues = 1 << 20
)

// pos is a place in the template file.
type pos struct{ line, col int }

// Template is a parsed CloudFormation template: its sections as plain
// values (map[string]any, []any, string, int64, float64, bool, nil), with
// short-form tags turned into their long form ({"Ref": …}, {"Fn::GetAtt":
// […]}), and the position of each value by path.
type Template struct {
	// File is the path the template was read from.
	File string
	// Dir is the directory asset paths are relative to: the cloud
	// assembly's directory, or the template's own.
	Dir string
	// Body is the whole template.
	Body map[string]any

	// assets maps a Lambda function's logical id to its code directory,
	// from the cloud assembly's assets manifest.
	assets map[string]string
	// s3Assets maps an asset's object key (S3Key) to its directory.
	s3Assets  map[string]string
	positions map[string]pos
}

// Parse decodes data, the contents of the template file filename. JSON is
// read as YAML (a JSON text is a YAML document), so both get positions.
func Parse(filename string, data []byte) (*Template, error) {
	if len(data) > MaxFileSize {
		return nil, config.Problems{{File: filename, Message: fmt.Sprintf("the template is larger than %d MiB", MaxFileSize>>20)}}
	}
	f, err := safeParse(data)
	if err != nil {
		p := config.Problem{File: filename, Message: "invalid template: " + err.Error()}
		var ye yaml.Error
		if errors.As(err, &ye) {
			p.Message = "invalid template: " + ye.GetMessage()
			if tk := ye.GetToken(); tk != nil && tk.Position != nil {
				p.Line, p.Column = tk.Position.Line, tk.Position.Column
			}
		}
		return nil, config.Problems{p}
	}
	var body ast.Node
	for _, d := range f.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		if _, ok := d.Body.(*ast.DirectiveNode); ok {
			continue
		}
		if body != nil {
			return nil, config.Problems{{File: filename, Message: "the file holds more than one YAML document: want one template"}}
		}
		body = d.Body
	}
	t := &Template{File: filename, positions: map[string]pos{}}
	c := &converter{t: t}
	v := c.value(body, "", 0)
	if c.err != nil {
		return nil, config.Problems{*c.err}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, config.Problems{{File: filename, Line: 1, Column: 1, Message: "the template is not a mapping: want an object with Resources"}}
	}
	t.Body = m
	return t, nil
}

// safeParse runs the YAML parser, turning a panic inside it into an error:
// the template is untrusted input.
func safeParse(data []byte) (f *ast.File, err error) {
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("the YAML parser failed on this input (%v)", p)
		}
	}()
	return parser.ParseBytes(data, 0)
}

type converter struct {
	t     *Template
	count int
	err   *config.Problem
}

func (c *converter) fail(n ast.Node, path, format string, args ...any) {
	if c.err != nil {
		return
	}
	p := nodePos(n)
	c.err = &config.Problem{File: c.t.File, Line: p.line, Column: p.col, Path: path, Message: fmt.Sprintf(format, args...)}
}

// shortForms are CloudFormation's YAML tags other than Ref and Condition:
// !Name stands for {"Fn::Name": value}.
var shortForms = map[string]bool{
	"Base64": true, "Cidr": true, "FindInMap": true, "GetAtt": true, "GetAZs": true,
	"ImportValue": true, "Join": true, "Select": true, "Split": true, "Sub": true,
	"Transform": true, "And": true, "Equals": true, "If": true, "Not": true, "Or": true,
	"Contains": true, "EachMemberEquals": true, "ValueOf": true, "ValueOfAll": true,
	"RefAll": true, "Length": true, "ToJsonString": true,
}

func (c *converter) value(n ast.Node, path string, depth int) any {
	if c.err != nil {
		return nil
	}
	c.count++
	if depth > maxDepth || c.count > maxValues {
		c.fail(n, path, "the template nests too deeply or holds too many values")
		return nil
	}
	if n != nil {
		c.t.positions[path] = nodePos(n)
	}
	switch t := n.(type) {
	case nil, *ast.NullNode:
		return nil
	case *ast.DocumentNode:
		return c.value(t.Body, path, depth+1)
	case *ast.CommentNode:
		return nil
	case *ast.AnchorNode:
		return c.value(t.Value, path, depth+1)
	case *ast.AliasNode:
		c.fail(n, path, "YAML aliases are not accepted in templates (CloudFormation refuses them)")
		return nil
	case *ast.TagNode:
		return c.tagged(t, path, depth)
	case *ast.MappingNode:
		m := make(map[string]any, len(t.Values))
		for _, mv := range t.Values {
			c.entry(m, mv, path, depth)
		}
		return m
	case *ast.MappingValueNode:
		m := map[string]any{}
		c.entry(m, t, path, depth)
		return m
	case *ast.SequenceNode:
		s := make([]any, 0, len(t.Values))
		for i, e := range t.Values {
			s = append(s, c.value(e, path+"["+strconv.Itoa(i)+"]", depth+1))
		}
		return s
	}
	return c.scalar(n, path)
}

// scalar converts a scalar node.
func (c *converter) scalar(n ast.Node, path string) any {
	switch t := n.(type) {
	case *ast.StringNode:
		return t.Value
	case *ast.LiteralNode:
		if t.Value != nil {
			return t.Value.Value
		}
		return ""
	case *ast.BoolNode:
		return t.Value
	case *ast.IntegerNode:
		switch v := t.Value.(type) {
		case int64:
			return v
		case uint64:
			return float64(v)
		}
		return t.GetToken().Value
	case *ast.FloatNode:
		return t.Value
	case *ast.InfinityNode, *ast.NanNode:
		return t.GetToken().Value
	}
	c.fail(n, path, "unsupported YAML: %s", strings.ToLower(n.Type().String()))
	return nil
}

// tagged converts a tagged node: YAML's own tags, and CloudFormation's
// short forms (!Ref, !GetAtt, !Sub...) as the functions they stand for.
func (c *converter) tagged(t *ast.TagNode, path string, depth int) any {
	tag := ""
	if t.Start != nil {
		tag = t.Start.Value
	}
	switch tag {
	case "!!str":
		v := c.value(t.Value, path, depth+1)
		if v == nil {
			return ""
		}
		return fmt.Sprint(v)
	case "!!map", "!!seq", "!!bool", "!!int", "!!float", "!!null":
		return c.value(t.Value, path, depth+1)
	case "!Ref":
		return map[string]any{"Ref": c.value(t.Value, path+".Ref", depth+1)}
	case "!Condition":
		return map[string]any{"Condition": c.value(t.Value, path+".Condition", depth+1)}
	case "!GetAtt":
		v := c.value(t.Value, path+".Fn::GetAtt", depth+1)
		if s, ok := v.(string); ok {
			// The short form takes "Resource.Attribute".
			if res, att, ok := strings.Cut(s, "."); ok {
				v = []any{res, att}
			}
		}
		return map[string]any{"Fn::GetAtt": v}
	}
	if name, ok := strings.CutPrefix(tag, "!"); ok && shortForms[name] {
		key := "Fn::" + name
		return map[string]any{key: c.value(t.Value, path+"."+key, depth+1)}
	}
	c.fail(t, path, "unsupported YAML tag %s", tag)
	return nil
}

func (c *converter) entry(m map[string]any, mv *ast.MappingValueNode, path string, depth int) {
	if mv == nil || c.err != nil {
		return
	}
	var key string
	switch k := mv.Key.(type) {
	case *ast.StringNode:
		key = k.Value
	case nil:
		c.fail(mv, path, "a mapping key is missing")
		return
	default:
		if tk := k.GetToken(); tk != nil {
			key = tk.Value
		}
		if _, ok := k.(*ast.MergeKeyNode); ok {
			c.fail(mv, path, "YAML merge keys are not accepted in templates")
			return
		}
	}
	kp := key
	if path != "" {
		kp = path + "." + key
	}
	if _, dup := m[key]; dup {
		c.fail(mv.Key, kp, "duplicate key %q", key)
		return
	}
	m[key] = c.value(mv.Value, kp, depth+1)
	if p := nodePos(mv.Key); p.line > 0 {
		c.t.positions[kp+"#key"] = p
	}
}

// nodePos is where a node starts (config.NodePosition).
func nodePos(n ast.Node) pos {
	line, col := config.NodePosition(n)
	return pos{line, col}
}

// problem is a problem at path ("Resources.Api.Properties.Name"), placed at
// the nearest value whose position is known.
func (t *Template) problem(path, format string, args ...any) config.Problem {
	p := t.at(path)
	p.Message = fmt.Sprintf(format, args...)
	return p
}

// at places a problem at path, at the nearest value whose position is
// known.
func (t *Template) at(path string) config.Problem {
	p := config.Problem{File: t.File, Path: path}
	for q := path; q != ""; q = parent(q) {
		if at, ok := t.positions[q]; ok && at.line > 0 {
			p.Line, p.Column = at.line, at.col
			break
		}
	}
	return p
}

// keyAt places a problem at path at the mapping key that names it, or at
// its value when it has no key (a list item).
func (t *Template) keyAt(path string) config.Problem {
	if at, ok := t.positions[path+"#key"]; ok {
		return config.Problem{File: t.File, Line: at.line, Column: at.col, Path: path}
	}
	return t.at(path)
}

// parent drops the last element of a path: "A.B[2]" → "A.B", "A.B" → "A".
func parent(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndexByte(p, '['); i >= 0 {
			return p[:i]
		}
	}
	// Keys may hold "::" (Fn::Join): cut at the last "." not inside one.
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '.' {
			return p[:i]
		}
	}
	return ""
}
