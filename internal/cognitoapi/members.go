package cognitoapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
)

// Member names are case-sensitive in AWS's JSON 1.1 protocol: a member
// whose name is not one of the shape's, even one that differs only by case
// ("lambdaconfig" for LambdaConfig), is an unknown member, which AWS
// ignores. encoding/json matches member names to fields without regard to
// case, so decode first leaves out, at every level of the input's shape,
// the members that do not name a field exactly (exactMembers).

// exactMembers returns the JSON value in, of Go type t, without the members
// of its objects that name no field of t's structs exactly (by their json
// names, promoted fields of embedded structs included). Maps, slices and
// arrays are filtered element by element; any other value, and a value of
// a type that decodes itself (json.Unmarshaler, json.RawMessage), is kept
// as sent. in must be valid JSON; a value of another type than t's is kept
// as sent, for the decoder to refuse.
func exactMembers(in []byte, t reflect.Type) ([]byte, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return in, nil
	}
	v := bytes.TrimLeft(in, " \t\r\n")
	if len(v) == 0 {
		return in, nil
	}
	switch {
	case t.Kind() == reflect.Struct && v[0] == '{':
		fields := fieldsOf(t)
		return filterObject(v, func(name string) (reflect.Type, bool) {
			ft, ok := fields[name]
			return ft, ok
		})
	case t.Kind() == reflect.Map && v[0] == '{':
		return filterObject(v, func(string) (reflect.Type, bool) { return t.Elem(), true })
	case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && t.Elem().Kind() != reflect.Uint8 && v[0] == '[':
		return filterArray(v, t.Elem())
	}
	return in, nil
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// filterObject rewrites the object v with only the members field accepts,
// each filtered by its type, in their order.
func filterObject(v []byte, field func(name string) (reflect.Type, bool)) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(v))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	out := []byte{'{'}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		name, _ := tok.(string)
		ft, ok := field(name)
		if !ok {
			continue
		}
		val, err := exactMembers(raw, ft)
		if err != nil {
			return nil, err
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		key, _ := json.Marshal(name) // a string always encodes
		out = append(append(append(out, key...), ':'), val...)
	}
	return append(out, '}'), nil
}

// filterArray rewrites the array v with each element filtered by elem.
func filterArray(v []byte, elem reflect.Type) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(v))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	out := []byte{'['}
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		val, err := exactMembers(raw, elem)
		if err != nil {
			return nil, err
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, val...)
	}
	return append(out, ']'), nil
}

// structFields caches fieldsOf by type: the shapes are few and fixed.
var structFields sync.Map // reflect.Type → map[string]reflect.Type

// fieldsOf returns the exact member names of struct type t, as
// encoding/json names its fields (the json tag's name, else the field's),
// with the fields of embedded untagged structs promoted, and their types.
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if m, ok := structFields.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	addFields(m, t)
	structFields.Store(t, m)
	return m
}

// addFields adds t's own fields, then those its embedded structs promote:
// a field of the outer struct hides a promoted one of the same name, as in
// encoding/json.
func addFields(m map[string]reflect.Type, t reflect.Type) {
	var embedded []reflect.Type
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case f.Anonymous && name == "" && ft.Kind() == reflect.Struct:
			embedded = append(embedded, ft)
		case !f.IsExported():
		default:
			if name == "" {
				name = f.Name
			}
			if _, ok := m[name]; !ok {
				m[name] = f.Type
			}
		}
	}
	for _, ft := range embedded {
		addFields(m, ft)
	}
}
