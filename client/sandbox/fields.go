package sandbox

import (
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"
)

// typeOf is the Iterable type a value sets for a field ("" for null or an
// empty array, which set nothing).
func typeOf(v any) string {
	switch x := v.(type) {
	case string:
		if isDate(x) {
			return "date"
		}
		return "string"
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return "long"
		}
		return "double"
	case float64:
		if x == float64(int64(x)) {
			return "long"
		}
		return "double"
	case int, int64:
		return "long"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		for _, e := range x {
			if t := typeOf(e); t != "" {
				if t == "object" {
					return "nested"
				}
				return t
			}
		}
	}
	return ""
}

// dateLayouts are the formats Iterable reads as dates.
var dateLayouts = []string{"2006-01-02 15:04:05 -07:00", "2006-01-02"}

func isDate(s string) bool {
	for _, l := range dateLayouts {
		if _, err := time.Parse(l, s); err == nil {
			return true
		}
	}
	return false
}

// incomingTypes is how Iterable names the types a value could take.
func incomingTypes(t string) []string {
	if t == "string" {
		return []string{"string", "keyword"}
	}
	return []string{t}
}

// compatible: a stored type accepts an incoming value of type in.
func compatible(stored, in string) bool {
	switch {
	case stored == in:
		return true
	case (stored == "long" || stored == "double") && (in == "long" || in == "double"):
		return true
	case stored == "string" && in == "date":
		return true // a date-looking text is still text
	case stored == "nested" && in == "object", stored == "object" && in == "nested":
		return true
	}
	return false
}

// flatten visits every field of data as a dotted path with its value.
func flatten(prefix string, data map[string]any, visit func(path string, v any)) {
	for name, v := range data {
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		visit(path, v)
		switch x := v.(type) {
		case map[string]any:
			flatten(path, x, visit)
		case []any:
			for _, e := range x {
				if m, ok := e.(map[string]any); ok {
					flatten(path, m, visit)
				}
			}
		}
	}
}

// typeClash is a RequestFieldsTypesMismatched answer.
type typeClash struct {
	msg    string
	fields map[string]any // params.validationErrors
}

// checkTypes compares data with the category's field types. Without clash it
// records the new fields' types and returns them; with createNewFields false
// unknown top-level fields are dropped from data and listed as filtered out.
// The caller holds s.mu.
func (s *Sandbox) checkTypes(category string, data map[string]any, createNewFields *bool) (created, filtered []string, clash *typeClash) {
	known := s.fieldTypes[category]
	if known == nil {
		known = map[string]string{}
		s.fieldTypes[category] = known
	}
	if createNewFields != nil && !*createNewFields {
		for name := range data {
			if _, ok := known[name]; !ok {
				delete(data, name)
				filtered = append(filtered, name)
			}
		}
	}
	incoming := map[string]string{}
	offending := map[string]any{}
	flatten("", data, func(path string, v any) {
		if t := typeOf(v); t != "" {
			incoming[path] = t
			offending[path] = v
		}
	})
	paths := sortedKeys(incoming)
	for _, path := range paths {
		in := incoming[path]
		stored, ok := known[path]
		if !ok || compatible(stored, in) {
			continue
		}
		if clash == nil {
			clash = &typeClash{
				msg: fmt.Sprintf("Project %d: The request does not have the same data types as the data previously submitted. "+
					"Field '%s' already exists for type '%s' and has a data type of '%s' but possible types '%s' in the request.",
					ProjectID, path, categoryName(category), stored, strings.Join(incomingTypes(in), ", ")),
				fields: map[string]any{},
			}
		}
		clash.fields[path] = map[string]any{
			"incomingTypes": incomingTypes(in), "expectedType": stored, "_type": "UnexpectedType",
			"offendingValue": offending[path], "category": categoryName(category),
		}
	}
	if clash != nil {
		return nil, filtered, clash
	}
	for _, path := range paths {
		if _, ok := known[path]; !ok {
			known[path] = incoming[path]
			created = append(created, path)
		}
	}
	return created, filtered, nil
}

func categoryName(category string) string {
	if strings.HasPrefix(category, "event:") {
		return "event"
	}
	return category
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// mergeFields applies incoming data to a profile: top-level fields are
// overwritten, and with mergeNestedObjects objects are merged key by key.
func mergeFields(profile, incoming map[string]any, mergeNested bool) {
	for name, v := range incoming {
		in, isObject := v.(map[string]any)
		old, wasObject := profile[name].(map[string]any)
		if mergeNested && isObject && wasObject {
			merged := maps.Clone(old)
			mergeFields(merged, in, true)
			profile[name] = merged
			continue
		}
		profile[name] = v
	}
}
