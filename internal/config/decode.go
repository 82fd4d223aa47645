package config

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/tollgate/tollgate"
)

// Limits on what one file may make the decoder do. A config file is small;
// these only stop a hostile or broken one (an alias bomb, a self-referencing
// merge) from using unbounded time or stack.
const (
	maxNodes = 200_000 // values decoded, counting each alias expansion
	maxDepth = 64      // nesting of mappings and sequences, aliases included
)

// parseYAML parses data into a single YAML document body, reporting syntax
// errors, an empty file and more than one document as problems. It returns
// nil when there is nothing to decode.
func parseYAML(r *report, data []byte) (body ast.Node) {
	f, err := safeParse(data)
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) {
			r.addAt(tokenPos(ye.GetToken()), "", "invalid YAML: "+ye.GetMessage())
		} else {
			r.addAt(position{}, "", "invalid YAML: "+err.Error())
		}
		return nil
	}
	var docs []ast.Node
	for _, d := range f.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		if _, ok := d.Body.(*ast.DirectiveNode); ok {
			continue
		}
		docs = append(docs, d.Body)
	}
	switch len(docs) {
	case 0:
		r.addAt(position{1, 1}, "", "the file is empty: want a mapping with userPools")
		return nil
	case 1:
		return docs[0]
	default:
		r.addAt(nodePos(docs[1]), "", fmt.Sprintf("the file holds %d YAML documents: want one", len(docs)))
		return nil
	}
}

// safeParse runs the YAML parser, turning a panic inside it into an error:
// the file is untrusted input and a parser bug must not take the process
// down.
func safeParse(data []byte) (f *ast.File, err error) {
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("the YAML parser failed on this input (%v)", p)
		}
	}()
	return parser.ParseBytes(data, 0)
}

// decoder turns a YAML syntax tree into schema structs. Unlike a strict
// yaml.Unmarshal, which stops at the first unknown field or wrong type, it
// reports every one and carries on, and it records where each value is so
// that later problems can point at it.
//
// The schema is the Go structs themselves: exported fields with a `yaml`
// tag, of kind string, bool, int, float64, struct, pointer to struct, slice
// or map[string]string, plus tollgate.Validity for token lifetimes and
// time.Duration for timeouts.
type decoder struct {
	r       *report
	anchors map[string][]*ast.AnchorNode // by name, in document order
	nodes   int                          // values decoded so far
	depth   int
	stopped bool // a limit was hit; decode nothing more
}

func newDecoder(r *report, body ast.Node) *decoder {
	d := &decoder{r: r, anchors: map[string][]*ast.AnchorNode{}}
	func() {
		defer func() { _ = recover() }() // a malformed tree only loses anchors
		ast.Walk(anchorCollector(d.anchors), body)
	}()
	return d
}

type anchorCollector map[string][]*ast.AnchorNode

func (c anchorCollector) Visit(n ast.Node) ast.Visitor {
	if a, ok := n.(*ast.AnchorNode); ok && a.Name != nil && a.Name.GetToken() != nil {
		name := a.Name.GetToken().Value
		c[name] = append(c[name], a)
	}
	return c
}

var (
	validityType = reflect.TypeFor[tollgate.Validity]()
	durationType = reflect.TypeFor[time.Duration]()
	// optionalDurationType is a duration that may be 0 and whose absence
	// (nil) means the default, such as a result cache TTL.
	optionalDurationType = reflect.TypeFor[*time.Duration]()
)

// enter counts node n, found at path, against the limits and records its
// position; it reports false, and does not enter, when decoding has
// stopped.
func (d *decoder) enter(n ast.Node, path string, rv reflect.Value) bool {
	if d.stopped {
		return false
	}
	if path == "" && rv.CanAddr() {
		if cfg, ok := rv.Addr().Interface().(*Config); ok {
			locate(cfg, d.r.pos)
		}
	}
	d.nodes++
	if d.nodes > maxNodes || d.depth > maxDepth {
		d.stopped = true
		d.r.addAt(nodePos(n), path, fmt.Sprintf("the document is too large or too deeply nested (more than %d values or %d levels, aliases expanded)", maxNodes, maxDepth))
		return false
	}
	d.depth++
	if _, seen := d.r.pos.values[path]; !seen {
		d.r.pos.values[path] = nodePos(n)
	}
	return true
}

