// Package schema holds trigger payload schemas (infer, edit, validate, export)
// and the typed values of the data-fields builder.
//
// A Schema is an ordered list of fields. Its JSON form is Workato's schema
// format (an array of field objects), so schemas move between iwb and the
// tools its users know; JSONSchema and FromJSONSchema convert to and from
// JSON Schema 2020-12.
package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Type is a field's type in a payload schema.
type Type string

const (
	String   Type = "string"
	Integer  Type = "integer"
	Number   Type = "number"
	Boolean  Type = "boolean"
	Date     Type = "date"      // yyyy-mm-dd
	DateTime Type = "date_time" // Iterable's "2016-12-02 20:21:04 +00:00" or RFC 3339
	Object   Type = "object"
	Array    Type = "array"
	// Unknown is a type inference could not settle: only nulls (or, as an
	// array's "of", only empty arrays) were seen, or samples disagreed (Seen
	// then lists what they showed). Any value fits it until the user decides.
	Unknown Type = "unknown"
)

// Types lists every type a field may have, in the order a picker shows them.
var Types = []Type{String, Integer, Number, Boolean, Date, DateTime, Object, Array, Unknown}

func (t Type) known() bool {
	for _, k := range Types {
		if t == k {
			return true
		}
	}
	return false
}

// Field is one key of a payload. Its JSON form is Workato's schema format;
// manual and seen are iwb's own keys, which other tools ignore.
type Field struct {
	Name       string `json:"name"` // the exact key: case and spaces matter
	Label      string `json:"label,omitempty"`
	Type       Type   `json:"type"`
	Of         Type   `json:"of,omitempty"`         // element type of an array
	Properties Schema `json:"properties,omitempty"` // fields of an object, or of an array of objects
	Optional   bool   `json:"optional,omitempty"`   // may be missing or null
	Hint       string `json:"hint,omitempty"`
	// Manual marks a type the user set by hand: merging more samples never
	// changes Type or Of of such a field (it still widens Optional).
	Manual bool `json:"manual,omitempty"`
	// Seen is what samples showed for a field whose Type (or, for an array,
	// Of) is Unknown: empty when only nulls or empty arrays were seen, two or
	// more types when they conflicted.
	Seen []Type `json:"seen,omitempty"`
}

// TypeName is the field's type as the user reads it: "integer", "array of string".
func (f Field) TypeName() string { return describeType(f.Type, f.Of) }

// Warning says why a field's type is not settled, for the designer to show
// beside it (and inference to note): "unknown type, only nulls seen",
// "conflict: seen as string and object; choose its type". Empty when settled.
func (f Field) Warning() string {
	switch {
	case f.Type == Unknown && len(f.Seen) == 0:
		return "unknown type, only nulls seen"
	case f.Type == Unknown:
		return "conflict: seen as " + joinTypes(f.Seen) + "; choose its type"
	case f.Type == Array && f.Of == Unknown && len(f.Seen) == 0:
		return "unknown item type, only empty arrays seen"
	case f.Type == Array && f.Of == Unknown:
		return "conflict: items seen as " + joinTypes(f.Seen) + "; choose their type"
	}
	return ""
}

// Schema is an ordered list of fields.
type Schema []Field

// Path addresses a field: the names from the top level down. The items of an
// array of objects are addressed through the array field's own name.
type Path []string

// String joins the names with dots, as Iterable writes nested fields.
func (p Path) String() string { return strings.Join(p, ".") }

// ParsePath splits a dotted path. Names that themselves hold a dot cannot be
// written this way; build the Path by hand for those.
func ParsePath(s string) Path {
	if s == "" {
		return nil
	}
	return strings.Split(s, ".")
}

// Find returns the field at path.
func (s Schema) Find(p Path) (Field, bool) {
	level := s
	for i, name := range p {
		j := index(level, name)
		if j < 0 {
			return Field{}, false
		}
		if i == len(p)-1 {
			return level[j], true
		}
		level = level[j].Properties
	}
	return Field{}, false
}

// Clone returns a deep copy, so editing one never changes the other.
func (s Schema) Clone() Schema {
	if s == nil {
		return nil
	}
	out := make(Schema, len(s))
	for i, f := range s {
		out[i] = f
		out[i].Properties = f.Properties.Clone()
		if f.Seen != nil {
			out[i].Seen = append([]Type(nil), f.Seen...)
		}
	}
	return out
}

