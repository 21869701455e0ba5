package triggers

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
	"github.com/iwb-dev/iwb/webhook"
)

// schemasState is what the Schemas tab keeps: the designer of the selected trigger's
// payload schema, its recent mismatches, and the JSON wizard.
type schemasState struct {
	cursor     int // row of the tree
	wizard     *wizard
	mismatches []webhook.Mismatch
	mmFor      string // the trigger the mismatches are of
	mmErr      error
	// mmFocus puts the keys on the mismatches (tab switches): enter there
	// opens a mismatch's latest event on the Events tab.
	mmFocus    bool
	mmCursor   int
	pendingSel schema.Path // the field to select once the saved schema is read back
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
		own     []webhook.Event // matched by the trigger, newest first
		others  []webhook.Event // the latest of any kind, when own is empty
		fits    map[int64]bool  // against the trigger's schema, when it has one
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
func treeLines(th style.Theme, rows []treeRow, cursor, w, first, n int) []string {
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
		line := " " + style.Fit(strings.Repeat("  ", r.depth)+termtext.Line(f.Name), nameW) + "  " + style.Fit(f.TypeName(), 16)
		if f.Optional {
			line += " optional"
		} else {
			line += "         "
		}
		if f.Label != "" {
			line += "  " + th.Muted.Render("“"+termtext.Line(f.Label)+"”")
		}
		if warn := f.Warning(); warn != "" {
			line += "  " + th.Warn.Render("⚠ "+warn)
		}
		if i == cursor {
			line = th.Selected.Render("▶" + style.Fit(ansi.Strip(line), w-1))
		} else {
			line = " " + line
		}
		out = append(out, style.Fit(line, w))
	}
	return out
}

// schemaPreview is a trigger's schema as a read-only tree.
func (c *core) schemaPreview(t webhook.Trigger, w int) []string {
	th := c.th
	if t.Schema == nil {
		return []string{th.Muted.Render(" No schema yet: on the Schemas tab (enter), infer one"),
			th.Muted.Render(" from a sample payload or type its fields.")}
	}
	return treeLines(th, flatten(t.Schema), -1, w, 0, c.area.Side.H-2)
}

// schemaTrigger is the trigger the Schemas tab designs: the Triggers tab's selection.
func (c *core) schemaTrigger() (webhook.Trigger, bool) { return c.trig.selected() }

// loadMismatches reads the selected trigger's mismatches while the Schemas
// tab shows them.
func (c *core) loadMismatches() tea.Cmd {
	st := c.store
	t, ok := c.schemaTrigger()
	if st == nil || !ok || c.inView != SchemasTitle {
		return nil
	}
	return func() tea.Msg {
		list, err := st.Mismatches(context.Background(), t.Name, 0)
		return mismatchesMsg{t.Name, list, err}
	}
}

// schemasMsg handles the Schemas tab's messages.
func (c *core) schemasMsg(msg tea.Msg) (tea.Cmd, bool) {
	p := &c.sch
	switch msg := msg.(type) {
	case mismatchesMsg:
		p.mismatches, p.mmFor, p.mmErr = msg.list, msg.trigger, msg.err
		return nil, true
	case wizardMsg:
		if msg.err != nil {
			return page.Error(msg.err), true
		}
		c.trig.selectName(msg.w.trigger)
		p.wizard = msg.w
		return page.Goto(SchemasTitle), true
	case historyMsg:
		if msg.err != nil {
			return page.Error(fmt.Errorf("reading events: %w", msg.err)), true
		}
		return c.historyForm(msg), true
	case schemaSavedMsg:
		if msg.err != nil {
			return page.Error(msg.err), true
		}
		c.sch.pendingSel = msg.sel
		return tea.Batch(page.Notice(msg.what), c.loadTriggers(msg.trigger)), true
	}
	return nil, false
}

// rows are the selected trigger's schema, flattened.
func (c *core) rows() []treeRow {
	t, _ := c.schemaTrigger()
	return flatten(t.Schema)
}

func (c *core) selectedRow() (treeRow, bool) {
	rows := c.rows()
	if c.sch.cursor < 0 || c.sch.cursor >= len(rows) {
		return treeRow{}, false
	}
	return rows[c.sch.cursor], true
}