// decode stores the value of node n, found at path, into rv.
func (d *decoder) decode(n ast.Node, path string, rv reflect.Value) {
	if !d.enter(n, path, rv) {
		return
	}
	defer func() { d.depth-- }()
	n, strTag, ok := d.resolve(n, path)
	if !ok {
		return
	}

	if b, isBool := n.(*ast.BoolNode); isBool && strTag && rv.Kind() != reflect.Bool {
		n = ast.String(b.GetToken()) // !!str true is the text "true"
	}
	switch {
	case rv.Type() == validityType, rv.Type() == durationType, rv.Kind() == reflect.String:
		d.text(n, path, rv)
	case rv.Kind() == reflect.Int, rv.Kind() == reflect.Int64:
		d.integer(n, path, rv)
	case rv.Kind() == reflect.Float64:
		d.number(n, path, rv)
	case rv.Kind() == reflect.Bool:
		switch b := n.(type) {
		case *ast.BoolNode:
			rv.SetBool(b.Value)
		case *ast.NullNode:
		default:
			d.wrongType(n, path, "true or false")
		}
	case rv.Type() == optionalDurationType:
		d.optionalDuration(n, path, rv)
	case rv.Kind() == reflect.Struct:
		d.mapping(n, path, rv)
	case rv.Kind() == reflect.Pointer && rv.Type().Elem().Kind() == reflect.Struct:
		// A null ("certificate:" and nothing) sets an empty struct, so
		// that its required fields are reported as missing.
		p := reflect.New(rv.Type().Elem())
		d.mapping(n, path, p.Elem())
		rv.Set(p)
	case rv.Kind() == reflect.Slice:
		d.sequence(n, path, rv)
	case rv.Kind() == reflect.Map && rv.Type().Key().Kind() == reflect.String:
		d.stringMap(n, path, rv)
	case rv.Kind() == reflect.Pointer && rv.Type().Elem().Kind() == reflect.Bool:
		d.optionalBool(n, path, rv)
	default:
		d.anyValue(n, path, rv)
	}
}

// anyValue decodes free-form data (a client's inline jwks) into an any:
// map[string]any, []any, string, a number, a bool or nil, as JSON would,
// keeping the position of every value for the checks' problems.
func (d *decoder) anyValue(n ast.Node, path string, rv reflect.Value) {
	if rv.Kind() != reflect.Interface || rv.NumMethod() != 0 {
		panic("config: the schema has a field of unsupported type " + rv.Type().String())
	}
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		m := reflect.New(reflect.TypeFor[map[string]any]()).Elem()
		d.stringMap(n, path, m)
		rv.Set(m)
	case *ast.SequenceNode:
		s := reflect.New(reflect.TypeFor[[]any]()).Elem()
		d.sequence(n, path, s)
		rv.Set(s)
	case *ast.NullNode:
	default:
		var v any
		if err := yaml.NodeToValue(n, &v); err != nil {
			d.wrongType(n, path, "a JSON value")
			return
		}
		if v != nil {
			rv.Set(reflect.ValueOf(v))
		}
	}
}

// optionalBool decodes a *bool (createDefaultStage): nil when null, so
// that a default can be told from false.
func (d *decoder) optionalBool(n ast.Node, path string, rv reflect.Value) {
	if _, isNull := n.(*ast.NullNode); isNull {
		return
	}
	p := reflect.New(rv.Type().Elem())
	d.decode(n, path, p.Elem())
	rv.Set(p)
}

// text decodes a scalar into a string, a validity or a timeout field.
func (d *decoder) text(n ast.Node, path string, rv reflect.Value) {
	switch rv.Type() {
	case validityType:
		s, ok := d.scalar(n, path, "a duration like 60m or 5d")
		if !ok {
			return
		}
		v, err := ParseValidity(s)
		if err != nil {
			d.r.fail(path, "%v", err)
			return
		}
		rv.Set(reflect.ValueOf(v))
	case durationType:
		s, ok := d.scalar(n, path, "a duration like 10s or 500ms")
		if !ok {
			return
		}
		v, err := ParseTimeout(s)
		if err != nil {
			d.r.fail(path, "%v", err)
			return
		}
		rv.SetInt(int64(v))
	default:
		if s, ok := d.scalar(n, path, "a string"); ok {
			rv.SetString(s)
		}
	}
}

// zeroDuration is a duration of nothing: "0", "0s", "0.0m".
var zeroDuration = regexp.MustCompile(`^0+(?:\.0*)?(?:ns|us|µs|μs|ms|s|m|h)?$`)

// wholeNumber is a number with no unit, like 300.
var wholeNumber = regexp.MustCompile(`^[0-9]+$`)

