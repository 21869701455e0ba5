package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DataType is a user field's type in Iterable. In Iterable the first value
// ever sent fixes a field's type for the whole project, so the data-fields
// builder parses every value to its type before anything is sent.
type DataType string

const (
	DataString      DataType = "string"
	DataLong        DataType = "long"
	DataDouble      DataType = "double"
	DataBoolean     DataType = "boolean"
	DataDate        DataType = "date"
	DataObject      DataType = "object"
	DataGeoLocation DataType = "geo_location" // {"lat": n, "lon": n}
	DataNested      DataType = "nested"       // an array of objects, indexed apart
)

// DataTypes lists the types the builder offers for a new field.
var DataTypes = []DataType{DataString, DataLong, DataDouble, DataBoolean, DataDate, DataObject}

// IterableDateLayout is how dates are sent: yyyy-MM-dd HH:mm:ss +00:00, in UTC.
const IterableDateLayout = "2006-01-02 15:04:05 +00:00"

// ProjectFields is a project's field types as GET /api/users/getFields gives
// them: a flat map from dotted path to type, arrays under their item type.
type ProjectFields map[string]DataType

// NewProjectFields types a project's fields from the type names the API
// gives (client's UserFields).
func NewProjectFields(types map[string]string) ProjectFields {
	p := make(ProjectFields, len(types))
	for name, t := range types {
		p[name] = DataType(t)
	}
	return p
}

// DataField is one row of the builder: a name, a type and the value as typed.
type DataField struct {
	Name  string   // dotted path: address.city builds {"address": {"city": ...}}
	Type  DataType // the type of the value, or of its items when Array
	Array bool
	Text  string
}

// FieldState is how one row stands against the project, for the form to
// show beside it.
type FieldState struct {
	Type    DataType // what the value is parsed as: the project's type when it has the field
	Locked  bool     // the project has the field, so its type cannot change
	New     bool     // the project lacks it: its first value fixes its type
	Warning string   // for a new field
	Value   any      // the typed value, when Err is nil
	Err     error    // the one thing wrong with this row
}

// Check parses one row against the project's fields. A field the project
// knows is parsed as the project's type whatever the row says; a new one as
// the row's type (string when none).
func (p ProjectFields) Check(f DataField) FieldState {
	st := FieldState{Type: f.Type}
	if err := p.CheckName(f.Name); err != nil {
		st.Err = err
		return st
	}
	if t, ok := p[f.Name]; ok {
		st.Type, st.Locked = t, true
	} else {
		st.New = true
		st.Warning = f.Name + " is new: its first value fixes its type for the whole project"
		if st.Type == "" {
			st.Type = DataString
		}
		if !slices.Contains(DataTypes, st.Type) && st.Type != DataGeoLocation && st.Type != DataNested {
			st.Err = fmt.Errorf("%s: unknown type %q; choose one of %s", f.Name, st.Type, dataTypeList())
			return st
		}
	}
	v, err := ParseValue(st.Type, f.Array, f.Text)
	if err != nil {
		st.Err = fmt.Errorf("%s: %w", f.Name, err)
		return st
	}
	st.Value = v
	return st
}

// CheckName refuses the names the builder refuses: an empty name between
// dots, or a new field nested under a project field that holds no fields.
func (p ProjectFields) CheckName(name string) error {
	if err := checkDataName(name); err != nil {
		return err
	}
	if _, known := p[name]; known {
		return nil
	}
	return p.checkParents(name)
}

