package schema

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// project is a project's fields as GET /api/users/getFields gives them.
var project = ProjectFields{
	"email":            DataString,
	"signupDate":       DataDate,
	"devices":          DataObject,
	"devices.platform": DataString,
	"plan":             DataString,
	"score":            DataDouble,
	"age":              DataLong,
	"home":             DataGeoLocation,
	"orders":           DataNested,
}

func requestJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Four new fields, one of them nested, become the right nested JSON.
func TestBuildDataFields(t *testing.T) {
	rows := []DataField{
		{Name: "age", Type: DataLong, Text: "42"},
		{Name: "vip", Type: DataBoolean, Text: "yes"},
		{Name: "signup", Type: DataDate, Text: "2024-05-01"},
		{Name: "address.city", Type: DataString, Text: "Oslo"},
		{}, // an empty row is skipped
	}
	got, err := BuildDataFields(rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"address":{"city":"Oslo"},"age":42,"signup":"2024-05-01 00:00:00 +00:00","vip":true}`
	if s := requestJSON(t, got); s != want {
		t.Errorf("got  %s\nwant %s", s, want)
	}
	rows[0].Text = "4.2"
	if _, err := BuildDataFields(rows, nil); err == nil || err.Error() != "age: 4.2 is not a whole number; a long takes whole numbers like 42" {
		t.Errorf("age=4.2: error %v", err)
	}
}

func TestBuildDataFieldsErrorsOnePerField(t *testing.T) {
	rows := []DataField{
		{Name: "age", Type: DataLong, Text: "old"},
		{Name: "vip", Type: DataBoolean, Text: "maybe"},
		{Name: "ok", Type: DataString, Text: "fine"},
		{Name: "when", Type: DataDate, Text: "tomorrow"},
	}
	_, err := BuildDataFields(rows, nil)
	want := []string{
		`age: "old" is not a number; a long takes whole numbers like 42`,
		`vip: "maybe" is not a boolean; type true/false, yes/no or 1/0`,
		`when: "tomorrow" is not a date; type 2024-05-01, 2024-05-01 10:00 or 2024-05-01T10:00:00Z`,
	}
	if err == nil || !reflect.DeepEqual(strings.Split(err.Error(), "\n"), want) {
		t.Errorf("got %v\nwant %q", err, want)
	}
}

func TestDataFieldsAgainstProject(t *testing.T) {
	tests := []struct {
		name   string
		row    DataField
		locked bool
		typ    DataType
		value  string // JSON of the value
		err    string
	}{
		{"project type wins over the row's", DataField{Name: "age", Type: DataString, Text: "42"}, true, DataLong, "42", ""},
		{"value that does not fit the project's type is refused", DataField{Name: "age", Type: DataString, Text: "forty"}, true, DataLong, "",
			`age: "forty" is not a number; a long takes whole numbers like 42`},
		{"project date", DataField{Name: "signupDate", Text: "2024-05-01T10:00:00+02:00"}, true, DataDate, `"2024-05-01 08:00:00 +00:00"`, ""},
		{"nested project field", DataField{Name: "devices.platform", Type: DataLong, Text: "ios"}, true, DataString, `"ios"`, ""},
		{"double sent as a double", DataField{Name: "score", Text: "42"}, true, DataDouble, "42.0", ""},
		{"geo location", DataField{Name: "home", Text: `{"lat": 59.9, "lon": 10.7}`}, true, DataGeoLocation, `{"lat":59.9,"lon":10.7}`, ""},
		{"bad geo location", DataField{Name: "home", Text: `{"lat": "north"}`}, true, DataGeoLocation, "", `home: a geo_location is {"lat": number, "lon": number}`},
		{"nested type", DataField{Name: "orders", Text: `[{"sku":"A1","qty":2}]`}, true, DataNested, `[{"qty":2,"sku":"A1"}]`, ""},
		{"new field defaults to string", DataField{Name: "nickname", Text: " Bo "}, false, DataString, `" Bo "`, ""},
		{"cannot nest under a scalar field", DataField{Name: "plan.tier", Text: "gold"}, false, DataString, "",
			"plan.tier: plan is a string in this project, so nothing can nest under it"},
		{"can nest under an object field", DataField{Name: "devices.token", Text: "t1"}, false, DataString, `"t1"`, ""},
		{"empty segment", DataField{Name: "a..b", Text: "x"}, false, DataString, "", `"a..b": a dotted name needs a name between the dots`},
		{"no name", DataField{Text: "x"}, false, "", "", "a data field needs a name"},
		{"new field of an unknown type", DataField{Name: "x", Type: "int", Text: "1"}, false, "", "",
			`x: unknown type "int"; choose one of string, long, double, boolean, date, object`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := project.Check(tt.row)
			if tt.err != "" {
				if st.Err == nil || st.Err.Error() != tt.err {
					t.Fatalf("error %v, want %q", st.Err, tt.err)
				}
				return
			}
			if st.Err != nil {
				t.Fatal(st.Err)
			}
			if st.Locked != tt.locked || st.New == tt.locked || st.Type != tt.typ {
				t.Errorf("state %+v", st)
			}
			if s := requestJSON(t, st.Value); s != tt.value {
				t.Errorf("value %s, want %s", s, tt.value)
			}
			if !tt.locked && st.Warning != tt.row.Name+" is new: its first value fixes its type for the whole project" {
				t.Errorf("warning %q", st.Warning)
			}
		})
	}
}

func TestBuildDataFieldsConflicts(t *testing.T) {
	tests := []struct {
		rows []DataField
		err  string
	}{
		{[]DataField{{Name: "a", Text: "x"}, {Name: "a.b", Text: "y"}},
			"a: row 2 nests a.b under it, so it cannot also have a value\na.b: row 1 gives a a value, so nothing can nest under it"},
		{[]DataField{{Name: "a.b", Text: "y"}, {Name: "a", Text: "x"}},
			"a.b: row 2 gives a a value, so nothing can nest under it\na: row 1 nests a.b under it, so it cannot also have a value"},
		{[]DataField{{Name: "a", Text: "x"}, {Name: "a", Text: "y"}},
			"a: given twice (rows 1 and 2): remove one\na: given twice (rows 1 and 2): remove one"},
	}
	for _, tt := range tests {
		if _, err := BuildDataFields(tt.rows, nil); err == nil || err.Error() != tt.err {
			t.Errorf("error %v, want %q", err, tt.err)
		}
	}
	got, err := BuildDataFields([]DataField{{Name: "address.city", Text: "Oslo"}, {Name: "address.zip", Type: DataLong, Text: "150"}}, project)
	if err != nil || requestJSON(t, got) != `{"address":{"city":"Oslo","zip":150}}` {
		t.Errorf("got %s, %v", requestJSON(t, got), err)
	}
}

// TestCheckDataFieldsMarksBothRowsOfAClash: a field given twice is the
// problem of both its rows, each told which other row it clashes with; the
// other rows stand on their own.
func TestCheckDataFieldsMarksBothRowsOfAClash(t *testing.T) {
	rows := []DataField{{Name: "plan", Text: "pro"}, {Name: "score", Type: DataLong, Text: "4.5"}, {Name: "tier", Text: "x"}, {Name: "plan", Text: "basic"}}
	data, errs := CheckDataFields(rows, nil)
	want := []string{"plan: given twice (rows 1 and 4): remove one", "score: 4.5 is not a whole number; a long takes whole numbers like 42", "",
		"plan: given twice (rows 1 and 4): remove one"}
	for i, w := range want {
		if got := fmt.Sprint(errs[i]); w == "" && errs[i] != nil || w != "" && got != w {
			t.Errorf("row %d: %v, want %q", i+1, errs[i], w)
		}
	}
	if requestJSON(t, data) != `{"tier":"x"}` {
		t.Errorf("the good rows build %s", requestJSON(t, data))
	}
}

func TestParseValue(t *testing.T) {
	tests := []struct {
		typ   DataType
		array bool
		text  string
		want  string // JSON, or the error
	}{
		{DataLong, false, "42", "42"},
		{DataLong, false, " -7 ", "-7"},
		{DataLong, false, "1.5", "error: 1.5 is not a whole number; a long takes whole numbers like 42"},
		{DataLong, false, "1e3", "error: 1e3 is not a whole number; a long takes whole numbers like 42"},
		{DataLong, false, "99999999999999999999", "error: 99999999999999999999 is too large for a long"},
		{DataLong, false, "", "error: empty; a long takes a whole number like 42"},
		{DataDouble, false, "4.2", "4.2"},
		{DataDouble, false, "42", "42.0"},
		{DataDouble, false, "1e300", "1e+300"},
		{DataDouble, false, "NaN", `error: "NaN" is not a number; a double takes numbers like 4.2`},
		{DataBoolean, false, "YES", "true"},
		{DataBoolean, false, "no", "false"},
		{DataBoolean, false, "1", "true"},
		{DataBoolean, false, "0", "false"},
		{DataBoolean, false, "False", "false"},
		{DataBoolean, false, "y", `error: "y" is not a boolean; type true/false, yes/no or 1/0`},
		{DataDate, false, "2024-05-01", `"2024-05-01 00:00:00 +00:00"`},
		{DataDate, false, "2024-05-01 10:00", `"2024-05-01 10:00:00 +00:00"`},
		{DataDate, false, "2024-05-01T10:00:00Z", `"2024-05-01 10:00:00 +00:00"`},
		{DataDate, false, "2024-05-01T10:00:00.5-02:00", `"2024-05-01 12:00:00 +00:00"`},
		{DataDate, false, "2016-12-02 20:21:04 +00:00", `"2016-12-02 20:21:04 +00:00"`},
		{DataDate, false, "2024-02-30", `error: "2024-02-30" is not a date; type 2024-05-01, 2024-05-01 10:00 or 2024-05-01T10:00:00Z`},
		{DataString, false, "42", `"42"`},
		{DataObject, false, `{"city":"Oslo","zip":150}`, `{"city":"Oslo","zip":150}`},
		{DataObject, false, `[1]`, `error: an object takes a JSON object like {"city": "Oslo"}`},
		{DataObject, false, `{"a":`, "error: an object takes JSON: unexpected EOF"},
		{DataString, true, "red, green ,blue", `["red","green","blue"]`},
		{DataString, true, `["a,b","c"]`, `["a,b","c"]`},
		{DataLong, true, "1, 2,3", "[1,2,3]"},
		{DataLong, true, "[1, 2.5]", "error: item 2: 2.5 is not a whole number; a long takes whole numbers like 42"},
		{DataLong, true, "1,,2", "error: item 2 is empty"},
		{DataLong, true, "", "[]"},
		{DataBoolean, true, "[true, \"no\"]", "[true,false]"},
		{DataDate, true, "2024-05-01, 2024-06-01", `["2024-05-01 00:00:00 +00:00","2024-06-01 00:00:00 +00:00"]`},
		{DataObject, true, `[{"a":1},{"b":2}]`, `[{"a":1},{"b":2}]`},
		{DataObject, true, `[{"a":1},2]`, "error: item 2: an object takes a JSON object like {\"city\": \"Oslo\"}"},
		{DataObject, true, `a,b`, "error: a list of objects must be a JSON array"},
		{DataString, true, `[null]`, "error: item 1: null where a string was expected"},
		{DataString, true, `[1`, "error: not a JSON array: unexpected EOF"},
	}
	for _, tt := range tests {
		v, err := ParseValue(tt.typ, tt.array, tt.text)
		got := ""
		if err != nil {
			got = "error: " + err.Error()
		} else {
			got = requestJSON(t, v)
		}
		if got != tt.want {
			t.Errorf("ParseValue(%s, array=%v, %q) = %s, want %s", tt.typ, tt.array, tt.text, got, tt.want)
		}
	}
}

func TestCSVCell(t *testing.T) {
	var convert func(column, text string) (any, error) = project.CSVCell
	tests := []struct {
		column, text string
		want         any
		err          string
	}{
		{"age", "42", int64(42), ""},
		{"score", "3", json.Number("3.0"), ""},
		{"signupDate", "2024-05-01", "2024-05-01 00:00:00 +00:00", ""},
		{"devices.platform", "42", "42", ""},
		{"favouriteColour", "42", "42", ""}, // unknown columns stay strings
		{"age", "", nil, ""},
		{"age", "4.2", nil, "column age (long in this project): 4.2 is not a whole number; a long takes whole numbers like 42"},
	}
	for _, tt := range tests {
		got, err := convert(tt.column, tt.text)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s=%q: error %v, want %q", tt.column, tt.text, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s=%q: got %#v, %v; want %#v", tt.column, tt.text, got, err, tt.want)
		}
	}
}