// optionalDuration decodes a duration that may be zero ("0s", "0") into a
// *time.Duration field; null leaves it nil.
func (d *decoder) optionalDuration(n ast.Node, path string, rv reflect.Value) {
	if _, isNull := n.(*ast.NullNode); isNull {
		return
	}
	s, ok := d.scalar(n, path, "a duration like 300s or 0s")
	if !ok {
		return
	}
	var v time.Duration
	if !zeroDuration.MatchString(s) {
		if wholeNumber.MatchString(s) {
			// The one such field, resultsCacheTtl, takes whole seconds
			// (CloudFormation's AuthorizerResultTtlInSeconds is a bare
			// number): say how to write it, not that 500ms would do.
			d.r.fail(path, "invalid duration %q: want a unit: write %ss (whole seconds)", s, s)
			return
		}
		var err error
		if v, err = ParseTimeout(s); err != nil {
			d.r.fail(path, "%v", err)
			return
		}
	}
	rv.Set(reflect.ValueOf(&v))
}

// integer decodes a whole number into an int field. A string is refused,
// even "128": a number written as a string is more likely a mistake.
func (d *decoder) integer(n ast.Node, path string, rv reflect.Value) {
	switch t := n.(type) {
	case *ast.IntegerNode:
		// The parser gives a uint64 for a positive number, an int64 for a
		// negative one and nil when the number overflows both. An int field
		// holds up to 2^31-1, an int64 one (a quota) up to 2^63-1.
		switch v := t.Value.(type) {
		case int64:
			rv.SetInt(v)
		case uint64:
			if v > math.MaxInt32 && (rv.Kind() != reflect.Int64 || v > math.MaxInt64) {
				d.r.fail(path, "the number %s is too large", t.GetToken().Value)
				return
			}
			rv.SetInt(int64(v))
		default:
			d.r.fail(path, "the number %s is too large", t.GetToken().Value)
		}
	case *ast.NullNode:
	default:
		d.wrongType(n, path, "a whole number")
	}
}

// number decodes a finite number, whole or not, into a float64 field.
func (d *decoder) number(n ast.Node, path string, rv reflect.Value) {
	switch t := n.(type) {
	case *ast.IntegerNode:
		switch v := t.Value.(type) {
		case int64:
			rv.SetFloat(float64(v))
		case uint64:
			rv.SetFloat(float64(v))
		default:
			d.r.fail(path, "the number %s is too large", t.GetToken().Value)
		}
	case *ast.FloatNode:
		rv.SetFloat(t.Value)
	case *ast.NullNode:
	default:
		d.wrongType(n, path, "a number")
	}
}

// stringMap decodes a mapping keyed by strings, such as environment
// variables (map[string]string) or a stage's route throttles
// (map[string]ThrottleSettings). Each entry's path is the map's path and
// its key, so that problems point at the entry. A key with no value
// ("KEY:") maps to the zero value.
func (d *decoder) stringMap(n ast.Node, path string, rv reflect.Value) {
	if _, isNull := n.(*ast.NullNode); isNull {
		return
	}
	if !isMapping(n) {
		d.wrongType(n, path, "a mapping")
		return
	}
	entries := d.entries(n, path)
	m := reflect.MakeMapWithSize(rv.Type(), len(entries))
	for _, e := range entries {
		epath := field(path, e.key)
		if _, seen := d.r.pos.keys[epath]; !seen {
			d.r.pos.keys[epath] = e.keyPos
		}
		v := reflect.New(rv.Type().Elem()).Elem()
		d.decode(e.value, epath, v)
		m.SetMapIndex(reflect.ValueOf(e.key).Convert(rv.Type().Key()), v)
	}
	rv.Set(m)
}

// resolve looks through anchors, aliases and tags to the node that holds the
// value. strTag reports an explicit !!str tag. ok is false when the node
// cannot be resolved; a problem has then been reported.
func (d *decoder) resolve(n ast.Node, path string) (_ ast.Node, strTag, ok bool) {
	for range maxDepth {
		switch t := n.(type) {
		case nil:
			return &ast.NullNode{}, strTag, true
		case *ast.AnchorNode:
			n = t.Value
		case *ast.AliasNode:
			target := d.anchorFor(t)
			if target == nil {
				d.r.fail(path, "alias %s refers to no anchor before it", t.String())
				return nil, false, false
			}
			n = target.Value
		case *ast.TagNode:
			tag := ""
			if t.Start != nil {
				tag = t.Start.Value
			}
			switch tag {
			case "!!str":
				strTag = true
			case "!!map", "!!seq", "!!bool", "!!int", "!!float", "!!null":
			default:
				d.r.fail(path, "unsupported YAML tag %s", tag)
				return nil, false, false
			}
			n = t.Value
		default:
			return n, strTag, true
		}
	}
	d.r.fail(path, "aliases nest too deeply")
	return nil, false, false
}

