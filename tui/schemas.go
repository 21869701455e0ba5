package tui

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/webhook"
)

// schemasPage is the Schemas tab: the designer of the selected trigger's
// payload schema, its recent mismatches, and the JSON wizard.
type schemasPage struct {
	cursor     int // row of the tree
	wizard     *wizard
	mismatches []webhook.Mismatch
	mmFor      string // the trigger the mismatches are of
	mmErr      error
	pendingSel schema.Path // the field to select once the saved schema is read back
}

// wizard is a proposed schema shown as a diff against the current one
// before it is applied.
type wizard struct {
	trigger string
	source  string // "pasted JSON", "event #12", "file x.json"
	next    schema.Schema
	changes []schema.Change
	notes   []schema.Note
	samples int
	top     int // first line shown
}

// treeRow is one field of the flattened schema tree.
type treeRow struct {
	path  schema.Path
	field schema.Field
	depth int
}

// Messages of the Schemas tab's commands.
type (
	mismatchesMsg struct {
		trigger string
		list    []webhook.Mismatch
		err     error
	}
	wizardMsg struct { // a proposal is ready to review
		w   *wizard
		err error
	}
	historyMsg struct { // events to pick a sample from
		trigger string
		events  []webhook.Event
		err     error
	}
	schemaSavedMsg struct {
		trigger, what string
		sel           schema.Path // the field to select afterwards
		err           error
	}
)

// flatten lists the fields of s depth first, as the tree shows them.
func flatten(s schema.Schema) []treeRow {
	var out []treeRow
	var walk func(level schema.Schema, parent schema.Path, depth int)
	walk = func(level schema.Schema, parent schema.Path, depth int) {
		for _, f := range level {
			p := append(parent[:len(parent):len(parent)], f.Name)
			out = append(out, treeRow{p, f, depth})
			walk(f.Properties, p, depth+1)
		}
	}
	walk(s, nil, 0)
	return out
}

// treeLines draws up to n rows from first: name, type, optional, label,
// warning; cursor < 0 draws none selected.
func treeLines(th Theme, rows []treeRow, cursor, w, first, n int) []string {
	nameW := 10
	for _, r := range rows {
		nameW = max(nameW, 2*r.depth+len([]rune(r.field.Name)))
	}
	nameW = min(nameW, max(w/3, 12))
	last := min(first+n, len(rows))
	out := make([]string, 0, max(last-first, 0))
	for i := first; i < last; i++ {
		r := rows[i]
		f := r.field
		line := " " + fit(strings.Repeat("  ", r.depth)+clean(f.Name), nameW) + "  " + fit(f.TypeName(), 16)
		if f.Optional {
			line += " optional"
		} else {
			line += "         "
		}
		if f.Label != "" {
			line += "  " + th.Muted.Render("“"+clean(f.Label)+"”")
		}
		if warn := f.Warning(); warn != "" {
			line += "  " + th.Warn.Render("⚠ "+warn)
		}
		if i == cursor {
			line = th.Selected.Render("▶" + fit(ansi.Strip(line), w-1))
		} else {
			line = " " + line
		}
		out = append(out, fit(line, w))
	}
	return out
}

// schemaPreview is a trigger's schema as a read-only tree.
func (m *Model) schemaPreview(t webhook.Trigger, w int) []string {
	th := m.theme
	if t.Schema == nil {
		return []string{th.Muted.Render(" No schema yet: on the Schemas tab (enter), infer one"),
			th.Muted.Render(" from a sample payload or type its fields.")}
	}
	return treeLines(th, flatten(t.Schema), -1, w, 0, m.layout.Side.H-2)
}

// schemaTrigger is the trigger the Schemas tab designs: the Triggers tab's selection.
func (m *Model) schemaTrigger() (webhook.Trigger, bool) { return m.trig.selected() }

// loadMismatches reads the selected trigger's mismatches while the Schemas
// tab shows them.
func (m *Model) loadMismatches() tea.Cmd {
	st := m.deps.Store
	t, ok := m.schemaTrigger()
	if st == nil || !ok || m.tab != tabSchemas {
		return nil
	}
	return func() tea.Msg {
		list, err := st.Mismatches(context.Background(), t.Name, 0)
		return mismatchesMsg{t.Name, list, err}
	}
}

