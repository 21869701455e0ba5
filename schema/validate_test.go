package schema

import (
	"encoding/json"
	"slices"
	"testing"
)

// openSchema is what a designer would hold for emailOpen events.
var openSchema = Schema{
	{Name: "email", Type: String},
	{Name: "eventName", Type: String},
	{Name: "userId", Type: String, Optional: true},
	{Name: "dataFields", Type: Object, Properties: Schema{
		{Name: "campaignId", Type: Integer},
		{Name: "createdAt", Type: DateTime},
		{Name: "workflowId", Type: Integer, Optional: true},
		{Name: "experimentId", Type: Unknown, Optional: true},
		{Name: "score", Type: Number, Optional: true},
		{Name: "sentOn", Type: Date, Optional: true},
		{Name: "vip", Type: Boolean, Optional: true},
		{Name: "labels", Type: Array, Of: String, Optional: true},
		{Name: "items", Type: Array, Of: Object, Optional: true, Properties: Schema{
			{Name: "id", Type: Integer},
			{Name: "note", Type: String, Optional: true},
		}},
	}},
}

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := DecodeJSON([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func problemLines(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

func TestValidate(t *testing.T) {
	const base = `"email":"ana@acme.io","eventName":"emailOpen"`
	tests := []struct {
		name    string
		payload string
		want    []string
	}{
		{"fits", `{` + base + `,"dataFields":{"campaignId":51234,"createdAt":"2026-11-27 10:42:07 +00:00","workflowId":null}}`, nil},
		{"RFC 3339 fits date_time", `{` + base + `,"dataFields":{"campaignId":1,"createdAt":"2026-11-27T10:42:07Z"}}`, nil},
		{"string where integer", `{` + base + `,"dataFields":{"campaignId":"51234","createdAt":"2026-11-27 10:42:07 +00:00"}}`,
			[]string{"dataFields.campaignId: expected integer, found string"}},
		{"number where integer", `{` + base + `,"dataFields":{"campaignId":1.5,"createdAt":"2026-11-27 10:42:07 +00:00"}}`,
			[]string{"dataFields.campaignId: expected integer, found number"}},
		{"integer fits number", `{` + base + `,"dataFields":{"campaignId":1,"createdAt":"2026-11-27 10:42:07 +00:00","score":3}}`, nil},
		{"missing required", `{` + base + `,"dataFields":{"createdAt":"2026-11-27 10:42:07 +00:00"}}`,
			[]string{"dataFields.campaignId: missing (expected integer)"}},
		{"null where required", `{` + base + `,"dataFields":{"campaignId":null,"createdAt":"2026-11-27 10:42:07 +00:00"}}`,
			[]string{"dataFields.campaignId: expected integer, found null (the field is required)"}},
		{"not a timestamp", `{` + base + `,"dataFields":{"campaignId":1,"createdAt":"yesterday"}}`,
			[]string{`dataFields.createdAt: expected a timestamp (2016-12-02 20:21:04 +00:00 or RFC 3339), found "yesterday"`}},
		{"not a date", `{` + base + `,"dataFields":{"campaignId":1,"createdAt":"2026-11-27T10:42:07Z","sentOn":"2026-13-01"}}`,
			[]string{`dataFields.sentOn: expected a date (yyyy-mm-dd), found "2026-13-01"`}},
		{"boolean as string", `{` + base + `,"dataFields":{"campaignId":1,"createdAt":"2026-11-27T10:42:07Z","vip":"yes"}}`,
			[]string{"dataFields.vip: expected boolean, found string"}},
		{"unknown takes anything", `{` + base + `,"dataFields":{"campaignId":1,"createdAt":"2026-11-27T10:42:07Z","experimentId":{"a":[1]}}}`, nil},
		{"array items", `{` + base + `,"dataFields":{"campaignId":1,"createdAt":"2026-11-27T10:42:07Z","labels":["a",2,null],"items":[{"id":1},{"note":"x"},{"id":"3","extra":1}]}}`,
			[]string{
				"dataFields.labels[1]: expected string, found integer",
				"dataFields.items[1].id: missing (expected integer)",
				"dataFields.items[2].id: expected integer, found string",
				"warning: dataFields.items[2].extra: not in the schema (found integer)",
			}},
		{"array where object", `{` + base + `,"dataFields":[]}`, []string{"dataFields: expected object, found array"}},
		{"object where array", `{` + base + `,"dataFields":{"campaignId":1,"createdAt":"2026-11-27T10:42:07Z","labels":{}}}`,
			[]string{"dataFields.labels: expected array of string, found object"}},
		{"unknown fields are warnings, sorted", `{` + base + `,"zeta":1,"alpha":"x","dataFields":{"campaignId":1,"createdAt":"2026-11-27T10:42:07Z","new":true}}`,
			[]string{
				"warning: dataFields.new: not in the schema (found boolean)",
				"warning: alpha: not in the schema (found string)",
				"warning: zeta: not in the schema (found integer)",
			}},
		{"everything missing", `{}`, []string{
			"email: missing (expected string)", "eventName: missing (expected string)", "dataFields: missing (expected object)"}},
		{"not an object", `[1]`, []string{"(payload): expected object, found array"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problemLines(Validate(openSchema, decode(t, tt.payload)))
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestValidateProblemFields(t *testing.T) {
	ps := Validate(openSchema, decode(t, `{"email":"a","eventName":"b","dataFields":{"campaignId":"x","createdAt":"2026-11-27T10:42:07Z"},"more":1}`))
	want := []Problem{
		{Path: "dataFields.campaignId", Expected: "integer", Found: "string", Message: "expected integer, found string"},
		{Path: "more", Found: "integer", Message: "not in the schema (found integer)", Warning: true},
	}
	if !slices.Equal(ps, want) {
		t.Errorf("got %+v\nwant %+v", ps, want)
	}
	if !HasErrors(ps) || HasErrors(ps[1:]) {
		t.Error("HasErrors must count errors, not warnings")
	}
}

// Payloads decoded without UseNumber hold float64: whole ones are integers.
func TestValidateFloat64Payload(t *testing.T) {
	var v any
	if err := json.Unmarshal([]byte(`{"email":"a","eventName":"b","dataFields":{"campaignId":51234,"createdAt":"2026-11-27T10:42:07Z","score":0.5}}`), &v); err != nil {
		t.Fatal(err)
	}
	if ps := Validate(openSchema, v); len(ps) != 0 {
		t.Errorf("got %q", problemLines(ps))
	}
	if err := json.Unmarshal([]byte(`{"email":"a","eventName":"b","dataFields":{"campaignId":5.5,"createdAt":"2026-11-27T10:42:07Z"}}`), &v); err != nil {
		t.Fatal(err)
	}
	if got := problemLines(Validate(openSchema, v)); !slices.Equal(got, []string{"dataFields.campaignId: expected integer, found number"}) {
		t.Errorf("got %q", got)
	}
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{nil, "null"}, {true, "boolean"}, {json.Number("3"), "integer"}, {json.Number("3.0"), "number"},
		{json.Number("3e2"), "number"}, {float64(3), "integer"}, {3.25, "number"}, {int64(9), "integer"},
		{"x", "string"}, {map[string]any{}, "object"}, {[]any{}, "array"},
	}
	for _, tt := range tests {
		if got := KindOf(tt.v); got != tt.want {
			t.Errorf("KindOf(%#v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}