// anchorFor returns the anchor an alias names: the last one with that name
// that appears before the alias, as YAML defines.
func (d *decoder) anchorFor(a *ast.AliasNode) *ast.AnchorNode {
	if a.Value == nil || a.Value.GetToken() == nil || a.Start == nil || a.Start.Position == nil {
		return nil
	}
	var found *ast.AnchorNode
	for _, c := range d.anchors[a.Value.GetToken().Value] {
		if c.Start != nil && c.Start.Position != nil && c.Start.Position.Offset < a.Start.Position.Offset {
			found = c
		}
	}
	return found
}

// scalar returns the text of a scalar node. Numbers are accepted where a
// string is wanted, as written (an identifier may well be "2024"); booleans
// are not (decode makes one tagged !!str a string), since "true" is more
// likely a mistake. A null leaves the field unset.
func (d *decoder) scalar(n ast.Node, path string, want string) (string, bool) {
	switch t := n.(type) {
	case *ast.StringNode:
		return t.Value, true
	case *ast.LiteralNode:
		if t.Value != nil {
			return t.Value.Value, true
		}
		return "", true
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return n.GetToken().Value, true
	case *ast.NullNode:
		return "", false
	}
	d.wrongType(n, path, want)
	return "", false
}

func (d *decoder) wrongType(n ast.Node, path, want string) {
	d.r.fail(path, "want %s, got %s", want, describe(n))
}

// describe names the kind of a node for messages.
func describe(n ast.Node) string {
	switch t := n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.BoolNode:
		return fmt.Sprintf("%t", t.Value)
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "the number " + n.GetToken().Value
	case *ast.NullNode:
		return "nothing"
	case *ast.StringNode:
		if len(t.Value) <= 40 {
			return fmt.Sprintf("the string %q", t.Value)
		}
		return "a string"
	case *ast.LiteralNode:
		return "a string"
	}
	return "a " + strings.ToLower(n.Type().String())
}

// entry is one key/value pair of a mapping, merges flattened.
type entry struct {
	key    string
	keyPos position
	value  ast.Node
}

// mapping decodes a mapping node into the struct rv.
func (d *decoder) mapping(n ast.Node, path string, rv reflect.Value) {
	if _, isNull := n.(*ast.NullNode); isNull {
		return // "oAuth:" with nothing after it: all defaults
	}
	if !isMapping(n) {
		d.wrongType(n, path, "a mapping")
		return
	}
	fields := schemaFields(rv.Type())
	for _, e := range d.entries(n, path) {
		fpath := field(path, e.key)
		if _, seen := d.r.pos.keys[fpath]; !seen {
			d.r.pos.keys[fpath] = e.keyPos
		}
		f, ok := fields[e.key]
		if !ok {
			if msg := removedField(rv.Type(), e.key, e.value); msg != "" {
				d.r.addKey(fpath, "%s", msg)
				d.r.broken[fpath] = true
				continue
			}
			d.r.addKey(fpath, "unknown field %q%s", e.key, suggest(e.key, rv.Type()))
			continue
		}
		d.decode(e.value, fpath, rv.FieldByIndex(f))
	}
}

func isMapping(n ast.Node) bool {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return true
	}
	return false
}

// entries lists a mapping's pairs, with those of merge keys ("<<: *base")
// after the explicit ones and only where no explicit key has the same name.
func (d *decoder) entries(n ast.Node, path string) []entry {
	var values []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		values = m.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{m}
	}
	var explicit, merged []entry
	for _, mv := range values {
		if mv == nil || mv.Key == nil {
			continue
		}
		if mv.Key.IsMergeKey() {
			merged = append(merged, d.mergedEntries(mv.Value, path)...)
			continue
		}
		key, ok := keyString(mv.Key)
		if !ok {
			d.r.addAt(nodePos(mv.Key), path, "mapping keys must be strings, got "+describe(mv.Key))
			continue
		}
		explicit = append(explicit, entry{key: key, keyPos: nodePos(mv.Key), value: mv.Value})
	}
	seen := map[string]bool{}
	for _, e := range explicit {
		seen[e.key] = true
	}
	for _, e := range merged {
		if !seen[e.key] {
			seen[e.key] = true
			explicit = append(explicit, e)
		}
	}
	return explicit
}

