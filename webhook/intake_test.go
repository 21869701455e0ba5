package webhook

import (
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseBodyByContentType(t *testing.T) {
	cases := []struct {
		contentType, body string
		wantErr           bool
		wantPayload       string // "" for none
		form              bool
	}{
		{"application/json", `{"a":1}`, false, `{"a":1}`, false},
		{"application/json; charset=utf-8", `[1,2]`, false, `[1,2]`, false},
		{"application/vnd.iterable+json", `{"a":1}`, false, `{"a":1}`, false},
		{"application/json", `{"a":`, true, "", false},
		{"application/json", ``, true, "", false},
		{"application/json", `{"a":1} trailing`, true, "", false},
		{"application/x-www-form-urlencoded", `a=1&b=x%20y`, false, `{"a":"1","b":"x y"}`, true},
		{"", `{"eventName":"emailOpen"}`, false, `{"eventName":"emailOpen"}`, false},
		{"text/plain", `a=1`, false, `{"a":"1"}`, true},
		{"text/plain", `hello world`, false, "", false},
		{"text/plain", `{not json`, false, "", false}, // kept raw: only a JSON content type makes it a 400
	}
	for _, c := range cases {
		b, err := ParseBody(c.contentType, []byte(c.body))
		if (err != nil) != c.wantErr {
			t.Errorf("%q %q: err = %v", c.contentType, c.body, err)
			continue
		}
		if string(b.Payload) != c.wantPayload || b.Form != c.form {
			t.Errorf("%q %q: payload %q form %v, want %q %v", c.contentType, c.body, b.Payload, b.Form, c.wantPayload, c.form)
		}
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		body, path, query                    string
		kind                                 Kind
		eventName, workflowID, email, userID string
	}{
		{`{"eventName":"emailOpen","email":"a@x.io","dataFields":{"workflowId":null}}`, "/", "", KindSystem, "emailOpen", "", "a@x.io", ""},
		{`{"eventName":"pushSend","userId":"u1","dataFields":{"workflowId":60102}}`, "/", "", KindSystem, "pushSend", "60102", "", "u1"},
		{`{"eventName":"smsSend","dataFields":{"email":"in@data.io","userId":"u9"}}`, "/", "", KindSystem, "smsSend", "", "in@data.io", "u9"},
		{`{"workflowId":"  77  "}`, "/", "", KindWorkflow, "", "77", "", ""},
		{`{"workflowId":1,"dataFields":{"workflowId":2}}`, "/workflows/4", "workflowId=3", KindWorkflow, "", "1", "", ""},
		{`{"dataFields":{"workflowId":2}}`, "/workflows/4", "workflowId=3", KindWorkflow, "", "2", "", ""},
		{`{}`, "/workflows/4", "workflowId=3", KindWorkflow, "", "3", "", ""},
		{`{}`, "/a/workflows/4/edit", "", KindWorkflow, "", "4", "", ""},
		{`{}`, "/workflows/", "", KindUnknown, "", "", "", ""},
		{`{"eventName":""}`, "/", "", KindUnknown, "", "", "", ""},
		{`{"eventName":5}`, "/", "", KindSystem, "5", "", "", ""},
		{`{"eventTitle":"emailOpen"}`, "/", "", KindUnknown, "", "", "", ""},
		{`["eventName"]`, "/", "", KindUnknown, "", "", "", ""},
		{`{"dataFields":"not an object","email":"e@x.io"}`, "/", "", KindUnknown, "", "", "e@x.io", ""},
	}
	for _, c := range cases {
		b, err := ParseBody("application/json", []byte(c.body))
		if err != nil {
			t.Fatalf("%s: %v", c.body, err)
		}
		q, _ := url.ParseQuery(c.query)
		got := Classify(b, c.path, q)
		if got.Kind != c.kind || got.EventName != c.eventName || got.WorkflowID != c.workflowID || got.Email != c.email || got.UserID != c.userID {
			t.Errorf("%s %s?%s = %+v", c.body, c.path, c.query, got)
		}
	}
}

func TestEventNameSuggestions(t *testing.T) {
	for in, want := range map[string]string{
		"emailUnsubscribe": "emailUnSubscribe",
		"emailopen":        "emailOpen",
		"pushOpn":          "pushOpen",
		"whatsappSeen":     "whatsAppSeen",
		"orderPlaced":      "",
	} {
		if got := SuggestEventName(in); got != want {
			t.Errorf("SuggestEventName(%q) = %q, want %q", in, got, want)
		}
	}
	if !KnownEventName("emailUnSubscribe") || KnownEventName("emailUnsubscribe") || !KnownEventName("rcsSend") {
		t.Error("KnownEventName is not exact")
	}
	channels := map[string]int{}
	for _, g := range EventGroups {
		channels[g.Channel] = len(g.Names)
	}
	if len(channels) != 8 || channels["Email"] != 9 || channels["Journey"] != 1 || channels["WhatsApp"] != 6 {
		t.Errorf("groups = %v", channels)
	}
}

// seedFixtures adds the testdata bodies to a fuzz corpus.
func seedFixtures(f *testing.F, add func(body []byte)) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.*"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		add(b)
	}
}

func FuzzParseBody(f *testing.F) {
	for _, ct := range []string{"application/json", "application/x-www-form-urlencoded", "", "text/plain; charset=utf-8"} {
		seedFixtures(f, func(b []byte) { f.Add(ct, b) })
	}
	f.Add("application/json", []byte(`{"dataFields":{"createdAt":"x","emailId":1}}`))
	f.Add("application/x-www-form-urlencoded", []byte("a=%zz&b=1&b=2"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		b, err := ParseBody(contentType, body)
		if err != nil {
			var be *BodyError
			if !errors.As(err, &be) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		if b.Payload != nil && !json.Valid(b.Payload) {
			t.Fatalf("payload is not JSON: %q", b.Payload)
		}
		if b.Form {
			var obj map[string]any
			if err := json.Unmarshal(b.Payload, &obj); err != nil {
				t.Fatalf("a form payload is not an object: %q", b.Payload)
			}
		}
	})
}

func FuzzClassify(f *testing.F) {
	seedFixtures(f, func(b []byte) { f.Add(b, "/hooks", "") })
	f.Add([]byte(`{}`), "/workflows/12/x", "workflowId=")
	f.Add([]byte(`{"eventName":"x"}`), "//workflows//", "workflowId=%20")
	f.Fuzz(func(t *testing.T, body []byte, path, rawQuery string) {
		b, _ := ParseBody("", body)
		q, _ := url.ParseQuery(rawQuery)
		c := Classify(b, path, q)
		switch {
		case c.EventName != "":
			if c.Kind != KindSystem {
				t.Fatalf("event name %q but kind %q", c.EventName, c.Kind)
			}
		case c.WorkflowID != "":
			if c.Kind != KindWorkflow {
				t.Fatalf("workflow id %q but kind %q", c.WorkflowID, c.Kind)
			}
		default:
			if c.Kind != KindUnknown {
				t.Fatalf("nothing found but kind %q", c.Kind)
			}
		}
		if strings.TrimSpace(c.WorkflowID) != c.WorkflowID {
			t.Fatalf("workflow id %q is not trimmed", c.WorkflowID)
		}
		if again := Classify(b, path, q); again != c {
			t.Fatal("classification is not deterministic")
		}
		if k := duplicateKey(c, body); k == 0 || k.identity() != (c.identity != "") {
			t.Fatalf("duplicate key %x for identity %q", k, c.identity)
		}
	})
}
