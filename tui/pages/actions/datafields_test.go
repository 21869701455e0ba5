package actions

import (
	"encoding/json"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
	"github.com/iwb-dev/iwb/tui/tuitest"
)

func editorKeys(e *fieldEditor, keys ...string) editorResult {
	res := editorStay
	for _, k := range keys {
		_, res = e.key(DefaultKeys(page.DefaultKeys()), tuitest.KeyPress(k))
	}
	return res
}

func editorType(e *fieldEditor, text string) {
	for _, r := range text {
		e.key(DefaultKeys(page.DefaultKeys()), tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func editorJSON(t *testing.T, e *fieldEditor) string {
	t.Helper()
	data, err := e.build()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	b, _ := json.Marshal(data)
	return string(b)
}

func TestFieldEditorAddsEditsRemovesAndNests(t *testing.T) {
	project := schema.ProjectFields{"score": schema.DataLong, "address": schema.DataObject, "address.zip": schema.DataString}
	e := newFieldEditor(nil, project, true, true)
	th := style.NewTheme(true, true)

	editorKeys(e, "+")
	editorType(e, "address.city")
	editorKeys(e, "tab", "tab")
	editorType(e, "Oslo")
	editorKeys(e, "enter")
	editorKeys(e, "+")
	editorType(e, "sco")
	editorKeys(e, "tab") // takes the completion: score
	if e.name.Value() != "score" {
		t.Fatalf("tab should complete the project's field name, got %q", e.name.Value())
	}
	editorKeys(e, "tab", "right") // the type is locked: right changes nothing
	if e.typ != schema.DataString {
		t.Fatalf("a locked type changed to %s", e.typ)
	}
	editorKeys(e, "tab")
	editorType(e, "7")
	editorKeys(e, "enter")
	if got := editorJSON(t, e); got != `{"address":{"city":"Oslo"},"score":7}` {
		t.Fatalf("dataFields %s", got)
	}
	screen := ansi.Strip(strings.Join(e.view(th, 100, 20), "\n"))
	for _, want := range []string{"score         long", "(project)", "new field ⚠", `"city": "Oslo"`, "address.city is new"} {
		if !strings.Contains(screen, want) {
			t.Fatalf("the builder lacks %q:\n%s", want, screen)
		}
	}

	// Edit the score to something that is not a long: one clear error.
	editorKeys(e, "up", "enter", "ctrl+u")
	editorType(e, "7.5")
	editorKeys(e, "enter")
	if _, err := e.build(); err == nil || !strings.Contains(err.Error(), "7.5 is not a whole number") {
		t.Fatalf("want the long's error, got %v", err)
	}
	screen = ansi.Strip(strings.Join(e.view(th, 100, 20), "\n"))
	if strings.Count(screen, "✗ score") != 1 {
		t.Fatalf("want one error line for score:\n%s", screen)
	}

	// Remove it: the rest still builds.
	if res := editorKeys(e, "delete"); res != editorStay {
		t.Fatal("delete left the builder")
	}
	if got := editorJSON(t, e); got != `{"address":{"city":"Oslo"}}` {
		t.Fatalf("after remove: %s", got)
	}
	if res := editorKeys(e, "tab", "enter"); res != editorReview {
		t.Fatal("enter on review should ask for the review")
	}
}

func TestFieldEditorTypesANewFieldAndRefusesABadValue(t *testing.T) {
	e := newFieldEditor(nil, schema.ProjectFields{}, true, true)
	editorKeys(e, "+")
	editorType(e, "vip")
	editorKeys(e, "tab", "right", "right", "right", "tab") // string → long → double → boolean
	editorType(e, "maybe")
	editorKeys(e, "enter")
	_, err := e.build()
	if err == nil || !strings.Contains(err.Error(), `"maybe" is not a boolean`) {
		t.Fatalf("want a boolean error, got %v", err)
	}
	// An unnamed row cannot be saved.
	editorKeys(e, "+", "enter")
	if !e.editing || e.focus != 0 {
		t.Fatal("a field without a name was saved")
	}
}

// FuzzValuesFromBody reads request bodies back from the history, which is
// a file on disk: whatever it holds, the form opens without a panic, and a
// body the form built comes back the same.
func FuzzValuesFromBody(f *testing.F) {
	f.Add("upsert-user", `{"email":"ana@acme.io","dataFields":{"plan":"pro","age":42,"address":{"city":"Oslo"}},"mergeNestedObjects":true}`)
	f.Add("add-subscribers", `{"listId":2001,"subscribers":[{"email":"a@b.io","dataFields":{"x":1.5}}]}`)
	f.Add("bulk-upsert-users", `{"_usersFromFile":"/tmp/u.csv","createNewFields":false}`)
	f.Add("send-sms", `{"campaignId":73003,"recipientUserId":"u-1","allowRepeatMarketingSends":false}`)
	f.Add("track-event", `{"eventName":"buy","userId":"u-1","createdAt":1,"dataFields":{"tags":["a","b"]}}`)
	f.Add("update-subscription", `{"email":"a@b.io","emailListIds":[1,2],"validateChannelAlignment":false}`)
	f.Add("create-list", `{"name":"VIP"}`)
	f.Add("get-user", `{"email":"a@b.io"}`)
	f.Add("upsert-user", `[1,2]`)
	f.Fuzz(func(t *testing.T, name, body string) {
		a, ok := client.LookupAction(name)
		if !ok {
			return
		}
		v := valuesFromBody(a, []byte(body), nil)
		picks := &pickData{}
		var data map[string]any
		if len(v.fields) > 0 {
			var err error
			if data, err = schema.BuildDataFields(v.fields, nil); err != nil {
				return // a value the builder refuses is shown as an error, not sent
			}
		}
		built, err := buildBody(a, v, picks, nil, data)
		if err != nil {
			return
		}
		again, err := buildBody(a, valuesFromBody(a, requestOf(a, v, built), nil), picks, nil, data)
		if err != nil || string(again) != string(built) {
			t.Fatalf("%s: %s came back as %s (%v)", name, built, again, err)
		}
	})
}