// schemasMsg handles the Schemas tab's messages.
func (m *Model) schemasMsg(msg tea.Msg) (tea.Cmd, bool) {
	p := &m.sch
	switch msg := msg.(type) {
	case mismatchesMsg:
		p.mismatches, p.mmFor, p.mmErr = msg.list, msg.trigger, msg.err
		return nil, true
	case wizardMsg:
		if msg.err != nil {
			return m.setError(msg.err), true
		}
		m.trig.selectName(msg.w.trigger)
		m.tab = tabSchemas
		p.wizard = msg.w
		return nil, true
	case historyMsg:
		if msg.err != nil {
			return m.setError(fmt.Errorf("reading events: %w", msg.err)), true
		}
		return m.historyForm(msg.trigger, msg.events), true
	case schemaSavedMsg:
		if msg.err != nil {
			return m.setError(msg.err), true
		}
		m.sch.pendingSel = msg.sel
		return tea.Batch(m.setNotice(msg.what), m.loadTriggers(msg.trigger)), true
	}
	return nil, false
}

// rows are the selected trigger's schema, flattened.
func (m *Model) rows() []treeRow {
	t, _ := m.schemaTrigger()
	return flatten(t.Schema)
}

func (m *Model) selectedRow() (treeRow, bool) {
	rows := m.rows()
	if m.sch.cursor < 0 || m.sch.cursor >= len(rows) {
		return treeRow{}, false
	}
	return rows[m.sch.cursor], true
}

// schemaAction runs a Schemas tab action, from a key or the palette.
func (m *Model) schemaAction(a action) tea.Cmd {
	m.tab = tabSchemas
	if m.deps.Store == nil {
		return m.setNotice("no event store in this session: schemas belong to triggers")
	}
	t, ok := m.schemaTrigger()
	if !ok {
		return m.setNotice("no trigger yet: add one on the Triggers tab (3), then design its schema here")
	}
	switch a {
	case actWizardPaste:
		return m.pasteForm(t)
	case actWizardEvent:
		st := m.deps.Store
		return func() tea.Msg {
			ctx := context.Background()
			evs, err := st.List(ctx, webhook.Query{Trigger: t.Name, Status: webhook.StatusAccepted, Desc: true, Limit: 30})
			if err == nil && len(evs) == 0 {
				// Nothing matched yet: any recent event can serve as a sample.
				evs, err = st.List(ctx, webhook.Query{Status: webhook.StatusAccepted, Desc: true, Limit: 30})
			}
			return historyMsg{t.Name, evs, err}
		}
	case actImportSchema:
		return m.importForm(t)
	case actExportSchema:
		if t.Schema == nil {
			return m.setNotice(t.Name + " has no schema to export yet")
		}
		return m.exportForm(t)
	case actAddField, actAddInside:
		return m.addFieldForm(t, a == actAddInside)
	}
	r, ok := m.selectedRow()
	if !ok {
		return m.setNotice("no field selected: a adds one, w infers them from a sample payload")
	}
	switch a {
	case actRenameField:
		name := r.field.Name
		return m.openPageForm("Rename "+r.path.String(), func() tea.Cmd {
			return m.editSchema(t, "renamed "+r.path.String(), append(r.path[:len(r.path)-1:len(r.path)-1], name),
				func(s schema.Schema) (schema.Schema, error) { return s.Rename(r.path, name) })
		}, func() any { return name }, huh.NewGroup(huh.NewInput().Title("Name").Description("the exact key of the payload").Value(&name).
			Validate(notEmpty("a field needs a name"))))
	case actDeleteField:
		m.ask(fmt.Sprintf("Delete the field %s from the schema of %s?", r.path, t.Name), func() tea.Cmd {
			return m.editSchema(t, "deleted "+r.path.String(), nil, func(s schema.Schema) (schema.Schema, error) { return s.Delete(r.path) })
		})
		return nil
	case actMoveUp:
		return m.editSchema(t, "moved "+r.path.String()+" up", r.path, func(s schema.Schema) (schema.Schema, error) { return s.MoveUp(r.path) })
	case actMoveDown:
		return m.editSchema(t, "moved "+r.path.String()+" down", r.path, func(s schema.Schema) (schema.Schema, error) { return s.MoveDown(r.path) })
	case actToggleOptional:
		return m.editSchema(t, r.path.String()+map[bool]string{true: " is required", false: " is optional"}[r.field.Optional], r.path,
			func(s schema.Schema) (schema.Schema, error) { return s.ToggleOptional(r.path) })
	case actSetType:
		typ, of := r.field.Type, r.field.Of
		if of == "" {
			of = schema.String
		}
		groups := typeGroups(&typ, &of)
		return m.openPageForm("Type of "+r.path.String(), func() tea.Cmd {
			if typ != schema.Array {
				of = ""
			}
			return m.editSchema(t, r.path.String()+" is "+schema.Field{Type: typ, Of: of}.TypeName(), r.path,
				func(s schema.Schema) (schema.Schema, error) { return s.SetType(r.path, typ, of) })
		}, func() any { return [2]schema.Type{typ, of} }, groups...)
	case actSetLabel, actSetHint:
		what, val, set := "Label", r.field.Label, schema.Schema.SetLabel
		if a == actSetHint {
			what, val, set = "Hint", r.field.Hint, schema.Schema.SetHint
		}
		return m.openPageForm(what+" of "+r.path.String(), func() tea.Cmd {
			return m.editSchema(t, "set the "+strings.ToLower(what)+" of "+r.path.String(), r.path,
				func(s schema.Schema) (schema.Schema, error) { return set(s, r.path, strings.TrimSpace(val)) })
		}, func() any { return val }, huh.NewGroup(huh.NewInput().Title(what).Description("shown to whoever uses the field; empty clears it").Value(&val)))
	}
	return nil
}

