package schema

import (
	"fmt"
	"strings"
)

// Bounds on what inference reads; past them it stops with a clear error
// rather than building a schema nobody can use.
const (
	MaxDepth      = 32       // nesting of objects and arrays in a sample
	MaxInputBytes = 64 << 20 // total bytes of samples in one inference
	MaxFields     = 10000    // distinct field paths
)

// NoteKind says what a Note is about.
type NoteKind string

const (
	NoteUnknown   NoteKind = "unknown"    // only nulls or empty arrays seen: the type is not guessed
	NoteConflict  NoteKind = "conflict"   // samples disagree on the kind; the user settles it
	NoteDottedKey NoteKind = "dotted key" // a key holding '.', ambiguous in Iterable's dotted paths
	NoteHandSet   NoteKind = "hand-set"   // samples do not fit a type the user set by hand
	NoteEmptyKey  NoteKind = "empty key"  // a key "" cannot be a field, so it is left out
)

// Note is something inference wants the user to look at.
type Note struct {
	Path    Path
	Kind    NoteKind
	Message string
}

// String is the note on one line: "dataFields.workflowId: unknown type, only nulls seen".
func (n Note) String() string { return n.Path.String() + ": " + n.Message }

// Inference is a schema inferred from samples, with what the user should check.
type Inference struct {
	Schema  Schema
	Notes   []Note
	Samples int // how many samples went in
}

// Infer builds a schema from JSON samples. Each document is a sample object,
// a top-level array of sample objects, or several of either one after the
// other (JSON Lines). Numbers are typed as written: 3 is an integer, 3.0 and
// 3e0 are numbers.
func Infer(docs ...[]byte) (Inference, error) { return Widen(nil, docs...) }

// Widen merges more samples into an existing schema. A sample may widen it
// (integer → number, required → optional, a new field, optional since the
// earlier samples lacked it) but never changes the type of a field the user
// set by hand (Field.Manual); a sample that does not fit such a field gets a
// NoteHandSet. An empty current schema counts as no samples yet.
func Widen(current Schema, docs ...[]byte) (Inference, error) {
	root := &node{}
	if len(current) > 0 {
		root.objects = 1
		root.addFields(current, 1)
	}
	total := 0
	for _, d := range docs {
		total += len(d)
	}
	if total > MaxInputBytes {
		return Inference{}, fmt.Errorf("samples are %d bytes, more than the %d MiB inference reads", total, MaxInputBytes>>20)
	}
	count := countFields(root)
	samples := 0
	for i, d := range docs {
		sc := scanner{data: d, fields: &count}
		n, err := sc.samples(root)
		samples += n
		if err != nil {
			if len(docs) > 1 {
				return Inference{}, fmt.Errorf("document %d: %w", i+1, err)
			}
			return Inference{}, err
		}
	}
	if samples == 0 && len(current) == 0 {
		return Inference{}, fmt.Errorf("no sample: the input holds no JSON object")
	}
	inf := Inference{Samples: samples}
	inf.Schema = root.schema(nil, &inf.Notes)
	return inf, nil
}

// Merge joins two schemas as if their samples had been inferred together:
// types widen, a field only one side has becomes optional, hand-set types
// win (a's when both set one). For new samples against a schema, Widen does
// the same from the raw JSON and also returns the notes.
func Merge(a, b Schema) Schema {
	if len(a) == 0 {
		return b.Clone()
	}
	if len(b) == 0 {
		return a.Clone()
	}
	root := &node{objects: 1}
	root.addFields(a, 1)
	other := &node{objects: 1}
	other.addFields(b, 1)
	root.merge(other)
	var notes []Note
	return root.schema(nil, &notes)
}

// kind is a set of the JSON kinds seen at one place in the samples.
type kind uint16

const (
	kBool kind = 1 << iota
	kInt
	kNum
	kDate
	kDateTime
	kString
	kObject
	kArray
)

