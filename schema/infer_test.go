package schema

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// describe gives a field as one line: "dataFields.campaignId integer",
// "labels array of unknown optional", "x unknown (string and object)".
func describe(p Path, f Field) string {
	s := p.String() + " " + describeType(f.Type, f.Of)
	if len(f.Seen) > 0 {
		s += " (" + joinTypes(f.Seen) + ")"
	}
	if f.Optional {
		s += " optional"
	}
	if f.Manual {
		s += " manual"
	}
	return s
}

// flatten lists every field of s as describe does, depth first, in order.
func flatten(s Schema) []string {
	var out []string
	var walk func(level Schema, parent Path)
	walk = func(level Schema, parent Path) {
		for _, f := range level {
			p := append(parent[:len(parent):len(parent)], f.Name)
			out = append(out, describe(p, f))
			walk(f.Properties, p)
		}
	}
	walk(s, nil)
	return out
}

func lineFor(t *testing.T, s Schema, path string) string {
	t.Helper()
	for _, l := range flatten(s) {
		if strings.HasPrefix(l, path+" ") {
			return l
		}
	}
	t.Fatalf("no field %s in\n%s", path, strings.Join(flatten(s), "\n"))
	return ""
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustInfer(t *testing.T, docs ...string) Inference {
	t.Helper()
	b := make([][]byte, len(docs))
	for i, d := range docs {
		b[i] = []byte(d)
	}
	inf, err := Infer(b...)
	if err != nil {
		t.Fatalf("Infer: %v", err)
	}
	return inf
}

func noteLines(notes []Note) []string {
	var out []string
	for _, n := range notes {
		out = append(out, string(n.Kind)+" "+n.String())
	}
	return out
}

// Every event family of Iterable's system webhooks, as the project writes them.
func TestInferEventFamilies(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"emailOpen.json", []string{
			"email string", "eventName string", "dataFields object",
			"dataFields.templateId integer", "dataFields.createdAt date_time", "dataFields.campaignId integer",
			"dataFields.workflowId unknown optional", "dataFields.experimentId unknown optional",
			"dataFields.emailId string",
		}},
		{"emailSend.json", []string{"dataFields.transactionalData object", "dataFields.transactionalData.total number", "dataFields.transactionalData.orderId string"}},
		{"emailClick.json", []string{"dataFields.canonicalUrlId string", "dataFields.url string", "dataFields.region string"}},
		{"emailBounce.json", []string{"dataFields.recipientState string"}},
		{"emailUnSubscribe.json", []string{"dataFields.channelIds array of integer", "dataFields.labels array of unknown", "dataFields.workflowId integer", "dataFields.locale unknown optional"}},
		{"hostedUnsubscribeClick.json", []string{"userId string", "dataFields.labels array of string", "dataFields.locale string"}},
		{"pushSend.json", []string{"dataFields.payload object", "dataFields.payload.screen string", "dataFields.contentAvailable boolean", "dataFields.sound string", "dataFields.deeplink unknown optional"}},
		{"pushSendSkip.json", []string{"dataFields.reason string", "dataFields.createdAt date_time"}},
		{"smsBounce.json", []string{"dataFields.smsProviderResponse.status integer", "dataFields.smsProviderResponse.more_info string", "dataFields.fromPhoneNumberId integer"}},
		{"smsReceived.json", []string{"dataFields.fromPhoneNumber string", "dataFields.smsMessage string"}},
		{"inAppSend.json", []string{"dataFields.messageContext.saveToInbox boolean", "dataFields.expiresAt date_time", "dataFields.inAppBody string"}},
		{"inAppClick.json", []string{"dataFields.messageContext.location string", "dataFields.clickedUrl string"}},
		{"webPushSend.json", []string{"dataFields.workflowId integer", "dataFields.webPushBody unknown optional", "dataFields.browserToken string"}},
		{"embeddedClick.json", []string{"dataFields.createdAt date_time", "dataFields.placementId integer", "dataFields.sdkVersion string"}},
		{"embeddedSession.json", []string{
			"dataFields.createdAt date_time", "dataFields.session.start date_time",
			"dataFields.impressions array of object", "dataFields.impressions.displayCount integer",
			"dataFields.impressions.displayDuration number", "dataFields.impressions.placementId integer optional",
		}},
		{"whatsAppSend.json", []string{"dataFields.toPhoneNumber string", "dataFields.locale string", "dataFields.campaignId integer"}},
		{"journeyExit.json", []string{"dataFields.workflowId integer", "dataFields.entryDate date", "dataFields.journeyExitReason string"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			inf, err := Infer(readFixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if inf.Samples != 1 {
				t.Errorf("Samples = %d, want 1", inf.Samples)
			}
			got := flatten(inf.Schema)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("missing %q in\n%s", w, strings.Join(got, "\n"))
				}
			}
		})
	}
}