// schemaAction runs a Schemas tab action, from a key or the palette.
func (c *core) schemaAction(a action) tea.Cmd {
	if c.store == nil {
		return page.Notice("no event store in this session: schemas belong to triggers")
	}
	t, ok := c.schemaTrigger()
	if !ok {
		return page.Notice("no trigger yet: add one on the Triggers tab (3), then design its schema here")
	}
	switch a {
	case actWizardPaste:
		return c.pasteForm(t)
	case actWizardEvent:
		return c.loadSamples(t)
	case actImportSchema:
		return c.importForm(t)
	case actExportSchema:
		if t.Schema == nil {
			return page.Notice(t.Name + " has no schema to export yet")
		}
		return c.exportForm(t)
	case actAddField, actAddInside:
		return c.addFieldForm(t, a == actAddInside)
	}
	r, ok := c.selectedRow()
	if !ok {
		return page.Notice("no field selected: a adds one, w infers them from a sample payload")
	}
	switch a {
	case actRenameField:
		name := r.field.Name
		return c.openForm("Rename "+r.path.String(), func() tea.Cmd {
			return c.editSchema(t, "renamed "+r.path.String(), append(r.path[:len(r.path)-1:len(r.path)-1], name),
				func(s schema.Schema) (schema.Schema, error) { return s.Rename(r.path, name) })
		}, func() any { return name }, huh.NewGroup(huh.NewInput().Title("Name").Description("the exact key of the payload").Value(&name).
			Validate(page.NotEmpty("a field needs a name"))))
	case actDeleteField:
		return page.Ask(fmt.Sprintf("Delete the field %s from the schema of %s?", r.path, t.Name), func() tea.Cmd {
			return c.editSchema(t, "deleted "+r.path.String(), nil, func(s schema.Schema) (schema.Schema, error) { return s.Delete(r.path) })
		})
	case actMoveUp:
		return c.editSchema(t, "moved "+r.path.String()+" up", r.path, func(s schema.Schema) (schema.Schema, error) { return s.MoveUp(r.path) })
	case actMoveDown:
		return c.editSchema(t, "moved "+r.path.String()+" down", r.path, func(s schema.Schema) (schema.Schema, error) { return s.MoveDown(r.path) })
	case actToggleOptional:
		return c.editSchema(t, r.path.String()+map[bool]string{true: " is required", false: " is optional"}[r.field.Optional], r.path,
			func(s schema.Schema) (schema.Schema, error) { return s.ToggleOptional(r.path) })
	case actSetType:
		typ, of := r.field.Type, r.field.Of
		if of == "" {
			of = schema.String
		}
		groups := typeGroups(&typ, &of)
		return c.openForm("Type of "+r.path.String(), func() tea.Cmd {
			if typ != schema.Array {
				of = ""
			}
			return c.editSchema(t, r.path.String()+" is "+schema.Field{Type: typ, Of: of}.TypeName(), r.path,
				func(s schema.Schema) (schema.Schema, error) { return s.SetType(r.path, typ, of) })
		}, func() any { return [2]schema.Type{typ, of} }, groups...)
	case actSetLabel, actSetHint:
		what, val, set := "Label", r.field.Label, schema.Schema.SetLabel
		if a == actSetHint {
			what, val, set = "Hint", r.field.Hint, schema.Schema.SetHint
		}
		return c.openForm(what+" of "+r.path.String(), func() tea.Cmd {
			return c.editSchema(t, "set the "+strings.ToLower(what)+" of "+r.path.String(), r.path,
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
func (c *core) addFieldForm(t webhook.Trigger, inside bool) tea.Cmd {
	var parent schema.Path
	if r, ok := c.selectedRow(); ok {
		parent = r.path[:len(r.path)-1]
		if inside {
			parent = r.path
		}
	} else if inside {
		return page.Notice("select an object field to add inside it")
	}
	name, typ, of, optional := "", schema.String, schema.String, false
	where := "at the top level"
	if len(parent) > 0 {
		where = "in " + parent.String()
	}
	groups := append([]*huh.Group{huh.NewGroup(
		huh.NewInput().Title("Name").Description("the exact key, "+where).Value(&name).Validate(page.NotEmpty("a field needs a name")),
		huh.NewConfirm().Title("Optional?").Description("may be missing or null").Value(&optional),
	)}, typeGroups(&typ, &of)...)
	return c.openForm("Add a field "+where, func() tea.Cmd {
		f := schema.Field{Name: strings.TrimSpace(name), Type: typ, Optional: optional}
		if typ == schema.Array {
			f.Of = of
		}
		return c.editSchema(t, "added "+append(parent[:len(parent):len(parent)], f.Name).String(),
			append(parent[:len(parent):len(parent)], f.Name),
			func(s schema.Schema) (schema.Schema, error) { return s.Add(parent, f) })
	}, func() any { return []any{name, typ, of, optional} }, groups...)
}

// editSchema applies one designer edit to the trigger's schema and saves it.
func (c *core) editSchema(t webhook.Trigger, what string, sel schema.Path, edit func(schema.Schema) (schema.Schema, error)) tea.Cmd {
	next, err := edit(t.Schema)
	if err != nil {
		return page.Error(fmt.Errorf("%s: %w", t.Name, err))
	}
	if next == nil {
		next = schema.Schema{}
	}
	return c.saveSchema(t.Name, what, sel, next)
}

func (c *core) saveSchema(trigger, what string, sel schema.Path, s schema.Schema) tea.Cmd {
	st := c.store
	return func() tea.Msg {
		err := st.SetTriggerSchema(context.Background(), trigger, s)
		if err != nil {
			err = fmt.Errorf("saving the schema of %s: %w", trigger, err)
		}
		return schemaSavedMsg{trigger: trigger, what: trigger + ": " + what, sel: sel, err: err}
	}
}

// schemasKey handles the Schemas tab's keys in normal mode.
func (c *core) schemasKey(msg tea.KeyPressMsg) tea.Cmd {
	if c.sch.wizard != nil {
		return c.wizardKey(msg)
	}
	k, p := c.keys, &c.sch
	if page.Matches(msg, k.NextPane, k.PrevPane) {
		p.mmFocus = !p.mmFocus && len(c.shownMismatches()) > 0
		return nil
	}
	if p.mmFocus {
		return c.mismatchKey(msg)
	}
	n := len(c.rows())
	switch {
	case page.Matches(msg, k.Up):
		p.cursor = max(p.cursor-1, 0)
	case page.Matches(msg, k.Down):
		p.cursor = max(min(p.cursor+1, n-1), 0)
	case page.Matches(msg, k.Top):
		p.cursor = 0
	case page.Matches(msg, k.Bottom):
		p.cursor = max(n-1, 0)
	case page.Matches(msg, k.PrevTrigger), page.Matches(msg, k.NextTrigger):
		step := 1
		if page.Matches(msg, k.PrevTrigger) {
			step = -1
		}
		c.trig.move(step)
		p.cursor, p.mmFocus, p.mmCursor = 0, false, 0
		return c.loadMismatches()
	}
	for _, b := range c.schemaKeys() {
		if page.Matches(msg, b.binding) {
			return c.schemaAction(b.act)
		}
	}
	return nil
}

// shownMismatches are the mismatches of the trigger in view, once read.
func (c *core) shownMismatches() []webhook.Mismatch {
	t, ok := c.schemaTrigger()
	if !ok || t.Schema == nil || c.sch.mmFor != t.Name || c.sch.mmErr != nil {
		return nil
	}
	return c.sch.mismatches
}

// mismatchKey moves among the mismatches; enter opens the selected one's
// latest event on the Events tab, among the trigger's events.
func (c *core) mismatchKey(msg tea.KeyPressMsg) tea.Cmd {
	k, p, list := c.keys, &c.sch, c.shownMismatches()
	if len(list) == 0 {
		p.mmFocus = false
		return nil
	}
	switch {
	case page.Matches(msg, k.Up):
		p.mmCursor--
	case page.Matches(msg, k.Down):
		p.mmCursor++
	case page.Matches(msg, k.Top):
		p.mmCursor = 0
	case page.Matches(msg, k.Bottom):
		p.mmCursor = len(list) - 1
	case page.Matches(msg, k.Back):
		p.mmFocus = false
	case page.Matches(msg, k.Open):
		p.mmCursor = max(min(p.mmCursor, len(list)-1), 0)
		return page.Send(page.ShowEventMsg{ID: list[p.mmCursor].LastEventID, Trigger: c.sch.mmFor})
	}
	p.mmCursor = max(min(p.mmCursor, len(list)-1), 0)
	return nil
}

// schemasView draws the tab: the designer tree and the mismatches, or the
// wizard's diff.
func (c *core) schemasView(a page.Area) []string {
	th, l := c.th, a
	if c.sch.wizard != nil {
		return c.wizardView()
	}
	t, ok := c.schemaTrigger()
	if !ok || c.store == nil {
		msg := " No trigger yet: add one on the Triggers tab (3), then design its payload schema here."
		if c.store == nil {
			msg = " No event store in this session: schemas belong to the listener's triggers."
		}
		return style.Box(th, l.Body.W, l.Body.H, "Schemas", "", []string{"", th.Muted.Render(msg)}, true)
	}
	on := strings.Join(t.EventNames, ", ")
	if t.Kind == webhook.TriggerWorkflow {
		on = "workflow " + t.WorkflowID
	}
	title := fmt.Sprintf("Schema · %s (%s)", termtext.Line(t.Name), termtext.Line(on))
	main, side := l.Main, l.Side
	rows := flatten(t.Schema)
	c.sch.cursor = max(min(c.sch.cursor, len(rows)-1), 0)
	mm := c.mismatchLines(t, side.W-2)
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
		cursor := c.sch.cursor
		if c.sch.mmFocus {
			cursor = -1
		}
		lines = treeLines(th, rows, cursor, main.W-2, max(c.sch.cursor-h+1, 0), h)
	}
	right := th.Muted.Render(fmt.Sprintf("%d fields", len(rows)))
	if l.Stacked {
		out := style.Box(th, l.Body.W, treeH, title, right, lines, !c.sch.mmFocus)
		if treeH < l.Body.H {
			out = append(out, style.Box(th, l.Body.W, l.Body.H-treeH, "Mismatches", "", mm, c.sch.mmFocus)...)
		}
		return out
	}
	return style.Beside(style.Box(th, main.W, main.H, title, right, lines, !c.sch.mmFocus),
		style.Box(th, side.W, side.H, "Mismatches", th.Muted.Render(fmt.Sprintf("last %d events", webhook.MismatchWindow)), mm, c.sch.mmFocus))
}

// mismatchLines are the trigger's recent mismatches by path.
func (c *core) mismatchLines(t webhook.Trigger, w int) []string {
	th, p := c.th, &c.sch
	switch {
	case t.Schema == nil:
		return nil
	case p.mmErr != nil && p.mmFor == t.Name:
		return []string{th.Error.Render(" " + termtext.Line(p.mmErr.Error()))}
	case p.mmFor != t.Name:
		return []string{th.Muted.Render(" Reading…")}
	case len(p.mismatches) == 0:
		return []string{th.OK.Render(" ✓ every event since the schema was set fits it")}
	}
	var out []string
	for i, mm := range p.mismatches {
		mark := th.Error.Render("✗")
		if mm.Warning {
			mark = th.Warn.Render("⚠")
		}
		line := style.Fit(fmt.Sprintf(" %s %-24s ×%-4d #%d", mark, termtext.Line(mm.Path), mm.Count, mm.LastEventID), w)
		if p.mmFocus && i == p.mmCursor {
			line = th.Selected.Render("▶" + ansi.Cut(ansi.Strip(line), 1, w))
		}
		out = append(out, line, style.Fit(th.Muted.Render("     "+termtext.Line(mm.Message)), w))
	}
	if !p.mmFocus {
		out = append(out, "", th.Muted.Render(" tab, then enter: a mismatch's latest event on the Events tab"))
	}
	return out
}
