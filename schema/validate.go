package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Problem is one way a payload does not fit a schema.
type Problem struct {
	Path     string `json:"path"`               // dotted path, e.g. dataFields.campaignId; items[2].id inside arrays
	Expected string `json:"expected,omitempty"` // the schema's type, e.g. "integer", "array of string"
	Found    string `json:"found,omitempty"`    // the payload's kind, or "missing"
	Message  string `json:"message"`
	Warning  bool   `json:"warning,omitempty"` // a field the schema does not know
}

// String is the problem on one line, as the CLI prints it and the TUI lists
// it: "dataFields.campaignId: expected integer, found string".
func (p Problem) String() string {
	path := p.Path
	if path == "" {
		path = "(payload)"
	}
	if p.Warning {
		return "warning: " + path + ": " + p.Message
	}
	return path + ": " + p.Message
}

// HasErrors reports whether any problem is more than a warning.
func HasErrors(problems []Problem) bool {
	for _, p := range problems {
		if !p.Warning {
			return true
		}
	}
	return false
}

// Validate checks a decoded JSON payload (what encoding/json decodes into
// any, with or without UseNumber) against the schema. It returns every
// problem: wrong types, missing required fields, and, as warnings, fields the
// schema does not know. Null fits an optional field; null items of an array
// are let through. Fields come in schema order, unknown keys sorted.
func Validate(s Schema, payload any) []Problem {
	var v validator
	v.value(Field{Type: Object, Properties: s}, payload, "")
	return v.problems
}

type validator struct{ problems []Problem }

func (v *validator) add(path, expected, found, msg string, warning bool) {
	v.problems = append(v.problems, Problem{Path: path, Expected: expected, Found: found, Message: msg, Warning: warning})
}

func (v *validator) mismatch(path, expected, found string) {
	v.add(path, expected, found, fmt.Sprintf("expected %s, found %s", expected, found), false)
}

func (v *validator) value(f Field, val any, path string) {
	expected := describeType(f.Type, f.Of)
	found := KindOf(val)
	if val == nil {
		if !f.Optional && f.Type != Unknown {
			v.add(path, expected, found, fmt.Sprintf("expected %s, found null (the field is required)", expected), false)
		}
		return
	}
	switch f.Type {
	case Unknown:
	case String:
		if found != "string" {
			v.mismatch(path, expected, found)
		}
	case Date, DateTime:
		str, ok := val.(string)
		switch {
		case !ok:
			v.mismatch(path, expected, found)
		case f.Type == Date && !isDate(str):
			v.add(path, expected, found, fmt.Sprintf("expected a date (yyyy-mm-dd), found %q", clip(str)), false)
		case f.Type == DateTime && !isDateTime(str):
			v.add(path, expected, found, fmt.Sprintf("expected a timestamp (2016-12-02 20:21:04 +00:00 or RFC 3339), found %q", clip(str)), false)
		}
	case Integer:
		if found != "integer" {
			v.mismatch(path, expected, found)
		}
	case Number:
		if found != "integer" && found != "number" {
			v.mismatch(path, expected, found)
		}
	case Boolean:
		if found != "boolean" {
			v.mismatch(path, expected, found)
		}
	case Object:
		m, ok := val.(map[string]any)
		if !ok {
			v.mismatch(path, expected, found)
			return
		}
		v.object(f.Properties, m, path)
	case Array:
		items, ok := val.([]any)
		if !ok {
			v.mismatch(path, expected, found)
			return
		}
		item := Field{Name: f.Name, Type: f.Of, Properties: f.Properties, Optional: true}
		if f.Of == Array {
			item.Of = Unknown
		}
		for i, it := range items {
			v.value(item, it, fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

func (v *validator) object(fields Schema, m map[string]any, path string) {
	for _, f := range fields {
		p := join(path, f.Name)
		val, ok := m[f.Name]
		if !ok {
			if !f.Optional {
				expected := describeType(f.Type, f.Of)
				v.add(p, expected, "missing", fmt.Sprintf("missing (expected %s)", expected), false)
			}
			continue
		}
		v.value(f, val, p)
	}
	var extra []string
	for k := range m {
		if index(fields, k) < 0 {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		found := KindOf(m[k])
		v.add(join(path, k), "", found, fmt.Sprintf("not in the schema (found %s)", found), true)
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

// KindOf names the JSON kind of a decoded value the way problems do: null,
// boolean, integer, number, string, object or array. A json.Number is an
// integer when written without fraction or exponent; a float64 when whole.
func KindOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return "number"
		}
		return "integer"
	case float64:
		if math.Trunc(x) == x && !math.IsInf(x, 0) {
			return "integer"
		}
		return "number"
	case float32:
		return KindOf(float64(x))
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "integer"
	case string:
		return "string"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}