// typeGroups pick a type and, for arrays, the items' type.
func typeGroups(typ, of *schema.Type) []*huh.Group {
	opts := func() []huh.Option[schema.Type] {
		var o []huh.Option[schema.Type]
		for _, t := range schema.Types {
			o = append(o, huh.NewOption(string(t), t))
		}
		return o
	}
	return []*huh.Group{
		huh.NewGroup(huh.NewSelect[schema.Type]().Title("Type").Options(opts()...).Value(typ)),
		huh.NewGroup(huh.NewSelect[schema.Type]().Title("Items are").Options(opts()...).Value(of)).
			WithHideFunc(func() bool { return *typ != schema.Array }),
	}
}

// addFieldForm adds a field after the selected one's level (or inside it).
func (m *Model) addFieldForm(t webhook.Trigger, inside bool) tea.Cmd {
	var parent schema.Path
	if r, ok := m.selectedRow(); ok {
		parent = r.path[:len(r.path)-1]
		if inside {
			parent = r.path
		}
	} else if inside {
		return m.setNotice("select an object field to add inside it")
	}
	name, typ, of, optional := "", schema.String, schema.String, false
	where := "at the top level"
	if len(parent) > 0 {
		where = "in " + parent.String()
	}
	groups := append([]*huh.Group{huh.NewGroup(
		huh.NewInput().Title("Name").Description("the exact key, "+where).Value(&name).Validate(notEmpty("a field needs a name")),
		huh.NewConfirm().Title("Optional?").Description("may be missing or null").Value(&optional),
	)}, typeGroups(&typ, &of)...)
	return m.openPageForm("Add a field "+where, func() tea.Cmd {
		f := schema.Field{Name: strings.TrimSpace(name), Type: typ, Optional: optional}
		if typ == schema.Array {
			f.Of = of
		}
		return m.editSchema(t, "added "+append(parent[:len(parent):len(parent)], f.Name).String(),
			append(parent[:len(parent):len(parent)], f.Name),
			func(s schema.Schema) (schema.Schema, error) { return s.Add(parent, f) })
	}, func() any { return []any{name, typ, of, optional} }, groups...)
}

