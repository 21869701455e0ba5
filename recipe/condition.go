package recipe

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// Op is a condition's operator.
type Op string

const (
	OpEq       Op = "=="
	OpNe       Op = "!="
	OpContains Op = "contains"
	OpExists   Op = "exists"
	OpGt       Op = ">"
	OpLt       Op = "<"
)

// Ops lists the operators, in the order a picker shows them.
var Ops = []Op{OpEq, OpNe, OpContains, OpExists, OpGt, OpLt}

// Condition is `path op value` on the event's payload; a recipe's
// conditions must all hold for its steps to run.
type Condition struct {
	Path  string `json:"path"`
	Op    Op     `json:"op"`
	Value any    `json:"value,omitempty"`
}

func (c Condition) validate() error {
	if err := checkPath(c.Path); err != nil {
		return fmt.Errorf("path %q: %w", c.Path, err)
	}
	if n, _ := stepRef(c.Path); n > 0 {
		return fmt.Errorf("path %q: conditions read the event's payload, not a step's answer", c.Path)
	}
	if !slices.Contains(Ops, c.Op) {
		return fmt.Errorf("unknown operator %q: use one of %s", c.Op, opList())
	}
	return nil
}

func opList() string {
	names := make([]string, len(Ops))
	for i, o := range Ops {
		names[i] = string(o)
	}
	return strings.Join(names, ", ")
}

// ParseCondition reads `PATH OP VALUE` as given on the command line. The
// value is JSON when it reads as JSON (42, true, "a b", [1]), else the text
// as it stands; exists takes none.
func ParseCondition(s string) (Condition, error) {
	fields := strings.Fields(s)
	if len(fields) < 2 {
		return Condition{}, fmt.Errorf("condition %q: write PATH OP VALUE, e.g. 'dataFields.campaignId == 42' (OP: %s)", s, opList())
	}
	c := Condition{Path: fields[0], Op: Op(fields[1])}
	rest := strings.TrimSpace(s[strings.Index(s, fields[1])+len(fields[1]):])
	switch {
	case c.Op == OpExists && rest != "":
		return Condition{}, fmt.Errorf("condition %q: exists takes no value", s)
	case c.Op != OpExists && rest == "":
		return Condition{}, fmt.Errorf("condition %q: %s needs a value", s, c.Op)
	case rest != "":
		c.Value = Literal(rest)
	}
	if err := c.validate(); err != nil {
		return Condition{}, fmt.Errorf("condition %q: %w", s, err)
	}
	return c, nil
}

// String is the condition as ParseCondition reads it.
func (c Condition) String() string {
	if c.Op == OpExists {
		return c.Path + " exists"
	}
	b, err := json.Marshal(c.Value)
	if err != nil {
		b = []byte(fmt.Sprint(c.Value))
	}
	return c.Path + " " + string(c.Op) + " " + string(b)
}

// Holds evaluates the condition on a decoded payload. A missing field makes
// every operator false but !=.
func (c Condition) Holds(payload any) bool {
	v, ok := dig(payload, strings.Split(c.Path, "."))
	switch c.Op {
	case OpExists:
		return ok && v != nil
	case OpNe:
		return !ok || !equal(v, c.Value)
	}
	if !ok {
		return false
	}
	switch c.Op {
	case OpEq:
		return equal(v, c.Value)
	case OpContains:
		return contains(v, c.Value)
	case OpGt, OpLt:
		cmp, comparable := compare(v, c.Value)
		return comparable && (c.Op == OpGt && cmp > 0 || c.Op == OpLt && cmp < 0)
	}
	return false
}

// FirstFalse is the first condition that does not hold on the payload, with
// why, or "" when all hold.
func FirstFalse(conds []Condition, payload any) string {
	for _, c := range conds {
		if c.Holds(payload) {
			continue
		}
		v, ok := dig(payload, strings.Split(c.Path, "."))
		if !ok {
			return fmt.Sprintf("condition %s is false: the event has no %s", c, c.Path)
		}
		return fmt.Sprintf("condition %s is false: %s is %s", c, c.Path, clip(compact(v), 60))
	}
	return ""
}

func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// number reads a JSON number of any decoding exactly.
func number(v any) (*big.Rat, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case float64:
		return new(big.Rat).SetFloat64(x), true
	case int:
		return new(big.Rat).SetInt64(int64(x)), true
	case int64:
		return new(big.Rat).SetInt64(x), true
	default:
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

func equal(a, b any) bool {
	if x, ok := number(a); ok {
		y, ok := number(b)
		return ok && x.Cmp(y) == 0
	}
	switch x := a.(type) {
	case map[string]any, []any:
		return canonical(x) == canonical(b)
	}
	return a == b
}

// canonical is a value's JSON with sorted keys, so composite values compare by content.
func canonical(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func contains(v, want any) bool {
	switch x := v.(type) {
	case string:
		return strings.Contains(x, text(want))
	case []any:
		return slices.ContainsFunc(x, func(it any) bool { return equal(it, want) })
	case map[string]any:
		key, ok := want.(string)
		_, has := x[key]
		return ok && has
	}
	return false
}

// compare orders two numbers, or two strings (dates written as Iterable
// writes them order as text).
func compare(a, b any) (int, bool) {
	if x, ok := number(a); ok {
		if y, ok := number(b); ok {
			return x.Cmp(y), true
		}
		return 0, false
	}
	x, ok1 := a.(string)
	y, ok2 := b.(string)
	if ok1 && ok2 {
		return strings.Compare(x, y), true
	}
	return 0, false
}
