package template

import (
	"encoding/base64"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/config"
)

// noValue is what Ref AWS::NoValue resolves to: the property that holds it
// is removed, as CloudFormation removes it.
type noValueType struct{}

var noValue = noValueType{}

// Placeholders stand for physical ids that exist only once config.Apply has
// created the objects: "⟦tollgate:{logical id}.{attribute}⟧".
const (
	placeholderOpen  = "⟦tollgate:"
	placeholderClose = "⟧"
)

func placeholder(logicalID, attr string) string {
	return placeholderOpen + logicalID + "." + attr + placeholderClose
}

var placeholderRE = regexp.MustCompile(`⟦tollgate:([A-Za-z0-9]+)\.([A-Za-z0-9.]+)⟧`)

// placeholders returns the logical ids and attributes of the placeholders
// in s, in order.
func placeholders(s string) [][2]string {
	var out [][2]string
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		out = append(out, [2]string{m[1], m[2]})
	}
	return out
}

// resolver resolves intrinsic functions. refs and attrs hold what each
// resource already resolved gives; resources are resolved in dependency
// order, so a reference always finds its target done.
type resolver struct {
	t          *Template
	pseudo     map[string]string
	params     map[string]any
	conditions map[string]bool
	condDefs   map[string]any
	condBusy   map[string]bool
	condFailed map[string]bool
	resources  map[string]map[string]any // logical id → resource
	// ref and attr answer Ref and Fn::GetAtt of a resolved resource.
	ref  map[string]any
	attr func(id, name string) (any, bool)
	// missing says why a resource has no Ref: its condition is false, or
	// it has problems of its own.
	missing  map[string]string
	problems *[]config.Problem
	// steps counts resolve calls, so that a hostile template (conditions
	// that fail again at each of many references) cannot take
	// exponential time.
	steps int
}

// maxSteps bounds the work of resolving one template.
const maxSteps = 1 << 21

func (r *resolver) fail(path, format string, args ...any) {
	*r.problems = append(*r.problems, r.t.problem(path, format, args...))
}

// resolve returns v with every intrinsic function resolved. ok is false when
// a problem was reported.
func (r *resolver) resolve(v any, path string) (any, bool) {
	r.steps++
	if r.steps == maxSteps {
		r.fail(path, "the template takes too much work to resolve")
	}
	if r.steps >= maxSteps {
		return nil, false
	}
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 1 {
			for k, arg := range t {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") || k == "Condition" && path != "" && isConditionOperand(path) {
					return r.intrinsic(k, arg, path+"."+k)
				}
			}
		}
		out := make(map[string]any, len(t))
		ok := true
		for _, k := range slices.Sorted(maps.Keys(t)) {
			rv, kok := r.resolve(t[k], path+"."+k)
			ok = ok && kok
			if rv != noValue {
				out[k] = rv
			}
		}
		return out, ok
	case []any:
		out := make([]any, 0, len(t))
		ok := true
		for i, e := range t {
			rv, eok := r.resolve(e, path+"["+strconv.Itoa(i)+"]")
			ok = ok && eok
			if rv != noValue {
				out = append(out, rv)
			}
		}
		return out, ok
	}
	return v, true
}

// isConditionOperand reports whether path is inside a condition function,
// where {"Condition": name} names another condition.
func isConditionOperand(path string) bool {
	for _, f := range []string{"Fn::And", "Fn::Or", "Fn::Not", "Conditions."} {
		if strings.Contains(path, f) {
			return true
		}
	}
	return false
}

// intrinsic resolves one intrinsic function, fn, applied to arg.
func (r *resolver) intrinsic(fn string, arg any, path string) (any, bool) {
	switch fn {
	case "Ref":
		return r.fnRef(arg, path)
	case "Fn::GetAtt":
		return r.fnGetAtt(arg, path)
	case "Fn::Join":
		return r.fnJoin(arg, path)
	case "Fn::Sub":
		return r.sub(arg, path)
	case "Fn::Select":
		return r.fnSelect(arg, path)
	case "Fn::Split":
		return r.fnSplit(arg, path)
	case "Fn::If":
		return r.fnIf(arg, path)
	case "Fn::Equals":
		return r.fnEquals(arg, path)
	case "Fn::And", "Fn::Or":
		return r.fnAndOr(fn, arg, path)
	case "Fn::Not":
		return r.fnNot(arg, path)
	case "Condition":
		name, ok := arg.(string)
		if !ok {
			r.fail(path, "Condition names a condition")
			return nil, false
		}
		return r.condition(name, path)
	case "Fn::FindInMap":
		return r.findInMap(arg, path)
	case "Fn::Base64":
		return r.fnBase64(arg, path)
	case "Fn::GetAZs":
		region := r.pseudo["AWS::Region"]
		return []any{region + "a", region + "b", region + "c"}, true
	}
	r.fail(path, "the intrinsic function %s is not supported", fn)
	return nil, false
}

