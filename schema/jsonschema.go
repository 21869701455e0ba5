package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// JSONSchemaDialect is the $schema of exported JSON Schemas.
const JSONSchemaDialect = "https://json-schema.org/draft/2020-12/schema"

// Keywords of iwb's own that carry what JSON Schema cannot say, so a round
// trip keeps them.
const (
	keyManual = "x-iwb-manual"
	keySeen   = "x-iwb-seen"
)

// JSONSchema exports the schema as JSON Schema 2020-12, properties in field
// order. Labels become titles, hints descriptions; optional fields are left
// out of "required" and also accept null; date and date_time become strings
// with format date and date-time (Iterable's "2016-12-02 20:21:04 +00:00" is
// not RFC 3339, so a validator that asserts formats will reject it); unknown
// fields have no type.
func (s Schema) JSONSchema() ([]byte, error) {
	root := object{{"$schema", JSONSchemaDialect}}
	root = append(root, objectSchema(s)...)
	return json.MarshalIndent(root, "", "  ")
}

// object is a JSON object that keeps its key order.
type object []member

type member struct {
	key   string
	value any
}

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(m.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.key, err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func (o object) get(key string) (any, bool) {
	for _, m := range o {
		if m.key == key {
			return m.value, true
		}
	}
	return nil, false
}

func objectSchema(fields Schema) object {
	props := make(object, 0, len(fields))
	required := []string{}
	for _, f := range fields {
		props = append(props, member{f.Name, fieldSchema(f)})
		if !f.Optional {
			required = append(required, f.Name)
		}
	}
	o := object{{"type", "object"}, {"properties", props}}
	if len(required) > 0 {
		o = append(o, member{"required", required})
	}
	return o
}

func fieldSchema(f Field) object {
	var o object
	if f.Label != "" {
		o = append(o, member{"title", f.Label})
	}
	if f.Hint != "" {
		o = append(o, member{"description", f.Hint})
	}
	o = append(o, typeSchema(f.Type, f.Of, f.Properties, f.Seen, f.Optional)...)
	if f.Manual {
		o = append(o, member{keyManual, true})
	}
	return o
}

func typeSchema(t, of Type, props Schema, seen []Type, nullable bool) object {
	jsonType := func(name string) member {
		if nullable {
			return member{"type", []string{name, "null"}}
		}
		return member{"type", name}
	}
	switch t {
	case Unknown:
		var o object
		if len(props) > 0 {
			// Properties without a type; the seen list (even empty) tells
			// this apart from an object written without "type".
			o = append(o, objectSchema(props)[1:]...)
			o = append(o, member{keySeen, append([]Type{}, seen...)})
		} else if len(seen) > 0 {
			o = append(o, member{keySeen, seen})
		}
		return o
	case Date:
		return object{jsonType("string"), {"format", "date"}}
	case DateTime:
		return object{jsonType("string"), {"format", "date-time"}}
	case Object:
		o := objectSchema(props)
		o[0] = jsonType("object")
		return o
	case Array:
		var items object
		if of == Array {
			items = object{{"type", "array"}}
		} else {
			items = typeSchema(of, "", props, seen, false)
		}
		return object{jsonType("array"), {"items", items}}
	}
	return object{jsonType(string(t))}
}

// FromJSONSchema reads a JSON Schema object describing a payload (the top
// level must be an object schema with properties) and checks the result.
// It reads type, format, properties, required, items, title, description
// and iwb's own x-iwb-* keywords; $ref and the combinators it cannot follow
// are refused rather than guessed.
func FromJSONSchema(data []byte) (Schema, error) {
	v, err := decodeOrdered(data)
	if err != nil {
		return nil, fmt.Errorf("reading JSON Schema: %w", err)
	}
	root, ok := v.(object)
	if !ok {
		return nil, errors.New("reading JSON Schema: the top level must be an object")
	}
	f, err := fieldFromJSONSchema(root, nil)
	if err != nil {
		return nil, fmt.Errorf("reading JSON Schema: %w", err)
	}
	if f.Type != Object {
		return nil, fmt.Errorf("reading JSON Schema: the top level describes %s, not an object", describeType(f.Type, f.Of))
	}
	if err := f.Properties.Check(); err != nil {
		return nil, fmt.Errorf("checking schema: %w", err)
	}
	return f.Properties, nil
}

func fieldFromJSONSchema(o object, path Path) (Field, error) {
	if len(path) > maxSchemaDepth {
		return Field{}, fmt.Errorf("%s: nested deeper than %d levels", path, maxSchemaDepth)
	}
	where := func(err error) error {
		if len(path) == 0 {
			return err
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, k := range []string{"$ref", "$dynamicRef", "anyOf", "oneOf", "allOf", "not", "if"} {
		if _, ok := o.get(k); ok {
			return Field{}, where(fmt.Errorf("the %s keyword is not supported; describe the field with type and properties", k))
		}
	}
	var f Field
	f.Label, _ = stringOf(o, "title")
	f.Hint, _ = stringOf(o, "description")
	if m, ok := o.get(keyManual); ok {
		f.Manual = m == true
	}
	types, nullable, err := typesOf(o)
	if err != nil {
		return Field{}, where(err)
	}
	f.Optional = nullable
	seenValue, hasSeen := o.get(keySeen)
	if hasSeen {
		list, _ := seenValue.([]any)
		for _, s := range list {
			if name, ok := s.(string); ok {
				f.Seen = append(f.Seen, Type(name))
			}
		}
	}
	_, hasProps := o.get("properties")
	switch {
	case len(types) == 0 && hasProps && !hasSeen:
		f.Type = Object
	case len(types) == 0:
		f.Type = Unknown
	case len(types) > 1:
		f.Type = Unknown
		for _, t := range types {
			f.Seen = append(f.Seen, jsonSchemaType(t, ""))
		}
	default:
		format, _ := stringOf(o, "format")
		f.Type = jsonSchemaType(types[0], format)
		if f.Type == "" {
			return Field{}, where(fmt.Errorf("unknown type %q", types[0]))
		}
	}
	if hasProps && canHoldProperties(f) {
		if f.Properties, err = propertiesOf(o, path); err != nil {
			return Field{}, err
		}
	}
	if f.Type == Array {
		items, _ := o.get("items")
		io, ok := items.(object)
		if !ok {
			f.Of = Unknown
			return f, nil
		}
		item, err := fieldFromJSONSchema(io, path)
		if err != nil {
			return Field{}, err
		}
		f.Of, f.Properties, f.Seen = item.Type, item.Properties, item.Seen
	}
	return f, nil
}

func propertiesOf(o object, path Path) (Schema, error) {
	pv, _ := o.get("properties")
	props, ok := pv.(object)
	if !ok {
		return nil, fmt.Errorf("%s: properties must be an object", path)
	}
	required := map[string]bool{}
	if rv, ok := o.get("required"); ok {
		list, _ := rv.([]any)
		for _, r := range list {
			if name, ok := r.(string); ok {
				required[name] = true
			}
		}
	}
	var fields Schema // nil when empty, as in a schema built any other way
	for _, m := range props {
		ps, ok := m.value.(object)
		if !ok {
			return nil, fmt.Errorf("%s: a property's schema must be an object", append(path, m.key))
		}
		f, err := fieldFromJSONSchema(ps, append(path[:len(path):len(path)], m.key))
		if err != nil {
			return nil, err
		}
		f.Name = m.key
		f.Optional = f.Optional || !required[m.key]
		fields = append(fields, f)
	}
	return fields, nil
}

// typesOf reads "type": a name or a list of names, null set apart.
func typesOf(o object) (types []string, nullable bool, err error) {
	tv, ok := o.get("type")
	if !ok {
		return nil, false, nil
	}
	var names []any
	switch t := tv.(type) {
	case string:
		names = []any{t}
	case []any:
		names = t
	default:
		return nil, false, errors.New(`"type" must be a name or a list of names`)
	}
	for _, n := range names {
		name, ok := n.(string)
		if !ok {
			return nil, false, errors.New(`"type" must be a name or a list of names`)
		}
		if name == "null" {
			nullable = true
			continue
		}
		types = append(types, name)
	}
	return types, nullable, nil
}

func jsonSchemaType(name, format string) Type {
	switch name {
	case "string":
		switch format {
		case "date":
			return Date
		case "date-time":
			return DateTime
		}
		return String
	case "integer":
		return Integer
	case "number":
		return Number
	case "boolean":
		return Boolean
	case "object":
		return Object
	case "array":
		return Array
	}
	return ""
}

func stringOf(o object, key string) (string, bool) {
	v, ok := o.get(key)
	s, isString := v.(string)
	return s, ok && isString
}

// decodeOrdered decodes JSON keeping object key order: objects become object,
// arrays []any, numbers json.Number. Schema files are small, so the token
// API's cost does not matter here.
func decodeOrdered(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("extra data after the JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, depth int) (any, error) {
	if depth > 4*MaxDepth { // a schema nests about three JSON levels per field
		return nil, fmt.Errorf("nested deeper than %d levels", 4*MaxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			var o object
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				o = append(o, member{kt.(string), v})
			}
			_, err := dec.Token()
			return o, err
		case '[':
			list := []any{}
			for dec.More() {
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			_, err := dec.Token()
			return list, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	}
	return tok, nil
}
