package recipe

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/webhook"
)

func clickTrigger(t testing.TB) webhook.Trigger {
	t.Helper()
	inf, err := schema.Infer([]byte(clickPayload))
	if err != nil {
		t.Fatal(err)
	}
	sc := inf.Schema
	return webhook.Trigger{Name: "clicks", Kind: webhook.TriggerObject, EventNames: []string{"emailClick"}, Schema: sc}
}

func oneStep(action, input string, when ...Condition) Recipe {
	return Recipe{Name: "r", Trigger: "clicks", When: when, Steps: []Step{{Action: action, Input: json.RawMessage(input)}}}
}

func TestCheckRefusesWhatCannotFit(t *testing.T) {
	env := Env{Trigger: clickTrigger(t), Project: schema.ProjectFields{"age": schema.DataLong, "plan": schema.DataString,
		"signupDate": schema.DataDate, "address": schema.DataObject, "address.city": schema.DataString, "score": schema.DataDouble}}
	cases := []struct {
		name string
		r    Recipe
		want string // "" accepted; else a part of the refusal
	}{
		{"fits", oneStep("upsert-user", `{"email":"{{email}}","dataFields":{"lastClickedCampaign":"{{dataFields.campaignId}}","score":"{{dataFields.campaignId}}"}}`), ""},
		{"string into a long", oneStep("upsert-user", `{"email":"{{email}}","dataFields":{"age":"{{email}}"}}`),
			"dataFields.age: {{email}} is a string, but the project's field age is a long"},
		{"mixed text into a long", oneStep("upsert-user", `{"email":"{{email}}","dataFields":{"age":"n{{dataFields.campaignId}}"}}`),
			"but the project's field age is a long"},
		{"literal into a long", oneStep("upsert-user", `{"email":"{{email}}","dataFields":{"age":"forty"}}`), "project's field age is a long"},
		{"literal date", oneStep("upsert-user", `{"email":"{{email}}","dataFields":{"signupDate":"yesterday"}}`), "is not a date"},
		{"nest under a string", oneStep("upsert-user", `{"email":"{{email}}","dataFields":{"plan":{"tier":"{{email}}"}}}`), "plan is a string in this project"},
		{"number into a string field", oneStep("upsert-user", `{"email":"{{email}}","dataFields":{"plan":"{{dataFields.price}}"}}`), "is a number, but the project's field plan is a string"},
		{"no such path", oneStep("upsert-user", `{"email":"{{email}}","dataFields":{"x":"{{dataFields.nope}}"}}`), `trigger "clicks"'s schema has no dataFields.nope`},
		{"index a non-array", oneStep("upsert-user", `{"email":"{{email}}","dataFields":{"x":"{{email.0}}"}}`), "holds no 0"},
		{"array needs an index", oneStep("upsert-user", `{"email":"{{email}}","dataFields":{"x":"{{dataFields.labels.name}}"}}`), "pick an item by its index"},
		{"string into an integer", oneStep("send-sms", `{"campaignId":"{{email}}","recipientEmail":"{{email}}"}`), "campaignId: {{email}} is a string, but campaignId takes an integer"},
		{"integer into an integer", oneStep("send-sms", `{"campaignId":"{{dataFields.campaignId}}","recipientEmail":"{{email}}"}`), ""},
		{"integer into a string", oneStep("track-event", `{"eventName":"{{dataFields.campaignId}}","email":"{{email}}"}`), "eventName takes a string"},
		{"mixed into a string", oneStep("track-event", `{"eventName":"clicked {{dataFields.campaignId}}","email":"{{email}}"}`), ""},
		{"required field", oneStep("track-event", `{"email":"{{email}}"}`), `missing required field "eventName"`},
		{"who", oneStep("upsert-user", `{"dataFields":{"x":1}}`), `give "email" or "userId"`},
		{"users array", oneStep("bulk-upsert-users", `{"users":[{"email":"{{email}}","dataFields":{"age":"{{dataFields.campaignId}}"}}]}`), ""},
		{"users array refused", oneStep("bulk-upsert-users", `{"users":[{"email":"{{dataFields.vip}}"}]}`), "users.0.email: {{dataFields.vip}} is a boolean"},
		{"condition path", oneStep("upsert-user", `{"email":"{{email}}"}`, Condition{Path: "dataFields.nope", Op: OpExists}), "condition 1"},
		{"later step reads earlier answer", Recipe{Name: "r", Trigger: "clicks", Steps: []Step{
			{Action: "get-user", Input: json.RawMessage(`{"email":"{{email}}"}`)},
			{Action: "upsert-user", Input: json.RawMessage(`{"email":"{{steps.1.user.email}}","dataFields":{"plan":"{{steps.1.user.dataFields.plan}}"}}`)},
		}}, ""},
		{"answer has no such field", Recipe{Name: "r", Trigger: "clicks", Steps: []Step{
			{Action: "get-user", Input: json.RawMessage(`{"email":"{{email}}"}`)},
			{Action: "upsert-user", Input: json.RawMessage(`{"email":"{{steps.1.nobody}}"}`)},
		}}, "the answer of step 1 (get-user) has no nobody"},
		{"answer type", Recipe{Name: "r", Trigger: "clicks", Steps: []Step{
			{Action: "create-list", Input: json.RawMessage(`{"name":"x"}`)},
			{Action: "track-event", Input: json.RawMessage(`{"email":"{{email}}","eventName":"{{steps.1.listId}}"}`)},
		}}, "{{steps.1.listId}} is an integer, but eventName takes a string"},
		{"reads its own answer", oneStep("upsert-user", `{"email":"{{steps.1.user.email}}"}`), "only the answers of the steps before it"},
		{"unknown action", oneStep("fly", `{}`), `unknown action "fly"`},
		{"no steps", Recipe{Name: "r", Trigger: "clicks"}, "1 to 5 steps"},
	}
	for _, c := range cases {
		rep := Check(c.r, env)
		got := strings.Join(rep.Refusals, "; ")
		switch {
		case c.want == "" && got != "":
			t.Errorf("%s: refused: %s", c.name, got)
		case c.want != "" && !strings.Contains(got, c.want):
			t.Errorf("%s: refusals %q lack %q", c.name, got, c.want)
		}
	}
}