func TestInferDataFieldsKeepOrder(t *testing.T) {
	inf, err := Infer(readFixture(t, "emailOpen.json"))
	if err != nil {
		t.Fatal(err)
	}
	df, _ := inf.Schema.Find(Path{"dataFields"})
	var names []string
	for _, f := range df.Properties {
		names = append(names, f.Name)
	}
	want := []string{"userAgent", "proxySource", "ip", "templateId", "device", "email", "createdAt", "campaignId",
		"messageId", "emailSubject", "campaignName", "workflowId", "workflowName", "templateName", "channelId",
		"messageTypeId", "experimentId", "emailId"}
	if !slices.Equal(names, want) {
		t.Errorf("order\n got %v\nwant %v", names, want)
	}
	wantNotes := []string{
		"unknown dataFields.workflowId: unknown type, only nulls seen",
		"unknown dataFields.workflowName: unknown type, only nulls seen",
		"unknown dataFields.experimentId: unknown type, only nulls seen",
	}
	if got := noteLines(inf.Notes); !slices.Equal(got, wantNotes) {
		t.Errorf("notes\n got %q\nwant %q", got, wantNotes)
	}
}

func TestInferAcrossEvents(t *testing.T) {
	// A plain open and one from a journey: proxySource is only in the first,
	// userId only in the second, workflowId null then 60102.
	inf, err := Infer(readFixture(t, "emailOpen.json"), readFixture(t, "emailOpen_journey.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"dataFields.proxySource string optional",
		"userId string optional",
		"dataFields.workflowId integer optional",
		"dataFields.workflowName string optional",
		"dataFields.campaignId integer",
		"email string",
	} {
		if got := lineFor(t, inf.Schema, strings.Fields(w)[0]); got != w {
			t.Errorf("got %q, want %q", got, w)
		}
	}
	// userId comes last at the top: first-seen order across samples.
	if last := inf.Schema[len(inf.Schema)-1].Name; last != "userId" {
		t.Errorf("last top-level field %q, want userId", last)
	}
}

func TestInferRules(t *testing.T) {
	tests := []struct {
		name    string
		samples []string
		want    []string // flatten lines
		notes   []string // kind + note, exactly
	}{
		{"whole number is integer", []string{`{"n": 42}`}, []string{"n integer"}, nil},
		{"negative zero is integer", []string{`{"n": -0}`}, []string{"n integer"}, nil},
		{"fraction is number", []string{`{"n": 4.20}`}, []string{"n number"}, nil},
		{"exponent is number", []string{`{"n": 1e3}`}, []string{"n number"}, nil},
		{"1.0 as written is number", []string{`{"n": 1.0}`}, []string{"n number"}, nil},
		{"integer then number is number", []string{`{"n": 1}`, `{"n": 1.5}`}, []string{"n number"}, nil},
		{"huge integer stays integer", []string{`{"n": 123456789012345678901234567890}`}, []string{"n integer"}, nil},
		{"numeric string stays string", []string{`{"s": "42"}`}, []string{"s string"}, nil},
		{"boolean string stays string", []string{`{"s": "true"}`}, []string{"s string"}, nil},
		{"boolean", []string{`{"b": false}`}, []string{"b boolean"}, nil},
		{"Iterable timestamp", []string{`{"t": "2016-12-02 20:21:04 +00:00"}`}, []string{"t date_time"}, nil},
		{"RFC 3339 timestamp", []string{`{"t": "2026-11-27T10:42:07.118+01:00"}`}, []string{"t date_time"}, nil},
		{"both timestamp forms", []string{`{"t": "2016-12-02 20:21:04 +00:00"}`, `{"t": "2026-11-27T10:42:07Z"}`}, []string{"t date_time"}, nil},
		{"timestamp then text is string", []string{`{"t": "2016-12-02 20:21:04 +00:00"}`, `{"t": "soon"}`}, []string{"t string"}, nil},
		{"timestamp and null is optional date_time", []string{`{"t": null}`, `{"t": "2016-12-02 20:21:04 +00:00"}`}, []string{"t date_time optional"}, nil},
		{"date", []string{`{"d": "2024-05-01"}`, `{"d": "2024-02-29"}`}, []string{"d date"}, nil},
		{"date and timestamp is string", []string{`{"d": "2024-05-01"}`, `{"d": "2024-05-01T10:00:00Z"}`}, []string{"d string"}, nil},
		{"impossible date is string", []string{`{"d": "2023-02-29"}`}, []string{"d string"}, nil},
		{"timestamp without zone is string", []string{`{"t": "2016-12-02 20:21:04"}`}, []string{"t string"}, nil},
		{"escaped text still typed", []string{`{"d": "2024\u002d05-01", "s": "a\"b"}`}, []string{"d date", "s string"}, nil},
		{"union of keys, missing is optional", []string{`{"a": 1, "b": 2}`, `{"b": 3, "c": 4}`},
			[]string{"a integer optional", "b integer", "c integer optional"}, nil},
		{"objects merge their keys", []string{`{"o": {"x": 1}}`, `{"o": {"y": "z"}}`},
			[]string{"o object", "o.x integer optional", "o.y string optional"}, nil},
		{"items of an array of objects merge", []string{`{"items": [{"id": 1, "qty": 2}, {"id": 2, "note": "gift"}]}`},
			[]string{"items array of object", "items.id integer", "items.qty integer optional", "items.note string optional"}, nil},
		{"array of integers and numbers", []string{`{"a": [1, 2.5]}`}, []string{"a array of number"}, nil},
		{"null items are ignored", []string{`{"a": [null, "x"]}`}, []string{"a array of string"}, nil},
		{"array of arrays", []string{`{"a": [[1], [2]]}`}, []string{"a array of array"}, nil},
		{"only null is unknown", []string{`{"w": null}`}, []string{"w unknown optional"},
			[]string{"unknown w: unknown type, only nulls seen"}},
		{"only empty arrays is array of unknown", []string{`{"l": []}`, `{"l": []}`}, []string{"l array of unknown"},
			[]string{"unknown l: unknown item type, only empty arrays seen"}},
		{"empty array then items", []string{`{"l": []}`, `{"l": ["a"]}`}, []string{"l array of string"}, nil},
		{"null then array", []string{`{"l": null}`, `{"l": [1]}`}, []string{"l array of integer optional"}, nil},
		{"two kinds is a conflict", []string{`{"x": "a"}`, `{"x": {"y": 1}}`}, []string{"x unknown (string and object)", "x.y integer"},
			[]string{"conflict x: conflict: seen as string and object; choose its type"}},
		{"number and boolean conflict", []string{`{"x": 1}`, `{"x": true}`}, []string{"x unknown (boolean and integer)"},
			[]string{"conflict x: conflict: seen as boolean and integer; choose its type"}},
		{"items that conflict", []string{`{"a": [1, "one"]}`}, []string{"a array of unknown (integer and string)"},
			[]string{"conflict a: conflict: items seen as integer and string; choose their type"}},
		{"keys kept exactly", []string{`{"First Name": "Ana", "first name": "ana", " id ": 1}`},
			[]string{"First Name string", "first name string", " id  integer"}, nil},
		{"dotted key flagged", []string{`{"a.b": 1}`}, []string{"a.b integer"},
			[]string{"dotted key a.b: the key holds a '.', which Iterable reads as nesting"}},
		{"empty key left out", []string{`{"": 1, "o": {"": {}}}`}, []string{"o object"},
			[]string{`empty key : a key "" cannot be a field; left out of the schema`, `empty key o.: a key "" cannot be a field; left out of the schema`}},
		{"escaped key", []string{`{"caf\u00e9": 1}`}, []string{"café integer"}, nil},
		{"duplicate key counts once", []string{`{"a": 1, "a": "x"}`, `{"a": 2}`}, []string{"a unknown (integer and string)"},
			[]string{"conflict a: conflict: seen as integer and string; choose its type"}},
		{"top-level array of samples", []string{`[{"a": 1}, {"b": 2}]`}, []string{"a integer optional", "b integer optional"}, nil},
		{"samples one per line", []string{"{\"a\": 1}\n{\"a\": 2, \"b\": true}\n"}, []string{"a integer", "b boolean optional"}, nil},
		{"empty object", []string{`{"o": {}}`}, []string{"o object"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inf := mustInfer(t, tt.samples...)
			if got := flatten(inf.Schema); !slices.Equal(got, tt.want) {
				t.Errorf("schema\n got %q\nwant %q", got, tt.want)
			}
			if got := noteLines(inf.Notes); !slices.Equal(got, tt.notes) {
				t.Errorf("notes\n got %q\nwant %q", got, tt.notes)
			}
		})
	}
}

func TestInferRefuses(t *testing.T) {
	deep := strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1)
	var wide strings.Builder
	wide.WriteString("{")
	for i := range MaxFields + 1 {
		if i > 0 {
			wide.WriteString(",")
		}
		wide.WriteString(`"f` + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strconv.Itoa(i) + `":1`)
	}
	wide.WriteString("}")
	tests := []struct {
		name string
		docs [][]byte
		want string
	}{
		{"empty input", [][]byte{[]byte("  \n")}, "no sample: the input holds no JSON object"},
		{"scalar", [][]byte{[]byte(`42`)}, "a sample must be a JSON object (or an array of objects), not a number"},
		{"string", [][]byte{[]byte(`"x"`)}, "not a string"},
		{"array of scalars", [][]byte{[]byte(`[{"a":1}, 2]`)}, "sample 2 of the array (at byte 10) is not a JSON object"},
		{"broken JSON", [][]byte{[]byte(`{"a": 1,}`)}, "invalid JSON at byte 8: expected a key in quotes"},
		{"unterminated", [][]byte{[]byte(`{"a": "x`)}, "unexpected end of input in a string"},
		{"bad literal", [][]byte{[]byte(`{"a": nul}`)}, "invalid JSON at byte 6"},
		{"leading zero", [][]byte{[]byte(`{"a": 01}`)}, "expected ',' or '}'"},
		{"control character", [][]byte{[]byte("{\"a\": \"x\ty\"}")}, "control character in a string"},
		{"second document broken", [][]byte{[]byte(`{"a":1}`), []byte(`{`)}, "document 2: invalid JSON"},
		{"too deep", [][]byte{[]byte(deep)}, "a sample nests deeper than 32 levels (at a.a.a"},
		{"too many fields", [][]byte{[]byte(wide.String())}, "samples hold more than 10000 distinct fields"},
		{"too large", [][]byte{make([]byte, MaxInputBytes+1)}, "more than the 64 MiB inference reads"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Infer(tt.docs...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
	var se *SyntaxError
	if _, err := Infer([]byte(`{"a" 1}`)); !errors.As(err, &se) || se.Offset != 5 {
		t.Errorf("want a SyntaxError at byte 5, got %v", err)
	}
}

func TestWidenNeverNarrowsHandSetTypes(t *testing.T) {
	first := mustInfer(t, `{"id": 1, "code": 7, "name": "a", "extra": null}`)
	// The user decides code is a string and extra a number.
	current, err := first.Schema.SetType(Path{"code"}, String, "")
	if err != nil {
		t.Fatal(err)
	}
	if current, err = current.SetType(Path{"extra"}, Number, ""); err != nil {
		t.Fatal(err)
	}
	inf, err := Widen(current, []byte(`{"id": 2.5, "code": 8, "extra": 3}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"id number",                    // widened integer → number
		"code string manual",           // hand-set type kept
		"name string optional",         // absent from the new sample → optional
		"extra number optional manual", // hand-set, fits
	}
	if got := flatten(inf.Schema); !slices.Equal(got, want) {
		t.Errorf("schema\n got %q\nwant %q", got, want)
	}
	wantNotes := []string{"hand-set code: set by hand to string, but samples show integer and string"}
	if got := noteLines(inf.Notes); !slices.Equal(got, wantNotes) {
		t.Errorf("notes\n got %q\nwant %q", got, wantNotes)
	}

	// A field the earlier samples lacked comes in optional; a widened schema
	// never turns an optional field required again.
	again, err := Widen(inf.Schema, []byte(`{"id": 3, "code": "x", "name": "n", "extra": 1, "late": true}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"late boolean optional", "name string optional", "id number"} {
		if got := lineFor(t, again.Schema, strings.Fields(w)[0]); got != w {
			t.Errorf("got %q, want %q", got, w)
		}
	}
}

func TestWidenSurvivesJSONRoundTrip(t *testing.T) {
	// The hand-set mark lives in the field itself, so a schema saved as
	// Workato JSON and read back is still protected.
	s := Schema{{Name: "code", Type: String, Manual: true}, {Name: "n", Type: Integer}}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseWorkato(data)
	if err != nil {
		t.Fatal(err)
	}
	inf, err := Widen(back, []byte(`{"code": 5, "n": 1.5}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"code string manual", "n number"}
	if got := flatten(inf.Schema); !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestMerge(t *testing.T) {
	a := mustInfer(t, `{"id": 1, "tags": [], "when": "2024-05-01"}`).Schema
	b := mustInfer(t, `{"id": 2.5, "tags": ["x"], "who": "ana"}`).Schema
	want := []string{"id number", "tags array of string", "when date optional", "who string optional"}
	if got := flatten(Merge(a, b)); !slices.Equal(got, want) {
		t.Errorf("Merge\n got %q\nwant %q", got, want)
	}
	if got := flatten(Merge(nil, b)); !slices.Equal(got, flatten(b)) {
		t.Errorf("Merge(nil, b) = %q", got)
	}
}
