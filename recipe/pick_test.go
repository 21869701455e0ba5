package recipe

import (
	"encoding/json"
	"slices"
	"strconv"
	"testing"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/schema"
)

func paths(ps []Pill) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Path + " " + p.Type
	}
	return out
}

func TestPillsOfferOnlyWhatFitsWhereItLands(t *testing.T) {
	env := Env{Trigger: clickTrigger(t), Project: schema.ProjectFields{"age": schema.DataLong, "plan": schema.DataString}}
	steps := []Step{{Action: "get-user"}, {Action: "upsert-user"}}
	email, hidden := Pills(env, steps, 2, "email")
	got := paths(email)
	for _, want := range []string{"email string", "dataFields.url string", "steps.1.user.email string"} {
		if !slices.Contains(got, want) {
			t.Errorf("email: %q not offered in %q", want, got)
		}
	}
	if slices.Contains(got, "dataFields.campaignId integer") || hidden == 0 {
		t.Errorf("email: an integer offered, or none hidden (%d): %q", hidden, got)
	}
	age, _ := Pills(env, steps, 2, "dataFields.age")
	if got := paths(age); !slices.Contains(got, "dataFields.campaignId integer") || slices.Contains(got, "email string") {
		t.Errorf("dataFields.age (a long): %q", got)
	}
	fresh, hidden := Pills(env, steps, 2, "dataFields.x")
	if hidden != 0 || len(fresh) != len(candidates(env.Trigger.Schema, steps, 2)) {
		t.Errorf("a field new to the project takes any pill: %d offered, %d hidden", len(fresh), hidden)
	}
	first, _ := Pills(env, steps, 1, "email")
	for _, p := range first {
		if n, _ := stepRef(p.Path); n > 0 {
			t.Errorf("step 1 offered an answer path %s", p.Path)
		}
	}
	if conds := PayloadPaths(env.Trigger.Schema); len(conds) == 0 || conds[0].Path != "email" {
		t.Errorf("payload paths: %q", paths(conds))
	}
}

// Every pill offered for a field is accepted there by Check, and every one
// hidden is refused there: the picker and the save check are one rule.
func TestPillsAgreeWithCheck(t *testing.T) {
	env := Env{Trigger: clickTrigger(t), Project: schema.ProjectFields{"age": schema.DataLong, "plan": schema.DataString, "vip": schema.DataBoolean}}
	var offeredN, refusedN int
	for _, a := range client.Actions {
		for _, f := range InputFields(a.Name) {
			fields := []string{f.Name}
			if f.Data {
				fields = []string{"dataFields.age", "dataFields.plan", "dataFields.vip", "dataFields.x"}
			}
			for _, field := range fields {
				offered, _ := Pills(env, []Step{{Action: "get-user"}, {Action: a.Name}}, 2, field)
				ok := map[string]bool{}
				for _, p := range offered {
					ok[p.Path] = true
				}
				for _, c := range candidates(env.Trigger.Schema, []Step{{Action: "get-user"}}, 2) {
					input := map[string]any{}
					put(input, field, "{{"+c.path+"}}")
					b, _ := json.Marshal(input)
					r := Recipe{Name: "r", Trigger: "clicks", Steps: []Step{{Action: "get-user", Input: json.RawMessage(`{"email":"{{email}}"}`)}, {Action: a.Name, Input: b}}}
					rep := Check(r, env)
					refusedHere := false
					for _, at := range rep.At {
						if at.Step == 2 && at.Field == field {
							refusedHere = true
						}
					}
					if refusedHere {
						refusedN++
					} else {
						offeredN++
					}
					if refusedHere == ok[c.path] {
						t.Errorf("%s %s ← {{%s}} (%s): offered %v, refused by Check %v: %q", a.Name, field, c.path, c.sh.name(), ok[c.path], refusedHere, rep.Refusals)
					}
				}
			}
		}
	}
	if offeredN < 50 || refusedN < 50 {
		t.Errorf("too few cases to tell: %d accepted, %d refused", offeredN, refusedN)
	}
}

// put sets a dotted path in a JSON object, making the objects on the way.
func put(m map[string]any, path string, v any) {
	for {
		head, rest, more := cut(path)
		if !more {
			m[head] = v
			return
		}
		next, _ := m[head].(map[string]any)
		if next == nil {
			next = map[string]any{}
			m[head] = next
		}
		m, path = next, rest
	}
}

func cut(path string) (string, string, bool) {
	for i := range path {
		if path[i] == '.' {
			return path[:i], path[i+1:], true
		}
	}
	return path, "", false
}

func TestInputFieldsOfUpsertUser(t *testing.T) {
	got := InputFields("upsert-user")
	var names []string
	for _, f := range got {
		names = append(names, f.Name+":"+f.Type+":"+strconv.FormatBool(f.Required)+":"+strconv.FormatBool(f.Data))
	}
	want := []string{"email:string:true:false", "userId:string:true:false", "dataFields:object:false:true",
		"preferUserId:boolean:false:false", "mergeNestedObjects:boolean:false:false", "createNewFields:boolean:false:false"}
	if !slices.Equal(names, want) {
		t.Errorf("got %q\nwant %q", names, want)
	}
	if InputFields("list-lists") != nil {
		t.Error("an action without a body has fields")
	}
}