func (r *resolver) fnRef(arg any, path string) (any, bool) {
	name, ok := arg.(string)
	if !ok {
		r.fail(path, "Ref takes a logical id or parameter name, got %s", describe(arg))
		return nil, false
	}
	return r.refValue(name, path)
}

func (r *resolver) fnGetAtt(arg any, path string) (any, bool) {
	var id, att string
	switch a := arg.(type) {
	case string:
		id, att, _ = strings.Cut(a, ".")
	case []any:
		if len(a) == 2 {
			id, _ = a[0].(string)
			v, ok := r.resolve(a[1], path+"[1]")
			if !ok {
				return nil, false
			}
			att, _ = v.(string)
		}
	}
	if id == "" || att == "" {
		r.fail(path, "Fn::GetAtt takes [logicalId, attribute]")
		return nil, false
	}
	return r.getAtt(id, att, path)
}

func (r *resolver) fnJoin(arg any, path string) (any, bool) {
	a, ok := arg.([]any)
	if !ok || len(a) != 2 {
		r.fail(path, "Fn::Join takes [delimiter, [values]]")
		return nil, false
	}
	delim, ok := a[0].(string)
	if !ok {
		r.fail(path+"[0]", "the delimiter of Fn::Join must be a string")
		return nil, false
	}
	lv, ok := r.resolve(a[1], path+"[1]")
	if !ok {
		return nil, false
	}
	list, ok := lv.([]any)
	if !ok {
		r.fail(path+"[1]", "Fn::Join takes a list of values, got %s", describe(lv))
		return nil, false
	}
	parts := make([]string, 0, len(list))
	for i, e := range list {
		s, ok := scalarString(e)
		if !ok {
			r.fail(path+"[1]["+strconv.Itoa(i)+"]", "Fn::Join joins strings, got %s", describe(e))
			return nil, false
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, delim), true
}

func (r *resolver) fnSelect(arg any, path string) (any, bool) {
	a, ok := arg.([]any)
	if !ok || len(a) != 2 {
		r.fail(path, "Fn::Select takes [index, [values]]")
		return nil, false
	}
	iv, ok := r.resolve(a[0], path+"[0]")
	if !ok {
		return nil, false
	}
	idx, ok := toInt(iv)
	lv, lok := r.resolve(a[1], path+"[1]")
	if !lok {
		return nil, false
	}
	list, isList := lv.([]any)
	if !ok || !isList {
		r.fail(path, "Fn::Select takes [index, [values]], got %s and %s", describe(iv), describe(lv))
		return nil, false
	}
	if idx < 0 || idx >= int64(len(list)) {
		r.fail(path+"[0]", "index %d is out of range: the list has %d values", idx, len(list))
		return nil, false
	}
	return list[idx], true
}

func (r *resolver) fnSplit(arg any, path string) (any, bool) {
	a, ok := arg.([]any)
	if !ok || len(a) != 2 {
		r.fail(path, "Fn::Split takes [delimiter, string]")
		return nil, false
	}
	delim, dok := a[0].(string)
	sv, ok := r.resolve(a[1], path+"[1]")
	if !ok {
		return nil, false
	}
	s, sok := sv.(string)
	if !dok || !sok || delim == "" {
		r.fail(path, "Fn::Split takes a non-empty delimiter and a string")
		return nil, false
	}
	var out []any
	for _, p := range strings.Split(s, delim) {
		out = append(out, p)
	}
	return out, true
}

func (r *resolver) fnIf(arg any, path string) (any, bool) {
	a, ok := arg.([]any)
	if !ok || len(a) != 3 {
		r.fail(path, "Fn::If takes [condition, value if true, value if false]")
		return nil, false
	}
	name, ok := a[0].(string)
	if !ok {
		r.fail(path+"[0]", "Fn::If names a condition")
		return nil, false
	}
	c, ok := r.condition(name, path+"[0]")
	if !ok {
		return nil, false
	}
	if c {
		return r.resolve(a[1], path+"[1]")
	}
	return r.resolve(a[2], path+"[2]")
}

func (r *resolver) fnEquals(arg any, path string) (any, bool) {
	a, ok := arg.([]any)
	if !ok || len(a) != 2 {
		r.fail(path, "Fn::Equals takes [value, value]")
		return nil, false
	}
	x, xok := r.resolve(a[0], path+"[0]")
	y, yok := r.resolve(a[1], path+"[1]")
	if !xok || !yok {
		return nil, false
	}
	xs, _ := scalarString(x)
	ys, _ := scalarString(y)
	return xs == ys, true
}

// fnAndOr resolves Fn::And or Fn::Or, fn.
func (r *resolver) fnAndOr(fn string, arg any, path string) (any, bool) {
	a, ok := arg.([]any)
	if !ok || len(a) < 2 || len(a) > 10 {
		r.fail(path, "%s takes 2 to 10 conditions", fn)
		return nil, false
	}
	result := fn == "Fn::And"
	for i, e := range a {
		b, ok := r.boolean(e, path+"["+strconv.Itoa(i)+"]")
		if !ok {
			return nil, false
		}
		if fn == "Fn::And" {
			result = result && b
		} else {
			result = result || b
		}
	}
	return result, true
}

func (r *resolver) fnNot(arg any, path string) (any, bool) {
	a, ok := arg.([]any)
	if !ok || len(a) != 1 {
		r.fail(path, "Fn::Not takes [condition]")
		return nil, false
	}
	b, ok := r.boolean(a[0], path+"[0]")
	return !b, ok
}

func (r *resolver) fnBase64(arg any, path string) (any, bool) {
	v, ok := r.resolve(arg, path)
	if !ok {
		return nil, false
	}
	s, ok := v.(string)
	if !ok {
		r.fail(path, "Fn::Base64 takes a string")
		return nil, false
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), true
}

// boolean resolves a condition operand: a condition function or
// {"Condition": name}.
func (r *resolver) boolean(v any, path string) (bool, bool) {
	rv, ok := r.resolve(v, path)
	if !ok {
		return false, false
	}
	switch b := rv.(type) {
	case bool:
		return b, true
	case string:
		if b == "true" || b == "false" {
			return b == "true", true
		}
	}
	r.fail(path, "want a condition, got %s", describe(rv))
	return false, false
}

// condition evaluates the condition name of the Conditions section, once.
func (r *resolver) condition(name, path string) (bool, bool) {
	if c, ok := r.conditions[name]; ok {
		return c, !r.condFailed[name]
	}
	def, ok := r.condDefs[name]
	if !ok {
		r.fail(path, "no condition named %q in Conditions", name)
		return false, false
	}
	if r.condBusy[name] {
		r.fail("Conditions."+name, "condition %q refers to itself", name)
		return false, false
	}
	r.condBusy[name] = true
	defer delete(r.condBusy, name)
	b, ok := r.boolean(def, "Conditions."+name)
	if !ok {
		r.condFailed[name] = true
	}
	r.conditions[name] = b
	return b, ok
}

func (r *resolver) refValue(name, path string) (any, bool) {
	if name == "AWS::NoValue" {
		return noValue, true
	}
	if v, ok := r.pseudo[name]; ok {
		return v, true
	}
	if strings.HasPrefix(name, "AWS::") {
		r.fail(path, "unknown pseudo parameter %s", name)
		return nil, false
	}
	if v, ok := r.params[name]; ok {
		return v, true
	}
	if v, ok := r.ref[name]; ok {
		return v, true
	}
	if _, ok := r.resources[name]; ok {
		r.fail(path, "%s %s, so it cannot be referenced", name, r.why(name))
		return nil, false
	}
	r.fail(path, "Ref names %q, which is neither a parameter nor a resource", name)
	return nil, false
}

func (r *resolver) getAtt(id, att, path string) (any, bool) {
	if _, ok := r.resources[id]; !ok {
		r.fail(path, "Fn::GetAtt names %q, which is not a resource", id)
		return nil, false
	}
	if _, done := r.ref[id]; !done {
		r.fail(path, "%s %s, so its attributes cannot be read", id, r.why(id))
		return nil, false
	}
	if v, ok := r.attr(id, att); ok {
		return v, true
	}
	typ, _ := r.resources[id]["Type"].(string)
	r.fail(path, "%s (%s) has no attribute %s here", id, typ, att)
	return nil, false
}

// why says why a resource of the template has no Ref.
func (r *resolver) why(id string) string {
	if reason, ok := r.missing[id]; ok {
		return reason
	}
	return "could not be resolved (see its problems above)"
}

var subVarRE = regexp.MustCompile(`\$\{([^}]*)\}`)

func (r *resolver) sub(arg any, path string) (any, bool) {
	var tmpl string
	vars := map[string]any{}
	switch a := arg.(type) {
	case string:
		tmpl = a
	case []any:
		if len(a) != 2 {
			r.fail(path, "Fn::Sub takes a string or [string, {variables}]")
			return nil, false
		}
		s, ok := a[0].(string)
		m, mok := a[1].(map[string]any)
		if !ok || !mok {
			r.fail(path, "Fn::Sub takes a string or [string, {variables}]")
			return nil, false
		}
		tmpl = s
		for _, k := range slices.Sorted(maps.Keys(m)) {
			v, ok := r.resolve(m[k], path+"[1]."+k)
			if !ok {
				return nil, false
			}
			vars[k] = v
		}
	default:
		r.fail(path, "Fn::Sub takes a string or [string, {variables}]")
		return nil, false
	}
	ok := true
	out := subVarRE.ReplaceAllStringFunc(tmpl, func(m string) string {
		name := strings.TrimSpace(m[2 : len(m)-1])
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}" // ${!Literal} is written as ${Literal}
		}
		var v any
		var vok bool
		if x, has := vars[name]; has {
			v, vok = x, true
		} else if id, att, dotted := strings.Cut(name, "."); dotted && !strings.HasPrefix(name, "AWS::") {
			v, vok = r.getAtt(id, att, path)
		} else {
			v, vok = r.refValue(name, path)
		}
		if !vok {
			ok = false
			return m
		}
		s, sok := scalarString(v)
		if !sok {
			r.fail(path, "${%s} is %s, not a string", name, describe(v))
			ok = false
		}
		return s
	})
	return out, ok
}

