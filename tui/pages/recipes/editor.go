package recipes

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/webhook"
)

// editor is a recipe being made: its name, trigger, conditions and steps,
// each step's input kept field by field as typed text or a pill, so that a
// pill picker can offer what fits each field.
type editor struct {
	name     string
	editing  string // the saved recipe's name being changed, "" for a new one
	trigger  int    // into triggers
	triggers []webhook.Trigger
	conds    []condRow
	steps    []stepRow
	project  schema.ProjectFields
	// latest is each trigger's newest event, the preview's; nil when the
	// trigger has none yet.
	latest map[string]*webhook.Event
	cur    int // the focused cell
	pick   *picker
	// checked: a save was tried, so refusals are shown beside their fields
	// and checked again as the user edits.
	checked bool
	report  recipe.Report
	dirty   bool
	saving  bool
}

type condRow struct {
	path  string
	op    recipe.Op
	value string
}

type stepRow struct {
	action string
	values map[string]string // an input field's text: a typed value, or {{pill}}
	data   []dataRow
	// extra are input fields the action's request does not declare, kept as
	// they were when a saved recipe is edited.
	extra map[string]any
}

type dataRow struct{ name, value string }

// cellKind is what a cell of the editor holds.
type cellKind int

const (
	cName cellKind = iota
	cTrigger
	cCondPath
	cCondOp
	cCondValue
	cAddCond
	cAction
	cField
	cDataName
	cDataValue
	cAddData
	cAddStep
)

// cell is one focusable place of the editor; cells on one line share line.
type cell struct {
	kind  cellKind
	line  int
	step  int    // the step (from 0) of cAction, cField, cData*, cAddData
	row   int    // the condition or data row (from 0)
	field string // cField: the input field's name
}

func newStep(action string) stepRow {
	return stepRow{action: action, values: map[string]string{}}
}

// newEditor starts a recipe on the first trigger: one Upsert user step of
// the event's email.
func newEditor(triggers []webhook.Trigger, project schema.ProjectFields, latest map[string]*webhook.Event) *editor {
	st := newStep("upsert-user")
	st.values["email"] = "{{email}}"
	return &editor{triggers: triggers, project: project, latest: latest, steps: []stepRow{st}}
}

// editorOf opens a saved recipe in the editor: each input field's value as
// text that reads back to the same value.
func editorOf(r recipe.Recipe, triggers []webhook.Trigger, project schema.ProjectFields, latest map[string]*webhook.Event) *editor {
	e := &editor{name: r.Name, editing: r.Name, triggers: triggers, project: project, latest: latest}
	e.trigger = slices.IndexFunc(triggers, func(t webhook.Trigger) bool { return t.Name == r.Trigger })
	if e.trigger < 0 {
		// Its trigger was removed: shown by name, the check says what is wrong.
		e.triggers, e.trigger = append(slices.Clone(triggers), webhook.Trigger{Name: r.Trigger}), len(triggers)
	}
	for _, c := range r.When {
		row := condRow{path: c.Path, op: c.Op}
		if c.Op != recipe.OpExists {
			row.value = e.textOf(c.Value, "")
		}
		e.conds = append(e.conds, row)
	}
	for _, s := range r.Steps {
		st := newStep(s.Action)
		var input map[string]any
		_ = schema.DecodeJSON(s.Input, &input) // a saved recipe's input is a JSON object
		fields := map[string]recipe.InputField{}
		for _, f := range recipe.InputFields(s.Action) {
			fields[f.Name] = f
		}
		for _, k := range slices.Sorted(maps.Keys(input)) {
			f, known := fields[k]
			data, isMap := input[k].(map[string]any)
			switch {
			case known && f.Data && isMap:
				for _, name := range slices.Sorted(maps.Keys(data)) {
					st.data = append(st.data, dataRow{name: name, value: e.textOf(data[name], e.dataType(name))})
				}
			case known:
				st.values[k] = e.textOf(input[k], f.Type)
			default:
				if st.extra == nil {
					st.extra = map[string]any{}
				}
				st.extra[k] = input[k]
			}
		}
		e.steps = append(e.steps, st)
	}
	return e
}