func dataTypeList() string {
	names := make([]string, len(DataTypes))
	for i, t := range DataTypes {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

func checkDataName(name string) error {
	if name == "" {
		return errors.New("a data field needs a name")
	}
	for _, seg := range strings.Split(name, ".") {
		if strings.TrimSpace(seg) == "" {
			return fmt.Errorf("%q: a dotted name needs a name between the dots", name)
		}
	}
	return nil
}

// checkParents refuses nesting under a project field that holds no fields.
func (p ProjectFields) checkParents(name string) error {
	for i := strings.IndexByte(name, '.'); i >= 0; {
		parent := name[:i]
		if t, ok := p[parent]; ok && t != DataObject && t != DataNested {
			return fmt.Errorf("%s: %s is a %s in this project, so nothing can nest under it", name, parent, t)
		}
		j := strings.IndexByte(name[i+1:], '.')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return nil
}

// BuildDataFields turns the builder's rows into the dataFields object of a
// request, nesting dotted names. Rows with neither name nor text are skipped.
// It refuses, with one line per bad row, any value that does not fit its
// type, so nothing is sent that Iterable would reject or mistype.
func BuildDataFields(fields []DataField, project ProjectFields) (map[string]any, error) {
	out, rowErrs := CheckDataFields(fields, project)
	if errs := slices.DeleteFunc(slices.Clone(rowErrs), func(err error) bool { return err == nil }); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// CheckDataFields is BuildDataFields row by row: the dataFields object of
// the good rows, and each row's problem (nil when it has none) at its
// index, for the builder to show beside the row. Two rows that clash (the
// same name, or a name and a field nested under it) both get the reason.
func CheckDataFields(fields []DataField, project ProjectFields) (map[string]any, []error) {
	out := map[string]any{}
	errs := make([]error, len(fields))
	values := make([]any, len(fields))
	for i, f := range fields {
		if f.Name == "" && f.Text == "" {
			continue
		}
		st := project.Check(f)
		errs[i], values[i] = st.Err, st.Value
	}
	for i, a := range fields {
		for j := i + 1; j < len(fields); j++ {
			b := fields[j]
			if a.Name == "" || b.Name == "" {
				continue
			}
			switch {
			case a.Name == b.Name:
				why := fmt.Errorf("%s: given twice (rows %d and %d): remove one", a.Name, i+1, j+1)
				setFirst(errs, i, why)
				setFirst(errs, j, why)
			case strings.HasPrefix(b.Name, a.Name+"."), strings.HasPrefix(a.Name, b.Name+"."):
				parent, child, pi, ci := a.Name, b.Name, i, j
				if len(b.Name) < len(a.Name) {
					parent, child, pi, ci = b.Name, a.Name, j, i
				}
				setFirst(errs, pi, fmt.Errorf("%s: row %d nests %s under it, so it cannot also have a value", parent, ci+1, child))
				setFirst(errs, ci, fmt.Errorf("%s: row %d gives %s a value, so nothing can nest under it", child, pi+1, parent))
			}
		}
	}
	for i, f := range fields {
		if errs[i] != nil || f.Name == "" && f.Text == "" {
			continue
		}
		if err := setPath(out, f.Name, values[i]); err != nil {
			errs[i] = err
		}
	}
	return out, errs
}

// setFirst keeps a row's first problem.
func setFirst(errs []error, i int, err error) {
	if errs[i] == nil {
		errs[i] = err
	}
}

func setPath(m map[string]any, name string, v any) error {
	segs := strings.Split(name, ".")
	for i, seg := range segs[:len(segs)-1] {
		next, ok := m[seg]
		if !ok {
			child := map[string]any{}
			m[seg] = child
			m = child
			continue
		}
		child, isObject := next.(map[string]any)
		if !isObject {
			return fmt.Errorf("%s: %s already has a value, so it cannot also hold fields", name, strings.Join(segs[:i+1], "."))
		}
		m = child
	}
	last := segs[len(segs)-1]
	if _, ok := m[last]; ok {
		return fmt.Errorf("%s: given twice (or also used as an object)", name)
	}
	m[last] = v
	return nil
}

// ParseValue parses text typed by the user as a value of type t (an array of
// t when array is set): long takes whole numbers only; double any number;
// boolean true/false, yes/no, 1/0; date yyyy-mm-dd, yyyy-mm-dd hh:mm, RFC 3339
// or Iterable's form, sent as IterableDateLayout in UTC; object (and
// geo_location, nested) JSON; arrays a JSON array or a comma list.
func ParseValue(t DataType, array bool, text string) (any, error) {
	if !array || t == DataNested {
		return parseScalar(t, text)
	}
	trimmed := strings.TrimSpace(text)
	if trimmed == "" {
		return []any{}, nil
	}
	var items []any
	if strings.HasPrefix(trimmed, "[") {
		if err := decodeJSON(trimmed, &items); err != nil {
			return nil, fmt.Errorf("not a JSON array: %w", err)
		}
		for i, it := range items {
			v, err := itemFromJSON(t, it)
			if err != nil {
				return nil, fmt.Errorf("item %d: %w", i+1, err)
			}
			items[i] = v
		}
		return items, nil
	}
	if t == DataObject || t == DataGeoLocation {
		return nil, fmt.Errorf("a list of %ss must be a JSON array", t)
	}
	for i, part := range strings.Split(text, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("item %d is empty", i+1)
		}
		v, err := parseScalar(t, part)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i+1, err)
		}
		items = append(items, v)
	}
	return items, nil
}

// itemFromJSON types one item of a JSON array: objects stay as they are,
// scalars are parsed from their text, as if typed in a comma list.
func itemFromJSON(t DataType, v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if t == DataObject || t == DataGeoLocation {
			return parseScalarJSON(t, x)
		}
		return nil, fmt.Errorf("an object where a %s was expected", t)
	case []any:
		return nil, fmt.Errorf("an array where a %s was expected", t)
	case nil:
		return nil, fmt.Errorf("null where a %s was expected", t)
	case string:
		return parseScalar(t, x)
	case json.Number:
		return parseScalar(t, string(x))
	case bool:
		return parseScalar(t, strconv.FormatBool(x))
	}
	return nil, fmt.Errorf("unexpected %T", v)
}

