package recipe

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/webhook"
)

// Env is what a recipe is checked against when it is saved.
type Env struct {
	Trigger webhook.Trigger // its Schema is nil when it has none yet
	// Project is the project's user fields (GET /api/users/getFields), nil
	// when they could not be read.
	Project schema.ProjectFields
}

// Report is what Check found: refusals stop the save, notes are said with it.
type Report struct {
	Refusals []string
	// At is where each refusal applies, in the order of Refusals, so an
	// editor can show each beside its field.
	At    []Place
	Notes []string
	// SchemaChecked: the pills into the payload were checked against a schema.
	SchemaChecked bool
}

// Err is the refusals as one error, nil when there are none.
func (r Report) Err() error {
	if len(r.Refusals) == 0 {
		return nil
	}
	return errors.New(strings.Join(r.Refusals, "; "))
}

// Check checks a recipe before it is saved or armed: its form, that every
// pill's path exists in the trigger's schema (or in the answer of the
// earlier step it reads) and that its type fits where it lands, by the
// action's request types and, inside dataFields, the project's field types
// and the data-fields builder's naming rules; and that each step's input,
// its pills stood in for by values of the right type, is a body the action
// takes.
func Check(r Recipe, env Env) Report {
	c := &checker{env: env, noted: map[string]bool{}}
	if err := r.Validate(); err != nil {
		c.refuse("%v", err)
		return c.report
	}
	if env.Trigger.Schema == nil {
		c.note("trigger %q has no schema yet, so the pills into its payload were not checked; give it one with 'iwb trigger schema %s --from-event ID'", env.Trigger.Name, env.Trigger.Name)
	} else {
		c.report.SchemaChecked = true
	}
	for i, cond := range r.When {
		c.at = Place{Condition: i + 1}
		if env.Trigger.Schema != nil {
			if _, _, err := resolveSchema(env.Trigger.Schema, strings.Split(cond.Path, ".")); err != nil {
				c.refuse("condition %d (%s): trigger %q's schema %v", i+1, cond, env.Trigger.Name, err)
			}
		}
	}
	c.steps = r.Steps
	for i, s := range r.Steps {
		c.step = i + 1
		c.at = Place{Step: c.step}
		a, _ := client.LookupAction(s.Action)
		input, _ := s.decode()
		var body reflect.Type
		if b := a.Body(); b != nil {
			body = reflect.TypeOf(b)
		}
		probe := c.walk(input, body, "", false, "")
		c.at = Place{Step: c.step}
		b, err := json.Marshal(probe)
		if err != nil {
			c.refuse("step %d: encoding its input: %v", c.step, err)
			continue
		}
		if _, err := a.Check(b); err != nil {
			var in *client.InputError
			if errors.As(err, &in) {
				err = errors.New(in.Problem)
			}
			c.refuse("step %d (%s): %v", c.step, a.Name, err)
		}
	}
	return c.report
}

// Place is where a refusal applies: a step's input field (Step from 1,
// Field its dotted path, "" for the step as a whole), a condition
// (Condition from 1), or, all zero, the recipe itself.
type Place struct {
	Step, Condition int
	Field           string
}

type checker struct {
	env    Env
	steps  []Step
	at     Place // where what is checked now sits
	step   int   // the step being checked, from 1
	report Report
	noted  map[string]bool
}

func (c *checker) refuse(format string, a ...any) {
	c.report.Refusals = append(c.report.Refusals, fmt.Sprintf(format, a...))
	c.report.At = append(c.report.At, c.at)
}

func (c *checker) note(format string, a ...any) {
	n := fmt.Sprintf(format, a...)
	if !c.noted[n] {
		c.noted[n] = true
		c.report.Notes = append(c.report.Notes, n)
	}
}

// walk checks one value of a step's input against the type t of the request
// field it fills (nil: any value), or, inside dataFields, against the
// project's field dataName. It returns the value with pills stood in for,
// for the action's own check.
func (c *checker) walk(v any, t reflect.Type, path string, inData bool, dataName string) any {
	t = deref(t)
	switch x := v.(type) {
	case string:
		return c.leaf(x, t, path, inData, dataName)
	case map[string]any:
		out := make(map[string]any, len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			child, cpath := x[k], join(path, k)
			switch {
			case inData:
				out[k] = c.walk(child, nil, cpath, true, join(dataName, k))
			case t != nil && t.Kind() == reflect.Struct:
				f, ok := jsonField(t, k)
				if !ok {
					out[k] = child // Iterable ignores fields it does not take
					continue
				}
				isData := k == "dataFields" && deref(f.Type).Kind() == reflect.Map
				out[k] = c.walk(child, f.Type, cpath, isData, "")
			case t != nil && t.Kind() == reflect.Map:
				out[k] = c.walk(child, t.Elem(), cpath, false, "")
			default:
				out[k] = c.walk(child, nil, cpath, false, "")
			}
		}
		return out
	case []any:
		var elem reflect.Type
		if t != nil && t.Kind() == reflect.Slice {
			elem = t.Elem()
		}
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = c.walk(it, elem, path+"."+strconv.Itoa(i), inData, dataName)
		}
		return out
	}
	if inData {
		c.at = Place{Step: c.step, Field: path}
		c.dataLiteral(v, path, dataName)
	}
	return v
}