// editSchema applies one designer edit to the trigger's schema and saves it.
func (m *Model) editSchema(t webhook.Trigger, what string, sel schema.Path, edit func(schema.Schema) (schema.Schema, error)) tea.Cmd {
	next, err := edit(t.Schema)
	if err != nil {
		return m.setError(fmt.Errorf("%s: %w", t.Name, err))
	}
	if next == nil {
		next = schema.Schema{}
	}
	return m.saveSchema(t.Name, what, sel, next)
}

func (m *Model) saveSchema(trigger, what string, sel schema.Path, s schema.Schema) tea.Cmd {
	st := m.deps.Store
	return func() tea.Msg {
		err := st.SetTriggerSchema(context.Background(), trigger, s)
		if err != nil {
			err = fmt.Errorf("saving the schema of %s: %w", trigger, err)
		}
		return schemaSavedMsg{trigger: trigger, what: trigger + ": " + what, sel: sel, err: err}
	}
}

// propose builds the wizard of a new schema against the trigger's current one.
func propose(t webhook.Trigger, source string, inf schema.Inference) *wizard {
	return &wizard{trigger: t.Name, source: source, next: inf.Schema, changes: schema.Diff(t.Schema, inf.Schema),
		notes: inf.Notes, samples: inf.Samples}
}

// pasteForm takes a sample payload pasted into a text area.
func (m *Model) pasteForm(t webhook.Trigger) tea.Cmd {
	var text string
	area := huh.NewText().Title("Sample payload of " + t.Name).
		Description("paste one or more JSON objects (e.g. a test event's body); ctrl+j or alt+enter adds a line").
		Lines(max(m.layout.Body.H-8, 4)).CharLimit(0).Value(&text).Validate(func(s string) error {
		_, err := schema.Widen(t.Schema, []byte(s))
		return err
	})
	return m.openPageForm("JSON wizard", func() tea.Cmd {
		inf, err := schema.Widen(t.Schema, []byte(text))
		return func() tea.Msg {
			if err != nil {
				return wizardMsg{err: fmt.Errorf("the pasted JSON: %w", err)}
			}
			return wizardMsg{w: propose(t, "pasted JSON", inf)}
		}
	}, func() any { return text }, huh.NewGroup(area))
}

// historyForm picks a stored event as the sample.
func (m *Model) historyForm(trigger string, evs []webhook.Event) tea.Cmd {
	if len(evs) == 0 {
		return m.setNotice("no event with a JSON body yet: send a test event from Iterable, or paste one with w")
	}
	// 0 stands for all of them, inferred together.
	id := int64(0)
	opts := make([]huh.Option[int64], 0, len(evs)+1)
	if len(evs) > 1 {
		opts = append(opts, huh.NewOption(fmt.Sprintf("All %d events below, together (fields some lack become optional)", len(evs)), int64(0)))
	} else {
		id = evs[0].ID
	}
	for _, ev := range evs {
		who := ev.Email
		if who == "" {
			who = ev.UserID
		}
		name := ev.EventName
		if name == "" && ev.WorkflowID != "" {
			name = "workflow " + ev.WorkflowID
		}
		opts = append(opts, huh.NewOption(fmt.Sprintf("#%-6d %s  %-18s %s", ev.ID, ev.ReceivedAt.Format("15:04:05"), clean(name), clean(who)), ev.ID))
	}
	sel := huh.NewSelect[int64]().Title("Infer from which event?").Options(opts...).Value(&id).Height(max(m.layout.Body.H-6, 4))
	return m.openPageForm("JSON wizard · "+trigger, func() tea.Cmd {
		if id != 0 {
			return m.wizardFromEvents(trigger, id)
		}
		ids := make([]int64, len(evs))
		for i, ev := range evs {
			ids[i] = ev.ID
		}
		return m.wizardFromEvents(trigger, ids...)
	}, func() any { return id }, huh.NewGroup(sel))
}

