package webhook

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// referenceFields decodes raw with encoding/json into the classification
// fields: the definition scanJSON must agree with.
func referenceFields(raw []byte) (bodyFields, error) {
	var env struct {
		EventName  json.RawMessage `json:"eventName"`
		Email      json.RawMessage `json:"email"`
		UserID     json.RawMessage `json:"userId"`
		WorkflowID json.RawMessage `json:"workflowId"`
		DataFields struct {
			WorkflowID json.RawMessage `json:"workflowId"`
			Email      json.RawMessage `json:"email"`
			UserID     json.RawMessage `json:"userId"`
			MessageID  json.RawMessage `json:"messageId"`
			EmailID    json.RawMessage `json:"emailId"`
			CreatedAt  json.RawMessage `json:"createdAt"`
		} `json:"dataFields"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		var typeErr *json.UnmarshalTypeError
		if !errors.As(err, &typeErr) {
			return bodyFields{}, err
		}
	}
	d := env.DataFields
	return bodyFields{
		eventName: jsonText(env.EventName), email: jsonText(env.Email), userID: jsonText(env.UserID),
		workflowID: jsonText(env.WorkflowID),
		data: dataFields{workflowID: jsonText(d.WorkflowID), email: jsonText(d.Email), userID: jsonText(d.UserID),
			messageID: jsonText(d.MessageID), emailID: jsonText(d.EmailID), createdAt: jsonText(d.CreatedAt)},
	}, nil
}

// checkScanAgrees fails when scanJSON and encoding/json differ on raw in
// validity, error text or any field, or when the scanner calls raw too deep
// and it does not nest deeper than MaxDepth.
func checkScanAgrees(t *testing.T, raw []byte) {
	t.Helper()
	got, err := scanJSON(raw)
	if errors.Is(err, errTooDeep) {
		if !nestsDeeper(raw, MaxDepth) {
			t.Fatalf("%q: the scanner says %v, but it nests %d levels at most", raw, err, MaxDepth)
		}
		return
	}
	want, wantErr := referenceFields(raw)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("%q: scanner error %v, encoding/json error %v", raw, err, wantErr)
	}
	if err != nil {
		if err.Error() != wantErr.Error() {
			t.Fatalf("%q: scanner says %q, encoding/json says %q", raw, err, wantErr)
		}
		return
	}
	if got != want {
		t.Fatalf("%q: scanner fields %+v, encoding/json fields %+v", raw, got, want)
	}
}

var scanSeeds = []string{
	`{"eventName":"emailOpen","email":"a@x.io","dataFields":{"messageId":"m1","createdAt":"2026-03-14 09:26:53 +00:00"}}`,
	`{"EVENTNAME":"x","eventname":"y","Email":" e@x.io ","dataFields":{"EMAILID":5,"workflowid":-1.5e+3}}`,
	`{"dataFields":{"email":"a"},"dataFields":{"userId":"b"},"dataFields":null,"dataFields":"x"}`,
	`{"\u0065mail":"esc@x.io","user\u0049d":"\u00e9\ud83d\ude00","wor\u212aflowId":7}`,
	"{\"wor\u212aflowId\":8,\"u\u017ferId\":\"long s\"}",
	`["eventName"]`, `"str"`, `12`, `null`, `true`, `false`, `{}`, `[]`, ` {"a" : [1 , 2 , {"b":null}] } `,
	`{"email":"bad utf8 ` + "\xff\xfe" + `"}`, `{"email":"ctl` + "\x01" + `"}`,
	`{"a":`, `{"a":1} trailing`, `{"a":1,}`, `{,}`, `[1,]`, `[1 2]`, `{"a" 1}`, `{"a":1 "b":2}`, `01`, `-`, `-a`,
	`1.`, `1.e5`, `1e`, `1e+`, `1e+x`, `tru`, `trux`, `fals`, `nul`, `nulx`, `"\x"`, `"\u12"`, `"\u12g4"`, `"abc`,
	`"\`, `{"a":"b"`, `[`, `{`, `{"a"`, `{"a":1`, `[1`, `1 2`, `{"a":1}}`, `]`, `}`, `'a'`, "\x00", `{"a":-0.5E-7}`,
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001), strings.Repeat("[", 513) + strings.Repeat("]", 512),
	strings.Repeat("[", 512) + strings.Repeat("]", 512), strings.Repeat("[", 512) + "x", `[{"a":` + strings.Repeat("[", 511),
	`{"dataFields":{"dataFields":{"email":"deep"}},"email":{"x":1}}`,
}

func TestScanJSONAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range scanSeeds {
		checkScanAgrees(t, []byte(s))
	}
}

// FuzzScanJSONAgainstEncodingJSON is the differential test: for any input
// nesting MaxDepth levels at most the one-pass scanner and encoding/json
// agree on validity, error text and the classification fields.
func FuzzScanJSONAgainstEncodingJSON(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add([]byte(s))
	}
	seedFixtures(f, func(b []byte) { f.Add(b) })
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkScanAgrees(t, raw)
	})
}