// mergedEntries returns the pairs a merge key brings in: those of a mapping
// or of each mapping in a list.
func (d *decoder) mergedEntries(v ast.Node, path string) []entry {
	d.nodes++
	d.depth++
	defer func() { d.depth-- }()
	if d.stopped || d.nodes > maxNodes || d.depth > maxDepth {
		if !d.stopped {
			d.stopped = true
			d.r.add(path, "merge keys nest too deeply")
		}
		return nil
	}
	v, _, ok := d.resolve(v, path)
	if !ok {
		return nil
	}
	if isMapping(v) {
		return d.entries(v, path)
	}
	if s, ok := v.(*ast.SequenceNode); ok {
		var out []entry
		for _, item := range s.Values {
			out = append(out, d.mergedEntries(item, path)...)
		}
		return out
	}
	d.r.add(path, "a merge key (<<) must name a mapping or a list of mappings, got %s", describe(v))
	return nil
}

// keyString returns the text of a scalar mapping key.
func keyString(k ast.Node) (string, bool) {
	switch t := k.(type) {
	case *ast.StringNode:
		return t.Value, true
	case *ast.MappingKeyNode:
		if t.Value == nil {
			return "", false
		}
		return keyString(t.Value)
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return k.GetToken().Value, true
	}
	return "", false
}

// sequence decodes a list into the slice rv.
func (d *decoder) sequence(n ast.Node, path string, rv reflect.Value) {
	if _, isNull := n.(*ast.NullNode); isNull {
		return
	}
	s, ok := n.(*ast.SequenceNode)
	if !ok {
		d.wrongType(n, path, "a list")
		return
	}
	out := reflect.MakeSlice(rv.Type(), len(s.Values), len(s.Values))
	for i, item := range s.Values {
		ipath := index(path, i)
		if rv.Type().Elem().Kind() == reflect.Struct {
			d.r.pos.values[ipath] = nodePos(item)
			r, _, ok := d.resolve(item, ipath)
			if !ok {
				continue
			}
			if _, isNull := r.(*ast.NullNode); isNull {
				d.r.fail(ipath, "empty list item: want a mapping")
				continue
			}
		}
		d.decode(item, ipath, out.Index(i))
	}
	rv.Set(out)
}

// schemaCache holds schemaFields' answers; the schema is fixed at compile
// time, so they never go stale.
var schemaCache sync.Map // reflect.Type → map[string][]int

// schemaFields maps the yaml names of a struct's fields to their indexes.
func schemaFields(t reflect.Type) map[string][]int {
	if m, ok := schemaCache.Load(t); ok {
		return m.(map[string][]int)
	}
	out := map[string][]int{}
	for _, f := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		out[name] = f.Index
	}
	schemaCache.Store(t, out)
	return out
}

// suggest names the field the user probably meant, or lists the fields.
func suggest(key string, t reflect.Type) string {
	names := make([]string, 0, 8)
	for _, f := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		if d := editDistance(strings.ToLower(name), strings.ToLower(key)); d == 0 || d <= 2 && 2*d < len(key) {
			return fmt.Sprintf(" (did you mean %q?)", name)
		}
		names = append(names, name)
	}
	return " (want one of " + strings.Join(names, ", ") + ")"
}

// editDistance is the Levenshtein distance between a and b, capped for long
// inputs (a key longer than any field name is no typo).
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// NodePosition is the line and column where a YAML node starts, as
// problems point at it: a block mapping's own token is its first colon,
// so it is placed at its first key instead. Zeros mean unknown.
func NodePosition(n ast.Node) (line, col int) {
	p := nodePos(n)
	return p.line, p.col
}

// nodePos is NodePosition as a position.
func nodePos(n ast.Node) position {
	if n == nil {
		return position{}
	}
	if m, ok := n.(*ast.MappingNode); ok && !m.IsFlowStyle && len(m.Values) > 0 && m.Values[0] != nil && m.Values[0].Key != nil {
		return nodePos(m.Values[0].Key)
	}
	if mv, ok := n.(*ast.MappingValueNode); ok && mv.Key != nil {
		return nodePos(mv.Key)
	}
	return tokenPos(n.GetToken())
}

func tokenPos(tk *token.Token) position {
	if tk == nil || tk.Position == nil {
		return position{}
	}
	return position{tk.Position.Line, tk.Position.Column}
}