// leaf checks a string: its pills' paths, and the type it lands as.
func (c *checker) leaf(s string, t reflect.Type, path string, inData bool, dataName string) any {
	c.at = Place{Step: c.step, Field: path}
	pills, _ := parsePills(s) // Validate refused malformed pills
	if inData {
		c.dataName(path, dataName)
	}
	if len(pills) == 0 {
		if inData {
			c.dataLiteral(s, path, dataName)
		}
		return s
	}
	src := shape{kind: "string"}
	what := fmt.Sprintf("%q (text with pills)", s)
	whole, isWhole := wholePill(s, pills)
	for _, p := range pills {
		sh, ok := c.pillShape(p.path)
		if isWhole {
			if !ok {
				src = shape{}
			} else {
				src = sh
			}
			what = "{{" + whole + "}}"
		}
	}
	if inData {
		c.fitData(src, what, path, dataName)
		return src.sample()
	}
	dst := shapeOfType(t)
	if !fits(src, dst) {
		c.refuse("step %d, %s: %s is %s, but %s takes %s", c.step, path, what, src, path, dst)
	}
	if dst.kind != "" {
		return dst.sample()
	}
	return src.sample()
}

// pillShape is the shape of the value a pill reads, refusing a path that
// does not exist; ok is false when it cannot be known.
func (c *checker) pillShape(path string) (shape, bool) {
	n, segs := stepRef(path)
	if n > 0 {
		if n >= c.step {
			c.refuse("step %d: {{%s}}: a step reads only the answers of the steps before it", c.step, path)
			return shape{}, false
		}
		a, _ := client.LookupAction(c.steps[n-1].Action)
		sh, err := resolveType(reflect.TypeOf(a.Answer()), segs)
		if err != nil {
			c.refuse("step %d: {{%s}}: the answer of step %d (%s) %v", c.step, path, n, a.Name, err)
			return shape{}, false
		}
		return sh, sh.kind != ""
	}
	if c.env.Trigger.Schema == nil {
		return shape{}, false
	}
	sh, optional, err := resolveSchema(c.env.Trigger.Schema, segs)
	if err != nil {
		c.refuse("step %d: {{%s}}: trigger %q's schema %v", c.step, path, c.env.Trigger.Name, err)
		return shape{}, false
	}
	if optional {
		c.note("{{%s}} may be missing from an event (optional in the schema): such events are skipped", path)
	}
	return sh, sh.kind != ""
}

// dataName applies the builder's naming rules to a data field.
func (c *checker) dataName(path, name string) {
	if name == "" {
		return
	}
	if err := c.env.Project.CheckName(name); err != nil {
		c.refuse("step %d, %s: %v", c.step, path, err)
		return
	}
	if c.env.Project != nil {
		if _, known := c.env.Project[name]; !known {
			c.note("step %d: %s is new to the project: its first value fixes its type for the whole project", c.step, path)
		}
	}
}

// fitData refuses a value whose type the project's field does not take.
func (c *checker) fitData(src shape, what, path, name string) {
	t, known := c.env.Project[name]
	if !known || fitsData(src, t) {
		return
	}
	c.refuse("step %d, %s: %s is %s, but the project's field %s is %s", c.step, path, what, src, name, article(string(t)))
}

// dataLiteral checks a value written as it stands into dataFields, as the
// builder parses what is typed to the field's type.
func (c *checker) dataLiteral(v any, path, name string) {
	if _, isString := v.(string); !isString {
		c.dataName(path, name)
	}
	t, known := c.env.Project[name]
	if !known || v == nil {
		return
	}
	if s, ok := v.(string); ok && (t == schema.DataDate || t == schema.DataString) {
		if _, err := schema.ParseValue(t, false, s); err != nil {
			c.refuse("step %d, %s: %v", c.step, path, err)
		}
		return
	}
	src := shape{kind: schema.KindOf(v)}
	if src.kind == "array" {
		src.of = ""
	}
	if !fitsData(src, t) {
		c.refuse("step %d, %s: %s is %s, but the project's field %s is %s", c.step, path, compact(v), src, name, article(string(t)))
	}
}

// shape is the type of a value as far as it is known: a schema type name,
// or "" for any value.
type shape struct {
	kind string
	of   string // the items' kind of an array
}

func (s shape) String() string {
	switch {
	case s.kind == "":
		return "of any type"
	case s.kind == "array" && s.of != "":
		return "an array of " + s.of
	}
	return article(s.kind)
}

func article(kind string) string {
	switch kind {
	case "integer", "object", "array":
		return "an " + kind
	}
	return "a " + kind
}

