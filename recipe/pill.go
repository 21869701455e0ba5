package recipe

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// A pill is {{path}} inside a string of a step's input. The path is dotted
// into the trigger's payload (email, dataFields.campaignId,
// dataFields.labels.0) or, after "steps.N.", into the answer of step N
// (steps.1.user.dataFields.plan). A string that is exactly one pill takes the
// value with its JSON type; any other string is text with the values written in.
type pill struct {
	start, end int // offsets of "{{" and just past "}}"
	path       string
}

// parsePills finds the pills of s, refusing an unclosed or empty one.
func parsePills(s string) ([]pill, error) {
	var out []pill
	for i := 0; ; {
		j := strings.Index(s[i:], "{{")
		if j < 0 {
			return out, nil
		}
		start := i + j
		k := strings.Index(s[start+2:], "}}")
		if k < 0 {
			return nil, fmt.Errorf("%q: a pill opened with {{ is not closed with }}", s)
		}
		end := start + 2 + k + 2
		path := strings.TrimSpace(s[start+2 : end-2])
		if err := checkPath(path); err != nil {
			return nil, fmt.Errorf("pill {{%s}}: %w", path, err)
		}
		out = append(out, pill{start: start, end: end, path: path})
		i = end
	}
}

// wholePill is the path of a string that is exactly one pill.
func wholePill(s string, pills []pill) (string, bool) {
	if len(pills) == 1 && pills[0].start == 0 && pills[0].end == len(s) {
		return pills[0].path, true
	}
	return "", false
}

func checkPath(path string) error {
	if path == "" {
		return errors.New("the path is empty (write {{email}} or {{dataFields.campaignId}})")
	}
	segs := strings.Split(path, ".")
	for _, s := range segs {
		if strings.TrimSpace(s) == "" {
			return errors.New("a dotted path needs a name between the dots")
		}
	}
	if segs[0] == "steps" {
		if len(segs) < 2 {
			return errors.New("steps.N.path reads the answer of step N, e.g. steps.1.user.email")
		}
		if n, err := strconv.Atoi(segs[1]); err != nil || n < 1 {
			return fmt.Errorf("%q is not a step number (steps are numbered from 1)", segs[1])
		}
	}
	return nil
}

// stepRef is the step a path reads the answer of (0: the payload) and the
// rest of the path.
func stepRef(path string) (step int, rest []string) {
	segs := strings.Split(path, ".")
	if len(segs) >= 2 && segs[0] == "steps" {
		if n, err := strconv.Atoi(segs[1]); err == nil {
			return n, segs[2:]
		}
	}
	return 0, segs
}

// Scope is what pills read: the event's payload and the answers of the
// steps that have run, Answers[i] being step i+1's.
type Scope struct {
	Payload any
	Answers []any
}

// MissingError is a pill whose path the event (or an answer) does not have.
type MissingError struct{ Path string }

func (e *MissingError) Error() string {
	if n, _ := stepRef(e.Path); n > 0 {
		return fmt.Sprintf("missing pill {{%s}}: step %d's answer has no such field", e.Path, n)
	}
	return fmt.Sprintf("missing pill {{%s}}: the event has no such field", e.Path)
}

// errPending is a pill into the answer of a step that has not run yet.
var errPending = errors.New("not answered yet")

// lookup is the value at path, or *MissingError, or errPending.
func (sc Scope) lookup(path string) (any, error) {
	n, segs := stepRef(path)
	root := sc.Payload
	if n > 0 {
		if n > len(sc.Answers) {
			return nil, errPending
		}
		root = sc.Answers[n-1]
	}
	v, ok := dig(root, segs)
	if !ok {
		return nil, &MissingError{Path: path}
	}
	return v, nil
}

// dig follows segs into a decoded JSON value: names into objects, indexes into arrays.
func dig(v any, segs []string) (any, bool) {
	for _, s := range segs {
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[s]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(s)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// fill returns v with every pill filled from sc. With keepPending, a pill
// into a step not yet answered stays as written (a dry run shows it so).
func fill(v any, sc Scope, keepPending bool) (any, error) {
	switch x := v.(type) {
	case string:
		return fillString(x, sc, keepPending)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, c := range x {
			f, err := fill(c, sc, keepPending)
			if err != nil {
				return nil, err
			}
			out[k] = f
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, c := range x {
			f, err := fill(c, sc, keepPending)
			if err != nil {
				return nil, err
			}
			out[i] = f
		}
		return out, nil
	}
	return v, nil
}

func fillString(s string, sc Scope, keepPending bool) (any, error) {
	pills, err := parsePills(s)
	if err != nil || len(pills) == 0 {
		return s, err
	}
	if path, ok := wholePill(s, pills); ok {
		v, err := sc.lookup(path)
		if errors.Is(err, errPending) && keepPending {
			return s, nil
		}
		return v, err
	}
	var b strings.Builder
	last := 0
	for _, p := range pills {
		b.WriteString(s[last:p.start])
		last = p.end
		v, err := sc.lookup(p.path)
		if errors.Is(err, errPending) && keepPending {
			b.WriteString(s[p.start:p.end])
			continue
		}
		if err != nil {
			return nil, err
		}
		b.WriteString(text(v))
	}
	b.WriteString(s[last:])
	return b.String(), nil
}

// text is a value as written into a mixed string: strings as they are,
// numbers and booleans as JSON writes them, null as nothing, objects and
// arrays as compact JSON.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