const (
	kNumeric = kInt | kNum
	kText    = kDate | kDateTime | kString
)

// node gathers what samples showed at one place.
type node struct {
	kinds   kind
	null    bool // seen as null
	objects int  // objects seen here: a child present fewer times is optional
	fields  []*child
	index   map[string]int
	elem    *node // the merged items of arrays seen here

	manual               bool // type set by hand
	manualType, manualOf Type
}

type child struct {
	name         string
	label, hint  string
	present      int
	lastObject   int // the objects count when last seen, so a duplicate key counts once
	node         *node
	forcedOption bool // optional in a schema merged in
}

func (n *node) child(name string) *child {
	if i, ok := n.index[name]; ok {
		return n.fields[i]
	}
	return nil
}

func (n *node) addChild(name string) *child {
	if n.index == nil {
		n.index = make(map[string]int)
	}
	c := &child{name: name, node: &node{}}
	n.index[name] = len(n.fields)
	n.fields = append(n.fields, c)
	return c
}

// addFields records a schema's fields as if `objects` samples had shown them.
func (n *node) addFields(level Schema, objects int) {
	for _, f := range level {
		c := n.child(f.Name)
		if c == nil {
			c = n.addChild(f.Name)
		}
		c.label, c.hint = f.Label, f.Hint
		if f.Optional {
			c.forcedOption = true
		} else {
			c.present = objects
		}
		c.node.addField(f)
	}
}

func (n *node) addField(f Field) {
	if f.Manual {
		n.manual, n.manualType, n.manualOf = true, f.Type, f.Of
	}
	switch f.Type {
	case Unknown:
		n.kinds |= kindsOf(f.Seen)
		if n.kinds&kObject != 0 {
			n.objects = max(n.objects, 1)
			n.addFields(f.Properties, n.objects)
		}
	case Array:
		n.kinds |= kArray
		if n.elem == nil {
			n.elem = &node{}
		}
		e := Field{Type: f.Of, Properties: f.Properties, Seen: f.Seen}
		if f.Of == Array {
			e.Of = Unknown
		}
		n.elem.addField(e)
	case Object:
		n.kinds |= kObject
		n.objects = max(n.objects, 1)
		n.addFields(f.Properties, n.objects)
	default:
		n.kinds |= kindOfType(f.Type)
	}
}

// merge adds what o saw to n.
func (n *node) merge(o *node) {
	n.kinds |= o.kinds
	n.null = n.null || o.null
	n.objects += o.objects
	for _, oc := range o.fields {
		c := n.child(oc.name)
		if c == nil {
			c = n.addChild(oc.name)
			c.label, c.hint = oc.label, oc.hint
		}
		c.present += oc.present
		c.forcedOption = c.forcedOption || oc.forcedOption
		if c.label == "" {
			c.label = oc.label
		}
		if c.hint == "" {
			c.hint = oc.hint
		}
		c.node.merge(oc.node)
	}
	if o.elem != nil {
		if n.elem == nil {
			n.elem = &node{}
		}
		n.elem.merge(o.elem)
	}
	if o.manual && !n.manual {
		n.manual, n.manualType, n.manualOf = true, o.manualType, o.manualOf
	}
}

var kindTypes = []struct {
	k kind
	t Type
}{
	{kBool, Boolean}, {kInt, Integer}, {kNum, Number}, {kDate, Date},
	{kDateTime, DateTime}, {kString, String}, {kObject, Object}, {kArray, Array},
}

func kindOfType(t Type) kind {
	for _, kt := range kindTypes {
		if kt.t == t {
			return kt.k
		}
	}
	return 0
}

func kindsOf(ts []Type) kind {
	var k kind
	for _, t := range ts {
		k |= kindOfType(t)
	}
	return k
}