// wizardFromEvents proposes the trigger's schema widened with stored events.
func (m *Model) wizardFromEvents(trigger string, ids ...int64) tea.Cmd {
	st := m.deps.Store
	return func() tea.Msg {
		ctx := context.Background()
		t, err := st.Trigger(ctx, trigger)
		if err != nil {
			return wizardMsg{err: err}
		}
		evs := make([]webhook.Event, 0, len(ids))
		for _, id := range ids {
			ev, err := st.Get(ctx, id)
			if err != nil {
				return wizardMsg{err: fmt.Errorf("reading event %d: %w", id, err)}
			}
			evs = append(evs, ev)
		}
		inf, err := webhook.WidenWithEvents(t.Schema, evs...)
		if err != nil {
			return wizardMsg{err: err}
		}
		source := fmt.Sprintf("event #%d", ids[0])
		if len(ids) > 1 {
			source = fmt.Sprintf("%d events (#%d–#%d)", len(ids), ids[len(ids)-1], ids[0])
		}
		return wizardMsg{w: propose(t, source, inf)}
	}
}

// importForm reads a schema file (Workato JSON or JSON Schema) and proposes it.
func (m *Model) importForm(t webhook.Trigger) tea.Cmd {
	var path string
	in := huh.NewInput().Title("Schema file").Description("Workato JSON (an array of fields) or JSON Schema (an object)").
		Value(&path).Validate(notEmpty("type the file's path"))
	return m.openPageForm("Import a schema into "+t.Name, func() tea.Cmd {
		return func() tea.Msg {
			data, err := os.ReadFile(strings.TrimSpace(path))
			if err != nil {
				return wizardMsg{err: fmt.Errorf("reading the schema: %w", err)}
			}
			s, err := schema.Parse(data)
			if err != nil {
				return wizardMsg{err: fmt.Errorf("%s: %w", path, err)}
			}
			return wizardMsg{w: propose(t, "file "+path, schema.Inference{Schema: s})}
		}
	}, func() any { return path }, huh.NewGroup(in))
}

// exportForm writes the schema to a file in either form.
func (m *Model) exportForm(t webhook.Trigger) tea.Cmd {
	path, format := t.Name+".schema.json", "workato"
	groups := huh.NewGroup(
		huh.NewSelect[string]().Title("Format").Options(
			huh.NewOption("Workato JSON (an array of fields)", "workato"),
			huh.NewOption("JSON Schema 2020-12", "jsonschema")).Value(&format),
		huh.NewInput().Title("File").Value(&path).Validate(notEmpty("type where to write it")),
	)
	return m.openPageForm("Export the schema of "+t.Name, func() tea.Cmd {
		return func() tea.Msg {
			data, err := encodeSchemaFile(t.Schema, format)
			if err == nil {
				err = os.WriteFile(strings.TrimSpace(path), data, 0o600)
			}
			if err != nil {
				return schemaSavedMsg{err: fmt.Errorf("exporting the schema of %s: %w", t.Name, err)}
			}
			return schemaSavedMsg{trigger: t.Name, what: "✓ wrote " + path}
		}
	}, func() any { return [2]string{path, format} }, groups)
}

// encodeSchemaFile is a schema as a file: Workato's form or JSON Schema.
func encodeSchemaFile(s schema.Schema, format string) ([]byte, error) {
	if format == "jsonschema" {
		return s.JSONSchema()
	}
	b, err := json.MarshalIndent(s, "", "  ")
	return append(b, '\n'), err
}

// handOffEvent is `s` on the Events tab: the event's payload widens the
// schema of the trigger it matched, shown in the wizard.
func (m *Model) handOffEvent(ev Event) tea.Cmd {
	if m.deps.Store == nil {
		return m.setNotice(fmt.Sprintf("no event store here: iwb trigger schema NAME --from-event %d", ev.ID))
	}
	if len(ev.Triggers) == 0 {
		return m.setNotice(fmt.Sprintf("#%d matched no trigger: add one on the Triggers tab (3) first", ev.ID))
	}
	trigger := ev.Triggers[0]
	if t, ok := m.trig.selected(); ok {
		for _, name := range ev.Triggers {
			if name == t.Name {
				trigger = name
			}
		}
	}
	return m.wizardFromEvents(trigger, ev.ID)
}