func parseScalar(t DataType, text string) (any, error) {
	s := strings.TrimSpace(text)
	switch t {
	case DataString:
		return text, nil
	case DataLong:
		if s == "" {
			return nil, errors.New("empty; a long takes a whole number like 42")
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err == nil {
			return n, nil
		}
		if errors.Is(err, strconv.ErrRange) {
			return nil, fmt.Errorf("%s is too large for a long", s)
		}
		if _, ferr := strconv.ParseFloat(s, 64); ferr == nil {
			return nil, fmt.Errorf("%s is not a whole number; a long takes whole numbers like 42", s)
		}
		return nil, fmt.Errorf("%q is not a number; a long takes whole numbers like 42", s)
	case DataDouble:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("%q is not a number; a double takes numbers like 4.2", s)
		}
		return doubleNumber(f), nil
	case DataBoolean:
		switch strings.ToLower(s) {
		case "true", "yes", "1":
			return true, nil
		case "false", "no", "0":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not a boolean; type true/false, yes/no or 1/0", s)
	case DataDate:
		d, err := parseDate(s)
		if err != nil {
			return nil, err
		}
		return d.UTC().Format(IterableDateLayout), nil
	case DataObject, DataGeoLocation, DataNested:
		if s == "" {
			return nil, fmt.Errorf("empty; %s takes JSON", describeDataType(t))
		}
		var v any
		if err := decodeJSON(s, &v); err != nil {
			return nil, fmt.Errorf("%s takes JSON: %w", describeDataType(t), err)
		}
		return parseScalarJSON(t, v)
	}
	// A type iwb does not know yet: send the text as typed.
	return text, nil
}

func parseScalarJSON(t DataType, v any) (any, error) {
	switch t {
	case DataNested:
		list, ok := v.([]any)
		if !ok {
			return nil, errors.New("nested takes a JSON array of objects")
		}
		for i, it := range list {
			if _, ok := it.(map[string]any); !ok {
				return nil, fmt.Errorf("item %d of the nested array is not an object", i+1)
			}
		}
		return list, nil
	case DataGeoLocation:
		m, ok := v.(map[string]any)
		if !ok || !isNumber(m["lat"]) || !isNumber(m["lon"]) {
			return nil, errors.New(`a geo_location is {"lat": number, "lon": number}`)
		}
		return m, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("an object takes a JSON object like {\"city\": \"Oslo\"}")
	}
	return m, nil
}

func isNumber(v any) bool {
	k := KindOf(v)
	return k == "integer" || k == "number"
}

func describeDataType(t DataType) string {
	switch t {
	case DataGeoLocation:
		return `a geo_location ({"lat": n, "lon": n})`
	case DataNested:
		return "nested (a JSON array of objects)"
	}
	return "an object"
}

// doubleNumber writes a double so that a whole value still reads as a
// double (42.0): sent as 42, a new field would be typed long for good.
func doubleNumber(f float64) json.Number {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return json.Number(s)
}

// dateLayouts are the forms parseDate reads; those without a zone are UTC.
var dateLayouts = []string{
	"2006-01-02",
	"2006-01-02 15:04",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04:05 -07:00",
	"2006-01-02T15:04",
	"2006-01-02T15:04:05",
	time.RFC3339Nano,
}

// parseDate reads a date as users type it: 2024-05-01, 2024-05-01 10:00,
// 2024-05-01 10:00:00, RFC 3339, or Iterable's 2024-05-01 10:00:00 +00:00.
func parseDate(s string) (time.Time, error) {
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date; type 2024-05-01, 2024-05-01 10:00 or 2024-05-01T10:00:00Z", s)
}

func decodeJSON(s string, v any) error { return DecodeJSON([]byte(s), v) }

// CSVCell types one cell of a CSV file for bulk upsert: a column the project
// knows is parsed as the project's type, any other column stays a string.
// An empty cell gives nil: leave the field out rather than send a blank.
// Its signature is func(column, text string) (any, error), the converter the
// client's CSV reader takes.
func (p ProjectFields) CSVCell(column, text string) (any, error) {
	if text == "" {
		return nil, nil
	}
	t, ok := p[column]
	if !ok {
		return text, nil
	}
	v, err := parseScalar(t, text)
	if err != nil {
		return nil, fmt.Errorf("column %s (%s in this project): %w", column, t, err)
	}
	return v, nil
}