// textOf is a value as the editor's text, which value reads back to it.
func (e *editor) textOf(v any, typ string) string {
	if s, ok := v.(string); ok {
		if _, stays := e.value(s, typ).(string); stays {
			return s
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func (e *editor) triggerName() string {
	if e.trigger < len(e.triggers) {
		return e.triggers[e.trigger].Name
	}
	return ""
}

func (e *editor) env() recipe.Env {
	var t webhook.Trigger
	if e.trigger < len(e.triggers) {
		t = e.triggers[e.trigger]
	}
	return recipe.Env{Trigger: t, Project: e.project}
}

// cells are the editor's focusable places in order, with each line's label.
func (e *editor) cells() (cells []cell, labels []string) {
	line := func(label string, cs ...cell) {
		for _, c := range cs {
			c.line = len(labels)
			cells = append(cells, c)
		}
		labels = append(labels, label)
	}
	line("Name", cell{kind: cName})
	line("Trigger", cell{kind: cTrigger})
	for i := range e.conds {
		line(fmt.Sprintf("When %d", i+1), cell{kind: cCondPath, row: i}, cell{kind: cCondOp, row: i}, cell{kind: cCondValue, row: i})
	}
	line("", cell{kind: cAddCond})
	for s, st := range e.steps {
		line(fmt.Sprintf("Step %d", s+1), cell{kind: cAction, step: s})
		for _, f := range recipe.InputFields(st.action) {
			if !f.Data {
				line("  "+f.Name, cell{kind: cField, step: s, field: f.Name})
				continue
			}
			for r := range st.data {
				line("  dataFields.", cell{kind: cDataName, step: s, row: r}, cell{kind: cDataValue, step: s, row: r})
			}
			line("  dataFields", cell{kind: cAddData, step: s})
		}
	}
	if len(e.steps) < recipe.MaxSteps {
		line("", cell{kind: cAddStep})
	}
	return cells, labels
}

func (e *editor) at() cell {
	cells, _ := e.cells()
	e.cur = max(min(e.cur, len(cells)-1), 0)
	return cells[e.cur]
}

// text is the text a cell holds, and whether it is typed into.
func (e *editor) text(c cell) (*string, bool) {
	switch c.kind {
	case cName:
		return &e.name, e.editing == ""
	case cCondPath:
		return &e.conds[c.row].path, true
	case cCondValue:
		return &e.conds[c.row].value, true
	case cField:
		v := e.steps[c.step].values[c.field]
		return &v, true
	case cDataName:
		return &e.steps[c.step].data[c.row].name, true
	case cDataValue:
		return &e.steps[c.step].data[c.row].value, true
	}
	return nil, false
}

// what is what the editor holds, as questions name it.
func (e *editor) what() string {
	if e.editing != "" {
		return "the changes to " + e.editing
	}
	return "the new recipe"
}

// setText changes a text cell.
func (e *editor) setText(c cell, s string) {
	if c.kind == cField {
		e.steps[c.step].values[c.field] = s
	} else if p, ok := e.text(c); ok {
		*p = s
	}
	e.changed()
}

func (e *editor) changed() {
	e.dirty = true
	if e.checked {
		e.report = recipe.Check(e.recipe(), e.env())
	}
}

// recipe is what the editor holds as a recipe: empty rows are left out,
// typed values take their JSON type unless the field takes text.
func (e *editor) recipe() recipe.Recipe {
	r := recipe.Recipe{Name: strings.TrimSpace(e.name), Trigger: e.triggerName()}
	for _, c := range e.conds {
		if strings.TrimSpace(c.path) == "" && strings.TrimSpace(c.value) == "" {
			continue
		}
		cond := recipe.Condition{Path: strings.TrimSpace(c.path), Op: c.op}
		if c.op != recipe.OpExists {
			cond.Value = recipe.Literal(c.value)
		}
		r.When = append(r.When, cond)
	}
	for _, st := range e.steps {
		input := maps.Clone(st.extra)
		if input == nil {
			input = map[string]any{}
		}
		for _, f := range recipe.InputFields(st.action) {
			if f.Data {
				data := map[string]any{}
				for _, d := range st.data {
					if name := strings.TrimSpace(d.name); name != "" {
						data[name] = e.value(d.value, e.dataType(name))
					}
				}
				if len(data) > 0 {
					input[f.Name] = data
				}
				continue
			}
			if v := st.values[f.Name]; v != "" {
				input[f.Name] = e.value(v, f.Type)
			}
		}
		b, _ := json.Marshal(input) // strings, numbers, maps: always encodes
		r.Steps = append(r.Steps, recipe.Step{Action: st.action, Input: b})
	}
	return r
}

// dataType is the type a data field takes as the project lists it.
func (e *editor) dataType(name string) string {
	if t, ok := e.project[name]; ok {
		return string(t)
	}
	return ""
}

// value is a cell's text in the input: pills and text fields as written,
// other typed values as JSON when they read as JSON.
func (e *editor) value(text, typ string) any {
	if strings.Contains(text, "{{") || typ == "string" || typ == string(schema.DataDate) {
		return text
	}
	return recipe.Literal(text)
}

// problems are the save check's refusals shown beside the cell they concern;
// the rest are the recipe's own.
func (e *editor) problems() (byCell map[int][]string, rest []string) {
	if !e.checked {
		return nil, nil
	}
	cells, _ := e.cells()
	byCell = map[int][]string{}
	for i, text := range e.report.Refusals {
		var at recipe.Place
		if i < len(e.report.At) {
			at = e.report.At[i]
		}
		j := e.cellOf(cells, at)
		if j < 0 {
			rest = append(rest, text)
			continue
		}
		byCell[j] = append(byCell[j], text)
	}
	return byCell, rest
}

// cellOf is the cell a refusal's place points at, -1 for none.
func (e *editor) cellOf(cells []cell, at recipe.Place) int {
	switch {
	case at.Condition > 0:
		return slices.IndexFunc(cells, func(c cell) bool { return c.kind == cCondPath && c.row == at.Condition-1 })
	case at.Step == 0:
		return -1
	}
	s := at.Step - 1
	if name, ok := strings.CutPrefix(at.Field, "dataFields."); ok {
		if i := slices.IndexFunc(cells, func(c cell) bool {
			return c.kind == cDataValue && c.step == s && strings.TrimSpace(e.steps[s].data[c.row].name) == strings.SplitN(name, ".", 2)[0]
		}); i >= 0 {
			return i
		}
	}
	top, _, _ := strings.Cut(at.Field, ".")
	if i := slices.IndexFunc(cells, func(c cell) bool { return c.kind == cField && c.step == s && c.field == top }); top != "" && i >= 0 {
		return i
	}
	return slices.IndexFunc(cells, func(c cell) bool { return c.kind == cAction && c.step == s })
}

// editorKeys are the editor's bindings.
type editorKeys struct {
	Next, Prev, Down, Up, Pick, Cycle, Remove, Clear, Save, Cancel key.Binding
}

func defaultEditorKeys() editorKeys {
	b := page.Bind
	return editorKeys{
		Next:   b([]string{"tab"}, "tab", "next field"),
		Prev:   b([]string{"shift+tab"}, "shift+tab", "previous field"),
		Down:   b([]string{"down"}, "↓", "next line"),
		Up:     b([]string{"up"}, "↑", "previous line"),
		Pick:   b([]string{"enter"}, "enter", "pick a pill or choice, add"),
		Cycle:  b([]string{"left", "right"}, "←/→", "change choice"),
		Remove: b([]string{"ctrl+x"}, "ctrl+x", "remove row"),
		Clear:  b([]string{"ctrl+u"}, "ctrl+u", "clear field"),
		Save:   b([]string{"ctrl+s"}, "ctrl+s", "save"),
		Cancel: b([]string{"esc"}, "esc", "cancel"),
	}
}

// editorLoadedMsg carries what the editor opens with.
type editorLoadedMsg struct {
	edit     *recipe.Recipe // the saved recipe to change, nil for a new one
	triggers []webhook.Trigger
	project  schema.ProjectFields
	latest   map[string]*webhook.Event
	err      error
}

// latestMsg is each trigger's newest event, read again as events come in.
type latestMsg struct{ latest map[string]*webhook.Event }

type savedMsg struct {
	name    string
	changed bool // an edit of a saved recipe
	notes   []string
	err     error
}

// edit opens the editor on a new recipe.
func (p *Page) edit() tea.Cmd { return p.openEditor(nil) }

// editSaved opens the editor on the selected recipe.
func (p *Page) editSaved() tea.Cmd {
	r, cmd := p.chosen()
	if cmd != nil {
		return cmd
	}
	return p.openEditor(&r.Recipe)
}

// openEditor reads the triggers, the project's fields and each trigger's
// latest event, then opens the editor, on a saved recipe when given.
func (p *Page) openEditor(saved *recipe.Recipe) tea.Cmd {
	if p.deps.Recipes == nil || p.deps.Events == nil {
		return page.Notice("no recipes in this session")
	}
	if p.ed != nil {
		return nil
	}
	events, c := p.deps.Events, p.deps.Client
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		triggers, err := events.Triggers(ctx)
		if err != nil {
			return editorLoadedMsg{err: err}
		}
		var project schema.ProjectFields
		if c != nil {
			// Without the project's fields, dataFields are checked by name only.
			if fields, err := c.UserFields(ctx); err == nil {
				project = schema.ProjectFields{}
				for n, t := range fields {
					project[n] = schema.DataType(t)
				}
			}
		}
		latest, err := latestEvents(ctx, events, triggers)
		return editorLoadedMsg{edit: saved, triggers: triggers, project: project, latest: latest, err: err}
	}
}

// latestEvents is each trigger's newest event.
func latestEvents(ctx context.Context, events webhook.EventLog, triggers []webhook.Trigger) (map[string]*webhook.Event, error) {
	latest := map[string]*webhook.Event{}
	for _, t := range triggers {
		evs, err := events.List(ctx, webhook.Query{Trigger: t.Name, Desc: true, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(evs) > 0 {
			latest[t.Name] = &evs[0]
		}
	}
	return latest, nil
}

func (p *Page) reloadLatest() tea.Cmd {
	if p.ed == nil || p.deps.Events == nil {
		return nil
	}
	events, triggers := p.deps.Events, p.ed.triggers
	return func() tea.Msg {
		latest, err := latestEvents(context.Background(), events, triggers)
		if err != nil {
			return nil
		}
		return latestMsg{latest}
	}
}

func (p *Page) opened(msg editorLoadedMsg) tea.Cmd {
	switch {
	case msg.err != nil:
		return page.Error(fmt.Errorf("opening the recipe editor: %w", msg.err))
	case len(msg.triggers) == 0 && msg.edit == nil:
		return page.Notice("add a trigger first (tab 3): a recipe runs on a trigger's events")
	}
	p.ed = newEditor(msg.triggers, msg.project, msg.latest)
	if msg.edit != nil {
		p.ed = editorOf(*msg.edit, msg.triggers, msg.project, msg.latest)
	}
	p.test, p.job = nil, nil
	return nil
}

// editKey handles a key while the editor is open.
func (p *Page) editKey(msg tea.KeyPressMsg) tea.Cmd {
	e, k := p.ed, p.edKeys
	if e.pick != nil {
		return e.pickKey(p.keys, msg)
	}
	c := e.at()
	cells, _ := e.cells()
	switch {
	case page.Matches(msg, k.Cancel):
		if e.dirty {
			return page.Ask("Discard "+e.what()+"?", func() tea.Cmd { p.ed = nil; return nil })
		}
		p.ed = nil
	case page.Matches(msg, k.Save):
		return p.saveEditor()
	case page.Matches(msg, k.Next):
		e.cur = min(e.cur+1, len(cells)-1)
	case page.Matches(msg, k.Prev):
		e.cur = max(e.cur-1, 0)
	case page.Matches(msg, k.Down):
		e.cur = lineStep(cells, e.cur, 1)
	case page.Matches(msg, k.Up):
		e.cur = lineStep(cells, e.cur, -1)
	case page.Matches(msg, k.Cycle):
		n := 1
		if msg.String() == "left" {
			n = -1
		}
		e.cycle(c, n)
	case page.Matches(msg, k.Pick):
		e.enter(c)
	case page.Matches(msg, k.Remove):
		e.remove(c)
	case page.Matches(msg, k.Clear):
		if _, ok := e.text(c); ok {
			e.setText(c, "")
		}
	case msg.String() == "backspace":
		if s, ok := e.text(c); ok && *s != "" {
			r := []rune(*s)
			e.setText(c, string(r[:len(r)-1]))
		}
	case msg.Text != "" && msg.Mod&^tea.ModShift == 0:
		e.typeText(c, msg.Text)
	}
	return nil
}