func (r *resolver) findInMap(arg any, path string) (any, bool) {
	a, ok := arg.([]any)
	if !ok || len(a) < 3 || len(a) > 4 {
		r.fail(path, "Fn::FindInMap takes [map, top-level key, second-level key]")
		return nil, false
	}
	var keys [3]string
	for i := range 3 {
		v, ok := r.resolve(a[i], path+"["+strconv.Itoa(i)+"]")
		if !ok {
			return nil, false
		}
		s, ok := scalarString(v)
		if !ok {
			r.fail(path+"["+strconv.Itoa(i)+"]", "a key of Fn::FindInMap must be a string")
			return nil, false
		}
		keys[i] = s
	}
	mappings, _ := r.t.Body["Mappings"].(map[string]any)
	m1, _ := mappings[keys[0]].(map[string]any)
	m2, _ := m1[keys[1]].(map[string]any)
	if v, found := m2[keys[2]]; found && m1 != nil && m2 != nil {
		return v, true
	}
	if len(a) == 4 {
		if d, ok := a[3].(map[string]any); ok {
			if dv, ok := d["DefaultValue"]; ok {
				return r.resolve(dv, path+"[3].DefaultValue")
			}
		}
	}
	switch {
	case m1 == nil:
		r.fail(path, "no mapping named %q in Mappings", keys[0])
	case m2 == nil:
		r.fail(path, "mapping %s has no key %q", keys[0], keys[1])
	default:
		r.fail(path, "mapping %s.%s has no key %q", keys[0], keys[1], keys[2])
	}
	return nil, false
}

// scalarString turns a string, number or boolean into the string
// CloudFormation would use.
func scalarString(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case int64:
		return strconv.FormatInt(t, 10), true
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", false
}

// toInt reads a whole number written as a number or a numeric string.
func toInt(v any) (int64, bool) {
	switch t := v.(type) {
	case int64:
		return t, true
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<53 {
			return int64(t), true
		}
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// toFloat reads a number written as a number or a numeric string.
func toFloat(v any) (float64, bool) {
	switch t := v.(type) {
	case int64:
		return float64(t), true
	case float64:
		return t, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		return f, err == nil
	}
	return 0, false
}

// toBool reads a boolean written as one or as "true"/"false".
func toBool(v any) (bool, bool) {
	switch t := v.(type) {
	case bool:
		return t, true
	case string:
		switch strings.ToLower(t) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// describe names a value's kind for messages.
func describe(v any) string {
	switch t := v.(type) {
	case nil:
		return "nothing"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case string:
		if len(t) <= 40 {
			return fmt.Sprintf("the string %q", t)
		}
		return "a string"
	case bool:
		return strconv.FormatBool(t)
	case int64, float64:
		s, _ := scalarString(t)
		return "the number " + s
	}
	return fmt.Sprintf("%T", v)
}