// wizardKey handles keys while the wizard's diff is shown.
func (m *Model) wizardKey(msg tea.KeyPressMsg) tea.Cmd {
	w, k := m.sch.wizard, m.keys
	switch {
	case matches(msg, k.Back):
		m.sch.wizard = nil
		return m.setNotice("the proposal was discarded")
	case matches(msg, k.Open):
		m.sch.wizard = nil
		return m.saveSchema(w.trigger, fmt.Sprintf("applied the schema from %s (%d changes)", w.source, len(w.changes)), nil, w.next)
	case matches(msg, k.Up):
		w.top = max(w.top-1, 0)
	case matches(msg, k.Down):
		w.top++
	case matches(msg, k.PageUp):
		w.top = max(w.top-10, 0)
	case matches(msg, k.PageDown):
		w.top += 10
	}
	return nil
}

// schemasKey handles the Schemas tab's keys in normal mode.
func (m *Model) schemasKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.sch.wizard != nil {
		return m.wizardKey(msg)
	}
	k, p := m.keys, &m.sch
	n := len(m.rows())
	switch {
	case matches(msg, k.Up):
		p.cursor = max(p.cursor-1, 0)
	case matches(msg, k.Down):
		p.cursor = max(min(p.cursor+1, n-1), 0)
	case matches(msg, k.Top):
		p.cursor = 0
	case matches(msg, k.Bottom):
		p.cursor = max(n-1, 0)
	case matches(msg, k.PrevTrigger), matches(msg, k.NextTrigger):
		step := 1
		if matches(msg, k.PrevTrigger) {
			step = -1
		}
		m.trig.move(step)
		p.cursor = 0
		return m.loadMismatches()
	}
	for _, b := range []struct {
		binding key.Binding
		act     action
	}{
		{k.AddField, actAddField}, {k.AddInside, actAddInside}, {k.RenameField, actRenameField},
		{k.DeleteField, actDeleteField}, {k.MoveFieldUp, actMoveUp}, {k.MoveFieldDown, actMoveDown},
		{k.SetType, actSetType}, {k.ToggleOptional, actToggleOptional}, {k.SetLabel, actSetLabel},
		{k.SetHint, actSetHint}, {k.WizardPaste, actWizardPaste}, {k.WizardEvent, actWizardEvent},
		{k.ImportSchema, actImportSchema}, {k.ExportSchema, actExportSchema},
	} {
		if matches(msg, b.binding) {
			return m.do(b.act)
		}
	}
	return nil
}

// schemasView draws the tab: the designer tree and the mismatches, or the
// wizard's diff.
func (m *Model) schemasView() []string {
	th, l := m.theme, m.layout
	if m.sch.wizard != nil {
		return m.wizardView()
	}
	t, ok := m.schemaTrigger()
	if !ok || m.deps.Store == nil {
		msg := " No trigger yet: add one on the Triggers tab (3), then design its payload schema here."
		if m.deps.Store == nil {
			msg = " No event store in this session: schemas belong to the listener's triggers."
		}
		return box(th, l.Body.W, l.Body.H, "Schemas", "", []string{"", th.Muted.Render(msg)}, true)
	}
	on := strings.Join(t.EventNames, ", ")
	if t.Kind == webhook.TriggerWorkflow {
		on = "workflow " + t.WorkflowID
	}
	title := fmt.Sprintf("Schema · %s (%s)", clean(t.Name), clean(on))
	main, side := l.Main, l.Side
	rows := flatten(t.Schema)
	m.sch.cursor = max(min(m.sch.cursor, len(rows)-1), 0)
	mm := m.mismatchLines(t, side.W-2)
	// Narrow, the tree takes the body and the mismatches share its bottom.
	treeH := l.Body.H
	if len(mm) > 0 {
		treeH = max(l.Body.H-min(len(mm), 6)-2, l.Body.H/2)
	}
	var lines []string
	if len(rows) == 0 {
		lines = []string{"", th.Muted.Render(" No schema yet."), "",
			" " + th.Key.Render("w") + " paste a sample payload (JSON wizard)",
			" " + th.Key.Render("e") + " infer from a stored event (or s on the Events tab)",
			" " + th.Key.Render("i") + " import a schema file",
			" " + th.Key.Render("a") + " add a field by hand"}
	} else {
		// Only the rows in view are drawn, the cursor's among them.
		h := main.H - 2
		if l.Stacked {
			h = treeH - 2
		}
		lines = treeLines(th, rows, m.sch.cursor, main.W-2, max(m.sch.cursor-h+1, 0), h)
	}
	right := th.Muted.Render(fmt.Sprintf("%d fields", len(rows)))
	if l.Stacked {
		out := box(th, l.Body.W, treeH, title, right, lines, true)
		if treeH < l.Body.H {
			out = append(out, box(th, l.Body.W, l.Body.H-treeH, "Mismatches", "", mm, false)...)
		}
		return out
	}
	return beside(box(th, main.W, main.H, title, right, lines, true),
		box(th, side.W, side.H, "Mismatches", th.Muted.Render(fmt.Sprintf("last %d events", webhook.MismatchWindow)), mm, false))
}

