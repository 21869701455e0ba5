package schema

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// fullSchema uses everything both forms can say.
var fullSchema = Schema{
	{Name: "email", Label: "Email", Type: String, Hint: "the recipient"},
	{Name: "count", Type: Integer},
	{Name: "score", Type: Number, Optional: true},
	{Name: "vip", Type: Boolean, Optional: true},
	{Name: "birthday", Type: Date, Optional: true},
	{Name: "createdAt", Type: DateTime, Manual: true},
	{Name: "workflowId", Type: Unknown, Optional: true},
	{Name: "mixed", Type: Unknown, Seen: []Type{String, Object}, Properties: Schema{{Name: "y", Type: Integer}}},
	{Name: "First Name", Type: String},
	{Name: "tags", Type: Array, Of: String},
	{Name: "matrix", Type: Array, Of: Array, Optional: true},
	{Name: "labels", Type: Array, Of: Unknown},
	{Name: "odd", Type: Array, Of: Unknown, Seen: []Type{Integer, String}},
	{Name: "items", Type: Array, Of: Object, Properties: Schema{
		{Name: "id", Type: Integer},
		{Name: "note", Type: String, Optional: true},
	}},
	{Name: "dataFields", Type: Object, Optional: true, Properties: Schema{
		{Name: "zeta", Type: String},
		{Name: "alpha", Type: Integer, Optional: true},
	}},
	{Name: "empty", Type: Object},
}

func TestWorkatoRoundTrip(t *testing.T) {
	data, err := json.Marshal(fullSchema)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseWorkato(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, fullSchema) {
		t.Errorf("round trip changed the schema\n got %q\nwant %q", flatten(back), flatten(fullSchema))
	}
}

func TestWorkatoReadsWhatWorkatoWrites(t *testing.T) {
	// A schema as Workato's SDK writes one: extra keys, timestamp type.
	const workato = `[
	  {"name": "id", "type": "integer", "control_type": "number", "sticky": true},
	  {"name": "sent_at", "label": "Sent at", "type": "timestamp"},
	  {"name": "lines", "type": "array", "of": "object", "properties": [{"name": "sku", "type": "string"}]}
	]`
	s, err := ParseWorkato([]byte(workato))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"id integer", "sent_at date_time", "lines array of object", "lines.sku string"}
	if got := flatten(s); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestJSONSchemaRoundTrip(t *testing.T) {
	data, err := fullSchema.JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	back, err := FromJSONSchema(data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if !reflect.DeepEqual(back, fullSchema) {
		t.Errorf("round trip changed the schema\n got %q\nwant %q\n%s", flatten(back), flatten(fullSchema), data)
	}
}

func TestJSONSchemaShape(t *testing.T) {
	s := Schema{
		{Name: "campaignId", Label: "Campaign", Type: Integer},
		{Name: "createdAt", Type: DateTime, Optional: true},
		{Name: "items", Type: Array, Of: Object, Properties: Schema{{Name: "id", Type: Integer}}},
	}
	data, err := s.JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	var compact strings.Builder
	if err := jsonCompact(&compact, data); err != nil {
		t.Fatal(err)
	}
	want := `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{` +
		`"campaignId":{"title":"Campaign","type":"integer"},` +
		`"createdAt":{"type":["string","null"],"format":"date-time"},` +
		`"items":{"type":"array","items":{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}}},` +
		`"required":["campaignId","items"]}`
	if compact.String() != want {
		t.Errorf("got  %s\nwant %s", compact.String(), want)
	}
}

func jsonCompact(w *strings.Builder, data []byte) error {
	var v object
	dec, err := decodeOrdered(data)
	if err != nil {
		return err
	}
	v = dec.(object)
	out, err := json.Marshal(v)
	w.Write(out)
	return err
}

func TestFromJSONSchema(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		err      string
	}{
		{"plain", `{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"number"}},"required":["a"]}`,
			[]string{"b string optional", "a number"}, ""},
		{"properties without type is an object", `{"properties":{"o":{"properties":{"x":{"type":"boolean"}}}}}`,
			[]string{"o object optional", "o.x boolean optional"}, ""},
		{"several types conflict", `{"type":"object","properties":{"x":{"type":["string","integer"]}},"required":["x"]}`,
			[]string{"x unknown (string and integer)"}, ""},
		{"array without items", `{"type":"object","properties":{"l":{"type":"array"}},"required":["l"]}`,
			[]string{"l array of unknown"}, ""},
		{"ref refused", `{"type":"object","properties":{"x":{"$ref":"#/$defs/x"}}}`, nil,
			"x: the $ref keyword is not supported"},
		{"not an object", `{"type":"array","items":{"type":"string"}}`, nil, "the top level describes array of string, not an object"},
		{"bad type", `{"type":"object","properties":{"x":{"type":"text"}}}`, nil, `x: unknown type "text"`},
		{"broken", `{"type":`, nil, "reading JSON Schema"},
		{"trailing data", `{"type":"object"} {}`, nil, "extra data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := FromJSONSchema([]byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := flatten(s); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseDetectsForm(t *testing.T) {
	workato, _ := json.Marshal(fullSchema)
	js, _ := fullSchema.JSONSchema()
	for name, data := range map[string][]byte{"workato": workato, "jsonschema": js} {
		s, err := Parse(data)
		if err != nil || !reflect.DeepEqual(s, fullSchema) {
			t.Errorf("%s: err %v, got %q", name, err, flatten(s))
		}
	}
	bad := []struct{ in, want string }{
		{``, "the schema file is empty"},
		{`"x"`, "a schema is a JSON array of fields"},
		{`[{"name":"a","type":"array"}]`, `a: an array needs the type of its items ("of")`},
		{`[{"name":"","type":"string"}]`, "a field needs a name"},
		{`[{"name":"a","type":"string"},{"name":"a","type":"integer"}]`, "a: another field at this level has that name"},
		{`[{"name":"a","type":"strng"}]`, `a: unknown type "strng"`},
		{`[{"name":"a","type":"string","properties":[{"name":"b","type":"string"}]}]`, "a: properties on a field of type string"},
		{`[{"name":"a","type":"string","of":"string"}]`, `a: "of" "string" on a field of type string`},
		{`[] []`, "extra data"},
	}
	for _, b := range bad {
		if _, err := Parse([]byte(b.in)); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("Parse(%s): error %v, want %q", b.in, err, b.want)
		}
	}
}
