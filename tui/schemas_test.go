package tui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/tuitest"
	"github.com/iwb-dev/iwb/webhook"
)

const openPayload = `{"email":"ana@acme.io","eventName":"emailOpen","dataFields":{"campaignId":49313,"createdAt":"2026-11-27 10:42:07 +00:00","workflowId":null,"labels":["a"]}}`

// opensWithSchema is a store with the trigger opens and a small schema.
func opensWithSchema(t *testing.T) (Deps, *webhook.Store) {
	deps, st := storeDeps(t)
	addTrigger(t, st, webhook.Trigger{Name: "opens", Kind: webhook.TriggerObject, EventNames: []string{"emailOpen"}})
	sc := schema.Schema{
		{Name: "email", Type: schema.String},
		{Name: "dataFields", Type: schema.Object, Properties: schema.Schema{
			{Name: "campaignId", Type: schema.Integer},
			{Name: "createdAt", Type: schema.DateTime},
		}},
	}
	if err := st.SetTriggerSchema(context.Background(), "opens", sc); err != nil {
		t.Fatal(err)
	}
	return deps, st
}

func schemaOf(t *testing.T, st *webhook.Store) schema.Schema {
	t.Helper()
	return mustTrigger(t, st, "opens").Schema
}

// paths are the schema's field paths, depth first.
func paths(s schema.Schema) string {
	var out []string
	var walk func(level schema.Schema, parent schema.Path)
	walk = func(level schema.Schema, parent schema.Path) {
		for _, f := range level {
			p := append(parent[:len(parent):len(parent)], f.Name)
			out = append(out, p.String())
			walk(f.Properties, p)
		}
	}
	walk(s, nil)
	return strings.Join(out, " ")
}

func TestDesignerEditOperations(t *testing.T) {
	t.Parallel()
	deps, st := opensWithSchema(t)
	hs := newHarness(t, deps, 120, 40)
	hs.Press("4")
	hs.MustShow("Schema · opens (emailOpen)", "email", "dataFields", "campaignId", "integer", "date_time")

	// a: add a field at the level of the selected one (the top level).
	hs.Press("a")
	hs.Type("eventName")
	hs.Press("enter", "enter", "enter") // name, not optional, string
	if got := paths(schemaOf(t, st)); got != "email dataFields dataFields.campaignId dataFields.createdAt eventName" {
		t.Fatalf("after add: %s", got)
	}
	// The cursor is on the new field: K moves it up twice.
	hs.Press("K", "K")
	if got := paths(schemaOf(t, st)); got != "eventName email dataFields dataFields.campaignId dataFields.createdAt" {
		t.Fatalf("after K K: %s", got)
	}
	hs.Press("J")
	if got := paths(schemaOf(t, st)); got != "email eventName dataFields dataFields.campaignId dataFields.createdAt" {
		t.Fatalf("after J: %s", got)
	}
	// r: rename.
	hs.Press("r")
	for range len("eventName") {
		hs.Press("backspace")
	}
	hs.Type("event")
	hs.Press("enter")
	if got := paths(schemaOf(t, st)); !strings.Contains(got, "email event dataFields") {
		t.Fatalf("after rename: %s", got)
	}
	// A: add inside dataFields.
	hs.Press("down", "A")
	hs.Type("locale")
	hs.Press("enter", "enter", "enter")
	if _, ok := schemaOf(t, st).Find(schema.ParsePath("dataFields.locale")); !ok {
		t.Fatalf("after add inside: %s", paths(schemaOf(t, st)))
	}
	// o: toggle optional on locale (the cursor followed it).
	hs.Press("o")
	if f, _ := schemaOf(t, st).Find(schema.ParsePath("dataFields.locale")); !f.Optional {
		t.Fatal("o did not make locale optional")
	}
	hs.MustShow("locale", "optional")
	// t: change the type to an array of integer.
	hs.Press("t", "end", "up", "enter") // array (the one before unknown)
	hs.Press("down", "enter")           // items: integer (after string)
	if f, _ := schemaOf(t, st).Find(schema.ParsePath("dataFields.locale")); f.Type != schema.Array || f.Of != schema.Integer {
		t.Fatalf("after t: %s", f.TypeName())
	}
	hs.MustShow("array of integer")
	// l and h: label and hint.
	hs.Press("l")
	hs.Type("Locale")
	hs.Press("enter", "h")
	hs.Type("BCP 47")
	hs.Press("enter")
	if f, _ := schemaOf(t, st).Find(schema.ParsePath("dataFields.locale")); f.Label != "Locale" || f.Hint != "BCP 47" {
		t.Fatalf("label %q hint %q", f.Label, f.Hint)
	}
	hs.MustShow("“Locale”")
	// d: delete, asking first.
	hs.Press("d")
	hs.MustShow("Delete the field dataFields.locale")
	hs.Press("y")
	if _, ok := schemaOf(t, st).Find(schema.ParsePath("dataFields.locale")); ok {
		t.Fatal("d y left the field")
	}
	// Errors are one line, nothing saved: a duplicate name.
	hs.Press("home", "a")
	hs.Type("email")
	hs.Press("enter", "enter", "enter")
	hs.MustShow("email: another field at this level has that name")
	hs.CheckFrame(120, 40)
}