// mismatchLines are the trigger's recent mismatches by path.
func (m *Model) mismatchLines(t webhook.Trigger, w int) []string {
	th, p := m.theme, &m.sch
	switch {
	case t.Schema == nil:
		return nil
	case p.mmErr != nil && p.mmFor == t.Name:
		return []string{th.Error.Render(" " + clean(p.mmErr.Error()))}
	case p.mmFor != t.Name:
		return []string{th.Muted.Render(" Reading…")}
	case len(p.mismatches) == 0:
		return []string{th.OK.Render(" ✓ every event since the schema was set fits it")}
	}
	var out []string
	for _, mm := range p.mismatches {
		mark := th.Error.Render("✗")
		if mm.Warning {
			mark = th.Warn.Render("⚠")
		}
		out = append(out, fit(fmt.Sprintf(" %s %-24s ×%-4d #%d", mark, clean(mm.Path), mm.Count, mm.LastEventID), w),
			fit(th.Muted.Render("     "+clean(mm.Message)), w))
	}
	return out
}

// wizardView is the proposal as a diff, with what to check, before applying.
func (m *Model) wizardView() []string {
	th, b, wz := m.theme, m.layout.Body, m.sch.wizard
	w := b.W - 2
	var lines []string
	head := " From " + clean(wz.source)
	if wz.samples > 0 {
		head += fmt.Sprintf(" · %d sample(s)", wz.samples)
	}
	lines = append(lines, fit(head+fmt.Sprintf(" · %d fields · %d changes to the current schema:", len(flatten(wz.next)), len(wz.changes)), w))
	if len(wz.changes) == 0 {
		lines = append(lines, th.OK.Render(" ✓ nothing changes: the schema already fits."))
	}
	for _, c := range wz.changes {
		s := " " + clean(c.String())
		switch c.Kind {
		case schema.Added:
			s = th.OK.Render(s)
		case schema.Removed:
			s = th.Error.Render(s)
		default:
			s = th.Warn.Render(s)
		}
		if warn := c.New.Warning(); warn != "" && c.Kind != schema.Removed {
			s += "  " + th.Warn.Render("⚠ "+warn)
		}
		lines = append(lines, fit(s, w))
	}
	if len(wz.notes) > 0 {
		lines = append(lines, "", " "+th.Title.Render("Check these (conflicts and unknowns):"))
		for _, n := range wz.notes {
			lines = append(lines, fit(" "+th.Warn.Render("⚠ "+clean(n.String())), w))
		}
	}
	inner := b.H - 3
	wz.top = min(wz.top, max(len(lines)-inner, 0))
	lines = lines[wz.top:]
	for len(lines) < inner {
		lines = append(lines, "")
	}
	lines = append(lines[:inner], " "+th.Key.Render("enter")+" apply   "+th.Key.Render("esc")+" discard   "+th.Key.Render("↑/↓")+" scroll")
	return box(th, b.W, b.H, "JSON wizard · "+clean(wz.trigger), th.Muted.Render("review before applying"), lines, true)
}