// sample is a value of the shape, standing in for a pill when the action
// checks the body.
func (s shape) sample() any {
	switch s.kind {
	case "integer", "number":
		return json.Number("1")
	case "boolean":
		return true
	case "object":
		return map[string]any{}
	case "array":
		return []any{}
	}
	return "x"
}

func fits(src, dst shape) bool {
	if src.kind == "" || dst.kind == "" {
		return true
	}
	switch dst.kind {
	case "string", "date", "date_time":
		return src.kind == "string" || src.kind == "date" || src.kind == "date_time"
	case "number":
		return src.kind == "integer" || src.kind == "number"
	case "array":
		return src.kind == "array" && fits(shape{kind: src.of}, shape{kind: dst.of})
	}
	return src.kind == dst.kind
}

// fitsData says whether a value of shape src may be sent to a project field
// of type t. An array fits when its items do: the project lists an array
// field under its items' type.
func fitsData(src shape, t schema.DataType) bool {
	if src.kind == "" {
		return true
	}
	if src.kind == "array" && t != schema.DataNested {
		return fitsData(shape{kind: src.of}, t)
	}
	switch t {
	case schema.DataString:
		return src.kind == "string" || src.kind == "date" || src.kind == "date_time"
	case schema.DataLong:
		return src.kind == "integer"
	case schema.DataDouble:
		return src.kind == "integer" || src.kind == "number"
	case schema.DataBoolean:
		return src.kind == "boolean"
	case schema.DataDate:
		return src.kind == "date" || src.kind == "date_time"
	case schema.DataObject, schema.DataGeoLocation:
		return src.kind == "object"
	case schema.DataNested:
		return src.kind == "array"
	}
	return true
}

// resolveSchema finds the shape at a payload path: names into objects,
// indexes into arrays. optional is set when anything on the way may be missing.
func resolveSchema(sc schema.Schema, segs []string) (sh shape, optional bool, err error) {
	level := sc
	sh = shape{kind: "object"}
	for i, seg := range segs {
		at := strings.Join(segs[:i], ".")
		switch sh.kind {
		case "":
			return shape{}, optional, nil
		case "object":
			if len(level) == 0 {
				return shape{}, optional, nil // an object whose fields the schema does not list
			}
			j := slices.IndexFunc(level, func(f schema.Field) bool { return f.Name == seg })
			if j < 0 {
				return shape{}, false, fmt.Errorf("has no %s", join(at, seg))
			}
			f := level[j]
			optional = optional || f.Optional
			sh, level = shapeOfField(f), f.Properties
		case "array":
			if _, err := strconv.Atoi(seg); err != nil {
				return shape{}, false, fmt.Errorf("has %s as an array: pick an item by its index (%s.0)", at, at)
			}
			optional = true // the array may be shorter
			sh = shape{kind: sh.of}
		default:
			return shape{}, false, fmt.Errorf("has %s as %s, which holds no %s", at, sh, seg)
		}
	}
	return sh, optional, nil
}

func shapeOfField(f schema.Field) shape {
	switch f.Type {
	case schema.Unknown:
		return shape{}
	case schema.Array:
		if f.Of == schema.Unknown {
			return shape{kind: "array"}
		}
		return shape{kind: "array", of: string(f.Of)}
	}
	return shape{kind: string(f.Type)}
}

// resolveType finds the shape at a path into a typed answer.
func resolveType(t reflect.Type, segs []string) (shape, error) {
	for i, seg := range segs {
		t = deref(t)
		at := strings.Join(segs[:i], ".")
		switch t.Kind() {
		case reflect.Struct:
			f, ok := jsonField(t, seg)
			if !ok {
				return shape{}, fmt.Errorf("has no %s", join(at, seg))
			}
			t = f.Type
		case reflect.Map:
			t = t.Elem()
		case reflect.Slice:
			if _, err := strconv.Atoi(seg); err != nil {
				return shape{}, fmt.Errorf("has %s as an array: pick an item by its index (%s.0)", at, at)
			}
			t = t.Elem()
		case reflect.Interface:
			return shape{}, nil
		default:
			return shape{}, fmt.Errorf("has %s as %s, which holds no %s", at, shapeOfType(t), seg)
		}
	}
	return shapeOfType(t), nil
}

// shapeOfType is the JSON shape of a Go request or answer type.
func shapeOfType(t reflect.Type) shape {
	t = deref(t)
	if t == nil {
		return shape{}
	}
	switch t.Kind() {
	case reflect.String:
		return shape{kind: "string"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return shape{kind: "integer"}
	case reflect.Float32, reflect.Float64:
		return shape{kind: "number"}
	case reflect.Bool:
		return shape{kind: "boolean"}
	case reflect.Struct, reflect.Map:
		return shape{kind: "object"}
	case reflect.Slice:
		return shape{kind: "array", of: shapeOfType(t.Elem()).kind}
	}
	return shape{}
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// jsonField finds a struct's field by its JSON name.
func jsonField(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name || tag == "" && f.Name == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