func TestCheckWithoutSchemaSavesAndSaysSo(t *testing.T) {
	tr := clickTrigger(t)
	tr.Schema = nil
	rep := Check(oneStep("upsert-user", `{"email":"{{email}}","dataFields":{"x":"{{dataFields.anything.at.all}}"}}`), Env{Trigger: tr})
	if len(rep.Refusals) > 0 || rep.SchemaChecked {
		t.Fatalf("refused or checked: %+v", rep)
	}
	if len(rep.Notes) == 0 || !strings.Contains(rep.Notes[0], "has no schema yet") {
		t.Fatalf("notes: %q", rep.Notes)
	}
	// A new field is said to fix its type.
	rep = Check(oneStep("upsert-user", `{"email":"{{email}}","dataFields":{"brandNew":"{{dataFields.campaignId}}"}}`),
		Env{Trigger: clickTrigger(t), Project: schema.ProjectFields{}})
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "dataFields.brandNew is new to the project") {
		t.Fatalf("notes: %q", rep.Notes)
	}
}

// A schema and a payload that fits it never yield a type refusal: every
// field of a random schema, as a whole pill into a data field whose project
// type matches the field's, passes the check, and the filled body carries
// the payload's values with their types.
func TestPropertyFittingPayloadNeverRefused(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 7))
	for iter := range 300 {
		sc := randomSchema(rng, 0)
		payload := fittingValue(rng, schema.Field{Type: schema.Object, Properties: sc})
		if ps := schema.Validate(sc, payload); schema.HasErrors(ps) {
			t.Fatalf("iteration %d: the generator made a payload that does not fit: %v", iter, ps)
		}
		project := schema.ProjectFields{}
		data := map[string]any{}
		var paths []string
		leaves(sc, "", func(path string, f schema.Field) {
			name := fmt.Sprintf("f%d", len(paths))
			project[name] = dataTypeOf(f)
			data[name] = "{{" + path + "}}"
			paths = append(paths, path)
		})
		input, _ := json.Marshal(map[string]any{"email": "x@y.io", "dataFields": data})
		r := Recipe{Name: "p", Trigger: "t", Steps: []Step{{Action: "upsert-user", Input: input}}}
		rep := Check(r, Env{Trigger: webhook.Trigger{Name: "t", Schema: sc}, Project: project})
		if len(rep.Refusals) > 0 {
			b, _ := json.Marshal(sc)
			t.Fatalf("iteration %d: refused %q\nschema %s", iter, rep.Refusals, b)
		}
		body, err := r.Steps[0].body(Scope{Payload: payload}, false)
		if err != nil {
			t.Fatalf("iteration %d: filling: %v", iter, err)
		}
		var sent struct{ DataFields map[string]any }
		if err := schema.DecodeJSON(body, &sent); err != nil {
			t.Fatal(err)
		}
		for i, path := range paths {
			want, _ := dig(payload, strings.Split(path, "."))
			if got := sent.DataFields[fmt.Sprintf("f%d", i)]; !equal(got, want) || schema.KindOf(got) != schema.KindOf(want) {
				t.Fatalf("iteration %d: {{%s}} filled as %v, the payload has %v", iter, path, got, want)
			}
		}
	}
}

