package recipes

// The editor's edits: typing, cycling choices, picking pills, adding and
// removing rows and steps.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/webhook"
)

// typeText adds typed or pasted text to the focused cell, one line of it.
func (e *editor) typeText(c cell, t string) {
	if s, ok := e.text(c); ok {
		// A field is one line: line breaks and tabs become spaces.
		t = strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' || r == '\t' {
				return ' '
			}
			return r
		}, t)
		e.setText(c, *s+t)
	}
}

// lineStep is the first cell of the line n lines from cell i's.
func lineStep(cells []cell, i, n int) int {
	target := cells[i].line + n
	col := i - slices.IndexFunc(cells, func(c cell) bool { return c.line == cells[i].line })
	first := slices.IndexFunc(cells, func(c cell) bool { return c.line == target })
	if first < 0 {
		return i
	}
	j := first
	for j+1 < len(cells) && cells[j+1].line == target && j-first < col {
		j++
	}
	return j
}

// cycle changes a choice cell by n.
func (e *editor) cycle(c cell, n int) {
	wrap := func(i, l int) int { return ((i+n)%l + l) % l }
	switch c.kind {
	case cTrigger:
		e.setTrigger(wrap(e.trigger, len(e.triggers)))
	case cCondOp:
		e.conds[c.row].op = recipe.Ops[wrap(slices.Index(recipe.Ops, e.conds[c.row].op), len(recipe.Ops))]
		e.changed()
	case cAction:
		i := slices.IndexFunc(client.Actions, func(a client.Action) bool { return a.Name == e.steps[c.step].action })
		e.setAction(c.step, client.Actions[wrap(i, len(client.Actions))].Name)
	}
}

func (e *editor) setTrigger(i int) {
	e.trigger = i
	e.changed()
}

// setAction changes a step's action, keeping the values of the fields the
// new action has too.
func (e *editor) setAction(step int, action string) {
	st := &e.steps[step]
	st.action = action
	keep := map[string]string{}
	hasData := false
	for _, f := range recipe.InputFields(action) {
		if v, ok := st.values[f.Name]; ok {
			keep[f.Name] = v
		}
		hasData = hasData || f.Data
	}
	st.values = keep
	if !hasData {
		st.data = nil
	}
	e.changed()
}

// enter opens the picker of a cell, or adds a row.
func (e *editor) enter(c cell) {
	cells, _ := e.cells()
	switch c.kind {
	case cTrigger:
		var items []pickItem
		for _, t := range e.triggers {
			desc := "no schema yet"
			if t.Schema != nil {
				desc = fmt.Sprintf("%d fields", len(t.Schema))
			}
			items = append(items, pickItem{value: t.Name, label: t.Name, note: desc})
		}
		e.pick = newPicker("Trigger", "", items, 0, func(v string) {
			e.setTrigger(slices.IndexFunc(e.triggers, func(t webhook.Trigger) bool { return t.Name == v }))
		})
	case cAction:
		var items []pickItem
		for _, a := range client.Actions {
			items = append(items, pickItem{value: a.Name, label: a.Title, note: a.Kind()})
		}
		step := c.step
		e.pick = newPicker(fmt.Sprintf("Action of step %d", step+1), "", items, 0, func(v string) { e.setAction(step, v) })
	case cCondOp:
		var items []pickItem
		for _, o := range recipe.Ops {
			items = append(items, pickItem{value: string(o), label: string(o)})
		}
		row := c.row
		e.pick = newPicker(fmt.Sprintf("Operator of condition %d", row+1), "", items, 0, func(v string) {
			e.conds[row].op = recipe.Op(v)
			e.changed()
		})
	case cCondPath:
		var items []pickItem
		for _, pl := range recipe.PayloadPaths(e.env().Trigger.Schema) {
			items = append(items, pickItem{value: pl.Path, label: pl.Path, note: pl.Type})
		}
		e.pick = newPicker(fmt.Sprintf("Path of condition %d", c.row+1), "any type", items, 0, func(v string) { e.setText(c, v) })
	case cField, cDataValue:
		e.pillPicker(c)
	case cAddCond:
		e.conds = append(e.conds, condRow{op: recipe.OpEq})
		e.changed()
		e.cur = cellIndex(e, func(x cell) bool { return x.kind == cCondPath && x.row == len(e.conds)-1 })
	case cAddData:
		st := &e.steps[c.step]
		st.data = append(st.data, dataRow{})
		e.changed()
		e.cur = cellIndex(e, func(x cell) bool { return x.kind == cDataName && x.step == c.step && x.row == len(st.data)-1 })
	case cAddStep:
		if len(e.steps) < recipe.MaxSteps {
			e.steps = append(e.steps, newStep("get-user"))
			e.changed()
			e.cur = cellIndex(e, func(x cell) bool { return x.kind == cAction && x.step == len(e.steps)-1 })
		}
	default:
		e.cur = min(e.cur+1, len(cells)-1)
	}
}