func TestWizardFromPastedJSONShowsTheDiffBeforeApplying(t *testing.T) {
	t.Parallel()
	bothSizes(t, func(t *testing.T, w, h int) {
		deps, st := opensWithSchema(t)
		hs := newHarness(t, deps, w, h)
		hs.Press("4", "w")
		hs.MustShow("JSON wizard", "Sample payload of opens")
		hs.Paste(openPayload)
		hs.Press("enter")
		hs.MustShow("JSON wizard · opens", "From pasted JSON · 1 sample(s)", "+ eventName string",
			"+ dataFields.workflowId unknown", "unknown type, only nulls seen", "enter apply")
		hs.CheckFrame(w, h)
		if got := paths(schemaOf(t, st)); strings.Contains(got, "eventName") {
			t.Fatal("the proposal was applied before enter")
		}
		hs.Press("enter")
		if got := paths(schemaOf(t, st)); !strings.Contains(got, "eventName") || !strings.Contains(got, "dataFields.labels") {
			t.Fatalf("after applying: %s", got)
		}
		hs.MustShow("applied the schema from pasted JSON", "workflowId", "⚠ unknown type")

		// esc discards a proposal.
		hs.Press("w")
		hs.Paste(`{"email":"x@y.z","extra":true}`)
		hs.Press("enter")
		hs.MustShow("+ extra boolean")
		hs.Press("esc")
		if got := paths(schemaOf(t, st)); strings.Contains(got, "extra") {
			t.Fatal("esc applied the proposal")
		}
	})
}

func TestWizardPasteRefusesWhatIsNotJSON(t *testing.T) {
	t.Parallel()
	deps, _ := opensWithSchema(t)
	hs := newHarness(t, deps, 80, 24)
	hs.Press("4", "w")
	hs.Paste(`{"email": `)
	hs.Press("enter")
	if hs.m.Mode() != ModeForm {
		t.Fatal("bad JSON closed the form")
	}
	hs.MustShow("JSON wizard")
}

// storedEvent posts body to a listener on st and returns the stored event.
func storedEvent(t *testing.T, st *webhook.Store, body string) webhook.Event {
	t.Helper()
	srv := startTestListener(t, st)
	resp, err := httpPost(srv.URL(), body)
	if err != nil || resp != 200 {
		t.Fatalf("posting: %d %v", resp, err)
	}
	evs, err := st.List(context.Background(), webhook.Query{Desc: true, Limit: 1})
	if err != nil || len(evs) != 1 {
		t.Fatal(err)
	}
	return evs[0]
}