func index(level Schema, name string) int {
	for i, f := range level {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// maxSchemaDepth bounds nesting in a schema read from a file, as inference
// bounds it in samples.
const maxSchemaDepth = MaxDepth

// Check reports the first thing that makes s an invalid schema: an empty or
// duplicate name at one level, an unknown type, an array without "of", or
// properties on a field that cannot have them.
func (s Schema) Check() error { return check(s, nil) }

func check(level Schema, parent Path) error {
	if len(parent) > maxSchemaDepth {
		return fmt.Errorf("%s: nested deeper than %d levels", parent, maxSchemaDepth)
	}
	seen := make(map[string]bool, len(level))
	for _, f := range level {
		p := append(parent[:len(parent):len(parent)], f.Name)
		if err := checkField(f); err != nil {
			if f.Name == "" {
				return fmt.Errorf("a field under %q: %w", parent.String(), err)
			}
			return fmt.Errorf("%s: %w", p, err)
		}
		if seen[f.Name] {
			return fmt.Errorf("%s: %w", p, ErrDuplicateName)
		}
		seen[f.Name] = true
		if err := check(f.Properties, p); err != nil {
			return err
		}
	}
	return nil
}

// Errors the editing functions and Check return, for callers that branch on them.
var (
	ErrEmptyName     = errors.New("a field needs a name")
	ErrDuplicateName = errors.New("another field at this level has that name")
	ErrArrayWithout  = errors.New(`an array needs the type of its items ("of")`)
	ErrNoField       = errors.New("no such field")
)

func checkField(f Field) error {
	if f.Name == "" {
		return ErrEmptyName
	}
	if !f.Type.known() {
		return fmt.Errorf("unknown type %q (one of %s)", f.Type, typeList())
	}
	if f.Type == Array {
		if f.Of == "" {
			return ErrArrayWithout
		}
		if !f.Of.known() {
			return fmt.Errorf("unknown item type %q (one of %s)", f.Of, typeList())
		}
	} else if f.Of != "" {
		return fmt.Errorf(`"of" %q on a field of type %s: only arrays have one`, f.Of, f.Type)
	}
	if len(f.Properties) > 0 && !canHoldProperties(f) {
		return fmt.Errorf("properties on a field of type %s: only objects and arrays of objects have them", describeType(f.Type, f.Of))
	}
	if len(f.Seen) > 0 && f.Type != Unknown && f.Of != Unknown {
		return fmt.Errorf("seen on a field of type %s: only an unknown type lists what was seen", describeType(f.Type, f.Of))
	}
	for _, t := range f.Seen {
		if !t.known() {
			return fmt.Errorf("unknown type %q in seen", t)
		}
	}
	return nil
}

func canHoldProperties(f Field) bool {
	switch f.Type {
	case Object, Unknown:
		return true
	case Array:
		return f.Of == Object || f.Of == Unknown
	}
	return false
}

func typeList() string {
	names := make([]string, len(Types))
	for i, t := range Types {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// describeType names a type as the user reads it: "array of integer".
func describeType(t, of Type) string {
	if t == Array && of != "" {
		return "array of " + string(of)
	}
	return string(t)
}

// ParseWorkato reads a schema in Workato's JSON form and checks it. Workato's
// "timestamp" type is read as date_time; keys iwb does not use are ignored.
func ParseWorkato(data []byte) (Schema, error) {
	var s Schema
	if err := DecodeJSON(data, &s); err != nil {
		return nil, fmt.Errorf("reading Workato schema: %w", err)
	}
	normalizeWorkato(s)
	if err := s.Check(); err != nil {
		return nil, fmt.Errorf("checking schema: %w", err)
	}
	return s, nil
}

func normalizeWorkato(level Schema) {
	for i := range level {
		f := &level[i]
		if f.Type == "timestamp" {
			f.Type = DateTime
		}
		if f.Of == "timestamp" {
			f.Of = DateTime
		}
		if len(f.Seen) == 0 {
			f.Seen = nil
		}
		if len(f.Properties) == 0 {
			f.Properties = nil
		}
		normalizeWorkato(f.Properties)
	}
}

// Parse reads a schema file in either form: a JSON array is Workato's form,
// a JSON object is JSON Schema.
func Parse(data []byte) (Schema, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return nil, errors.New("the schema file is empty")
	case trimmed[0] == '[':
		return ParseWorkato(data)
	case trimmed[0] == '{':
		return FromJSONSchema(data)
	}
	return nil, errors.New("a schema is a JSON array of fields (Workato form) or a JSON Schema object")
}

// DecodeJSON decodes exactly one JSON value, numbers kept as json.Number, and
// refuses anything after it. Payloads for Validate are decoded with it.
func DecodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("extra data after the JSON value")
	}
	return nil
}