// families names the kinds of value seen, one type per family (boolean,
// numeric, text, object, array).
func families(k kind) []Type {
	all := []struct {
		mask kind
		t    Type
	}{{kBool, Boolean}, {kNumeric, resolveNumeric(k)}, {kText, resolveText(k)}, {kObject, Object}, {kArray, Array}}
	var seen []Type
	for _, f := range all {
		if k&f.mask != 0 {
			seen = append(seen, f.t)
		}
	}
	return seen
}

// resolve turns the kinds seen into a type; Unknown with the types seen when
// they conflict, Unknown with none when nothing but nulls was seen.
func resolve(k kind) (Type, []Type) {
	seen := families(k)
	switch len(seen) {
	case 0:
		return Unknown, nil
	case 1:
		return seen[0], nil
	}
	return Unknown, seen
}

func resolveNumeric(k kind) Type {
	if k&kNum != 0 {
		return Number
	}
	return Integer
}

func resolveText(k kind) Type {
	switch k & kText {
	case kDate:
		return Date
	case kDateTime:
		return DateTime
	}
	return String
}

// accepts is the kinds a type takes without a note.
func accepts(t Type) kind {
	switch t {
	case Unknown:
		return ^kind(0)
	case Number:
		return kNumeric
	case String:
		return kText
	}
	return kindOfType(t)
}

func (n *node) schema(path Path, notes *[]Note) Schema {
	out := make(Schema, 0, len(n.fields))
	for _, c := range n.fields {
		p := append(path[:len(path):len(path)], c.name)
		if c.name == "" {
			*notes = append(*notes, Note{p, NoteEmptyKey, `a key "" cannot be a field; left out of the schema`})
			continue
		}
		f := Field{Name: c.name, Label: c.label, Hint: c.hint}
		f.Optional = c.forcedOption || c.present < n.objects || c.node.null
		if strings.Contains(c.name, ".") {
			*notes = append(*notes, Note{p, NoteDottedKey, "the key holds a '.', which Iterable reads as nesting"})
		}
		c.node.describe(&f, p, notes)
		out = append(out, f)
	}
	return out
}

func (n *node) describe(f *Field, p Path, notes *[]Note) {
	if n.manual {
		f.Type, f.Of, f.Manual = n.manualType, n.manualOf, true
		if n.kinds&^accepts(f.Type) != 0 {
			*notes = append(*notes, Note{p, NoteHandSet, fmt.Sprintf("set by hand to %s, but samples show %s", describeType(f.Type, f.Of), joinTypes(families(n.kinds)))})
		}
	} else {
		f.Type, f.Seen = resolve(n.kinds)
		if f.Type == Unknown {
			*notes = append(*notes, unsettledNote(p, *f))
		}
	}
	switch {
	case f.Type == Array:
		if n.elem != nil { // else a hand-set array no sample showed as one
			n.describeItems(f, p, notes)
		}
	case canHoldProperties(*f) && n.kinds&kObject != 0:
		f.Properties = n.schema(p, notes)
		if len(f.Properties) == 0 {
			f.Properties = nil
		}
	}
}

func (n *node) describeItems(f *Field, p Path, notes *[]Note) {
	e := n.elem
	if !f.Manual {
		f.Of, f.Seen = resolve(e.kinds)
		if f.Of == Unknown {
			*notes = append(*notes, unsettledNote(p, *f))
		}
	}
	if canHoldProperties(*f) && e.kinds&kObject != 0 {
		f.Properties = e.schema(p, notes)
		if len(f.Properties) == 0 {
			f.Properties = nil
		}
	}
}

func unsettledNote(p Path, f Field) Note {
	if len(f.Seen) == 0 {
		return Note{p, NoteUnknown, f.Warning()}
	}
	return Note{p, NoteConflict, f.Warning()}
}

func joinTypes(ts []Type) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	switch len(s) {
	case 1:
		return s[0]
	case 2:
		return s[0] + " and " + s[1]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

func countFields(n *node) int {
	if n == nil {
		return 0
	}
	c := len(n.fields) + countFields(n.elem)
	for _, f := range n.fields {
		c += countFields(f.node)
	}
	return c
}