func TestWizardFromStoredEvents(t *testing.T) {
	t.Parallel()
	deps, st := opensWithSchema(t)
	storedEvent(t, st, openPayload)
	hs := newHarness(t, deps, 120, 40)
	hs.Press("4", "e")
	hs.MustShow("Infer from which event?", "#1", "emailOpen", "ana@acme.io")
	hs.Press("enter")
	hs.MustShow("From event #1", "+ eventName string")
	hs.Press("enter")
	if got := paths(schemaOf(t, st)); !strings.Contains(got, "eventName") {
		t.Fatalf("after applying: %s", got)
	}

	// With several, all of them together: a field one lacks becomes optional.
	storedEvent(t, st, `{"eventName":"emailOpen","dataFields":{"campaignId":7}}`)
	hs.Press("e")
	hs.MustShow("All 2 events below, together")
	hs.Press("enter")
	hs.MustShow("From 2 events (#1–#2)", "~ email: now optional")
	hs.Press("enter")
	if f, _ := schemaOf(t, st).Find(schema.Path{"email"}); !f.Optional {
		t.Fatal("email is still required after inferring from an event without it")
	}
}

func TestEventsSHandsTheEventToTheWizard(t *testing.T) {
	t.Parallel()
	deps, st := opensWithSchema(t)
	ev := storedEvent(t, st, openPayload)
	hs := newHarness(t, deps, 120, 40)
	hs.Send(page.SchemaFromEventMsg{ID: ev.ID, Triggers: ev.Triggers})
	if hs.m.Tab() != tabSchemas {
		t.Fatalf("s left the workbench on tab %d", hs.m.Tab())
	}
	hs.MustShow("JSON wizard · opens", "From event #1", "+ eventName string")
	hs.Press("enter")
	// Later emailOpen events validate against the applied schema.
	next := storedEvent(t, st, strings.Replace(openPayload, "ana@", "bo@", 1))
	if next.Mismatch || len(next.Problems["opens"]) > 0 {
		t.Fatalf("a later emailOpen does not fit: %v", next.Problems)
	}
	hs.Send(page.SchemaFromEventMsg{ID: 99})
	hs.MustShow("#99 matched no trigger")
}

func TestSchemasTabShowsRecentMismatchesByPath(t *testing.T) {
	t.Parallel()
	deps, st := opensWithSchema(t)
	for range 3 {
		storedEvent(t, st, strings.Replace(openPayload, "49313", `"49313"`, 1))
	}
	hs := newHarness(t, deps, 120, 40)
	hs.Press("4")
	hs.MustShow("Mismatches", "dataFields.campaignId", "×3", "#3", "expected integer")
	hs = newHarness(t, deps, 80, 24)
	hs.Press("4")
	hs.MustShow("Mismatches", "dataFields.campaignId", "×3")
	hs.CheckFrame(80, 24)
}

