package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// samplesOf decodes a stream of JSON values as encoding/json does and lists
// the samples Infer reads from it: objects, and the items of arrays.
func samplesOf(data []byte) (samples []any, valid bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	for {
		var v any
		err := dec.Decode(&v)
		if err == io.EOF {
			return samples, true
		}
		if err != nil {
			return nil, false
		}
		if list, ok := v.([]any); ok {
			samples = append(samples, list...)
		} else {
			samples = append(samples, v)
		}
	}
}

// checkInferred holds the properties every inference must have: it never
// panics, it refuses exactly the input encoding/json refuses (bounds and
// non-object samples aside), and its schema fits every sample it came from.
func checkInferred(t *testing.T, data []byte) {
	t.Helper()
	inf, err := Infer(data)
	samples, valid := samplesOf(data)
	var se *SyntaxError
	switch {
	case errors.As(err, &se) && valid:
		t.Fatalf("Infer refused JSON encoding/json reads: %v", err)
	case err == nil && !valid:
		t.Fatalf("Infer read JSON encoding/json refuses: %q", data)
	case err != nil:
		return
	}
	if err := inf.Schema.Check(); err != nil {
		t.Fatalf("inferred an invalid schema: %v", err)
	}
	for i, s := range samples {
		if ps := Validate(inf.Schema, s); HasErrors(ps) {
			t.Fatalf("sample %d does not fit the schema inferred from it: %q\nschema %q", i+1, problemLines(ps), flatten(inf.Schema))
		}
	}
}

func fixtureSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		`{}`, `[]`, `[{}]`, `{"a":null}`, `{"a":[]}`, `{"a":[[]]}`, `{"a":1}{"a":"x"}`, `{"a":1,"a":{"b":2}}`,
		`{"a":[{"b":1},{"b":null,"c":[1.5,2]}]}`, `{"a\u0000b":"\ud800"}`, "{\"\xff\":1}", `{"d":"2024-05-01"} {"d":"2024-05-01 10:00:00 +01:00"}`,
		`1`, `"x"`, `[1]`, `{"a":-}`, `{"a":1e}`, `{"a":.5}`, `{"a":"\x"}`, `{`,
	} {
		f.Add([]byte(s))
	}
}

func FuzzInfer(f *testing.F) {
	fixtureSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkInferred(t, data)
	})
}

// canonical is a schema's lines with fields sorted by name at every level,
// for comparing schemas whose field order may differ.
func canonical(s Schema) []string {
	c := s.Clone()
	var sortLevel func(Schema)
	sortLevel = func(level Schema) {
		sort.Slice(level, func(i, j int) bool { return level[i].Name < level[j].Name })
		for _, f := range level {
			sortLevel(f.Properties)
		}
	}
	sortLevel(c)
	return flatten(c)
}

func sortedNotes(notes []Note) []string {
	out := noteLines(notes)
	slices.Sort(out)
	return out
}

// Merging is order-independent: the same samples in any order give the same
// fields, types and notes (only the first-seen order of fields differs).
func FuzzInferOrderIndependent(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":[]}`), []byte(`{"a":1.5,"c":{"d":null}}`))
	f.Add([]byte(`{"x":"2024-05-01"}`), []byte(`[{"x":"soon"},{"y":true}]`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		ab, errAB := Infer(a, b)
		ba, errBA := Infer(b, a)
		if (errAB == nil) != (errBA == nil) {
			t.Fatalf("one order fails: %v / %v", errAB, errBA)
		}
		if errAB != nil {
			return
		}
		if got, want := canonical(ba.Schema), canonical(ab.Schema); !slices.Equal(got, want) {
			t.Fatalf("order changed the schema\n a,b %q\n b,a %q", want, got)
		}
		if got, want := sortedNotes(ba.Notes), sortedNotes(ab.Notes); !slices.Equal(got, want) {
			t.Fatalf("order changed the notes\n a,b %q\n b,a %q", want, got)
		}
	})
}

// randomSample writes a random payload in the shape of webhook events, with
// the value kinds inference tells apart.
func randomSample(r *rand.Rand, depth int) string {
	keys := []string{"email", "campaignId", "createdAt", "dataFields", "labels", "items", "workflowId", "a.b", "First Name"}
	var b strings.Builder
	b.WriteString("{")
	// At least one key: an empty schema stands for "no samples yet" in Widen,
	// so a sample {} is the one thing widening step by step cannot remember.
	n := 1 + r.IntN(len(keys)-1)
	for i, k := range r.Perm(len(keys))[:n] {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%q:%s", keys[k], randomValue(r, depth))
	}
	b.WriteString("}")
	return b.String()
}