var scalarTypes = []schema.Type{schema.String, schema.Integer, schema.Number, schema.Boolean, schema.Date, schema.DateTime}

func randomSchema(rng *rand.Rand, depth int) schema.Schema {
	n := 1 + rng.IntN(4)
	var sc schema.Schema
	for i := range n {
		f := schema.Field{Name: fmt.Sprintf("k%d", i), Optional: rng.IntN(4) == 0}
		switch k := rng.IntN(8); {
		case k < 5 || depth >= 2:
			f.Type = scalarTypes[rng.IntN(len(scalarTypes))]
		case k == 5:
			f.Type, f.Properties = schema.Object, randomSchema(rng, depth+1)
		default:
			f.Type, f.Of = schema.Array, scalarTypes[rng.IntN(len(scalarTypes))]
		}
		sc = append(sc, f)
	}
	return sc
}

func fittingValue(rng *rand.Rand, f schema.Field) any {
	switch f.Type {
	case schema.String:
		return fmt.Sprintf("s%d", rng.IntN(100))
	case schema.Integer:
		return json.Number(fmt.Sprint(rng.IntN(1000)))
	case schema.Number:
		return json.Number(fmt.Sprintf("%d.5", rng.IntN(1000)))
	case schema.Boolean:
		return rng.IntN(2) == 0
	case schema.Date:
		return "2026-03-14"
	case schema.DateTime:
		return "2026-03-14 09:26:53 +00:00"
	case schema.Array:
		items := make([]any, 1+rng.IntN(3))
		for i := range items {
			items[i] = fittingValue(rng, schema.Field{Type: f.Of})
		}
		return items
	}
	m := map[string]any{}
	for _, p := range f.Properties {
		if p.Optional && rng.IntN(3) == 0 {
			continue
		}
		m[p.Name] = fittingValue(rng, p)
	}
	return m
}

// leaves calls f for each required scalar or array field, with its path.
func leaves(sc schema.Schema, prefix string, f func(string, schema.Field)) {
	for _, fd := range sc {
		if fd.Optional {
			continue
		}
		p := join(prefix, fd.Name)
		if fd.Type == schema.Object {
			leaves(fd.Properties, p, f)
			continue
		}
		f(p, fd)
	}
}

func dataTypeOf(f schema.Field) schema.DataType {
	t := f.Type
	if t == schema.Array {
		t = f.Of
	}
	switch t {
	case schema.Integer:
		return schema.DataLong
	case schema.Number:
		return schema.DataDouble
	case schema.Boolean:
		return schema.DataBoolean
	case schema.Date, schema.DateTime:
		return schema.DataDate
	}
	return schema.DataString
}
