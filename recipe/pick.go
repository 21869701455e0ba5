package recipe

import (
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/schema"
)

// InputField is one field of an action's request body, as an editor offers
// it to be filled with a value or a pill.
type InputField struct {
	Name     string // its JSON name
	Type     string // "string", "integer", "array of integer", …; "any" when not known
	Required bool   // the action refuses a body without it (or without one of its OneOf)
	// Data marks the dataFields map: its entries are named by the user and
	// typed by the project's fields.
	Data bool
}

// InputFields are the fields of an action's request body, in the order the
// request type declares them.
func InputFields(action string) []InputField {
	a, ok := client.LookupAction(action)
	if !ok || a.Body() == nil {
		return nil
	}
	t := deref(reflect.TypeOf(a.Body()))
	var out []InputField
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		out = append(out, InputField{Name: name, Type: shapeOfType(f.Type).name(),
			Required: slices.Contains(a.Required, name) || slices.Contains(a.OneOf, name),
			Data:     name == "dataFields" && deref(f.Type).Kind() == reflect.Map})
	}
	return out
}

// Pill is a path a pill may read, with the type of the value it reads.
type Pill struct {
	Path string
	Type string // "any" when not known
}

// Pills are the pills step (from 1) may put at field (the dotted path in its
// input: "email", "dataFields.plan"): the paths of the trigger's schema and
// of the answers of the steps before it, kept only when their type fits
// there by the rules Check refuses with. hidden counts those left out.
// Without a schema the payload offers none.
func Pills(env Env, steps []Step, step int, field string) (fit []Pill, hidden int) {
	fits := target(env, steps, step, field)
	for _, c := range candidates(env.Trigger.Schema, steps, step) {
		if fits(c.sh) {
			fit = append(fit, Pill{Path: c.path, Type: c.sh.name()})
		} else {
			hidden++
		}
	}
	return fit, hidden
}

// PayloadPaths are every path of a schema with its type, as a condition
// may read them.
func PayloadPaths(sc schema.Schema) []Pill {
	var out []Pill
	for _, c := range candidates(sc, nil, 0) {
		out = append(out, Pill{Path: c.path, Type: c.sh.name()})
	}
	return out
}

// Literal is a typed value as written: JSON when it reads as JSON (42,
// true, "a b", [1]), else the text as it stands.
func Literal(text string) any {
	var v any
	if err := schema.DecodeJSON([]byte(text), &v); err == nil {
		return v
	}
	return text
}

type candidate struct {
	path string
	sh   shape
}

// candidates are the payload's paths, then steps.N.… paths into the answers
// of the steps before step.
func candidates(sc schema.Schema, steps []Step, step int) []candidate {
	var out []candidate
	var walkSchema func(level schema.Schema, prefix string)
	walkSchema = func(level schema.Schema, prefix string) {
		for _, f := range level {
			path := join(prefix, f.Name)
			sh := shapeOfField(f)
			out = append(out, candidate{path, sh})
			switch {
			case f.Type == schema.Object:
				walkSchema(f.Properties, path)
			case f.Type == schema.Array && f.Of == schema.Object:
				walkSchema(f.Properties, path+".0")
			case f.Type == schema.Array && sh.of != "":
				out = append(out, candidate{path + ".0", shape{kind: sh.of}})
			}
		}
	}
	walkSchema(sc, "")
	for n := 1; n < step && n <= len(steps); n++ {
		a, ok := client.LookupAction(steps[n-1].Action)
		if !ok {
			continue
		}
		var walkType func(t reflect.Type, prefix string, depth int)
		walkType = func(t reflect.Type, prefix string, depth int) {
			t = deref(t)
			if depth > 4 {
				return
			}
			switch t.Kind() {
			case reflect.Struct:
				for i := range t.NumField() {
					f := t.Field(i)
					name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
					if name == "" {
						name = f.Name
					}
					if name == "-" || !f.IsExported() {
						continue
					}
					path := join(prefix, name)
					out = append(out, candidate{path, shapeOfType(f.Type)})
					walkType(f.Type, path, depth+1)
				}
			case reflect.Slice:
				if e := deref(t.Elem()); e.Kind() == reflect.Struct {
					walkType(e, prefix+".0", depth+1)
				}
			}
		}
		walkType(reflect.TypeOf(a.Answer()), "steps."+strconv.Itoa(n), 0)
	}
	return out
}

// target is whether a value of a shape may land at field of step's input:
// the request type's field, or inside dataFields the project's field type.
func target(env Env, steps []Step, step int, field string) func(shape) bool {
	if step < 1 || step > len(steps) {
		return func(shape) bool { return true }
	}
	a, _ := client.LookupAction(steps[step-1].Action)
	body := a.Body()
	if body == nil {
		return func(shape) bool { return true }
	}
	t := reflect.TypeOf(body)
	segs := strings.Split(field, ".")
	for i, seg := range segs {
		t = deref(t)
		if t == nil {
			break
		}
		switch t.Kind() {
		case reflect.Struct:
			f, ok := jsonField(t, seg)
			if !ok {
				return func(shape) bool { return true } // Iterable ignores fields it does not take
			}
			if seg == "dataFields" && deref(f.Type).Kind() == reflect.Map {
				name := strings.Join(segs[i+1:], ".")
				dt, known := env.Project[name]
				return func(sh shape) bool { return !known || fitsData(sh, dt) }
			}
			t = f.Type
		case reflect.Map, reflect.Slice:
			t = t.Elem()
		default:
			t = nil
		}
	}
	dst := shapeOfType(t)
	return func(sh shape) bool { return fits(sh, dst) }
}

// name is the shape as a picker shows it: "integer", "array of string", "any".
func (s shape) name() string {
	switch {
	case s.kind == "":
		return "any"
	case s.kind == "array" && s.of != "":
		return "array of " + s.of
	}
	return s.kind
}