func randomValue(r *rand.Rand, depth int) string {
	scalars := []string{`null`, `true`, `42`, `-7`, `4.2`, `1e3`, `"ana@acme.io"`, `"42"`, `"2024-05-01"`,
		`"2026-11-27 10:42:07 +00:00"`, `"2026-11-27T10:42:07Z"`}
	if depth <= 0 || r.IntN(3) > 0 {
		return scalars[r.IntN(len(scalars))]
	}
	if r.IntN(2) == 0 {
		return randomSample(r, depth-1)
	}
	items := make([]string, r.IntN(4))
	for i := range items {
		if r.IntN(2) == 0 {
			items[i] = randomSample(r, depth-1)
		} else {
			items[i] = randomValue(r, depth-1)
		}
	}
	return "[" + strings.Join(items, ",") + "]"
}

func TestInferPropertiesOnRandomSamples(t *testing.T) {
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 7))
		docs := make([][]byte, 1+r.IntN(6))
		for i := range docs {
			docs[i] = []byte(randomSample(r, 3))
		}
		checkInferred(t, bytes.Join(docs, []byte("\n")))

		forward, err := Infer(docs...)
		if err != nil {
			t.Fatal(err)
		}
		shuffled := slices.Clone(docs)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		other, err := Infer(shuffled...)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(canonical(forward.Schema), canonical(other.Schema)) {
			t.Fatalf("seed %d: order changed the schema\n%q\n%q", seed, canonical(forward.Schema), canonical(other.Schema))
		}
		// Widening one sample at a time gives the same as inferring all at once.
		var step Schema
		for _, d := range docs {
			inf, err := Widen(step, d)
			if err != nil {
				t.Fatal(err)
			}
			step = inf.Schema
		}
		if !slices.Equal(canonical(step), canonical(forward.Schema)) {
			t.Fatalf("seed %d: widening one by one differs\n%q\n%q", seed, canonical(step), canonical(forward.Schema))
		}
	}
}

// Any schema iwb reads survives both of its JSON forms unchanged.
func FuzzParseSchema(f *testing.F) {
	workato, _ := json.Marshal(fullSchema)
	js, _ := fullSchema.JSONSchema()
	f.Add(workato)
	f.Add(js)
	f.Add([]byte(`[{"name":"a","type":"unknown","properties":[{"name":"b","type":"string"}]}]`))
	f.Add([]byte(`{"properties":{"o":{"properties":{}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			return
		}
		if err := s.Check(); err != nil {
			t.Fatalf("Parse returned a schema Check refuses: %v", err)
		}
		w, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseWorkato(w)
		if err != nil || !reflect.DeepEqual(back, s) {
			t.Fatalf("Workato round trip: %v\n got %q\nwant %q", err, flatten(back), flatten(s))
		}
		j, err := s.JSONSchema()
		if err != nil {
			t.Fatal(err)
		}
		back, err = FromJSONSchema(j)
		if err != nil || !reflect.DeepEqual(back, s) {
			t.Fatalf("JSON Schema round trip: %v\n got %#v\nwant %#v\n%s", err, back, s, j)
		}
	})
}

// Text typed into the data-fields builder never panics, and what it accepts
// is JSON of the type it was parsed as.
func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"42", "4.2", "yes", "2024-05-01", "2024-05-01 10:00", "a,b", `[1,"2"]`, `{"lat":1,"lon":2}`, `[{"a":1}]`, ""} {
		f.Add(s, uint8(0), false)
	}
	types := []DataType{DataString, DataLong, DataDouble, DataBoolean, DataDate, DataObject, DataGeoLocation, DataNested}
	f.Fuzz(func(t *testing.T, text string, which uint8, array bool) {
		typ := types[int(which)%len(types)]
		v, err := ParseValue(typ, array, text)
		if err != nil {
			return
		}
		if _, err := json.Marshal(v); err != nil {
			t.Fatalf("ParseValue(%s, %q) gave %#v, which is not JSON: %v", typ, text, v, err)
		}
		check := func(item any) {
			switch typ {
			case DataLong:
				if _, ok := item.(int64); !ok {
					t.Fatalf("long %q parsed as %#v", text, item)
				}
			case DataDate:
				if s, ok := item.(string); !ok || !isDateTime(s) {
					t.Fatalf("date %q sent as %#v", text, item)
				}
			case DataBoolean:
				if _, ok := item.(bool); !ok {
					t.Fatalf("boolean %q parsed as %#v", text, item)
				}
			}
		}
		if list, ok := v.([]any); ok && array && typ != DataNested {
			for _, it := range list {
				check(it)
			}
		} else {
			check(v)
		}
	})
}
