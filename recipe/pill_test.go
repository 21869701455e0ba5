package recipe

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/iwb-dev/iwb/schema"
)

func decode(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := schema.DecodeJSON([]byte(s), &v); err != nil {
		t.Fatalf("decoding %s: %v", s, err)
	}
	return v
}

const clickPayload = `{"email":"ana@acme.io","eventName":"emailClick","dataFields":{"campaignId":7001,
	"price":12.5,"vip":true,"labels":["a","b"],"address":{"city":"Oslo"},"nothing":null,"url":"https://x.io/?a=1&b=2"}}`

func TestFillKeepsTypesOfWholePillsAndWritesMixedAsText(t *testing.T) {
	sc := Scope{Payload: decode(t, clickPayload), Answers: []any{decode(t, `{"user":{"email":"ana@acme.io","dataFields":{"plan":"gold","seats":3}}}`)}}
	cases := []struct{ in, want string }{
		{`{"n":"{{dataFields.campaignId}}"}`, `{"n":7001}`},
		{`{"n":"{{ dataFields.campaignId }}"}`, `{"n":7001}`},
		{`{"n":"{{dataFields.price}}"}`, `{"n":12.5}`},
		{`{"b":"{{dataFields.vip}}"}`, `{"b":true}`},
		{`{"o":"{{dataFields.address}}"}`, `{"o":{"city":"Oslo"}}`},
		{`{"a":"{{dataFields.labels}}"}`, `{"a":["a","b"]}`},
		{`{"i":"{{dataFields.labels.1}}"}`, `{"i":"b"}`},
		{`{"z":"{{dataFields.nothing}}"}`, `{"z":null}`},
		{`{"s":"campaign {{dataFields.campaignId}} for {{email}}"}`, `{"s":"campaign 7001 for ana@acme.io"}`},
		{`{"s":"{{dataFields.vip}}/{{dataFields.nothing}}/{{dataFields.address}}"}`, `{"s":"true//{\"city\":\"Oslo\"}"}`},
		{`{"u":"{{dataFields.url}}"}`, `{"u":"https://x.io/?a=1&b=2"}`},
		{`{"users":[{"email":"{{email}}","dataFields":{"c":"{{dataFields.campaignId}}","deep":{"x":["{{dataFields.price}}"]}}}]}`,
			`{"users":[{"dataFields":{"c":7001,"deep":{"x":[12.5]}},"email":"ana@acme.io"}]}`},
		{`{"plan":"{{steps.1.user.dataFields.plan}}","seats":"{{steps.1.user.dataFields.seats}}"}`, `{"plan":"gold","seats":3}`},
		{`{"keep":7,"t":true,"text":"no pills"}`, `{"keep":7,"t":true,"text":"no pills"}`},
	}
	for _, c := range cases {
		got, err := Step{Input: json.RawMessage(c.in)}.body(sc, false)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if string(got) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

func TestFillMissingPathsAndPendingSteps(t *testing.T) {
	sc := Scope{Payload: decode(t, clickPayload)}
	for _, in := range []string{
		`{"x":"{{dataFields.nope}}"}`, `{"x":"a {{userId}} b"}`, `{"x":"{{dataFields.labels.5}}"}`,
		`{"x":"{{email.inner}}"}`, `{"x":["{{dataFields.address.zip}}"]}`,
	} {
		_, err := Step{Input: json.RawMessage(in)}.body(sc, false)
		var m *MissingError
		if !errors.As(err, &m) {
			t.Errorf("%s: got %v, want a missing pill", in, err)
		} else if !strings.Contains(err.Error(), "missing pill {{") {
			t.Errorf("%s: %q does not name the pill", in, err)
		}
	}
	// A step's answer that has not come yet: an error for a run, kept as written for a test.
	in := Step{Input: json.RawMessage(`{"p":"{{steps.1.user.email}}","q":"to {{steps.1.user.email}}"}`)}
	if _, err := in.body(sc, false); !errors.Is(err, errPending) {
		t.Errorf("run: got %v, want pending", err)
	}
	got, err := in.body(sc, true)
	if err != nil || string(got) != `{"p":"{{steps.1.user.email}}","q":"to {{steps.1.user.email}}"}` {
		t.Errorf("test: got %s, %v", got, err)
	}
}

func TestMalformedPillsAreRefused(t *testing.T) {
	for _, in := range []string{`{"x":"{{email"}`, `{"x":"{{}}"}`, `{"x":"{{a..b}}"}`, `{"x":"{{steps.0.a}}"}`, `{"x":"{{steps.one.a}}"}`, `{"x":"{{steps}}"}`} {
		if _, err := (Step{Action: "upsert-user", Input: json.RawMessage(in)}).decode(); err == nil {
			t.Errorf("%s: accepted", in)
		}
	}
}

func TestConditions(t *testing.T) {
	p := decode(t, clickPayload)
	cases := []struct {
		cond string
		want bool
	}{
		{"dataFields.campaignId == 7001", true},
		{"dataFields.campaignId == 7001.0", true},
		{`dataFields.campaignId == "7001"`, false},
		{"dataFields.campaignId != 7002", true},
		{"dataFields.campaignId != 7001", false},
		{"dataFields.nope != 1", true},
		{"dataFields.nope == 1", false},
		{"email == ana@acme.io", true},
		{`email == "ana@acme.io"`, true},
		{"email contains @acme", true},
		{"email contains @other", false},
		{`dataFields.labels contains "b"`, true},
		{`dataFields.labels contains "c"`, false},
		{`dataFields.address contains "city"`, true},
		{"dataFields.vip == true", true},
		{"dataFields.vip exists", true},
		{"dataFields.nothing exists", false},
		{"dataFields.nope exists", false},
		{"dataFields.price > 12", true},
		{"dataFields.price > 12.5", false},
		{"dataFields.price < 13", true},
		{"dataFields.campaignId < 7001", false},
		{`email > "a"`, true},
		{"email > 5", false},
		{"dataFields.nope > 5", false},
		{`dataFields.address == {"city":"Oslo"}`, true},
		{`dataFields.labels == ["a","b"]`, true},
		{"dataFields.labels.0 == a", true},
	}
	for _, c := range cases {
		cond, err := ParseCondition(c.cond)
		if err != nil {
			t.Errorf("%s: %v", c.cond, err)
			continue
		}
		if got := cond.Holds(p); got != c.want {
			t.Errorf("%s: got %v, want %v", c.cond, got, c.want)
		}
	}
	for _, bad := range []string{"email", "email ~ 3", "email exists 3", "email ==", "steps.1.x == 2"} {
		if _, err := ParseCondition(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
	conds := []Condition{{Path: "email", Op: OpExists}, {Path: "dataFields.campaignId", Op: OpEq, Value: json.Number("5")}}
	if why := FirstFalse(conds, p); why != `condition dataFields.campaignId == 5 is false: dataFields.campaignId is 7001` {
		t.Errorf("reason: %q", why)
	}
}