func cellIndex(e *editor, f func(cell) bool) int {
	cells, _ := e.cells()
	return max(slices.IndexFunc(cells, f), 0)
}

// fieldPath is the input path a value cell fills.
func (e *editor) fieldPath(c cell) (path, typ string) {
	if c.kind == cDataValue {
		name := strings.TrimSpace(e.steps[c.step].data[c.row].name)
		t := e.dataType(name)
		if t == "" {
			t = "any type"
		}
		return "dataFields." + name, t
	}
	for _, f := range recipe.InputFields(e.steps[c.step].action) {
		if f.Name == c.field {
			return f.Name, f.Type
		}
	}
	return c.field, "any"
}

// pillPicker opens the pills that fit a value cell, by the recipe room's
// rules for where they land.
func (e *editor) pillPicker(c cell) {
	path, typ := e.fieldPath(c)
	if c.kind == cDataValue && path == "dataFields." {
		e.pick = &picker{title: "Name the data field first", note: "type its name in the cell on the left"}
		return
	}
	r := e.recipe()
	fit, hidden := recipe.Pills(e.env(), r.Steps, c.step+1, path)
	var items []pickItem
	for _, pl := range fit {
		items = append(items, pickItem{value: "{{" + pl.Path + "}}", label: pl.Path, note: pl.Type})
	}
	e.pick = newPicker(fmt.Sprintf("Pill for step %d · %s", c.step+1, path), typ, items, hidden, func(v string) { e.setText(c, v) })
	if e.env().Trigger.Schema == nil {
		e.pick.note = "trigger " + e.triggerName() + " has no schema yet: type {{path}} by hand, or give it one (tab 4)"
	}
}

// remove takes away the condition, data field or step at c.
func (e *editor) remove(c cell) {
	switch c.kind {
	case cCondPath, cCondOp, cCondValue:
		e.conds = slices.Delete(e.conds, c.row, c.row+1)
	case cDataName, cDataValue:
		st := &e.steps[c.step]
		st.data = slices.Delete(st.data, c.row, c.row+1)
	case cAction, cField:
		if len(e.steps) == 1 {
			return
		}
		e.steps = slices.Delete(e.steps, c.step, c.step+1)
	default:
		return
	}
	e.changed()
	cells, _ := e.cells()
	e.cur = min(e.cur, len(cells)-1)
}

// saveEditor checks the recipe with the recipe room's save checks, showing
// the refusals beside their fields, and stores it disarmed when it passes.
func (p *Page) saveEditor() tea.Cmd {
	e := p.ed
	if e.saving {
		return nil
	}
	r := e.recipe()
	e.checked = true
	e.report = recipe.Check(r, e.env())
	if n := len(e.report.Refusals); n > 0 {
		cells, _ := e.cells()
		for _, at := range e.report.At {
			if i := e.cellOf(cells, at); i >= 0 {
				e.cur = i
				break
			}
		}
		return page.Error(fmt.Errorf("not saved: %s", e.report.Refusals[0]))
	}
	e.saving = true
	rs, notes, editing := p.deps.Recipes, e.report.Notes, e.editing != ""
	return func() tea.Msg {
		if editing {
			return savedMsg{name: r.Name, changed: true, notes: notes, err: rs.Replace(context.Background(), r)}
		}
		return savedMsg{name: r.Name, notes: notes, err: rs.Add(context.Background(), r)}
	}
}

func (p *Page) saved(msg savedMsg) tea.Cmd {
	if p.ed != nil {
		p.ed.saving = false
	}
	if msg.err != nil {
		return page.Error(fmt.Errorf("not saved: %w", msg.err))
	}
	p.ed = nil
	text := "added " + msg.name + " (disarmed): space arms it"
	if msg.changed {
		text = "saved " + msg.name + " (disarmed): space arms it"
	}
	if len(msg.notes) > 0 {
		text += " · " + msg.notes[0]
	}
	p.want = msg.name
	return tea.Batch(page.Notice(text), p.load())
}