func TestImportAndExportSchemaFiles(t *testing.T) {
	t.Parallel()
	deps, st := opensWithSchema(t)
	dir := t.TempDir()
	hs := newHarness(t, deps, 120, 40)
	out := filepath.Join(dir, "opens.json")
	hs.Press("4", "x", "down", "enter") // JSON Schema
	for range len("opens.schema.json") {
		hs.Press("backspace")
	}
	hs.Paste(out)
	hs.Press("enter")
	hs.MustShow("✓ wrote " + out)
	data, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(data), `"$schema"`) {
		t.Fatalf("exported %q %v", data, err)
	}
	// Import a Workato file: shown as a diff, applied on enter.
	in := filepath.Join(dir, "workato.json")
	if err := os.WriteFile(in, []byte(`[{"name":"email","type":"string"},{"name":"plan","type":"string","optional":true}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	hs.Press("i")
	hs.Paste(in)
	hs.Press("enter")
	hs.MustShow("From file "+in, "+ plan string optional", "- dataFields object")
	hs.Press("enter")
	if got := paths(schemaOf(t, st)); got != "email plan" {
		t.Fatalf("after import: %s", got)
	}
	// A file that is not a schema: one line, nothing changed.
	if err := os.WriteFile(in, []byte(`"nope"`), 0o600); err != nil {
		t.Fatal(err)
	}
	hs.Press("i")
	hs.Paste(in)
	hs.Press("enter")
	hs.MustShow("a schema is a JSON array of fields")
	if got := paths(schemaOf(t, st)); got != "email plan" {
		t.Fatalf("a bad file changed the schema: %s", got)
	}
}

// TestGoldenTriggersAndSchemas keeps the Triggers tab, the designer tree,
// the wizard's diff and its verdict on events, and the mismatches with
// one selected, as they look with colour off and (escape sequences kept) on.
func TestGoldenTriggersAndSchemas(t *testing.T) {
	t.Parallel()
	misfit := strings.Replace(openPayload, "49313", `"49313"`, 1)
	screens := []struct {
		name   string
		keys   []string
		paste  string
		events []string // stored before the workbench opens
	}{
		{"triggers-list", []string{"3"}, "", nil},
		{"schema-designer", []string{"3", "down", "4", "down", "down"}, "", nil},
		{"wizard-diff", []string{"3", "down", "4", "w"}, openPayload, nil},
		{"wizard-verdict", []string{"3", "down", "4", "e", "down", "enter"}, "", []string{openPayload, misfit}},
		{"mismatch-selected", []string{"3", "down", "4", "tab"}, "", []string{misfit}},
	}
	for _, colour := range []bool{false, true} {
		mode := ""
		if colour {
			mode = "color-"
		}
		for _, size := range sizes {
			for _, sc := range screens {
				t.Run(sc.name+"-"+mode+sizeName(size), func(t *testing.T) {
					deps, st := opensWithSchema(t)
					addTrigger(t, st, webhook.Trigger{Name: "nps", Kind: webhook.TriggerWorkflow, WorkflowID: "60102"})
					for _, body := range sc.events {
						storedEvent(t, st, body)
					}
					deps.NoColor = !colour
					hs := newHarnessAs(t, deps, size[0], size[1])
					hs.Press(sc.keys...)
					if sc.paste != "" {
						hs.Paste(sc.paste)
						hs.Press("enter")
					}
					hs.CheckFrame(size[0], size[1])
					hs.requireGolden(t, colour)
				})
			}
		}
	}
}

// BenchmarkSchemasTabRender draws the Schemas tab of a 300-field schema at
// 120×40, as every key press does.
func BenchmarkSchemasTabRender(b *testing.B) {
	st, err := webhook.Open(filepath.Join(b.TempDir(), "events.db"), webhook.StoreOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var sc schema.Schema
	for i := range 30 {
		obj := schema.Field{Name: "group" + itoa(i), Type: schema.Object}
		for j := range 9 {
			obj.Properties = append(obj.Properties, schema.Field{Name: "field" + itoa(j), Type: schema.String, Label: "Field"})
		}
		sc = append(sc, obj)
	}
	ctx := context.Background()
	if _, err := st.AddTrigger(ctx, webhook.Trigger{Name: "opens", Kind: webhook.TriggerObject, EventNames: []string{"emailOpen"}}); err != nil {
		b.Fatal(err)
	}
	if err := st.SetTriggerSchema(ctx, "opens", sc); err != nil {
		b.Fatal(err)
	}
	ts, err := st.Triggers(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if len(ts) != 1 {
		b.Fatalf("%d triggers", len(ts))
	}
	m := New(Deps{Store: st, NoColor: true})
	hs := tuitest.NewHarness(b, m)
	hs.Send(tea.WindowSizeMsg{Width: 120, Height: 40})
	hs.Run(m.Init())
	hs.Press("4")
	for range 150 {
		hs.Press("down")
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Render()
	}
}

// TestWizardSaysWhenTheTriggerMatchedNoEvent: with no event of its own, the
// wizard offers the latest events of any kind and says so.
func TestWizardSaysWhenTheTriggerMatchedNoEvent(t *testing.T) {
	t.Parallel()
	deps, st := opensWithSchema(t)
	storedEvent(t, st, `{"email":"ana@acme.io","eventName":"emailClick","dataFields":{}}`)
	hs := newHarness(t, deps, 120, 40)
	hs.Press("4", "e")
	hs.MustShow("opens matched no event yet: these are the latest events of any kind", "emailClick", "✗ #1")
	hs.CheckFrame(120, 40)
}
